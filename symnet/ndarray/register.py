"""Generate ``mx.nd.X`` functions from the operator registry (namespaces and fluent methods:
``ops.signature.generate_namespaces``)."""
from __future__ import annotations

from ..base import MXNetError
from ..ops import registry
from ..ops.signature import OpSignature
from .ndarray import invoke

__all__ = ["make_function"]


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
