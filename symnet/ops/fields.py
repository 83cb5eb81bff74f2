"""Typed operator parameters (MXNet's ``dmlc::Parameter`` fields).

A field parses a value given either as a Python object (``kernel=(3, 3)``) or as MXNet's
attribute string (``"(3, 3)"``, ``"True"``, ``"relu"``, ``"1e-10"``), validates it, and
formats a Python value back to an attribute string. A parse failure raises ``ValueError``
with the phrase MXNet uses (``expect int``); the registry adds the operator and node names.
"""
from __future__ import annotations

import ast
from typing import Any, Sequence

import numpy as np

__all__ = ["REQUIRED", "Field", "Int", "Float", "Double", "Probability", "Bool", "Str", "Enum", "Shape", "FloatTuple",
           "DType"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: Default of a field that must be given.
REQUIRED: Any = _Required()


class Field:
    """One named parameter: a default, a docstring, and parse/format rules."""

    type_name = "any"

    def __init__(self, name: str, default: Any = REQUIRED, doc: str = "", *,
                 optional: bool = False):
        self.name = name
        self.optional = optional or default is None
        self.default = default
        self.doc = doc

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def describe(self) -> str:
        kind = self.type_name + (" or None" if self.optional else "")
        if self.required:
            return f"{kind}, required"
        return f"{kind}, optional, default={self.format(self.default)}"

    def parse(self, value: Any) -> Any:
        """Return the Python value of ``value`` (a string or a Python object)."""
        if value is None or (isinstance(value, str) and value.strip() == "None"):
            if self.optional:
                return None
            raise ValueError(self._expect(value))
        try:
            return self._parse(value)
        except (ValueError, TypeError, SyntaxError, OverflowError) as err:
            raise ValueError(self._expect(value)) from err

    def format(self, value: Any) -> str:
        """The MXNet attribute string for a Python value (``str()`` as MXNet's Python does)."""
        return "None" if value is None else str(value)

    def _expect(self, value: Any) -> str:
        kind = self.type_name + (" or None" if self.optional else "")
        return f"Invalid Parameter format for {self.name} expect {kind} but value='{value}'"

    def _parse(self, value: Any) -> Any:
        return value


class Int(Field):
    type_name = "int"

    def __init__(self, name, default=REQUIRED, doc="", *, low: int | None = None,
                 high: int | None = None, optional: bool = False):
        super().__init__(name, default, doc, optional=optional)
        self.low, self.high = low, high

    def _parse(self, value):
        if isinstance(value, (bool, np.bool_)):
            raise ValueError("bool is not an int")
        if isinstance(value, (int, np.integer)):
            out = int(value)
        elif isinstance(value, str):
            out = int(value.strip())
        else:
            raise TypeError(type(value))
        if self.low is not None and out < self.low:
            raise ValueError(f"value {out} for Parameter {self.name} should be "
                             f"greater equal to {self.low}")
        if self.high is not None and out > self.high:
            raise ValueError(f"value {out} for Parameter {self.name} should be "
                             f"less equal to {self.high}")
        return out

    def parse(self, value):
        try:
            return super().parse(value)
        except ValueError as err:
            if err.__cause__ is not None and "should be" in str(err.__cause__):
                raise ValueError(str(err.__cause__)) from None
            raise


class Float(Field):
    type_name = "float"

    def _parse(self, value):
        if isinstance(value, (bool, np.bool_)):
            return float(value)
        if isinstance(value, (int, float, np.integer, np.floating)):
            return float(value)
        if isinstance(value, str):
            return float(value.strip())
        raise TypeError(type(value))


class Probability(Float):
    """A float in [0, 1], rejected with MXNet's 'exceed bound' message otherwise."""

    def parse(self, value):
        result = super().parse(value)
        if result is not None and not 0.0 <= result <= 1.0:
            raise ValueError(f"value {value} for Parameter {self.name} exceed bound [0,1]\n"
                             f"{self.name}: {self.doc}")
        return result


class Double(Float):
    """A float that MXNet declares as ``double`` (the name shows in messages and docs)."""

    type_name = "double"


class Bool(Field):
    type_name = "boolean"
    _words = {"true": True, "1": True, "false": False, "0": False}

    def _parse(self, value):
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        if isinstance(value, (int, np.integer)) and int(value) in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in self._words:
            return self._words[value.strip().lower()]
        raise ValueError(value)


class Str(Field):
    type_name = "string"

    def _parse(self, value):
        return str(value)


class Enum(Field):
    """One of a fixed set of strings, e.g. ``act_type`` in ``{'relu', 'sigmoid', ...}``."""

    def __init__(self, name, choices: Sequence[str], default=REQUIRED, doc="", *,
                 optional: bool = False):
        super().__init__(name, default, doc, optional=optional)
        self.choices = tuple(choices)

    @property
    def type_name(self) -> str:  # type: ignore[override]
        return "{" + ", ".join(f"'{c}'" for c in sorted(self.choices)) + "}"

    def parse(self, value):
        if value is None or value == "None":
            if self.optional:
                return None
        text = str(value).strip()
        if text not in self.choices:
            valid = "{" + ", ".join(f"'{c}'" for c in sorted(self.choices)) + "}"
            raise ValueError(f"Invalid Input: '{text}', valid values are: {valid}")
        return text

    def format(self, value):
        return "None" if value is None else str(value)


def _literal(text: str) -> Any:
    """Parse "(3, 3)", "[3,3]", "3", "(None, 2)" or "()" without evaluating code."""
    text = text.strip()
    if not text:
        raise ValueError("empty")
    return ast.literal_eval(text)


class Shape(Field):
    """A tuple of ints (MXNet ``Shape(tuple)``); a bare int ``3`` means ``(3,)``."""

    type_name = "Shape(tuple)"

    def __init__(self, name, default=REQUIRED, doc="", *, optional: bool = False,
                 allow_none_items: bool = False):
        super().__init__(name, default, doc, optional=optional)
        self.allow_none_items = allow_none_items

    @property
    def type_name(self) -> str:  # type: ignore[override]
        return "Shape(tuple)"

    def _parse(self, value):
        if isinstance(value, str):
            value = _literal(value)
        if isinstance(value, (bool, np.bool_)):
            raise ValueError("bool is not a shape")
        if isinstance(value, (int, np.integer)):
            return (int(value),)
        if not isinstance(value, (tuple, list)):
            raise TypeError(type(value))
        out = []
        for item in value:
            if item is None and self.allow_none_items:
                out.append(None)
            elif isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
                out.append(int(item))
            else:
                raise ValueError(item)
        return tuple(out)


class FloatTuple(Field):
    """A tuple of floats, e.g. ``scales="(1.0, 2.0)"``."""

    type_name = "tuple of <float>"

    def _parse(self, value):
        if isinstance(value, str):
            value = _literal(value)
        if isinstance(value, (int, float, np.integer, np.floating)):
            return (float(value),)
        return tuple(float(v) for v in value)


class DType(Field):
    """A dtype parameter: one of a fixed set of type names (MXNet's int-backed dtype enum).

    Accepts names or NumPy types (``np.float16`` -> ``'float16'``); anything else raises
    MXNet's enum message ``Invalid Input: 'x', valid values are: {...}``.
    """

    _names = ("bfloat16", "bool", "float16", "float32", "float64", "int32", "int64", "int8",
              "uint8", "int16", "uint16", "uint32", "uint64")

    def __init__(self, name, default=REQUIRED, doc="", *, optional: bool = False,
                 choices: Sequence[str] | None = None):
        super().__init__(name, default, doc, optional=optional)
        self.choices = tuple(choices) if choices else self._names

    @property
    def type_name(self) -> str:  # type: ignore[override]
        return "int"  # "Required parameter dtype of int is not presented"

    def _valid(self) -> str:
        return "{" + ", ".join(f"'{c}'" for c in sorted(self.choices)) + "}"

    def describe(self) -> str:
        kinds = self._valid() + (" or None" if self.optional else "")
        if self.required:
            return f"{kinds}, required"
        return f"{kinds}, optional, default={self.format(self.default)}"

    def parse(self, value):
        if value is None or (isinstance(value, str) and value.strip() == "None"):
            if self.optional:
                return None
        name = _dtype_name(value)
        if name not in self.choices:
            raise ValueError(f"Invalid Input: '{name}', valid values are: {self._valid()}")
        return name

    def format(self, value):
        return "None" if value is None else _dtype_name(value)


def _dtype_name(value) -> str:
    if isinstance(value, str):
        return value.strip()
    try:
        dt = np.dtype(value)
    except TypeError:
        return str(value)
    return "bfloat16" if dt.names == ("bfloat16",) else dt.name
