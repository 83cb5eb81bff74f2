"""``mx.sym``: symbolic graphs, with every registered operator as a function."""
from __future__ import annotations

from .. import ops as _ops  # noqa: F401  (registers every operator)
from ..ops.signature import NAMESPACES, generate_namespaces
from . import register as _register
from .construct import Group, Variable, create, var
from .symbol import Symbol

_spaces = generate_namespaces("symnet.symbol", Symbol, _register.make_function)
op, _internal, contrib, linalg, image = (_spaces[space] for space in NAMESPACES)
globals().update({name: getattr(op, name) for name in op.__all__})

from .io import load, load_json  # noqa: E402
from .creation import arange, full, ones, zeros  # noqa: E402

__all__ = ["Symbol", "Variable", "var", "Group", "load", "load_json", "zeros", "ones", "full",
           "arange", "op", "contrib", "linalg", "image"] + op.__all__
