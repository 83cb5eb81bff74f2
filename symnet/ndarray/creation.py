"""NDArray creation helpers: ``mx.nd.zeros``, ``ones``, ``full``, ``arange``, ``linspace``,
``eye`` and ``empty``.

Each is a thin layer over an init operator (``_zeros``, ``_ones``, ``_full``, ``_arange``,
``_linspace``, ``_eye``), as in MXNet 1.9.1: the context defaults to the current one and is passed
to the operator as its string (``"cpu(0)"``), so a GPU context raises :class:`MXNetError`.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..base import MXNetError, numeric_types
from ..context import Context, current_context
from ..dtype import BFLOAT16
from ..ops.registry import get_op
from .ndarray import NDArray, empty, invoke

__all__ = ["zeros", "ones", "full", "arange", "linspace", "eye", "empty"]

_mx_real_t = np.float32


def _ctx_string(ctx) -> str:
    """The ``ctx`` attribute for a Context (or None: the current context)."""
    ctx = current_context() if ctx is None else ctx
    if not isinstance(ctx, (Context, str)):
        raise TypeError(f"ctx must be a Context, got {type(ctx).__name__}")
    return str(ctx)


def _dtype_name(dtype: np.dtype) -> str:
    return "bfloat16" if dtype == BFLOAT16 else dtype.name


def _creator(op_name: str, attrs: dict, kwargs: dict):
    out = kwargs.pop("out", None)
    name = kwargs.pop("name", "")
    attrs.update(kwargs)
    dtype = attrs.get("dtype")
    if dtype is not None and not isinstance(dtype, str):
        try:
            attrs["dtype"] = _dtype_name(np.dtype(dtype))
        except TypeError:
            pass  # the operator reports the bad value
    return invoke(get_op(op_name), [], attrs, out=out, name=name or "")


def zeros(shape, ctx: Context | None = None, dtype=None, stype=None, **kwargs) -> NDArray:
    """Return a new array of given shape and type, filled with zeros.

    Parameters
    ----------
    shape : int or tuple of int
        The shape of the empty array
    ctx : Context, optional
        An optional device context (default is the current default context)
    dtype : str or numpy.dtype, optional
        An optional value type (default is `float32`)
    stype : string, optional
        The storage type; only ``'default'`` (dense) is supported by symnet.
    out : NDArray, optional
        The output NDArray (default is `None`).

    Returns
    -------
    NDArray
        A created array
    """
    if stype not in (None, "default"):
        raise MXNetError(f"zeros: storage type {stype!r} is not supported (symnet arrays are "
                         "dense; use stype='default')")
    dtype = _mx_real_t if dtype is None else dtype
    return _creator("_zeros", {"shape": shape, "ctx": _ctx_string(ctx), "dtype": dtype}, kwargs)


def ones(shape, ctx: Context | None = None, dtype=None, **kwargs) -> NDArray:
    """Returns a new array filled with all ones, with the given shape and type.

    Parameters
    ----------
    shape : int or tuple of int or list of int
        The shape of the empty array.
    ctx : Context, optional
        An optional device context. Defaults to the current default context.
    dtype : str or numpy.dtype, optional
        An optional value type (default is `float32`).
    out : NDArray, optional
        The output NDArray (default is `None`).

    Returns
    -------
    NDArray
        A new array of the specified shape filled with all ones.
    """
    dtype = _mx_real_t if dtype is None else dtype
    return _creator("_ones", {"shape": shape, "ctx": _ctx_string(ctx), "dtype": dtype}, kwargs)


def full(shape, val, ctx: Context | None = None, dtype=_mx_real_t, out: NDArray | None = None
         ) -> NDArray:
    """Returns a new array of given shape and type, filled with the given value `val`.

    Parameters
    ----------
    shape : int or tuple of int
        The shape of the new array.
    val : scalar or NDArray
        Fill value (an NDArray is broadcast into the result).
    ctx : Context, optional
        Device context (default is the current default context).
    dtype : `str` or `numpy.dtype`, optional
        The data type of the returned `NDArray`. The default datatype is `float32`.
    out : NDArray, optional
        The output NDArray (default is `None`); ``shape``, ``ctx`` and ``dtype`` are then
        taken from it.

    Returns
    -------
    NDArray
        `NDArray` filled with `val`, with the given shape, ctx, and dtype.
    """
    if not isinstance(val, numeric_types + (np.number, np.bool_)):
        out = empty(shape, ctx, dtype) if out is None else out
        out[:] = val
        return out
    if out is not None:
        attrs = {"shape": out.shape, "dtype": _dtype_name(out._data.dtype), "value": val}
        return invoke(get_op("_full"), [], attrs, out=out)
    dtype = "float32" if dtype is None else dtype
    return _creator("_full", {"shape": shape, "ctx": _ctx_string(ctx), "dtype": dtype,
                              "value": val}, {})


def arange(start, stop=None, step=1.0, repeat=1, infer_range=None, ctx: Context | None = None,
           dtype=_mx_real_t) -> NDArray:
    """Returns evenly spaced values within a given interval.

    Values are generated within the half-open interval [`start`, `stop`). With only `start`
    given, the interval is [0, `start`). Each value is repeated `repeat` times.

    Parameters
    ----------
    start : number, optional
        Start of interval. The default start value is 0.
    stop : number
        End of interval.
    step : number, optional
        Spacing between values. The default step size is 1.
    repeat : int, optional
        Number of times to repeat each element. The default repeat count is 1.
    infer_range : boolean, optional
        Deprecated (a DeprecationWarning is given when set); only False is supported.
    ctx : Context, optional
        Device context. Default context is the current default context.
    dtype : str or numpy.dtype, optional
        The data type of the `NDArray`. The default datatype is `np.float32`.

    Returns
    -------
    NDArray
        `NDArray` of evenly spaced values in the specified range.
    """
    if infer_range is not None:
        warnings.warn("`infer_range` argument has been deprecated", DeprecationWarning,
                      stacklevel=2)
    return _creator("_arange", {"start": start, "stop": stop, "step": step, "repeat": repeat,
                                "infer_range": False, "dtype": dtype,
                                "ctx": _ctx_string(ctx)}, {})


def linspace(start, stop, num, endpoint=True, ctx: Context | None = None, dtype=_mx_real_t
             ) -> NDArray:
    """Return `num` evenly spaced numbers over [`start`, `stop`] (or [`start`, `stop`) when
    `endpoint` is False), like ``numpy.linspace``.

    Parameters
    ----------
    start : number
        Start of interval.
    stop : number
        End of interval, unless endpoint is set to False.
    num : number
        Number of samples to generate. Must be non-negative.
    endpoint : bool
        If True, stop is the last sample. Otherwise, it is not included. Default True.
    ctx : Context, optional
        Device context. Default context is the current default context.
    dtype : str or numpy.dtype, optional
        The data type of the `NDArray`. The default datatype is `np.float32`.

    Returns
    -------
    NDArray
        `NDArray` of evenly spaced values in the specified range.
    """
    return _creator("_linspace", {"start": start, "stop": stop, "num": num,
                                  "endpoint": endpoint, "dtype": dtype,
                                  "ctx": _ctx_string(ctx)}, {})


def eye(N, M=0, k=0, ctx: Context | None = None, dtype=None, **kwargs) -> NDArray:
    """Return a 2-D array with ones on the diagonal and zeros elsewhere.

    Parameters
    ----------
    N : int
        Number of rows in the output.
    M : int, optional
        Number of columns in the output. If 0, defaults to N.
    k : int, optional
        Index of the diagonal: 0 (the default) refers to the main diagonal, a positive value
        to an upper diagonal, and a negative value to a lower diagonal.
    ctx : Context, optional
        An optional device context (default is the current default context)
    dtype : str or numpy.dtype, optional
        An optional value type (default is `float32`)

    Returns
    -------
    NDArray
        A created array
    """
    dtype = _mx_real_t if dtype is None else dtype
    return _creator("_eye", {"N": N, "M": M, "k": k, "ctx": _ctx_string(ctx), "dtype": dtype},
                    kwargs)
