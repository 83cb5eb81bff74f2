"""Binary arithmetic, comparison and logic: ``elemwise_*``, ``broadcast_*`` and ``_*_scalar``.

MXNet computes in the operands' dtype: integer division truncates toward zero, ``mod`` takes the
divisor's sign and gives 0 for a zero divisor, a float scalar applied to an integer array is
first truncated to that dtype (``int_array * 2.7`` multiplies by 2), and comparisons return
0/1 in the operand dtype.
"""
from __future__ import annotations

import numpy as np

from ... import parallel
from ..fields import Bool, Double
from ..kernel import ADD, NULL
from ..registry import register
from ..rules import broadcast_shape, elemwise_shape, inplace_0_0

__all__ = ["BINARY", "SCALAR_NAMES"]


def _mod(a, b):
    """Python-style modulo with ``x mod 0 == 0``, as MXNet's ``mshadow_op::mod``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        safe = np.where(b == 0, 1, b)
        out = np.where(b == 0, 0, np.mod(a, safe))
    return out + 0.0 if out.dtype.kind == "f" else out  # -0.0 -> 0.0, as C's fmod path gives


def _power(a, b):
    a, b = np.asarray(a), np.asarray(b)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if a.dtype.kind in "iub" and b.dtype.kind in "iub":
            return np.float_power(a, b)
        return np.power(a, b)


def _divide(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(a, b)


# name -> (numpy function of two arrays, elemwise op name, elemwise aliases, broadcast aliases)
BINARY = {
    "add": (np.add, "elemwise_add", ("_add", "_plus", "_Plus"), ("broadcast_plus",)),
    "sub": (np.subtract, "elemwise_sub", ("_sub", "_minus", "_Minus"), ("broadcast_minus",)),
    "mul": (np.multiply, "elemwise_mul", ("_mul", "_Mul"), ()),
    "div": (_divide, "elemwise_div", ("_div", "_Div"), ()),
    "mod": (_mod, "_mod", ("_Mod",), ()),
    "power": (_power, "_power", ("_Power", "_pow"), ()),
    "maximum": (np.maximum, "_maximum", ("_Maximum",), ()),
    "minimum": (np.minimum, "_minimum", ("_Minimum",), ()),
    "hypot": (np.hypot, "_hypot", ("_Hypot",), ()),
    "equal": (np.equal, "_equal", (), ()),
    "not_equal": (np.not_equal, "_not_equal", (), ()),
    "greater": (np.greater, "_greater", (), ()),
    "greater_equal": (np.greater_equal, "_greater_equal", (), ()),
    "lesser": (np.less, "_lesser", (), ()),
    "lesser_equal": (np.less_equal, "_lesser_equal", (), ()),
    "logical_and": (np.logical_and, "_logical_and", (), ()),
    "logical_or": (np.logical_or, "_logical_or", (), ()),
    "logical_xor": (np.logical_xor, "_logical_xor", (), ()),
}

# scalar op name -> (function of (array, scalar), scalar op aliases)
SCALAR_NAMES = {
    "_plus_scalar": (lambda x, s: np.add(x, s), ("_PlusScalar",)),
    "_minus_scalar": (lambda x, s: np.subtract(x, s), ("_MinusScalar",)),
    "_rminus_scalar": (lambda x, s: np.subtract(s, x), ("_RMinusScalar",)),
    "_mul_scalar": (lambda x, s: np.multiply(x, s), ("_MulScalar",)),
    "_div_scalar": (lambda x, s: _divide(x, s), ("_DivScalar",)),
    "_rdiv_scalar": (lambda x, s: _divide(s, x), ("_RDivScalar",)),
    "_mod_scalar": (lambda x, s: _mod(x, s), ("_ModScalar",)),
    "_rmod_scalar": (lambda x, s: _mod(s, x), ("_RModScalar",)),
    "_power_scalar": (lambda x, s: _power(x, s), ("_PowerScalar",)),
    "_rpower_scalar": (lambda x, s: _power(s, x), ("_RPowerScalar",)),
    "_maximum_scalar": (lambda x, s: np.maximum(x, s), ("_MaximumScalar",)),
    "_minimum_scalar": (lambda x, s: np.minimum(x, s), ("_MinimumScalar",)),
    "_hypot_scalar": (lambda x, s: np.hypot(x, s), ("_HypotScalar",)),
    "_equal_scalar": (lambda x, s: np.equal(x, s), ("_EqualScalar",)),
    "_not_equal_scalar": (lambda x, s: np.not_equal(x, s), ("_NotEqualScalar",)),
    "_greater_scalar": (lambda x, s: np.greater(x, s), ("_GreaterScalar",)),
    "_greater_equal_scalar": (lambda x, s: np.greater_equal(x, s), ("_GreaterEqualScalar",)),
    "_lesser_scalar": (lambda x, s: np.less(x, s), ("_LesserScalar",)),
    "_lesser_equal_scalar": (lambda x, s: np.less_equal(x, s), ("_LesserEqualScalar",)),
    "_logical_and_scalar": (lambda x, s: np.logical_and(x, s), ()),
    "_logical_or_scalar": (lambda x, s: np.logical_or(x, s), ()),
    "_logical_xor_scalar": (lambda x, s: np.logical_xor(x, s), ()),
}


def _store(out: np.ndarray, req: str, value) -> None:
    """Write a result computed in any dtype into ``out``, truncating like a C cast."""
    if req == ADD:
        out += np.asarray(value).astype(out.dtype, copy=False)
    elif req != NULL:
        np.copyto(out, value, casting="unsafe")


def _binary_kernel(fn):
    direct = isinstance(fn, np.ufunc)

    def into(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
        fn(a, b, out=out)

    def kernel(p, ctx, ins, req, outs):
        if req[0] == NULL:
            return
        a, b, out = ins[0], ins[1], outs[0]
        if (direct and req[0] != ADD and a.dtype == b.dtype == out.dtype and out.dtype.kind == "f"
                and a.shape == b.shape == out.shape):  # no temporary; split in parallel passes
            parallel.split_flat(into, (a, b), out)
        else:
            _store(out, req[0], fn(a, b))
    return kernel


def _scalar_kernel(fn):
    def kernel(p, ctx, ins, req, outs):
        if req[0] == NULL:
            return
        x = ins[0]
        # The scalar is converted to the array's dtype first, like a C cast (1.5 -> 1 and,
        # for unsigned arrays, -1 -> 255).
        scalar = p.scalar
        if x.dtype.kind in "iub":
            with np.errstate(invalid="ignore", over="ignore"):
                scalar = np.array(p.scalar).astype(x.dtype)[()]
        value = fn(x, scalar)
        if x.dtype.kind == "f":
            value = np.asarray(value).astype(x.dtype, copy=False)
        _store(outs[0], req[0], value)
    return kernel


# ---- gradients: compositions of registered ops, so they can be differentiated again --------
def _binary_grads(short: str, g, og, names: dict):
    """(d lhs, d rhs) of ``lhs <short> rhs``; ``names`` picks elemwise or broadcast ops."""
    a, b, out = g.input(0), g.input(1), g.output()
    mul = lambda x, y: g.op(names["mul"], x, y)
    div = lambda x, y: g.op(names["div"], x, y)
    neg = lambda x: g.scale(x, -1.0)
    if short == "add":
        return og, og
    if short == "sub":
        return og, neg(og)
    if short == "mul":
        return mul(og, b), mul(og, a)
    if short == "div":
        return div(og, b), neg(mul(og, div(out, b)))
    if short == "mod":
        return og, neg(mul(og, g.op("floor", div(a, b))))
    if short == "power":
        power = g.op(names["power"], a, g.op("_minus_scalar", b, scalar=1.0))
        return mul(og, mul(b, power)), mul(og, mul(out, g.op("log", a)))
    if short == "maximum":
        return mul(og, g.op(names["ge"], a, b)), mul(og, g.op(names["lt"], a, b))
    if short == "minimum":
        return mul(og, g.op(names["le"], a, b)), mul(og, g.op(names["gt"], a, b))
    if short == "hypot":
        return mul(og, div(a, out)), mul(og, div(b, out))
    raise KeyError(short)


_ELEMWISE_NAMES = {"mul": "elemwise_mul", "div": "elemwise_div", "power": "_power",
                   "ge": "_greater_equal", "lt": "_lesser", "le": "_lesser_equal",
                   "gt": "_greater"}
_BROADCAST_NAMES = {k: "broadcast_" + v.lstrip("_").replace("elemwise_", "")
                    for k, v in _ELEMWISE_NAMES.items()}
_DIFFERENTIABLE = ("add", "sub", "mul", "div", "mod", "power", "maximum", "minimum", "hypot")


def _elemwise_gradient(short: str):
    return lambda g, ograds: list(_binary_grads(short, g, ograds[0], _ELEMWISE_NAMES))


def _broadcast_gradient(short: str):
    def rule(g, ograds):
        grads = _binary_grads(short, g, ograds[0], _BROADCAST_NAMES)
        return [g.sum_to(d, g.input(i)) for i, d in enumerate(grads)]
    return rule


def _scalar_gradient(name: str):
    """d/dx of ``x <op> s`` (or ``s <op> x``) as a composition of registered ops."""
    def rule(g, ograds):
        og, x, out, s = ograds[0], g.input(0), g.output(), g.params.scalar
        mul = g.mul
        if name in ("_plus_scalar", "_minus_scalar", "_mod_scalar"):
            return [og]
        if name == "_rminus_scalar":
            return [g.scale(og, -1.0)]
        if name == "_mul_scalar":
            return [g.scale(og, s)]
        if name == "_div_scalar":
            return [g.op("_div_scalar", og, scalar=s)]
        if name == "_rdiv_scalar":
            return [g.scale(mul(og, g.op("elemwise_div", out, x)), -1.0)]
        if name == "_rmod_scalar":
            return [g.scale(mul(og, g.op("floor", g.op("_rdiv_scalar", x, scalar=s))), -1.0)]
        if name == "_power_scalar":
            return [g.scale(mul(og, g.op("_power_scalar", x, scalar=s - 1)), s)]
        if name == "_rpower_scalar":
            return [g.scale(mul(og, out), float(np.log(s)))]
        if name == "_maximum_scalar":
            return [mul(og, g.op("_greater_equal_scalar", x, scalar=s))]
        if name == "_minimum_scalar":
            return [mul(og, g.op("_lesser_equal_scalar", x, scalar=s))]
        if name == "_hypot_scalar":
            return [mul(og, g.op("elemwise_div", x, out))]
        raise KeyError(name)
    return rule


_SCALAR_DIFFERENTIABLE = ("_plus_scalar", "_minus_scalar", "_rminus_scalar", "_mul_scalar",
                          "_div_scalar", "_rdiv_scalar", "_mod_scalar", "_rmod_scalar",
                          "_power_scalar", "_rpower_scalar", "_maximum_scalar",
                          "_minimum_scalar", "_hypot_scalar")


def _register_all() -> None:
    for short, (fn, ew_name, ew_aliases, bc_aliases) in BINARY.items():
        differentiable = short in _DIFFERENTIABLE
        register(ew_name, inputs=["lhs", "rhs"], forward=_binary_kernel(fn), per_sample=[0, 1],
                 infer_shape=elemwise_shape, inplace=[(0, 0), (1, 0)], aliases=ew_aliases,
                 gradient=_elemwise_gradient(short) if differentiable else None,
                 doc=f"Element-wise {short} of two arrays of the same shape.")
        register(f"broadcast_{short}", inputs=["lhs", "rhs"], forward=_binary_kernel(fn),
                 infer_shape=broadcast_shape, aliases=bc_aliases,
                 gradient=_broadcast_gradient(short) if differentiable else None,
                 doc=f"Element-wise {short} with NumPy-style broadcasting.")
    for name, (fn, aliases) in SCALAR_NAMES.items():
        register(name, fields=[Double("scalar", 1.0, "Scalar input value"),
                               Bool("is_int", True, "Indicate whether scalar input is int type")],
                 forward=_scalar_kernel(fn), infer_shape=elemwise_shape, inplace=inplace_0_0,
                 per_sample=[0],
                 aliases=aliases, doc=f"``{name}``: an array op a scalar, element-wise.",
                 gradient=_scalar_gradient(name) if name in _SCALAR_DIFFERENTIABLE else None)


_register_all()
