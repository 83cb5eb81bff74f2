"""Cases for symnet/ops/defs/binary.py."""
from __future__ import annotations

import numpy as np

from symnet.ops.defs.binary import (_DIFFERENTIABLE, _SCALAR_DIFFERENTIABLE, BINARY,
                                   SCALAR_NAMES)

from .harness import OpCase


def _ref_mod(a, b):
    """Python-style modulo with x mod 0 == 0, element by element (independent of numpy.mod)."""
    a, b = np.broadcast_arrays(a, b)
    out = np.zeros(a.shape, np.result_type(a, b))
    for idx in np.ndindex(a.shape):
        x, y = a[idx].item(), b[idx].item()
        out[idx] = 0 if y == 0 else x - y * np.floor(x / y) if isinstance(x, float) else x % y
    return out


def _trunc_div(a, b):
    if np.asarray(a).dtype.kind == "i":
        q = np.abs(a) // np.abs(b)
        return (np.sign(a) * np.sign(b) * q).astype(np.asarray(a).dtype)
    return a / b


REFERENCE = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": _trunc_div, "mod": _ref_mod, "power": lambda a, b: a ** b,
    "maximum": lambda a, b: np.where(a > b, a, b), "minimum": lambda a, b: np.where(a < b, a, b),
    "hypot": lambda a, b: np.sqrt(a * a + b * b),
    "equal": lambda a, b: (a == b), "not_equal": lambda a, b: (a != b),
    "greater": lambda a, b: (a > b), "greater_equal": lambda a, b: (a >= b),
    "lesser": lambda a, b: (a < b), "lesser_equal": lambda a, b: (a <= b),
    "logical_and": lambda a, b: (a != 0) & (b != 0), "logical_or": lambda a, b: (a != 0) | (b != 0),
    "logical_xor": lambda a, b: (a != 0) ^ (b != 0),
}


def _typed(fn):
    def ref(a, b, **_):
        out = np.asarray(fn(a, b))
        return out.astype(np.result_type(a, b))
    return ref


def _pair(shape_a, shape_b, positive=False, tie=True):
    def make(rng, dtype):
        lo = 0.5 if positive else -2.0
        a = rng.uniform(lo, 2.0, shape_a)
        b = rng.uniform(lo, 2.0, shape_b)
        if dtype.kind in "iu":
            a, b = np.round(a * 3), np.round(b * 3)
        if tie and not positive:  # make ties, so comparisons see equal elements
            b.flat[0] = a.flat[0] if a.shape == b.shape else b.flat[0]
        if positive and dtype.kind in "iu":
            b = np.maximum(b, 1)
        return [a.astype(dtype), b.astype(dtype)]
    return make


CASES = []
for short, (fn, ew_name, _, _) in BINARY.items():
    positive = short in ("power", "div", "mod")
    ref = _typed(REFERENCE[short])
    smooth = short in _DIFFERENTIABLE  # comparisons and logic have no gradient
    tie = not smooth  # ties exercise comparisons; differentiable cases avoid kinks
    CASES.append(OpCase(ew_name, _pair((3, 4), (3, 4), positive, tie), reference=ref,
                        dtypes=("float32", "float64", "int32"), grad=smooth))
    CASES.append(OpCase(f"broadcast_{short}", _pair((2, 3, 4), (3, 1), positive, tie),
                        reference=ref, dtypes=("float32", "float64", "int32"), id="bcast",
                        grad=smooth))
    CASES.append(OpCase(f"broadcast_{short}", _pair((2, 1, 4), (2, 3, 1), positive, tie),
                        reference=ref, dtypes=("float64",), id="both", grad=smooth))

SCALAR_REFERENCE = {
    "_plus_scalar": lambda x, s: x + s, "_minus_scalar": lambda x, s: x - s,
    "_rminus_scalar": lambda x, s: s - x, "_mul_scalar": lambda x, s: x * s,
    "_div_scalar": lambda x, s: _trunc_div(x, s), "_rdiv_scalar": lambda x, s: _trunc_div(
        np.full_like(x, s), x),
    "_mod_scalar": lambda x, s: _ref_mod(x, np.full_like(x, s)),
    "_rmod_scalar": lambda x, s: _ref_mod(np.full_like(x, s), x),
    "_power_scalar": lambda x, s: x.astype(float) ** s,
    "_rpower_scalar": lambda x, s: float(s) ** x.astype(float),
    "_maximum_scalar": lambda x, s: np.where(x > s, x, s),
    "_minimum_scalar": lambda x, s: np.where(x < s, x, s),
    "_hypot_scalar": lambda x, s: np.sqrt(x.astype(float) ** 2 + s * s),
    "_equal_scalar": lambda x, s: x == s, "_not_equal_scalar": lambda x, s: x != s,
    "_greater_scalar": lambda x, s: x > s, "_greater_equal_scalar": lambda x, s: x >= s,
    "_lesser_scalar": lambda x, s: x < s, "_lesser_equal_scalar": lambda x, s: x <= s,
    "_logical_and_scalar": lambda x, s: (x != 0) & (s != 0),
    "_logical_or_scalar": lambda x, s: (x != 0) | (s != 0),
    "_logical_xor_scalar": lambda x, s: (x != 0) ^ (s != 0),
}


def _scalar_ref(fn, scalar):
    def ref(x, **_):
        s = x.dtype.type(scalar) if x.dtype.kind in "iu" else scalar
        with np.errstate(all="ignore"):
            return np.asarray(fn(x, s)).astype(x.dtype)
    return ref


def _positive(shape):
    def make(rng, dtype):
        x = rng.uniform(0.5, 3.0, shape)
        return [(np.round(x * 2) if dtype.kind in "iu" else x).astype(dtype)]
    return make


for name in SCALAR_NAMES:
    for scalar in (2.5, 1):
        CASES.append(OpCase(name, _positive((3, 4)), attrs={"scalar": scalar},
                            reference=_scalar_ref(SCALAR_REFERENCE[name], scalar),
                            dtypes=("float32", "float64", "int32"), id=f"s{scalar}",
                            grad=name in _SCALAR_DIFFERENTIABLE))
