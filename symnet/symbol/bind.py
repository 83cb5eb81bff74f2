"""``Symbol.bind``, ``Symbol.simple_bind`` and ``Symbol.eval`` (MXNet 1.x semantics)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..base import MXNetError
from ..context import Context, current_context
from ..dtype import np_dtype
from ..executor import Executor
from ..ndarray.ndarray import NDArray

__all__ = ["bind", "simple_bind", "eval_symbol"]

_GRAD_REQ = {"null": 0, "write": 1, "add": 3}


def _grad_reqs(names: list[str], grad_req) -> list[str]:
    if isinstance(grad_req, str):
        if grad_req not in _GRAD_REQ:
            raise ValueError(f"grad_req must be in {_GRAD_REQ}")
        return [grad_req] * len(names)
    if isinstance(grad_req, (list, tuple)):
        if not grad_req:
            raise RuntimeError("grad_req must not be an empty list")
        reqs = list(grad_req)
    elif isinstance(grad_req, dict):
        if not grad_req:
            raise RuntimeError("grad_req must not be an empty dict")
        reqs = [grad_req.get(n, "null") for n in names]
    else:
        raise TypeError("grad_req must be str, list or dict")
    for r in reqs:
        if r not in _GRAD_REQ:
            raise ValueError(f"grad_req must be in {_GRAD_REQ}")
    return reqs


def _ordered(values, names: list[str], what: str, required: bool) -> list:
    if values is None:
        return [None] * len(names)
    if isinstance(values, dict):
        out = []
        for n in names:
            if n not in values and required:
                raise ValueError(f"key `{n}` is missing in `{what}`")
            out.append(values.get(n))
        return out
    values = list(values)
    if len(values) != len(names) and required:
        raise ValueError(f"Length of {what} does not match the number of arguments")
    return values + [None] * (len(names) - len(values))


def _check_arrays(arrays: list, names: list[str], what: str) -> None:
    for n, a in zip(names, arrays):
        if not isinstance(a, NDArray):
            raise TypeError(f"Only accept list of NDArrays or dict of str to NDArray for "
                            f"{what}, got {type(a).__name__} for {n}")


def bind(sym, ctx: Context, args, args_grad=None, grad_req="write", aux_states=None,
         group2ctx=None, shared_exec=None) -> Executor:
    """Bind arrays to the symbol's arguments; the given NDArrays are used without copying."""
    if not isinstance(ctx, Context):
        raise TypeError("Context type error")
    arg_names, aux_names = sym.list_arguments(), sym.list_auxiliary_states()
    args_list = _ordered(args, arg_names, "args", True)
    _check_arrays(args_list, arg_names, "args")
    grads = _ordered(args_grad, arg_names, "args_grad", False)
    aux = _ordered(aux_states, aux_names, "aux_states", True)
    _check_arrays(aux, aux_names, "aux_states")
    reqs = _grad_reqs(arg_names, grad_req)
    return Executor(sym, ctx, args_list, grads, reqs, aux, group2ctx,
                    grads_given=args_grad is not None)


def simple_bind(sym, ctx: Context | None = None, grad_req="write", type_dict=None,
                stype_dict=None, group2ctx=None, shared_arg_names=None, shared_exec=None,
                shared_buffer=None, **kwargs) -> Executor:
    """Infer all shapes and types from the given input shapes, allocate zero-filled arrays for
    arguments, gradients and aux states, and bind."""
    ctx = ctx or current_context()
    shapes = {k: v for k, v in kwargs.items() if isinstance(v, tuple)}
    try:
        arg_shapes, _, aux_shapes = sym.infer_shape(**shapes)
        if arg_shapes is None:
            raise MXNetError(_undecided(sym, shapes))
        arg_types, _, aux_types = sym.infer_type(**_types(sym, type_dict))
        if arg_types is None:
            arg_types = [np.float32] * len(arg_shapes)
            aux_types = [np.float32] * len(aux_shapes)
    except MXNetError as err:
        given = "".join(f"{k}: {v}\n" for k, v in shapes.items())
        raise RuntimeError(f"simple_bind error. Arguments:\n{given}{err}") from None
    names = sym.list_arguments()
    reqs = _grad_reqs(names, grad_req)
    shared = _shared_arrays(shared_exec, shared_arg_names)
    args = [_array(n, s, t, ctx, shared_buffer, shared.get(n))
            for n, s, t in zip(names, arg_shapes, arg_types)]
    grads = [None if r == "null" else _array(f"grad of {n}", s, t, ctx, shared_buffer,
                                                shared.get(f"grad of {n}"))
             for n, s, t, r in zip(names, arg_shapes, arg_types, reqs)]
    aux = [NDArray(np.zeros(s, t), ctx) for s, t in zip(aux_shapes, aux_types)]
    return Executor(sym, ctx, args, grads, reqs, aux, group2ctx)


def _types(sym, type_dict) -> dict:
    if not type_dict:
        inputs = set(sym.list_inputs())
        return {n: "float32" for n in sym.list_arguments()[:1] if n in inputs}
    return {k: np_dtype(v) for k, v in type_dict.items()}


def _undecided(sym, shapes) -> str:
    arg_shapes, _, _ = sym.infer_shape_partial(**shapes)
    rows = ", ".join(f"{n}: {'None' if not s or 0 in s else s}"
                     for n, s in zip(sym.list_arguments(), arg_shapes))
    return ("InferShape pass cannot decide shapes for the following arguments (-1 means "
            f"unknown dimensions). Please consider providing them as inputs:\n{rows}")


def _shared_arrays(shared_exec, names) -> dict[str, NDArray]:
    if shared_exec is None or not names:
        return {}
    out = {}
    for n in names:
        if n in shared_exec.arg_dict:
            out[n] = shared_exec.arg_dict[n]
            grad = shared_exec.grad_dict.get(n) if shared_exec.grad_arrays else None
            if grad is not None:
                out[f"grad of {n}"] = grad
    return out


def _array(name: str, shape, dtype, ctx, shared_buffer, shared: NDArray | None) -> NDArray:
    """A zero array, or memory shared with another executor / a shared buffer."""
    source = shared
    if source is None and shared_buffer is not None:
        source = shared_buffer.get(name)
    if source is not None and np.dtype(source.dtype) == np.dtype(dtype):
        size = int(np.prod(shape, dtype=np.int64))
        if tuple(source.shape) == tuple(shape):
            return source
        if size <= source.size:
            return NDArray(source._data.reshape(-1)[:size].reshape(shape), ctx)
    array = NDArray(np.zeros(shape, dtype), ctx)
    if shared_buffer is not None:
        shared_buffer[name] = array
    return array


def eval_symbol(sym, ctx: Context | None = None, **kwargs) -> list[NDArray]:
    """Bind ``kwargs`` as arguments, run forward once and return the outputs."""
    executor = bind(sym, ctx or current_context(), kwargs, grad_req="null")
    return executor.forward()
