"""``mx.nd``: imperative arrays and every registered operator as a function."""
from __future__ import annotations

import types

from . import ndarray as _ndarray_mod
from . import register as _register
from .ndarray import NDArray, array, empty, invoke

op = types.ModuleType("symnet.ndarray.op", "Operators as NDArray functions (generated).")
op.__all__ = []
_internal = types.ModuleType("symnet.ndarray._internal", "Internal operators (generated).")
contrib = types.ModuleType("symnet.ndarray.contrib", "Contrib operators (generated).")
linalg = types.ModuleType("symnet.ndarray.linalg", "Linear algebra operators (generated).")
image = types.ModuleType("symnet.ndarray.image", "Image operators (generated).")

from .. import ops as _ops  # noqa: E402  (registers every operator)

_register.populate({"op": op, "_internal": _internal, "contrib": contrib, "linalg": linalg,
                    "image": image})
globals().update({name: getattr(op, name) for name in op.__all__})

from . import creation, serialization, utils  # noqa: E402
from . import random  # noqa: E402
from .creation import *  # noqa: E402,F401,F403
from .serialization import *  # noqa: E402,F401,F403
from .utils import *  # noqa: E402,F401,F403

__all__ = ["NDArray", "array", "empty", "invoke", "op", "contrib", "linalg", "image", "random"] \
    + op.__all__ + utils.__all__ + creation.__all__ + serialization.__all__
