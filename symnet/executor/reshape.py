"""``Executor.reshape``: a new executor for new input shapes that shares the old memory."""
from __future__ import annotations

import numpy as np

from ..base import MXNetError
from ..ndarray.ndarray import NDArray

__all__ = ["reshape_executor"]


def _resized(array: NDArray, shape: tuple, name: str, specified: bool, partial: bool,
             up_sizing: bool) -> NDArray:
    """The same memory (a new NDArray object, as in MXNet), a view of its leading memory, or
    (when allowed) a new array. A shape that inference left unknown counts as changed."""
    if tuple(array.shape) == tuple(shape):
        return NDArray(array._data, array.context)
    if not (specified or partial):
        raise MXNetError(
            f"Shape of unspecifie arg: {name} changed. This can cause the new executor to not "
            "share parameters with the old one. Please check for error in network.If this is "
            "intended, set partial_shaping=True to suppress this warning.")
    if not shape or 0 in shape:
        raise MXNetError("Check failed: ndim_is_known(this->ndim()): Shape is unknown.")
    size = int(np.prod(shape, dtype=np.int64))
    if size <= array.size:
        return NDArray(array._data.reshape(-1)[:size].reshape(shape), array.context)
    if not up_sizing:
        raise MXNetError(
            f"New shape of arg: {name} is larger than original.First making a big executor "
            "and then down sizing it is more efficient than the reverse.If you really want to "
            "up size, set allow_up_sizing=True to enable allocation of new arrays.")
    return NDArray(np.zeros(shape, array._data.dtype), array.context)


def reshape_executor(executor, partial_shaping: bool, allow_up_sizing: bool, shapes: dict):
    """Infer shapes from ``shapes`` and bind again, reusing every array that still fits."""
    from .executor import Executor
    sym = executor._symbol
    arg_shapes, _, aux_shapes = sym.infer_shape_partial(**shapes)
    flags = (partial_shaping, allow_up_sizing)
    args, grads = [], []
    for i, name in enumerate(sym.list_arguments()):
        specified = name in shapes
        args.append(_resized(executor.arg_arrays[i], arg_shapes[i], name, specified, *flags))
        grad = executor.grad_arrays[i] if executor.grad_arrays is not None else None
        grads.append(None if grad is None else
                     _resized(grad, arg_shapes[i], name, specified, *flags))
    aux = [_resized(a, s, n, n in shapes, *flags) for a, s, n in
           zip(executor.aux_arrays, aux_shapes, sym.list_auxiliary_states())]
    new = Executor(sym, executor._ctx, args, grads, executor._grad_reqs, aux,
                   executor._group2ctx)  # grad_arrays is a list (of Nones) even after bind
    if executor._monitor is not None:  # the monitor carries over, as in MXNet
        new.set_monitor_callback(*executor._monitor)
    return new
