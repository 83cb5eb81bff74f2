"""Testing helpers with MXNet 1.x's names and signatures (``mx.test_utils``).

The gradient checker multiplies the output by a random projection and compares central
differences of ``sum(proj * f(x))`` with the executor's symbolic gradient.
"""
from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, Callable, Sequence

import numpy as np

from .base import MXNetError
from .context import Context, cpu
from .ndarray.ndarray import NDArray, array as nd_array

__all__ = ["default_context", "set_default_context", "default_dtype", "assert_almost_equal",
           "almost_equal", "same", "rand_ndarray", "rand_shape_2d", "rand_shape_3d",
           "rand_shape_nd", "random_arrays", "simple_forward", "check_numeric_gradient",
           "check_symbolic_forward", "check_symbolic_backward", "check_speed",
           "assert_exception", "discard_stderr", "numeric_grad"]

_default = {"ctx": cpu()}


def default_context() -> Context:
    """The context tests run on (``cpu()`` unless changed)."""
    return _default["ctx"]


def set_default_context(ctx: Context) -> None:
    _default["ctx"] = ctx


def default_dtype():
    return np.float32


def _as_numpy(a) -> np.ndarray:
    return a.asnumpy() if isinstance(a, NDArray) else np.asarray(a)


def _tolerances(a: np.ndarray, b: np.ndarray, rtol, atol) -> tuple[float, float]:
    dtype = np.result_type(a.dtype, b.dtype)
    default = {np.dtype(np.float16): (1e-2, 1e-1), np.dtype(np.float64): (1e-5, 1e-20)}
    r, t = default.get(dtype, (1e-4, 1e-3) if dtype == np.float32 else (1e-5, 1e-20))
    return (r if rtol is None else rtol), (t if atol is None else atol)


def almost_equal(a, b, rtol=None, atol=None, equal_nan: bool = False,
                 use_broadcast: bool = True) -> bool:
    """True if ``|a - b| <= atol + rtol * |b|`` everywhere."""
    a, b = _as_numpy(a), _as_numpy(b)
    if not use_broadcast and a.shape != b.shape:
        return False
    rtol, atol = _tolerances(a, b, rtol, atol)
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def assert_almost_equal(a, b, rtol=None, atol=None, names=("a", "b"), equal_nan: bool = False,
                        use_broadcast: bool = True, mismatches=(10, 10)) -> None:
    """Raise AssertionError naming the worst element unless ``almost_equal(a, b)``."""
    a, b = _as_numpy(a), _as_numpy(b)
    if not use_broadcast and a.shape != b.shape:
        raise AssertionError(f"shape mismatch: {names[0]} {a.shape} vs {names[1]} {b.shape}")
    r, t = _tolerances(a, b, rtol, atol)
    if np.allclose(a, b, rtol=r, atol=t, equal_nan=equal_nan):
        return
    a64, b64 = np.broadcast_arrays(a.astype(np.float64), b.astype(np.float64))
    err = np.abs(a64 - b64) / (t + r * np.abs(b64))
    err = np.where(np.isnan(err), np.inf, err)
    worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.size else ()
    raise AssertionError(
        f"Items are not equal (rtol={r}, atol={t}): error {float(err[worst]):.4g} at "
        f"{worst}: {names[0]}={a64[worst]!r} {names[1]}={b64[worst]!r}\n"
        f" {names[0]}: {a.ravel()[:mismatches[0]]}\n {names[1]}: {b.ravel()[:mismatches[1]]}")


def same(a, b) -> bool:
    """True if the arrays are exactly equal."""
    return bool(np.array_equal(_as_numpy(a), _as_numpy(b)))


def rand_shape_2d(dim0: int = 10, dim1: int = 10) -> tuple:
    return np.random.randint(1, dim0 + 1), np.random.randint(1, dim1 + 1)


def rand_shape_3d(dim0: int = 10, dim1: int = 10, dim2: int = 10) -> tuple:
    return (np.random.randint(1, dim0 + 1), np.random.randint(1, dim1 + 1),
            np.random.randint(1, dim2 + 1))


def rand_shape_nd(num_dim: int, dim: int = 10) -> tuple:
    return tuple(np.random.randint(1, dim + 1, size=num_dim))


def rand_ndarray(shape, stype: str = "default", density=None, dtype=None, **kwargs) -> NDArray:
    """A uniform random dense NDArray (only ``stype='default'`` exists in symnet)."""
    if stype != "default":
        raise MXNetError(f"symnet has no sparse storage (stype={stype!r})")
    return nd_array(np.random.uniform(-1, 1, shape), dtype=dtype or np.float32)


def random_arrays(*shapes):
    """Standard-normal NumPy arrays (one array, or a list for several shapes)."""
    arrays = [np.array(np.random.randn(), dtype=default_dtype()) if len(s) == 0 else
              np.random.randn(*s).astype(default_dtype()) for s in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def _location(sym, location, dtype) -> dict[str, np.ndarray]:
    """Arguments as NumPy arrays: floating-point ones in ``dtype``, integer ones kept as they
    are (lengths and indices stay integers)."""
    if isinstance(location, dict):
        missing = set(sym.list_arguments()) - set(location)
        if missing:
            raise ValueError(f"location is missing arguments {sorted(missing)}")
        items = location.items()
    else:
        items = zip(sym.list_arguments(), location)
    out = {}
    for k, v in items:
        v = np.asarray(_as_numpy(v))
        out[k] = v if v.dtype.kind in "iub" else v.astype(dtype)
    return out


def _aux(sym, aux_states, dtype) -> dict[str, np.ndarray]:
    if aux_states is None:
        return {}
    if isinstance(aux_states, dict):
        return {k: np.asarray(_as_numpy(v), dtype=dtype) for k, v in aux_states.items()}
    return {k: np.asarray(_as_numpy(v), dtype=dtype)
            for k, v in zip(sym.list_auxiliary_states(), aux_states)}


def _bind(sym, location: dict, aux: dict, ctx, grad_req, grads: bool):
    args = {k: nd_array(v, ctx, dtype=v.dtype) for k, v in location.items()}
    aux_nd = {k: nd_array(v, ctx, dtype=v.dtype) for k, v in aux.items()}
    args_grad = {k: nd_array(np.zeros_like(v), ctx, dtype=v.dtype)
                 for k, v in location.items()} if grads else None
    return sym.bind(ctx, args=args, args_grad=args_grad, grad_req=grad_req,
                    aux_states=aux_nd or None)


def simple_forward(sym, ctx=None, is_train: bool = False, **inputs):
    """Bind ``inputs`` (NumPy arrays) and return the outputs as NumPy arrays."""
    ctx = ctx or default_context()
    executor = _bind(sym, {k: np.asarray(v) for k, v in inputs.items()}, {}, ctx, "null",
                     False)
    outputs = [o.asnumpy() for o in executor.forward(is_train=is_train)]
    return outputs[0] if len(outputs) == 1 else outputs


def numeric_grad(executor, location: dict, aux: dict | None = None, eps: float = 1e-4,
                 use_forward_train: bool = True, projection: np.ndarray | None = None,
                 seed: int | None = None):
    """Central differences of ``sum(projection * output)`` for each argument in ``location``.

    With ``seed``, the global generator is reseeded before every evaluation, so random ops
    (Dropout) draw the same numbers each time.
    """
    from . import random as _random
    arrays = executor.arg_dict
    aux_snapshot = {k: v.asnumpy() for k, v in executor.aux_dict.items()}

    def objective() -> float:
        for k, v in aux_snapshot.items():  # aux states must not drift between evaluations
            executor.aux_dict[k][:] = v
        if seed is not None:
            _random.seed(seed)
        out = executor.forward(is_train=use_forward_train)[0].asnumpy().astype(np.float64)
        return float(np.sum(out * projection)) if projection is not None else float(out.sum())

    grads = {}
    for name in location:
        data = arrays[name]._data
        flat = data.reshape(-1)
        grad = np.zeros(flat.shape, np.float64)
        for i in range(flat.size):
            old = flat[i].item()
            flat[i] = old + eps / 2
            plus = objective()
            flat[i] = old - eps / 2
            minus = objective()
            flat[i] = old
            grad[i] = (plus - minus) / eps
        grads[name] = grad.reshape(data.shape)
    return grads


def check_numeric_gradient(sym, location, aux_states=None, numeric_eps=None, rtol=None,
                           atol=None, grad_nodes=None, use_forward_train: bool = True,
                           ctx=None, grad_stype_dict=None, dtype=default_dtype()):
    """Compare the symbolic gradient of ``sum(proj * sym)`` with central differences.

    ``location`` gives every argument (dict or list in ``list_arguments`` order);
    ``grad_nodes`` limits the check to some arguments. Use float64 for tight checks.
    """
    from . import random as _random
    ctx = ctx or default_context()
    dtype = np.dtype(dtype)
    location = _location(sym, location, dtype)
    aux = _aux(sym, aux_states, dtype)
    names = list(grad_nodes) if grad_nodes is not None else list(location)
    if isinstance(grad_nodes, dict):
        reqs = dict(grad_nodes)
    else:
        reqs = {n: ("write" if n in names else "null") for n in location}
    eps = numeric_eps if numeric_eps is not None else (1e-4 if dtype == np.float64 else 1e-3)
    rng = np.random.default_rng(1234)
    executor = _bind(sym, location, aux, ctx, reqs, True)
    _random.seed(7)
    out = executor.forward(is_train=use_forward_train)
    projection = rng.uniform(-1, 1, out[0].shape).astype(dtype)
    executor.backward([nd_array(projection, ctx, dtype=dtype)] +
                      [nd_array(np.zeros(o.shape), ctx, dtype=o.dtype) for o in out[1:]])
    symbolic = {n: executor.grad_dict[n].asnumpy() for n in names}
    checker = _bind(sym, location, aux, ctx, "null", False)
    for k, v in aux.items():
        checker.aux_dict[k][:] = v
    numeric = numeric_grad(checker, {n: location[n] for n in names}, aux, eps,
                           use_forward_train, projection.astype(np.float64), seed=7)
    default_rtol, default_atol = (1e-4, 1e-6) if dtype == np.float64 else (1e-2, 1e-3)
    for name in names:
        assert_almost_equal(symbolic[name], numeric[name],
                            rtol if rtol is not None else default_rtol,
                            atol if atol is not None else default_atol,
                            names=(f"SYMBOLIC_{name}", f"NUMERICAL_{name}"))


def check_symbolic_forward(sym, location, expected, rtol=None, atol=None, aux_states=None,
                           ctx=None, equal_nan: bool = False, dtype=default_dtype()):
    """Run forward and compare every output with ``expected``; returns the outputs."""
    ctx = ctx or default_context()
    location = _location(sym, location, np.dtype(dtype))
    executor = _bind(sym, location, _aux(sym, aux_states, np.dtype(dtype)), ctx, "null", False)
    outputs = [o.asnumpy() for o in executor.forward(is_train=False)]
    if isinstance(expected, dict):
        expected = [expected[k] for k in sym.list_outputs()]
    for name, out, exp in zip(sym.list_outputs(), outputs, expected):
        assert_almost_equal(out, exp, rtol, atol, names=(f"EXPECTED_{name}", f"FORWARD_{name}"),
                            equal_nan=equal_nan)
    return outputs


def check_symbolic_backward(sym, location, out_grads, expected, rtol=None, atol=None,
                            aux_states=None, grad_req="write", ctx=None, grad_stypes=None,
                            equal_nan: bool = False, dtype=default_dtype()):
    """Run forward (training) and backward with ``out_grads``; compare the gradients."""
    ctx = ctx or default_context()
    dtype = np.dtype(dtype)
    location = _location(sym, location, dtype)
    if isinstance(expected, (list, tuple)):
        expected = dict(zip(sym.list_arguments(), expected))
    reqs = grad_req if isinstance(grad_req, dict) else \
        {k: (grad_req if k in expected else "null") for k in location}
    executor = _bind(sym, location, _aux(sym, aux_states, dtype), ctx, reqs, True)
    executor.forward(is_train=True)
    if isinstance(out_grads, dict):
        out_grads = [out_grads[k] for k in sym.list_outputs()]
    if out_grads is not None:
        out_grads = [nd_array(_as_numpy(g), ctx, dtype=dtype) for g in out_grads]
    executor.backward(out_grads)
    grads = {k: executor.grad_dict[k].asnumpy() for k in expected}
    for name, exp in expected.items():
        assert_almost_equal(grads[name], exp, rtol, atol,
                            names=(f"BACKWARD_{name}", f"EXPECTED_{name}"), equal_nan=equal_nan)
    return grads


def check_speed(sym, location=None, ctx=None, N: int = 20, grad_req=None, typ: str = "whole",
                **kwargs) -> float:
    """Average seconds per run of forward+backward (``typ='whole'``) or forward only."""
    import time
    ctx = ctx or default_context()
    if location is None:
        executor = sym.simple_bind(ctx, grad_req=grad_req or "write", **kwargs)
        for arr in executor.arg_arrays:
            arr[:] = np.random.normal(size=arr.shape)
    else:
        executor = _bind(sym, _location(sym, location, np.float32), {}, ctx,
                         grad_req or "write", True)
    def run():
        executor.forward(is_train=typ == "whole")
        if typ == "whole":
            executor.backward([NDArray(np.ones(o.shape, o.dtype), ctx)
                               for o in executor.outputs])
    run()
    start = time.perf_counter()
    for _ in range(N):
        run()
    return (time.perf_counter() - start) / N


def assert_exception(f: Callable, exception_type, *args, **kwargs) -> None:
    """Assert that ``f(*args, **kwargs)`` raises ``exception_type``."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{f} did not raise {exception_type}")


@contextlib.contextmanager
def discard_stderr():
    """Silence everything written to stderr (also by C code) inside the block."""
    stderr_fd = sys.stderr.fileno()
    saved = os.dup(stderr_fd)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), stderr_fd)
        try:
            yield
        finally:
            os.dup2(saved, stderr_fd)
            os.close(saved)
