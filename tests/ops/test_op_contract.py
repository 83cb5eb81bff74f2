"""Every registered operator against the contract of ``harness.py`` (see its docstring)."""
from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import tests.ops as ops_tests
from symnet.ops.registry import list_ops

from .harness import (as_list, assert_close, case_inputs, expand, param_id, run_kernel,
                      run_nd)

CASES = []
for info in pkgutil.iter_modules(ops_tests.__path__):
    if info.name.startswith("cases_"):
        CASES.extend(importlib.import_module(f"tests.ops.{info.name}").CASES)
EXPANDED = expand(CASES)


@pytest.mark.parametrize("case_dtype", EXPANDED, ids=param_id)
def test_forward_matches_reference(case_dtype):
    case, dtype = case_dtype
    arrays = case_inputs(case, dtype)
    outputs = run_nd(case, arrays)
    if case.check is not None:
        case.check(outputs, arrays)
        return
    expected = as_list(case.reference(*arrays, **case.attrs))
    assert len(outputs) == len(expected), f"{case.name}: {len(outputs)} outputs"
    for k, (out, exp) in enumerate(zip(outputs, expected)):
        assert_close(out, exp, dtype, case, f"output {k}")


@pytest.mark.parametrize("case_dtype", EXPANDED, ids=param_id)
def test_inference_matches_output(case_dtype):
    case, dtype = case_dtype
    arrays = case_inputs(case, dtype)
    op = case.opdef()
    params = op.parse(case.attrs)
    n_out = op.num_outputs(params)
    _, shapes = op.shapes(params, [a.shape for a in arrays], [None] * n_out)
    _, types = op.types(params, [a.dtype for a in arrays], [None] * n_out)
    outputs = run_nd(case, arrays)
    for out, shape, dt in zip(outputs, shapes, types):
        assert out.shape == tuple(shape), f"{case.name}: inferred {shape}, got {out.shape}"
        assert out.dtype == dt, f"{case.name}: inferred {dt}, got {out.dtype}"


@pytest.mark.parametrize("case_dtype", EXPANDED, ids=param_id)
def test_add_mode_accumulates(case_dtype):
    case, dtype = case_dtype
    arrays = case_inputs(case, dtype)
    written = run_kernel(case, arrays, "write")
    prefill = [np.full(w.shape, 3, w.dtype) if w.dtype != bool else np.ones(w.shape, bool)
               for w in written]
    added = run_kernel(case, arrays, "add", prefill=prefill)
    for k, (a, w, p) in enumerate(zip(added, written, prefill)):
        if w.dtype == bool:
            continue
        assert_close(a, (p + w).astype(w.dtype), dtype, case, f"add-mode output {k}")


@pytest.mark.parametrize("case_dtype", EXPANDED, ids=param_id)
def test_inplace_pairs(case_dtype):
    case, dtype = case_dtype
    arrays = case_inputs(case, dtype)
    op = case.opdef()
    pairs = op.inplace(op.parse(case.attrs))
    written = run_kernel(case, arrays, "write")
    for i, j in pairs:
        if arrays[i].shape != written[j].shape or arrays[i].dtype != written[j].dtype:
            continue
        result = run_kernel(case, arrays, "inplace", inplace=(i, j))
        assert_close(result[j], written[j], dtype, case, f"in-place pair {(i, j)}")


def test_every_operator_has_a_case():
    covered = {c.opdef().name for c in CASES}
    missing = sorted(op.name for op in list_ops() if op.name not in covered)
    assert not missing, f"operators without a test case: {missing}"
