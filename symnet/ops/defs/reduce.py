"""Reductions, softmax and ordering: ``sum``/``mean``/``prod``/``max``/``min``/``nansum``/
``nanprod``, ``norm``, ``argmax``/``argmin``, ``softmax``/``log_softmax``/``softmin``, ``topk``,
``sort`` and ``argsort``.

MXNet 1.x (legacy) conventions kept here:

* reducing every axis gives shape ``(1,)``, never ``()``; ``axis=None`` and ``axis=()`` both mean
  "all axes", also with ``exclude=True``;
* reductions compute in the input dtype: integer sums and products wrap, integer ``mean`` is the
  wrapped sum divided with truncation, ``float16`` accumulates in ``float32``;
* ``argmax``/``argmin`` return indices in the *input* dtype (float32 for float32 data);
* the integer L2 ``norm`` follows MXNet's scaled sum of squares evaluated in integer arithmetic,
  which yields ``max|x| * sqrt(count(|x| == max|x|))`` truncated;
* ``topk``/``sort``/``argsort`` order equal elements by position (a stable sort), which is what
  MXNet gives for short axes (its CPU sort is not stable for long ones). NaNs sort last in
  ascending order (MXNet leaves them where its comparison sort drops them).

Gradients (MXNet's rules, checked against MXNet 1.9.1):

* the reductions broadcast the head gradient back with ``_backward_sum``/``_backward_mean``
  (which read the forward input only for its shape) and compose the rest from registered ops,
  so they can be differentiated again: ``prod`` ``og * out / x`` (a zero element gets
  ``0/0 = nan`` as in MXNet), ``max``/``min`` the head gradient to *every* element equal to the
  result (ties included), ``nansum``/``nanprod`` 0 at NaNs, ``norm`` ``og * sign(x)`` (ord 1) or
  ``og * x / norm`` (ord 2, nan for a zero norm);
* ``softmax``/``log_softmax``/``softmin`` are compositions along ``axis`` (temperature included;
  ``length`` gets none); with ``dtype``/``out_dtype`` the gradient is cast back to the data's;
* ``topk`` (``ret_typ='value'``/``'both'``) and ``sort`` scatter the values' head gradient back
  through the hidden indices (``_backward_topk``); argmax/argmin/argsort and topk's indices and
  mask have no gradient.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ...base import MXNetError
from ..fields import Bool, DType, Enum, Float, Int, Shape
from ..kernel import ADD, NULL
from ..registry import InferError, Params, fmt_shape, off_batch_axis, register
from ..rules import elemwise_shape, merge_shape, same_type

__all__ = ["REDUCERS", "reduce_axes"]

AxesT = tuple  # normalised, sorted axes to reduce

# ---------------------------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------------------------


def _store(out: np.ndarray, req: str, value) -> None:
    """Write ``value`` into ``out`` by ``req``, casting like C (integers wrap, floats round)."""
    if req == NULL:
        return
    value = np.reshape(value, out.shape)
    if req == ADD:
        out += value.astype(out.dtype, copy=False)
    else:
        np.copyto(out, value, casting="unsafe")


def _merge_out(outs: list, j: int, shape) -> tuple | None:
    """Merge an inferred output shape with the one already known (``out=`` or a bound array)."""
    try:
        return merge_shape(shape, outs[j])
    except ValueError:
        raise InferError(f"Incompatible attr in node at {j}-th output: expected "
                         f"{fmt_shape(shape)}, got {fmt_shape(outs[j])}") from None


def _check_axis(axis: int, ndim: int) -> int:
    """Normalise one axis for argmax/softmax (MXNet ``CheckAxis`` wording)."""
    if not -ndim <= axis < ndim:
        raise InferError(f"axis {axis} exceeds the input dimension of {ndim}")
    return axis % ndim


def _work_dtype(dtype: np.dtype) -> np.dtype:
    """Accumulation dtype: float16 accumulates in float32, everything else in itself."""
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _reduced_shape(shape: tuple, axes: AxesT, keepdims: bool) -> tuple:
    """Shape after reducing ``axes``; an empty result is ``(1,)`` as in legacy MXNet."""
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    out = tuple(d for i, d in enumerate(shape) if i not in axes)
    return out or (1,)


# ---------------------------------------------------------------------------------------------
# sum / mean / prod / max / min / nansum / nanprod / norm: shapes
# ---------------------------------------------------------------------------------------------

def reduce_axes(axis: tuple | None, exclude: bool, shape: tuple) -> AxesT:
    """The sorted axes of ``shape`` to reduce, with MXNet's checks and messages.

    ``axis`` None or ``()`` means every axis (also with ``exclude``); negative axes count from
    the end; ``exclude`` reduces the axes *not* listed.
    """
    ndim = len(shape)
    if not axis:
        return tuple(range(ndim))
    axes = sorted(a + ndim if a < 0 else a for a in axis)
    if axes[0] < 0:
        raise InferError(f"Reduction axis {fmt_shape(axis)} Exceeds input dimensions "
                         f"{fmt_shape(shape)}")
    if axes[-1] >= ndim:
        raise InferError(f"Reduction axis {axes[-1]} Exceeds input dimensions "
                         f"{fmt_shape(shape)}")
    if len(set(axes)) != len(axes):
        raise InferError(f"Reduction axes have duplicates {fmt_shape(axes)}")
    if exclude:
        return tuple(i for i in range(ndim) if i not in axes)
    return tuple(axes)


def _reduce_shape(p: Params, ins: list, outs: list):
    """Shape rule of the axis reductions (MXNet ``ReduceAxesShape``), partial dims allowed."""
    data = ins[0]
    if data is None:
        return ins, outs
    axes = reduce_axes(p.axis, p.get("exclude", False), data)
    return ins, [_merge_out(outs, 0, _reduced_shape(data, axes, p.keepdims))]


# ---------------------------------------------------------------------------------------------
# reductions: kernels
# ---------------------------------------------------------------------------------------------

def _sum(x: np.ndarray, axes: AxesT) -> np.ndarray:
    return np.sum(x, axis=axes, dtype=_work_dtype(x.dtype), keepdims=True)


def _prod(x: np.ndarray, axes: AxesT) -> np.ndarray:
    return np.prod(x, axis=axes, dtype=_work_dtype(x.dtype), keepdims=True)


def _nansum(x: np.ndarray, axes: AxesT) -> np.ndarray:
    if x.dtype.kind != "f":
        return _sum(x, axes)
    return np.nansum(x, axis=axes, dtype=_work_dtype(x.dtype), keepdims=True)


def _nanprod(x: np.ndarray, axes: AxesT) -> np.ndarray:
    if x.dtype.kind != "f":
        return _prod(x, axes)
    return np.nanprod(x, axis=axes, dtype=_work_dtype(x.dtype), keepdims=True)


def _mean(x: np.ndarray, axes: AxesT) -> np.ndarray:
    """Mean in the input dtype; for integers the wrapped sum divided with truncation."""
    count = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    if x.dtype.kind in "iu":
        total = np.sum(x, axis=axes, dtype=x.dtype, keepdims=True).astype(np.int64)
        return np.sign(total) * (np.abs(total) // max(count, 1))
    return np.mean(x, axis=axes, dtype=_work_dtype(x.dtype), keepdims=True)


def _max(x: np.ndarray, axes: AxesT) -> np.ndarray:
    return np.max(x, axis=axes, keepdims=True)


def _min(x: np.ndarray, axes: AxesT) -> np.ndarray:
    return np.min(x, axis=axes, keepdims=True)


def _reduce_kernel(fn: Callable[[np.ndarray, AxesT], np.ndarray]) -> Callable:
    def kernel(p, ctx, ins, req, outs):
        if req[0] == NULL:
            return
        x = ins[0]
        axes = reduce_axes(p.axis, p.exclude, x.shape)
        _store(outs[0], req[0], fn(x, axes))
    kernel.__name__ = f"reduce{fn.__name__}"
    return kernel


_AXIS_DOC = (
    "The axis or axes along which to perform the reduction.\n\n"
    "      The default, `axis=()`, will compute over all elements into a\n"
    "      scalar array with shape `(1,)`.\n\n"
    "      If `axis` is int, a reduction is performed on a particular axis.\n\n"
    "      If `axis` is a tuple of ints, a reduction is performed on all the axes\n"
    "      specified in the tuple.\n\n"
    "      If `exclude` is true, reduction will be performed on the axes that are\n"
    "      NOT in axis instead.\n\n"
    "      Negative values means indexing from right to left.")
_KEEPDIMS_DOC = ("If this is set to `True`, the reduced axes are left in the result as "
                 "dimension with size one.")
_EXCLUDE_DOC = "Whether to perform reduction on axis that are NOT in axis instead."

# name -> (kernel function, aliases, doc)
REDUCERS = {
    "sum": (_sum, ("sum_axis",), "Computes the sum of array elements over given axes."),
    "mean": (_mean, (), "Computes the mean of array elements over given axes."),
    "prod": (_prod, (), "Computes the product of array elements over given axes."),
    "max": (_max, ("max_axis",), "Computes the max of array elements over given axes."),
    "min": (_min, ("min_axis",), "Computes the min of array elements over given axes."),
    "nansum": (_nansum, (), "Computes the sum of array elements over given axes treating Not "
               "a Numbers (``NaN``) as zero."),
    "nanprod": (_nanprod, (), "Computes the product of array elements over given axes "
                "treating Not a Numbers (``NaN``) as one."),
}


def _reduce_fields() -> list:
    return [Shape("axis", None, _AXIS_DOC), Bool("keepdims", False, _KEEPDIMS_DOC),
            Bool("exclude", False, _EXCLUDE_DOC)]


def _register_reducers() -> None:
    for name, (fn, aliases, doc) in REDUCERS.items():
        register(name, aliases=aliases, fields=_reduce_fields(),
                 forward=_reduce_kernel(fn), infer_shape=_reduce_shape, infer_type=same_type,
                 gradient=_REDUCE_GRADIENTS[name], fluent=True, doc=doc)


# ---------------------------------------------------------------------------------------------
# reductions: gradients
# ---------------------------------------------------------------------------------------------
# The head gradient has the reduced shape; ``_backward_sum`` (``_backward_mean``) broadcasts it
# back over the reduced axes of the forward input, which it reads only for its shape (the
# reduced axes cannot be expanded when the graph is built: ``exclude``, negative axes and
# ``axis=()`` need the input's rank). Both are linear in the head gradient and their own
# gradient is the forward reduction again, so the rules below are compositions that can be
# differentiated twice.

def _backward_reduce_shape(p: Params, ins: list, outs: list):
    """Output = ``data``'s shape; the head gradient has the reduced shape."""
    ograd, data = ins
    try:
        data = merge_shape(data, outs[0])
    except ValueError:
        raise InferError(f"Incompatible attr in node at 0-th output: expected "
                         f"{fmt_shape(data)}, got {fmt_shape(outs[0])}") from None
    if data is None:
        return [ograd, data], [data]
    axes = reduce_axes(p.axis, p.exclude, data)
    reduced = _reduced_shape(data, axes, p.keepdims)
    try:
        ograd = merge_shape(ograd, reduced)
    except ValueError:
        raise InferError(f"Incompatible attr in node at 0-th input: expected "
                         f"{fmt_shape(reduced)}, got {fmt_shape(ograd)}") from None
    return [ograd, data], [data]


def _ograd_type(p: Params, ins: list, outs: list):
    """The output has the head gradient's dtype; the shape-giving inputs' dtypes are free."""
    dtype = ins[0] if ins[0] is not None else outs[0]
    if dtype is not None and outs[0] is not None and outs[0] != dtype:
        raise InferError(f"Incompatible attr in node at 0-th output: expected "
                         f"{np.dtype(dtype).name}, got {np.dtype(outs[0]).name}")
    return [dtype] + list(ins[1:]), [dtype]


def _backward_reduce_kernel(mean: bool) -> Callable:
    def kernel(p, ctx, ins, req, outs):
        if req[0] == NULL:
            return
        ograd, data = ins
        axes = reduce_axes(p.axis, p.exclude, data.shape)
        keep = tuple(1 if i in axes else d for i, d in enumerate(data.shape))
        value = np.broadcast_to(ograd.reshape(keep), data.shape)
        if mean:
            count = int(np.prod([data.shape[a] for a in axes], dtype=np.int64))
            value = value / ograd.dtype.type(count) if ograd.dtype.kind == "f" \
                else value // max(count, 1)
        _store(outs[0], req[0], value)
    kernel.__name__ = "backward_mean" if mean else "backward_sum"
    return kernel


def _backward_reduce_gradient(reducer: str) -> Callable:
    """``_backward_sum`` is linear in its head gradient: its gradient is ``sum`` again."""
    def rule(g, ograds):
        p = g.params
        return [g.op(reducer, ograds[0], axis=p.axis, keepdims=p.keepdims,
                     exclude=p.exclude), None]
    return rule


def _register_backward_reducers() -> None:
    for name, mean in (("sum", False), ("mean", True)):
        what = "divided by the number of reduced elements " if mean else ""
        register(f"_backward_{name}", inputs=["ograd", "data"], fields=_reduce_fields(),
                 forward=_backward_reduce_kernel(mean), infer_shape=_backward_reduce_shape,
                 infer_type=_ograd_type, gradient=_backward_reduce_gradient(name),
                 doc=f"Gradient of ``{name}``: the head gradient broadcast back over the "
                     f"reduced axes of ``data`` {what}(``data`` is read only for its shape).")


def _spread(g, entry, like=None, mean: bool = False):
    """``entry`` (reduced shape) broadcast back to the shape of ``like`` (the forward input)."""
    p = g.params
    return g.op("_backward_mean" if mean else "_backward_sum", entry,
                g.input(0) if like is None else like, axis=p.axis, keepdims=p.keepdims,
                exclude=p.get("exclude", False))


def _sum_gradient(g, ograds):
    return [_spread(g, ograds[0])]


def _mean_gradient(g, ograds):
    return [_spread(g, ograds[0], mean=True)]


def _prod_gradient(g, ograds):
    """``og * out / x`` (MXNet: a zero element gets ``0 / 0 = nan``)."""
    x = g.input(0)
    return [g.mul(_spread(g, ograds[0]), g.op("elemwise_div", _spread(g, g.output()), x))]


def _extremum_gradient(g, ograds):
    """Every element equal to the max (min) gets the whole head gradient, as in MXNet."""
    x = g.input(0)
    return [g.mul(_spread(g, ograds[0]), g.op("_equal", x, _spread(g, g.output())))]


def _nansum_gradient(g, ograds):
    x = g.input(0)
    return [g.mul(_spread(g, ograds[0]), g.op("_equal", x, x))]  # 0 where x is NaN


def _nanprod_gradient(g, ograds):
    """``og * out / x``, and 0 where x is NaN."""
    x = g.input(0)
    ratio = g.op("elemwise_div", _spread(g, g.output()), x)
    ratio = g.op("where", g.op("_equal", x, x), ratio, g.zeros_like(x))
    return [g.mul(_spread(g, ograds[0]), ratio)]


_REDUCE_GRADIENTS = {
    "sum": _sum_gradient, "mean": _mean_gradient, "prod": _prod_gradient,
    "max": _extremum_gradient, "min": _extremum_gradient, "nansum": _nansum_gradient,
    "nanprod": _nanprod_gradient,
}


# ---------------------------------------------------------------------------------------------
# norm
# ---------------------------------------------------------------------------------------------

def _norm_shape(p: Params, ins: list, outs: list):
    if p.ord not in (1, 2):
        raise InferError("norm only supports ord=1 and ord=2")
    return _reduce_shape(p, ins, outs)


def _norm_type(p: Params, ins: list, outs: list):
    """Output dtype is ``out_dtype`` when given, else the input dtype."""
    if p.out_dtype is None:
        return same_type(p, ins, outs)
    dtype = np.dtype(p.out_dtype)
    if outs[0] is not None and outs[0] != dtype:
        raise InferError(f"Incompatible attr in node at 0-th output: expected {dtype.name}, "
                         f"got {np.dtype(outs[0]).name}")
    return list(ins), [dtype]


def _l2_norm(x: np.ndarray, axes: AxesT) -> np.ndarray:
    """L2 norm as a scaled sum of squares (no overflow for large values)."""
    if x.dtype.kind in "iub":
        # MXNet's scaled algorithm in integer arithmetic: every (|x| / scale) is 0 or 1.
        a = np.abs(x.astype(np.int64))
        scale = np.max(a, axis=axes, keepdims=True)
        count = np.sum(a == scale, axis=axes, keepdims=True)
        return np.trunc(scale * np.sqrt(count)).astype(np.int64)
    a = np.abs(x.astype(_work_dtype(x.dtype), copy=False))
    scale = np.max(a, axis=axes, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        safe = np.where(scale == 0, 1, scale)
        ratio = a / safe
        value = scale * np.sqrt(np.sum(ratio * ratio, axis=axes, keepdims=True))
    return np.where(np.isinf(scale), scale, value)


def _norm_kernel(p, ctx, ins, req, outs):
    if req[0] == NULL:
        return
    x = ins[0] if p.out_dtype is None else ins[0].astype(p.out_dtype)
    axes = reduce_axes(p.axis, False, x.shape)
    if p.ord == 1:
        value = np.sum(np.abs(x), axis=axes, dtype=_work_dtype(x.dtype), keepdims=True)
    else:
        value = _l2_norm(x, axes)
    _store(outs[0], req[0], value)


def _norm_gradient(g, ograds):
    """``og * sign(x)`` (ord 1) or ``og * x / norm`` (ord 2; a zero norm gives NaN, as in
    MXNet). With ``out_dtype`` the gradient is computed in that dtype and cast back."""
    p, x = g.params, g.input(0)
    xc = x if p.out_dtype is None else g.op("Cast", x, dtype=p.out_dtype)
    og = _spread(g, ograds[0], xc)
    if p.ord == 1:
        grad = g.mul(og, g.op("sign", xc))
    else:
        grad = g.mul(og, g.op("elemwise_div", xc, _spread(g, g.output(), xc)))
    return [grad if p.out_dtype is None else g.op("_backward_cast", grad, x)]


def _register_norm() -> None:
    register(
        "norm",
        fields=[Int("ord", 2, "Order of the norm. Currently ord=1 and ord=2 is supported."),
                Shape("axis", None, "The axis or axes along which to perform the reduction.\n\n"
                      "      The default, `axis=()`, will compute over all elements into a\n"
                      "      scalar array with shape `(1,)`.\n\n"
                      "      If `axis` is int, a reduction is performed on a particular axis.\n\n"
                      "      If `axis` is a 2-tuple, it specifies the axes that hold 2-D "
                      "matrices,\n      and the matrix norms of these matrices are computed."),
                DType("out_dtype", None, "The data type of the output.",
                      choices=("float16", "float32", "float64", "int32", "int64", "int8")),
                Bool("keepdims", False, "If this is set to `True`, the reduced axis is left in "
                     "the result as dimension with size one.")],
        forward=_norm_kernel, infer_shape=_norm_shape, infer_type=_norm_type, fluent=True,
        gradient=_norm_gradient,
        doc="Computes the norm on an NDArray.\n\nThis operator computes the norm on an NDArray "
            "with the specified axis, depending on the value of the ord parameter. By default, "
            "it computes the L2 norm on the entire array. ``ord=1`` is the sum of absolute "
            "values; several axes are reduced together (Frobenius norm for ``ord=2``).")


# ---------------------------------------------------------------------------------------------
# argmax / argmin
# ---------------------------------------------------------------------------------------------

def _arg_shape(p: Params, ins: list, outs: list):
    """``axis=None``: over the flattened array, ``(1,)`` (or all ones with ``keepdims``)."""
    data = ins[0]
    if data is None:
        return ins, outs
    if p.axis is None:
        axes = tuple(range(len(data)))
    else:
        axes = (_check_axis(p.axis, len(data)),)
    return ins, [_merge_out(outs, 0, _reduced_shape(data, axes, p.keepdims))]


def _arg_kernel(fn: Callable) -> Callable:
    def kernel(p, ctx, ins, req, outs):
        if req[0] == NULL:
            return
        x = ins[0]
        if p.axis is None:
            index = fn(x.reshape(-1))
        else:
            index = fn(x, axis=p.axis % x.ndim)
        _store(outs[0], req[0], index)
    kernel.__name__ = fn.__name__
    return kernel


def _register_arg() -> None:
    for name, fn, what in (("argmax", np.argmax, "maximum"), ("argmin", np.argmin, "minimum")):
        register(
            name,
            fields=[Int("axis", None, "The axis along which to perform the reduction. Negative "
                        "values means indexing from right to left. ``Requires axis to be set "
                        "as int, because global reduction is not supported yet.``"),
                    Bool("keepdims", False, "If this is set to `True`, the reduced axis is "
                         "left in the result as dimension with size one.")],
            forward=_arg_kernel(fn), infer_shape=_arg_shape, infer_type=same_type, fluent=True,
            doc=f"Returns indices of the {what} values along an axis.\n\nIn the case of "
                f"multiple occurrences of {what} values, the indices corresponding to the "
                "first occurrence are returned. The indices have the input's dtype.")


# ---------------------------------------------------------------------------------------------
# softmax / log_softmax / softmin
# ---------------------------------------------------------------------------------------------

def _softmax_shape(p: Params, ins: list, outs: list):
    """Output = data shape; ``length`` = data shape without ``axis``."""
    (data,), (out,) = elemwise_shape(p, ins[:1], outs)
    if data is None:
        return [data] + ins[1:], [out]
    axis = _check_axis(p.axis, len(data))
    if len(ins) == 1:
        return [data], [out]
    expected = data[:axis] + data[axis + 1:]
    try:
        length = merge_shape(ins[1], expected)
    except ValueError:
        raise InferError(f"Shape inconsistent, Provided = {fmt_shape(ins[1])}, inferred "
                         f"shape={fmt_shape(expected)}") from None
    return [data, length], [out]


def _softmax_type(p: Params, ins: list, outs: list):
    """Output dtype is ``dtype`` when given, else the data dtype; ``length`` stays free."""
    if p.use_length and len(ins) == 1:
        raise InferError("use_length=True needs a length input, which this operator does "
                         "not take (expects 2 inputs, got 1)")
    data, out = ins[0], outs[0]
    if p.dtype is not None:
        inferred = np.dtype(p.dtype)
    else:
        inferred = data if data is not None else out
        data = inferred
    if out is not None and inferred is not None and out != inferred:
        raise InferError(f"Incompatible attr in node at 0-th output: expected "
                         f"{np.dtype(inferred).name}, got {np.dtype(out).name}")
    return [data] + list(ins[1:]), [inferred if inferred is not None else out]


def _length_mask(length: np.ndarray, shape: tuple, axis: int) -> np.ndarray:
    """True where the position along ``axis`` is below that row's length."""
    if length.dtype.kind not in "iu":
        raise MXNetError(f"This operation only support integer types, not {length.dtype.name}")
    pos = np.arange(shape[axis]).reshape((-1,) + (1,) * (len(shape) - axis - 1))
    return pos < np.expand_dims(length, axis)


def _softmax_values(p: Params, ins: list, log: bool, negate: bool) -> np.ndarray:
    """Numerically stable (log-)softmax of ``ins[0]`` along ``p.axis``."""
    x = ins[0]
    if x.dtype.kind != "f":
        raise MXNetError(f"This operation only support floating point types, not "
                         f"{x.dtype.name}")
    axis = p.axis % x.ndim
    z = x.astype(_work_dtype(x.dtype))
    if negate:
        z = -z
    mask = _length_mask(ins[1], x.shape, axis) if len(ins) > 1 else None
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if p.temperature is not None and p.temperature != 1.0:
            z = z / z.dtype.type(p.temperature)
        if mask is not None:
            z = np.where(mask, z, -np.inf)
        top = np.max(z, axis=axis, keepdims=True)
        if mask is not None:
            top = np.where(np.isneginf(top), 0, top)
        shifted = z - top
        e = np.exp(shifted)
        total = np.sum(e, axis=axis, keepdims=True)
        out = shifted - np.log(total) if log else e / total
    return out if mask is None else np.where(mask, out, 0)


def _softmax_kernel(log: bool, negate: bool) -> Callable:
    def kernel(p, ctx, ins, req, outs):
        if req[0] != NULL:
            _store(outs[0], req[0], _softmax_values(p, ins, log, negate))
    return kernel


def _softmax_fields(length_doc: bool) -> list:
    return [Int("axis", -1, "The axis along which to compute softmax."),
            Float("temperature", None, "Temperature parameter in softmax"),
            DType("dtype", None, "DType of the output in case this can't be inferred. Defaults "
                  "to the same as input's dtype if not defined (dtype=None).",
                  choices=("float16", "float32", "float64")),
            Bool("use_length", False, "Whether to use the length input as a mask over the data "
                 "input." + ("" if length_doc else " (Not usable: this operator takes no length "
                             "input.)"), optional=True)]


_SOFTMAX_DOCS = {
    "softmax": "Applies the softmax function.\n\nThe resulting array contains elements in the "
               "range (0,1) and the elements along the given axis sum up to 1: "
               "``softmax(z/t)_j = exp(z_j/t) / sum_k exp(z_k/t)``, t is the temperature "
               "(default 1). With ``use_length=True`` only the first ``length`` elements along "
               "``axis`` take part and the rest are 0.",
    "log_softmax": "Computes the log softmax of the input.\n\nThis is equivalent to computing "
                   "softmax followed by log.",
    "softmin": "Applies the softmin function.\n\nThe resulting array contains elements in the "
               "range (0,1) and the elements along the given axis sum up to 1: "
               "``softmin(z/t)_j = exp(-z_j/t) / sum_k exp(-z_k/t)``.",
}


def _softmax_gradient(log: bool, negate: bool) -> Callable:
    """From the output ``y`` along ``axis`` (t: the temperature, s = -1 for softmin):
    softmax ``s/t * (og - sum(og * y)) * y``; log_softmax ``1/t * (og - exp(y) * sum(og))``.
    Positions masked by ``length`` have ``y = 0`` and get 0; ``length`` gets no gradient.
    With ``dtype`` the gradient is computed in the output dtype and cast back to the data's.
    """
    def rule(g, ograds):
        p, og, y, x = g.params, ograds[0], g.output(), g.input(0)
        rest = [None] * (len(g.node.inputs) - 1)
        if og is None:
            return [None] + rest
        if log:
            total = g.op("sum", og, axis=(p.axis,), keepdims=True)
            grad = g.op("elemwise_sub", og, g.op("broadcast_mul", g.op("exp", y), total))
        else:
            total = g.op("sum", g.mul(og, y), axis=(p.axis,), keepdims=True)
            grad = g.mul(g.op("broadcast_sub", og, total), y)
        t = 1.0 if p.temperature is None else p.temperature
        if t != 1.0:
            grad = g.op("_div_scalar", grad, scalar=-t if negate else t)
        elif negate:
            grad = g.scale(grad, -1.0)
        if p.dtype is not None:
            grad = g.op("_backward_cast", grad, x)
        return [grad] + rest
    return rule


def _softmax_per_sample(p: Params, shapes: list):
    """Along an axis other than the batch's, without a length input (lengths index samples
    too, but MXNet's length may broadcast)."""
    return None if p.get("use_length") else off_batch_axis("axis")(p, shapes)


def _register_softmax() -> None:
    for name, log, negate in (("softmax", False, False), ("log_softmax", True, False),
                              ("softmin", False, True)):
        extra = {}
        if name == "softmax":
            extra = dict(inputs=lambda p: ["data", "length"] if p.use_length else ["data"],
                         arg_names=("data", "length"))
        register(name, fields=_softmax_fields(name == "softmax"), per_sample=_softmax_per_sample,
                 forward=_softmax_kernel(log, negate), infer_shape=_softmax_shape,
                 infer_type=_softmax_type, inplace=[(0, 0)], fluent=True,
                 gradient=_softmax_gradient(log, negate), doc=_SOFTMAX_DOCS[name], **extra)


# ---------------------------------------------------------------------------------------------
# topk / sort / argsort
# ---------------------------------------------------------------------------------------------

_INDEX_DTYPES = ("float16", "float32", "float64", "int32", "int64", "uint8")


def _order_axis(axis: int | None, shape: tuple) -> int | None:
    """Normalise the axis of an ordering op (None: flattened) with MXNet's message."""
    if axis is None:
        return None
    ndim = len(shape)
    norm = axis + ndim if axis < 0 else axis
    if not 0 <= norm < ndim:
        raise InferError(f"Invalid axis! axis should be between 0 and {ndim}, found axis={norm}")
    return norm


def _flat_size(shape: tuple) -> int | None:
    return None if any(d is None for d in shape) else int(np.prod(shape, dtype=np.int64))


def _topk_k(k: int, n: int | None) -> int | None:
    """The effective k: all elements when ``k < 1``; checked against the axis length."""
    if k < 1:
        return n
    if n is not None and k > n:
        raise InferError(f"k must be smaller than {n}, get k = {k}")
    return k


def _topk_shape(p: Params, ins: list, outs: list):
    data = ins[0]
    n_out = len(outs)
    if data is None:
        return ins, outs
    axis = _order_axis(p.axis, data)
    n = _flat_size(data) if axis is None else data[axis]
    k = _topk_k(p.k, n)
    if p.ret_typ == "mask":
        return ins, [_merge_out(outs, 0, data)]
    picked = (k,) if axis is None else data[:axis] + (k,) + data[axis + 1:]
    return ins, [_merge_out(outs, j, picked) for j in range(n_out)]


def _topk_type(p: Params, ins: list, outs: list):
    data = ins[0]
    index = np.dtype(p.dtype)
    types = {"value": [data, index], "indices": [index], "mask": [data],
             "both": [data, index]}[p.ret_typ]
    for j, (t, given) in enumerate(zip(types, outs)):
        if t is not None and given is not None and t != given:
            raise InferError(f"Incompatible attr in node at {j}-th output: expected "
                             f"{np.dtype(t).name}, got {np.dtype(given).name}")
    return list(ins), [t if t is not None else g for t, g in zip(types, outs)]


def _stable_order(x: np.ndarray, axis: int, ascend: bool) -> np.ndarray:
    """Indices that sort ``x`` along ``axis``; equal elements keep their order either way."""
    if ascend:
        return np.argsort(x, axis=axis, kind="stable")
    order = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return np.flip(x.shape[axis] - 1 - order, axis)


def _topk_kernel(p, ctx, ins, req, outs):
    x = ins[0]
    if p.axis is None:
        x, axis = x.reshape(-1), 0
    else:
        axis = p.axis % x.ndim
    k = _topk_k(p.k, x.shape[axis])
    index = np.take(_stable_order(x, axis, p.is_ascend), np.arange(k), axis=axis)
    if p.ret_typ == "mask":
        mask = np.zeros(x.shape, outs[0].dtype)
        np.put_along_axis(mask, index, 1, axis=axis)
        _store(outs[0], req[0], mask)
        return
    if p.ret_typ == "indices":
        _store(outs[0], req[0], index)
        return
    _store(outs[0], req[0], np.take_along_axis(x, index, axis=axis))
    _store(outs[1], req[1], index)


def _register_topk() -> None:
    register(
        "topk",
        fields=[Int("axis", -1, "Axis along which to choose the top k indices. If not given, "
                    "the flattened array is used. Default is -1.", optional=True),
                Int("k", 1, "Number of top elements to select, should be always smaller than "
                    "or equal to the element number in the given axis. A global sort is "
                    "performed if set k < 1."),
                Enum("ret_typ", ("both", "indices", "mask", "value"), "indices",
                     "The return type.\n \"value\" means to return the top k values, "
                     "\"indices\" means to return the indices of the top k values, \"mask\" "
                     "means to return a mask array containing 0 and 1. 1 means the top k "
                     "values. \"both\" means to return a list of both values and indices of "
                     "top k elements."),
                Bool("is_ascend", False, "Whether to choose k largest or k smallest elements. "
                     "Top K largest elements will be chosen if set to false."),
                DType("dtype", "float32", "DType of the output indices when ret_typ is "
                      "\"indices\" or \"both\". An error will be raised if the selected data "
                      "type cannot precisely represent the indices.", choices=_INDEX_DTYPES)],
        outputs=lambda p: 2 if p.ret_typ in ("value", "both") else 1,
        visible_outputs=lambda p: 2 if p.ret_typ == "both" else 1,
        forward=_topk_kernel, infer_shape=_topk_shape, infer_type=_topk_type, fluent=True,
        gradient=_topk_gradient,
        doc="Returns the indices of the top *k* elements in an input array along the given "
            "axis (by default).\n\nIf ret_type is set to 'value' returns the value of top *k* "
            "elements (instead of indices). In case of ret_type = 'both', both value and index "
            "would be returned. The returned elements will be sorted.")


def _sort_shape(p: Params, ins: list, outs: list):
    """Same shape as the data, or ``(size,)`` for ``axis=None``; every output alike."""
    data = ins[0]
    if data is None:
        return ins, outs
    axis = _order_axis(p.axis, data)
    shape = data if axis is not None else (_flat_size(data),)
    return ins, [_merge_out(outs, j, shape) for j in range(len(outs))]


def _sort_type(p: Params, ins: list, outs: list):
    """``sort``: values in the data dtype (hidden indices float32); ``argsort``: ``dtype``."""
    types = [ins[0], np.dtype(np.float32)] if "dtype" not in p else [np.dtype(p.dtype)]
    for j, (t, given) in enumerate(zip(types, outs)):
        if t is not None and given is not None and t != given:
            raise InferError(f"Incompatible attr in node at {j}-th output: expected "
                             f"{np.dtype(t).name}, got {np.dtype(given).name}")
    return list(ins), [t if t is not None else g for t, g in zip(types, outs)]


def _sort_kernel(p, ctx, ins, req, outs):
    x = ins[0]
    if p.axis is None:
        x, axis = x.reshape(-1), 0
    else:
        axis = p.axis % x.ndim
    order = _stable_order(x, axis, p.is_ascend)
    if "dtype" in p:  # argsort
        _store(outs[0], req[0], order)
        return
    _store(outs[0], req[0], np.take_along_axis(x, order, axis=axis))
    _store(outs[1], req[1], order)


# ---- gradients: the values' head gradient scattered back through the (hidden) indices ------

def _topk_gradient(g, ograds):
    """Only ``ret_typ='value'``/``'both'`` is differentiable (through the values)."""
    if g.params.ret_typ not in ("value", "both") or ograds[0] is None:
        return [None]
    return [g.op("_backward_topk", ograds[0], g.output(1), g.input(0), axis=g.params.axis)]


def _sort_gradient(g, ograds):
    if ograds[0] is None:
        return [None]
    return [g.op("_backward_topk", ograds[0], g.output(1), g.input(0), axis=g.params.axis)]


def _backward_topk_shape(p: Params, ins: list, outs: list):
    """Output = ``data``'s shape; the head gradient has the indices' shape."""
    ograd, indices, data = ins
    try:
        data = merge_shape(data, outs[0])
        ograd = indices = merge_shape(ograd, indices)
    except ValueError:
        raise InferError(f"Incompatible shapes: ograd {fmt_shape(ograd)}, indices "
                         f"{fmt_shape(indices)}, data {fmt_shape(data)}") from None
    if data is not None:
        _order_axis(p.axis, data)
    return [ograd, indices, data], [data]


def _backward_topk_kernel(p, ctx, ins, req, outs):
    """Zeros of ``data``'s shape with the head gradient at the picked positions."""
    if req[0] == NULL:
        return
    ograd, indices, data = ins
    index = indices.astype(np.int64)
    grad = np.zeros(data.shape, ograd.dtype)
    if p.axis is None:
        grad.reshape(-1)[index.reshape(-1)] = ograd.reshape(-1)
    else:
        np.put_along_axis(grad, index, ograd, axis=p.axis % data.ndim)
    _store(outs[0], req[0], grad)


def _register_sort() -> None:
    register(
        "_backward_topk", inputs=["ograd", "indices", "data"],
        fields=[Int("axis", -1, "The axis of the ordering (None: the flattened array).",
                    optional=True)],
        forward=_backward_topk_kernel, infer_shape=_backward_topk_shape,
        infer_type=_ograd_type,
        doc="Gradient of ``topk`` (values) and ``sort``: the head gradient scattered to the "
            "positions named by ``indices`` along ``axis``, zeros elsewhere (``data`` is read "
            "only for its shape).")
    register(
        "sort",
        fields=[Int("axis", -1, "Axis along which to choose sort the input tensor. If not "
                    "given, the flattened array is used. Default is -1.", optional=True),
                Bool("is_ascend", True, "Whether to sort in ascending or descending order.")],
        outputs=2, visible_outputs=1, forward=_sort_kernel, infer_shape=_sort_shape,
        infer_type=_sort_type, fluent=True, gradient=_sort_gradient,
        doc="Returns a sorted copy of an input array along the given axis.")
    register(
        "argsort",
        fields=[Int("axis", -1, "Axis along which to sort the input tensor. If not given, the "
                    "flattened array is used. Default is -1.", optional=True),
                Bool("is_ascend", True, "Whether to sort in ascending or descending order."),
                DType("dtype", "float32", "DType of the output indices. It is only valid when "
                      "ret_typ is \"indices\" or \"both\". An error will be raised if the "
                      "selected data type cannot precisely represent the indices.",
                      choices=_INDEX_DTYPES)],
        forward=_sort_kernel, infer_shape=_sort_shape, infer_type=_sort_type, fluent=True,
        doc="Returns the indices that would sort an input array along the given axis.\n\n"
            "This function performs sorting along the given axis and returns an array of "
            "indices having same shape as an input array that index data in sorted order.")


_register_reducers()
_register_backward_reducers()
_register_norm()
_register_arg()
_register_softmax()
_register_topk()
_register_sort()
