"""Per-step Python overhead of a bound executor.

Binds a chain of ``n`` cheap element-wise ops on a one-element array, so kernel time is
negligible, and reports microseconds per step for forward and forward+backward, next to the
cost of one bare NumPy ufunc call on the same array for scale.

    python bench/overhead.py
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import symnet as mx  # noqa: E402  (the checkout's symnet, installed or not)


def _per_step(fn, steps: int, repeat: int = 200) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat / steps * 1e6


def main(n: int = 200) -> None:
    x = mx.sym.Variable("x")
    net = x
    for _ in range(n):
        net = mx.sym.sin(net)
    exe = net.simple_bind(mx.cpu(), x=(1,), grad_req="write")
    forward = _per_step(lambda: exe.forward(is_train=True), n)
    both = _per_step(lambda: (exe.forward(is_train=True),
                              exe.backward([mx.nd.ones((1,))])), len(exe._compiled.program.steps))
    a, out = np.ones(1), np.empty(1)
    bare = _per_step(lambda: np.sin(a, out=out), 1, repeat=20000)
    print(f"chain of {n} sin ops on a 1-element array")
    print(f"  forward:            {forward:6.2f} us per step")
    print(f"  forward + backward: {both:6.2f} us per step "
          f"({len(exe._compiled.program.steps)} steps)")
    print(f"  bare np.sin call:   {bare:6.2f} us (kernel floor, for scale)")


if __name__ == "__main__":
    main()
