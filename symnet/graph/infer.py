"""Shape and type inference over a whole graph (NNVM's ``InferShape`` / ``InferType``).

Input: an :class:`IndexedGraph` and the known values of some entries. Output: one value per
entry (a shape tuple with ``None`` for unknown dims, or ``None``; a dtype or ``None``).
Algorithm: sweep the nodes forwards, then backwards, calling each operator's rule with what is
known about its inputs and outputs and merging what it returns, until a full sweep learns
nothing new. The backward sweep is what sizes a weight from the data it meets further on.
Invariant: a merge never forgets information; a contradiction raises MXNetError naming the node.
"""
from __future__ import annotations

from typing import Callable

from .node import IndexedGraph

__all__ = ["infer_shapes", "infer_types", "shape_score"]


def shape_score(shape) -> int:
    """How much is known about a shape: 0 if nothing, else 1 + the number of known dims."""
    return 0 if shape is None else 1 + sum(d is not None for d in shape)


def _type_score(dtype) -> int:
    return 0 if dtype is None else 1


def _run(idx: IndexedGraph, values: list, rule_of: Callable, score) -> list:
    """The shared fixpoint loop; ``rule_of(op)`` picks the op's shape or type method."""
    total = sum(score(v) for v in values)
    order = [i for i, n in enumerate(idx.nodes) if not n.is_variable]
    while True:
        for sweep in (order, order[::-1]):
            for nid in sweep:
                _apply(idx, nid, values, rule_of)
        new_total = sum(score(v) for v in values)
        if new_total <= total:
            return values
        total = new_total


def _apply(idx: IndexedGraph, nid: int, values: list, rule_of: Callable) -> None:
    """Run one node's rule; ``OpDef.shapes``/``types`` merge and check the answer."""
    node = idx.nodes[nid]
    ins = idx.input_entries[nid]
    lo, hi = idx.row_ptr[nid], idx.row_ptr[nid + 1]
    new_ins, new_outs = rule_of(node.op)(node.params, [values[e] for e in ins], values[lo:hi],
                                         node.name)
    for eid, new in zip(ins, new_ins):
        values[eid] = new
    values[lo:hi] = new_outs


def infer_shapes(idx: IndexedGraph, known: dict[int, tuple]) -> list:
    """Shapes of every entry, given ``known`` shapes by entry id."""
    values: list = [None] * idx.num_entries
    for eid, shape in known.items():
        values[eid] = shape
    return _run(idx, values, lambda op: op.shapes, shape_score)


def infer_types(idx: IndexedGraph, known: dict[int, np.dtype]) -> list:
    """Dtypes of every entry, given ``known`` dtypes by entry id."""
    values: list = [None] * idx.num_entries
    for eid, dtype in known.items():
        values[eid] = dtype
    return _run(idx, values, lambda op: op.types, _type_score)
