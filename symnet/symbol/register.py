"""Generate ``mx.sym.X`` functions and Symbol fluent methods from the operator registry."""
from __future__ import annotations

import types

from ..ops import registry
from ..ops.signature import OpSignature, namespace_of
from .construct import create
from .symbol import Symbol

__all__ = ["make_function", "populate"]


def make_function(op: registry.OpDef, public_name: str):
    """Build the Symbol function for ``op``; its automatic names use ``public_name.lower()``."""
    sig = OpSignature(op, "Symbol")
    hint = public_name.lower()

    def function(*args, **kwargs):
        inputs, attrs, frontend = sig.bind(public_name, args, kwargs)
        if frontend.get("out") is not None:
            raise TypeError("out= is only supported for NDArray functions")
        return create(op, inputs, attrs, frontend.get("name"), frontend.get("attr"), hint)

    function.__name__ = function.__qualname__ = public_name
    function.__signature__ = sig.signature()
    function.__doc__ = sig.docstring()
    function.__module__ = "symnet.symbol"
    return function


def _fluent(function, name: str):
    def method(self, *args, **kwargs):
        return function(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Convenience fluent method for :py:func:`{function.__name__}`."
    return method


def populate(modules: dict[str, types.ModuleType]) -> None:
    """Fill ``op``, ``_internal``, ``contrib``, ... and attach fluent methods to Symbol."""
    for public_name, op in registry.all_names().items():
        space, short = namespace_of(public_name)
        setattr(modules[space], short, make_function(op, short))
        if space == "op":
            modules["op"].__all__.append(short)
    for op in registry.list_ops():
        space, short = namespace_of(op.name)
        function = getattr(modules[space], short)
        for name in op.fluent:
            if name not in Symbol.__dict__:
                setattr(Symbol, name, _fluent(function, name))
