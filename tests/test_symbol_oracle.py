"""Symbol behaviour compared with answers recorded from MXNet 1.9.1.

The scenarios live in ``tests/fixtures/symbol_scenarios.py``; ``make_symbol_fixtures.py``
recorded MXNet's results and errors into ``symbol_expected.json``. Results must be equal (JSON
text byte for byte). For errors the exception type must match and symnet's message must appear
in MXNet's, which carries extra C++ source locations.
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
from make_symbol_fixtures import run_scenario  # noqa: E402
from symbol_scenarios import NEEDS, SCENARIOS  # noqa: E402

with open(os.path.join(HERE, "symbol_expected.json"), encoding="utf-8") as f:
    EXPECTED = json.load(f)

# Where symnet's wording deliberately differs, the phrases both messages must contain.
KEY_PHRASES: dict[str, list[str]] = {
    "infer_inconsistent_elemwise": ["_plus0", "Incompatible attr", "1-th input",
                                    "expected [2,3], got [3,2]"],
    "param_unknown": ["Cannot find argument 'bogus'", "num_hidden : int, required"],
    "op_attr_unknown": ["Cannot find argument 'foo'", "num_hidden : int, required"],
    "infer_softmax_bad_label": ["Shape inconsistent", "Provided = [5]"],
    "infer_type_conflict": ["Error in operator fc1", "expected float32, got float64"],
}


def _normalise(text: str) -> str:
    text = text.replace("mxnet.symbol.symbol.Symbol", "symnet.symbol.symbol.Symbol")
    return re.sub(r"\s+", " ", text).strip()


def _result_text(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
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
        ours, theirs = _normalise(actual["message"]), _normalise(expected["message"])
        for phrase in KEY_PHRASES.get(name, [ours]):
            assert _normalise(phrase) in theirs, f"{name}: {phrase!r} not in MXNet's {theirs!r}"
            assert _normalise(phrase) in ours, f"{name}: {phrase!r} not in ours {ours!r}"
    else:
        assert "result" in actual, f"{name}: raised {actual}"
        theirs = _result_text(expected["result"]).replace("mxnet.", "symnet.")
        assert _result_text(actual["result"]) == theirs
