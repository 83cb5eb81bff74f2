"""``Symbol.bind``, ``Symbol.simple_bind`` and ``Symbol.eval`` (MXNet 1.x semantics).

``bind`` takes the caller's NDArrays as they are (no copies). ``simple_bind`` infers every shape
and dtype from the given input shapes and allocates zero-filled arrays, reusing memory from
``shared_buffer`` / ``shared_exec`` the way MXNet 1.9.1 does; any failure inside it is re-raised
as ``RuntimeError("simple_bind error. Arguments:\\n...")``.
"""
from __future__ import annotations

import numpy as np

from ..base import MXNetError
from ..context import Context, current_context
from ..dtype import FLAG_TO_DTYPE, np_dtype
from ..executor import Executor
from ..graph.infer import infer_shapes, infer_types
from ..ndarray.ndarray import NDArray
from ..ops.rules import known as is_known

__all__ = ["bind", "simple_bind", "eval_symbol"]

_GRAD_REQ = {"null": 0, "write": 1, "add": 3}
_NDARRAYS_ONLY = "Only accept list of NDArrays or dict of str to NDArray"


# ---- bind --------------------------------------------------------------------------------
def _ndarray_inputs(what: str, values, names: list[str], allow_missing: bool) -> list:
    """MXNet's ``_get_ndarray_inputs``: a list in ``names`` order, or a dict by name."""
    if isinstance(values, list):
        if len(values) != len(names):
            raise ValueError(f"Length of {what} does not match the number of arguments")
        for value in values:
            if not (value is None and allow_missing) and not isinstance(value, NDArray):
                raise TypeError(_NDARRAYS_ONLY)
        return list(values)
    if isinstance(values, dict):
        out = []
        for name in names:
            if name in values:
                if not isinstance(values[name], NDArray):
                    raise TypeError(_NDARRAYS_ONLY)
                out.append(values[name])
            elif allow_missing:
                out.append(None)
            else:
                raise ValueError(f"key `{name}` is missing in `{what}`")
        return out
    raise TypeError(_NDARRAYS_ONLY)


def _bind_reqs(names: list[str], grad_req) -> list[str]:
    """``grad_req`` as one string per argument (a bad entry is a KeyError, as in MXNet)."""
    if isinstance(grad_req, str):
        if grad_req not in _GRAD_REQ:
            raise ValueError(f"grad_req must be in {_GRAD_REQ}")
        return [grad_req] * len(names)
    if isinstance(grad_req, (list, tuple)):
        reqs = list(grad_req)
        if len(reqs) != len(names):  # MXNet reads past the list here; refuse instead
            raise MXNetError("The length of grad_req list does not match the number of input "
                             f"arguments in bind, expected {len(names)}, provided {len(reqs)}")
    elif isinstance(grad_req, dict):
        reqs = [grad_req.get(n, "null") for n in names]
    else:
        raise TypeError(f"grad_req must be a str, list or dict, got {type(grad_req).__name__}")
    for r in reqs:
        if r not in _GRAD_REQ:
            raise KeyError(r)
    return reqs


def _check_unique(names: list[str]) -> None:
    if len(set(names)) != len(names):
        raise MXNetError(f"Check failed: arg_names.size() == in_args_map.size() "
                         f"({len(names)} vs. {len(set(names))}) : argument names are not "
                         f"unique: {names}")


def bind(sym, ctx: Context, args, args_grad=None, grad_req="write", aux_states=None,
         group2ctx=None, shared_exec=None) -> Executor:
    """Bind arrays to the symbol's arguments; the given NDArrays are used without copying."""
    if not isinstance(ctx, Context):
        raise TypeError("Context type error")
    arg_names, aux_names = sym.list_arguments(), sym.list_auxiliary_states()
    args_list = _ndarray_inputs("args", args, arg_names, False)
    grads = [None] * len(arg_names) if args_grad is None else \
        _ndarray_inputs("args_grad", args_grad, arg_names, True)
    aux = _ndarray_inputs("aux_states", [] if aux_states is None else aux_states, aux_names,
                          False)
    reqs = _bind_reqs(arg_names, grad_req)
    _check_unique(arg_names)
    return Executor(sym, ctx, args_list, grads, reqs, aux, group2ctx,
                    grads_given=args_grad is not None)


# ---- simple_bind ---------------------------------------------------------------------------
def _check_simple_bind_args(grad_req, shared_arg_names, shared_buffer) -> None:
    """The checks MXNet makes in Python, before (and outside) the wrapped C call."""
    if isinstance(grad_req, list) and not grad_req:
        raise RuntimeError("grad_req in simple_bind cannot be an empty list")
    if isinstance(grad_req, dict) and not grad_req:
        raise RuntimeError("grad_req in simple_bind cannot be an empty dict")
    if shared_arg_names is not None and not isinstance(shared_arg_names, list):
        raise ValueError("shared_arg_names in simple_bind must be a list or None")
    if shared_buffer is not None and not isinstance(shared_buffer, dict):
        raise ValueError("shared_buffer in simple_bind must be dict or None")


def _simple_bind_reqs(names: list[str], grad_req) -> list[str]:
    if isinstance(grad_req, str):
        reqs, given = [grad_req] * len(names), [grad_req]
    elif isinstance(grad_req, (list, tuple)):
        if len(grad_req) != len(names):
            raise MXNetError("The length of grad_req list does not match the number of input "
                             f"arguments in simple_bind, expected {len(names)}, provided "
                             f"{len(grad_req)}")
        reqs = given = list(grad_req)
    elif isinstance(grad_req, dict):
        reqs, given = [grad_req.get(n, "null") for n in names], list(grad_req.values())
    else:
        raise TypeError(f"grad_req must be a str, list or dict, got {type(grad_req).__name__}")
    for r in given:
        if r not in _GRAD_REQ:
            raise MXNetError(f"grad_req={r} is not a valid input in simple_bind; only 'null', "
                             "'write', and 'add' are supported")
    return reqs


def simple_bind(sym, ctx: Context | None = None, grad_req="write", type_dict=None,
                stype_dict=None, group2ctx=None, shared_arg_names=None, shared_exec=None,
                shared_buffer=None, **kwargs) -> Executor:
    """Infer all shapes and types from the given input shapes (only tuple values count),
    allocate zero-filled arrays for arguments, gradients and aux states, and bind."""
    ctx = ctx or current_context()
    _check_simple_bind_args(grad_req, shared_arg_names, shared_buffer)
    try:
        return _simple_bind(sym, ctx, grad_req, type_dict, group2ctx, shared_arg_names,
                            shared_exec, shared_buffer, kwargs)
    except MXNetError as err:
        given = "".join(f"{k}: {v}\n" for k, v in kwargs.items())
        raise RuntimeError(f"simple_bind error. Arguments:\n{given}{err}") from None


def _simple_bind(sym, ctx, grad_req, type_dict, group2ctx, shared_arg_names, shared_exec,
                 shared_buffer, kwargs) -> Executor:
    names = sym.list_arguments()
    reqs = _simple_bind_reqs(names, grad_req)
    shapes = {k: v for k, v in kwargs.items() if isinstance(v, tuple)}
    arg_shapes, aux_shapes, arg_types, aux_types = _infer(sym, shapes, type_dict)
    if len(set(names)) != len(names):
        raise MXNetError("Input argument NDArray cannot be un-allocated (argument names are "
                         f"not unique: {names})")
    arg_ctx = _contexts(sym, ctx, group2ctx)
    share = _Sharing(shared_exec, shared_arg_names, shared_buffer)
    args, grads = [], []
    for n, s, t, r, c in zip(names, arg_shapes, arg_types, reqs, arg_ctx):
        args.append(share.argument(n, s, t, c))
        grads.append(None if r == "null" else share.gradient(n, s, t, c))
    aux = [share.aux(n, s, t, ctx) for n, s, t in
           zip(sym.list_auxiliary_states(), aux_shapes, aux_types)]
    return Executor(sym, ctx, args, grads, reqs, aux, group2ctx)


def _contexts(sym, ctx: Context, group2ctx) -> list[Context]:
    """Each argument's context: its ``__ctx_group__`` mapped by ``group2ctx``, else ``ctx``."""
    if not group2ctx:
        return [ctx] * len(sym.list_arguments())
    attrs = sym.attr_dict()
    return [group2ctx.get(attrs.get(n, {}).get("__ctx_group__"), ctx)
            for n in sym.list_arguments()]


# ---- inference -----------------------------------------------------------------------------
def _infer(sym, shapes: dict, type_dict) -> tuple:
    """Shapes and dtypes of all arguments and aux states, or MXNet's 'cannot decide' error."""
    from .symbol import _shape_from_attr, _variable_hints
    idx = sym._index()
    by_name: dict[str, list[int]] = {}
    for nid in idx.variable_ids():
        by_name.setdefault(idx.nodes[nid].name, []).append(idx.entry_id(nid))
    known_s = _variable_hints(idx, "__shape__", _shape_from_attr)
    for name, shape in shapes.items():
        if shape:  # () means unknown, as in MXNet's legacy shape semantics
            for e in by_name.get(name, []):
                known_s[e] = tuple(None if d == 0 else int(d) for d in shape)
    known_t = _variable_hints(idx, "__dtype__", lambda t: FLAG_TO_DTYPE[int(t)])
    if type_dict is None:
        type_dict = _default_types(idx)
    for name, dtype in type_dict.items():
        for e in by_name.get(name, []):
            known_t[e] = np_dtype(dtype)
    shapes_all, types_all = infer_shapes(idx, known_s), infer_types(idx, known_t)
    arg_e = [idx.entry_id(n) for n in idx.argument_ids()]
    aux_e = [idx.entry_id(n) for n in idx.aux_ids()]
    _undecided(idx, shapes_all, types_all, arg_e)
    return ([shapes_all[e] for e in arg_e], [shapes_all[e] for e in aux_e],
            [types_all[e] for e in arg_e], [types_all[e] for e in aux_e])


def _default_types(idx) -> dict:
    """MXNet's default ``type_dict``: float32 for every argument without a ``__dtype__``."""
    return {idx.nodes[n].name: "float32" for n in idx.argument_ids()
            if "__dtype__" not in idx.nodes[n].attrs}


def _undecided(idx, shapes: list, types: list, arg_entries: list[int]) -> None:
    names = [idx.nodes[n].name for n in idx.argument_ids()]
    bad = [(n, shapes[e]) for n, e in zip(names, arg_entries) if not is_known(shapes[e])]
    if bad:
        rows = "".join(f"{n}: {_fmt_partial(s)}, " for n, s in bad)
        raise MXNetError("InferShape pass cannot decide shapes for the following arguments "
                         "(-1 means unknown dimensions). Please consider providing them as "
                         f"inputs:\n{rows}\n")
    bad_t = [n for n, e in zip(names, arg_entries) if types[e] is None]
    if bad_t:
        rows = "".join(f"{n}: -1, " for n in bad_t)
        raise MXNetError("InferType pass cannot decide dtypes for the following arguments (-1 "
                         "means unknown dtype). Please consider providing them as inputs:\n"
                         f"{rows}\n")
    for e in range(idx.num_entries):
        if not is_known(shapes[e]) or types[e] is None:
            raise MXNetError(f"Cannot infer the shape or dtype of entry {e}: "
                             f"shape {shapes[e]}, dtype {types[e]}")


def _fmt_partial(shape) -> str:
    if not shape:
        return "None"
    return "[" + ",".join("-1" if d is None else str(d) for d in shape) + "]"


# ---- memory sharing ----------------------------------------------------------------------
class _Sharing:
    """Where simple_bind's arrays come from (MXNet 1.9.1, checked against it):

    * without ``shared_buffer`` every array is new (``shared_exec`` then only shares MXNet's
      internal memory pool, which symnet does not model);
    * with ``shared_buffer``: arguments named in ``shared_arg_names`` (and their gradients) are
      ``shared_exec``'s arrays, which must have exactly the inferred shape and dtype (new ones
      if there is no ``shared_exec``); aux states are ``shared_exec``'s; every other argument
      and gradient (key ``'grad of <name>'``) reuses the buffer's array of that name, a view of
      its leading memory when smaller, or a new zero array that replaces it in the buffer.
    """

    def __init__(self, shared_exec, shared_arg_names, shared_buffer):
        self.buffer = shared_buffer
        self.exec = shared_exec if shared_buffer is not None else None
        self.names = set(shared_arg_names or []) if shared_buffer is not None else set()

    def argument(self, name: str, shape, dtype, ctx) -> NDArray:
        if name in self.names:
            if self.exec is None:
                return _zeros(shape, dtype, ctx)
            return _exact(self.exec.arg_dict[name], shape, dtype, name, "arg_array")
        return self._buffered(name, shape, dtype, ctx)

    def gradient(self, name: str, shape, dtype, ctx) -> NDArray:
        if name in self.names:
            grads = self.exec.grad_dict if self.exec is not None and \
                self.exec.grad_arrays is not None else {}
            if grads.get(name) is None:
                return _zeros(shape, dtype, ctx)
            return _exact(grads[name], shape, dtype, name, "grad_array")
        return self._buffered(f"grad of {name}", shape, dtype, ctx)

    def aux(self, name: str, shape, dtype, ctx) -> NDArray:
        if self.exec is None:
            return _zeros(shape, dtype, ctx)
        return _exact(self.exec.aux_dict[name], shape, dtype, name, "aux_array")

    def _buffered(self, key: str, shape, dtype, ctx) -> NDArray:
        if self.buffer is None:
            return _zeros(shape, dtype, ctx)
        source = self.buffer.get(key)
        if source is not None:
            if np.dtype(source.dtype) != np.dtype(dtype):
                raise MXNetError("Check failed: it->second.dtype() == dest_arg_dtype : "
                                 "Requested arg array's dtype does not match that of the "
                                 "reusable ndarray")
            size = int(np.prod(shape, dtype=np.int64))
            if size <= source.size:
                return NDArray(source._data.reshape(-1)[:size].reshape(shape), ctx)
        array = _zeros(shape, dtype, ctx)
        self.buffer[key] = array
        return array


def _zeros(shape, dtype, ctx) -> NDArray:
    return NDArray(np.zeros(shape, dtype), ctx)


def _exact(array: NDArray, shape, dtype, name: str, what: str) -> NDArray:
    """``shared_exec``'s array itself, which must match exactly (MXNet's check)."""
    if tuple(array.shape) != tuple(shape):
        fmt = lambda s: "[" + ",".join(map(str, s)) + "]"  # noqa: E731
        raise MXNetError(
            f"Check failed: inferred_shape == in_arg_nd.shape() ({fmt(shape)} vs. "
            f"{fmt(array.shape)}) : Inferred shape does not match shared_exec.{what}'s shape "
            f"Therefore, the allocated memory for shared_exec.{what} cannot be resued for "
            f"creating NDArray of the argument {name} for the current executor")
    if np.dtype(array.dtype) != np.dtype(dtype):
        raise MXNetError(f"Inferred dtype does not match shared_exec.{what}'s dtype for "
                         f"the argument {name}")
    return NDArray(array._data, array.context)  # the same memory, a new object (as MXNet)


# ---- eval ------------------------------------------------------------------------------------
def eval_symbol(sym, ctx: Context | None = None, **kwargs) -> list[NDArray]:
    """Bind ``kwargs`` as arguments, run forward once and return the outputs."""
    executor = bind(sym, ctx or current_context(), kwargs, grad_req="null")
    return executor.forward()
