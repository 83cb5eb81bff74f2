"""Errors and small shared helpers (MXNet's ``mxnet.base``).

Everything here is imported by every other layer, so it imports nothing from symnet.
"""
from __future__ import annotations

__all__ = ["MXNetError", "NotImplementedForSymbol", "_Null", "string_types", "numeric_types"]

string_types = (str,)
numeric_types = (float, int)
integer_types = (int,)


class MXNetError(RuntimeError):
    """The error raised for invalid operator parameters, shapes, types and files.

    It subclasses ``RuntimeError`` exactly as MXNet's does, so ``except RuntimeError``
    keeps working for code written against MXNet.
    """


class NotImplementedForSymbol(MXNetError):
    """An NDArray-only function was called on a Symbol."""

    def __init__(self, function, alias=None, *args):
        super().__init__()
        self.function = function.__name__ if callable(function) else str(function)
        self.alias = alias
        self.args = tuple(str(type(a)) for a in args)

    def __str__(self) -> str:
        msg = f"Function {self.function}"
        if self.alias:
            msg += f' (namely operator "{self.alias}")'
        if self.args:
            msg += " with arguments ({})".format(", ".join(self.args))
        return msg + " is not implemented for Symbol and only available in NDArray."


class _NullType:
    """Placeholder for an argument that was not given (distinct from ``None``)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "_Null"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self):
        return (_NullType, ())


_Null = _NullType()
