"""Element-wise unary operators: rounding, powers, exp/log, trigonometry, activations,
special functions, ``_copy``/``BlockGrad``, ``Cast`` and ``clip``.

MXNet's numeric conventions, as observed on MXNet 1.9.1:

* float32/float64 compute in their own precision; float16 computes in float32 and rounds back.
* Integer arrays keep their dtype: the math is done in double precision and the result is
  converted like a C cast (truncation toward zero; NaN, infinities and values out of the 32-bit
  range become INT_MIN; int8/uint8 take the low byte of that 32-bit value; int64 saturates to
  INT64_MIN). ``negative``, ``relu``, ``sign`` and ``logical_not`` work on the integers
  directly; ``square``, ``degrees`` and ``radians`` compute in float32; ``sigmoid`` negates
  in the integer type before ``exp``.
* ``round`` rounds halves away from zero, ``rint`` rounds halves down (toward -inf), ``sign``
  of NaN is 0, ``relu`` propagates NaN, ``gammaln(-inf)`` is +inf.
* bool arrays are refused ("Unknown type enum 7") except by ``_copy``, ``BlockGrad`` and ``Cast``.
* ``clip`` stores its bounds as float32 and compares in the C++ promotion of data and float
  (float64 data: double, anything else: float32); it is not declared in-place.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ...base import MXNetError
from ...dtype import BFLOAT16, np_dtype
from ..fields import DType, Float, Int
from ..kernel import ADD, NULL
from ..registry import InferError, Params, register
from ..rules import elemwise_shape, fixed_type, inplace_0_0

class _LazySpecial:
    """``scipy.special``, imported on first use. SciPy bundles its own OpenBLAS, whose thread
    pool competes with NumPy's on small machines; only these special functions need it."""

    def __getattr__(self, name: str):
        from scipy import special as module
        return getattr(module, name)


special = _LazySpecial()

__all__ = ["c_cast", "clip_values", "UNARY", "FLUENT"]

#: float32 constants MXNet uses for degrees/radians (180.0f / PI and PI / 180.0f).
DEG = np.float32(180) / np.float32(np.pi)
RAD = np.float32(np.pi) / np.float32(180)

_CAST_TYPES = ("bfloat16", "bool", "float16", "float32", "float64", "int32", "int64", "int8",
               "uint8")


# ---- C-style conversions ------------------------------------------------------------------
def _float_to_int(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Convert floats to an integer dtype as x86 C code does (see the module docstring)."""
    wide = np.dtype(np.int64 if dtype.itemsize == 8 else np.int32)
    info = np.iinfo(wide)
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~((v >= float(info.min)) & (v < -float(info.min)))
    out = np.where(bad, 0.0, v).astype(wide)
    out[bad] = info.min
    return out.astype(dtype, copy=False)


def _to_bfloat16(values: np.ndarray) -> np.ndarray:
    """float values -> bfloat16 bit patterns (round to nearest even), as a BFLOAT16 array."""
    bits = np.asarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    nan = np.isnan(np.asarray(values, dtype=np.float32))
    out = np.where(nan, 0x7FC0, rounded).astype(np.uint16)
    return out.view(BFLOAT16).reshape(out.shape)


def _from_bfloat16(values: np.ndarray) -> np.ndarray:
    """BFLOAT16 bit patterns -> float32 values."""
    bits = np.ascontiguousarray(values).view(np.uint16).reshape(values.shape)
    return (bits.astype(np.uint32) << 16).view(np.float32)


def c_cast(values, dtype) -> np.ndarray:
    """``values`` converted to ``dtype`` with MXNet's (C) conversion rules."""
    dtype = np.dtype(dtype)
    values = np.asarray(values)
    if values.dtype == BFLOAT16:
        values = _from_bfloat16(values)
    if dtype == BFLOAT16:
        return _to_bfloat16(values)
    if dtype == np.bool_:
        return values != 0
    if dtype.kind in "iu" and values.dtype.kind == "f":
        return _float_to_int(values, dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        return values.astype(dtype, copy=False)


# ---- element functions on float arrays ------------------------------------------------------
def _round(x: np.ndarray) -> np.ndarray:
    """Round half away from zero (C ``round``)."""
    t = np.trunc(x)
    return np.where(np.abs(x - t) >= 0.5, t + np.copysign(np.ones_like(x), x), t)


def _rint(x: np.ndarray) -> np.ndarray:
    """MXNet's ``rint``: the nearer of floor and ceil, ties going to floor (toward -inf)."""
    f, c = np.floor(x), np.ceil(x)
    return np.where(x - f <= c - x, f, c)


def _sign(x: np.ndarray) -> np.ndarray:
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)


def _gammaln(x: np.ndarray) -> np.ndarray:
    return np.where(np.isneginf(x), np.inf, special.gammaln(x))


def _tanh_int(x: np.ndarray) -> np.ndarray:
    """tanh of integers in double, correctly rounded near +-1 as glibc's tanh is."""
    x = x.astype(np.float64)
    return np.copysign(1.0 - 2.0 / (np.exp(2.0 * np.abs(x)) + 1.0), x)


def _erfinv(x: np.ndarray) -> np.ndarray:
    return np.copysign(special.erfinv(x), x)  # keeps erfinv(-0.0) == -0.0


def _erfinv_int(x: np.ndarray) -> np.ndarray:
    """erfinv of integers: outside [-1, 1] MXNet returns the int 'NaN', which is 0."""
    x = x.astype(np.float64)
    return np.where(np.abs(x) > 1, 0.0, special.erfinv(x))


def _sigmoid_int(x: np.ndarray) -> np.ndarray:
    """sigmoid of integers: ``-x`` is taken in C's promoted integer type (int, or int64 for
    int64), so int8/uint8 do not wrap but int32's INT_MIN stays INT_MIN."""
    wide = x.astype(np.int64 if x.dtype.itemsize == 8 else np.int32)
    return 1.0 / (1.0 + np.exp(np.negative(wide).astype(np.float64)))


def _degrees(x: np.ndarray) -> np.ndarray:
    return x * x.dtype.type(DEG)


def _radians(x: np.ndarray) -> np.ndarray:
    return x * x.dtype.type(RAD)


# ---- the table ---------------------------------------------------------------------------
# name -> (float function, integer mode, doc). Integer modes: "double" (compute in float64 and
# C-cast), "float" (compute in float32 and C-cast), "native" (the function works on ints), or a
# callable taking the integer array and returning float64 values to C-cast.
UNARY: dict[str, tuple[Callable, object, str]] = {
    "abs": (np.abs, "double", "Returns element-wise absolute value of the input.\n\nExample::"
            "\n\n   abs([-2, 0, 3]) = [2, 0, 3]"),
    "sign": (_sign, "native", "Returns element-wise sign of the input.\n\nExample::\n\n"
             "   sign([-2, 0, 3]) = [-1, 0, 1]"),
    "round": (_round, "double", "Returns element-wise rounded value to the nearest integer of "
              "the input.\n\nExample::\n\n   round([-1.5, 1.5, -1.9, 1.9, 2.1]) = "
              "[-2.,  2., -2.,  2.,  2.]"),
    "rint": (_rint, "double", "Returns element-wise rounded value to the nearest integer of the "
             "input.\n\n.. note::\n   - For input ``n.5`` ``rint`` returns ``n`` while ``round`` "
             "returns ``n+1``.\n   - For input ``-n.5`` both ``rint`` and ``round`` returns "
             "``-n-1``.\n\nExample::\n\n   rint([-1.5, 1.5, -1.9, 1.9, 2.1]) = "
             "[-2.,  1., -2.,  2.,  2.]"),
    "ceil": (np.ceil, "double", "Returns element-wise ceiling of the input.\n\nThe ceil of the "
             "scalar x is the smallest integer i, such that i >= x.\n\nExample::\n\n"
             "   ceil([-2.1, -1.9, 1.5, 1.9, 2.1]) = [-2., -1.,  2.,  2.,  3.]"),
    "floor": (np.floor, "double", "Returns element-wise floor of the input.\n\nThe floor of the "
              "scalar x is the largest integer i, such that i <= x.\n\nExample::\n\n"
              "   floor([-2.1, -1.9, 1.5, 1.9, 2.1]) = [-3., -2.,  1.,  1.,  2.]"),
    "fix": (np.trunc, "double", "Returns element-wise rounded value to the nearest integer "
            "towards zero of the input.\n\nExample::\n\n   fix([-2.1, -1.9, 1.9, 2.1]) = "
            "[-2., -1.,  1., 2.]"),
    "trunc": (np.trunc, "double", "Return the element-wise truncated value of the input.\n\n"
              "The truncated value of the scalar x is the nearest integer i which is closer to\n"
              "zero than x is. In short, the fractional part of the signed number x is "
              "discarded.\n\nExample::\n\n   trunc([-2.1, -1.9, 1.5, 1.9, 2.1]) = "
              "[-2., -1.,  1.,  1.,  2.]"),
    "square": (np.square, "float", "Returns element-wise squared value of the input.\n\n"
               ".. math::\n   square(x) = x^2\n\nExample::\n\n   square([2, 3, 4]) = [4, 9, 16]"),
    "sqrt": (np.sqrt, "double", "Returns element-wise square-root value of the input.\n\n"
             ".. math::\n   \\textrm{sqrt}(x) = \\sqrt{x}\n\nExample::\n\n"
             "   sqrt([4, 9, 16]) = [2, 3, 4]"),
    "rsqrt": (lambda x: 1 / np.sqrt(x), "double", "Returns element-wise inverse square-root "
              "value of the input.\n\n.. math::\n   rsqrt(x) = 1/\\sqrt{x}\n\nExample::\n\n"
              "   rsqrt([4,9,16]) = [0.5, 0.33333334, 0.25]"),
    "cbrt": (np.cbrt, "double", "Returns element-wise cube-root value of the input.\n\n"
             ".. math::\n   cbrt(x) = \\sqrt[3]{x}\n\nExample::\n\n"
             "   cbrt([1, 8, -125]) = [1, 2, -5]"),
    "rcbrt": (lambda x: 1 / np.cbrt(x), "double", "Returns element-wise inverse cube-root value "
              "of the input.\n\n.. math::\n   rcbrt(x) = 1/\\sqrt[3]{x}\n\nExample::\n\n"
              "   rcbrt([1,8,-125]) = [1.0, 0.5, -0.2]"),
    "reciprocal": (lambda x: 1 / x, "double", "Returns the reciprocal of the argument, "
                   "element-wise.\n\nCalculates 1/x.\n\nExample::\n\n    reciprocal([-2, 1, 3, "
                   "1.6, 0.2]) = [-0.5, 1.0, 0.33333334, 0.625, 5.0]"),
    "exp": (np.exp, "double", "Returns element-wise exponential value of the input.\n\n"
            ".. math::\n   exp(x) = e^x \\approx 2.718^x\n\nExample::\n\n"
            "   exp([0, 1, 2]) = [1., 2.71828175, 7.38905621]"),
    "expm1": (np.expm1, "double", "Returns ``exp(x) - 1`` computed element-wise on the input.\n"
              "\nThis function provides greater precision than ``exp(x) - 1`` for small values "
              "of ``x``."),
    "log": (np.log, "double", "Returns element-wise Natural logarithmic value of the input.\n\n"
            "The natural logarithm is logarithm in base *e*, so that ``log(exp(x)) = x``"),
    "log2": (np.log2, "double", "Returns element-wise Base-2 logarithmic value of the input.\n\n"
             "``2**log2(x) = x``"),
    "log10": (np.log10, "double", "Returns element-wise Base-10 logarithmic value of the "
              "input.\n\n``10**log10(x) = x``"),
    "log1p": (np.log1p, "double", "Returns element-wise ``log(1 + x)`` value of the input.\n\n"
              "This function is more accurate than ``log(1 + x)``  for small ``x`` so that\n"
              ":math:`1+x\\approx 1`"),
    "sin": (np.sin, "double", "Computes the element-wise sine of the input array.\n\nThe input "
            "should be in radians (:math:`2\\pi` rad equals 360 degrees).\n\n.. math::\n"
            "   sin([0, \\pi/4, \\pi/2]) = [0, 0.707, 1]"),
    "cos": (np.cos, "double", "Computes the element-wise cosine of the input array.\n\nThe "
            "input should be in radians (:math:`2\\pi` rad equals 360 degrees).\n\n.. math::\n"
            "   cos([0, \\pi/4, \\pi/2]) = [1, 0.707, 0]"),
    "tan": (np.tan, "double", "Computes the element-wise tangent of the input array.\n\nThe "
            "input should be in radians (:math:`2\\pi` rad equals 360 degrees).\n\n.. math::\n"
            "   tan([0, \\pi/4, \\pi/2]) = [0, 1, -inf]"),
    "arcsin": (np.arcsin, "double", "Returns element-wise inverse sine of the input array.\n\n"
               "The input should be in the range `[-1, 1]`.\nThe output is in the closed "
               "interval of [:math:`-\\pi/2`, :math:`\\pi/2`]."),
    "arccos": (np.arccos, "double", "Returns element-wise inverse cosine of the input array.\n\n"
               "The input should be in range `[-1, 1]`.\nThe output is in the closed interval "
               ":math:`[0, \\pi]`"),
    "arctan": (np.arctan, "double", "Returns element-wise inverse tangent of the input array."
               "\n\nThe output is in the closed interval :math:`[-\\pi/2, \\pi/2]`"),
    "sinh": (np.sinh, "double", "Returns the hyperbolic sine of the input array, computed "
             "element-wise.\n\n.. math::\n   sinh(x) = 0.5\\times(exp(x) - exp(-x))"),
    "cosh": (np.cosh, "double", "Returns the hyperbolic cosine  of the input array, computed "
             "element-wise.\n\n.. math::\n   cosh(x) = 0.5\\times(exp(x) + exp(-x))"),
    "tanh": (np.tanh, _tanh_int, "Returns the hyperbolic tangent of the input array, computed "
             "element-wise.\n\n.. math::\n   tanh(x) = sinh(x) / cosh(x)"),
    "arcsinh": (np.arcsinh, "double", "Returns the element-wise inverse hyperbolic sine of the "
                "input array, computed element-wise."),
    "arccosh": (np.arccosh, "double", "Returns the element-wise inverse hyperbolic cosine of "
                "the input array, computed element-wise."),
    "arctanh": (np.arctanh, "double", "Returns the element-wise inverse hyperbolic tangent of "
                "the input array, computed element-wise."),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), _sigmoid_int, "Computes sigmoid of x element-wise."
                "\n\n.. math::\n   y = 1 / (1 + exp(-x))"),
    "relu": (lambda x: np.maximum(x, 0), "native", "Computes rectified linear activation.\n\n"
             ".. math::\n   max(features, 0)"),
    "softsign": (lambda x: x / (1 + np.abs(x)), "double", "Computes softsign of x element-wise."
                 "\n\n.. math::\n   y = x / (1 + abs(x))"),
    "erf": (lambda x, **kw: special.erf(x, **kw), "double", "Returns element-wise gauss error function of the input.\n\n"
            "Example::\n\n   erf([0, -1., 10.]) = [0., -0.8427, 1.]"),
    "erfinv": (_erfinv, _erfinv_int, "Returns element-wise inverse gauss error function "
               "of the input.\n\nExample::\n\n   erfinv([0, 0.5., -1.]) = [0., 0.4769, -inf]"),
    "gamma": (lambda x, **kw: special.gamma(x, **kw), "double", "Returns the gamma function (extension of the factorial "
              "function to the reals), computed element-wise on the input array."),
    "gammaln": (_gammaln, "double", "Returns element-wise log of the absolute value of the "
                "gamma function of the input."),
    "negative": (np.negative, "native", "Numerical negative of the argument, element-wise."),
    "logical_not": (lambda x: (x == 0).astype(x.dtype), "native", "Returns the result of "
                    "logical NOT (!) function\n\nExample:\n  logical_not([-2., 0., 1.]) = "
                    "[0., 1., 0.]"),
    "degrees": (_degrees, "float", "Converts each element of the input array from radians to "
                "degrees.\n\n.. math::\n   degrees([0, \\pi/2, \\pi, 3\\pi/2, 2\\pi]) = "
                "[0, 90, 180, 270, 360]"),
    "radians": (_radians, "float", "Converts each element of the input array from degrees to "
                "radians.\n\n.. math::\n   radians([0, 90, 180, 270, 360]) = "
                "[0, \\pi/2, \\pi, 3\\pi/2, 2\\pi]"),
}

#: Ops that MXNet 1.9.1 attaches as NDArray/Symbol methods.
FLUENT = frozenset(UNARY) - {"softsign", "erf", "erfinv", "gamma", "gammaln", "negative",
                             "logical_not"}


# ---- kernels -----------------------------------------------------------------------------
def _refuse_bool(x: np.ndarray) -> None:
    if x.dtype == np.bool_:
        raise MXNetError("Unknown type enum 7")


def _evaluate(fn: Callable, int_mode, x: np.ndarray) -> np.ndarray:
    """``fn`` applied to ``x`` under MXNet's dtype conventions; the result has x's dtype."""
    _refuse_bool(x)
    with np.errstate(all="ignore"):
        if x.dtype in (np.float32, np.float64):
            return np.asarray(fn(x)).astype(x.dtype, copy=False)
        if x.dtype.kind == "f":  # float16: compute in float32, round back
            return np.asarray(fn(x.astype(np.float32))).astype(x.dtype)
        if int_mode == "native":
            return np.asarray(fn(x)).astype(x.dtype, copy=False)
        if int_mode == "float":
            return c_cast(fn(x.astype(np.float32)), x.dtype)
        if callable(int_mode):
            return c_cast(int_mode(x), x.dtype)
        return c_cast(fn(x.astype(np.float64)), x.dtype)


def _store(out: np.ndarray, req: str, value: np.ndarray) -> None:
    """Write ``value`` (already in out's dtype) according to ``req``."""
    if req == ADD:
        out += value
    elif req != NULL:
        np.copyto(out, value)


def _math_kernel(fn: Callable, int_mode) -> Callable:
    def kernel(p: Params, ctx, ins: list, req: list, outs: list) -> None:
        if req[0] != NULL:
            _store(outs[0], req[0], _evaluate(fn, int_mode, ins[0]))
    return kernel


def _copy_kernel(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """``_copy`` and ``BlockGrad``: the input unchanged (any dtype, bool included)."""
    if req[0] == ADD:
        outs[0] += ins[0]
    elif req[0] != NULL and outs[0] is not ins[0]:
        np.copyto(outs[0], ins[0])


def _cast_kernel(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """``Cast``: convert to the output's dtype with C conversion rules."""
    if req[0] == NULL:
        return
    value = c_cast(ins[0], outs[0].dtype)
    if req[0] == ADD:
        outs[0] += value
    else:
        outs[0][...] = value


def clip_values(a_min: float, a_max: float, x: np.ndarray) -> np.ndarray:
    """``clip`` as MXNet computes it (see the module docstring); result in x's dtype."""
    _refuse_bool(x)
    cmp = np.float64 if x.dtype == np.float64 else np.float32
    with np.errstate(over="ignore", invalid="ignore"):
        lo, hi = np.array(np.float32(a_min), cmp), np.array(np.float32(a_max), cmp)
        xc = x if x.dtype == cmp else x.astype(cmp)
        return np.where(xc > hi, c_cast(hi, x.dtype),
                        np.where(xc < lo, c_cast(lo, x.dtype), x))


def _clip_kernel(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    if req[0] != NULL:
        _store(outs[0], req[0], clip_values(p.a_min, p.a_max, ins[0]))


# ---- gradients ---------------------------------------------------------------------------
# Each rule is a composition of registered, differentiable ops (so ``Symbol.gradient`` can
# differentiate it again), written like MXNet's ``_backward_<op>`` formula: where MXNet uses
# the output (``sqrt``, ``tanh``, ``sigmoid``, ...) the rule reads ``g.output()`` too.
# ``sign`` and the rounding ops have MXNet's zero gradient (no rule: the gradient stops), as
# has ``BlockGrad``. Four ops need a kernel of their own: ``_backward_relu`` (NaN passes
# through, as in MXNet), ``_backward_clip`` (MXNet's float comparisons), ``_backward_cast``
# (the input's dtype is only known at inference) and ``_polygamma`` (digamma and up).
LN2, LN10 = float(np.log(2.0)), float(np.log(10.0))
#: MXNet's erf/erfinv gradients use ``sqrt(PI)`` with PI and the root in float32.
SQRT_PI32 = float(np.sqrt(np.float32(np.pi)))
TWO_OVER_SQRT_PI = 2.0 / SQRT_PI32
HALF_SQRT_PI = 0.5 * SQRT_PI32


def _unary_rule(name: str) -> Callable:
    """The gradient rule of the element-wise op ``name``: head gradient times f'(x), built
    from the input ``x``, the output ``y`` and registered ops."""
    def rule(g, ograds):
        og, x, y = ograds[0], g.input(0), g.output()
        mul = g.mul
        div = lambda a, b: g.op("elemwise_div", a, b)
        unary = lambda n, a: g.op(n, a)
        plus = lambda a, s: g.op("_plus_scalar", a, scalar=s)
        rminus = lambda s, a: g.op("_rminus_scalar", a, scalar=s)
        square = lambda a: g.op("square", a)
        if name == "abs":
            return [mul(og, unary("sign", x))]
        if name == "square":
            return [g.scale(mul(og, x), 2.0)]
        if name == "sqrt":                                  # 0.5 / sqrt(x)
            return [mul(og, g.op("_rdiv_scalar", y, scalar=0.5))]
        if name == "rsqrt":                                 # -0.5 / (x sqrt(x))
            return [g.scale(mul(og, div(y, x)), -0.5)]
        if name == "cbrt":                                  # 1 / (3 cbrt(x)^2)
            return [div(og, g.scale(square(y), 3.0))]
        if name == "rcbrt":                                 # -1 / (3 x cbrt(x))
            return [g.scale(mul(og, div(y, x)), -1.0 / 3.0)]
        if name == "reciprocal":                            # -1 / x^2
            return [g.scale(mul(og, square(y)), -1.0)]
        if name == "exp":
            return [mul(og, y)]
        if name == "expm1":
            return [mul(og, unary("exp", x))]
        if name == "log":
            return [div(og, x)]
        if name == "log2":
            return [div(og, g.scale(x, LN2))]
        if name == "log10":
            return [div(og, g.scale(x, LN10))]
        if name == "log1p":
            return [div(og, plus(x, 1.0))]
        if name == "sin":
            return [mul(og, unary("cos", x))]
        if name == "cos":
            return [g.scale(mul(og, unary("sin", x)), -1.0)]
        if name == "tan":                                   # 1 + tan(x)^2
            return [mul(og, plus(square(y), 1.0))]
        if name == "arcsin":
            return [mul(og, unary("rsqrt", rminus(1.0, square(x))))]
        if name == "arccos":
            return [g.scale(mul(og, unary("rsqrt", rminus(1.0, square(x)))), -1.0)]
        if name == "arctan":
            return [div(og, plus(square(x), 1.0))]
        if name == "sinh":
            return [mul(og, unary("cosh", x))]
        if name == "cosh":
            return [mul(og, unary("sinh", x))]
        if name == "tanh":                                  # 1 - tanh(x)^2
            return [mul(og, rminus(1.0, square(y)))]
        if name == "arcsinh":
            return [mul(og, unary("rsqrt", plus(square(x), 1.0)))]
        if name == "arccosh":
            return [mul(og, unary("rsqrt", g.op("_minus_scalar", square(x), scalar=1.0)))]
        if name == "arctanh":
            return [div(og, rminus(1.0, square(x)))]
        if name == "sigmoid":                               # y (1 - y)
            return [mul(og, mul(y, rminus(1.0, y)))]
        if name == "relu":
            return [g.op("_backward_relu", og, y)]
        if name == "softsign":                              # 1 / (1 + |x|)^2
            return [div(og, square(plus(unary("abs", x), 1.0)))]
        if name == "erf":                                   # 2/sqrt(pi) exp(-x^2)
            return [g.scale(mul(og, unary("exp", g.scale(square(x), -1.0))), TWO_OVER_SQRT_PI)]
        if name == "erfinv":                                # sqrt(pi)/2 exp(erfinv(x)^2)
            return [g.scale(mul(og, unary("exp", square(y))), HALF_SQRT_PI)]
        if name == "gamma":                                 # gamma(x) psi(x)
            return [mul(og, mul(y, g.op("_polygamma", x, n=0)))]
        if name == "gammaln":                               # psi(x)
            return [mul(og, g.op("_polygamma", x, n=0))]
        if name == "negative":
            return [g.scale(og, -1.0)]
        if name == "degrees":                               # MXNet's float32 180/pi
            return [g.scale(og, float(DEG))]
        if name == "radians":
            return [g.scale(og, float(RAD))]
        raise KeyError(name)
    return rule


#: Ops whose gradient MXNet defines as zero (or that are not differentiable): no rule.
ZERO_GRADIENT = frozenset({"sign", "round", "rint", "ceil", "floor", "fix", "trunc",
                           "logical_not"})


def _copy_gradient(g, ograds):
    return [ograds[0]]


def _cast_gradient(g, ograds):
    return [g.op("_backward_cast", ograds[0], g.input(0))]


def _clip_gradient(g, ograds):
    return [g.op("_backward_clip", ograds[0], g.input(0), a_min=g.params.a_min,
                 a_max=g.params.a_max)]


def _linear_in_ograd(g, ograds):
    """Gradient of a ``_backward_*`` op that is linear in its head gradient (input 0) and
    piecewise constant in its other inputs: the same op applied to the new head gradient."""
    params = {f.name: g.params[f.name] for f in g.node.op.fields}
    rest = [g.input(i) for i in range(1, len(g.node.inputs))]
    return [g.op(g.node.op.name, ograds[0], *rest, **params)] + [None] * len(rest)


def _polygamma_gradient(g, ograds):
    return [g.mul(ograds[0], g.op("_polygamma", g.input(0), n=g.params.n + 1))]


def _backward_relu_kernel(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """``og * relu'(y)`` from the output ``y``; a NaN output gives a NaN gradient (MXNet)."""
    if req[0] == NULL:
        return
    og, y = ins
    with np.errstate(invalid="ignore"):
        slope = np.where(np.isnan(y), y, y > 0).astype(og.dtype, copy=False)
        _store(outs[0], req[0], (og * slope).astype(outs[0].dtype, copy=False))


def _backward_clip_kernel(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """``og`` where ``a_min <= x <= a_max`` (or x is NaN), else 0; bounds and comparison
    dtype as in :func:`clip_values`."""
    if req[0] == NULL:
        return
    og, x = ins
    _refuse_bool(x)
    cmp = np.float64 if x.dtype == np.float64 else np.float32
    lo, hi = np.array(np.float32(p.a_min), cmp), np.array(np.float32(p.a_max), cmp)
    with np.errstate(invalid="ignore"):
        xc = x.astype(cmp, copy=False)
        outside = (xc > hi) | (xc < lo)
    _store(outs[0], req[0], np.where(outside, og.dtype.type(0), og).astype(outs[0].dtype,
                                                                          copy=False))


def _backward_cast_kernel(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """The head gradient converted to the forward input's dtype (``outs[0].dtype``)."""
    if req[0] == NULL:
        return
    value = c_cast(ins[0], outs[0].dtype)
    if req[0] == ADD:
        outs[0] += value
    else:
        outs[0][...] = value


def _backward_cast_type(p: Params, ins: list, outs: list):
    """The output takes the dtype of input 1 (``data``); the head gradient's dtype is free."""
    dtype = ins[1] if ins[1] is not None else outs[0]
    if dtype is not None and outs[0] is not None and outs[0] != dtype:
        raise InferError(f"Incompatible attr in node at 0-th output: expected "
                         f"{np.dtype(dtype).name}, got {np.dtype(outs[0]).name}")
    return [ins[0], dtype], [dtype]


#: cephes' MAXNUM, which MXNet's ``psi`` returns at its poles (0, -1, -2, ..., -inf).
_MAXNUM = np.finfo(np.float64).max


def _polygamma_values(n: int, x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        xd = x.astype(np.float64)
        if n == 0:
            pole = (xd <= 0) & (xd == np.floor(xd))
            return np.where(pole, _MAXNUM, special.psi(xd))
        return special.polygamma(n, xd)


def _polygamma_kernel(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """The n-th derivative of the digamma function, in float64, stored in x's dtype."""
    if req[0] == NULL:
        return
    x = ins[0]
    _refuse_bool(x)
    with np.errstate(over="ignore", invalid="ignore"):
        value = c_cast(_polygamma_values(p.n, x), x.dtype)
    _store(outs[0], req[0], value)


def _register_backward() -> None:
    register("_backward_relu", inputs=["ograd", "output"], forward=_backward_relu_kernel,
             infer_shape=elemwise_shape, inplace=inplace_0_0, gradient=_linear_in_ograd,
             doc="Gradient of ``relu`` from the head gradient and relu's output: ``ograd`` "
                 "where ``output > 0``, 0 elsewhere, NaN where the output is NaN.")
    register("_backward_clip", inputs=["ograd", "data"],
             fields=[Float("a_min", doc="Minimum value"), Float("a_max", doc="Maximum value")],
             forward=_backward_clip_kernel, infer_shape=elemwise_shape, inplace=inplace_0_0,
             gradient=_linear_in_ograd,
             doc="Gradient of ``clip``: ``ograd`` where ``a_min <= data <= a_max`` (bounds "
                 "included), 0 elsewhere.")
    register("_backward_cast", inputs=["ograd", "data"], forward=_backward_cast_kernel,
             infer_shape=elemwise_shape, infer_type=_backward_cast_type,
             gradient=_linear_in_ograd,
             doc="Gradient of ``Cast``: ``ograd`` converted to the dtype of ``data`` (the "
                 "forward input, read only for its dtype).")
    register("_polygamma", fields=[Int("n", 0, "Order of the derivative of digamma "
                                               "(0: digamma itself).", low=0)],
             forward=_polygamma_kernel, infer_shape=elemwise_shape, inplace=inplace_0_0,
             gradient=_polygamma_gradient,
             doc="The polygamma function psi^(n)(x), the n-th derivative of digamma "
                 "(n = 0: digamma, with MXNet's value MAXNUM at its poles). Internal: the "
                 "gradient of ``gamma`` and ``gammaln``.")

# ---- registration ------------------------------------------------------------------------
def _register_all() -> None:
    for name, (fn, int_mode, doc) in UNARY.items():
        register(name, forward=_math_kernel(fn, int_mode), infer_shape=elemwise_shape,
                 per_sample=[0],
                 inplace=inplace_0_0, fluent=name in FLUENT, doc=doc,
                 gradient=None if name in ZERO_GRADIENT else _unary_rule(name))
    register("_copy", aliases=("identity",), forward=_copy_kernel, infer_shape=elemwise_shape,
             per_sample=[0],
             inplace=inplace_0_0, gradient=_copy_gradient, doc="Returns a copy of the input.")
    register("BlockGrad", aliases=("stop_gradient",), forward=_copy_kernel, per_sample=[0],
             infer_shape=elemwise_shape, inplace=inplace_0_0,
             doc="Stops gradient computation.\n\nStops the accumulated gradient of the inputs "
                 "from flowing through this operator\nin the backward direction. In other "
                 "words, this operator prevents the contribution\nof its inputs to be taken "
                 "into account for computing gradients.")
    register("Cast", aliases=("cast",), fields=[DType("dtype", doc="Output data type.",
                                                          choices=_CAST_TYPES)],
             forward=_cast_kernel, infer_shape=elemwise_shape, per_sample=[0],
             infer_type=fixed_type(lambda p: np_dtype(p.dtype)), inplace=inplace_0_0,
             gradient=_cast_gradient,
             doc="Casts all elements of the input to a new type.\n\n.. note:: ``Cast`` is "
                 "deprecated. Use ``cast`` instead.\n\nExample::\n\n   cast([0.9, 1.3], "
                 "dtype='int32') = [0, 1]\n   cast([1e20, 11.1], dtype='float16') = "
                 "[inf, 11.09375]\n   cast([300, 11.1, 10.9, -1, -3], dtype='uint8') = "
                 "[44, 11, 10, 255, 253]")
    register("clip", fields=[Float("a_min", doc="Minimum value"),
                             Float("a_max", doc="Maximum value")],
             inputs=["data"], forward=_clip_kernel, infer_shape=elemwise_shape, fluent=True,
             per_sample=[0],
             gradient=_clip_gradient,
             doc="Clips (limits) the values in an array.\nGiven an interval, values outside "
                 "the interval are clipped to the interval edges.\nClipping ``x`` between "
                 "`a_min` and `a_max` would be::\n.. math::\n   clip(x, a_min, a_max) = "
                 "\\max(\\min(x, a_max), a_min))\nExample::\n    x = [0, 1, 2, 3, 4, 5, 6, 7, "
                 "8, 9]\n    clip(x,1,8) = [ 1.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  8.]")


_register_all()
_register_backward()
