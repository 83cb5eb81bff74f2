"""Global random state: ``mx.random.seed`` and the generator every random kernel draws from.

All random operators (``mx.nd.random.*``, Dropout masks, initializers) draw from one NumPy
``Generator``, so ``mx.random.seed(n)`` makes a whole program reproducible. The sequences are
symnet's own; they do not reproduce MXNet's numbers.
"""
from __future__ import annotations

import numpy as np

__all__ = ["seed", "generator"]

_state = {"rng": np.random.default_rng(0)}


def seed(seed_state: int, ctx="all") -> None:
    """Seed the global generator (``ctx`` is accepted for MXNet compatibility)."""
    if not isinstance(seed_state, (int, np.integer)):
        raise ValueError("sd must be int")
    _state["rng"] = np.random.default_rng(int(seed_state))


def generator() -> np.random.Generator:
    """The generator random kernels use."""
    return _state["rng"]
