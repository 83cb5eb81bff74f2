"""Matrix products: ``dot`` and ``batch_dot`` (MXNet 1.9.1 semantics) and their gradients.

Kernels flatten the operands into one NumPy matrix product (``dot``) or a batched ``matmul``.
Shape rules work on partial shapes and raise :class:`InferError` with MXNet's wording.
"""
from __future__ import annotations

import math

import numpy as np

from ..fields import Bool, Enum
from ..registry import InferError, Params, fmt_shape, register
from ..rules import merge_shape
from .shape import _set_dim, _view_kernel, _with_out
from .shape_codes import prod

__all__ = ["dot_value"]

_fmt = fmt_shape


# ---- dot / batch_dot -------------------------------------------------------------------------
def _dot_side(shape: tuple, trans: bool, is_lhs: bool) -> tuple[tuple, int]:
    """(dims kept in the output, index of the contracted dim) of one ``dot`` operand."""
    if len(shape) == 1:
        return (), 0
    contract_last = (not trans) if is_lhs else trans
    return (shape[:-1], len(shape) - 1) if contract_last else (shape[1:], 0)


def _dot_shape(p: Params, ins: list, outs: list):
    """``dot``: lhs flattened to 2-D around its contracted dim, likewise rhs (MXNet rules)."""
    lhs, rhs = ins
    if lhs is None or rhs is None:
        return ins, outs
    if len(lhs) == 1 and len(rhs) == 1 and (p.transpose_a or p.transpose_b):
        raise InferError("Check failed: !param.transpose_a && !param.transpose_b: "
                         "Cannot transpose vectors")
    if not lhs or not rhs:
        raise InferError(f"dot shape error: {_fmt(lhs)} X {_fmt(rhs)}")
    left, li = _dot_side(lhs, p.transpose_a, True)
    right, ri = _dot_side(rhs, p.transpose_b, False)
    lk, rk = lhs[li], rhs[ri]
    if lk is not None and rk is not None and lk != rk:
        raise InferError(f"Check failed: L[!Ta].Size() == R[Tb].Size() ({lk} vs. {rk}) : "
                         f"dot shape error: {_fmt(lhs)} X {_fmt(rhs)}")
    k = lk if lk is not None else rk
    out = tuple(left) + tuple(right) or (1,)
    return [_set_dim(lhs, li, k), _set_dim(rhs, ri, k)], _with_out(outs, out)


def _as_matrix(x: np.ndarray, trans: bool, is_lhs: bool) -> np.ndarray:
    """``x`` as the 2-D matrix ``dot`` multiplies (contracted dim: lhs columns, rhs rows)."""
    if x.ndim == 1:
        return x.reshape(1, -1) if is_lhs else x.reshape(-1, 1)
    contract_last = (not trans) if is_lhs else trans
    if contract_last:
        m = x.reshape(math.prod(x.shape[:-1]), x.shape[-1])
        return m if is_lhs else m.T
    m = x.reshape(x.shape[0], math.prod(x.shape[1:]))
    return m.T if is_lhs else m


def dot_value(lhs: np.ndarray, rhs: np.ndarray, transpose_a: bool = False,
              transpose_b: bool = False) -> np.ndarray:
    """MXNet ``dot`` of two arrays, flattened into one matrix product (2-D result)."""
    return _as_matrix(lhs, transpose_a, True) @ _as_matrix(rhs, transpose_b, False)


def _dot_view(p: Params, ins: list, shape: tuple) -> np.ndarray:
    return dot_value(ins[0], ins[1], p.transpose_a, p.transpose_b).reshape(shape)


def _batch_mats(p: Params, lhs: tuple, rhs: tuple) -> tuple:
    """(m, lhs k, rhs k, n) of a ``batch_dot``."""
    m, lk = (lhs[-1], lhs[-2]) if p.transpose_a else (lhs[-2], lhs[-1])
    rk, n = (rhs[-1], rhs[-2]) if p.transpose_b else (rhs[-2], rhs[-1])
    return m, lk, rk, n


def _batch_dot_shape(p: Params, ins: list, outs: list):
    """``batch_dot``: N-D x N-D (N >= 3) with equal leading batch dims."""
    lhs, rhs = ins
    if lhs is None or rhs is None:
        return ins, outs
    if len(lhs) < 3 or len(lhs) != len(rhs):
        raise InferError(f"batch_dot currently only support N-D*N-D array (N >= 3)"
                         f"{_fmt(lhs)} v.s. {_fmt(rhs)}")
    tail = (f"{_fmt(lhs)} X {_fmt(rhs)} trans_a={int(p.transpose_a)} "
            f"trans_b={int(p.transpose_b)}")
    try:
        batch = merge_shape(lhs[:-2], rhs[:-2])
    except ValueError:
        a, b = next((a, b) for a, b in zip(lhs, rhs) if None not in (a, b) and a != b)
        raise InferError(f"Check failed: lshape[i] == rshape[i] ({a} vs. {b}) : batch_dot "
                         f"shape error (the leading batch dimensions must be equal): "
                         f"{tail}") from None
    m, lk, rk, n = _batch_mats(p, lhs, rhs)
    if lk is not None and rk is not None and lk != rk:
        raise InferError(f"Check failed: lshape_k == rshape_k ({lk} vs. {rk}) : batch_dot "
                         f"shape error (shape mismatch): {tail}")
    k = lk if lk is not None else rk
    new_lhs = batch + ((k, m) if p.transpose_a else (m, k))
    new_rhs = batch + ((n, k) if p.transpose_b else (k, n))
    return [new_lhs, new_rhs], _with_out(outs, batch + (m, n))


def _batch_dot_view(p: Params, ins: list, shape: tuple) -> np.ndarray:
    lhs, rhs = ins
    lhs = lhs.swapaxes(-1, -2) if p.transpose_a else lhs
    rhs = rhs.swapaxes(-1, -2) if p.transpose_b else rhs
    return np.matmul(lhs, rhs)


# ---- gradients -------------------------------------------------------------------------------
# dot multiplies A = op_a(L) by B = op_b(R), where L and R are the operands flattened to 2-D
# around their contracted dim and op_x transposes when the flag is set. With G the head gradient
# as the (M, N) matrix of A @ B, dA = G B^T and dB = A^T G, so
#   dL = G @ op_b(R)^T       (not ta)   or   op_b(R) @ G^T   (ta)
#   dR = op_a(L)^T @ G       (not tb)   or   G^T @ op_a(L)   (tb)
# each one product with transpose flags. Every piece is a registered differentiable op, so the
# gradient can be differentiated again. batch_dot uses the same formulas per batch.
def _product_grads(g, og, lhs, rhs, op: str):
    ta, tb = bool(g.params.transpose_a), bool(g.params.transpose_b)
    if ta:
        d_lhs = g.op(op, rhs, og, transpose_a=tb, transpose_b=True)
    else:
        d_lhs = g.op(op, og, rhs, transpose_b=not tb)
    if tb:
        d_rhs = g.op(op, og, lhs, transpose_a=True, transpose_b=ta)
    else:
        d_rhs = g.op(op, lhs, og, transpose_a=not ta)
    return d_lhs, d_rhs


def _dot_gradient(g, ograds):
    """Flatten both operands and the head gradient to 2-D, multiply, reshape back."""
    lhs, rhs = g.input(0), g.input(1)
    ta, tb = bool(g.params.transpose_a), bool(g.params.transpose_b)
    # (rows, contracted) keeps the last dim: Reshape (-1, 0) from the right; else (first, rest).
    last = dict(shape=(-1, 0), reverse=True)
    first = dict(shape=(0, -1))
    mat_l = g.op("Reshape", lhs, **(first if ta else last))
    mat_r = g.op("Reshape", rhs, **(last if tb else first))
    og = g.op("_dot_ograd_matrix", ograds[0], lhs)
    d_lhs, d_rhs = _product_grads(g, og, mat_l, mat_r, "dot")
    return [g.op("reshape_like", d_lhs, lhs), g.op("reshape_like", d_rhs, rhs)]


def _batch_dot_gradient(g, ograds):
    return list(_product_grads(g, ograds[0], g.input(0), g.input(1), "batch_dot"))


def _ograd_matrix_shape(p: Params, ins: list, outs: list):
    """``(prod(ograd[:k]), prod(ograd[k:]))`` with ``k = lhs.ndim - 1``."""
    ograd, lhs = ins
    if ograd is None or lhs is None:
        return ins, outs
    k = len(lhs) - 1
    if k > len(ograd):
        raise InferError(f"_dot_ograd_matrix: head gradient {_fmt(ograd)} has fewer than {k} "
                         f"dims (lhs {_fmt(lhs)})")
    return ins, _with_out(outs, (prod(ograd[:k]), prod(ograd[k:])))


def _ograd_matrix_view(p: Params, ins: list, shape: tuple) -> np.ndarray:
    return ins[0].reshape(shape)


def _ograd_matrix_gradient(g, ograds):
    return [g.op("reshape_like", ograds[0], g.input(0)), None]


# ---- registration ----------------------------------------------------------------------------
_TRANSPOSE_A = Bool("transpose_a", False, "If true then transpose the first input before dot.")
_TRANSPOSE_B = Bool("transpose_b", False, "If true then transpose the second input before dot.")
_STYPE = Enum("forward_stype", ("csr", "default", "row_sparse"), None,
              "The desired storage type of the forward output given by user, if the combination "
              "of input storage types and this hint does not match any implemented ones, the dot "
              "operator will perform fallback operation and still produce an output of the "
              "desired storage type.")


def _register_products() -> None:
    register("dot", inputs=["lhs", "rhs"], fields=[_TRANSPOSE_A, _TRANSPOSE_B, _STYPE],
             infer_shape=_dot_shape, forward=_view_kernel(_dot_view), gradient=_dot_gradient,
             blas_threads=True,
             doc="Dot product of two arrays. 1-D x 1-D gives the inner product (shape (1,)); "
                 "2-D x 2-D the matrix product; N-D x M-D sums over the last axis of the "
                 "first input and the first axis of the second: dot(x, y)[i,j,a,b] = "
                 "sum(x[i,j,:] * y[:,a,b]). transpose_a/transpose_b transpose the inputs "
                 "(for N-D: the first axis becomes the contracted one) before the product.")
    register("batch_dot", inputs=["lhs", "rhs"], fields=[_TRANSPOSE_A, _TRANSPOSE_B, _STYPE],
             infer_shape=_batch_dot_shape, forward=_view_kernel(_batch_dot_view),
             blas_threads=True,
             doc="Batchwise dot product: for N-D inputs (N >= 3) of shapes (B..., M, K) and "
                 "(B..., K, N) the result has shape (B..., M, N), each batch a matrix product.",
             gradient=_batch_dot_gradient)
    register("_dot_ograd_matrix", inputs=["ograd", "lhs"], infer_shape=_ograd_matrix_shape,
             forward=_view_kernel(_ograd_matrix_view), gradient=_ograd_matrix_gradient,
             doc="The head gradient of ``dot`` as the 2-D matrix of the flattened product: its "
                 "first ``lhs.ndim - 1`` dims merged into the rows, the rest into the columns "
                 "(``lhs`` is read only for its shape).")


_register_products()
