"""Convolutional networks: LeNet and CIFAR ResNet-20 training steps, ResNet-18 inference.

    python bench/convnets.py --framework symnet --model lenet

prints one JSON line with samples/s. The same code runs with MXNet 1.9.1 (``--framework
mxnet``, under the oracle's Python); ``--framework torch`` runs the same networks in PyTorch.
``bench/run.py`` drives all three.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

_BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [_BENCH, os.path.dirname(_BENCH)]  # bench helpers, this checkout's symnet
from mlp import _time_steps  # noqa: E402

MODELS = {  # name: (batch, input shape, training?)
    "lenet": (64, (1, 28, 28), True),
    "resnet20": (32, (3, 32, 32), True),
    "resnet18": (8, (3, 224, 224), False),
}


def lenet(mx):
    data = mx.sym.Variable("data")
    net = mx.sym.Convolution(data, kernel=(5, 5), num_filter=20, name="conv1")
    net = mx.sym.Activation(net, act_type="tanh")
    net = mx.sym.Pooling(net, pool_type="max", kernel=(2, 2), stride=(2, 2))
    net = mx.sym.Convolution(net, kernel=(5, 5), num_filter=50, name="conv2")
    net = mx.sym.Activation(net, act_type="tanh")
    net = mx.sym.Pooling(net, pool_type="max", kernel=(2, 2), stride=(2, 2))
    net = mx.sym.FullyConnected(mx.sym.Flatten(net), num_hidden=500, name="fc1")
    net = mx.sym.Activation(net, act_type="tanh")
    net = mx.sym.FullyConnected(net, num_hidden=10, name="fc2")
    return mx.sym.SoftmaxOutput(net, name="softmax")


def _conv_bn(mx, x, filters, stride, name, relu=True, kernel=3):
    pad = (kernel // 2, kernel // 2)
    x = mx.sym.Convolution(x, kernel=(kernel, kernel), stride=(stride, stride), pad=pad,
                           num_filter=filters, no_bias=True, name=name + "_conv")
    x = mx.sym.BatchNorm(x, fix_gamma=False, name=name + "_bn")
    return mx.sym.Activation(x, act_type="relu") if relu else x


def _basic_block(mx, x, filters, stride, name):
    out = _conv_bn(mx, x, filters, stride, name + "_a")
    out = _conv_bn(mx, out, filters, 1, name + "_b", relu=False)
    if stride != 1:
        x = _conv_bn(mx, x, filters, stride, name + "_down", relu=False, kernel=1)
    return mx.sym.Activation(out + x, act_type="relu")


def resnet(mx, stages, filters, stem):
    x = mx.sym.Variable("data")
    x = stem(x)
    for s, (blocks, f) in enumerate(zip(stages, filters)):
        for b in range(blocks):
            x = _basic_block(mx, x, f, 2 if b == 0 and s > 0 else 1, f"s{s}b{b}")
    x = mx.sym.Pooling(x, pool_type="avg", global_pool=True, kernel=(1, 1))
    x = mx.sym.FullyConnected(mx.sym.Flatten(x), num_hidden=10 if stem.cifar else 1000)
    return mx.sym.SoftmaxOutput(x, name="softmax")


def resnet20(mx):
    def stem(x):
        return _conv_bn(mx, x, 16, 1, "stem")
    stem.cifar = True
    return resnet(mx, (3, 3, 3), (16, 32, 64), stem)


def resnet18(mx):
    def stem(x):
        x = _conv_bn(mx, x, 64, 2, "stem", kernel=7)
        return mx.sym.Pooling(x, pool_type="max", kernel=(3, 3), stride=(2, 2), pad=(1, 1))
    stem.cifar = False
    return resnet(mx, (2, 2, 2, 2), (64, 128, 256, 512), stem)


def bench(framework: str, model: str, seconds: float) -> float:
    mx = __import__("mxnet" if framework == "mxnet" else "symnet")
    batch, shape, training = MODELS[model]
    net = globals()[model](mx)
    rng = np.random.default_rng(0)
    params = [n for n in net.list_arguments() if n not in ("data", "softmax_label")]
    reqs = {n: "write" for n in params} if training else "null"
    exe = net.simple_bind(mx.cpu(), data=(batch,) + shape, grad_req=reqs)
    exe.arg_dict["data"][:] = rng.uniform(0, 1, (batch,) + shape).astype(np.float32)
    exe.arg_dict["softmax_label"][:] = rng.integers(0, 10, batch).astype(np.float32)
    for name in params:
        arr = exe.arg_dict[name]
        arr[:] = rng.normal(0, 0.05, arr.shape).astype(np.float32)
    for arr in exe.aux_arrays:
        arr[:] = 1.0

    def step():
        exe.forward(is_train=training)
        if training:
            exe.backward()
            for name in params:
                mx.nd.sgd_update(exe.arg_dict[name], exe.grad_dict[name], lr=0.01,
                                 rescale_grad=1.0 / batch, out=exe.arg_dict[name])

    n, elapsed = _time_steps(step, mx.nd.waitall, seconds)
    return n * batch / elapsed


def _torch_model(model: str):
    """The same networks in PyTorch (default initialisation; the numbers do not matter)."""
    import torch.nn as nn
    if model == "lenet":
        return nn.Sequential(nn.Conv2d(1, 20, 5), nn.Tanh(), nn.MaxPool2d(2, 2),
                             nn.Conv2d(20, 50, 5), nn.Tanh(), nn.MaxPool2d(2, 2), nn.Flatten(),
                             nn.Linear(800, 500), nn.Tanh(), nn.Linear(500, 10))

    def conv_bn(cin, cout, stride, relu=True, kernel=3):
        layers = [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False),
                  nn.BatchNorm2d(cout)]
        return nn.Sequential(*layers, *([nn.ReLU()] if relu else []))

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.body = nn.Sequential(conv_bn(cin, cout, stride), conv_bn(cout, cout, 1, False))
            self.down = conv_bn(cin, cout, stride, False, 1) if stride != 1 else nn.Identity()

        def forward(self, x):
            return (self.body(x) + self.down(x)).relu()

    cifar = model == "resnet20"
    stages, filters = ((3, 3, 3), (16, 32, 64)) if cifar else ((2, 2, 2, 2), (64, 128, 256, 512))
    layers = [conv_bn(3, filters[0], 1)] if cifar else \
        [conv_bn(3, 64, 2, kernel=7), nn.MaxPool2d(3, 2, 1)]
    cin = filters[0]
    for s, (blocks, f) in enumerate(zip(stages, filters)):
        for b in range(blocks):
            layers.append(Block(cin, f, 2 if b == 0 and s > 0 else 1))
            cin = f
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10 if cifar else 1000)]
    return nn.Sequential(*layers)


def bench_torch(model: str, seconds: float) -> float:
    import torch
    torch.manual_seed(0)
    batch, shape, training = MODELS[model]
    net = _torch_model(model)
    x = torch.rand((batch,) + shape)
    y = torch.randint(0, 10, (batch,))
    if training:
        opt = torch.optim.SGD(net.parameters(), lr=0.01)
        loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss_fn(net(x), y).backward()
            opt.step()
    else:
        net.eval()

        def step():
            with torch.no_grad():
                net(x)

    n, elapsed = _time_steps(step, lambda: None, seconds)
    return n * batch / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--framework", choices=("symnet", "mxnet", "torch"), default="symnet")
    parser.add_argument("--model", choices=sorted(MODELS), default="lenet")
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    if args.framework == "torch":
        rate = bench_torch(args.model, args.seconds)
    else:
        rate = bench(args.framework, args.model, args.seconds)
    print(json.dumps({"framework": args.framework, "model": args.model,
                      "samples_per_s": rate}))


if __name__ == "__main__":
    main()
