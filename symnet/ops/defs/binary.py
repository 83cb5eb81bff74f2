"""Binary arithmetic, comparison and logic: ``elemwise_*``, ``broadcast_*`` and ``_*_scalar``.

MXNet computes in the operands' dtype: integer division truncates toward zero, ``mod`` takes the
divisor's sign and gives 0 for a zero divisor, a float scalar applied to an integer array is
first truncated to that dtype (``int_array * 2.7`` multiplies by 2), and comparisons return
0/1 in the operand dtype.
"""
from __future__ import annotations

import numpy as np

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
    def kernel(p, ctx, ins, req, outs):
        if req[0] != NULL:
            _store(outs[0], req[0], fn(ins[0], ins[1]))
    return kernel


def _scalar_kernel(fn):
    def kernel(p, ctx, ins, req, outs):
        if req[0] == NULL:
            return
        x = ins[0]
        # The scalar is converted to the array's dtype first (1.5 -> 1 for int arrays).
        scalar = x.dtype.type(p.scalar) if x.dtype.kind in "iub" else p.scalar
        value = fn(x, scalar)
        if x.dtype.kind == "f":
            value = np.asarray(value).astype(x.dtype, copy=False)
        _store(outs[0], req[0], value)
    return kernel


def _register_all() -> None:
    for short, (fn, ew_name, ew_aliases, bc_aliases) in BINARY.items():
        register(ew_name, inputs=["lhs", "rhs"], forward=_binary_kernel(fn),
                 infer_shape=elemwise_shape, inplace=[(0, 0), (1, 0)], aliases=ew_aliases,
                 doc=f"Element-wise {short} of two arrays of the same shape.")
        register(f"broadcast_{short}", inputs=["lhs", "rhs"], forward=_binary_kernel(fn),
                 infer_shape=broadcast_shape, aliases=bc_aliases,
                 doc=f"Element-wise {short} with NumPy-style broadcasting.")
    for name, (fn, aliases) in SCALAR_NAMES.items():
        register(name, fields=[Double("scalar", 1.0, "Scalar input value"),
                               Bool("is_int", True, "Indicate whether scalar input is int type")],
                 forward=_scalar_kernel(fn), infer_shape=elemwise_shape, inplace=inplace_0_0,
                 aliases=aliases, doc=f"``{name}``: an array op a scalar, element-wise.")


_register_all()
