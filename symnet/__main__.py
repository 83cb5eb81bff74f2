"""``python -m symnet``: train an MLP on real handwritten digits, offline.

The network is built with ``mx.sym``, bound once with ``simple_bind`` (all memory planned at
bind time) and trained with ``sgd_update``; the UCI digits ship with symnet.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import symnet as mx
from symnet.datasets import load_digits


def mlp() -> mx.sym.Symbol:
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, num_hidden=128, name="fc1")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    net = mx.sym.FullyConnected(net, num_hidden=64, name="fc2")
    net = mx.sym.Activation(net, act_type="relu", name="relu2")
    net = mx.sym.FullyConnected(net, num_hidden=10, name="fc3")
    return mx.sym.SoftmaxOutput(net, name="softmax")


def _progress(epoch: int, epochs: int, done: int, total: int, acc: float, width: int = 24):
    filled = width * done // total
    sys.stdout.write(f"\repoch {epoch + 1:>2}/{epochs} [{'#' * filled}{'.' * (width - filled)}] "
                     f"{done:>4}/{total} train-acc {acc:.3f}")
    sys.stdout.flush()


def _accuracy(exe, x: np.ndarray, y: np.ndarray, batch: int) -> float:
    correct = 0
    for start in range(0, len(x) - batch + 1, batch):
        exe.forward(is_train=False, data=x[start:start + batch])
        pred = exe.outputs[0].asnumpy().argmax(axis=1)
        correct += int((pred == y[start:start + batch]).sum())
    return correct / (len(x) // batch * batch)


def main(epochs: int = 15, batch: int = 32, lr: float = 0.1) -> float:
    mx.random.seed(0)
    rng = np.random.default_rng(0)
    images, labels = load_digits()
    order = rng.permutation(len(images))
    x, y = images.reshape(len(images), -1)[order], labels[order]
    x_train, y_train, x_test, y_test = x[:1500], y[:1500], x[1500:], y[1500:]
    exe = mlp().simple_bind(mx.cpu(), data=(batch, 64), grad_req="write")
    params = [n for n in exe.arg_dict if n not in ("data", "softmax_label")]
    for name in params:  # Xavier-style uniform initialisation
        arr = exe.arg_dict[name]
        fan = sum(arr.shape[:2]) if arr.ndim == 2 else 1
        arr[:] = rng.uniform(-1, 1, arr.shape) * np.sqrt(6.0 / fan) if arr.ndim == 2 else 0
    print(f"training {epochs} epochs on {len(x_train)} UCI digits, testing on {len(x_test)}")
    start = time.perf_counter()
    for epoch in range(epochs):
        perm = rng.permutation(len(x_train))
        correct = seen = 0
        for done in range(batch, len(x_train) + 1, batch):
            idx = perm[done - batch:done]
            exe.forward(is_train=True, data=x_train[idx], softmax_label=y_train[idx])
            exe.backward()
            for name in params:
                mx.nd.sgd_update(exe.arg_dict[name], exe.grad_dict[name], lr=lr,
                                 rescale_grad=1.0 / batch, out=exe.arg_dict[name])
            correct += int((exe.outputs[0].asnumpy().argmax(axis=1) == y_train[idx]).sum())
            seen += batch
            if done % (batch * 8) == 0 or done + batch > len(x_train):
                _progress(epoch, epochs, done, len(x_train), correct / seen)
        print()
    accuracy = _accuracy(exe, x_test, y_test, batch)
    print(f"test accuracy {accuracy:.4f} ({time.perf_counter() - start:.1f} s)")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=15)
    args = parser.parse_args()
    main(epochs=args.epochs)
