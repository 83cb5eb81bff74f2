"""Building symbols: ``Variable``, ``Group`` and operator application (``mx.sym.X``)."""
from __future__ import annotations

from typing import Any, Sequence

from .. import attribute, name as _name
from ..base import MXNetError
from ..dtype import DTYPE_TO_FLAG, np_dtype
from ..graph.node import Entry, Node
from ..ops.registry import OpDef
from .symbol import Symbol

__all__ = ["Variable", "var", "Group", "create"]

_STORAGE_TYPES = {"default": 0, "row_sparse": 1, "csr": 2}


def Variable(name: str, attr: dict | None = None, shape=None, lr_mult=None, wd_mult=None,
             dtype=None, init=None, stype=None, **kwargs) -> Symbol:
    """A free variable (an input of the graph), e.g. ``mx.sym.Variable('data')``.

    ``shape``, ``lr_mult``, ``wd_mult``, ``dtype``, ``init`` and ``stype`` are stored as the
    hidden attributes ``__shape__``, ``__lr_mult__``, ... exactly as MXNet stores them.
    """
    if not isinstance(name, str):
        raise TypeError("Expect a string for variable `name`")
    attrs = {attribute.hidden_key(k, False): v
             for k, v in attribute.current().get(attr).items()}
    if shape is not None:
        attrs["__shape__"] = str(shape)
    if lr_mult is not None:
        attrs["__lr_mult__"] = str(lr_mult)
    if wd_mult is not None:
        attrs["__wd_mult__"] = str(wd_mult)
    if dtype is not None:
        attrs["__dtype__"] = str(DTYPE_TO_FLAG[np_dtype(dtype)])
    if init is not None:
        attrs["__init__"] = init if isinstance(init, str) else init.dumps()
    if stype is not None:
        attrs["__storage_type__"] = str(_STORAGE_TYPES[stype])
    for key, value in kwargs.items():
        if not (key.startswith("__") and key.endswith("__")):
            raise ValueError(f"Attribute name={key} is not supported. Additional attributes "
                             "must start and end with double underscores, e.g, __yourattr__")
        attrs[key] = str(value)
    return Symbol([Entry(Node(None, name, attrs))])


var = Variable


def Group(symbols: Sequence[Symbol]) -> Symbol:
    """One symbol whose outputs are the outputs of ``symbols``, in order."""
    if not symbols or any(not isinstance(s, Symbol) for s in symbols):
        raise TypeError("Expected a list of symbols as input")
    return Symbol([e for s in symbols for e in s._outputs])


def _node_attrs(op: OpDef, kwargs: dict[str, Any], attr: dict | None) -> dict[str, str]:
    """Scope and user attributes (hidden keys renamed) plus the op's parameters as strings."""
    attrs = {}
    for key, value in attribute.current().get(attr).items():
        attrs[attribute.hidden_key(key, True, value)] = value
    for key, value in kwargs.items():
        fld = op.field_map.get(key)
        attrs[key] = fld.format(value) if fld is not None else str(value)
    return attrs


def create(op: OpDef, inputs: dict[str, Any] | list, kwargs: dict[str, Any],
           name: str | None, attr: dict | None, hint: str) -> Symbol:
    """Apply ``op``: name the node, validate parameters, create missing input variables."""
    node_name = _name.current().get(name, hint)
    attrs = _node_attrs(op, kwargs, attr)
    # MXNet validates parameters before the node is named: errors say name="".
    node = Node(op, node_name, attrs, params=op.parse(attrs, ""))
    names = op.input_names(node.params)
    if isinstance(inputs, list):
        given = dict(zip(names, inputs))
    else:
        unused = set(inputs) - set(names)
        if unused:
            raise MXNetError(f"Operator {op.name}({node_name}): input(s) {sorted(unused)} are "
                             f"not used with these parameters (inputs: {names})")
        given = inputs
    aux = set(op.aux_indices(node.params))
    entries = []
    for i, input_name in enumerate(names):
        entries.append(_input_entry(op, node, i, input_name, given.get(input_name), i in aux))
    node.inputs = entries
    return Symbol([Entry(node, i) for i in range(node.visible_outputs())])


def _input_entry(op: OpDef, node: Node, i: int, input_name: str, value, is_aux: bool) -> Entry:
    if value is None:
        var_name = f"{node.name}_{input_name}" if node.name else input_name
        entry = Entry(Node(None, var_name, dict(node.attrs)))
    elif isinstance(value, Symbol):
        if len(value._outputs) != 1:
            raise MXNetError(f"Keyword Argument {input_name} is a tuple, single value is "
                             "required")
        entry = value._outputs[0]
    else:
        raise AssertionError(f"Argument {input_name} must be Symbol instances, but got {value}")
    source = entry.node
    if op.attr_hook is not None and source.is_variable:
        for key, text in op.attr_hook(node.params, i).items():
            source.attrs.setdefault(key, text)
    if is_aux and source.is_variable:
        source.version += 1
        entry = Entry(source, entry.index, source.version)
    return entry
