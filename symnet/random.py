"""Global random state: ``mx.random.seed`` and the generator every random kernel draws from.

All random operators (``mx.nd.random.*``, Dropout masks, initializers) draw from one NumPy
``Generator``, so ``mx.random.seed(n)`` makes a whole program reproducible. The sequences are
symnet's own; they do not reproduce MXNet's numbers.

As in MXNet, the samplers of ``mx.nd.random`` are also available here (``mx.random.uniform``,
``mx.random.normal``, ...). They are looked up lazily because this module is imported before
the ``ndarray`` package.
"""
from __future__ import annotations

import numpy as np

__all__ = ["seed", "generator", "uniform", "normal", "randn", "poisson", "exponential",
           "gamma", "multinomial", "negative_binomial", "generalized_negative_binomial",
           "shuffle", "randint"]

_SAMPLERS = frozenset(__all__[2:])

_state = {"rng": np.random.default_rng(0)}


def seed(seed_state: int, ctx="all") -> None:
    """Seed the global generator.

    Parameters
    ----------
    seed_state : int
        The random number seed.
    ctx : Context or "all", optional
        Accepted for MXNet compatibility; symnet has one generator for every device, so a
        seed applies to all of them.
    """
    if isinstance(seed_state, bool) or not isinstance(seed_state, (int, np.integer)):
        raise ValueError("seed_state must be int")
    if ctx != "all":
        from .context import Context
        Context(ctx)  # validate, as MXNet does
    _state["rng"] = np.random.default_rng(int(seed_state) & 0xFFFFFFFF)


def generator() -> np.random.Generator:
    """The generator random kernels use."""
    return _state["rng"]


def __getattr__(name: str):
    if name in _SAMPLERS:
        from .ndarray import random as _nd_random
        return getattr(_nd_random, name)
    raise AttributeError(f"module 'symnet.random' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SAMPLERS)
