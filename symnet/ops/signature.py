"""Argument binding, Python signatures and docstrings for generated operator functions.

``mx.nd.X`` and ``mx.sym.X`` are both generated from an :class:`OpDef` through this module, so
they accept exactly the same arguments: inputs first (positionally or by name), then the
parameters (positionally or by name), then front-end keywords (``out``, ``name``, ``attr``).
Variadic operators (``Concat``, ``add_n``) take their inputs as ``*args`` and fill their count
parameter (``num_args``) themselves.
"""
from __future__ import annotations

import inspect
import types
from typing import Any, Callable

from ..base import _Null
from . import registry
from .registry import OpDef

__all__ = ["OpSignature", "namespace_of", "generate_namespaces", "NAMESPACES"]

#: The submodules generated operator functions are filed into (see :func:`namespace_of`).
NAMESPACES = ("op", "_internal", "contrib", "linalg", "image")

_FRONTEND_KEYS = ("out", "name", "attr")


class OpSignature:
    """How a generated function maps ``*args, **kwargs`` onto inputs and parameters."""

    def __init__(self, op: OpDef, array_type: str):
        self.op = op
        self.array_type = array_type
        self.variadic = op.num_args_key is not None
        self.inputs = () if self.variadic else op.arg_names
        self.params = tuple(f.name for f in op.fields if f.name != op.num_args_key)
        self.positional = () if self.variadic else self.inputs + self.params
        self._input_set = frozenset(self.inputs)

    def bind(self, func_name: str, args: tuple, kwargs: dict):
        """Split a call into ``(inputs, attrs, frontend)``.

        ``inputs`` is a dict by input name (a list for variadic ops); ``attrs`` holds the
        parameters and any other keywords as given; ``frontend`` holds out/name/attr.
        """
        frontend = {k: kwargs.pop(k) for k in _FRONTEND_KEYS if k in kwargs}
        if self.variadic:
            inputs: Any = list(args)
            if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
                inputs = list(inputs[0])
            extra_data = kwargs.pop("data", None)
            if extra_data is not None:
                inputs.extend(extra_data if isinstance(extra_data, (list, tuple))
                              else [extra_data])
            kwargs.setdefault(self.op.num_args_key, len(inputs))  # MXNet fills it if not given
            return inputs, self._attrs(kwargs), frontend
        if len(args) > len(self.positional):
            raise TypeError(f"{func_name}() takes at most {len(self.positional)} positional "
                            f"arguments but {len(args)} were given")
        inputs = {}
        for key, value in zip(self.positional, args):
            if key in kwargs:
                raise TypeError(f"{func_name}() got multiple values for argument '{key}'")
            kwargs[key] = value
        for key in self.inputs:
            value = kwargs.pop(key, None)
            if value is not None:
                inputs[key] = value
        return inputs, self._attrs(kwargs), frontend

    @staticmethod
    def _attrs(kwargs: dict) -> dict:
        return {k: v for k, v in kwargs.items() if v is not _Null}

    def signature(self) -> inspect.Signature:
        P = inspect.Parameter
        params = []
        if self.variadic:
            params.append(P("data", P.VAR_POSITIONAL))
            kind = P.KEYWORD_ONLY
        else:
            params += [P(n, P.POSITIONAL_OR_KEYWORD, default=None) for n in self.inputs]
            kind = P.POSITIONAL_OR_KEYWORD
        for name in self.params:
            fld = self.op.field_map[name]
            params.append(P(name, kind, default=_Null if fld.required else fld.default))
        extra = ("out", "name") if self.array_type == "NDArray" else ("name", "attr", "out")
        params += [P(n, P.KEYWORD_ONLY if self.variadic else P.POSITIONAL_OR_KEYWORD,
                     default=None) for n in extra]
        params.append(P("kwargs", P.VAR_KEYWORD))
        return inspect.Signature(params)

    def docstring(self) -> str:
        lines = [self.op.doc.strip() or f"The {self.op.name} operator.", "",
                 "Parameters", "----------"]
        if self.variadic:
            lines += [f"data : {self.array_type}[]", "    The input arrays."]
        for name in self.inputs:
            lines += [f"{name} : {self.array_type}", f"    The {name} input."]
        for name in self.params:
            fld = self.op.field_map[name]
            lines.append(f"{name} : {fld.describe()}")
            if fld.doc:
                lines.append(f"    {fld.doc}")
        if self.array_type == "NDArray":
            lines += ["out : NDArray, optional", "    The output NDArray to hold the result."]
        else:
            lines += ["name : string, optional", "    Name of the resulting symbol.",
                      "attr : dict of string to string, optional",
                      "    Attributes of the resulting symbol."]
        lines += ["", "Returns", "-------", f"out : {self.array_type} or list of "
                  f"{self.array_type}s", "    The output of this function."]
        return "\n".join(lines)


def namespace_of(name: str) -> tuple[str, str]:
    """Which front-end submodule an op name belongs to, as MXNet files them.

    ``_contrib_X`` goes to ``contrib``, ``_linalg_X`` to ``linalg``, ``_image_X`` to
    ``image``, other ``_X`` to ``_internal``; everything else is public in ``op``.
    """
    for prefix in ("contrib", "linalg", "image"):
        if name.startswith(f"_{prefix}_"):
            return prefix, name[len(prefix) + 2:]
    if name.startswith("_"):
        return "_internal", name
    return "op", name


def _fluent(function: Callable, name: str, kind: str) -> Callable:
    def method(self, *args, **kwargs):
        return function(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (f"Convenience fluent method for :py:func:`{function.__name__}`.\n\n"
                      f"The arguments are the same as for :py:func:`{function.__name__}`, with "
                      f"this {kind} as data.")
    return method


def generate_namespaces(package: str, cls: type,
                        make_function: Callable[[OpDef, str], Callable]) -> dict:
    """One front end (``mx.nd`` or ``mx.sym``) generated from the registry.

    Builds the submodules of :data:`NAMESPACES` under ``package``, fills them with
    ``make_function(op, name)`` for every operator name and alias, lists the public ones in
    ``op.__all__``, and attaches each operator's fluent methods to ``cls`` (methods ``cls``
    defines itself win). Returns the submodules by name.
    """
    kind = cls.__name__
    modules = {space: types.ModuleType(f"{package}.{space}",
                                       f"{space} operators as {kind} functions (generated).")
               for space in NAMESPACES}
    modules["op"].__all__ = []
    for public_name, op in registry.all_names().items():
        space, short = namespace_of(public_name)
        setattr(modules[space], short, make_function(op, short))
        if space == "op":
            modules["op"].__all__.append(short)
    for op in registry.list_ops():
        space, short = namespace_of(op.name)
        function = getattr(modules[space], short)
        for name in op.fluent:
            if name not in cls.__dict__:
                setattr(cls, name, _fluent(function, name, kind))
    return modules
