"""The compiled program: a flat list of kernel calls over pre-planned buffers.

``Program.run(lo, hi)`` is the whole execution engine. ``interpret`` is the simple unplanned
reference evaluator that tests use as an oracle for the planned program.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .. import parallel
from ..base import MXNetError
from ..graph.infer import infer_shapes, infer_types
from ..graph.node import Entry, IndexedGraph, Node
from ..ops.kernel import OpContext
from ..ops.registry import fmt_shape

__all__ = ["Step", "Program", "interpret"]


@dataclass
class Step:
    """One kernel call: everything is resolved at bind time."""

    node: Node
    kernel: Callable
    params: object
    ins: list
    req: list
    outs: list


class Program:
    """Steps ``[0, num_forward)`` are the forward pass, the rest the backward pass."""

    def __init__(self, steps: list[Step], num_forward: int, ctx: OpContext,
                 fused: dict[int, Callable] | None = None):
        self.steps = steps
        self.num_forward = num_forward
        self.ctx = ctx
        self.fused = fused or {}  # step index -> the kernel the hot loop calls instead
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the hot loop's call tuples after a Step was changed."""
        self.calls = [(self.fused.get(k, s.kernel), s.params, s.ins, s.req, s.outs)
                      for k, s in enumerate(self.steps)]
        self.uses_rng = any(s.node.op.needs_rng for s in self.steps)
        # Kernels that split their batch over threads want BLAS at one thread for the whole
        # pass (symnet.parallel), unless some operator here relies on BLAS's own threads.
        ops = {s.node.op for s in self.steps}
        self.holds_blas = (any(op.splits_batch for op in ops)
                           and not any(op.blas_threads for op in ops))
        self.monitor: Callable | None = None         # called after each step
        self.monitor_inputs: Callable | None = None  # called before each step

    def run(self, lo: int, hi: int) -> None:
        ctx = self.ctx
        k = lo
        held = parallel.hold_blas() if self.holds_blas else False
        try:
            if self.monitor is None:
                for k, (kernel, params, ins, req, outs) in enumerate(self.calls[lo:hi], lo):
                    kernel(params, ctx, ins, req, outs)
            else:
                for k, step in enumerate(self.steps[lo:hi], lo):
                    if self.monitor_inputs is not None:
                        self.monitor_inputs(step)
                    step.kernel(step.params, ctx, step.ins, step.req, step.outs)
                    self.monitor(step)
        except MXNetError:
            raise
        except Exception as err:
            step = self.steps[k]
            shapes = ", ".join(fmt_shape(a.shape) for a in step.ins)
            raise MXNetError(f"Error in operator {step.node.name} ({step.node.op.name}) with "
                             f"input shapes {shapes}: {type(err).__name__}: {err}") from err
        finally:
            parallel.release_blas(held)


def interpret(heads: Sequence[Entry], values: dict[str, np.ndarray], is_train: bool = False,
              rng: np.random.Generator | None = None) -> list[np.ndarray]:
    """Evaluate the graph under ``heads`` with a fresh array for every entry.

    ``values`` maps variable names to arrays. No memory planning and no in-place execution:
    this is the oracle the planned executor is tested against.
    """
    idx = IndexedGraph(heads)
    known_s, known_t = {}, {}
    for nid in idx.variable_ids():
        value = np.asarray(values[idx.nodes[nid].name])
        known_s[idx.entry_id(nid)] = value.shape
        known_t[idx.entry_id(nid)] = value.dtype
    shapes, types = infer_shapes(idx, known_s), infer_types(idx, known_t)
    arrays: list = [None] * idx.num_entries
    ctx = OpContext(is_train=is_train, rng=rng or np.random.default_rng(0))
    for nid, node in enumerate(idx.nodes):
        lo, hi = idx.row_ptr[nid], idx.row_ptr[nid + 1]
        if node.is_variable:
            arrays[lo] = np.array(values[node.name])
            continue
        outs = [np.zeros(shapes[e], types[e]) for e in range(lo, hi)]
        node.op.forward(node.params, ctx, [arrays[e] for e in idx.input_entries[nid]],
                        ["write"] * len(outs), outs)
        arrays[lo:hi] = outs
    return [arrays[h] for h in idx.heads]
