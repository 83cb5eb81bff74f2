"""The operator test template: one :class:`OpCase` per (operator, configuration).

Each family's cases live in ``tests/ops/cases_<family>.py`` as a ``CASES`` list;
``test_op_contract.py`` runs every case through every applicable check:

1. ``mx.nd.X`` equals an independent NumPy reference, for each dtype of the case;
2. the registered shape and type rules predict the real output shapes and dtypes;
3. ``req='add'`` adds into a pre-filled output;
4. every declared in-place pair gives the same result when the output *is* the input.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

import symnet as mx
from symnet.ops.kernel import OpContext
from symnet.ops.registry import OpDef, find_op

TOLERANCES = {
    "float16": (1e-2, 1e-2), "float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12),
}


@dataclass
class OpCase:
    """One operator configuration to test.

    ``inputs(rng, dtype)`` returns the NumPy inputs; ``reference(*inputs, **attrs)`` returns the
    expected output (or list of visible outputs) computed independently with NumPy.
    ``check(outputs, inputs)`` replaces ``reference`` for ops without an exact reference
    (random sampling). ``grad`` marks cases for the numeric-gradient test; ``grad_inputs``
    limits it to some inputs (default: every floating-point input).
    """

    op: str
    inputs: Callable[[np.random.Generator, np.dtype], list]
    attrs: dict = field(default_factory=dict)
    reference: Callable | None = None
    check: Callable | None = None
    dtypes: Sequence[str] = ("float32", "float64")
    rtol: float | None = None
    atol: float | None = None
    grad: bool = True
    grad_inputs: Sequence[int] | None = None
    id: str = ""

    @property
    def name(self) -> str:
        return f"{self.op}-{self.id}" if self.id else self.op

    def opdef(self) -> OpDef:
        op = find_op(self.op)
        assert op is not None, f"{self.op} is not registered"
        return op

    def tolerance(self, dtype: str) -> tuple[float, float]:
        rtol, atol = TOLERANCES.get(dtype, (0, 0))
        return (self.rtol if self.rtol is not None else rtol,
                self.atol if self.atol is not None else atol)


def rand(*shape, low=-1.0, high=1.0):
    """An ``inputs`` factory: one uniform random array per shape, in the case dtype."""
    shapes = shape if shape and isinstance(shape[0], tuple) else (shape,)

    def make(rng, dtype):
        return [rng.uniform(low, high, s).astype(dtype) for s in shapes]
    return make


def sym_function(name: str) -> Callable:
    """The generated ``mx.sym`` function for an op or alias name."""
    from symnet.ops.signature import namespace_of
    space, short = namespace_of(name)
    module = mx.sym if space == "op" else getattr(mx.sym, space)
    return getattr(module, short)


def nd_function(name: str) -> Callable:
    """The generated ``mx.nd`` function for an op or alias name."""
    from symnet.ops.signature import namespace_of
    space, short = namespace_of(name)
    module = mx.nd if space == "op" else getattr(mx.nd, space)
    return getattr(module, short)


def run_nd(case: OpCase, arrays: list[np.ndarray]) -> list[np.ndarray]:
    """Call ``mx.nd.<op>`` on the arrays; return the visible outputs as NumPy arrays."""
    result = nd_function(case.op)(*[mx.nd.array(a, dtype=a.dtype) for a in arrays],
                                  **case.attrs)
    result = result if isinstance(result, list) else [result]
    return [r.asnumpy() for r in result]


def run_kernel(case: OpCase, arrays: list[np.ndarray], req: str | list = "write",
               prefill: list[np.ndarray] | None = None, inplace: tuple[int, int] | None = None):
    """Call the kernel directly with the given request; returns all outputs (hidden too)."""
    op = case.opdef()
    params = op.parse(kernel_attrs(case, arrays))
    n_out = op.num_outputs(params)
    shapes = op.shapes(params, [a.shape for a in arrays], [None] * n_out)[1]
    types = op.types(params, [a.dtype for a in arrays], [None] * n_out)[1]
    ins = [a.copy() for a in arrays]
    outs = [np.zeros(s, t) if prefill is None else prefill[j].copy()
            for j, (s, t) in enumerate(zip(shapes, types))]
    if inplace is not None:
        i, j = inplace
        outs[j] = ins[i]
    reqs = list(req) if isinstance(req, (list, tuple)) else [req] * n_out
    op.forward(params, OpContext(rng=np.random.default_rng(7)), ins, reqs, outs)
    return outs


def kernel_attrs(case: OpCase, arrays: list) -> dict:
    """The case's attributes, with the input count filled in for variadic ops."""
    op = case.opdef()
    if op.num_args_key is None or op.num_args_key in case.attrs:
        return case.attrs
    return {**case.attrs, op.num_args_key: len(arrays)}


def as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def assert_close(actual, expected, dtype: str, case: OpCase, what: str) -> None:
    rtol, atol = case.tolerance(dtype)
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, \
        f"{case.name} {what}: shape {actual.shape} != expected {expected.shape}"
    if expected.dtype.kind in "iub" or actual.dtype.kind in "iub":
        np.testing.assert_array_equal(actual, expected, err_msg=f"{case.name} {what}")
    else:
        np.testing.assert_allclose(actual, expected.astype(actual.dtype), rtol=rtol, atol=atol,
                                   equal_nan=True, err_msg=f"{case.name} {what} [{dtype}]")


def case_inputs(case: OpCase, dtype: str, seed: int = 0) -> list[np.ndarray]:
    return case.inputs(np.random.default_rng(seed), np.dtype(dtype))


def collect(*modules) -> list[OpCase]:
    cases: list[OpCase] = []
    for module in modules:
        cases.extend(module.CASES)
    return cases


def param_id(case_dtype) -> str:
    case, dtype = case_dtype
    return f"{case.name}[{dtype}]"


def expand(cases: list[OpCase]) -> list[Any]:
    return [(c, d) for c in cases for d in c.dtypes]


def planned_and_unplanned(net, x: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(output, gradient of ``x``) of a float64 training step of ``net`` on ``x``, with the
    memory plan and with one buffer per entry (``config.memory_plan``), in that order."""
    from symnet import config
    results = []
    for plan in (True, False):
        old, config.memory_plan = config.memory_plan, plan
        try:
            ex = net.simple_bind(mx.cpu(), x=x.shape, type_dict={"x": "float64"})
            out = ex.forward(is_train=True, x=x)[0].asnumpy()
            ex.backward(mx.nd.ones(x.shape, dtype="float64"))
            results.append((out, ex.grad_dict["x"].asnumpy()))
        finally:
            config.memory_plan = old
    return results
