"""symnet: MXNet 1.x's symbolic deep-learning API in pure Python on NumPy.

``import symnet as mx`` and MXNet 1.x code runs unchanged.
"""
from __future__ import annotations

__version__ = "0.1.0"

from . import base, config
from .base import MXNetError, NotImplementedForSymbol
from .context import Context, cpu, cpu_pinned, current_context, gpu, num_gpus
from . import random
from . import ndarray
from . import ndarray as nd
from . import attribute, name
from .attribute import AttrScope
from . import symbol
from . import symbol as sym
from . import model
from . import test_utils

__all__ = ["base", "MXNetError", "NotImplementedForSymbol", "Context", "cpu", "gpu",
           "cpu_pinned", "current_context", "num_gpus", "random", "nd", "ndarray", "sym", "symbol",
           "name", "attribute", "AttrScope", "model", "test_utils", "config",
           "__version__"]
