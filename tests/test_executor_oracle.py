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

import re

import pytest

from .oracle_scenarios import (assert_phrases, load_expected, normalise, result_text,
                               run_recorded)
from executor_scenarios import AT_MOST, NEEDS, SCENARIOS  # noqa: E402  (fixtures/ on sys.path)

EXPECTED = load_expected("executor_expected.json")

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

# MXNet's C++ decorations: stack-trace header, source locations, the failed check's condition.
_CPP_NOISE = [r'Traceback \(most recent call last\):\n(  File "[^"]*", line \d+\n)+',
              r"MXNetError: ", r"\[\d\d:\d\d:\d\d\] \S+:\d+: ", r"Check failed: .*? ?: "]


def _strip_cpp(text: str) -> str:
    for pattern in _CPP_NOISE:
        text = re.sub(pattern, "", text)
    return normalise(text)


def test_every_scenario_is_recorded():
    assert sorted(EXPECTED) == sorted(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_matches_mxnet(name):
    expected, actual = run_recorded(name, SCENARIOS, NEEDS, EXPECTED)
    if "error" in expected and name not in KEY_PHRASES:
        ours, theirs = _strip_cpp(actual["message"]), _strip_cpp(expected["message"])
        assert ours in theirs, f"{name}: {ours!r} not in MXNet's {theirs!r}"
    elif "error" in expected:
        ours, theirs = normalise(actual["message"]), normalise(expected["message"])
        assert_phrases(name, KEY_PHRASES[name], ours, theirs)
    elif name in AT_MOST:
        assert actual["result"] <= expected["result"], (name, actual, expected)
    else:
        assert result_text(actual["result"]) == result_text(expected["result"])
