"""Every registered operator against the contract of ``harness.py`` (see its docstring)."""
from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import tests.ops as ops_tests
from symnet.ops.registry import list_ops

import symnet as mx
from symnet import config
from symnet.test_utils import assert_almost_equal, check_numeric_gradient

from .harness import (as_list, assert_close, case_inputs, expand, kernel_attrs, param_id,
                      run_kernel, run_nd, sym_function)

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


def _sample_slots(case) -> tuple[str, list, list, int] | None:
    """(dtype, inputs, per-sample positions, batch) of a case whose operator declares itself
    per-sample there with a batch of two or more samples; None otherwise."""
    op = case.opdef()
    if op.per_sample is None:
        return None
    dtype = "float64" if "float64" in case.dtypes else case.dtypes[0]
    arrays = case_inputs(case, dtype)
    positions = op.per_sample(op.parse(kernel_attrs(case, arrays)), [a.shape for a in arrays])
    batches = {arrays[i].shape[0] if arrays[i].ndim else 0 for i in positions or ()}
    if positions is None or len(batches) != 1 or min(batches) < 2:
        return None
    return dtype, arrays, list(positions), batches.pop()


PER_SAMPLE_CASES = [c for c in CASES if _sample_slots(c) is not None]


@pytest.mark.parametrize("case", PER_SAMPLE_CASES, ids=lambda c: c.name)
def test_per_sample_declaration(case):
    """Where an operator declares itself per-sample (``OpDef.per_sample``), inference passes
    over the first sample and over the others give the whole batch's outputs: per-sample
    outputs concatenated, any other output unchanged. Executors slice passes on this."""
    dtype, arrays, positions, n = _sample_slots(case)
    whole = run_kernel(case, arrays)
    parts = [run_kernel(case, [a[lo:hi] if i in positions else a for i, a in enumerate(arrays)])
             for lo, hi in ((0, 1), (1, n))]
    for k, out in enumerate(whole):
        if parts[0][k].shape == out.shape:
            for part in parts:
                assert_close(part[k], out, dtype, case, f"output {k} of a slice")
        else:
            assert out.shape[0] == n
            assert_close(np.concatenate([part[k] for part in parts]), out, dtype, case,
                         f"per-sample output {k}")


def test_every_per_sample_declaration_is_checked():
    declared = {c.opdef().name for c in CASES if c.opdef().per_sample is not None}
    assert not declared - {c.opdef().name for c in PER_SAMPLE_CASES}


def test_every_operator_has_a_case():
    covered = {c.opdef().name for c in CASES}
    missing = sorted(op.name for op in list_ops() if op.name not in covered)
    assert not missing, f"operators without a test case: {missing}"


GRAD_CASES = [c for c in CASES if c.grad and c.check is None and "float64" in c.dtypes]


def _case_symbol(case, arrays):
    names = [f"x{i}" for i in range(len(arrays))]
    sym = sym_function(case.op)(*[mx.sym.Variable(n) for n in names], **case.attrs)
    sym = sym[0] if len(sym.list_outputs()) > 1 else sym
    chosen = case.grad_inputs if case.grad_inputs is not None else \
        [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    return sym, dict(zip(names, arrays)), [names[i] for i in chosen]


def _executor_grads(sym, location, grad_nodes, plan: bool):
    old, config.memory_plan = config.memory_plan, plan
    try:
        args = {k: mx.nd.array(v, dtype=v.dtype) for k, v in location.items()}
        grads = {k: mx.nd.zeros(v.shape, dtype=v.dtype) for k, v in location.items()}
        reqs = {k: ("write" if k in grad_nodes else "null") for k in location}
        exe = sym.bind(mx.cpu(), args, args_grad=grads, grad_req=reqs)
        out = exe.forward(is_train=True)
        head = np.random.default_rng(3).uniform(-1, 1, out[0].shape)
        exe.backward([mx.nd.array(head, dtype=out[0].dtype)])
        return [o.asnumpy() for o in out] + [grads[k].asnumpy() for k in grad_nodes]
    finally:
        config.memory_plan = old


@pytest.mark.parametrize("case", GRAD_CASES, ids=lambda c: c.name)
def test_numeric_gradient(case):
    """Symbolic gradient vs central differences (float64), through the bound executor."""
    arrays = case_inputs(case, "float64")
    sym, location, grad_nodes = _case_symbol(case, arrays)
    if not grad_nodes:
        pytest.skip("no floating-point input to differentiate")
    check_numeric_gradient(sym, location, grad_nodes=grad_nodes, dtype=np.float64)


@pytest.mark.parametrize("case", GRAD_CASES, ids=lambda c: c.name)
def test_planned_matches_unplanned(case):
    """The memory-planned executor gives exactly what one-buffer-per-entry execution gives."""
    arrays = case_inputs(case, "float64")
    sym, location, grad_nodes = _case_symbol(case, arrays)
    planned = _executor_grads(sym, location, grad_nodes, True)
    unplanned = _executor_grads(sym, location, grad_nodes, False)
    for a, b in zip(planned, unplanned):
        assert_almost_equal(a, b, rtol=0, atol=0)


@pytest.mark.parametrize("case_dtype", EXPANDED, ids=param_id)
def test_null_request_leaves_output_untouched(case_dtype):
    """``req='null'`` for one output: that output keeps its content, the others are right."""
    case, dtype = case_dtype
    arrays = case_inputs(case, dtype)
    written = run_kernel(case, arrays, "write")
    for j in range(len(written)):
        reqs = ["write"] * len(written)
        reqs[j] = "null"
        prefill = [np.ones(w.shape, w.dtype) for w in written]
        result = run_kernel(case, arrays, reqs, prefill=prefill)
        for k, (r, w) in enumerate(zip(result, written)):
            expected = prefill[k] if k == j else w
            assert_close(r, expected, dtype, case, f"output {k} with req[{j}]='null'")
