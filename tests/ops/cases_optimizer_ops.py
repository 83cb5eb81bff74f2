"""Cases for symnet/ops/defs/optimizer_ops.py, with values recorded from MXNet 1.9.1."""
from __future__ import annotations

import numpy as np

from .harness import OpCase


def _inputs(n):
    def make(rng, dtype):
        return [rng.uniform(-2, 2, (3, 4)).astype(dtype) for _ in range(n)]
    return make


def _sgd_ref(weight, grad, lr, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, **_):
    g = grad * rescale_grad
    if clip_gradient > 0:
        g = np.minimum(np.maximum(g, -clip_gradient), clip_gradient)
    return weight - lr * (g + wd * weight)


def _sgd_mom_ref(weight, grad, mom, lr, momentum=0.0, wd=0.0, rescale_grad=1.0,
                 clip_gradient=-1.0, **_):
    g = grad * rescale_grad
    if clip_gradient > 0:
        g = np.minimum(np.maximum(g, -clip_gradient), clip_gradient)
    return weight + (momentum * mom - lr * (g + wd * weight))


CASES = [
    OpCase("sgd_update", _inputs(2), {"lr": 0.1}, _sgd_ref, grad=False),
    OpCase("sgd_update", _inputs(2),
           {"lr": 0.1, "wd": 0.01, "rescale_grad": 0.5, "clip_gradient": 0.4}, _sgd_ref,
           grad=False, id="all"),
    OpCase("sgd_mom_update", _inputs(3), {"lr": 0.1, "momentum": 0.9, "wd": 0.01},
           _sgd_mom_ref, grad=False),
]
