"""Shared inference rules and in-place declarations for operator families.

Shapes are tuples whose unknown dims are ``None``; an unknown shape is ``None``. Rules are pure:
they return new ``(in_shapes, out_shapes)`` lists and raise :class:`InferError` on a
contradiction, with MXNet's wording so users recognise the message.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .registry import InferError, Params, fmt_shape, merge_shape, merge_type

Shape = tuple | None

__all__ = ["fmt_type", "prod", "known", "merge_shape", "elemwise_shape", "broadcast_shapes", "broadcast_shape",
           "same_type", "fixed_type", "unify", "inplace_0_0", "check_known", "ndim_known"]


def prod(dims) -> int | None:
    """Product of the dims, or None if any is unknown."""
    out = 1
    for d in dims:
        if d is None:
            return None
        out *= d
    return out


def known(shape: Shape) -> bool:
    """True if the shape and every dim in it are known."""
    return shape is not None and all(d is not None for d in shape)


def ndim_known(shape: Shape) -> bool:
    return shape is not None


def unify(values: Sequence, merge, fmt, label: Sequence[str]):
    """Merge all values; on conflict say which input or output disagreed (MXNet wording)."""
    result = None
    for value, where in zip(values, label):
        try:
            result = merge(result, value)
        except ValueError:
            raise InferError(f"Incompatible attr in node at {where}: expected {fmt(result)}, "
                             f"got {fmt(value)}") from None
    return result


def _labels(n_in: int, n_out: int) -> list[str]:
    return [f"{i}-th input" for i in range(n_in)] + [f"{j}-th output" for j in range(n_out)]


def elemwise_shape(p: Params, ins: list, outs: list):
    """All inputs and outputs share one shape (MXNet ``ElemwiseShape``)."""
    shape = unify(ins + outs, merge_shape, fmt_shape, _labels(len(ins), len(outs)))
    return [shape] * len(ins), [shape] * len(outs)


def fmt_type(t) -> str:
    """A dtype's name for messages ("None" when unknown)."""
    return "None" if t is None else np.dtype(t).name


def same_type(p: Params, ins: list, outs: list):
    """All inputs and outputs share one dtype (MXNet ``ElemwiseType``)."""
    dtype = unify(ins + outs, merge_type, fmt_type, _labels(len(ins), len(outs)))
    return [dtype] * len(ins), [dtype] * len(outs)


def fixed_type(dtype_of):
    """Outputs get ``dtype_of(params)`` (a dtype or a function of params); inputs are free."""

    def rule(p: Params, ins: list, outs: list):
        dtype = np.dtype(dtype_of(p) if callable(dtype_of) else dtype_of)
        for j, t in enumerate(outs):
            if t is not None and t != dtype:
                raise InferError(f"Incompatible attr in node at {j}-th output: expected "
                                 f"{dtype.name}, got {fmt_type(t)}")
        return list(ins), [dtype] * len(outs)

    return rule


def broadcast_shapes(lhs: tuple, rhs: tuple) -> tuple:
    """NumPy-style broadcasting of two known shapes, with MXNet's error message."""
    nd = max(len(lhs), len(rhs))
    a = (1,) * (nd - len(lhs)) + tuple(lhs)
    b = (1,) * (nd - len(rhs)) + tuple(rhs)
    out = []
    for x, y in zip(a, b):
        if x is None or y is None:
            other = y if x is None else x
            out.append(None if other in (None, 1) else other)
        elif x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            raise InferError(f"operands could not be broadcast together with shapes "
                             f"{fmt_shape(lhs)} {fmt_shape(rhs)}")
    return tuple(out)


def broadcast_shape(p: Params, ins: list, outs: list):
    """Binary broadcast (MXNet ``BinaryBroadcastShape``): output from both inputs."""
    lhs, rhs = ins
    if lhs is None or rhs is None:
        return ins, outs
    out = broadcast_shapes(lhs, rhs)
    try:
        out = merge_shape(out, outs[0])
    except ValueError:
        raise InferError(f"Incompatible attr in node at 0-th output: expected "
                         f"{fmt_shape(out)}, got {fmt_shape(outs[0])}") from None
    return ins, [out]


def check_known(shape: Shape, what: str) -> None:
    if not known(shape):
        raise InferError(f"{what} shape is unknown: {fmt_shape(shape)}")


def inplace_0_0(p: Params) -> list[tuple[int, int]]:
    """Output 0 may reuse input 0's buffer."""
    return [(0, 0)]
