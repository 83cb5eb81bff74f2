"""The kernel side of the operator contract: request modes and the per-call context.

A kernel is ``forward(params, ctx, ins, req, outs)``. ``req[j]`` says how to write ``outs[j]``:

* ``'write'``: overwrite; ``'inplace'``: overwrite, and ``outs[j]`` may be the same array as
  the input declared in the op's in-place pairs; ``'add'``: add into the existing content
  (gradient accumulation); ``'null'``: skip this output.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["OpContext", "assign", "ufunc_kernel", "WRITE", "INPLACE", "ADD", "NULL"]

WRITE, INPLACE, ADD, NULL = "write", "inplace", "add", "null"


@dataclass
class OpContext:
    """What a kernel may know about the call: training mode and the random generator."""

    is_train: bool = False
    rng: np.random.Generator | None = None
    extra: dict = field(default_factory=dict)


def assign(out: np.ndarray, req: str, value) -> None:
    """Store ``value`` into ``out`` according to ``req`` (MXNet ``KERNEL_ASSIGN``)."""
    if req == ADD:
        out += value
    elif req != NULL:
        out[...] = value


def ufunc_kernel(fn: Callable, n_in: int = 1) -> Callable:
    """A kernel for ``fn(*xs, out=out)``-style functions (NumPy ufuncs and friends).

    For ``'add'`` it computes into a temporary and adds; otherwise it writes directly, which
    is safe in place because ufuncs read each element before writing it. Integer outputs get
    the value cast with C truncation, as MXNet computes in the output dtype.
    """

    def kernel(p, ctx, ins, req, outs):
        r = req[0]
        if r == NULL:
            return
        out = outs[0]
        if r == ADD:
            out += fn(*ins[:n_in]).astype(out.dtype, copy=False)
        else:
            fn(*ins[:n_in], out=out, casting="unsafe")

    kernel.__name__ = getattr(fn, "__name__", "kernel")
    return kernel
