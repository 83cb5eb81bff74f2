"""Dropout: random masks in training, the identity in inference.

The operator has two outputs, ``output`` and a hidden ``mask`` (only ``<name>_output`` is
visible, as in MXNet). In training (``ctx.is_train``, or ``mode='always'``) each element is
kept with probability ``1 - p`` and scaled by ``1 / (1 - p)``; the mask holds exactly those
factors (0 or the scale, computed in float32 as MXNet does), drawn from ``ctx.rng``. With
``axes`` the mask has size 1 along those axes and is broadcast (variational dropout). In
inference the output is the data and the mask is all ones, so the gradient ``og * mask`` is
right in every mode.
"""
from __future__ import annotations

import numpy as np

from ..fields import Bool, Enum, Probability, Shape
from ..kernel import NULL, assign
from ..registry import InferError, Params, register

__all__: list[str] = []


def _fields() -> list:
    return [
        Probability("p", 0.5, "Fraction of the input that gets dropped out during training "
                               "time."),
        Enum("mode", ("always", "training"), "training",
             "Whether to only turn on dropout during training or to also turn on for "
             "inference."),
        Shape("axes", (), "Axes for variational dropout kernel."),
        Bool("cudnn_off", False, "Whether to turn off cudnn in dropout operator. This option "
                                 "is ignored if axes is specified.", optional=True),
    ]


def _mask_shape(p: Params, shape: tuple) -> tuple:
    """The data's shape with every axis in ``axes`` set to 1 (MXNet's index check)."""
    out = list(shape)
    for axis in p.axes:
        if not 0 <= axis < len(shape):
            raise InferError(f"Check failed: i >= 0 && i < ndim(): index = {axis} must be in "
                             f"range [0, {len(shape)})")
        out[axis] = 1
    return tuple(out)


def _dropout_shape(p: Params, ins: list, outs: list):
    data = ins[0] if ins[0] is not None else outs[0]
    if data is None:
        return ins, outs
    return [data], [data, _mask_shape(p, data)]


def _dropout_type(p: Params, ins: list, outs: list):
    dtype = ins[0] if ins[0] is not None else outs[0]
    return [dtype], [dtype, dtype]


def _scale(p: Params) -> np.float32:
    """``1 / (1 - p)`` in float32 (inf for p = 1, which makes NaNs as in MXNet)."""
    keep = np.float32(1.0) - np.float32(p.p)
    with np.errstate(divide="ignore"):
        return np.float32(1.0) / keep


def _draw_mask(p: Params, ctx, shape: tuple, dtype) -> np.ndarray:
    keep = np.float32(1.0) - np.float32(p.p)
    rng = ctx.rng if ctx.rng is not None else np.random.default_rng()
    kept = rng.random(shape) < keep
    with np.errstate(invalid="ignore"):
        return (kept * _scale(p)).astype(dtype)  # 0 * inf = NaN when p = 1, like MXNet


def _dropout_forward(p: Params, ctx, ins, req, outs) -> None:
    data, out, mask_out = ins[0], outs[0], outs[1]
    if ctx.is_train or p.mode == "always":
        mask = _draw_mask(p, ctx, mask_out.shape, mask_out.dtype)
        if req[0] != NULL:
            with np.errstate(invalid="ignore"):
                assign(out, req[0], data * mask)
        assign(mask_out, req[1], mask)
        return
    if req[0] != NULL and out is not data:
        assign(out, req[0], data)
    assign(mask_out, req[1], 1)


def _dropout_gradient(g, ograds):
    if ograds[0] is None:
        return [None]
    return [g.op("_backward_Dropout", ograds[0], g.output(1), **_params(g.params))]


def _params(p: Params) -> dict:
    return {"p": p.p, "mode": p.mode, "axes": p.axes, "cudnn_off": p.cudnn_off}


def _backward_shape(p: Params, ins: list, outs: list):
    ograd = ins[0] if ins[0] is not None else outs[0]
    mask = ins[1]
    if ograd is not None and mask is None:
        mask = _mask_shape(p, ograd)
    return [ograd, mask], [ograd]


def _backward_type(p: Params, ins: list, outs: list):
    dtype = ins[0] if ins[0] is not None else (ins[1] if ins[1] is not None else outs[0])
    return [dtype, dtype], [dtype]


def _backward_forward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (ograd, mask): the gradient is ``ograd * mask`` (mask broadcast)."""
    if req[0] == NULL:
        return
    with np.errstate(invalid="ignore"):
        if req[0] == "add":
            outs[0] += ins[0] * ins[1]
        else:
            np.multiply(ins[0], ins[1], out=outs[0])


def _backward_gradient(g, ograds):
    # Linear in the head gradient: differentiating again applies the same mask.
    if ograds[0] is None:
        return [None, None]
    return [g.op("_backward_Dropout", ograds[0], g.input(1), **_params(g.params)), None]


register("_backward_Dropout", inputs=["ograd", "mask"], fields=_fields(),
         infer_shape=_backward_shape, infer_type=_backward_type, forward=_backward_forward,
         gradient=_backward_gradient, inplace=[(0, 0)],
         doc="Gradient of Dropout: the head gradient times the mask of the forward pass.")

register(
    "Dropout", fields=_fields(), outputs=2, visible_outputs=1, output_names=["output", "mask"],
    per_sample=lambda p, shapes: None if p.mode == "always" else [0],
    infer_shape=_dropout_shape, infer_type=_dropout_type, forward=_dropout_forward,
    gradient=_dropout_gradient, needs_rng=True,
    doc="Applies dropout operation to input array.\n\n"
        "- During training, each element of the input is set to zero with probability p. The "
        "whole array is rescaled by :math:`1/(1-p)` to keep the expected sum of the input "
        "unchanged.\n- During testing, this operator does not change the input if mode is "
        "'training'. If mode is 'always', the same computaion as during training will be "
        "applied.")
