"""Cases for symnet/ops/defs/unary.py.

References are computed element by element with Python's ``math`` module (SciPy only for
erfinv), in double precision, then converted to the output dtype with a C-cast emulation
written here (integer results: truncation; NaN/inf/out of range -> INT_MIN), as MXNet does.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special

from .harness import OpCase

INT_MIN = -2 ** 31
DEG32 = 57.2957763671875       # MXNet's float32 180/pi, printed by the oracle
RAD32 = 0.01745329238474369    # MXNet's float32 pi/180


def _safe(fn):
    """A scalar function returning nan on a domain error and inf on overflow."""
    def call(v):
        try:
            return float(fn(v))
        except ValueError:
            return math.nan
        except (OverflowError, ZeroDivisionError):
            return math.inf
    return call


def _round_away(v):
    r = float(round(v))                       # Python rounds ties to even ...
    frac = v - math.trunc(v)
    if abs(frac) == 0.5:                      # ... MXNet rounds them away from zero
        r = math.trunc(v) + math.copysign(1.0, v)
    return r


def _cbrt(v):
    """Cube root: a power, then one Newton step (so perfect cubes come out exact)."""
    if v == 0 or math.isinf(v):
        return v
    a = abs(v)
    r = a ** (1.0 / 3.0)
    r -= (r * r * r - a) / (3.0 * r * r)
    return math.copysign(r, v)


def _rint_down(v):
    if math.isinf(v) or math.isnan(v):
        return v
    lo, hi = math.floor(v), math.ceil(v)
    return float(lo if v - lo <= hi - v else hi)


SCALAR = {
    "abs": abs, "sign": lambda v: 0.0 if v == 0 or v != v else math.copysign(1.0, v),
    "round": _round_away, "rint": _rint_down, "ceil": math.ceil, "floor": math.floor,
    "fix": math.trunc, "trunc": math.trunc, "square": lambda v: v * v, "sqrt": math.sqrt,
    "rsqrt": lambda v: 1.0 / math.sqrt(v),
    "cbrt": _cbrt, "rcbrt": lambda v: 1.0 / _cbrt(v),
    "reciprocal": lambda v: 1.0 / v, "exp": math.exp, "expm1": math.expm1, "log": math.log,
    "log2": math.log2, "log10": math.log10, "log1p": math.log1p, "sin": math.sin,
    "cos": math.cos, "tan": math.tan, "arcsin": math.asin, "arccos": math.acos,
    "arctan": math.atan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
    "arcsinh": math.asinh, "arccosh": math.acosh, "arctanh": math.atanh,
    "sigmoid": lambda v: 1.0 / (1.0 + math.exp(-v)), "relu": lambda v: v if v > 0 else 0.0,
    "softsign": lambda v: v / (1.0 + abs(v)), "erf": math.erf,
    "erfinv": lambda v: float(special.erfinv(v)), "gamma": math.gamma,
    "gammaln": math.lgamma, "negative": lambda v: -v,
    "logical_not": lambda v: 1.0 if v == 0 else 0.0, "degrees": lambda v: v * DEG32,
    "radians": lambda v: v * RAD32,
}


def c_int32(v: float) -> int:
    """C conversion of a double to int32 on x86: truncation, INT_MIN when not representable."""
    if v != v or math.isinf(v) or not (INT_MIN <= math.trunc(v) < -INT_MIN):
        return INT_MIN
    return int(math.trunc(v))


FLOAT32_INT_OPS = {   # ops that MXNet computes in float32 for integer arrays
    "degrees": lambda f: f * np.float32(DEG32), "radians": lambda f: f * np.float32(RAD32),
    "square": lambda f: f * f,
}


def _int_value(op: str, fn, v: int) -> int:
    """The int32 result of ``op`` on the integer ``v``."""
    if op == "erfinv" and abs(v) > 1:
        return 0                                  # MXNet returns the int "NaN", i.e. 0
    if op in FLOAT32_INT_OPS:
        return c_int32(float(FLOAT32_INT_OPS[op](np.float32(v))))
    if op == "sigmoid" and v == INT_MIN:          # -x is taken in int32 and wraps
        return c_int32(fn(-float(v)))
    return c_int32(fn(float(v)))


def reference(op: str):
    fn = _safe(SCALAR[op])

    def ref(x, **_):
        out = np.empty(x.shape, x.dtype)
        for idx in np.ndindex(x.shape):
            v = x[idx].item()
            out[idx] = _int_value(op, fn, v) if x.dtype.kind == "i" else fn(float(v))
        return out
    return ref


# ---- inputs --------------------------------------------------------------------------------
def uniform(low, high, shape=(3, 4), int_low=None, int_high=None, nonzero=False):
    """Floats in [low, high); integers in [int_low, int_high] for integer dtypes."""
    def make(rng, dtype):
        if dtype.kind == "i":
            lo = int(math.floor(low)) if int_low is None else int_low
            hi = int(math.ceil(high)) if int_high is None else int_high
            return [rng.integers(lo, hi + 1, shape).astype(dtype)]
        x = rng.uniform(low, high, shape)
        if nonzero:
            x = np.where(np.abs(x) < 0.2, 0.2 + x, x)
        return [x.astype(dtype)]
    return make


def with_halves(rng, dtype):
    """Random values with exact .5 ties for the rounding functions."""
    x = rng.uniform(-3, 3, (3, 4))
    x.flat[:6] = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]
    if dtype.kind == "i":
        return [rng.integers(-5, 6, (3, 4)).astype(dtype)]
    return [x.astype(dtype)]


# op -> inputs (floats for float dtypes, integers for int32)
DOMAINS = {
    "abs": uniform(-2, 2), "sign": uniform(-2, 2),
    "square": uniform(-2, 2, int_low=-46000, int_high=46000),
    "sqrt": uniform(0.1, 3, int_low=-3, int_high=20), "rsqrt": uniform(0.1, 3, int_low=-2),
    "cbrt": uniform(-3, 3, int_low=-30, int_high=30),
    "rcbrt": uniform(-3, 3, nonzero=True, int_low=-30, int_high=30),
    "reciprocal": uniform(-2, 2, nonzero=True, int_low=-3, int_high=3),
    "exp": uniform(-2, 2, int_low=-5, int_high=25), "expm1": uniform(-2, 2, int_low=-5,
                                                                      int_high=25),
    "log": uniform(0.1, 3, int_low=0, int_high=100), "log2": uniform(0.1, 3, int_high=100),
    "log10": uniform(0.1, 3, int_high=1000), "log1p": uniform(-0.5, 2, int_low=-2,
                                                              int_high=100),
    "sin": uniform(-3, 3), "cos": uniform(-3, 3), "tan": uniform(-1.2, 1.2, int_low=-5,
                                                                 int_high=5),
    "arcsin": uniform(-0.9, 0.9), "arccos": uniform(-0.9, 0.9), "arctan": uniform(-3, 3),
    "sinh": uniform(-2, 2, int_low=-25, int_high=25),
    "cosh": uniform(-2, 2, int_low=-25, int_high=25),
    "tanh": uniform(-2, 2, int_low=-25, int_high=25), "arcsinh": uniform(-3, 3, int_low=-50,
                                                                         int_high=50),
    "arccosh": uniform(1.1, 3, int_low=0, int_high=50), "arctanh": uniform(-0.9, 0.9),
    "sigmoid": uniform(-3, 3, int_low=-40, int_high=40), "relu": uniform(-2, 2),
    "softsign": uniform(-3, 3), "erf": uniform(-2, 2, int_low=-6, int_high=6),
    "erfinv": uniform(-0.9, 0.9, int_low=-3, int_high=3),
    "gamma": uniform(0.2, 4, int_low=-2, int_high=12),
    "gammaln": uniform(0.2, 4, int_low=-2, int_high=60), "negative": uniform(-2, 2),
    "logical_not": uniform(-2, 2), "degrees": uniform(-3, 3, int_low=-100, int_high=100),
    "radians": uniform(-200, 200, int_low=-400, int_high=400),
}
ROUNDING = ("round", "rint", "ceil", "floor", "fix", "trunc")
NOT_DIFFERENTIABLE = ROUNDING + ("sign", "logical_not")
HALF = ("abs", "exp", "sin", "sqrt", "round", "rint", "relu", "sigmoid", "degrees", "erf",
        "gamma", "negative")

CASES: list[OpCase] = []
for _op in ROUNDING + tuple(DOMAINS):
    _inputs = with_halves if _op in ROUNDING else DOMAINS[_op]
    _dtypes = ("float32", "float64", "float16") if _op in HALF else ("float32", "float64")
    CASES.append(OpCase(_op, _inputs, reference=reference(_op), dtypes=_dtypes,
                        grad=_op not in NOT_DIFFERENTIABLE))
    CASES.append(OpCase(_op, _inputs, reference=reference(_op), dtypes=("int32",),
                        grad=False, id="int"))

CASES.append(OpCase("gamma", uniform(-2.9, -0.1), reference=reference("gamma"),
                    dtypes=("float64",), id="negative"))


# ---- _copy, BlockGrad, Cast, clip -----------------------------------------------------------
def _identity(x, **_):
    return np.array([v for v in x.flat], x.dtype).reshape(x.shape)


def _bools(rng, dtype):
    return [rng.integers(0, 2, (3, 4)).astype(bool)]


for _op in ("_copy", "identity", "BlockGrad", "stop_gradient"):
    CASES.append(OpCase(_op, uniform(-2, 2), reference=_identity,
                        dtypes=("float32", "float64", "int32"), grad=_op in ("_copy",
                                                                               "identity")))
CASES.append(OpCase("_copy", _bools, reference=_identity, dtypes=("bool",), grad=False,
                    id="bool"))


def cast_reference(target: str):
    """Convert element by element following MXNet's C conversions (see unary.py docs)."""
    dt = np.dtype(target)

    def ref(x, **_):
        out = np.empty(x.shape, dt)
        for idx in np.ndindex(x.shape):
            v = x[idx].item()
            if dt == np.bool_:
                out[idx] = v != 0
            elif dt.kind in "iu":
                # float: the C conversion to int32; int: the value. Then keep the low bits.
                bits = c_int32(v) if isinstance(v, float) else int(v)
                width = dt.itemsize * 8
                low = bits & ((1 << width) - 1)
                out[idx] = low - (1 << width) if dt.kind == "i" and low >> (width - 1) else low
            else:
                out[idx] = v
        return out
    return ref


def _cast_inputs(rng, dtype):
    x = rng.uniform(-3, 300, (3, 4))
    x.flat[:4] = [-0.9, -1.0, 255.9, 256.5]
    if dtype.kind == "i":
        return [np.trunc(x).astype(dtype)]
    return [x.astype(dtype)]


for _target, _dtypes in (("int32", ("float32", "float64", "float16")),
                         ("uint8", ("float32", "float64")), ("int8", ("float64", "int32")),
                         ("float16", ("float32", "float64", "int32")),
                         ("float32", ("float64", "float16", "int32", "float32")),
                         ("float64", ("float32", "int32")), ("bool", ("float32", "int32"))):
    # A float16/float32 target rounds, so central differences through it are meaningless;
    # the Cast gradient is checked here float64 -> float64 and by hand in test_unary.py.
    CASES.append(OpCase("Cast", _cast_inputs, attrs={"dtype": _target},
                        reference=cast_reference(_target), dtypes=_dtypes, grad=False,
                        id=_target))
CASES.append(OpCase("Cast", _cast_inputs, attrs={"dtype": "float64"},
                    reference=cast_reference("float64"), dtypes=("float64",), id="same"))
CASES.append(OpCase("cast", _bools, attrs={"dtype": "float32"},
                    reference=cast_reference("float32"), dtypes=("bool",), grad=False,
                    id="from_bool"))


def clip_reference(x, a_min, a_max, **_):
    """if x > a_max: a_max, elif x < a_min: a_min, else x; bounds are float32 values."""
    lo, hi = float(np.float32(a_min)), float(np.float32(a_max))
    out = np.empty(x.shape, x.dtype)
    for idx in np.ndindex(x.shape):
        v = x[idx].item()
        pick = hi if v > hi else lo if v < lo else v
        out[idx] = math.trunc(pick) if x.dtype.kind == "i" else pick
    return out


CASES += [
    OpCase("clip", uniform(-2, 2), attrs={"a_min": -0.5, "a_max": 0.7},
           reference=clip_reference, dtypes=("float32", "float64", "float16")),
    OpCase("clip", uniform(-5, 5), attrs={"a_min": -2.5, "a_max": 3.7},
           reference=clip_reference, dtypes=("int32",), grad=False, id="int"),
    OpCase("clip", uniform(-2, 2), attrs={"a_min": 1.0, "a_max": -1.0},
           reference=clip_reference, dtypes=("float64",), grad=False, id="reversed"),
]


# ---- backward ops: _backward_relu, _backward_clip, _backward_cast, _polygamma ---------------
def _pair(make_second):
    """(head gradient, second input) with the head gradient uniform in [-1, 1)."""
    def make(rng, dtype):
        og = rng.uniform(-1, 1, (3, 4)).astype(dtype)
        return [og, make_second(rng, dtype)]
    return make


def _relu_outputs(rng, dtype):
    y = np.maximum(rng.uniform(-2, 2, (3, 4)), 0.0)
    y.flat[:2] = [0.0, math.nan] if dtype.kind == "f" else [0, 0]
    return y.astype(dtype)


def backward_relu_reference(og, y, **_):
    out = np.empty(og.shape, og.dtype)
    for idx in np.ndindex(og.shape):
        v = y[idx].item()
        out[idx] = math.nan if v != v else (og[idx].item() if v > 0 else 0.0)
    return out


def _clip_data(rng, dtype):
    x = rng.uniform(-2, 2, (3, 4))
    x.flat[:4] = [-0.5, 0.7, float(np.float32(0.7)), math.nan]  # the bounds are inclusive
    return x.astype(dtype)


def backward_clip_reference(og, x, a_min, a_max, **_):
    """og unless x > a_max or x < a_min (float32 bounds, compared in float64 for float64
    data and float32 otherwise, as MXNet's ``clip_grad`` does)."""
    wide = x.dtype == np.float64
    lo, hi = float(np.float32(a_min)), float(np.float32(a_max))
    out = np.empty(og.shape, og.dtype)
    for idx in np.ndindex(og.shape):
        v = x[idx].item() if wide else float(np.float32(x[idx]))
        out[idx] = 0.0 if (v > hi or v < lo) else og[idx]
    return out


def _like(dtype_name):
    def make(rng, dtype):
        return [rng.uniform(-2, 2, (3, 4)).astype(dtype),
                rng.uniform(-2, 2, (3, 4)).astype(dtype_name)]
    return make


def backward_cast_reference(og, data, **_):
    out = np.empty(og.shape, data.dtype)
    for idx in np.ndindex(og.shape):
        out[idx] = og[idx].item()
    return out


def _digamma(v):
    """psi from the recurrence psi(x) = psi(x + 1) - 1/x and the asymptotic series; cephes'
    MAXNUM at the poles (0, -1, -2, ...), the reflection formula below 0."""
    if v != v:
        return math.nan
    if v <= 0 and v == math.floor(v):
        return 1.7976931348623157e308
    if v < 0:
        return _digamma(1 - v) - math.pi / math.tan(math.pi * v)
    acc = 0.0
    while v < 10:
        acc -= 1.0 / v
        v += 1
    inv2 = 1.0 / (v * v)
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240
                                                                           - inv2 / 132))))
    return acc + math.log(v) - 0.5 / v - series


def _trigamma(v):
    acc = 0.0
    while v < 10:
        acc += 1.0 / (v * v)
        v += 1
    inv = 1.0 / v
    inv2 = inv * inv
    return acc + inv + inv2 / 2 + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42
                                                                              - inv2 / 30)))


def polygamma_reference(x, n=0, **_):
    fn = {0: _digamma, 1: _trigamma}[n]
    out = np.empty(x.shape, x.dtype)
    for idx in np.ndindex(x.shape):
        v = fn(float(x[idx]))
        out[idx] = math.inf if abs(v) > float(np.finfo(x.dtype).max) else v  # MAXNUM: inf
    return out


def _digamma_inputs(rng, dtype):
    x = rng.uniform(0.2, 4, (3, 4))
    if dtype.kind == "f":
        x.flat[:5] = [0.0, -1.0, -2.5, 25.0, math.nan]
    return [x.astype(dtype)]


CASES += [
    OpCase("_backward_relu", _pair(_relu_outputs), reference=backward_relu_reference,
           dtypes=("float32", "float64", "float16"), grad=False),
    OpCase("_backward_relu", _pair(lambda r, d: r.uniform(0.1, 2, (3, 4)).astype(d)),
           reference=backward_relu_reference, dtypes=("float64",), grad_inputs=[0],
           id="grad"),
    OpCase("_backward_clip", _pair(_clip_data), attrs={"a_min": -0.5, "a_max": 0.7},
           reference=backward_clip_reference, dtypes=("float32", "float64", "float16"),
           grad=False),
    OpCase("_backward_clip", _pair(lambda r, d: r.uniform(-2, 2, (3, 4)).astype(d)),
           attrs={"a_min": -0.5, "a_max": 0.7}, reference=backward_clip_reference,
           dtypes=("float64",), grad_inputs=[0], id="grad"),
    OpCase("_backward_cast", _like("float32"), reference=backward_cast_reference,
           dtypes=("float64", "float16"), grad=False, id="to-float32"),
    OpCase("_backward_cast", _like("float64"), reference=backward_cast_reference,
           dtypes=("float64", "float32"), grad_inputs=[0], id="to-float64"),
    OpCase("_polygamma", _digamma_inputs, reference=polygamma_reference,
           dtypes=("float32", "float64"), grad=False, id="poles"),
    OpCase("_polygamma", uniform(0.2, 4), reference=polygamma_reference, dtypes=("float64",),
           rtol=1e-9, id="digamma"),
    OpCase("_polygamma", uniform(-2.9, -0.1, nonzero=True), reference=polygamma_reference,
           dtypes=("float64",), rtol=1e-9, id="negative"),
    OpCase("_polygamma", uniform(0.2, 4), attrs={"n": 1}, reference=polygamma_reference,
           dtypes=("float64",), rtol=1e-9, grad=False, id="trigamma"),
]
