"""What the oracle-scenario tests share (tests/test_symbol_oracle.py, test_executor_oracle.py).

A scenario is source code run under MXNet 1.9.1 (recorded into a JSON file by a
``tests/fixtures/make_*_fixtures.py`` script) and, in the tests, under symnet.
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

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
sys.path.insert(0, FIXTURES)
from make_symbol_fixtures import run_scenario  # noqa: E402


def load_expected(filename: str) -> dict:
    with open(os.path.join(FIXTURES, filename), encoding="utf-8") as f:
        return json.load(f)


def normalise(text: str) -> str:
    """Whitespace collapsed, MXNet's Symbol class path read as symnet's."""
    text = text.replace("mxnet.symbol.symbol.Symbol", "symnet.symbol.symbol.Symbol")
    return re.sub(r"\s+", " ", text).strip()


def result_text(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def run_recorded(name: str, scenarios: dict, needs: dict, expected: dict) -> tuple[dict, dict]:
    """``(MXNet's record, symnet's outcome)`` for one scenario; skips while an operator it
    needs is not registered; for a recorded error, checks that symnet raises the same type."""
    missing = [op for op in needs.get(name, []) if find_op(op) is None]
    if missing:
        pytest.skip(f"operators not registered yet: {missing}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        actual = run_scenario(mx, scenarios[name])
    record = expected[name]
    if "error" in record:
        assert "error" in actual, f"{name}: expected {record['error']}, got {actual}"
        assert actual["error"] == record["error"], actual
    else:
        assert "result" in actual, f"{name}: raised {actual}"
    return record, actual


def assert_phrases(name: str, phrases, ours: str, theirs: str) -> None:
    """Every phrase appears in both messages (after :func:`normalise`)."""
    for phrase in phrases:
        assert normalise(phrase) in theirs, f"{name}: {phrase!r} not in MXNet's {theirs!r}"
        assert normalise(phrase) in ours, f"{name}: {phrase!r} not in ours {ours!r}"
