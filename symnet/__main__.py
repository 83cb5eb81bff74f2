"""``python -m symnet``: a short demonstration that runs offline.

Until the training stack (Symbol, Executor, Module) lands, this fits a linear model by gradient
descent using only NDArray operations, printing a progress bar and the final fit.
"""
from __future__ import annotations

import sys
import time

import symnet as mx


def _bar(step: int, total: int, loss: float, width: int = 30) -> str:
    done = int(width * step / total)
    return f"\r[{'#' * done}{'.' * (width - done)}] {step}/{total} loss={loss:.5f}"


def main(steps: int = 200) -> float:
    mx.random.seed(42)
    n, d = 512, 8
    x = mx.nd.array(mx.random.generator().normal(size=(n, d)))
    true_w = mx.nd.array(mx.random.generator().normal(size=(d, 1)))
    y = mx.nd.dot(x, true_w) + 0.01 * mx.nd.array(mx.random.generator().normal(size=(n, 1)))
    w = mx.nd.zeros((d, 1))
    lr = 0.1
    start = time.perf_counter()
    for step in range(1, steps + 1):
        residual = mx.nd.dot(x, w) - y
        loss = float((residual ** 2).mean().asscalar())
        w -= lr * mx.nd.dot(x.T, residual) / n
        if step % 10 == 0 or step == steps:
            sys.stdout.write(_bar(step, steps, loss))
            sys.stdout.flush()
    elapsed = time.perf_counter() - start
    error = float(mx.nd.abs(w - true_w).max().asscalar())
    print(f"\nfitted {d} weights in {elapsed:.2f}s; max weight error {error:.4f}")
    return error


if __name__ == "__main__":
    main()
