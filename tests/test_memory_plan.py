"""Planned memory is no more than MXNet 1.9.1 plans for the same network.

MXNet's figures are the "Total N MB allocated" lines of ``Executor.debug_str()`` recorded with
the oracle (tests/fixtures/lenet_memory.py prints them for bench/convnets.py's LeNet). Binding
only: nothing runs.
"""
from __future__ import annotations

import os
import re
import sys

import pytest

import symnet as mx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
from convnets import lenet  # noqa: E402  (the benchmark's LeNet, also used to record MXNet)


# (batch, grad_req) -> MXNet 1.9.1's "Total N MB allocated"
MXNET_LENET_MB = {(64, "write"): 12, (64, "null"): 4, (4000, "write"): 762, (4000, "null"): 263}


def _planned_mb(executor) -> int:
    line = [ln for ln in executor.debug_str().splitlines() if ln.endswith("MB allocated")][0]
    return int(re.search(r"Total (\d+) MB", line).group(1))


@pytest.mark.parametrize("batch,grad_req", sorted(MXNET_LENET_MB))
def test_lenet_plans_no_more_than_mxnet(batch, grad_req):
    executor = lenet(mx).simple_bind(mx.cpu(), data=(batch, 1, 28, 28), grad_req=grad_req)
    ours, theirs = _planned_mb(executor), MXNET_LENET_MB[(batch, grad_req)]
    assert ours <= theirs, f"symnet plans {ours} MB, MXNet {theirs} MB"
    assert executor.planned_bytes >> 20 == ours
