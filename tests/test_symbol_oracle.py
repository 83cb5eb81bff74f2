"""Symbol behaviour compared with answers recorded from MXNet 1.9.1.

The scenarios live in ``tests/fixtures/symbol_scenarios.py``; ``make_symbol_fixtures.py``
recorded MXNet's results and errors into ``symbol_expected.json``. Results must be equal (JSON
text byte for byte). For errors the exception type must match and symnet's message must appear
in MXNet's, which carries extra C++ source locations.
"""
from __future__ import annotations

import pytest

from .oracle_scenarios import (assert_phrases, load_expected, normalise, result_text,
                               run_recorded)
from symbol_scenarios import NEEDS, SCENARIOS  # noqa: E402  (fixtures/ is on sys.path)

EXPECTED = load_expected("symbol_expected.json")

# Where symnet's wording deliberately differs, the phrases both messages must contain.
KEY_PHRASES: dict[str, list[str]] = {
    "infer_inconsistent_elemwise": ["_plus0", "Incompatible attr", "1-th input",
                                    "expected [2,3], got [3,2]"],
    "param_unknown": ["Cannot find argument 'bogus'", "num_hidden : int, required"],
    "op_attr_unknown": ["Cannot find argument 'foo'", "num_hidden : int, required"],
    "infer_softmax_bad_label": ["Shape inconsistent", "Provided = [5]"],
    "infer_type_conflict": ["Error in operator fc1", "expected float32, got float64"],
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_matches_mxnet(name):
    expected, actual = run_recorded(name, SCENARIOS, NEEDS, EXPECTED)
    if "error" in expected:
        ours, theirs = normalise(actual["message"]), normalise(expected["message"])
        assert_phrases(name, KEY_PHRASES.get(name, [ours]), ours, theirs)
    else:
        theirs = result_text(expected["result"]).replace("mxnet.", "symnet.")
        assert result_text(actual["result"]) == theirs
