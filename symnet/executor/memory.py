"""Static memory planning (NNVM's ``PlanMemory``), with byte sizes from the dtypes.

Input: the indexed full graph (forward then backward nodes), every entry's byte size, the
entries that live in external memory (arguments, aux states, head gradients, gradient arrays),
the entries that must survive to the end (outputs, and forward values that backward reads), and
the operators' in-place pairs, and entries held alive past their last reader (``hold``: a
fused chain's kernel reads the first step's inputs until its last step). Output: a storage id
per entry (-1 for external) and, per node, which in-place pairs were granted.
Algorithm: walk the nodes in order; an output takes its input's storage when a declared
in-place pair allows it (that input dies here, same size and dtype); otherwise it takes the
best-fitting free block, growing the largest one if none is big enough, or a new one. After a
node, storage of inputs whose last reader it was returns to the free list.
Invariant (checked by ``verify_plan``): two entries that are alive at the same time never share
storage, unless one is the in-place output of the other's last reader.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..graph.node import IndexedGraph

__all__ = ["MemoryPlan", "plan_memory", "verify_plan"]


@dataclass
class MemoryPlan:
    """Where each entry lives: ``storage[eid]`` (-1 external) and the block sizes in bytes."""

    storage: list[int]
    sizes: list[int]
    inplace: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    hold: dict[int, list[int]] = field(default_factory=dict)  # node id -> entries kept alive

    @property
    def total_bytes(self) -> int:
        return sum(self.sizes)


class _Pool:
    def __init__(self):
        self.sizes: list[int] = []
        self.free: list[int] = []

    def take(self, nbytes: int) -> int:
        fits = [s for s in self.free if self.sizes[s] >= nbytes]
        if fits:
            sid = min(fits, key=lambda s: self.sizes[s])
        elif self.free:
            sid = max(self.free, key=lambda s: self.sizes[s])
            self.sizes[sid] = nbytes  # grow: the block is allocated only after planning
        else:
            self.sizes.append(nbytes)
            return len(self.sizes) - 1
        self.free.remove(sid)
        return sid

    def release(self, sid: int) -> None:
        self.free.append(sid)


def plan_memory(idx: IndexedGraph, nbytes: list[int], dtypes: list, external: set[int],
                keep: set[int], enabled: bool = True,
                hold: dict[int, list[int]] | None = None) -> MemoryPlan:
    """Assign storage to every non-external entry (see the module docstring). ``hold`` maps a
    node id to entries that stay alive until that node has run."""
    hold = hold or {}
    storage = [-1] * idx.num_entries
    readers = idx.reader_counts()
    for held in hold.values():
        for e in held:
            readers[e] += 1
    pool, inplace = _Pool(), {}
    for nid, node in enumerate(idx.nodes):
        if node.is_variable:
            continue
        ins = idx.input_entries[nid]
        outs = range(idx.row_ptr[nid], idx.row_ptr[nid + 1])
        granted = _grant_inplace(node, ins, outs, storage, readers, nbytes, dtypes, external,
                                 keep) if enabled else []
        inplace[nid] = granted
        donated = {ins[i] for i, _ in granted}
        for j in sorted(set(range(len(outs))) - {j for _, j in granted},
                        key=lambda j: -nbytes[outs[j]]):
            if outs[j] not in external:
                storage[outs[j]] = pool.take(nbytes[outs[j]]) if enabled else \
                    _fresh(pool, nbytes[outs[j]])
        for e in list(ins) + hold.get(nid, []):
            readers[e] -= 1
            if readers[e] == 0 and e not in donated and _releasable(e, storage, keep, external):
                pool.release(storage[e])
        for e in outs:
            if readers[e] == 0 and _releasable(e, storage, keep, external) and enabled:
                pool.release(storage[e])
    return MemoryPlan(storage, pool.sizes, inplace, hold)


def _fresh(pool: _Pool, nbytes: int) -> int:
    pool.sizes.append(nbytes)
    return len(pool.sizes) - 1


def _releasable(e: int, storage: list[int], keep: set[int], external: set[int]) -> bool:
    return storage[e] >= 0 and e not in keep and e not in external


def _grant_inplace(node, ins, outs, storage, readers, nbytes, dtypes, external, keep):
    granted, used = [], set()
    for i, j in node.op.inplace(node.params):
        if i >= len(ins) or j >= len(outs):
            continue
        e_in, e_out = ins[i], outs[j]
        if (storage[e_in] < 0 or e_in in keep or e_out in external
                or readers[e_in] != ins.count(e_in) or storage[e_in] in used
                or nbytes[e_in] != nbytes[e_out] or dtypes[e_in] != dtypes[e_out]
                or any(jj == j for _, jj in granted)):
            continue
        storage[e_out] = storage[e_in]
        used.add(storage[e_in])
        granted.append((i, j))
    return granted


def verify_plan(idx: IndexedGraph, plan: MemoryPlan, keep: set[int]) -> None:
    """Assert that no two simultaneously live entries share storage (a debugging check)."""
    last_read: dict[int, int] = {}
    for nid, ins in enumerate(idx.input_entries):
        for e in list(ins) + plan.hold.get(nid, []):
            last_read[e] = max(nid, last_read.get(e, -1))
    live: dict[int, int] = {}  # sid -> entry currently holding it
    for nid, node in enumerate(idx.nodes):
        outs = range(idx.row_ptr[nid], idx.row_ptr[nid + 1])
        donors = {idx.input_entries[nid][i] for i, _ in plan.inplace.get(nid, [])}
        for e in outs:
            sid = plan.storage[e]
            if sid < 0:
                continue
            holder = live.get(sid)
            assert holder is None or holder in donors or (
                holder not in keep and last_read.get(holder, -1) < nid), \
                f"entry {e} of node {node.name} overwrites live entry {holder} (storage {sid})"
            live[sid] = e
