"""Cases for symnet/ops/defs/embedding.py (Embedding and _backward_Embedding).

Indices are given as floats (MXNet's usual form) or int32; out-of-range and fractional
indices are truncated toward zero and clipped into ``[0, input_dim)``. Only the weight is
differentiated (the indices get no gradient). ``_backward_Embedding`` is linear in its head
gradient, so its numeric gradient with respect to the head gradient is checked as well.
"""
from __future__ import annotations

import math

import numpy as np

from .harness import OpCase


def _row(value: float, rows: int) -> int:
    """MXNet's index rule, one value at a time: truncate, then clip (NaN -> 0)."""
    if math.isnan(value):
        return 0
    return min(max(int(value), 0), rows - 1)


def _indices(shape, rows, *, outside=False):
    """Random row numbers; with ``outside`` also fractions, negatives and too-large values."""
    def make(rng):
        if outside:
            return rng.uniform(-2.5, rows + 2.5, shape)
        return rng.integers(0, rows, shape).astype(np.float64)
    return make


def _inputs(shape, rows, dim, *, outside=False, index_dtype=None):
    def make(rng, dtype):
        data = _indices(shape, rows, outside=outside)(rng)
        weight = rng.uniform(-1, 1, (rows, dim)).astype(dtype)
        return [data.astype(index_dtype or dtype), weight]
    return make


def _embedding_ref(data, weight, input_dim=None, output_dim=None, **_):
    out = np.empty(data.shape + (weight.shape[1],), weight.dtype)
    for idx in np.ndindex(data.shape):
        out[idx] = weight[_row(float(data[idx]), weight.shape[0])]
    return out


def _backward_inputs(shape, rows, dim):
    def make(rng, dtype):
        data = rng.uniform(-1.5, rows + 1.5, shape)
        return [rng.uniform(-1, 1, shape + (dim,)).astype(dtype), data.astype(dtype)]
    return make


def _backward_ref(ograd, data, input_dim=None, output_dim=None, **_):
    grad = np.zeros((input_dim, output_dim), np.float64)
    for idx in np.ndindex(data.shape):
        grad[_row(float(data[idx]), input_dim)] += ograd[idx]
    return grad.astype(ograd.dtype)


CASES = [
    OpCase("Embedding", _inputs((2, 3), 5, 4), {"input_dim": 5, "output_dim": 4},
           _embedding_ref, grad_inputs=[1], dtypes=("float16", "float32", "float64")),
    OpCase("Embedding", _inputs((4, 3), 4, 2, outside=True), {"input_dim": 4, "output_dim": 2},
           _embedding_ref, grad_inputs=[1], id="clip"),
    OpCase("Embedding", _inputs((6,), 3, 3, index_dtype=np.int32),
           {"input_dim": 3, "output_dim": 3}, _embedding_ref, grad_inputs=[1], id="int32"),
    OpCase("Embedding", _inputs((2, 2, 2), 3, 2), {"input_dim": 3, "output_dim": 2,
                                                   "dtype": "float64", "sparse_grad": True},
           _embedding_ref, grad_inputs=[1], id="3d-params"),
    OpCase("_backward_Embedding", _backward_inputs((3, 4), 5, 3),
           {"input_dim": 5, "output_dim": 3}, _backward_ref, grad_inputs=[0]),
    OpCase("_backward_Embedding", _backward_inputs((7,), 2, 2),
           {"input_dim": 2, "output_dim": 2}, _backward_ref, grad_inputs=[0], id="repeats"),
]
