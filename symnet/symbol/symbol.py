"""``mx.sym.Symbol``: a handle to the output entries of a computation graph.

A Symbol is a list of output :class:`~symnet.graph.Entry` objects; a Group is simply a Symbol
with several. Symbols are values: composition (``net(data=x)``) and copies build new operator
nodes rather than editing shared ones. Every list (arguments, outputs, internals, JSON nodes)
comes from one depth-first post-order walk, so orders match MXNet exactly.
"""
from __future__ import annotations

import copy as _copy
import warnings
from typing import Any, Sequence

import numpy as np

from .. import attribute, name as _name
from ..base import MXNetError, NotImplementedForSymbol
from ..dtype import DTYPE_TO_FLAG, FLAG_TO_DTYPE, np_dtype
from ..graph.infer import infer_shapes, infer_types
from ..graph.node import Entry, IndexedGraph, Node, post_order
from ..ops.fields import _literal
from ..ops.registry import HIDDEN_KEYS, OpDef

__all__ = ["Symbol", "Variable", "var", "Group", "create"]

_SCALARS = (int, float, np.number, bool, np.bool_)


class Symbol:
    """A symbolic graph with one or more outputs (MXNet ``mx.sym.Symbol``)."""

    __slots__ = ("_outputs", "__weakref__")
    __module__ = "symnet.symbol"  # as MXNet shows it: <class 'mxnet.symbol.Symbol'>

    def __init__(self, outputs: Sequence[Entry]):
        self._outputs = list(outputs)

    # ---- identity and structure -------------------------------------------------------
    @property
    def name(self) -> str | None:
        """The head node's name, or None when the outputs come from several nodes."""
        nodes = {id(e.node) for e in self._outputs}
        return self._outputs[0].node.name if len(nodes) == 1 else None

    def __repr__(self) -> str:
        name = self.name
        if name is not None:
            return f"<Symbol {name}>"
        return "<Symbol group [" + ", ".join(e.node.name for e in self._outputs) + "]>"

    def __len__(self) -> int:
        return len(self._outputs)

    def __iter__(self):
        return (Symbol([e]) for e in self._outputs)

    def __getitem__(self, index) -> "Symbol":
        if isinstance(index, str):
            names = self.list_outputs()
            matches = [i for i, n in enumerate(names) if n == index]
            if not matches:
                raise ValueError(f'Cannot find output that matches name "{index}"')
            if len(matches) > 1:
                raise ValueError(f'There are multiple outputs with name "{index}"')
            index = matches[0]
        if isinstance(index, slice):
            return Symbol(self._outputs[index])
        if not isinstance(index, (int, np.integer)):
            raise TypeError(f"Symbol only supports integer, slice or name indices, got {index!r}")
        if index >= len(self._outputs) or index < -len(self._outputs):
            raise IndexError()
        return Symbol([self._outputs[index]])

    def _nodes(self) -> list[Node]:
        return post_order(self._outputs)

    def _index(self) -> IndexedGraph:
        return IndexedGraph(self._outputs)

    def list_arguments(self) -> list[str]:
        """Names of the inputs that are not auxiliary states, in DFS post-order."""
        idx = self._index()
        return [idx.nodes[i].name for i in idx.argument_ids()]

    def list_auxiliary_states(self) -> list[str]:
        """Names of the inputs that some operator mutates (BatchNorm moving stats)."""
        idx = self._index()
        return [idx.nodes[i].name for i in idx.aux_ids()]

    def list_inputs(self) -> list[str]:
        """Every variable, arguments and auxiliary states, in DFS post-order."""
        return [n.name for n in self._nodes() if n.is_variable]

    def list_outputs(self) -> list[str]:
        """``<node>_<output>`` for op outputs, the variable's name for variables."""
        return [e.node.output_names()[e.index] if not e.node.is_variable else e.node.name
                for e in self._outputs]

    def get_internals(self) -> "Symbol":
        """A Group of every node's visible outputs, in DFS post-order."""
        return Symbol([Entry(n, i) for n in self._nodes() for i in range(n.visible_outputs())])

    def get_children(self) -> "Symbol | None":
        """A Group of the head node's inputs, or None for a variable."""
        node = self._outputs[0].node
        if node.is_variable or not node.inputs:
            return None
        return Symbol(list(node.inputs))

    # ---- attributes ---------------------------------------------------------------------
    def _single_node(self) -> Node | None:
        nodes = {id(e.node): e.node for e in self._outputs}
        return next(iter(nodes.values())) if len(nodes) == 1 else None

    def attr(self, key: str) -> str | None:
        """The value of attribute ``key`` on a single-node symbol (``ctx_group`` also finds
        ``__ctx_group__``); None when absent or for a Group."""
        node = self._single_node()
        if node is None:
            return None
        if key == "name":
            return node.name
        if key in node.attrs:
            return node.attrs[key]
        return node.attrs.get(f"__{key}__") if key in HIDDEN_KEYS else None

    def list_attr(self, recursive: bool = False) -> dict[str, str]:
        """The head node's attributes, with an un-dundered copy of each hidden key."""
        if recursive:
            raise DeprecationWarning("Symbol.list_attr with recursive=True has been deprecated. "
                                     "Please use attr_dict instead.")
        return _with_plain_hidden(self._outputs[0].node.attrs)

    def attr_dict(self) -> dict[str, dict[str, str]]:
        """``{node name: attributes}`` for every node that has any."""
        return {n.name: _with_plain_hidden(n.attrs) for n in self._nodes() if n.attrs}

    def _set_attr(self, **kwargs: str) -> None:
        """Set attributes on the (single) head node, renaming hidden keys."""
        node = self._single_node()
        if node is None:
            raise MXNetError("Symbol.SetAttrs only works for non-grouped symbol")
        for value in kwargs.values():
            if not isinstance(value, str):
                raise ValueError("Set Attr only accepts string values")
        attrs = dict(node.attrs)
        attrs.update({attribute.hidden_key(k, False): v for k, v in kwargs.items()})
        if node.op is not None:
            node.params = node.op.parse(attrs, node.name)
        node.attrs = attrs

    # ---- composition --------------------------------------------------------------------
    def __call__(self, *args, **kwargs) -> "Symbol":
        """A copy with free variables replaced: ``net(data=other, name='composed')``."""
        result = self.__deepcopy__()
        result._compose(*args, **kwargs)
        return result

    def _compose(self, *args, **kwargs) -> None:
        name = kwargs.pop("name", None)
        if args and kwargs:
            raise TypeError("compose only accept input Symbols either as positional or "
                            "keyword arguments, not both")
        if args:
            raise MXNetError("General composition only support kwargs for now")
        for key, value in kwargs.items():
            if not isinstance(value, Symbol):
                raise TypeError("Compose expect `Symbol` as arguments")
            if len(value._outputs) != 1:
                raise MXNetError(f"Keyword Argument {key} is a tuple, single value is required")
        variables = [n.name for n in self._nodes() if n.is_variable]
        for key in kwargs:
            if key not in variables:
                candidates = "".join(f"\t[{i}]{n}\n" for i, n in enumerate(variables))
                raise MXNetError(f"Symbol.ComposeKeyword argument name {key} not found.\n"
                                 f"Candidate arguments:\n{candidates}")
        replace = {k: v._outputs[0] for k, v in kwargs.items()}
        self._outputs = _rebuild(self._outputs, replace)
        if name:
            head = self._outputs[0].node
            head.name = name

    def __copy__(self) -> "Symbol":
        return self.__deepcopy__()

    def __deepcopy__(self, memo=None) -> "Symbol":
        return Symbol(_rebuild(self._outputs, {}, copy_variables=True))

    def __getstate__(self):
        return {"json": self.tojson()}

    def __setstate__(self, state):
        from .io import load_json
        self._outputs = load_json(state["json"])._outputs

    # ---- arithmetic ---------------------------------------------------------------------
    def _binary(self, other, array_fn: str, scalar_fn: str) -> "Symbol":
        from . import _internal
        if isinstance(other, Symbol):
            return getattr(_internal, array_fn)(self, other)
        if isinstance(other, _SCALARS):
            return getattr(_internal, scalar_fn)(self, scalar=other)
        raise TypeError(f"type {type(other)} not supported")

    def _rscalar(self, other, scalar_fn: str) -> "Symbol":
        from . import _internal
        if isinstance(other, _SCALARS):
            return getattr(_internal, scalar_fn)(self, scalar=other)
        raise TypeError(f"type {type(other)} not supported")

    def __add__(self, o): return self._binary(o, "_Plus", "_PlusScalar")
    def __radd__(self, o): return self._rscalar(o, "_PlusScalar")
    def __sub__(self, o): return self._binary(o, "_Minus", "_MinusScalar")
    def __rsub__(self, o): return self._rscalar(o, "_RMinusScalar")
    def __mul__(self, o): return self._binary(o, "_Mul", "_MulScalar")
    def __rmul__(self, o): return self._rscalar(o, "_MulScalar")
    def __truediv__(self, o): return self._binary(o, "_Div", "_DivScalar")
    def __rtruediv__(self, o): return self._rscalar(o, "_RDivScalar")
    def __mod__(self, o): return self._binary(o, "_Mod", "_ModScalar")
    def __rmod__(self, o): return self._rscalar(o, "_RModScalar")
    def __pow__(self, o): return self._binary(o, "_Power", "_PowerScalar")
    def __rpow__(self, o): return self._rscalar(o, "_rpower_scalar")
    def __eq__(self, o): return self._binary(o, "_equal", "_equal_scalar")
    def __ne__(self, o): return self._binary(o, "_not_equal", "_not_equal_scalar")
    def __gt__(self, o): return self._binary(o, "_greater", "_greater_scalar")
    def __ge__(self, o): return self._binary(o, "_greater_equal", "_greater_equal_scalar")
    def __lt__(self, o): return self._binary(o, "_lesser", "_lesser_scalar")
    def __le__(self, o): return self._binary(o, "_lesser_equal", "_lesser_equal_scalar")
    def __neg__(self): return self.__mul__(-1.0)

    def __abs__(self):
        from . import op
        return op.abs(self)

    __div__, __rdiv__ = __truediv__, __rtruediv__
    __hash__ = object.__hash__

    def __iadd__(self, other): raise NotImplementedForSymbol(self.__iadd__, "+=", other, 1)
    def __isub__(self, other): raise NotImplementedForSymbol(self.__isub__, "-=", other)
    def __imul__(self, other): raise NotImplementedForSymbol(self.__imul__, "*=", other)
    def __itruediv__(self, other): raise NotImplementedForSymbol(self.__itruediv__, "/=", other)
    __idiv__ = __itruediv__

    def __bool__(self): raise NotImplementedForSymbol(self.__bool__, "bool")

    def asnumpy(self): raise NotImplementedForSymbol(self.asnumpy, None)
    def asscalar(self): raise NotImplementedForSymbol(self.asscalar, None)
    def copy(self): raise NotImplementedForSymbol(self.copy, None)
    def wait_to_read(self): raise NotImplementedForSymbol(self.wait_to_read, None)
    def as_in_context(self, *a): raise NotImplementedForSymbol(self.as_in_context, None)
    def detach(self): raise NotImplementedForSymbol(self.detach, None)
    def backward(self, *a, **k): raise NotImplementedForSymbol(self.backward, None)

    # ---- inference ----------------------------------------------------------------------
    def infer_shape(self, *args, **kwargs):
        """``(arg_shapes, out_shapes, aux_shapes)``; ``(None, None, None)`` plus a warning
        when some shape cannot be decided. Unknown dims are 0, unknown shapes ``()``."""
        return _infer_shape(self, args, kwargs, partial=False)

    def infer_shape_partial(self, *args, **kwargs):
        """Like :meth:`infer_shape` but returns whatever is known."""
        return _infer_shape(self, args, kwargs, partial=True)

    def infer_type(self, *args, **kwargs):
        """``(arg_types, out_types, aux_types)`` as NumPy type classes (None if unknown)."""
        return _infer_type(self, args, kwargs, partial=False)

    def infer_type_partial(self, *args, **kwargs):
        return _infer_type(self, args, kwargs, partial=True)

    # ---- binding ------------------------------------------------------------------------
    def bind(self, ctx, args, args_grad=None, grad_req="write", aux_states=None,
             group2ctx=None, shared_exec=None):
        """Bind arrays to the arguments and return an :class:`~symnet.executor.Executor`.

        ``args`` (list in ``list_arguments`` order, or dict) are used without copying."""
        from .bind import bind
        return bind(self, ctx, args, args_grad, grad_req, aux_states, group2ctx, shared_exec)

    def simple_bind(self, ctx=None, grad_req="write", type_dict=None, stype_dict=None,
                    group2ctx=None, shared_arg_names=None, shared_exec=None,
                    shared_buffer=None, **kwargs):
        """Allocate every argument, gradient and aux array from input shapes, then bind."""
        from .bind import simple_bind
        return simple_bind(self, ctx, grad_req, type_dict, stype_dict, group2ctx,
                           shared_arg_names, shared_exec, shared_buffer, **kwargs)

    def eval(self, ctx=None, **kwargs):
        """Evaluate the symbol once with the given NDArrays; returns the outputs."""
        from .bind import eval_symbol
        return eval_symbol(self, ctx, **kwargs)

    def gradient(self, wrt):
        """The gradient of the sum of the outputs with respect to the variables named in
        ``wrt``, as a Symbol (a Group when ``wrt`` names several).

        Gradients are ordinary graphs, so this can be bound, saved, or differentiated again.
        """
        from ..graph.gradient import build_gradient
        from ..graph.node import Entry
        from .construct import Group
        names = [wrt] if isinstance(wrt, str) else list(wrt)
        variables = {n.name: n for n in self._nodes() if n.is_variable}
        missing = [n for n in names if n not in variables]
        if missing:
            raise MXNetError(f"gradient: {missing} are not variables of this symbol")
        ones = [Entry(_ones_like(e)) for e in self._outputs]
        grads = build_gradient(self._outputs, [variables[n] for n in names], ones)
        out = []
        for name, g in zip(names, grads):
            if not isinstance(g, Entry):  # no gradient reaches it: zeros
                g = Entry(_zeros_like(Entry(variables[name])))
            out.append(Symbol([g]))
        return out[0] if len(out) == 1 else Group(out)

    # ---- serialisation ------------------------------------------------------------------
    def tojson(self) -> str:
        """The graph as MXNet 1.9.1 writes it (byte for byte)."""
        from .io import to_json
        return to_json(self._outputs)

    def save(self, fname: str) -> None:
        """Write :meth:`tojson` to ``fname`` (UTF-8, no trailing newline)."""
        from .io import save_json
        save_json(self._outputs, fname)

    def debug_str(self) -> str:
        """MXNet's text dump of the graph: outputs, then each node in DFS order."""
        from .io import debug_str
        return debug_str(self._outputs)


def _ones_like(entry: Entry) -> Node:
    from ..graph.gradient import make_node
    return make_node("ones_like", f"{entry.node.name}_head_grad", [entry], {})


def _zeros_like(entry: Entry) -> Node:
    from ..graph.gradient import make_node
    return make_node("zeros_like", f"{entry.node.name}_zero_grad", [entry], {})


def _with_plain_hidden(attrs: dict[str, str]) -> dict[str, str]:
    out = dict(attrs)
    for key in HIDDEN_KEYS:
        if f"__{key}__" in attrs:
            out[key] = attrs[f"__{key}__"]
    return out


def _rebuild(heads: Sequence[Entry], replace: dict[str, Entry],
             copy_variables: bool = False) -> list[Entry]:
    """Copy the graph under ``heads``, substituting variables named in ``replace``."""
    mapping: dict[int, Node | Entry] = {}
    for node in post_order(heads):
        if node.is_variable:
            if node.name in replace:
                mapping[id(node)] = replace[node.name]
            else:
                mapping[id(node)] = node.copy() if copy_variables else node
            continue
        new = node.copy()
        new.inputs = [_remap(e, mapping) for e in node.inputs]
        mapping[id(node)] = new
    return [_remap(e, mapping) for e in heads]


def _remap(entry: Entry, mapping: dict) -> Entry:
    target = mapping[id(entry.node)]
    if isinstance(target, Entry):
        return target
    return Entry(target, entry.index, entry.version)


# ---- inference front end ------------------------------------------------------------------
def _variable_hints(idx: IndexedGraph, key: str, parse) -> dict[int, Any]:
    known = {}
    for nid in idx.variable_ids():
        text = idx.nodes[nid].attrs.get(key)
        if text is not None:
            known[idx.entry_id(nid)] = parse(text)
    return known


def _given(sym: Symbol, idx: IndexedGraph, args: tuple, kwargs: dict, what: str,
           convert) -> dict[int, Any]:
    """Entry ids of the variables named by the caller, mapped to converted values."""
    if args and kwargs:
        raise ValueError("Can only specify known argument shapes either by positional or "
                         "kwargs way.")
    known: dict[int, Any] = {}
    if args:
        for nid, value in zip(idx.argument_ids(), args):
            if value is not None:
                known[idx.entry_id(nid)] = convert(idx.nodes[nid].name, value)
        return known
    by_name: dict[str, list[int]] = {}
    for nid in idx.variable_ids():
        by_name.setdefault(idx.nodes[nid].name, []).append(nid)
    for key, value in kwargs.items():
        if key not in by_name:
            names = [idx.nodes[i].name for i in idx.variable_ids()]
            candidates = "".join(f"\t[{i}]{n}\n" for i, n in enumerate(names))
            raise MXNetError(f"{what}Keyword argument name {key} not found.\n"
                             f"Candidate arguments:\n{candidates}")
        converted = convert(key, value)
        if converted is not None:
            for nid in by_name[key]:
                known[idx.entry_id(nid)] = converted
    return known


def _legacy_shape(name: str, shape) -> tuple:
    if not isinstance(shape, tuple):
        raise TypeError(f"Arguments need to be shapes (tuple), but '{name}' is {type(shape)}.")
    return tuple(None if d == 0 else int(d) for d in shape)


def _shape_from_attr(text: str) -> tuple:
    value = _literal(text)
    return _legacy_shape("__shape__", tuple(value) if isinstance(value, list) else value)


def _public_shape(shape) -> tuple:
    return () if shape is None else tuple(0 if d is None else d for d in shape)


def _split(idx: IndexedGraph, values: list):
    args = [values[idx.entry_id(i)] for i in idx.argument_ids()]
    aux = [values[idx.entry_id(i)] for i in idx.aux_ids()]
    outs = [values[h] for h in idx.heads]
    return args, outs, aux


def _undecided(names, values, fmt) -> str:
    rows = [f"{n}: {fmt(v)}" for n, v in zip(names, values)]
    shown = rows[:10] + (["..."] if len(rows) > 10 else [])
    return "".join(f"\n\t{r}" for r in shown)


def _infer_shape(sym: Symbol, args, kwargs, partial: bool):
    from ..ops.rules import known as is_known
    idx = sym._index()
    known = _variable_hints(idx, "__shape__", _shape_from_attr)
    try:
        known.update(_given(sym, idx, args, kwargs, "InferShape", _legacy_shape))
        values = infer_shapes(idx, known)
    except MXNetError:
        given = kwargs or dict(zip(sym.list_arguments(), args))
        print("infer_shape error. Arguments:" + "".join(f"\n  {k}: {v}"
                                                        for k, v in given.items()))
        raise
    arg_s, out_s, aux_s = _split(idx, values)
    if not partial and not all(is_known(s) for s in arg_s + out_s + aux_s):
        names = [idx.nodes[i].name for i in idx.argument_ids()]
        bad = [(n, s) for n, s in zip(names, arg_s) if not is_known(s)]
        warnings.warn("Cannot decide shape for the following arguments (0s in shape means "
                      "unknown dimensions). Consider providing them as input:"
                      + _undecided([n for n, _ in bad], [_public_shape(s) for _, s in bad],
                                   str), stacklevel=3)
        return None, None, None
    return ([_public_shape(s) for s in arg_s], [_public_shape(s) for s in out_s],
            [_public_shape(s) for s in aux_s])


def _user_dtype(name: str, value):
    try:
        dt = np.dtype(value)
    except TypeError:
        raise TypeError(f"data type '{value}' not understood") from None
    return dt if dt in DTYPE_TO_FLAG else None  # MXNet silently drops types it cannot hold


def _infer_type(sym: Symbol, args, kwargs, partial: bool):
    idx = sym._index()
    known = _variable_hints(idx, "__dtype__", lambda t: FLAG_TO_DTYPE[int(t)])
    known.update(_given(sym, idx, args, kwargs, "InferType", _user_dtype))
    values = infer_types(idx, known)
    arg_t, out_t, aux_t = _split(idx, values)
    public = lambda ts: [None if t is None else t.type for t in ts]
    if not partial and any(t is None for t in arg_t + out_t + aux_t):
        names = [idx.nodes[i].name for i in idx.argument_ids()]
        bad = [(n, t) for n, t in zip(names, arg_t) if t is None]
        warnings.warn("Cannot decide type for the following arguments. Consider providing "
                      "them as input:" + _undecided([n for n, _ in bad], [None] * len(bad), str),
                      stacklevel=3)
        return None, None, None
    return public(arg_t), public(out_t), public(aux_t)
