"""Executor behaviour compared with answers recorded from MXNet 1.9.1.

The scenarios live in ``tests/fixtures/executor_scenarios.py``; ``make_executor_fixtures.py``
recorded MXNet's results and errors into ``executor_expected.json``. Results must be equal (JSON
text byte for byte). For errors the exception type must match and symnet's message must appear
in MXNet's once C++ decorations (stack-trace header, source locations, the failed check's
condition) are removed from both, or, where the wording deliberately differs, the
key phrases listed below must appear in both. Scenarios in ``AT_MOST`` record a number (MiB
planned for intermediate results) that symnet must not exceed.
"""
from __future__ import annotations

import json
import os
import re
import sys
import warnings

import pytest

import symnet as mx
from symnet.ops.registry import find_op

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
sys.path.insert(0, HERE)
from executor_scenarios import AT_MOST, NEEDS, SCENARIOS  # noqa: E402
from make_symbol_fixtures import run_scenario  # noqa: E402

with open(os.path.join(HERE, "executor_expected.json"), encoding="utf-8") as f:
    EXPECTED = json.load(f)

# Where symnet's wording differs, the phrases both messages must contain.
KEY_PHRASES: dict[str, list[str]] = {
    # the shape rules' wording (symnet/ops, not the executor)
    "bind_shape_error": ["Error in operator fc:", "[5]"],
    "sb_error_inconsistent": ["simple_bind error. Arguments:\na: (2, 3)\nb: (3, 2)\nc: 5\n",
                              "Error in operator _plus0:", "Incompatible attr in node",
                              "at 1-th input: expected [2,3], got [3,2]"],
    # MXNet names no node here; NDArray.copyto names its _copyto node
    "copy_params_wrong_shape": ["Incompatible attr in node",
                                "at 0-th output: expected [2,3], got [4,3]"],
    # symnet says why (duplicate argument names); MXNet's check says nothing more
    "bind_duplicate_arguments": ["arg_names.size() == in_args_map.size() (2 vs. 1)"],
    "sb_duplicate_arguments": ["simple_bind error. Arguments:\nx: (2,)\n",
                               "Input argument NDArray cannot be un-allocated"],
}

# Known differences that live outside the executor (strict xfail: fixing them turns this red,
# so the entry gets removed).
KNOWN_DIFFERENCES: dict[str, str] = {}

# MXNet's C++ decorations: stack-trace header, source locations, the failed check's condition.
_CPP_NOISE = [r'Traceback \(most recent call last\):\n(  File "[^"]*", line \d+\n)+',
              r"MXNetError: ", r"\[\d\d:\d\d:\d\d\] \S+:\d+: ", r"Check failed: .*? ?: "]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _strip_cpp(text: str) -> str:
    for pattern in _CPP_NOISE:
        text = re.sub(pattern, "", text)
    return _normalise(text)


def _result_text(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def test_every_scenario_is_recorded():
    assert sorted(EXPECTED) == sorted(SCENARIOS)


def _params() -> list:
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DIFFERENCES[n]))
            if n in KNOWN_DIFFERENCES else n for n in sorted(SCENARIOS)]


@pytest.mark.parametrize("name", _params())
def test_scenario_matches_mxnet(name):
    missing = [op for op in NEEDS.get(name, []) if find_op(op) is None]
    if missing:
        pytest.skip(f"operators not registered yet: {missing}")
    expected = EXPECTED[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        actual = run_scenario(mx, SCENARIOS[name])
    if "error" in expected:
        assert "error" in actual, f"{name}: expected {expected['error']}, got {actual}"
        assert actual["error"] == expected["error"], actual
        if name not in KEY_PHRASES:
            ours, theirs = _strip_cpp(actual["message"]), _strip_cpp(expected["message"])
            assert ours in theirs, f"{name}: {ours!r} not in MXNet's {theirs!r}"
            return
        ours, theirs = _normalise(actual["message"]), _normalise(expected["message"])
        for phrase in KEY_PHRASES[name]:
            assert _normalise(phrase) in theirs, f"{name}: {phrase!r} not in MXNet's {theirs!r}"
            assert _normalise(phrase) in ours, f"{name}: {phrase!r} not in ours {ours!r}"
    elif name in AT_MOST:
        assert "result" in actual, f"{name}: raised {actual}"
        assert actual["result"] <= expected["result"], (name, actual, expected)
    else:
        assert "result" in actual, f"{name}: raised {actual}"
        assert _result_text(actual["result"]) == _result_text(expected["result"])
