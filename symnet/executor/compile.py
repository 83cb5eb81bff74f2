"""Bind-time compilation: full graph, inference, memory plan, steps.

1. Full graph: the symbol's heads, plus (when any gradient is requested) the gradient graph of
   ``build_gradient`` with one head-gradient variable per output. Each requested gradient gets
   a dedicated final node so it can write straight into the user's gradient array.
2. Infer every entry's shape and dtype from the bound arrays.
3. Find the chains that may be fused (``fuse.py``), plan memory with their inputs held alive,
   and allocate one byte pool per storage id; every entry is a view of its block or of a user
   array.
4. Emit one :class:`Step` per operator node, in order, with ``req`` resolved, and the fused
   kernels of the chains the bound arrays allow.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..base import MXNetError
from ..graph.gradient import UNTOUCHED, build_gradient, make_node
from ..graph.infer import infer_shapes, infer_types
from ..graph.node import Entry, IndexedGraph, Node
from ..ops.kernel import OpContext
from ..ops.rules import known
from .fuse import fuse_chains, fusion_chains
from .memory import MemoryPlan, plan_memory
from .program import Program, Step

__all__ = ["Compiled", "compile_graph", "FullGraph", "full_graph"]


@dataclass
class FullGraph:
    """The forward heads plus gradient entries, and where each piece sits in the index."""

    idx: IndexedGraph
    num_forward_nodes: int
    num_outputs: int
    arg_nids: list[int]
    aux_nids: list[int]
    head_grad_nids: list[int | None]
    grad_eids: list[int | None]     # per argument: entry holding its gradient, or None


def full_graph(heads: list[Entry], grad_reqs: list[str]) -> FullGraph:
    """Build the forward+backward graph for the requested gradients."""
    fwd = IndexedGraph(heads)
    args = [fwd.nodes[i] for i in fwd.argument_ids()]
    wrt = [a for a, r in zip(args, grad_reqs) if r != "null"]
    head_vars = [Node(None, f"_head_grad_{i}") for i in range(len(heads))]
    grads = build_gradient(heads, wrt, [Entry(v) for v in head_vars]) if wrt else []
    grad_of = {id(x): g for x, g in zip(wrt, grads)}
    finals = []
    for arg in args:
        g = grad_of.get(id(arg), "absent")
        if isinstance(g, str):
            finals.append(None)
            continue
        if g is None:  # no gradient reaches it: MXNet writes zeros
            g = Entry(make_node("zeros_like", f"{arg.name}_zero_grad", [Entry(arg)], {}))
        elif g is UNTOUCHED:  # e.g. a loss layer's label: the array is left as it is
            g = None
        finals.append(g)
    finals = _dedicate(finals, set(id(n) for n in fwd.nodes), args)
    all_heads = list(heads) + [g for g in finals if g is not None]
    idx = IndexedGraph(all_heads)
    if idx.nodes[:len(fwd.nodes)] != fwd.nodes:
        raise MXNetError("internal error: forward nodes are not a prefix of the full graph")
    head_nids = [idx.node_id.get(id(v)) for v in head_vars]
    return FullGraph(idx, len(fwd.nodes), len(heads),
                     [idx.node_id[id(a)] for a in args],
                     [idx.node_id[id(fwd.nodes[i])] for i in fwd.aux_ids()], head_nids,
                     [None if g is None else idx.entry(g) for g in finals])


def _dedicate(finals: list, forward_ids: set, args: list) -> list:
    """Give each gradient its own final node output, copying where an entry is shared, is a
    variable or a forward value, so the gradient array can be that output's buffer."""
    seen: set = set()
    out = []
    for arg, g in zip(args, finals):
        if g is None:
            out.append(None)
            continue
        key = (id(g.node), g.index)
        if g.node.is_variable or id(g.node) in forward_ids or key in seen \
                or g.node.visible_outputs() != g.node.num_outputs() and g.index > 0:
            g = Entry(make_node("_copy", f"{arg.name}_grad_copy", [g], {}))
        seen.add((id(g.node), g.index))
        out.append(g)
    return out


@dataclass
class Compiled:
    """A bound program and the arrays of its entries."""

    graph: FullGraph
    program: Program
    arrays: list            # numpy array per entry
    shapes: list
    dtypes: list
    plan: MemoryPlan
    pool: list              # the byte blocks


def _infer(g: FullGraph, arrays_by_nid: dict[int, np.ndarray]):
    idx = g.idx
    ks = {idx.entry_id(n): a.shape for n, a in arrays_by_nid.items()}
    kt = {idx.entry_id(n): a.dtype for n, a in arrays_by_nid.items()}
    shapes, types = infer_shapes(idx, ks), infer_types(idx, kt)
    for k, nid in enumerate(g.head_grad_nids):  # head gradients look like their outputs
        if nid is not None:
            ks[idx.entry_id(nid)] = shapes[idx.heads[k]]
            kt[idx.entry_id(nid)] = types[idx.heads[k]]
    shapes, types = infer_shapes(idx, ks), infer_types(idx, kt)
    for e in range(idx.num_entries):
        if not known(shapes[e]) or types[e] is None:
            nid = next(i for i in range(len(idx.nodes)) if idx.row_ptr[i + 1] > e)
            raise MXNetError(f"Cannot infer the shape/type of {idx.nodes[nid].name} output "
                             f"{e - idx.row_ptr[nid]}: shape {shapes[e]}, dtype {types[e]}")
    return shapes, types


def compile_graph(g: FullGraph, bound: dict[int, np.ndarray], grad_arrays: list,
                  grad_reqs: list[str], memory_plan: bool = True,
                  outputs: list[np.ndarray] | None = None,
                  allocate: Callable[[list[int]], list[np.ndarray]] | None = None) -> Compiled:
    """Allocate and emit steps. ``bound`` maps variable node ids to user/owned arrays;
    ``outputs`` (optional) are arrays the program outputs are written into, each output a
    distinct operator entry; ``allocate(sizes)`` returns the byte blocks of the memory plan
    (default: new arrays)."""
    idx = g.idx
    shapes, dtypes = _infer(g, bound)
    nbytes = [int(np.prod(s, dtype=np.int64)) * np.dtype(t).itemsize
              for s, t in zip(shapes, dtypes)]
    given = {} if outputs is None else dict(zip(idx.heads[:g.num_outputs], outputs))
    given.update((e, a) for e, a in zip(g.grad_eids, grad_arrays)
                 if e is not None and a is not None)
    external = {idx.entry_id(n) for n in idx.variable_ids()} | set(given)
    keep = set(idx.heads[:g.num_outputs])
    chains = fusion_chains(idx, keep) if memory_plan else []
    hold = {chain[-1]: list(idx.input_entries[chain[0]]) for chain in chains}
    plan = plan_memory(idx, nbytes, dtypes, external, keep, enabled=memory_plan, hold=hold)
    if allocate is None:
        pool = [np.empty(max(size, 1), np.uint8) for size in plan.sizes]
    else:
        pool = allocate([max(size, 1) for size in plan.sizes])
    arrays: list = [None] * idx.num_entries
    for nid, a in bound.items():
        arrays[idx.entry_id(nid)] = a
    for e, a in given.items():
        arrays[e] = a
    for e in range(idx.num_entries):
        if arrays[e] is None:
            arrays[e] = _view(pool[plan.storage[e]], shapes[e], dtypes[e], nbytes[e])
    reqs = _requests(g, grad_arrays, grad_reqs)
    read = {e for ins in idx.input_entries for e in ins}
    for e in range(idx.num_entries):  # nobody reads it, it is no output: skip computing it
        if e not in read and e not in keep and e not in external:
            reqs[e] = "null"
    steps, step_nids = [], []
    for nid, node in enumerate(idx.nodes):
        if node.is_variable:
            continue
        step_nids.append(nid)
        lo, hi = idx.row_ptr[nid], idx.row_ptr[nid + 1]
        granted = {j for _, j in plan.inplace.get(nid, [])}
        req = [reqs.get(e, "inplace" if j in granted else "write")
               for j, e in enumerate(range(lo, hi))]
        steps.append(Step(node, node.op.forward, node.params,
                          [arrays[e] for e in idx.input_entries[nid]], req, arrays[lo:hi]))
    num_fwd = sum(1 for n in idx.nodes[:g.num_forward_nodes] if not n.is_variable)
    fused = fuse_chains(chains, steps, {nid: k for k, nid in enumerate(step_nids)})
    program = Program(steps, num_fwd, OpContext(), fused)
    return Compiled(g, program, arrays, shapes, dtypes, plan, pool)


def _requests(g: FullGraph, grad_arrays: list, grad_reqs: list[str]) -> dict[int, str]:
    reqs = {}
    for e, a, r in zip(g.grad_eids, grad_arrays, grad_reqs):
        if e is not None and a is not None:
            reqs[e] = "add" if r == "add" else "write"
    return reqs


def _view(block: np.ndarray, shape, dtype, nbytes: int) -> np.ndarray:
    return block[:nbytes].view(dtype).reshape(shape)
