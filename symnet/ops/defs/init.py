"""Initialisation operators: ``_zeros``, ``_ones``, ``_full``, ``_arange``, ``_linspace``,
``_eye``, ``zeros_like`` and ``ones_like``.

The creation ops take no inputs: the output shape comes from the ``shape`` parameter (or from a
given output, e.g. ``out=``), the dtype from ``dtype`` and the device from ``ctx`` (a string such as
``"cpu(0)"``, read by the imperative front end). As in MXNet 1.x (legacy shape semantics), a zero
dim in ``shape`` means "unknown" and ``shape=()`` means an unknown shape, so ``mx.nd.zeros(0)``
cannot infer its output shape while a symbolic ``zeros(shape=(0, 3))`` can take the missing dim
from the graph.

Values are computed as MXNet does: ``arange`` in the output dtype (``start`` and ``step`` are cast
first, so an int32 ``arange(0.5, 3, 0.5)`` is all zeros), ``linspace`` in double precision and
then cast, and ``full`` casts its value like a C cast (``2.7`` -> ``2`` for int32). float16
``arange`` is computed in float32 and rounded (MXNet 1.9.1 truncates a float16 ``step`` to an
integer, a bug symnet does not copy).
"""
from __future__ import annotations

import math
import re

import numpy as np

from ...dtype import BFLOAT16, np_dtype
from ..fields import Bool, DType, Float, Int, Shape, Str
from ..kernel import ADD, NULL
from ..registry import InferError, Params, fmt_shape, register
from ..rules import elemwise_shape, fixed_type, known, merge_shape

__all__ = ["Ctx", "Long", "store", "init_shape", "INIT_DTYPES"]

#: dtype choices of ``_zeros``/``_ones``/``_full`` (MXNet's ``InitOpParam``).
INIT_DTYPES = ("bfloat16", "bool", "float16", "float32", "float64", "int32", "int64", "int8",
               "uint8")
_RANGE_DTYPES = tuple(d for d in INIT_DTYPES if d != "bool")
_EYE_DTYPES = tuple(d for d in _RANGE_DTYPES if d != "bfloat16")
_CTX_RE = re.compile(r"^(cpu|gpu|cpu_pinned|cpu_shared)\((\d+)\)$")
_CTX_DOC = ("Context of output, in format [cpu|gpu|cpu_pinned](n).Only used for imperative "
            "calls.")


class Ctx(Str):
    """The ``ctx`` parameter: a Context or a string like ``"cpu(0)"``; stored as the string."""

    def _parse(self, value):
        text = "" if value is None else str(value).strip()
        if text and not _CTX_RE.match(text):
            raise ValueError(f"Invalid context string {text}")
        return text

    def parse(self, value):
        try:
            return self._parse(value)
        except ValueError as err:
            raise ValueError(str(err)) from None


class Long(Int):
    """An integer parameter that MXNet declares as ``long`` (e.g. ``randint``'s bounds)."""

    type_name = "long"


def _ctx_field() -> Ctx:
    return Ctx("ctx", "", _CTX_DOC)


def _dtype_field(choices=INIT_DTYPES) -> DType:
    return DType("dtype", "float32", "Target data type.", choices=choices)


# ---- writing values ------------------------------------------------------------------------
def _bf16_bits(value) -> np.ndarray:
    """bfloat16 bit patterns of float values (round to nearest even)."""
    bits = np.asarray(value, np.float32).view(np.uint32).astype(np.uint64)
    one, half, sixteen = np.uint64(1), np.uint64(0x7FFF), np.uint64(16)
    return ((bits + half + ((bits >> sixteen) & one)) >> sixteen).astype(np.uint16)


def _bf16_values(out: np.ndarray) -> np.ndarray:
    return (out.view(np.uint16).astype(np.uint32) << np.uint32(16)).view(np.float32)


def store(out: np.ndarray, req: str, value) -> None:
    """Write ``value`` into ``out`` per ``req``, casting like a C cast (also to bfloat16)."""
    if req == NULL:
        return
    if out.dtype == BFLOAT16:
        base = _bf16_values(out) if req == ADD else 0
        out.view(np.uint16)[...] = _bf16_bits(base + np.asarray(value, np.float32))
        return
    with np.errstate(invalid="ignore", over="ignore"):
        value = np.asarray(value)
        if value.dtype != out.dtype:
            value = value.astype(out.dtype)
    if req == ADD:
        out += value
    else:
        out[...] = value


# ---- shape rules -----------------------------------------------------------------------------
def legacy_shape(shape) -> tuple | None:
    """MXNet 1.x reading of a shape parameter: ``()`` is unknown, a dim <= 0 is unknown."""
    if shape is None or len(shape) == 0:
        return None
    return tuple(d if d is not None and d > 0 else None for d in shape)


def init_shape(p: Params, ins: list, outs: list):
    """Output shape from ``p.shape``; a known given output wins over an incomplete param."""
    wanted = legacy_shape(p.shape)
    if known(outs[0]) and not known(wanted):
        return list(ins), [outs[0]]
    try:
        return list(ins), [merge_shape(wanted, outs[0])]
    except ValueError:
        raise InferError(f"Shape inconsistent, Provided = {fmt_shape(outs[0])}, inferred "
                         f"shape={fmt_shape(wanted)}") from None


def _num(x: float) -> str:
    return f"{x:g}"


def _range_bounds(p: Params) -> tuple[float, float | None]:
    """The effective (start, stop) of ``_arange``: a missing stop means ``[0, start)``."""
    if p.stop is None:
        return (p.start, None) if p.infer_range else (0.0, p.start)
    return p.start, p.stop


def arange_shape(p: Params, ins: list, outs: list):
    """``_arange``: ``ceil((stop - start) / step) * repeat`` elements."""
    if p.step == 0:
        raise InferError(f"Range does not support step=0, received {_num(p.step)}")
    if p.repeat <= 0:
        raise InferError(f"Range only supports repeat > 0, received {p.repeat}")
    start, stop = _range_bounds(p)
    if stop is None:  # infer_range without stop: the length comes from the output
        return list(ins), [outs[0]]
    if (p.step > 0 and not start < stop) or (p.step < 0 and not start > stop):
        raise InferError(f"Invalid range (start, stop, step) = ({_num(start)},{_num(stop)},"
                         f"{_num(p.step)})")
    size = int(math.ceil((stop - start) / p.step)) * p.repeat
    return _assign(list(ins), outs, (size,))


def _assign(ins: list, outs: list, shape: tuple):
    try:
        return ins, [merge_shape(shape, outs[0])]
    except ValueError:
        raise InferError(f"Shape inconsistent, Provided = {fmt_shape(outs[0])}, inferred "
                         f"shape={fmt_shape(shape)}") from None


def linspace_shape(p: Params, ins: list, outs: list):
    """``_linspace``: ``num`` elements."""
    if p.num < 0:
        raise InferError(f"Number of sequence should be non-negative, received {p.num}")
    return _assign(list(ins), outs, (p.num,))


def eye_shape(p: Params, ins: list, outs: list):
    """``_eye``: ``(N, M)``, with ``M = N`` when ``M`` is 0."""
    if p.N < 0 or p.M < 0:
        raise InferError(f"N and M must be non-negative, got N={p.N}, M={p.M}")
    return _assign(list(ins), outs, (p.N, p.M if p.M > 0 else p.N))


# ---- kernels ---------------------------------------------------------------------------------
def _fill_kernel(value_of):
    def kernel(p, ctx, ins, req, outs):
        store(outs[0], req[0], value_of(p))
    return kernel


def _cast_scalar(x: float, dtype: np.dtype) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        return np.asarray(x, np.float64).astype(dtype)


def arange_kernel(p, ctx, ins, req, outs):
    """``start + (i // repeat) * step`` computed in the output dtype."""
    out = outs[0]
    dt = out.dtype if out.dtype.kind in "iuf" and out.dtype != np.float16 else np.dtype("f4")
    start, _ = _range_bounds(p)
    idx = (np.arange(out.size, dtype=np.int64) // p.repeat)
    with np.errstate(over="ignore"):
        value = _cast_scalar(start, dt) + idx.astype(dt) * _cast_scalar(p.step, dt)
    store(out, req[0], value)


def linspace_kernel(p, ctx, ins, req, outs):
    """``start + i * step`` in double precision; with ``endpoint`` the last value is ``stop``."""
    n = outs[0].size
    div = (n - 1 if n > 1 else 1) if p.endpoint else max(n, 1)
    step = (p.stop - p.start) / div
    value = p.start + np.arange(n, dtype=np.float64) * step
    if p.endpoint and n > 1:
        value[-1] = p.stop
    store(outs[0], req[0], value)


def eye_kernel(p, ctx, ins, req, outs):
    rows, cols = outs[0].shape
    value = (np.arange(cols)[None, :] - np.arange(rows)[:, None]) == p.k
    store(outs[0], req[0], value)


def _out_dtype(p: Params) -> np.dtype:
    return np_dtype(p.dtype)


def _register_fills() -> None:
    shape_doc = "The shape of the output"
    for name, value, doc in (("_zeros", 0, "fill target with zeros"),
                             ("_ones", 1, "fill target with ones")):
        register(name, inputs=[], fields=[Shape("shape", (), shape_doc), _ctx_field(),
                                          _dtype_field()],
                 forward=_fill_kernel(lambda p, v=value: v), infer_shape=init_shape,
                 infer_type=fixed_type(_out_dtype), doc=doc)
    register("_full", inputs=[],
             fields=[Shape("shape", None, shape_doc), _ctx_field(), _dtype_field(),
                     Float("value", doc="Value with which to fill newly created tensor")],
             forward=_fill_kernel(lambda p: p.value), infer_shape=init_shape,
             infer_type=fixed_type(_out_dtype), doc="fill target with a scalar value")
    like = "Return an array of {what} with the same shape, type and storage type\nas the " \
           "input array."
    for name, value, what in (("zeros_like", 0, "zeros"), ("ones_like", 1, "ones")):
        register(name, inputs=["data"], forward=_fill_kernel(lambda p, v=value: v),
                 infer_shape=elemwise_shape, fluent=True, doc=like.format(what=what))


def _register_ranges() -> None:
    register("_arange", inputs=[], fields=[
        Float("start", doc="Start of interval. The interval includes this value. The default "
                           "start value is 0."),
        Float("stop", None, "End of interval. The interval does not include this value, except "
                            "in some cases where step is not an integer and floating point "
                            "round-off affects the length of out."),
        Float("step", 1.0, "Spacing between values."),
        Int("repeat", 1, "The repeating time of all elements. E.g repeat=3, the element a will "
                         "be repeated three times --> a, a, a."),
        Bool("infer_range", False, "When set to True, infer the stop position from the start, "
                                   "step, repeat, and output tensor size."),
        _ctx_field(), _dtype_field(_RANGE_DTYPES)],
        forward=arange_kernel, infer_shape=arange_shape, infer_type=fixed_type(_out_dtype),
        doc="Return evenly spaced values within a given interval. Similar to Numpy")
    register("_linspace", inputs=[], fields=[
        Float("start", doc="The starting value of the sequence."),
        Float("stop", doc="The ending value of the sequence"),
        Int("num", doc="Number of samples to generate. Must be non-negative."),
        Bool("endpoint", True, "If True, stop is the last sample. Otherwise, it is not "
                               "included."),
        _ctx_field(), _dtype_field(_RANGE_DTYPES)],
        forward=linspace_kernel, infer_shape=linspace_shape, infer_type=fixed_type(_out_dtype),
        doc="Return evenly spaced numbers over a specified interval. Similar to Numpy")
    register("_eye", inputs=[], fields=[
        Long("N", doc="Number of rows in the output."),
        Long("M", 0, "Number of columns in the output. If 0, defaults to N"),
        Long("k", 0, "Index of the diagonal. 0 (the default) refers to the main diagonal.A "
                     "positive value refers to an upper diagonal.A negative value to a lower "
                     "diagonal."),
        _ctx_field(), _dtype_field(_EYE_DTYPES)],
        forward=eye_kernel, infer_shape=eye_shape, infer_type=fixed_type(_out_dtype),
        doc="Return a 2-D array with ones on the diagonal and zeros elsewhere.")


_register_fills()
_register_ranges()
