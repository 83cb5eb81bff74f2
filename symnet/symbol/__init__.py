"""``mx.sym``: symbolic graphs, with every registered operator as a function."""
from __future__ import annotations

import types

from .. import ops as _ops  # noqa: F401  (registers every operator)
from . import register as _register
from .construct import Group, Variable, create, var
from .symbol import Symbol

op = types.ModuleType("symnet.symbol.op", "Operators as Symbol functions (generated).")
op.__all__ = []
_internal = types.ModuleType("symnet.symbol._internal", "Internal operators (generated).")
contrib = types.ModuleType("symnet.symbol.contrib", "Contrib operators (generated).")
linalg = types.ModuleType("symnet.symbol.linalg", "Linear algebra operators (generated).")
image = types.ModuleType("symnet.symbol.image", "Image operators (generated).")

_register.populate({"op": op, "_internal": _internal, "contrib": contrib, "linalg": linalg,
                    "image": image})
globals().update({name: getattr(op, name) for name in op.__all__})

from .io import load, load_json  # noqa: E402
from .creation import arange, full, ones, zeros  # noqa: E402

__all__ = ["Symbol", "Variable", "var", "Group", "load", "load_json", "zeros", "ones", "full",
           "arange", "op", "contrib", "linalg", "image"] + op.__all__
