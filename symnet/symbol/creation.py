"""``mx.sym.zeros``, ``ones``, ``full``, ``arange``: graph nodes that create arrays."""
from __future__ import annotations

from ..dtype import np_dtype

__all__ = ["zeros", "ones", "full", "arange"]


def _internal():
    from . import _internal as module
    return module


def _dtype_name(dtype) -> str:
    return np_dtype(dtype).name


def zeros(shape, dtype=None, **kwargs):
    """A symbol of zeros; stores ``shape`` and ``dtype`` (default float32) as MXNet does."""
    return _internal()._zeros(shape=shape, dtype=_dtype_name(dtype), **kwargs)


def ones(shape, dtype=None, **kwargs):
    """A symbol of ones."""
    return _internal()._ones(shape=shape, dtype=_dtype_name(dtype), **kwargs)


def full(shape, val, dtype=None, **kwargs):
    """A symbol filled with ``val``."""
    return _internal()._full(shape=shape, value=val, dtype=_dtype_name(dtype), **kwargs)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=False, name=None, dtype=None):
    """Evenly spaced values in ``[start, stop)``."""
    return _internal()._arange(start=start, stop=stop, step=step, repeat=repeat,
                               infer_range=infer_range, name=name, dtype=_dtype_name(dtype))
