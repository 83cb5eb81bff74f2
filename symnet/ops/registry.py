"""The operator registry: one :class:`OpDef` record per operator.

An ``OpDef`` is the single source of truth for an operator: its MXNet name and aliases, typed
parameters, input/output/aux names, shape and type inference, in-place pairs, NumPy kernel,
gradient rule and documentation. ``mx.nd.X``, ``mx.sym.X``, the fluent methods, JSON attribute
parsing, the inference passes and the executor all read these records.

Contracts (see docs/architecture.md):

* ``infer_shape(params, in_shapes, out_shapes) -> (in_shapes, out_shapes)`` is pure. A shape is a
  tuple whose unknown dims are ``None``; an unknown shape is ``None``. It fills what it can (also
  inputs, e.g. a weight from the data) and raises :class:`InferError` on a contradiction.
* ``infer_type`` has the same form with ``np.dtype`` or ``None``.
* ``forward(params, ctx, ins, req, outs)`` writes every output ``outs[j]`` according to
  ``req[j]`` (``'write'``, ``'inplace'``, ``'add'`` or ``'null'``), never rebinds it, keeps no
  reference to inputs, and is correct when ``outs[j] is ins[i]`` for a declared in-place pair.
* ``gradient(g, node, out_grads) -> list`` builds graph entries, one per input (``None``: no
  gradient). Used by the executor's backward pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..base import MXNetError
from .fields import REQUIRED, Field

__all__ = ["OpDef", "Params", "InferError", "register", "get_op", "find_op", "list_ops",
           "every_input", "off_batch_axis",
           "HIDDEN_KEYS", "fmt_shape", "merge_shape", "merge_type"]

#: Attribute keys that MXNet stores as ``__key__`` on nodes (AttrScope, Variable(lr_mult=...)).
HIDDEN_KEYS = ("ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage")


class InferError(MXNetError):
    """A shape or type contradiction found by an inference rule (the caller adds the node)."""


class Params(dict):
    """Parsed operator parameters; read them as attributes (``p.axis``) or keys."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__ = self  # kernels read p.axis on hot paths: a plain dict lookup

    def __getattr__(self, key: str) -> Any:  # only reached by copies made without __init__
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


def fmt_shape(shape) -> str:
    """Format a shape as MXNet does in messages: ``[2,3]``, unknown dims as ``-1``."""
    if shape is None:
        return "[]"
    return "[" + ",".join("-1" if d is None else str(d) for d in shape) + "]"


Names = Callable[[Params], list]


def _const(value):
    return lambda p: value


def _default_output_names(n: int) -> list[str]:
    return ["output"] if n == 1 else [f"output{i}" for i in range(n)]


@dataclass(frozen=True, eq=False)
class OpDef:
    """Everything symnet knows about one operator. Build it through :func:`register`."""

    name: str
    forward: Callable
    infer_shape: Callable
    infer_type: Callable
    fields: tuple[Field, ...] = ()
    input_names: Names = _const(["data"])
    num_outputs: Callable[[Params], int] = _const(1)
    num_visible_outputs: Callable[[Params], int] | None = None
    output_names: Names | None = None
    aux_indices: Callable[[Params], list[int]] = _const([])
    inplace: Callable[[Params], list[tuple[int, int]]] = _const([])
    gradient: Callable | None = None
    num_args_key: str | None = None
    aliases: tuple[str, ...] = ()
    fluent: tuple[str, ...] = ()
    doc: str = ""
    needs_rng: bool = False
    #: Threads (symnet.parallel): the kernel splits its batch over threads and wants BLAS held
    #: at one thread (``splits_batch``), or its matrix products rely on BLAS's own threads
    #: (``blas_threads``). A program holds BLAS if it has the first kind and none of the second.
    splits_batch: bool = False
    blas_threads: bool = False
    #: In a pass without training, output sample ``i`` (index ``i`` of axis 0) depends only on
    #: sample ``i`` of the inputs at these positions and on the whole of the other inputs; an
    #: output whose shape has no batch axis (BatchNorm's mean and var) depends on no sample.
    #: Given as positions, or ``fn(params, input_shapes)`` returning them (None: not here).
    #: None: not known to hold. Executors run such passes in slices of the batch.
    per_sample: Callable[[Params, list], Sequence[int] | None] | None = None
    attr_hook: Callable | None = None   # (params, input_index) -> extra variable attrs
    validate: Callable | None = None    # (params) -> None; raises InferError (cross-field checks)
    arg_names: tuple[str, ...] = ()      # every input any configuration can take (signatures)
    static_inputs: tuple[str, ...] | None = None  # input names when they never vary
    field_map: dict = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "field_map", {f.name: f for f in self.fields})
        if not self.arg_names and self.num_args_key is None:
            defaults = Params({f.name: None if f.required else f.default for f in self.fields})
            object.__setattr__(self, "arg_names", tuple(self.input_names(defaults)))

    def inputs_for(self, params: Params) -> list[str]:
        return list(self.input_names(params))

    # ---- parameters -------------------------------------------------------------------
    def parse(self, attrs: dict[str, Any], node_name: str = "") -> Params:
        """Parse user/JSON attributes into :class:`Params`, filling defaults.

        ``__dunder__`` keys are not parameters and are skipped. Raises MXNetError with
        MXNet's wording for unknown keys, missing required values and bad formats.
        """
        out = Params()
        for key, value in attrs.items():
            if key.startswith("__") and key.endswith("__"):
                continue
            fld = self.field_map.get(key)
            if fld is None:
                raise MXNetError(f"Cannot find argument '{key}', Possible Arguments:\n"
                                 f"----------------\n{self.describe_fields()}, in operator "
                                 f"{self._where(attrs, node_name)}")
            try:
                out[key] = fld.parse(value)
            except ValueError as err:
                raise MXNetError(f"{err}, in operator {self._where(attrs, node_name)}") from None
        for fld in self.fields:
            if fld.name not in out:
                if fld.required:
                    raise MXNetError(f"Required parameter {fld.name} of {fld.type_name} is not "
                                     f"presented, in operator {self._where(attrs, node_name)}")
                out[fld.name] = fld.default
        if self.validate is not None:  # checks across fields, at creation time as MXNet does
            try:
                self.validate(out)
            except InferError as err:
                raise MXNetError(str(err)) from None
        return out

    def format_attrs(self, attrs: dict[str, Any]) -> dict[str, str]:
        """Attribute strings for user-given values, as MXNet stores them in JSON."""
        out = {}
        for key, value in attrs.items():
            fld = self.field_map.get(key)
            out[key] = fld.format(value) if fld is not None else str(value)
        return out

    def _where(self, attrs: dict[str, Any], node_name: str) -> str:
        shown = "".join(f', {k}="{v}"' for k, v in attrs.items()
                        if not (k.startswith("__") and k.endswith("__")))
        return f'{self.name}(name="{node_name}"{shown})'

    def describe_fields(self) -> str:
        lines = []
        for fld in self.fields:
            lines.append(f"{fld.name} : {fld.describe()}")
            if fld.doc:
                lines.append(f"    {fld.doc}")
        return "\n".join(lines)

    # ---- structure --------------------------------------------------------------------
    def list_outputs(self, params: Params) -> list[str]:
        """Names of all outputs (hidden ones included), e.g. ``['output', 'mean', 'var']``."""
        if self.output_names is not None:
            return list(self.output_names(params))
        return _default_output_names(self.num_outputs(params))

    def visible_outputs(self, params: Params) -> int:
        if self.num_visible_outputs is None:
            return self.num_outputs(params)
        return self.num_visible_outputs(params)

    # ---- inference with MXNet-style errors ----------------------------------------------
    def shapes(self, params: Params, in_shapes: list, out_shapes: list, node_name: str = ""):
        """Run the shape rule and merge its answer with what was given.

        Contradictions (inside the rule, or between the rule's answer and a given shape)
        become MXNetError naming the node, e.g. ``Error in operator fc1: Shape
        inconsistent, Provided = [100,64], inferred shape=(128,64)``.
        """
        where = node_name or self.name
        try:
            new_in, new_out = self.infer_shape(params, list(in_shapes), list(out_shapes))
        except InferError as err:
            raise _named(err, where) from None
        return (_merge_all(in_shapes, new_in, merge_shape, where, _shape_conflict, "input"),
                _merge_all(out_shapes, new_out, merge_shape, where, _shape_conflict, "output"))

    def types(self, params: Params, in_types: list, out_types: list, node_name: str = ""):
        """Run the type rule and merge its answer with what was given."""
        where = node_name or self.name
        try:
            new_in, new_out = self.infer_type(params, list(in_types), list(out_types))
        except InferError as err:
            raise _named(err, where) from None
        return (_merge_all(in_types, new_in, merge_type, where, _type_conflict, "input"),
                _merge_all(out_types, new_out, merge_type, where, _type_conflict, "output"))


def _named(err: InferError, where: str) -> MXNetError:
    """The rule's message with the node named, as MXNet words it."""
    text = str(err).replace("in node at ", f"in node {where} at ")
    return MXNetError(f"Error in operator {where}: {text}")


def merge_shape(a, b):
    """Unify two partial shapes (None = unknown shape or dim); ValueError on conflict."""
    if a is None:
        return b
    if b is None:
        return a
    if len(a) != len(b):
        raise ValueError
    out = []
    for x, y in zip(a, b):
        if x is not None and y is not None and x != y:
            raise ValueError
        out.append(y if x is None else x)
    return tuple(out)


def merge_type(a, b):
    """Unify two dtypes (None is unknown); ValueError on a conflict."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    raise ValueError


def _shape_conflict(where: str, old, new, label: str) -> MXNetError:
    dims = ["-1" if d is None else str(d) for d in new]
    text = "(" + ",".join(dims) + ("," if len(dims) == 1 else "") + ")"  # MXNet: (3,)
    return MXNetError(f"Error in operator {where}: Shape inconsistent, Provided = "
                      f"{fmt_shape(old)}, inferred shape={text}")


def _type_conflict(where: str, old, new, label: str) -> MXNetError:
    return MXNetError(f"Error in operator {where}: Incompatible attr in node {where} at "
                      f"{label}: expected {np.dtype(old).name}, got {np.dtype(new).name}")


def _merge_all(given: list, answer: list, merge, where: str, conflict, kind: str) -> list:
    out = list(given)
    for k, (old, new) in enumerate(zip(given, answer)):
        try:
            out[k] = merge(old, new)
        except ValueError:
            raise conflict(where, old, new, f"{k}-th {kind}") from None
    return out


_REGISTRY: dict[str, OpDef] = {}
_ALIASES: dict[str, str] = {}


def register(name: str, *, forward: Callable, infer_shape: Callable,
             infer_type: Callable | None = None, fields: Sequence[Field] = (),
             inputs: Sequence[str] | Names = ("data",), outputs: int | Callable = 1,
             output_names: Sequence[str] | Names | None = None,
             visible_outputs: int | Callable | None = None,
             aux: Sequence[int] | Callable = (), inplace: Sequence[tuple[int, int]] | Callable = (),
             gradient: Callable | None = None, num_args_key: str | None = None,
             aliases: Sequence[str] = (), fluent: bool | Sequence[str] = False, doc: str = "",
             needs_rng: bool = False, splits_batch: bool = False, blas_threads: bool = False,
             per_sample: Sequence[int] | Callable | None = None,
             attr_hook: Callable | None = None, arg_names: Sequence[str] = (),
             validate: Callable | None = None) -> OpDef:
    """Register one operator and return its :class:`OpDef`.

    Static values (a list of input names, an output count, in-place pairs) may be given
    directly; anything that depends on the parameters is given as ``fn(params)``.
    ``fluent=True`` attaches the op as a method under its own name; a list of names attaches
    it under those names (e.g. ``["reshape"]`` for ``Reshape``). ``validate(params)`` checks
    combinations of parameters when they are parsed (symbol creation, imperative calls, JSON
    loading) and raises InferError with MXNet's wording.
    """
    from .rules import same_type  # local: rules imports this module

    if name in _REGISTRY or name in _ALIASES:
        raise MXNetError(f"Operator {name} is already registered")
    wrap = lambda v: v if callable(v) else _const(list(v) if isinstance(v, (list, tuple)) else v)
    if fluent is True:
        fluent_names = (name,)
    elif fluent:
        fluent_names = tuple(fluent)
    else:
        fluent_names = ()
    op = OpDef(
        name=name, forward=forward, infer_shape=infer_shape,
        infer_type=infer_type or same_type, fields=tuple(fields), input_names=wrap(inputs),
        num_outputs=wrap(outputs), num_visible_outputs=None if visible_outputs is None
        else wrap(visible_outputs), output_names=None if output_names is None
        else wrap(output_names), aux_indices=wrap(aux), inplace=wrap(inplace),
        gradient=gradient, num_args_key=num_args_key, aliases=tuple(aliases),
        fluent=fluent_names, doc=doc, needs_rng=needs_rng, splits_batch=splits_batch,
        blas_threads=blas_threads,
        per_sample=per_sample if per_sample is None or callable(per_sample)
        else lambda p, shapes, v=tuple(per_sample): v,
        attr_hook=attr_hook,
        arg_names=tuple(arg_names), validate=validate,
        static_inputs=None if callable(inputs) else tuple(inputs))
    _REGISTRY[name] = op
    for alias in op.aliases:
        if alias in _REGISTRY or alias in _ALIASES:
            raise MXNetError(f"Operator alias {alias} is already registered")
        _ALIASES[alias] = name
    return op


def every_input(p: Params, shapes: list) -> range:
    """``per_sample`` of element-wise operators: every input is indexed by sample."""
    return range(len(shapes))


def off_batch_axis(key: str, positions: Sequence[int] | Callable = (0,)) -> Callable:
    """``per_sample`` of an operator that works along axis ``p.<key>``: ``positions`` (or
    ``positions(p, shapes)``) where that axis, negative counting from the end of input 0, is
    not the batch axis."""
    def per_sample(p: Params, shapes: list):
        axis = p[key]
        ndim = len(shapes[0]) if shapes and shapes[0] is not None else 0
        if ndim < 2 or axis % ndim == 0:
            return None
        return positions(p, shapes) if callable(positions) else positions
    return per_sample


def find_op(name: str) -> OpDef | None:
    """The OpDef registered under ``name`` or one of its aliases, or None."""
    op = _REGISTRY.get(name)
    if op is None and name in _ALIASES:
        op = _REGISTRY[_ALIASES[name]]
    return op


def get_op(name: str) -> OpDef:
    """Like :func:`find_op` but raises MXNet's error for an unknown operator."""
    op = find_op(name)
    if op is None:
        raise MXNetError(f"Operator {name} is not registered")
    return op


def list_ops() -> list[OpDef]:
    """All registered operators, in registration order."""
    return list(_REGISTRY.values())


def all_names() -> dict[str, OpDef]:
    """Every name (canonical and alias) mapped to its OpDef."""
    names = dict(_REGISTRY)
    names.update({alias: _REGISTRY[target] for alias, target in _ALIASES.items()})
    return names
