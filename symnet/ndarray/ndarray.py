"""The NDArray: a handle to a fixed NumPy buffer, with MXNet 1.x semantics.

Invariant: an NDArray never rebinds its buffer once created. Every update writes into the
existing memory (``a[:] = x``, ``a += 1``, ``out=``), because executors and views hold on to it.
The buffer is always C-contiguous, so executors can take flat views of it.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..base import MXNetError, numeric_types
from ..context import Context, current_context
from ..dtype import np_dtype
from ..ops.kernel import OpContext
from ..ops.registry import OpDef, get_op
from ..ops.rules import known

__all__ = ["NDArray", "invoke", "array", "empty", "from_numpy_array"]

_SCALARS = (int, float, bool, np.number, np.bool_)


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
        return self._data.shape

    @property
    def dtype(self) -> type:
        """The element type as a NumPy scalar type (``numpy.float32``), as MXNet returns it."""
        return self._data.dtype.type

    @property
    def size(self) -> int:
        return self._data.size

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def context(self) -> Context:
        return self._ctx

    ctx = context

    @property
    def stype(self) -> str:
        return "default"

    @property
    def T(self) -> "NDArray":
        if self.ndim != 2:
            raise ValueError("Only 2D matrix is allowed to be transposed")
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
        """The only element as a NumPy scalar; ValueError unless ``size == 1``."""
        if self.size != 1:
            raise ValueError("The current array is not a scalar")
        return self._data.reshape(-1)[0]

    def astype(self, dtype, copy: bool = True) -> "NDArray":
        dt = np_dtype(dtype)
        if not copy and dt == self._data.dtype:
            return self
        return NDArray(self._data.astype(dt), self._ctx)

    def copy(self) -> "NDArray":
        return NDArray(self._data.copy(), self._ctx)

    def copyto(self, other: "NDArray | Context") -> "NDArray":
        """Copy into ``other`` (an NDArray of the same shape) or onto a new array on a Context."""
        if isinstance(other, NDArray):
            if other is self:
                return other
            if other.shape != self.shape:
                raise MXNetError(f"copyto: shape mismatch, source {self.shape} "
                                 f"target {other.shape}")
            np.copyto(other._data, self._data, casting="unsafe")
            return other
        if isinstance(other, Context):
            other.require_cpu()
            return NDArray(self._data.copy(), other)
        raise TypeError(f"copyto does not support type {type(other)}")

    def as_in_context(self, context: Context) -> "NDArray":
        if context == self._ctx:
            return self
        return self.copyto(context)

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def wait_to_read(self) -> None:
        """No-op: symnet computes synchronously, so every array is always ready."""

    def wait_to_write(self) -> None:
        """No-op: symnet computes synchronously."""

    def tolist(self) -> list:
        return self._data.tolist()

    def __repr__(self) -> str:
        dims = "x".join(str(d) for d in self.shape)
        return f"\n{self._data}\n<NDArray {dims} @{self._ctx}>"

    __str__ = __repr__

    def __getstate__(self):
        return {"data": self._data, "ctx": (self._ctx.device_typeid, self._ctx.device_id)}

    def __setstate__(self, state):
        self._data = np.ascontiguousarray(state["data"])
        self._ctx = Context(*state["ctx"])

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
            return bool(self._data.reshape(-1)[0])
        raise ValueError("The truth value of an NDArray with multiple elements is ambiguous.")

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        for i in range(self.shape[0] if self.ndim else 0):
            yield self[i]

    __hash__ = object.__hash__

    # ---- indexing -------------------------------------------------------------------------
    def __getitem__(self, key) -> "NDArray":
        """MXNet 1.x indexing: a contiguous basic-indexing result is a view, else a copy.

        Results with no dimensions left (``x[1]`` of a 1-D array) have shape ``(1,)``.
        """
        key = _index_key(key)
        result = self._data[key]
        if result.ndim == 0:
            result = result.reshape(1)
        if not (np.shares_memory(result, self._data) and result.flags.c_contiguous):
            result = np.ascontiguousarray(result)
        return NDArray(result, self._ctx)

    def __setitem__(self, key, value) -> None:
        """Write into the buffer: ``x[:] = 1``, ``x[1:3] = nd_or_numpy``, ``x[idx] = ...``."""
        key = _index_key(key)
        if isinstance(value, NDArray):
            value = value._data
        elif not isinstance(value, _SCALARS + (np.ndarray, list, tuple)):
            raise TypeError(f"NDArray does not support assignment with {type(value)}")
        try:
            self._data[key] = value
        except (ValueError, IndexError) as err:
            raise MXNetError(f"cannot assign a value of shape {np.shape(value)} to index "
                             f"{key!r} of an NDArray of shape {self.shape}: {err}") from None

    # ---- arithmetic -----------------------------------------------------------------------
    def __add__(self, other): return _binary(self, other, "broadcast_add", "_plus_scalar")
    def __radd__(self, other): return _binary(self, other, None, "_plus_scalar")
    def __sub__(self, other): return _binary(self, other, "broadcast_sub", "_minus_scalar")
    def __rsub__(self, other): return _binary(self, other, None, "_rminus_scalar")
    def __mul__(self, other): return _binary(self, other, "broadcast_mul", "_mul_scalar")
    def __rmul__(self, other): return _binary(self, other, None, "_mul_scalar")
    def __truediv__(self, other): return _binary(self, other, "broadcast_div", "_div_scalar")
    def __rtruediv__(self, other): return _binary(self, other, None, "_rdiv_scalar")
    def __mod__(self, other): return _binary(self, other, "broadcast_mod", "_mod_scalar")
    def __rmod__(self, other): return _binary(self, other, None, "_rmod_scalar")
    def __pow__(self, other): return _binary(self, other, "broadcast_power", "_power_scalar")
    def __rpow__(self, other): return _binary(self, other, None, "_rpower_scalar")
    def __eq__(self, other): return _compare(self, other, "broadcast_equal", "_equal_scalar")
    def __ne__(self, other):
        return _compare(self, other, "broadcast_not_equal", "_not_equal_scalar")
    def __gt__(self, other): return _binary(self, other, "broadcast_greater", "_greater_scalar")
    def __ge__(self, other):
        return _binary(self, other, "broadcast_greater_equal", "_greater_equal_scalar")
    def __lt__(self, other): return _binary(self, other, "broadcast_lesser", "_lesser_scalar")
    def __le__(self, other):
        return _binary(self, other, "broadcast_lesser_equal", "_lesser_equal_scalar")

    __div__, __rdiv__ = __truediv__, __rtruediv__

    def __neg__(self): return invoke(get_op("_mul_scalar"), [self], {"scalar": -1.0})
    def __pos__(self): return self
    def __abs__(self): return invoke(get_op("abs"), [self], {})

    def __iadd__(self, other): return _binary(self, other, "broadcast_add", "_plus_scalar", self)
    def __isub__(self, other):
        return _binary(self, other, "broadcast_sub", "_minus_scalar", self)
    def __imul__(self, other): return _binary(self, other, "broadcast_mul", "_mul_scalar", self)
    def __itruediv__(self, other):
        return _binary(self, other, "broadcast_div", "_div_scalar", self)
    def __imod__(self, other): return _binary(self, other, "broadcast_mod", "_mod_scalar", self)
    __idiv__ = __itruediv__


def _index_key(key):
    """Convert NDArray indices to NumPy ones and check the key's type."""
    if isinstance(key, NDArray):
        return key._data.astype(np.int64)
    if isinstance(key, tuple):
        return tuple(_index_key(k) for k in key)
    if isinstance(key, np.ndarray) and key.dtype.kind == "f":
        return key.astype(np.int64)
    return key


def _binary(lhs: NDArray, rhs, array_op: str | None, scalar_op: str, out=None):
    if isinstance(rhs, NDArray) and array_op is not None:
        return invoke(get_op(array_op), [lhs, rhs], {}, out=out)
    if isinstance(rhs, _SCALARS):
        return invoke(get_op(scalar_op), [lhs], {"scalar": rhs}, out=out)
    raise TypeError(f"type {type(rhs)} not supported")


def _compare(lhs: NDArray, rhs, array_op: str, scalar_op: str):
    if rhs is None:
        return array_op == "broadcast_not_equal"
    return _binary(lhs, rhs, array_op, scalar_op)


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


def _op_context() -> OpContext:
    from .. import random as _random
    return OpContext(is_train=False, rng=_random.generator())


def invoke(op: OpDef, inputs: Sequence[NDArray], attrs: dict[str, Any], out=None,
           name: str = ""):
    """Run one operator imperatively: parse, infer shape and type, allocate, call the kernel.

    Returns one NDArray, or a list when the op has several visible outputs. With ``out=``
    the results are written into the given arrays, whose shapes and dtypes take part in
    inference exactly like a bound output would, and ``out`` is returned.
    """
    params = op.parse(attrs, name)
    for i, x in enumerate(inputs):
        if not isinstance(x, NDArray):
            raise TypeError(f"{op.name}: input {i} must be an NDArray, got {type(x).__name__}")
    n_out = op.num_outputs(params)
    visible = op.visible_outputs(params)
    given = _given_outputs(op, out, visible)
    out_shapes = [o.shape for o in given] + [None] * (n_out - len(given))
    out_types = [o._data.dtype for o in given] + [None] * (n_out - len(given))
    where = name or op.name
    _, out_shapes = op.shapes(params, [x.shape for x in inputs], out_shapes, where)
    _, out_types = op.types(params, [x._data.dtype for x in inputs], out_types, where)
    for j, shape in enumerate(out_shapes):
        if not known(shape):
            raise MXNetError(f"Operator {where} cannot infer the shape of output {j}: "
                             f"got {shape}")
    ctx = _output_context(inputs, params)
    ctx.require_cpu(f"the output of {op.name}")
    outs = list(given) + [NDArray(np.empty(s, dtype=t), ctx)
                          for s, t in zip(out_shapes[len(given):], out_types[len(given):])]
    op.forward(params, _op_context(), [x._data for x in inputs],
               ["write"] * n_out, [o._data for o in outs])
    if out is not None:
        return out
    return outs[0] if visible == 1 else outs[:visible]


def _given_outputs(op: OpDef, out, visible: int) -> list:
    if out is None:
        return []
    given = list(out) if isinstance(out, (list, tuple)) else [out]
    if len(given) != visible:
        raise MXNetError(f"{op.name}: expected {visible} output arrays in out=, got {len(given)}")
    for o in given:
        if not isinstance(o, NDArray):
            raise TypeError(f"out must be NDArray, got {type(o).__name__}")
    return given


def array(source_array, ctx: Context | None = None, dtype=None) -> NDArray:
    """Create an NDArray from a list, tuple, NumPy array, scalar or NDArray (copied).

    The dtype is ``dtype`` if given, else the source's dtype for an NDArray, else float32
    (MXNet 1.x: also for NumPy integer arrays).
    """
    ctx = ctx if ctx is not None else current_context()
    ctx.require_cpu()
    if isinstance(source_array, NDArray):
        dt = np_dtype(dtype, source_array._data.dtype)
        source_array = source_array._data
    else:
        dt = np_dtype(dtype)
    data = np.array(source_array, dtype=dt, order="C", copy=True)
    return NDArray(data, ctx)


def from_numpy_array(data: np.ndarray, ctx: Context | None = None) -> NDArray:
    """Wrap a C-contiguous NumPy array without copying (used by loaders and executors)."""
    return NDArray(np.ascontiguousarray(data), ctx)


def empty(shape, ctx: Context | None = None, dtype=None) -> NDArray:
    """An uninitialised array (MXNet ``nd.empty``)."""
    ctx = ctx if ctx is not None else current_context()
    ctx.require_cpu()
    if isinstance(shape, int):
        shape = (shape,)
    return NDArray(np.empty(tuple(shape), dtype=np_dtype(dtype)), ctx)
