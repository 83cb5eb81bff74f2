"""Optimizer update operators: ``sgd_update`` and ``sgd_mom_update``.

Kernels use NumPy only. (SciPy's BLAS ``axpy`` would avoid a temporary, but SciPy bundles a
second OpenBLAS whose thread pool fights NumPy's on small machines: measured 15x slower
training on 2 cores.)

Optimizers call these with ``out=weight`` so parameters are updated in place, as MXNet does.
State inputs (``mom``) are mutated in place; they are declared as such (``aux``).
"""
from __future__ import annotations

import numpy as np

from ..fields import Bool, Float
from ..kernel import ADD, NULL
from ..registry import Params, register
from ..rules import elemwise_shape, inplace_0_0

__all__: list[str] = []

_COMMON = [
    Float("wd", 0.0, "Weight decay augments the objective function with a regularization term "
          "that penalizes large weights. The penalty scales with the square of the magnitude "
          "of each weight."),
    Float("rescale_grad", 1.0, "Rescale gradient to grad = rescale_grad*grad."),
    Float("clip_gradient", -1.0, "Clip gradient to the range of [-clip_gradient, "
          "clip_gradient] If clip_gradient <= 0, gradient clipping is turned off. grad = "
          "max(min(grad, clip_gradient), -clip_gradient)."),
    Bool("lazy_update", True, "If true, lazy updates are applied if gradient's stype is "
         "row_sparse."),
]


def _step(p: Params, weight: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """``lr * (clip(rescale_grad * grad) + wd * weight)`` in one fresh temporary."""
    if p.clip_gradient > 0:
        g = np.multiply(grad, p.rescale_grad)
        np.clip(g, -p.clip_gradient, p.clip_gradient, out=g)
        if p.wd:
            g += p.wd * weight
        g *= p.lr
        return g
    g = np.multiply(grad, p.rescale_grad * p.lr)
    if p.wd:
        g += (p.wd * p.lr) * weight
    return g


def _sgd_forward(p: Params, ctx, ins, req, outs) -> None:
    weight, grad = ins
    if req[0] == ADD:
        outs[0] += weight - _step(p, weight, grad)
    elif req[0] != NULL:  # safe when the output is the weight itself (out=weight)
        np.subtract(weight, _step(p, weight, grad), out=outs[0], casting="unsafe")


def _sgd_mom_forward(p: Params, ctx, ins, req, outs) -> None:
    weight, grad, mom = ins
    mom *= p.momentum
    mom -= _step(p, weight, grad)
    if req[0] == ADD:
        outs[0] += weight + mom
    elif req[0] != NULL:
        np.add(weight, mom, out=outs[0], casting="unsafe")


register("sgd_update", inputs=["weight", "grad"],
         fields=[Float("lr", doc="Learning rate")] + _COMMON,
         infer_shape=elemwise_shape, inplace=inplace_0_0, forward=_sgd_forward,
         doc="Update function for Stochastic Gradient Descent (SGD) optimizer: "
             "``weight = weight - lr * (rescale_grad * grad + wd * weight)``.")

register("sgd_mom_update", inputs=["weight", "grad", "mom"], aux=[2],
         fields=[Float("lr", doc="Learning rate"),
                 Float("momentum", 0.0, "The decay rate of momentum estimates at each epoch.")]
         + _COMMON,
         infer_shape=elemwise_shape, inplace=inplace_0_0, forward=_sgd_mom_forward,
         doc="Momentum update function for SGD: ``mom = momentum * mom - lr * (rescale_grad * "
             "grad + wd * weight); weight = weight + mom``. ``mom`` is updated in place.")
