"""Planned memory is no more than MXNet 1.9.1 plans for the same network.

MXNet's figures are the "Total N MB allocated" lines of ``Executor.debug_str()`` recorded with
the oracle (tests/fixtures/lenet_memory.py prints them). Binding only: nothing runs.
"""
from __future__ import annotations

import re

import pytest

import symnet as mx


def lenet():
    data = mx.sym.Variable("data")
    c1 = mx.sym.Convolution(data, kernel=(5, 5), num_filter=20, name="conv1")
    a1 = mx.sym.Activation(c1, act_type="tanh", name="tanh1")
    p1 = mx.sym.Pooling(a1, pool_type="max", kernel=(2, 2), stride=(2, 2), name="pool1")
    c2 = mx.sym.Convolution(p1, kernel=(5, 5), num_filter=50, name="conv2")
    a2 = mx.sym.Activation(c2, act_type="tanh", name="tanh2")
    p2 = mx.sym.Pooling(a2, pool_type="max", kernel=(2, 2), stride=(2, 2), name="pool2")
    f = mx.sym.Flatten(p2, name="flatten")
    fc1 = mx.sym.FullyConnected(f, num_hidden=500, name="fc1")
    a3 = mx.sym.Activation(fc1, act_type="tanh", name="tanh3")
    fc2 = mx.sym.FullyConnected(a3, num_hidden=10, name="fc2")
    return mx.sym.SoftmaxOutput(fc2, name="softmax")


# (batch, grad_req) -> MXNet 1.9.1's "Total N MB allocated"
MXNET_LENET_MB = {(64, "write"): 12, (64, "null"): 4, (4000, "write"): 762, (4000, "null"): 263}


def _planned_mb(executor) -> int:
    line = [ln for ln in executor.debug_str().splitlines() if ln.endswith("MB allocated")][0]
    return int(re.search(r"Total (\d+) MB", line).group(1))


@pytest.mark.parametrize("batch,grad_req", sorted(MXNET_LENET_MB))
def test_lenet_plans_no_more_than_mxnet(batch, grad_req):
    executor = lenet().simple_bind(mx.cpu(), data=(batch, 1, 28, 28), grad_req=grad_req)
    ours, theirs = _planned_mb(executor), MXNET_LENET_MB[(batch, grad_req)]
    assert ours <= theirs, f"symnet plans {ours} MB, MXNet {theirs} MB"
    assert executor.planned_bytes >> 20 == ours
