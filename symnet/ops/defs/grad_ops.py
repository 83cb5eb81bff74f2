"""Operators that gradient graphs use and users rarely call directly."""
from __future__ import annotations

import numpy as np

from ..kernel import NULL, assign
from ..registry import Params, register

__all__: list[str] = []


def _sum_like_shape(p: Params, ins: list, outs: list):
    return ins, [ins[1]]


def _sum_like_type(p: Params, ins: list, outs: list):
    return ins, [ins[0] if ins[0] is not None else outs[0]]


def _sum_like_forward(p: Params, ctx, ins, req, outs) -> None:
    """Sum ``grad`` over the axes along which ``like`` was broadcast to reach it."""
    if req[0] == NULL:
        return
    grad, target = ins[0], outs[0].shape
    lead = grad.ndim - len(target)
    axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(target)
                                      if d == 1 and grad.shape[lead + i] != 1)
    value = grad.sum(axis=axes, keepdims=True) if axes else grad
    assign(outs[0], req[0], value.reshape(target))


def _broadcast_like_forward(p: Params, ctx, ins, req, outs) -> None:
    """NumPy-broadcast ``data`` to ``like``'s shape (fewer dims allowed)."""
    if req[0] == NULL:
        return
    assign(outs[0], req[0], np.broadcast_to(ins[0], outs[0].shape))


# These two are each other's gradients, so broadcasting can be differentiated any number of
# times. ``like`` is read only for its shape and receives no gradient.
register("_reduce_sum_like", inputs=["data", "like"], infer_shape=_sum_like_shape,
         infer_type=_sum_like_type, forward=_sum_like_forward,
         gradient=lambda g, og: [g.op("_broadcast_to_like", og[0], g.input(0)), None],
         doc="Sums ``data`` over the axes broadcast from ``like``'s shape (the gradient of "
             "broadcasting); ``like`` is read only for its shape.")

register("_broadcast_to_like", inputs=["data", "like"], infer_shape=_sum_like_shape,
         infer_type=_sum_like_type, forward=_broadcast_like_forward,
         gradient=lambda g, og: [g.op("_reduce_sum_like", og[0], g.input(0)), None],
         doc="Broadcasts ``data`` to ``like``'s shape with NumPy's rules (the gradient of "
             "summing a broadcast); ``like`` is read only for its shape.")
