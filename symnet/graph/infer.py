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

import numpy as np

from ..base import MXNetError
from ..ops.registry import fmt_shape
from ..ops.rules import merge_shape
from .node import IndexedGraph

__all__ = ["infer_shapes", "infer_types", "shape_score"]


def _shape_text(shape) -> str:
    return "(" + ",".join("-1" if d is None else str(d) for d in shape) + ")"


def shape_score(shape) -> int:
    """How much is known about a shape: 0 if nothing, else 1 + the number of known dims."""
    return 0 if shape is None else 1 + sum(d is not None for d in shape)


def _type_score(dtype) -> int:
    return 0 if dtype is None else 1


def _merge_type(a, b):
    if a is None:
        return b
    if b is None or a == b:
        return a
    raise ValueError


def _shape_conflict(node, old, new) -> MXNetError:
    return MXNetError(f"Error in operator {node.name}: Shape inconsistent, Provided = "
                      f"{fmt_shape(old)}, inferred shape={_shape_text(new)}")


def _type_conflict(node, old, new, where: str) -> MXNetError:
    return MXNetError(f"Error in operator {node.name}: Incompatible attr in node {node.name} "
                      f"at {where}: expected {np.dtype(old).name}, got {np.dtype(new).name}")


def _run(idx: IndexedGraph, values: list, rule_of: Callable, merge, score, conflict) -> list:
    """The shared fixpoint loop; ``rule_of(op)`` picks the op's shape or type method."""
    total = sum(score(v) for v in values)
    order = [i for i, n in enumerate(idx.nodes) if not n.is_variable]
    while True:
        for sweep in (order, order[::-1]):
            for nid in sweep:
                _apply(idx, nid, values, rule_of, merge, conflict)
        new_total = sum(score(v) for v in values)
        if new_total <= total:
            return values
        total = new_total


def _apply(idx, nid, values, rule_of, merge, conflict) -> None:
    node = idx.nodes[nid]
    ins = idx.input_entries[nid]
    lo, hi = idx.row_ptr[nid], idx.row_ptr[nid + 1]
    new_ins, new_outs = rule_of(node.op)(node.params, [values[e] for e in ins], values[lo:hi],
                                         node.name)
    for k, (eid, new) in enumerate(list(zip(ins, new_ins)) + list(zip(range(lo, hi), new_outs))):
        try:
            values[eid] = merge(values[eid], new)
        except ValueError:
            where = f"{k}-th input" if k < len(ins) else f"{k - len(ins)}-th output"
            raise conflict(node, values[eid], new, where) from None


def infer_shapes(idx: IndexedGraph, known: dict[int, tuple]) -> list:
    """Shapes of every entry, given ``known`` shapes by entry id."""
    values: list = [None] * idx.num_entries
    for eid, shape in known.items():
        values[eid] = shape
    return _run(idx, values, lambda op: op.shapes, merge_shape, shape_score,
                lambda node, old, new, where: _shape_conflict(node, old, new))


def infer_types(idx: IndexedGraph, known: dict[int, np.dtype]) -> list:
    """Dtypes of every entry, given ``known`` dtypes by entry id."""
    values: list = [None] * idx.num_entries
    for eid, dtype in known.items():
        values[eid] = dtype
    return _run(idx, values, lambda op: op.types, _merge_type, _type_score, _type_conflict)
