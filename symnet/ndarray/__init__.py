"""``mx.nd``: imperative arrays and every registered operator as a function."""
from __future__ import annotations

from .. import ops as _ops  # noqa: F401  (registers every operator)
from ..ops.signature import NAMESPACES, generate_namespaces
from . import register as _register
from .ndarray import NDArray, array, empty, invoke

_spaces = generate_namespaces("symnet.ndarray", NDArray, _register.make_function)
op, _internal, contrib, linalg, image = (_spaces[space] for space in NAMESPACES)
globals().update({name: getattr(op, name) for name in op.__all__})

from . import creation, serialization, utils  # noqa: E402
from . import random  # noqa: E402
from .creation import *  # noqa: E402,F401,F403
from .serialization import *  # noqa: E402,F401,F403
from .utils import *  # noqa: E402,F401,F403

__all__ = ["NDArray", "array", "empty", "invoke", "op", "contrib", "linalg", "image", "random"] \
    + op.__all__ + utils.__all__ + creation.__all__ + serialization.__all__
