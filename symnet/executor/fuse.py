"""Bind-time fusion for passes with moving statistics: Convolution -> BatchNorm (-> relu).

With its moving statistics (inference, or ``use_global_stats``) BatchNorm is one affine map a
channel. The fused convolution applies it, and a following relu, to each chunk of samples of
its output while the chunk is still in cache, and writes straight into the last fused step's
output; the BatchNorm step then writes only its statistics outputs and the relu step nothing.
That saves BatchNorm's and relu's passes over memory (ResNet-18 inference, batch 8, on 2
cores: 14 ms of BatchNorm and 2 ms of relu a step). A pass with batch statistics runs every
step as usual, so one bound executor serves both kinds of pass.

Only the hot loop's calls change: ``Program.steps`` keep the plain kernels, so a monitor
(which runs the steps one by one) sees every entry computed. A chain is fused when its steps are
adjacent, the convolution's and BatchNorm's outputs are read by the next step only and are no
program outputs, the final array cannot overlap the convolution's inputs (the memory plan may
have given it a buffer they free), and the data is channel-first float32/float64 normalised
over axis 1.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..graph.node import IndexedGraph
from ..ops.defs.conv import convolution_into, fusable_into
from ..ops.defs.normalization import inference_affine, uses_batch_statistics
from ..ops.kernel import INPLACE, WRITE, assign
from .program import Step

__all__ = ["fuse_convolution_batchnorm"]


def fuse_convolution_batchnorm(idx: IndexedGraph, steps: list[Step], step_nids: list[int],
                               keep: set[int]) -> dict[int, Callable]:
    """Kernels replacing those of steps ``{index: kernel}`` for every fusable chain."""
    readers = [0] * idx.num_entries
    for ins in idx.input_entries:
        for e in ins:
            readers[e] += 1

    def only_next(k: int) -> int | None:
        """The output entry of step k when step k + 1 is its one reader (as input 0)."""
        e = idx.row_ptr[step_nids[k]]
        if (k + 1 < len(steps) and readers[e] == 1 and e not in keep
                and idx.input_entries[step_nids[k + 1]][:1] == [e]):
            return e
        return None

    fused: dict[int, Callable] = {}
    for k, conv in enumerate(steps):
        if conv.node.op.name != "Convolution" or conv.req[0] != WRITE or only_next(k) is None:
            continue
        bn = steps[k + 1]
        if (bn.node.op.name != "BatchNorm" or bn.req[0] not in (WRITE, INPLACE)
                or bn.params.axis not in (1, 1 - bn.ins[0].ndim)):
            continue
        relu = steps[k + 2] if only_next(k + 1) is not None else None
        if relu is not None and (relu.node.op.name != "Activation"
                                 or relu.params.act_type != "relu"
                                 or relu.req[0] not in (WRITE, INPLACE)):
            relu = None
        target = (relu or bn).outs[0]
        if (not fusable_into(conv.params, conv.ins, target)
                or any(np.may_share_memory(target, a) for a in conv.ins)):
            continue
        fused[k] = _fused_convolution(conv, bn, relu is not None, target)
        fused[k + 1] = _statistics_only(bn)
        if relu is not None:
            fused[k + 2] = _skipped(relu, bn)
    return fused


def _fused_convolution(conv: Step, bn: Step, relu: bool, target: np.ndarray) -> Callable:
    bn_p, bn_params, plain = bn.params, bn.ins[1:], conv.kernel
    channel = (-1,) + (1,) * (target.ndim - 2)

    def kernel(p, ctx, ins, req, outs) -> None:
        if uses_batch_statistics(bn_p, ctx):
            plain(p, ctx, ins, req, outs)
            return
        scale, shift, _, _ = inference_affine(bn_p, bn_params, target.dtype)
        scale, shift = scale.reshape(channel), shift.reshape(channel)

        def epilogue(chunk: np.ndarray) -> None:
            chunk *= scale
            chunk += shift
            if relu:
                np.maximum(chunk, 0, out=chunk)

        convolution_into(p, ins, target, epilogue)

    kernel.__name__ = "_convolution_batchnorm" + ("_relu" if relu else "")
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


def _skipped(relu: Step, bn: Step) -> Callable:
    plain, bn_p = relu.kernel, bn.params

    def kernel(p, ctx, ins, req, outs) -> None:
        if uses_batch_statistics(bn_p, ctx):
            plain(p, ctx, ins, req, outs)

    kernel.__name__ = "_relu_fused"
    return kernel
