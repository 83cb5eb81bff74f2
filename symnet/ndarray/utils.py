"""Array creation and helpers that are not single operators (MXNet ``ndarray/utils.py``)."""
from __future__ import annotations

from ..base import numeric_types
from .ndarray import NDArray, invoke
from ..ops.registry import get_op

__all__ = ["waitall", "add", "subtract", "multiply", "divide", "true_divide", "modulo",
           "power", "maximum", "minimum", "hypot", "equal", "not_equal", "greater",
           "greater_equal", "lesser", "lesser_equal", "logical_and", "logical_or", "logical_xor"]


def waitall() -> None:
    """No-op: symnet runs every operation synchronously, so nothing is ever pending."""


def _ufunc(lhs, rhs, short: str, scalar: str, rscalar: str | None):
    """MXNet's ``_ufunc_helper``: arrays broadcast, scalars use the ``_*_scalar`` ops."""
    if isinstance(lhs, numeric_types) and isinstance(rhs, numeric_types):
        raise TypeError("at least one operand must be an NDArray")
    if isinstance(lhs, NDArray) and isinstance(rhs, NDArray):
        return invoke(get_op(f"broadcast_{short}"), [lhs, rhs], {})
    if isinstance(lhs, NDArray):
        return invoke(get_op(scalar), [lhs], {"scalar": rhs})
    if isinstance(rhs, NDArray):
        return invoke(get_op(rscalar or scalar), [rhs], {"scalar": lhs})
    raise TypeError(f"type {type(lhs)} and {type(rhs)} not supported")


def _make(name: str, short: str, scalar: str, rscalar: str | None):
    def function(lhs, rhs):
        return _ufunc(lhs, rhs, short, scalar, rscalar)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"Element-wise ``{short}`` of two NDArrays (broadcasting) or of an "
                        "NDArray and a scalar.")
    return function


_SPECS = {
    "add": ("add", "_plus_scalar", None), "subtract": ("sub", "_minus_scalar", "_rminus_scalar"),
    "multiply": ("mul", "_mul_scalar", None), "divide": ("div", "_div_scalar", "_rdiv_scalar"),
    "true_divide": ("div", "_div_scalar", "_rdiv_scalar"),
    "modulo": ("mod", "_mod_scalar", "_rmod_scalar"),
    "power": ("power", "_power_scalar", "_rpower_scalar"),
    "maximum": ("maximum", "_maximum_scalar", None),
    "minimum": ("minimum", "_minimum_scalar", None), "hypot": ("hypot", "_hypot_scalar", None),
    "equal": ("equal", "_equal_scalar", None), "not_equal": ("not_equal", "_not_equal_scalar", None),
    "greater": ("greater", "_greater_scalar", "_lesser_scalar"),
    "greater_equal": ("greater_equal", "_greater_equal_scalar", "_lesser_equal_scalar"),
    "lesser": ("lesser", "_lesser_scalar", "_greater_scalar"),
    "lesser_equal": ("lesser_equal", "_lesser_equal_scalar", "_greater_equal_scalar"),
    "logical_and": ("logical_and", "_logical_and_scalar", None),
    "logical_or": ("logical_or", "_logical_or_scalar", None),
    "logical_xor": ("logical_xor", "_logical_xor_scalar", None),
}
globals().update({name: _make(name, *spec) for name, spec in _SPECS.items()})
