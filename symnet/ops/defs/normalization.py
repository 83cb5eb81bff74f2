"""BatchNorm: batch statistics in training, moving statistics in inference (MXNet spec 6.3).

Outputs ``output``, ``mean`` and ``var`` (only ``output`` is visible unless
``output_mean_var``). As in MXNet 1.9.1, ``var`` holds the *inverse standard deviation*
``1 / sqrt(var + eps)``, and in inference (or with ``use_global_stats``) ``mean``/``var`` hold
the moving mean and the inverse std of the moving variance.

The moving statistics (aux inputs 3 and 4) are updated during BACKWARD, like MXNet:
``moving = momentum * moving + (1 - momentum) * batch_stat`` (biased variance), when the
backward pass runs in training mode and ``use_global_stats`` is off. ``_backward_BatchNorm``
receives them as inputs and writes them in place.
"""
from __future__ import annotations

import numpy as np

from ..fields import Bool, Double, Float, Int
from ..kernel import ADD, NULL, assign
from ..registry import InferError, Params, register

__all__: list[str] = []

_INPUTS = ["data", "gamma", "beta", "moving_mean", "moving_var"]
_TYPE_NAMES = ["data", "gamma", "beta", "mean", "var"]  # as MXNet's type messages name them


def _fields() -> list:
    # MXNet declares eps a double but defaults it to the float 1e-3f (0.0010000000474974513).
    return [
        Double("eps", float(np.float32(1e-3)), "Epsilon to prevent div 0. Must be no less than "
                            "CUDNN_BN_MIN_EPSILON defined in cudnn.h when using cudnn (usually "
                            "1e-5)"),
        Float("momentum", 0.9, "Momentum for moving average"),
        Bool("fix_gamma", True, "Fix gamma while training"),
        Bool("use_global_stats", False, "Whether use global moving statistics instead of local "
                                        "batch-norm. This will force change batch-norm into a "
                                        "scale shift operator."),
        Bool("output_mean_var", False, "Output the mean and inverse std "),
        Int("axis", 1, "Specify which shape axis the channel is specified"),
        Bool("cudnn_off", False, "Do not select CUDNN operator, if available"),
        Float("min_calib_range", None, "The minimum scalar value in the form of float32 "
                                       "obtained through calibration. If present, it will be "
                                       "used to by quantized batch norm op to calculate "
                                       "primitive scale.Note: this calib_range is to calib bn "
                                       "output."),
        Float("max_calib_range", None, "The maximum scalar value in the form of float32 "
                                       "obtained through calibration. If present, it will be "
                                       "used to by quantized batch norm op to calculate "
                                       "primitive scale.Note: this calib_range is to calib bn "
                                       "output."),
    ]


# ---- inference rules ------------------------------------------------------------------------
def _channel_axis(p: Params, ndim: int) -> int:
    axis = p.axis + ndim if p.axis < 0 else p.axis
    if not 0 <= axis < ndim:
        shown = axis if axis >= 0 else 2 ** 64 + axis  # MXNet prints it unsigned
        raise InferError(f"Check failed: channelAxis < dshape.ndim() ({shown} vs. {ndim}) : "
                         f"Channel axis out of range: {p.axis}")
    return axis


def _bn_shape(p: Params, ins: list, outs: list):
    data = ins[0] if ins[0] is not None else outs[0]
    if data is None:
        return ins, outs
    channel = (data[_channel_axis(p, len(data))],)
    return [data] + [channel] * 4, [data, channel, channel]


def _param_dtype(dtype) -> np.dtype:
    """gamma/beta/moving stats: float32 for float16 data, else the data's type."""
    dtype = np.dtype(dtype)
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _bn_type(p: Params, ins: list, outs: list):
    dtype = ins[0] if ins[0] is not None else outs[0]
    if dtype is None:
        return ins, outs
    if np.dtype(dtype).kind != "f":
        raise InferError(f"This operation only support floating point types, not "
                         f"{np.dtype(dtype).name}")
    param = _param_dtype(dtype)
    for i in range(1, 5):
        if ins[i] is not None and np.dtype(ins[i]) != param:
            raise InferError(f"Check failed: (*in_type)[i] == dtype_param : This layer "
                             f"requires uniform type. Expected '{param.name}' v.s. given "
                             f"'{np.dtype(ins[i]).name}' at '{_TYPE_NAMES[i]}'")
    return [dtype] + [param] * 4, [dtype, param, param]


def _attr_hook(p: Params, i: int) -> dict:
    """``__init__`` of the moving statistics, set on the variables where missing."""
    return {3: {"__init__": '["zero", {}]'}, 4: {"__init__": '["one", {}]'}}.get(i, {})


# ---- kernels ----------------------------------------------------------------------------------
def _layout(data: np.ndarray, p: Params):
    """(reduction axes, broadcast shape of a per-channel vector) for the data."""
    axis = _channel_axis(p, data.ndim)
    shape = [1] * data.ndim
    shape[axis] = data.shape[axis]
    return tuple(i for i in range(data.ndim) if i != axis), tuple(shape)


def _compute_dtype(dtype) -> np.dtype:
    return np.dtype(np.float32) if np.dtype(dtype) == np.float16 else np.dtype(dtype)


def _invstd(var, eps: float):
    return 1.0 / np.sqrt(var + eps)


def _bn_forward(p: Params, ctx, ins, req, outs) -> None:
    data, gamma, beta, moving_mean, moving_var = ins
    red, bshape = _layout(data, p)
    acc = _compute_dtype(data.dtype)
    x = data.astype(acc, copy=False)
    if ctx.is_train and not p.use_global_stats:
        mean = x.mean(axis=red)
        invstd = _invstd(np.square(x - mean.reshape(bshape)).mean(axis=red), p.eps)
    else:
        mean = moving_mean.astype(acc, copy=False)
        invstd = _invstd(moving_var.astype(acc, copy=False), p.eps)
    weight = np.ones_like(invstd) if p.fix_gamma else gamma.astype(acc, copy=False)
    scale = (weight * invstd).reshape(bshape)
    shift = beta.astype(acc, copy=False).reshape(bshape) - mean.reshape(bshape) * scale
    if req[0] != NULL:
        assign(outs[0], req[0], x * scale + shift)
    assign(outs[1], req[1], mean)
    assign(outs[2], req[2], invstd)


def _update_moving(p: Params, mean, invstd, moving_mean, moving_var) -> None:
    """MXNet's running averages, with the float32 momentum and the variance recovered from the
    saved inverse std. The aux states are variables in external memory (never planned or
    shared with other entries), so writing them in place here is safe."""
    m = float(np.float32(p.momentum))
    var = 1.0 / np.square(invstd) - p.eps
    moving_mean[...] = moving_mean * m + mean * (1 - m)
    moving_var[...] = moving_var * m + var * (1 - m)


def _bn_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (ograd, saved mean, saved inverse std, data, gamma, beta, moving_mean,
    moving_var); outputs the gradients of data, gamma and beta."""
    ograd, saved_mean, saved_invstd, data, gamma, _, moving_mean, moving_var = ins
    red, bshape = _layout(data, p)
    acc = _compute_dtype(data.dtype)
    og, x = ograd.astype(acc, copy=False), data.astype(acc, copy=False)
    batch = ctx.is_train and not p.use_global_stats
    if batch:
        mean, invstd = saved_mean.astype(acc), saved_invstd.astype(acc)
        _update_moving(p, mean, invstd, moving_mean, moving_var)
    else:
        mean = moving_mean.astype(acc, copy=False)
        invstd = _invstd(moving_var.astype(acc, copy=False), p.eps)
    weight = np.ones_like(invstd) if p.fix_gamma else gamma.astype(acc, copy=False)
    centered = x - mean.reshape(bshape)
    sum_og = og.sum(axis=red)
    dotp = (og * centered).sum(axis=red)
    if req[0] != NULL:
        if batch:
            count = x.size // max(mean.size, 1)
            k = (dotp * invstd * invstd / count).reshape(bshape)
            value = (og - (sum_og / count).reshape(bshape) - centered * k) * \
                (invstd * weight).reshape(bshape)
        else:
            value = og * (invstd * weight).reshape(bshape)
        assign(outs[0], req[0], value)
    if req[1] != NULL:
        if p.fix_gamma:
            if req[1] != ADD:
                outs[1].fill(0)
        else:
            assign(outs[1], req[1], dotp * invstd)
    assign(outs[2], req[2], sum_og)


def _bn_gradient(g, ograds):
    """Gradients of data, gamma and beta; the mean/var outputs' gradients are blocked."""
    if ograds[0] is None:
        return [None] * 5
    params = {f.name: g.params[f.name] for f in _fields()}
    grads = g.op("_backward_BatchNorm", ograds[0], g.output(1), g.output(2),
                 *[g.input(i) for i in range(5)], **params)
    return list(grads) + [None, None]


def _backward_shape(p: Params, ins: list, outs: list):
    new_ins, new_outs = _bn_shape(p, [ins[3]] + ins[4:8], [ins[0], None, None])
    data, channel = new_ins[0], new_ins[1]
    return [data, channel, channel] + new_ins, [data, channel, channel]


def _backward_type(p: Params, ins: list, outs: list):
    new_ins, _ = _bn_type(p, [ins[3]] + ins[4:8], [ins[0], None, None])
    data, param = new_ins[0], new_ins[1]
    return [data, param, param] + new_ins, [data, param, param]


register("_backward_BatchNorm",
         inputs=["ograd", "mean", "invstd"] + _INPUTS, outputs=3, fields=_fields(),
         infer_shape=_backward_shape, infer_type=_backward_type, forward=_bn_backward,
         doc="Gradient of BatchNorm (data, gamma, beta). In training mode without "
             "use_global_stats it also updates moving_mean/moving_var in place.")

register(
    "BatchNorm", inputs=_INPUTS, aux=[3, 4], fields=_fields(), outputs=3,
    visible_outputs=lambda p: 3 if p.output_mean_var else 1,
    output_names=["output", "mean", "var"], infer_shape=_bn_shape, infer_type=_bn_type,
    forward=_bn_forward, gradient=_bn_gradient, attr_hook=_attr_hook,
    doc="Batch normalization.\n\nNormalizes a data batch by mean and variance, and applies a "
        "scale ``gamma`` as well as offset ``beta``:\n``out = (data - mean) / sqrt(var + eps) "
        "* gamma + beta``, per channel along ``axis`` (default 1; -1 is the last axis).\n\n"
        "In training the batch statistics are used and the moving statistics are updated "
        "``moving = moving * momentum + batch_stat * (1 - momentum)``; in inference (or with "
        "``use_global_stats``) the moving statistics are used. With ``fix_gamma`` gamma is "
        "taken as 1 and its gradient is 0. ``output_mean_var`` also returns the mean and the "
        "inverse standard deviation.")
