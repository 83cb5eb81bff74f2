"""The NDArray: a handle to a fixed NumPy buffer, with MXNet 1.x semantics.

Invariant: an NDArray never rebinds its buffer once created. Every update writes into the
existing memory (``a[:] = x``, ``a += 1``, ``out=``), because executors and views hold on to it.
The buffer is always C-contiguous, so executors can take flat views of it.

Indexing follows MXNet 1.x (legacy, non-NumPy mode): basic indexing (ints, slices, ``...``,
``None``) returns a view sharing memory when the selected part is contiguous and a copy
otherwise; a result with no dimension left has shape ``(1,)``; lists, NumPy arrays and NDArrays
trigger advanced indexing, which always copies (boolean arrays count as 0/1 integer indices).
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

import numpy as np

from ..base import MXNetError
from ..context import Context, current_context
from ..dtype import np_dtype
from .. import random as _random
from ..ops.kernel import OpContext
from ..ops.registry import OpDef, fmt_shape, get_op
from ..ops.rules import known

__all__ = ["NDArray", "invoke", "array", "empty", "from_numpy_array"]

#: What MXNet's Python front end treats as a number (``mxnet.base.numeric_types``).
_NUMERIC = (float, int, np.generic)
#: What MXNet's indexing treats as an integer index (``mxnet.base.integer_types``; bool is an int).
_INTEGER = (int, np.int32, np.int64)
#: Index objects that trigger advanced indexing.
_ARRAY_LIKE_INDEX = (np.ndarray, list, tuple, range)


class NDArray:
    """An n-dimensional array on a device context (MXNet ``mx.nd.NDArray``)."""

    __slots__ = ("_data", "_ctx", "__weakref__")
    __array_priority__ = 1000.0

    def __init__(self, data: np.ndarray, ctx: Context | None = None):
        if not isinstance(data, np.ndarray) or not data.flags.c_contiguous:
            raise MXNetError("NDArray needs a C-contiguous numpy buffer")
        self._data = data
        self._ctx = ctx if ctx is not None else current_context()

    # ---- properties ---------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """The dimensions, a tuple of ints (``()`` for a 0-d array)."""
        return self._data.shape

    @property
    def dtype(self) -> type:
        """The element type as a NumPy scalar type (``numpy.float32``), as MXNet returns it."""
        return self._data.dtype.type

    @property
    def size(self) -> int:
        """The number of elements."""
        return self._data.size

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    @property
    def context(self) -> Context:
        """The device context of the array."""
        return self._ctx

    ctx = context

    @property
    def stype(self) -> str:
        """The storage type: always ``'default'`` (dense)."""
        return "default"

    @property
    def writable(self) -> bool:
        """Whether the array may be written: always True in symnet."""
        return True

    @property
    def T(self) -> "NDArray":
        """All axes reversed (a copy, via ``transpose``); the array itself if ``ndim < 2``."""
        if self.ndim < 2:
            return self
        return invoke(get_op("transpose"), [self], {})

    @property
    def handle(self) -> np.ndarray:
        """The underlying NumPy buffer (symnet's stand-in for MXNet's C handle)."""
        return self._data

    # ---- conversion ---------------------------------------------------------------------
    def asnumpy(self) -> np.ndarray:
        """A NumPy copy of the content."""
        return self._data.copy()

    def asscalar(self):
        """The only element, as ``self.asnumpy()[0]`` (1-d) or ``self.asnumpy()[()]``.

        ValueError unless ``size == 1``. As in MXNet, an array of shape ``(1, 1)`` gives a
        NumPy array of that shape rather than a scalar.
        """
        if self.size != 1:
            raise ValueError("The current array is not a scalar")
        if self.ndim == 1:
            return self._data[0]
        return self._data.copy()[()]

    def astype(self, dtype, copy: bool = True) -> "NDArray":
        """A copy cast to ``dtype`` (C casts: floats truncate toward zero when cast to ints).

        With ``copy=False`` and the same dtype, the array itself is returned.
        """
        dt = np_dtype(dtype)
        if not copy and dt == self._data.dtype:
            return self
        with np.errstate(invalid="ignore", over="ignore"):
            return NDArray(self._data.astype(dt), self._ctx)

    def copy(self) -> "NDArray":
        """A copy on the same context."""
        return self.copyto(self._ctx)

    def copyto(self, other: "NDArray | Context"):
        """Copy into ``other`` (an NDArray of the same shape, cast to its dtype) and return it,
        or into a new array on a Context.

        Copying an array to itself warns (RuntimeWarning) and returns False, as MXNet does.
        """
        if isinstance(other, NDArray):
            if other is self or other._data is self._data:
                warnings.warn("You are attempting to copy an array to itself", RuntimeWarning,
                              stacklevel=2)
                return False
            if other.shape != self.shape:
                raise MXNetError("Check failed: assign(&dattr, vec.at(i)): Incompatible attr in "
                                 f"node _copyto at 0-th output: expected {fmt_shape(self.shape)}"
                                 f", got {fmt_shape(other.shape)}")
            with np.errstate(invalid="ignore", over="ignore"):
                np.copyto(other._data, self._data, casting="unsafe")
            return other
        if isinstance(other, Context):
            other.require_cpu()
            return NDArray(self._data.copy(), other)
        raise TypeError(f"copyto does not support type {type(other)}")

    def as_in_context(self, context: Context) -> "NDArray":
        """The array itself if it is on ``context``, else a copy there."""
        if self._ctx == context:
            return self
        return self.copyto(context)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """``np.asarray(x)``: the buffer itself (no copy) unless a copy or cast is asked for.

        (MXNet 1.x has no ``__array__``; NumPy then builds an object array of NDArrays. symnet
        gives the values instead.)
        """
        data = self._data
        if dtype is not None and np.dtype(dtype) != data.dtype:
            if copy is False:
                raise ValueError("cannot cast an NDArray to another dtype without a copy")
            return data.astype(dtype)
        return data.copy() if copy else data

    def wait_to_read(self) -> None:
        """No-op: symnet computes synchronously, so every array is always ready."""

    def wait_to_write(self) -> None:
        """No-op: symnet computes synchronously."""

    def tolist(self) -> list:
        """The content as nested Python lists (symnet convenience; MXNet has no ``tolist``)."""
        return self._data.tolist()

    def __repr__(self) -> str:
        dims = "x".join(str(d) for d in self.shape)
        return f"\n{self._data}\n<{type(self).__name__} {dims} @{self._ctx}>"

    __str__ = __repr__

    def __getstate__(self) -> dict:
        return {"data": self._data}

    def __setstate__(self, state: dict) -> None:
        """Unpickle onto ``cpu(0)``, whatever the context was, as MXNet does."""
        self._data = np.asarray(state["data"], order="C")
        self._ctx = Context("cpu", 0)

    def __copy__(self) -> "NDArray":
        """``copy.copy``: an independent array, as MXNet's pickling-based copy gives."""
        return self.copy()

    def __deepcopy__(self, memo) -> "NDArray":
        return self.copy()

    # ---- reshaping that shares memory ----------------------------------------------------
    def reshape(self, *shape, **kwargs) -> "NDArray":
        """A view with a new shape; accepts MXNet's special codes (0, -1, -2, -3, -4).

        ``x.reshape((2, -1))``, ``x.reshape(2, -1)`` and ``x.reshape(shape=(2, -1),
        reverse=True)`` all work. The result shares memory with ``x``.
        """
        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = shape[0]
        if not shape:
            shape = kwargs.pop("shape")
        reverse = kwargs.pop("reverse", False)
        if kwargs:
            raise TypeError(f"Got unknown keywords in reshape: {', '.join(kwargs)}. "
                            "Accepted keyword arguments are 'shape' and 'reverse'.")
        from ..ops.defs.shape_codes import reshape_target
        target = reshape_target(self.shape, tuple(shape), bool(reverse))
        if int(np.prod(target)) != self.size:
            raise MXNetError(f"cannot reshape array of shape {self.shape} into shape "
                             f"{tuple(shape)}: target {target} has a different size")
        return NDArray(self._data.reshape(target), self._ctx)

    # ---- truthiness, length, iteration ----------------------------------------------------
    def __bool__(self) -> bool:
        if self.size == 0:
            return False
        if self.size == 1:
            return bool(self.asscalar())
        raise ValueError("The truth value of an NDArray with multiple elements is ambiguous.")

    def __len__(self) -> int:
        """The length of the first axis; IndexError for a 0-d array (as in MXNet)."""
        return self.shape[0]

    def __iter__(self):
        for i in range(self.shape[0] if self.ndim else 0):
            yield self[i]

    def __hash__(self) -> int:
        return id(self) // 16

    # ---- indexing -------------------------------------------------------------------------
    def __getitem__(self, key) -> "NDArray":
        """MXNet 1.x indexing: a contiguous basic-indexing result is a view, else a copy.

        Results with no dimensions left (``x[1]`` of a 1-D array) have shape ``(1,)``.
        """
        return _getitem(self, key)

    def __setitem__(self, key, value) -> None:
        """Write into the buffer: ``x[:] = 1``, ``x[1:3] = nd_or_numpy``, ``x[idx] = ...``.

        The value is cast to this array's dtype and broadcast to the indexed shape.
        """
        _setitem(self, key, value)

    # ---- arithmetic -----------------------------------------------------------------------
    def __add__(self, other): return _ufunc(self, other, "broadcast_add", "_plus_scalar")
    def __radd__(self, other): return self.__add__(other)
    def __sub__(self, other): return _ufunc(self, other, "broadcast_sub", "_minus_scalar")
    def __rsub__(self, other):
        return _ufunc(other, self, "broadcast_sub", "_minus_scalar", "_rminus_scalar")
    def __mul__(self, other): return _ufunc(self, other, "broadcast_mul", "_mul_scalar")
    def __rmul__(self, other): return self.__mul__(other)
    def __truediv__(self, other): return _ufunc(self, other, "broadcast_div", "_div_scalar")
    def __rtruediv__(self, other):
        return _ufunc(other, self, "broadcast_div", "_div_scalar", "_rdiv_scalar")
    def __mod__(self, other): return _ufunc(self, other, "broadcast_mod", "_mod_scalar")
    def __rmod__(self, other):
        return _ufunc(other, self, "broadcast_mod", "_mod_scalar", "_rmod_scalar")
    def __pow__(self, other): return _ufunc(self, other, "broadcast_power", "_power_scalar")
    def __rpow__(self, other):
        return _ufunc(other, self, "broadcast_power", "_power_scalar", "_rpower_scalar")
    def __eq__(self, other): return _ufunc(self, other, "broadcast_equal", "_equal_scalar")
    def __ne__(self, other):
        return _ufunc(self, other, "broadcast_not_equal", "_not_equal_scalar")
    def __gt__(self, other): return _ufunc(self, other, "broadcast_greater", "_greater_scalar")
    def __ge__(self, other):
        return _ufunc(self, other, "broadcast_greater_equal", "_greater_equal_scalar")
    def __lt__(self, other): return _ufunc(self, other, "broadcast_lesser", "_lesser_scalar")
    def __le__(self, other):
        return _ufunc(self, other, "broadcast_lesser_equal", "_lesser_equal_scalar")

    __div__, __rdiv__ = __truediv__, __rtruediv__

    def __neg__(self): return invoke(get_op("_mul_scalar"), [self], {"scalar": -1.0})
    def __abs__(self): return invoke(get_op("abs"), [self], {})

    def __iadd__(self, other): return _inplace(self, other, "broadcast_add", "_plus_scalar")
    def __isub__(self, other): return _inplace(self, other, "broadcast_sub", "_minus_scalar")
    def __imul__(self, other): return _inplace(self, other, "broadcast_mul", "_mul_scalar")
    def __itruediv__(self, other):
        return _inplace(self, other, "broadcast_div", "_div_scalar")
    def __imod__(self, other): return _inplace(self, other, "broadcast_mod", "_mod_scalar")
    __idiv__ = __itruediv__


# ---- arithmetic dispatch (MXNet's ``_ufunc_helper``) -------------------------------------
def _ufunc(lhs, rhs, array_op: str, scalar_op: str, rscalar_op: str | None = None,
           both_scalars=None):
    """Dispatch a binary operation on NDArrays and/or numbers as MXNet's ``_ufunc_helper``.

    Two NDArrays use ``array_op`` (broadcasting); an NDArray and a number use ``scalar_op``
    (``rscalar_op`` when the number is on the left and the operation is not commutative), with
    the number passed as a float; two numbers use ``both_scalars``.
    """
    if isinstance(lhs, _NUMERIC):
        if isinstance(rhs, _NUMERIC):
            if both_scalars is None:
                raise TypeError(f"type {type(rhs)} not supported")
            return both_scalars(lhs, rhs)
        _check_array_arg(rhs, "data")
        return invoke(get_op(rscalar_op or scalar_op), [rhs], {"scalar": float(lhs)})
    if isinstance(rhs, _NUMERIC):
        _check_array_arg(lhs, "data")
        return invoke(get_op(scalar_op), [lhs], {"scalar": float(rhs)})
    if isinstance(rhs, NDArray):
        _check_array_arg(lhs, "lhs")
        return invoke(get_op(array_op), [lhs, rhs], {})
    raise TypeError(f"type {type(rhs)} not supported")


def _check_array_arg(value, name: str) -> None:
    if not isinstance(value, NDArray):
        raise AssertionError(f"Argument {name} must have NDArray type, but got {value}")


def _inplace(self: NDArray, other, array_op: str, scalar_op: str) -> NDArray:
    """``self op= other`` written into self's own buffer (views of it see the result)."""
    if isinstance(other, NDArray):
        return invoke(get_op(array_op), [self, other], {}, out=self)
    if isinstance(other, _NUMERIC):
        return invoke(get_op(scalar_op), [self], {"scalar": float(other)}, out=self)
    raise TypeError(f"type {type(other)} not supported")


# ---- indexing (MXNet 1.x legacy semantics) -----------------------------------------------
def _getitem(arr: NDArray, key) -> NDArray:
    """``arr[key]``, taking MXNet's fast paths first (they decide views and error texts)."""
    if isinstance(key, tuple):
        if not key:
            return arr
        if len(key) == arr.ndim and all(isinstance(k, _INTEGER) for k in key):
            out = arr
            for k in key:
                out = _at(out, k)
            return out
    elif isinstance(key, _INTEGER):
        return _at(arr, key)
    elif isinstance(key, slice):
        if key.step is None or key.step == 1:
            if key.start is None and key.stop is None:
                return arr
            return _slice_first_axis(arr, key.start, key.stop)
        if key.step == 0:
            raise ValueError("slice step cannot be zero")
    key = _expand_key(key, arr.shape)
    if not key:
        raise ValueError("indexing key cannot be an empty tuple")
    if _is_advanced(key):
        return _get_advanced(arr, key)
    return _get_basic(arr, key)


def _at(arr: NDArray, idx) -> NDArray:
    """``arr[idx]`` for an integer: a view; shape ``(1,)`` when ``arr`` is 1-D."""
    n = arr.shape[0]  # IndexError for a 0-d array, as in MXNet
    i = int(idx)
    if i > n - 1 or i < -n:
        raise IndexError(f"index {i} is out of bounds for axis 0 with size {n}")
    i = i + n if i < 0 else i
    return NDArray(arr._data[i:i + 1].reshape(arr.shape[1:] or (1,)), arr._ctx)


def _slice_first_axis(arr: NDArray, start, stop) -> NDArray:
    """``arr[start:stop]``: a view; MXNetError if the clipped range is reversed."""
    n = arr.shape[0]
    begin, end = _clip(start, n, 0), _clip(stop, n, n)
    if begin > end:
        raise MXNetError(f"Check failed: begin <= end ({begin} vs. {end}) : Invalid slicing "
                         f"range [{begin}, {end})")
    return NDArray(arr._data[begin:end], arr._ctx)


def _clip(index, n: int, default: int) -> int:
    if index is None:
        return default
    index = int(index)
    return max(index + n, 0) if index < 0 else min(index, n)


def _expand_key(key, shape: tuple) -> tuple:
    """Make implicit axes explicit: ``...`` and missing trailing axes become ``slice(None)``.

    As in MXNet, a Python bool or 0-d boolean NDArray inside a tuple key is dropped, a 0-d
    NDArray is an integer, and a boolean NDArray is refused (legacy mode has no bool indexing).
    """
    items = key if isinstance(key, tuple) else (key,)
    out: list = []
    ellipsis_at = None
    n_none = 0
    for idx in items:
        if idx is Ellipsis:
            if ellipsis_at is not None:
                raise IndexError("Cannot use more than one ellipsis (`...`) for indexing")
            ellipsis_at = len(out)
            continue
        if idx is None:
            n_none += 1
        elif isinstance(idx, bool):
            continue
        elif isinstance(idx, NDArray):
            idx = _ndarray_index(idx, shape, len(out))
            if idx is None:
                continue
        out.append(idx)
    if ellipsis_at is None:
        ellipsis_at = len(out)
    fill = (slice(None),) * (len(shape) + n_none - len(out))
    return tuple(out[:ellipsis_at]) + fill + tuple(out[ellipsis_at:])


def _ndarray_index(idx: NDArray, shape: tuple, axis: int):
    """An NDArray inside a key: an int (0-d), None (0-d bool: dropped) or the array itself."""
    is_bool = idx._data.dtype == np.bool_
    if idx.ndim == 0:
        return None if is_bool else int(idx._data.item())
    if is_bool:
        for i, size in enumerate(idx.shape):
            if axis + i >= len(shape) or shape[axis + i] != size:
                have = shape[axis + i] if axis + i < len(shape) else 0
                raise IndexError(f"boolean index did not match indexed array along axis "
                                 f"{axis + i}; size is {have} but corresponding boolean size "
                                 f"is {size}")
        raise ValueError("Cannot perform boolean indexing in legacy mode. Please activate numpy "
                         "semantics by calling `npx.set_np()` in the global scope before "
                         "calling this function.")
    return idx


def _is_advanced(key: tuple) -> bool:
    """True if any index is array-like; ValueError for an index of an unsupported type."""
    for idx in key:
        if isinstance(idx, (NDArray,) + _ARRAY_LIKE_INDEX):
            return True
        if not (idx is None or isinstance(idx, (slice,) + _INTEGER)):
            raise ValueError(f"NDArray does not support slicing with key {idx} of type "
                             f"{type(idx)}.")
    return False


def _check_basic_key(key_nd: tuple, shape: tuple) -> None:
    if len(key_nd) > len(shape):
        raise IndexError(f"too many indices ({len(key_nd)}) for array with {len(shape)} "
                         "dimensions")
    for axis, (k, n) in enumerate(zip(key_nd, shape)):
        if isinstance(k, _INTEGER) and not -n <= k < n:
            raise IndexError(f"index {k} is out of bounds for axis {axis} with size {n}")


def _get_basic(arr: NDArray, key: tuple) -> NDArray:
    """Ints, slices and None: a view if MXNet finds the selection contiguous, else a copy."""
    shape = arr.shape
    key_nd = tuple(k for k in key if k is not None)
    _check_basic_key(key_nd, shape)
    slices = [_int_to_slice(k, n) if isinstance(k, _INTEGER) else k
              for k, n in zip(key_nd, shape)]
    it = iter(slices)
    view = arr._data[tuple(None if k is None else next(it) for k in key)]
    final = [d for d, k in zip(view.shape, key) if not isinstance(k, _INTEGER)] or [1]
    if not (_is_contiguous(slices, shape) and view.flags.c_contiguous):
        view = view.copy()
    return NDArray(view.reshape(final), arr._ctx)


def _int_to_slice(k, n: int) -> slice:
    k = int(k)
    k = k + n if k < 0 else k
    return slice(k, k + 1)


def _is_contiguous(slices: list, shape: tuple) -> bool:
    """MXNet's rule: scanning from the last axis, once an axis is a proper subset, every
    earlier axis must select at most one element; steps other than 1 break contiguity."""
    ranges = [range(*s.indices(n)) for s, n in zip(slices, shape)]
    if math.prod(len(r) for r in ranges) in (0, 1):
        return True
    subset = False
    for r, n in zip(reversed(ranges), reversed(shape)):
        k = len(r)
        if k > 1 and r.step != 1:
            return False
        if subset and k > 1:
            return False
        subset = subset or k < n
    return True


def _index_array(idx) -> np.ndarray:
    """An advanced index as an int64 array (floats truncate, booleans are 0/1)."""
    if isinstance(idx, range):
        return np.arange(idx.start, idx.stop, idx.step, dtype=np.int64)
    data = idx._data if isinstance(idx, NDArray) else np.asarray(idx)
    with np.errstate(invalid="ignore"):
        return data.astype(np.int64)


def _advanced_numpy_key(key: tuple, ndim: int) -> tuple:
    key_nd = tuple(k for k in key if k is not None)
    if len(key_nd) > ndim:
        raise IndexError(f"too many indices ({len(key_nd)}) for array with {ndim} dimensions")
    return tuple(_index_array(k) if isinstance(k, (NDArray,) + _ARRAY_LIKE_INDEX) else k
                 for k in key_nd)


def _get_advanced(arr: NDArray, key: tuple) -> NDArray:
    """Advanced indexing (always a copy), laid out as MXNet's ``gather_nd`` path does."""
    np_key = _advanced_numpy_key(key, arr.ndim)
    result = arr._data[np_key]
    adv_shape = np.broadcast_shapes(*[(1,) if isinstance(k, _INTEGER) else k.shape
                                      for k in np_key if not isinstance(k, slice)])
    result = _mx_advanced_layout(result, key, len(adv_shape))
    return NDArray(np.asarray(result, order="C"), arr._ctx)


def _mx_advanced_layout(result: np.ndarray, key: tuple, adv_ndim: int) -> np.ndarray:
    """Move NumPy's advanced block and insert ``None`` axes where MXNet puts them.

    MXNet judges whether the advanced indices are adjacent with the ``None`` entries still in
    the key (NumPy without them), and places new axes by counting non-advanced entries.
    """
    adv = [i for i, k in enumerate(key) if k is not None and not isinstance(k, slice)]
    mx_adjacent = all(b - a == 1 for a, b in zip(adv, adv[1:]))
    key_nd = [k for k in key if k is not None]
    adv_nd = [i for i, k in enumerate(key_nd) if not isinstance(k, slice)]
    np_adjacent = all(b - a == 1 for a, b in zip(adv_nd, adv_nd[1:]))
    if np_adjacent and not mx_adjacent and adv_nd[0] > 0:
        block = list(range(adv_nd[0], adv_nd[0] + adv_ndim))
        result = np.moveaxis(result, block, list(range(adv_ndim)))
    new_axes = [i for i, k in enumerate(key) if k is None]
    if new_axes:
        adv_set = set(adv)
        steps = [0 if mx_adjacent else adv_ndim] + [0 if i in adv_set else 1
                                                     for i in range(len(key))]
        positions = np.cumsum(steps)[new_axes]
        shape = list(result.shape)
        for axis in positions:
            shape.insert(int(axis), 1)
        result = result.reshape(shape)
    return result


def _setitem(arr: NDArray, key, value) -> None:
    """``arr[key] = value`` in place: cast to arr's dtype, broadcast to the indexed shape."""
    if arr.ndim == 0:
        _set_0d(arr, key, value)
        return
    if arr.size == 0:
        return
    key = _expand_key(key, arr.shape)
    if _is_advanced(key):
        np_key = _advanced_numpy_key(key, arr.ndim)
        target = arr._data[np_key].shape
    else:
        np_key = tuple(k for k in key if k is not None)
        _check_basic_key(np_key, arr.shape)
        target = np.shape(arr._data[np_key])
    values = _fit_value(_value_array(arr, value), target)
    arr._data[np_key] = values


def _value_array(arr: NDArray, value) -> np.ndarray:
    """The value to store, as an array of ``arr``'s dtype (numbers go through a double)."""
    dtype = arr._data.dtype
    if isinstance(value, NDArray):
        data = value._data
    elif isinstance(value, _NUMERIC):
        data = np.array(float(value))
    elif isinstance(value, np.ndarray):
        data = value
    else:
        try:
            data = np.array(value, dtype=dtype)
        except Exception:  # noqa: BLE001 - anything NumPy cannot read is refused alike
            raise TypeError(f"{NDArray} does not support assignment with non-array-like "
                            f"object {value} of type {type(value)}") from None
    with np.errstate(invalid="ignore", over="ignore"):
        return data.astype(dtype, copy=False)


def _fit_value(value: np.ndarray, target: tuple) -> np.ndarray:
    """Drop extra leading 1-dims of ``value`` and broadcast it to ``target`` (ValueError)."""
    while value.ndim > len(target) and value.shape[0] == 1:
        value = value.reshape(value.shape[1:])
    try:
        return np.broadcast_to(value, target)
    except ValueError:
        raise ValueError("operands could not be broadcast together with remapped shapes"
                         f"[original->remapped]: {value.shape} and requested shape "
                         f"{tuple(target)}") from None


def _set_0d(arr: NDArray, key, value) -> None:
    """Assignment into a 0-d array: only ``x[()]`` and ``x[:]``, from one element."""
    if not isinstance(key, (tuple, slice)) or (isinstance(key, tuple) and key):
        raise IndexError("scalar tensor can only accept `()` and `:` as index")
    is_one = isinstance(value, (NDArray, np.ndarray)) and value.size == 1
    if not (is_one or isinstance(value, _NUMERIC)):
        raise ValueError("setting an array element with a sequence.")
    arr._data[()] = _value_array(arr, value).reshape(())


def _output_context(inputs: Sequence[NDArray], params) -> Context:
    if inputs:
        return inputs[0]._ctx
    ctx = params.get("ctx")
    if isinstance(ctx, Context):
        return ctx
    if isinstance(ctx, str) and ctx:
        name, _, rest = ctx.partition("(")
        return Context(name, int(rest.rstrip(")") or 0))
    return current_context()


_IMPERATIVE_CTX = OpContext(is_train=False)


def _op_context() -> OpContext:
    """The context for imperative calls: not training, the global random generator."""
    _IMPERATIVE_CTX.rng = _random.generator()
    return _IMPERATIVE_CTX


def invoke(op: OpDef, inputs: Sequence[NDArray], attrs: dict[str, Any], out=None,
           name: str = ""):
    """Run one operator imperatively: parse, infer shape and type, allocate, call the kernel.

    Returns one NDArray, or a list when the op has several visible outputs. With ``out=``
    the results are written into the given arrays, whose shapes and dtypes take part in
    inference exactly like a bound output would, and ``out`` is returned. Parsing and
    inference results are cached per (op, attributes, input shapes and dtypes).
    """
    for i, x in enumerate(inputs):
        if not isinstance(x, NDArray):
            raise TypeError(f"{op.name}: input {i} must be an NDArray, got {type(x).__name__}")
    datas = [x._data for x in inputs]
    given = [out] if type(out) is NDArray else _given_outputs(op, out)
    params, out_shapes, out_types, visible = _prepare(op, attrs, name, datas, given)
    ctx = inputs[0]._ctx if inputs else _output_context(inputs, params)
    if ctx.device_typeid == 2:
        ctx.require_cpu(f"the output of {op.name}")
    outs = [o._data for o in given]
    results = []
    if len(out_shapes) > len(outs):  # outputs not given in out=
        results = [NDArray(np.empty(s, dtype=t), ctx)
                   for s, t in zip(out_shapes[len(outs):], out_types[len(outs):])]
        outs += [r._data for r in results]
    op.forward(params, _op_context(), datas, _WRITE[len(outs)], outs)
    if out is not None:
        return out
    return results[0] if visible == 1 else results[:visible]


class _WriteReqs(dict):
    """``["write"] * n`` per output count, built once (kernels never mutate ``req``)."""

    def __missing__(self, n: int) -> list[str]:
        self[n] = ["write"] * n
        return self[n]


_WRITE = _WriteReqs()


_PREPARED: dict = {}
_PLAIN = (str, int, bool, type(None))


def _attrs_key(attrs: dict) -> tuple:
    """An exact cache key: values that compare equal in Python but parse differently
    (-0.0 and 0.0, (2.0, 3) and (2, 3), 1 and True) get different keys. Values of other
    types raise TypeError, which turns caching off for the call."""
    key = []
    for k, v in attrs.items():
        kind = type(v)
        if kind in _PLAIN or (kind is float and v):  # nonzero floats: equal iff same value
            key.append((k, kind, v))
        elif kind in (float, tuple, list) or isinstance(v, (np.generic, np.dtype, type)):
            key.append((k, kind, repr(v)))
        else:
            raise TypeError(kind)
    return tuple(key)


def _prepare(op: OpDef, attrs: dict, name: str, datas: list, given: list):
    """Parsed params, output shapes/dtypes and the visible count (cached when hashable)."""
    try:
        key = (op, _attrs_key(attrs), tuple([(d.shape, d.dtype) for d in datas]),
               tuple([(o._data.shape, o._data.dtype) for o in given]))
        hit = _PREPARED.get(key)
    except TypeError:  # unhashable attribute values: no caching
        key, hit = None, None
    if hit is not None:
        return hit
    params = op.parse(attrs, name)
    n_out = op.num_outputs(params)
    visible = op.visible_outputs(params)
    if given and len(given) != visible:
        raise MXNetError(f"{op.name}: expected {visible} output arrays in out=, "
                         f"got {len(given)}")
    out_shapes = [o.shape for o in given] + [None] * (n_out - len(given))
    out_types = [o._data.dtype for o in given] + [None] * (n_out - len(given))
    where = name or op.name
    _, out_shapes = op.shapes(params, [d.shape for d in datas], out_shapes, where)
    _, out_types = op.types(params, [d.dtype for d in datas], out_types, where)
    for j, shape in enumerate(out_shapes):
        if not known(shape):
            raise MXNetError(f"Operator {where} cannot infer the shape of output {j}: "
                             f"got {shape}")
    result = (params, out_shapes, out_types, visible)
    if key is not None:
        if len(_PREPARED) > 4096:
            _PREPARED.clear()
        _PREPARED[key] = result
    return result


def _given_outputs(op: OpDef, out) -> list:
    if out is None:
        return []
    if type(out) is NDArray:
        return [out]
    given = list(out) if isinstance(out, (list, tuple)) else [out]
    for o in given:
        if not isinstance(o, NDArray):
            raise TypeError(f"out must be NDArray, got {type(o).__name__}")
    return given


def array(source_array, ctx: Context | None = None, dtype=None) -> NDArray:
    """Create an NDArray from a list, tuple, NumPy array, scalar or NDArray (always a copy).

    The dtype is ``dtype`` if given, else the source's dtype for an NDArray, else float32
    (MXNet 1.x: also for NumPy arrays of any dtype). TypeError for what is not array-like.
    """
    ctx = ctx if ctx is not None else current_context()
    ctx.require_cpu()
    if isinstance(source_array, NDArray):
        dt = np_dtype(dtype, source_array._data.dtype)
        source_array = source_array._data
    else:
        dt = np_dtype(dtype)
        if not isinstance(source_array, np.ndarray):
            try:
                with np.errstate(invalid="ignore", over="ignore"):
                    return NDArray(np.array(source_array, dtype=dt, order="C"), ctx)
            except Exception:  # noqa: BLE001 - MXNet maps every failure to this TypeError
                raise TypeError("source_array must be array like object") from None
    with np.errstate(invalid="ignore", over="ignore"):
        data = np.array(source_array, dtype=dt, order="C", copy=True)
    return NDArray(data, ctx)


def from_numpy_array(data: np.ndarray, ctx: Context | None = None) -> NDArray:
    """Wrap a C-contiguous NumPy array without copying (used by loaders and executors)."""
    return NDArray(np.asarray(data, order="C"), ctx)


def empty(shape, ctx: Context | None = None, dtype=None) -> NDArray:
    """An uninitialised array (MXNet ``nd.empty``)."""
    ctx = ctx if ctx is not None else current_context()
    ctx.require_cpu()
    if isinstance(shape, int):
        shape = (shape,)
    return NDArray(np.empty(tuple(shape), dtype=np_dtype(dtype)), ctx)
