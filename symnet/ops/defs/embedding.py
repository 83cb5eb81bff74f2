"""Embedding: rows of a weight matrix picked by (float or integer) indices, with its gradient.

As in MXNet 1.9.1 (checked with the oracle): indices are truncated toward zero and clipped into
``[0, input_dim)`` (``3.7 -> 3``, ``-0.9 -> 0``, ``9 -> input_dim - 1``, NaN -> 0) in both the
forward and the backward pass; the weight's dtype is the ``dtype`` parameter (float32 by
default) unless the weight's or the output's dtype is already known, whatever the indices'
dtype; the data's dtype must be known. The gradient scatter-adds the head gradient's rows into
the weight's gradient (``_backward_Embedding``); the indices get none. ``sparse_grad`` is
accepted and recorded, but symnet has no row_sparse storage, so the gradient is always dense
(MXNet refuses ``sparse_grad=True`` with a dense gradient array).
"""
from __future__ import annotations

import numpy as np

from ...dtype import np_dtype
from ..fields import Bool, DType, Int
from ..kernel import ADD, NULL
from ..registry import InferError, Params, register

__all__: list[str] = []

_DTYPES = ("bfloat16", "float16", "float32", "float64", "int32", "int64", "int8", "uint8")


def _fields() -> list:
    return [
        Int("input_dim", doc="Vocabulary size of the input indices.", low=1),
        Int("output_dim", doc="Dimension of the embedding vectors.", low=1),
        DType("dtype", "float32", "Data type of weight.", choices=_DTYPES),
        Bool("sparse_grad", False, "Compute row sparse gradient in the backward calculation. "
             "If set to True, the grad's storage type is row_sparse."),
    ]


def row_indices(data: np.ndarray, rows: int) -> np.ndarray:
    """Integer row numbers: truncated toward zero, clipped to ``[0, rows)``, NaN -> 0."""
    if data.dtype.kind == "f":
        clipped = np.clip(data, 0, rows - 1)
        return np.nan_to_num(clipped, nan=0.0).astype(np.intp)
    return np.clip(data, 0, rows - 1).astype(np.intp)


# ---- inference rules -----------------------------------------------------------------------
def _embedding_shape(p: Params, ins: list, outs: list):
    """weight ``(input_dim, output_dim)``, output ``data.shape + (output_dim,)``; nothing is
    decided while the data's shape is unknown (as in MXNet)."""
    data, weight = ins
    if data is None and outs[0] is not None:
        data = tuple(outs[0][:-1])
    if data is None:
        return ins, outs
    return [data, (p.input_dim, p.output_dim)], [tuple(data) + (p.output_dim,)]


def _embedding_type(p: Params, ins: list, outs: list):
    """The weight and output share a dtype: the known one, else ``dtype``."""
    data, weight = ins
    if data is None:
        raise InferError("Check failed: itype != -1 (-1 vs. -1) : First input must have "
                         "specified type")
    out = outs[0]
    if weight is not None and out is not None and weight != out:
        raise InferError(f"Check failed: dtype_in == dtype_out : Input and output weights "
                         f"must have same type ({np.dtype(weight).name} vs. "
                         f"{np.dtype(out).name})")
    known = weight if weight is not None else out
    dtype = known if known is not None else np_dtype(p.dtype)
    return [data, dtype], [dtype]


# ---- kernels ---------------------------------------------------------------------------------
def _embedding_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    data, weight = ins
    index = row_indices(data, weight.shape[0])
    if req[0] == ADD:
        outs[0] += weight[index]
    else:
        np.take(weight, index, axis=0, out=outs[0], mode="clip")


def _scatter_rows(index: np.ndarray, rows: np.ndarray):
    """(unique row numbers, summed rows per number) without per-element Python loops."""
    order = np.argsort(index, kind="stable")
    ordered = index[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return ordered[starts], np.add.reduceat(rows[order], starts, axis=0)


def _backward_forward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (ograd, data); the output is the weight's gradient."""
    if req[0] == NULL:
        return
    ograd, data = ins
    out = outs[0]
    if req[0] != ADD:
        out[...] = 0
    if data.size == 0:
        return
    index = row_indices(data, out.shape[0]).reshape(-1)
    unique, sums = _scatter_rows(index, ograd.reshape(index.size, -1))
    out[unique] += sums.astype(out.dtype, copy=False)


def _backward_shape(p: Params, ins: list, outs: list):
    ograd, data = ins
    if data is None and ograd is not None:
        data = tuple(ograd[:-1])
    if data is not None:
        ograd = tuple(data) + (p.output_dim,)
    return [ograd, data], [(p.input_dim, p.output_dim)]


def _backward_type(p: Params, ins: list, outs: list):
    dtype = ins[0] if ins[0] is not None else outs[0]
    return [dtype, ins[1]], [dtype]


# ---- gradients ---------------------------------------------------------------------------------
def _params(p: Params) -> dict:
    return {f.name: p[f.name] for f in _fields()}


def _embedding_gradient(g, ograds):
    """The indices get no gradient; the weight gets the scattered head gradient."""
    if ograds[0] is None:
        return [None, None]
    return [None, g.op("_backward_Embedding", ograds[0], g.input(0), **_params(g.params))]


def _backward_gradient(g, ograds):
    """Linear in the head gradient: differentiating again picks rows (an Embedding)."""
    if ograds[0] is None:
        return [None, None]
    return [g.op("Embedding", g.input(1), ograds[0], **_params(g.params)), None]


register("_backward_Embedding", inputs=["ograd", "data"], fields=_fields(),
         infer_shape=_backward_shape, infer_type=_backward_type, forward=_backward_forward,
         gradient=_backward_gradient,
         doc="Gradient of Embedding with respect to the weight: the head gradient's rows "
             "summed into the rows its indices name.")

register(
    "Embedding", inputs=["data", "weight"], fields=_fields(), infer_shape=_embedding_shape,
    per_sample=[0],
    infer_type=_embedding_type, forward=_embedding_forward, gradient=_embedding_gradient,
    doc="Maps integer indices to vector representations (embeddings).\n\n"
        "This operator maps words to real-valued vectors in a high-dimensional space,\n"
        "called word embeddings. These embeddings can capture semantic and syntactic "
        "properties of the words.\nFor example, it has been noted that in the learned "
        "embedding spaces, similar words tend\nto be close to each other and dissimilar words "
        "far apart.\n\nFor an input array of shape (d1, ..., dK),\nthe shape of an output "
        "array is (d1, ..., dK, output_dim).\nAll the input values should be integers in the "
        "range [0, input_dim).\n\nIf the input_dim is ip0 and output_dim is op0, then shape "
        "of the embedding weight matrix must be\n(ip0, op0).\n\nWhen \"sparse_grad\" is "
        "False, if any index mentioned is too large, it is replaced by the index that\n"
        "addresses the last vector in an embedding matrix.\nWhen \"sparse_grad\" is True, an "
        "error will be raised if invalid indices are found.")
