"""Training-step throughput of the seed MLP (784-128-64-10, relu, SoftmaxOutput, SGD).

Runs with symnet, MXNet 1.9.1 or PyTorch: ``python bench/mlp.py --framework symnet --batch 32``
prints one JSON line ``{"framework": ..., "batch": ..., "samples_per_s": ...}``. The same code
path is timed for symnet and MXNet (``import ... as mx``); ``bench/run.py`` drives all three.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

# this checkout's symnet, also when run directly
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _mlp(mx):
    net = mx.symbol.Variable("data")
    net = mx.symbol.FullyConnected(data=net, name="fc1", num_hidden=128)
    net = mx.symbol.Activation(data=net, name="relu1", act_type="relu")
    net = mx.symbol.FullyConnected(data=net, name="fc2", num_hidden=64)
    net = mx.symbol.Activation(data=net, name="relu2", act_type="relu")
    net = mx.symbol.FullyConnected(data=net, name="fc3", num_hidden=10)
    return mx.symbol.SoftmaxOutput(data=net, name="out")


def _time_steps(step, sync, seconds: float) -> tuple[int, float]:
    for _ in range(5):
        step()
    sync()
    n, start = 0, time.perf_counter()
    while True:
        step()
        n += 1
        if n % 10 == 0:
            sync()
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return n, elapsed


def bench_mx(framework: str, batch: int, seconds: float) -> float:
    """Samples/s of forward + backward + sgd_update for symnet or MXNet."""
    mx = __import__("mxnet" if framework == "mxnet" else "symnet")
    rng = np.random.default_rng(0)
    net = _mlp(mx)
    # As mx.mod.Module binds for training: gradients for parameters, none for data or label.
    reqs = {name: "write" for name in net.list_arguments()
            if name not in ("data", "out_label")}
    exe = net.simple_bind(mx.cpu(), data=(batch, 784), grad_req=reqs)
    exe.arg_dict["data"][:] = rng.uniform(0, 1, (batch, 784)).astype(np.float32)
    exe.arg_dict["out_label"][:] = rng.integers(0, 10, batch).astype(np.float32)
    params = []
    for name, arr in exe.arg_dict.items():
        if name not in ("data", "out_label"):
            arr[:] = rng.normal(0, 0.05, arr.shape).astype(np.float32)
            params.append((arr, exe.grad_dict[name]))

    def step():
        exe.forward(is_train=True)
        exe.backward()
        for weight, grad in params:
            mx.nd.sgd_update(weight, grad, lr=0.01, rescale_grad=1.0 / batch, out=weight)

    n, elapsed = _time_steps(step, mx.nd.waitall, seconds)
    return n * batch / elapsed


def bench_torch(batch: int, seconds: float) -> float:
    import torch
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 64), torch.nn.ReLU(),
                                torch.nn.Linear(64, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(batch, 784)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    n, elapsed = _time_steps(step, lambda: None, seconds)
    return n * batch / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--framework", choices=("symnet", "mxnet", "torch"), default="symnet")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    if args.framework == "torch":
        rate = bench_torch(args.batch, args.seconds)
    else:
        rate = bench_mx(args.framework, args.batch, args.seconds)
    print(json.dumps({"framework": args.framework, "batch": args.batch,
                      "samples_per_s": rate}))


if __name__ == "__main__":
    main()
