"""Element-wise helpers on NDArrays and numbers, and ``waitall`` (MXNet ``mx.nd.add`` etc.).

Each helper dispatches as MXNet 1.x's ``_ufunc_helper``: two NDArrays use the broadcasting
operator (``broadcast_add``), an NDArray and a number use the scalar operator (``_plus_scalar``,
or its reflected form such as ``_rminus_scalar`` when the number comes first), and two numbers
are computed in Python (``mx.nd.add(2, 3) == 5``, ``mx.nd.equal(2, 2) == 1``).
"""
from __future__ import annotations

import operator
from typing import Callable

from .ndarray import _ufunc

__all__ = ["waitall", "add", "subtract", "multiply", "divide", "true_divide", "modulo",
           "power", "maximum", "minimum", "equal", "not_equal", "greater", "greater_equal",
           "lesser", "lesser_equal", "logical_and", "logical_or", "logical_xor"]


def waitall() -> None:
    """No-op: symnet runs every operation synchronously, so nothing is ever pending."""


def _make(name: str, short: str, rscalar: str | None, both: Callable, verb: str):
    """A helper ``name(lhs, rhs)`` for ``broadcast_<short>`` / ``_<short>_scalar``."""
    scalar = _SCALAR_NAMES.get(short, f"_{short}_scalar")

    def function(lhs, rhs):
        return _ufunc(lhs, rhs, f"broadcast_{short}", scalar, rscalar, both)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        f"Returns element-wise {verb} of the input arrays with broadcasting.\n\n"
        f"Equivalent to ``mx.nd.broadcast_{short}(lhs, rhs)`` for two arrays; a number on "
        "either side uses the scalar operator.\n\n"
        "Parameters\n----------\nlhs : scalar or mxnet.ndarray.array\n    First operand.\n"
        "rhs : scalar or mxnet.ndarray.array\n    Second operand. If ``lhs.shape != "
        "rhs.shape``, they must be broadcastable to a common shape.\n\n"
        "Returns\n-------\nNDArray\n    The result (a number when both operands are numbers).")
    return function


_SCALAR_NAMES = {"add": "_plus_scalar", "sub": "_minus_scalar"}

# name -> (broadcast op suffix, reflected scalar op or None if commutative, both-numbers fn, verb)
_SPECS = {
    "add": ("add", None, operator.add, "sum"),
    "subtract": ("sub", "_rminus_scalar", operator.sub, "difference"),
    "multiply": ("mul", None, operator.mul, "product"),
    "divide": ("div", "_rdiv_scalar", operator.truediv, "division"),
    "modulo": ("mod", "_rmod_scalar", operator.mod, "modulo"),
    "power": ("power", "_rpower_scalar", operator.pow, "power"),
    "maximum": ("maximum", None, lambda x, y: x if x > y else y, "maximum"),
    "minimum": ("minimum", None, lambda x, y: x if x < y else y, "minimum"),
    "equal": ("equal", None, lambda x, y: 1 if x == y else 0, "``equal to`` (==) comparison"),
    "not_equal": ("not_equal", None, lambda x, y: 1 if x != y else 0,
                  "``not equal to`` (!=) comparison"),
    "greater": ("greater", "_lesser_scalar", lambda x, y: 1 if x > y else 0,
                "``greater than`` (>) comparison"),
    "greater_equal": ("greater_equal", "_lesser_equal_scalar", lambda x, y: 1 if x >= y else 0,
                      "``greater than or equal to`` (>=) comparison"),
    "lesser": ("lesser", "_greater_scalar", lambda x, y: 1 if x < y else 0,
               "``lesser than`` (<) comparison"),
    "lesser_equal": ("lesser_equal", "_greater_equal_scalar", lambda x, y: 1 if x <= y else 0,
                     "``lesser than or equal to`` (<=) comparison"),
    "logical_and": ("logical_and", None, lambda x, y: 1 if x and y else 0, "logical and"),
    "logical_or": ("logical_or", None, lambda x, y: 1 if x or y else 0, "logical or"),
    "logical_xor": ("logical_xor", None, lambda x, y: 1 if bool(x) ^ bool(y) else 0,
                    "logical xor"),
}

add = _make("add", *_SPECS["add"])
subtract = _make("subtract", *_SPECS["subtract"])
multiply = _make("multiply", *_SPECS["multiply"])
divide = _make("divide", *_SPECS["divide"])
true_divide = _make("true_divide", *_SPECS["divide"])
modulo = _make("modulo", *_SPECS["modulo"])
power = _make("power", *_SPECS["power"])
maximum = _make("maximum", *_SPECS["maximum"])
minimum = _make("minimum", *_SPECS["minimum"])
equal = _make("equal", *_SPECS["equal"])
not_equal = _make("not_equal", *_SPECS["not_equal"])
greater = _make("greater", *_SPECS["greater"])
greater_equal = _make("greater_equal", *_SPECS["greater_equal"])
lesser = _make("lesser", *_SPECS["lesser"])
lesser_equal = _make("lesser_equal", *_SPECS["lesser_equal"])
logical_and = _make("logical_and", *_SPECS["logical_and"])
logical_or = _make("logical_or", *_SPECS["logical_or"])
logical_xor = _make("logical_xor", *_SPECS["logical_xor"])
