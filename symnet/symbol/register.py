"""Generate ``mx.sym.X`` functions from the operator registry (namespaces and fluent methods:
``ops.signature.generate_namespaces``)."""
from __future__ import annotations

from ..ops import registry
from ..ops.signature import OpSignature
from .construct import create

__all__ = ["make_function"]


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
