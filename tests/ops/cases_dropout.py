"""Cases for symnet/ops/defs/dropout.py (Dropout and _backward_Dropout).

``mx.nd`` calls run in inference mode, so Dropout(mode='training') is the identity there;
mode='always' draws a mask, checked by its values. The masks are random, so the contract's
executor-based gradient checks (which do not reseed between runs) are off here;
tests/test_batchnorm_dropout.py checks Dropout's gradient numerically with a fixed seed.
"""
from __future__ import annotations

import numpy as np

from .harness import OpCase, rand


def _identity_ref(data, **_):
    return data.copy()


def _always_check(p, axes=()):
    def check(outputs, inputs):
        out, data = outputs[0].astype(np.float64), inputs[0].astype(np.float64)
        scale = float(np.float32(1) / (np.float32(1) - np.float32(p)))
        kept = out != 0
        np.testing.assert_allclose(out[kept], data[kept] * scale, rtol=1e-3)
        for axis in axes:  # variational dropout: one decision along each listed axis
            assert np.all(kept == kept.take([0], axis=axis))
        assert 0 < kept.mean() < 1
    return check


def _backward_inputs(shape, mask_shape, p=0.5):
    def make(rng, dtype):
        scale = np.float32(1) / (np.float32(1) - np.float32(p))
        mask = (rng.uniform(0, 1, mask_shape) < 1 - p) * scale
        return [rng.uniform(-1, 1, shape).astype(dtype), mask.astype(dtype)]
    return make


def _backward_ref(ograd, mask, **_):
    out = np.empty(ograd.shape, dtype=np.float64)
    for idx in np.ndindex(ograd.shape):
        m = mask[tuple(0 if mask.shape[k] == 1 else i for k, i in enumerate(idx))]
        out[idx] = float(ograd[idx]) * float(m)
    return out.astype(ograd.dtype)


CASES = [
    OpCase("Dropout", rand(3, 4), {}, _identity_ref, grad=False,
           dtypes=("float16", "float32", "float64")),
    OpCase("Dropout", rand(3, 4), {"p": 0.2, "axes": (1,)}, _identity_ref, grad=False,
           id="axes"),
    OpCase("Dropout", rand(20, 30, low=0.5, high=1.5), {"p": 0.5, "mode": "always"},
           check=_always_check(0.5), grad=False, id="always"),
    OpCase("Dropout", rand(4, 40, 3, low=0.5, high=1.5),
           {"p": 0.3, "mode": "always", "axes": (0, 2)}, check=_always_check(0.3, (0, 2)),
           grad=False, id="always-axes"),
    OpCase("_backward_Dropout", _backward_inputs((3, 4), (3, 4)), {}, _backward_ref,
           grad=False),
    OpCase("_backward_Dropout", _backward_inputs((3, 4, 2), (1, 4, 1), 0.25),
           {"p": 0.25, "axes": (0, 2)}, _backward_ref, grad=False, id="axes"),
]
