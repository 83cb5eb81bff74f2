"""Bind-time fusion for passes with moving statistics: Convolution -> BatchNorm (-> add) (-> relu).

With its moving statistics (inference, or ``use_global_stats``) BatchNorm is one affine map a
channel. The fused convolution writes BatchNorm's output array and, chunk by chunk of samples
while the chunk is still in cache, applies the map there, then a residual sum (an
``elemwise_add`` of the BatchNorm output and another array of its shape, as at the end of a
ResNet block) and a relu into the last fused step's output. The BatchNorm step then writes only
its statistics outputs and the other steps nothing. That saves the passes over memory of
BatchNorm, the sum and the relu (ResNet-18 inference, batch 8, on 2 cores: about 14 ms of
BatchNorm, 2 ms of sums and 2 ms of relu a step). Where the weights are smaller than the output,
they are scaled instead of the output. A pass with batch statistics runs every step as usual,
so one bound executor serves both kinds of pass.

Fusion works in two stages around the memory plan:

1. :func:`fusion_chains` finds candidate chains in the graph: consecutive operator nodes, each
   intermediate output read by the next node only and no program output. The planner keeps the
   convolution's inputs alive until the chain's last node, since the fused kernel reads them
   while it writes that node's output.
2. :func:`fuse_chains` checks the bound arrays (a float32/float64 channel-first output that
   overlaps none of the arrays the fused kernel reads; plain ``write``/in-place requests) and
   returns the replacement kernels, falling back to a shorter chain where a longer one fails.

Only the hot loop's calls change: ``Program.steps`` keep the plain kernels, so a monitor (which
runs the steps one by one) sees every entry computed.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..graph.node import IndexedGraph
from ..ops.defs.conv import convolution_into, fusable_into
from ..ops.defs.normalization import inference_affine, uses_batch_statistics
from ..ops.kernel import INPLACE, WRITE, assign, per_channel
from .program import Step

__all__ = ["fusion_chains", "fuse_chains"]


def fusion_chains(idx: IndexedGraph, keep: set[int]) -> list[list[int]]:
    """Node ids ``[convolution, batchnorm, (add), (relu)]`` of every candidate chain."""
    order = [nid for nid, node in enumerate(idx.nodes) if not node.is_variable]
    readers = idx.reader_counts()

    def slot_in_next(pos: int) -> int | None:
        """Where the next operator node reads node ``order[pos]``'s output 0, when it is that
        output's one reader and the output is no program output."""
        e = idx.row_ptr[order[pos]]
        if pos + 1 == len(order) or readers[e] != 1 or e in keep:
            return None
        ins = idx.input_entries[order[pos + 1]]
        return ins.index(e) if e in ins else None

    def op(pos: int) -> str:
        return idx.nodes[order[pos]].op.name

    chains = []
    for pos, nid in enumerate(order):
        if op(pos) != "Convolution" or slot_in_next(pos) != 0 or op(pos + 1) != "BatchNorm":
            continue
        chain, pos = [nid, order[pos + 1]], pos + 1
        slot = slot_in_next(pos)
        if slot is not None and op(pos + 1) == "elemwise_add":
            chain.append(order[pos + 1])
            pos += 1
            slot = slot_in_next(pos)
        node = idx.nodes[order[pos + 1]] if slot == 0 else None
        if node is not None and node.op.name == "Activation" and node.params.act_type == "relu":
            chain.append(order[pos + 1])
        chains.append(chain)
    return chains


def fuse_chains(chains: list[list[int]], steps: list[Step],
                step_of: dict[int, int]) -> dict[int, Callable]:
    """Kernels replacing those of steps, ``{step index: kernel}``, for every chain that the
    bound arrays allow (``step_of`` maps node ids to step indices)."""
    fused: dict[int, Callable] = {}
    for chain in chains:
        at = [step_of[nid] for nid in chain]
        for length in range(len(at), 1, -1):  # the longest prefix the arrays allow
            kernels = _fuse(*(steps[k] for k in at[:length]))
            if kernels is not None:
                fused.update(zip(at, kernels))
                break
    return fused


def _fuse(conv: Step, bn: Step, *rest: Step) -> list[Callable] | None:
    add = next((s for s in rest if s.node.op.name == "elemwise_add"), None)
    relu = next((s for s in rest if s.node.op.name == "Activation"), None)
    dest, target = bn.outs[0], (rest[-1] if rest else bn).outs[0]
    if (conv.req[0] != WRITE or any(s.req[0] not in (WRITE, INPLACE) for s in (bn,) + rest)
            or bn.params.axis not in (1, 1 - bn.ins[0].ndim)
            or not fusable_into(conv.params, conv.ins, dest)
            or not _same_layout(target, dest)):
        return None
    other = None
    if add is not None:
        other = next(a for a, e in zip(add.ins, add.node.inputs) if e.node is not bn.node)
        if not _same_layout(other, dest) or not _apart_or_same(target, other):
            return None
    # The convolution writes ``dest`` chunk by chunk while it reads its inputs and, in the
    # epilogue, the residual: ``dest`` must overlap none of them, and ``target`` none of the
    # convolution's inputs.
    residual = [] if other is None else [other]
    if (any(np.may_share_memory(dest, a) for a in list(conv.ins) + residual)
            or any(np.may_share_memory(target, a) for a in conv.ins)
            or not _apart_or_same(target, dest)):
        return None
    kernels = [_fused_convolution(conv, bn, other, relu is not None, target),
               _statistics_only(bn)]
    return kernels + [_only_with_batch_statistics(s, bn) for s in rest]


def _same_layout(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.flags.c_contiguous


def _apart_or_same(a: np.ndarray, b: np.ndarray) -> bool:
    """Disjoint, or the same memory element for element (in-place steps)."""
    return (not np.may_share_memory(a, b)
            or a.__array_interface__["data"][0] == b.__array_interface__["data"][0])


def _fused_convolution(conv: Step, bn: Step, other: np.ndarray | None, relu: bool,
                       target: np.ndarray) -> Callable:
    """The convolution writes BatchNorm's output array and finishes each chunk there: the
    affine map, then the sum with ``other`` and the relu into ``target``."""
    bn_p, bn_params, plain, dest = bn.params, bn.ins[1:], conv.kernel, bn.outs[0]
    inner = int(np.prod(target.shape[2:], dtype=np.int64))
    # Scaling the weights instead of the output saves a pass where they are the smaller.
    scale_weights = conv.ins[1].size < target.size and conv.params.no_bias

    def kernel(p, ctx, ins, req, outs) -> None:
        if uses_batch_statistics(bn_p, ctx):
            plain(p, ctx, ins, req, outs)
            return
        scale, shift, _, _ = inference_affine(bn_p, bn_params, target.dtype)
        if scale_weights:
            ins = [ins[0], ins[1] * scale.reshape((-1,) + (1,) * (ins[1].ndim - 1))]
        else:
            scale = per_channel(scale, inner).reshape(target.shape[1:])
        shift = per_channel(shift, inner).reshape(target.shape[1:])

        def epilogue(chunk: np.ndarray, rows: slice) -> None:
            if not scale_weights:
                chunk *= scale
            chunk += shift
            if other is not None:
                chunk = np.add(chunk, other[rows], out=target[rows])
            if relu:
                np.maximum(chunk, 0, out=target[rows])

        convolution_into(p, ins, dest, epilogue)

    kernel.__name__ = ("_convolution_batchnorm" + ("_add" if other is not None else "")
                       + ("_relu" if relu else ""))
    return kernel


def _statistics_only(bn: Step) -> Callable:
    plain = bn.kernel

    def kernel(p, ctx, ins, req, outs) -> None:
        if uses_batch_statistics(p, ctx):
            plain(p, ctx, ins, req, outs)
            return
        _, _, mean, invstd = inference_affine(p, ins[1:], ins[0].dtype)
        assign(outs[1], req[1], mean)
        assign(outs[2], req[2], invstd)

    kernel.__name__ = "_batchnorm_statistics"
    return kernel


def _only_with_batch_statistics(step: Step, bn: Step) -> Callable:
    """A step the fused convolution does in passes with moving statistics."""
    plain, bn_p = step.kernel, bn.params

    def kernel(p, ctx, ins, req, outs) -> None:
        if uses_batch_statistics(bn_p, ctx):
            plain(p, ctx, ins, req, outs)

    kernel.__name__ = f"_{step.node.op.name.lower()}_fused"
    return kernel
