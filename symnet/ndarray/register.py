"""Generate ``mx.nd.X`` functions and NDArray fluent methods from the operator registry."""
from __future__ import annotations

import types

from ..base import MXNetError
from ..ops import registry
from ..ops.signature import OpSignature, namespace_of
from .ndarray import NDArray, invoke

__all__ = ["make_function", "populate"]


def make_function(op: registry.OpDef, public_name: str):
    """Build the NDArray function for ``op`` under ``public_name``."""
    sig = OpSignature(op, "NDArray")
    named = op.num_args_key is None  # inputs come by name (variadic ops take a list)
    fixed = op.static_inputs

    def function(*args, **kwargs):
        inputs, attrs, frontend = sig.bind(public_name, args, kwargs)
        if named:
            names = fixed if fixed is not None else \
                op.input_names(op.parse(attrs, frontend.get("name") or ""))
            # As MXNet's mx.nd: the given arrays, in signature order, fill the op's actual
            # inputs in order (RNN(data, params, state, seqlen, mode='gru', ...) works).
            given = list(inputs.values())
            if len(given) != len(names):
                raise MXNetError(f"Operator {op.name}: expects {len(names)} inputs {names}, "
                                 f"got {len(given)} ({list(inputs)})")
            inputs = given
        return invoke(op, inputs, attrs, out=frontend.get("out"),
                      name=frontend.get("name") or "")

    function.__name__ = function.__qualname__ = public_name
    function.__signature__ = sig.signature()
    function.__doc__ = sig.docstring()
    function.__module__ = "symnet.ndarray"
    return function


def _fluent(function, name: str):
    def method(self, *args, **kwargs):
        return function(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Convenience fluent method for :py:func:`{function.__name__}`.\n\n" \
                     f"The arguments are the same as for :py:func:`{function.__name__}`, " \
                     "with this array as data."
    return method


def populate(modules: dict[str, types.ModuleType]) -> None:
    """Fill the submodules (``op``, ``_internal``, ``contrib``, ...) and fluent methods."""
    for public_name, op in registry.all_names().items():
        space, short = namespace_of(public_name)
        function = make_function(op, short if space != "_internal" else public_name)
        setattr(modules[space], short, function)
        if space == "op":
            modules["op"].__all__.append(short)
    for op in registry.list_ops():
        function = getattr(modules[namespace_of(op.name)[0]], namespace_of(op.name)[1])
        for name in op.fluent:
            if name not in NDArray.__dict__:
                setattr(NDArray, name, _fluent(function, name))
