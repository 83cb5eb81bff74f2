"""Inference passes in slices of the batch: one whole forward pass a thread.

Kernels such as Convolution split their batch over threads one call at a time (``symnet.
parallel``), which costs a hand-off and a wait for the slowest thread at every such step
(ResNet-18, batch 8, 2 cores: about 20 of them a pass). Where every sample of a pass is
computed independently of the others, the executor instead compiles the forward program once
per slice of the batch and runs each whole program on its own thread: one hand-off a pass.

A pass qualifies when it does not train (BatchNorm then uses its moving statistics), the
executor computes no gradients and has no monitor, and every operator reading per-sample data
declares itself per-sample (``OpDef.per_sample``). Which entries are indexed by sample follows
from those declarations: a variable read where an operator takes per-sample data (``data``,
``label``) is sliced along axis 0, any other (weights, aux states) is shared whole, and an
operator's output is per-sample when its shape follows the slice. The slices' shapes, inferred
again, must confirm every entry's class, so a ``Reshape`` that moves the batch axis, say,
leaves the executor on its one program.

The slice programs write the outputs straight into the executor's output arrays, and take
their memory from the executor's own memory pool (whose contents a slice pass does not need:
the next full pass recomputes them), apart from the blocks holding outputs. What does not fit
there is allocated on top (:attr:`SlicedForward.extra_bytes`).
"""
from __future__ import annotations

import numpy as np

from .. import config, parallel
from ..base import MXNetError
from ..graph.node import IndexedGraph
from .compile import Compiled, compile_graph
from .program import Program

__all__ = ["SlicedForward", "sliced_forward"]

#: Byte alignment of the blocks carved out of the executor's pool.
_ALIGN = 64


class SlicedForward:
    """One compiled forward program per slice of the batch."""

    def __init__(self, slices: list[tuple[int, int]], programs: list[Program], extra_bytes: int):
        self.slices = slices
        self.programs = programs
        self.extra_bytes = extra_bytes

    def run(self, rng: np.random.Generator) -> bool:
        """Run an inference pass over every slice at once; False (nothing run) when the
        threads are busy with another split."""
        for program in self.programs:
            program.ctx.is_train = False
            program.ctx.rng = rng
        tasks = [lambda p=program: p.run(0, p.num_forward) for program in self.programs]
        return parallel.run_tasks(tasks) is not None

    def describe(self) -> str:
        sizes = ", ".join(str(hi - lo) for lo, hi in self.slices)
        return (f"Inference passes run in {len(self.slices)} slices of the batch ({sizes}), "
                f"{self.extra_bytes >> 20} MB beyond the pool\n")


def sliced_forward(compiled: Compiled) -> SlicedForward | None:
    """Slice programs for ``compiled``'s inference passes, or None where they do not apply
    (see the module docstring) or would not pay for a thread hand-off."""
    program, graph = compiled.program, compiled.graph
    if (config.num_threads < 2 or not program.holds_blas
            or program.num_forward != len(program.steps) or not config.memory_plan
            or not parallel.blas_threads_settable()):
        return None
    if any(s.node.op.needs_rng and s.node.op.per_sample is None for s in program.steps):
        return None  # a sampler would draw once a slice: other numbers than one pass draws
    idx = graph.idx
    heads = idx.heads[:graph.num_outputs]
    if len(set(heads)) != len(heads):  # each slice writes each output array once
        return None
    slots = [None if node.is_variable else
             _slots(node, [compiled.shapes[e] for e in idx.input_entries[nid]])
             for nid, node in enumerate(idx.nodes)]
    found = _per_sample_variables(idx, compiled.shapes, slots)
    if found is None:
        return None
    variables, batch = found
    work = sum(a.size for s in program.steps for a in s.outs) * parallel.PER_ELEMENT
    parts = min(config.num_threads, batch, int(work // parallel.MIN_WORK_PER_THREAD))
    if parts < 2:
        return None
    slices = parallel.bounds(batch, parts)
    carve = _Carver(compiled)
    programs = []
    for lo, hi in slices:
        part = _compile_slice(compiled, variables, slots, lo, hi, carve)
        if part is None:
            return None
        programs.append(part.program)
    return SlicedForward(slices, programs, carve.extra_bytes)


def _per_sample_variables(idx: IndexedGraph, shapes: list,
                          slots: list) -> tuple[set[int], int] | None:
    """(node ids of the variables to slice, the batch size), from where operators read them
    (``slots``: each node's per-sample input positions): at a per-sample position, or anywhere
    else (whole). None where a variable is read both ways, none is per-sample, or they disagree
    on the batch size."""
    variable_of = {idx.entry_id(nid): nid for nid in idx.variable_ids()}
    sliced, whole = set(), set()
    for nid, ins in enumerate(idx.input_entries):  # variables read nothing
        for i, e in enumerate(ins):
            if e in variable_of:
                per_sample = slots[nid] is not None and i in slots[nid]
                (sliced if per_sample else whole).add(variable_of[e])
    if not sliced or sliced & whole:
        return None
    batches = {shapes[idx.entry_id(nid)][0] if shapes[idx.entry_id(nid)] else 0
               for nid in sliced}
    if len(batches) != 1 or min(batches) < 2:
        return None
    return sliced, batches.pop()


def _slots(node, in_shapes: list) -> set[int] | None:
    rule = node.op.per_sample
    positions = None if rule is None else rule(node.params, in_shapes)
    return None if positions is None else set(positions)


def _compile_slice(compiled: Compiled, variables: set[int], slots: list, lo: int, hi: int,
                   carve: "_Carver") -> Compiled | None:
    """The forward program of samples ``[lo, hi)``: sliced variables and outputs are views of
    the executor's arrays; None where the slice's shapes contradict the per-sample classes."""
    graph = compiled.graph
    idx = graph.idx
    heads = idx.heads[:graph.num_outputs]
    bound = {}
    for nid in idx.variable_ids():
        array = compiled.arrays[idx.entry_id(nid)]
        bound[nid] = array[lo:hi] if nid in variables else array
    outputs = [compiled.arrays[e][lo:hi] for e in heads]
    nargs = len(graph.arg_nids)
    try:
        part = compile_graph(graph, bound, [None] * nargs, ["null"] * nargs,
                             outputs=outputs, allocate=carve)
    except MXNetError:
        return None
    if not _confirms(idx, compiled.shapes, part.shapes, hi - lo, slots, graph.num_outputs):
        return None
    return part


def _confirms(idx: IndexedGraph, full: list, part: list, n: int, slots: list,
              num_outputs: int) -> bool:
    """Whether the slice's shapes make every entry either per-sample (``(n,) + rest`` of a
    full ``(batch,) + rest``) or whole (unchanged), with per-sample entries read only where
    operators take per-sample data, and every output per-sample."""
    per_sample = set()
    batches = set()
    for e, (f, s) in enumerate(zip(full, part)):
        if f != s:
            if not f or s != (n,) + tuple(f[1:]):
                return False
            per_sample.add(e)
            batches.add(f[0])
    for nid, ins in enumerate(idx.input_entries):
        read = {i for i, e in enumerate(ins) if e in per_sample}
        if read and not read <= (slots[nid] or set()):
            return False
    return len(batches) == 1 and all(e in per_sample for e in idx.heads[:num_outputs])


class _Carver:
    """Hands out the slice programs' memory blocks from the executor's pool blocks, past the
    outputs they hold: largest first, each into the region it fits most tightly; allocates
    what does not fit."""

    def __init__(self, compiled: Compiled):
        idx, plan = compiled.graph.idx, compiled.plan
        used = [0] * len(plan.sizes)  # an output's bytes lead its block
        for e in idx.heads[:compiled.graph.num_outputs]:
            if plan.storage[e] >= 0:
                used[plan.storage[e]] = max(used[plan.storage[e]], compiled.arrays[e].nbytes)
        self.free = [[block, start, size] for block, start, size in
                     zip(compiled.pool, used, plan.sizes)]
        self.extra_bytes = 0

    def __call__(self, sizes: list[int]) -> list[np.ndarray]:
        blocks: list = [None] * len(sizes)
        for k in sorted(range(len(sizes)), key=lambda k: -sizes[k]):
            blocks[k] = self._take(sizes[k])
        return blocks

    def _take(self, size: int) -> np.ndarray:
        best, best_start = None, 0
        for region in self.free:
            start = -(-region[1] // _ALIGN) * _ALIGN
            room = region[2] - start
            if room >= size and (best is None or room < best[2] - best_start):
                best, best_start = region, start
        if best is None:
            self.extra_bytes += size
            return np.empty(size, np.uint8)
        best[1] = best_start + size
        return best[0][best_start:best_start + size]
