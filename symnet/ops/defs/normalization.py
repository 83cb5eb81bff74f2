"""BatchNorm: batch statistics in training, moving statistics in inference (MXNet spec 6.3).

Outputs ``output``, ``mean`` and ``var`` (only ``output`` is visible unless
``output_mean_var``). As in MXNet 1.9.1, ``var`` holds the *inverse standard deviation*
``1 / sqrt(var + eps)``, and in inference (or with ``use_global_stats``) ``mean``/``var`` hold
the moving mean and the inverse std of the moving variance.

The moving statistics (aux inputs 3 and 4) are updated during BACKWARD, like MXNet:
``moving = momentum * moving + (1 - momentum) * batch_stat`` (biased variance), when the
backward pass runs in training mode and ``use_global_stats`` is off. ``_backward_BatchNorm``
receives them as inputs and writes them in place.

The second half of the module holds InstanceNorm, LayerNorm, GroupNorm, L2Normalization and LRN
with their ``_backward_X`` kernels (see the comment that opens that section).
"""
from __future__ import annotations

import numpy as np

from ... import parallel
from ...base import MXNetError
from ..fields import Bool, Double, Enum, Float, Int
from ..kernel import ADD, NULL, assign, channel_sums, per_channel, writes_directly
from ..registry import InferError, Params, off_batch_axis, register
from ..rules import elemwise_shape, same_type

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


def _by_channel(a: np.ndarray, axis: int) -> np.ndarray:
    """``a`` as ``(outer, C, inner)`` around the channel axis (a view of contiguous data)."""
    s = a.shape
    outer, inner = (int(np.prod(part, dtype=np.int64)) for part in (s[:axis], s[axis + 1:]))
    return a.reshape(outer, s[axis], inner)


def _target(out: np.ndarray, req: str, dtype: np.dtype) -> np.ndarray:
    """``out`` itself when a kernel may compute straight into it, else a fresh array."""
    if writes_directly(out, req, dtype):
        return out
    return np.empty(out.shape, dtype)


def inference_affine(p: Params, params: list, acc: np.dtype) -> tuple:
    """BatchNorm with its moving statistics as one affine map a channel, ``x * scale +
    shift``: (scale, shift, mean, invstd) in ``acc`` from (gamma, beta, moving_mean,
    moving_var). Executors fuse it into a preceding convolution through this."""
    gamma, beta, moving_mean, moving_var = params
    mean = moving_mean.astype(acc, copy=False)
    invstd = _invstd(moving_var.astype(acc, copy=False), p.eps)
    scale = invstd if p.fix_gamma else invstd * gamma.astype(acc, copy=False)
    return scale, beta.astype(acc, copy=False) - mean * scale, mean, invstd


def uses_batch_statistics(p: Params, ctx) -> bool:
    """Whether BatchNorm normalises with the batch's statistics in this pass."""
    return ctx.is_train and not p.use_global_stats


def _bn_forward(p: Params, ctx, ins, req, outs) -> None:
    """``(x - mean) * invstd * gamma + beta``, computed in the output array: a subtraction, a
    squared sum, a scaling and a shift, with contiguous per-channel reductions."""
    data, gamma, beta, moving_mean, moving_var = ins
    axis = _channel_axis(p, data.ndim)
    acc = _compute_dtype(data.dtype)
    x = _by_channel(data.astype(acc, copy=False), axis)
    out = _target(outs[0], req[0], acc)
    y = _by_channel(out, axis)
    weight = None if p.fix_gamma else gamma.astype(acc, copy=False)
    shift = beta.astype(acc, copy=False)
    n, cost = x.shape[0], x.size * parallel.PER_ELEMENT
    if uses_batch_statistics(p, ctx):
        # serial: split into three passes it paid two thread hand-offs more than it saved
        count = acc.type(x.shape[0] * x.shape[2])
        mean = channel_sums(x) / count
        np.subtract(x, per_channel(mean, x.shape[2]), out=y)
        invstd = _invstd(np.einsum("ncl,ncl->c", y, y) / count, p.eps)
        scale = invstd if weight is None else invstd * weight
        y *= per_channel(scale, x.shape[2])
        y += per_channel(shift, x.shape[2])
    else:  # one affine map a channel; per sample, so slices of the batch go to threads
        scale, shift, mean, invstd = inference_affine(p, ins[1:], acc)
        scale, shift = per_channel(scale, x.shape[2]), per_channel(shift, x.shape[2])

        def affine(lo: int, hi: int) -> None:
            np.multiply(x[lo:hi], scale, out=y[lo:hi])
            y[lo:hi] += shift

        parallel.split_held(n, affine, cost)
    if req[0] != NULL and out is not outs[0]:
        assign(outs[0], req[0], out)
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


def _bn_data_grad(og: np.ndarray, centered: np.ndarray, coef: tuple | None, iw: np.ndarray,
                  d: np.ndarray) -> None:
    """The data gradient ``og * iw`` plus, with batch statistics, ``centered * coef[0] -
    coef[1]``, into ``d`` (``(outer, C, inner)`` arrays, the factors ``(C, inner)`` rows of
    :func:`per_channel`; ``centered`` is overwritten)."""
    np.multiply(og, iw, out=d)
    if coef is not None:
        centered *= coef[0]
        d += centered
        d -= coef[1]


def _bn_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (ograd, saved mean, saved inverse std, data, gamma, beta, moving_mean,
    moving_var); outputs the gradients of data, gamma and beta. Two passes over slices of the
    batch, one thread each: the sums, then the data gradient."""
    ograd, saved_mean, saved_invstd, data, gamma, _, moving_mean, moving_var = ins
    axis = _channel_axis(p, data.ndim)
    acc = _compute_dtype(data.dtype)
    og = _by_channel(ograd.astype(acc, copy=False), axis)
    x = _by_channel(data.astype(acc, copy=False), axis)
    batch = ctx.is_train and not p.use_global_stats
    if batch:
        mean, invstd = saved_mean.astype(acc), saved_invstd.astype(acc)
        _update_moving(p, mean, invstd, moving_mean, moving_var)
    else:
        mean = moving_mean.astype(acc, copy=False)
        invstd = _invstd(moving_var.astype(acc, copy=False), p.eps)
    weight = np.ones_like(invstd) if p.fix_gamma else gamma.astype(acc, copy=False)
    n, cost = x.shape[0], x.size * parallel.PER_ELEMENT
    centered = np.empty_like(x)
    mean_rows = per_channel(mean, x.shape[2])

    def sums(lo: int, hi: int) -> np.ndarray:
        np.subtract(x[lo:hi], mean_rows, out=centered[lo:hi])
        return np.stack([channel_sums(og[lo:hi]),
                         np.einsum("ncl,ncl->c", og[lo:hi], centered[lo:hi])])

    sum_og, dotp = parallel.total(parallel.split_held(n, sums, cost))
    if req[0] != NULL:
        iw = invstd * weight
        coef = None
        if batch:
            count = acc.type(x.shape[0] * x.shape[2])
            coef = (per_channel(-dotp * invstd * invstd / count * iw, x.shape[2]),
                    per_channel(sum_og / count * iw, x.shape[2]))
        iw = per_channel(iw, x.shape[2])
        dx = _target(outs[0], req[0], acc)
        d = _by_channel(dx, axis)
        parallel.split_held(
            n, lambda lo, hi: _bn_data_grad(og[lo:hi], centered[lo:hi], coef, iw, d[lo:hi]),
            cost)
        if dx is not outs[0]:
            assign(outs[0], req[0], dx)
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
    per_sample=off_batch_axis("axis"),
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


# =============================================================================================
# InstanceNorm, LayerNorm, GroupNorm, L2Normalization, LRN
# =============================================================================================
# Every op keeps MXNet's hidden outputs: InstanceNorm (mean, var: the biased variance, shape
# (N, C)), LayerNorm (mean, std: ``sqrt(var + eps)`` with the axis kept as 1), GroupNorm (mean,
# std, shape (N, num_groups)), L2Normalization (norm: ``sqrt(sum(x**2) + eps)``) and LRN
# (tmp_norm: ``knorm + alpha / nsize * window_sum(x**2)``). The hand-written ``_backward_X``
# kernels read them. float16 is computed in float32.

#: MXNet's type flags, as its "Unsupported data type" message prints them.
_TYPE_FLAGS = {"float32": 0, "float64": 1, "float16": 2, "uint8": 3, "int32": 4, "int8": 5,
               "int64": 6, "bool": 7, "int16": 8, "uint16": 9, "uint32": 10, "uint64": 11}


def _f32(value: float) -> float:
    """A float default that MXNet declares as a C ``float`` (``1e-5`` -> 9.99999975e-06)."""
    return float(np.float32(value))


def _work_dtype(dtype) -> np.dtype:
    """The dtype a kernel computes in (float16 -> float32); integers are refused like MXNet."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise MXNetError(f"This operation only support floating point types, not {dtype.name}")
    return _compute_dtype(dtype)


def _data_of(ins: list, outs: list):
    return ins[0] if ins[0] is not None else outs[0]


def _norm_backward(gxhat, xhat, inv, red: tuple):
    """Gradient of ``xhat = (x - mean(x)) * inv`` (mean and variance over ``red``) from the
    gradient ``gxhat`` that reaches ``xhat``."""
    return inv * (gxhat - gxhat.mean(axis=red, keepdims=True)
                  - xhat * (gxhat * xhat).mean(axis=red, keepdims=True))


def _affine_grads(og, xhat, param_axes: tuple, req, outs) -> None:
    """gamma and beta gradients: ``og * xhat`` and ``og`` summed over every axis but the
    parameter's (outputs 1 and 2)."""
    if req[1] != NULL:
        assign(outs[1], req[1], (og * xhat).sum(axis=param_axes).reshape(outs[1].shape))
    if req[2] != NULL:
        assign(outs[2], req[2], og.sum(axis=param_axes).reshape(outs[2].shape))


def _same_float_type(p: Params, ins: list, outs: list):
    """One dtype everywhere (MXNet's ElemwiseType); integers fail later, in the kernel."""
    return same_type(p, ins, outs)


def _grad_shape(n_params: int):
    """``_backward_X`` shapes: outputs are the shapes of data (input 1) and gamma/beta
    (input 2, when the op has them)."""
    def rule(p: Params, ins: list, outs: list):
        data = ins[1] if ins[1] is not None else outs[0]
        data = data if data is not None else ins[0]
        new_ins = list(ins)
        new_ins[0] = new_ins[1] = data
        if n_params:
            return new_ins, [data] + [ins[2]] * n_params
        return new_ins, [data]
    return rule


_EPS_DOC = "An `epsilon` parameter to prevent division by 0."
_GB_INPUTS = ["data", "gamma", "beta"]


# ---- InstanceNorm -----------------------------------------------------------------------------
def _in_fields() -> list:
    return [Float("eps", _f32(1e-3), _EPS_DOC)]


def _in_shape(p: Params, ins: list, outs: list):
    data = _data_of(ins, outs)
    if data is None:
        return ins, outs
    if len(data) < 2:
        raise InferError(f"Check failed: i >= 0 && i < ndim(): index = 1 must be in range "
                         f"[0, {len(data)})")
    channel, stats = (data[1],), (data[0], data[1])
    return [data, channel, channel], [data, stats, stats]


def _in_type(p: Params, ins: list, outs: list):
    """float16/32/64 (MXNet 1.9.1 accepts float32 only; symnet also runs the others)."""
    for dtype in ins + outs:
        if dtype is not None and np.dtype(dtype).kind != "f":
            raise InferError(f"Check failed: in_type->at(i) == mshadow::default_type_flag || "
                             f"in_type->at(i) == -1: Unsupported data type "
                             f"{_TYPE_FLAGS.get(np.dtype(dtype).name, -1)}")
    return _same_float_type(p, ins, outs)


def _in_check_rank(data: np.ndarray) -> None:
    if data.ndim < 3:
        raise MXNetError(f"Check failed: in_data[instance_norm::kData].ndim() >= 3 "
                         f"({data.ndim} vs. 3) : InstanceNorm only supports input tensors of "
                         f"rank >= 3.")


def _in_forward(p: Params, ctx, ins, req, outs) -> None:
    data, gamma, beta = ins
    _in_check_rank(data)
    acc = _work_dtype(data.dtype)
    x = data.astype(acc, copy=False)
    red = tuple(range(2, x.ndim))
    bshape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    mean = x.mean(axis=red, keepdims=True)
    var = np.square(x - mean).mean(axis=red, keepdims=True)
    if req[0] != NULL:
        scale = gamma.astype(acc, copy=False).reshape(bshape) / np.sqrt(var + acc.type(p.eps))
        assign(outs[0], req[0], (x - mean) * scale + beta.astype(acc).reshape(bshape))
    assign(outs[1], req[1], mean.reshape(outs[1].shape))
    assign(outs[2], req[2], var.reshape(outs[2].shape))


def _in_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (ograd, data, gamma, mean, var); outputs d(data), d(gamma), d(beta)."""
    ograd, data, gamma, mean, var = ins
    acc = _work_dtype(data.dtype)
    x, og = data.astype(acc, copy=False), ograd.astype(acc, copy=False)
    stat = mean.shape + (1,) * (x.ndim - 2)
    bshape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    inv = 1 / np.sqrt(var.astype(acc).reshape(stat) + acc.type(p.eps))
    xhat = (x - mean.astype(acc).reshape(stat)) * inv
    if req[0] != NULL:
        gxhat = og * gamma.astype(acc, copy=False).reshape(bshape)
        assign(outs[0], req[0], _norm_backward(gxhat, xhat, inv, tuple(range(2, x.ndim))))
    _affine_grads(og, xhat, (0,) + tuple(range(2, x.ndim)), req, outs)


def _in_gradient(g, ograds):
    if ograds[0] is None:
        return [None] * 3
    return list(g.op("_backward_InstanceNorm", ograds[0], g.input(0), g.input(1), g.output(1),
                     g.output(2), eps=g.params.eps))


register("_backward_InstanceNorm", inputs=["ograd", "data", "gamma", "mean", "var"],
         outputs=3, fields=_in_fields(), infer_shape=_grad_shape(2), infer_type=_in_type,
         forward=_in_backward,
         doc="Gradient of InstanceNorm with respect to data, gamma and beta.")

register(
    "InstanceNorm", inputs=_GB_INPUTS, outputs=3, visible_outputs=1, per_sample=[0],
    output_names=["output", "mean", "var"], fields=_in_fields(), infer_shape=_in_shape,
    infer_type=_in_type, forward=_in_forward, gradient=_in_gradient,
    doc="Applies instance normalization to the n-dimensional input array.\n\n"
        "This operator takes an n-dimensional input array where (n>2) and normalizes the "
        "input using the following formula:\n\n"
        "``out = (x - mean[data]) / sqrt(Var[data] + epsilon) * gamma + beta``\n\n"
        "This layer is similar to batch normalization layer (`BatchNorm`) with two "
        "differences: first, the normalization is carried out per example (instance), not "
        "over a batch. Second, the same normalization is applied both at test and train time. "
        "This operation is also known as `contrast normalization`.\n\n"
        "If the input data is of shape [batch, channel, spacial_dim1, spacial_dim2, ...], "
        "`gamma` and `beta` parameters must be vectors of shape [channel].")


# ---- LayerNorm --------------------------------------------------------------------------------
def _ln_fields() -> list:
    return [
        Int("axis", -1, "The axis to perform layer normalization. Usually, this should be be "
                        "axis of the channel dimension. Negative values means indexing from "
                        "right to left."),
        Float("eps", _f32(1e-5), _EPS_DOC),
        Bool("output_mean_var", False, "Output the mean and std calculated along the given "
                                       "axis."),
    ]


def _ln_axis(p: Params, ndim: int) -> int:
    axis = p.axis + ndim if p.axis < 0 else p.axis
    if not 0 <= axis < ndim:
        raise InferError(f"Check failed: axis >= 0 && axis < dshape.ndim(): Channel axis out "
                         f"of range: axis={p.axis}")
    return axis


def _ln_shape(p: Params, ins: list, outs: list):
    data = _data_of(ins, outs)
    if data is None:
        return ins, outs
    axis = _ln_axis(p, len(data))
    if data[axis] is None and ins[1] is not None:  # the channel count from gamma
        data = data[:axis] + (ins[1][0],) + data[axis + 1:]
    stats = data[:axis] + (1,) + data[axis + 1:]
    channel = (data[axis],) if data[axis] is not None else ins[1]
    return [data, channel, channel], [data, stats, stats]


def _ln_layout(p: Params, x: np.ndarray):
    """(axis, broadcast shape of gamma/beta, the other axes)."""
    axis = _ln_axis(p, x.ndim)
    bshape = [1] * x.ndim
    bshape[axis] = x.shape[axis]
    return axis, tuple(bshape), tuple(i for i in range(x.ndim) if i != axis)


def _ln_forward(p: Params, ctx, ins, req, outs) -> None:
    data, gamma, beta = ins
    acc = _work_dtype(data.dtype)
    x = data.astype(acc, copy=False)
    axis, bshape, _ = _ln_layout(p, x)
    mean = x.mean(axis=axis, keepdims=True)
    std = np.sqrt(np.square(x - mean).mean(axis=axis, keepdims=True) + acc.type(p.eps))
    if req[0] != NULL:
        value = (x - mean) / std * gamma.astype(acc, copy=False).reshape(bshape)
        assign(outs[0], req[0], value + beta.astype(acc, copy=False).reshape(bshape))
    assign(outs[1], req[1], mean)
    assign(outs[2], req[2], std)


def _ln_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (ograd, data, gamma, mean, std); outputs d(data), d(gamma), d(beta)."""
    ograd, data, gamma, mean, std = ins
    acc = _work_dtype(data.dtype)
    x, og = data.astype(acc, copy=False), ograd.astype(acc, copy=False)
    axis, bshape, others = _ln_layout(p, x)
    inv = 1 / std.astype(acc, copy=False)
    xhat = (x - mean.astype(acc, copy=False)) * inv
    if req[0] != NULL:
        gxhat = og * gamma.astype(acc, copy=False).reshape(bshape)
        assign(outs[0], req[0], _norm_backward(gxhat, xhat, inv, (axis,)))
    _affine_grads(og, xhat, others, req, outs)


def _stat_gradient(backward: str, names: tuple):
    """A gradient rule that feeds ``backward`` (ograd, data, gamma, mean, std); the gradients
    of the mean/std outputs are ignored, as in MXNet."""
    def rule(g, ograds):
        if ograds[0] is None:
            return [None] * 3
        params = {k: g.params[k] for k in names}
        return list(g.op(backward, ograds[0], g.input(0), g.input(1), g.output(1), g.output(2),
                         **params))
    return rule


register("_backward_LayerNorm", inputs=["ograd", "data", "gamma", "mean", "std"], outputs=3,
         fields=_ln_fields(), infer_shape=_grad_shape(2), infer_type=_same_float_type,
         forward=_ln_backward,
         doc="Gradient of LayerNorm with respect to data, gamma and beta.")

register(
    "LayerNorm", inputs=_GB_INPUTS, outputs=3, per_sample=off_batch_axis("axis"),
    visible_outputs=lambda p: 3 if p.output_mean_var else 1,
    output_names=["output", "mean", "std"], fields=_ln_fields(), infer_shape=_ln_shape,
    infer_type=_same_float_type, forward=_ln_forward,
    gradient=_stat_gradient("_backward_LayerNorm", ("axis", "eps", "output_mean_var")),
    doc="Layer normalization.\n\nNormalizes the channels of the input tensor by mean and "
        "variance, and applies a scale ``gamma`` as well as offset ``beta``:\n\n"
        "``out = (data - mean(data, axis)) / sqrt(var(data, axis) + eps) * gamma + beta``\n\n"
        "Unlike BatchNorm and InstanceNorm, the *mean* and *var* are computed along the "
        "channel dimension ``axis`` (default -1, the last axis); ``gamma`` and ``beta`` have "
        "shape *(k,)* for *k* elements on that axis. If ``output_mean_var`` is set to be "
        "true, then outputs both ``data_mean`` and ``data_std``. Note that no gradient will be "
        "passed through these two outputs.")


# ---- GroupNorm --------------------------------------------------------------------------------
def _gn_fields() -> list:
    return [
        Int("num_groups", 1, "Total number of groups."),
        Float("eps", _f32(1e-5), _EPS_DOC),
        Bool("output_mean_var", False, "Output the mean and std calculated along the given "
                                       "axis."),
    ]


def _gn_shape(p: Params, ins: list, outs: list):
    data = _data_of(ins, outs)
    if data is None:
        return ins, outs
    if len(data) < 3:
        raise InferError(f"Check failed: dshape.ndim() >= 3U ({len(data)} vs. 3) :")
    groups = p.num_groups
    if groups <= 0:
        raise InferError(f"num_groups must be positive, got {groups}")
    if data[1] is not None and data[1] % groups != 0:
        raise InferError(f"Check failed: dshape[1] % num_groups == 0 ({data[1] % groups} vs. "
                         f"0) : # of channels must be divisible by # of groups")
    stats = (data[0], groups)
    return [data, (groups,), (groups,)], [data, stats, stats]


def _gn_view(p: Params, data: np.ndarray, acc) -> np.ndarray:
    """The data as (N, num_groups, elements per group)."""
    return data.astype(acc, copy=False).reshape(data.shape[0], p.num_groups, -1)


def _gn_forward(p: Params, ctx, ins, req, outs) -> None:
    data, gamma, beta = ins
    acc = _work_dtype(data.dtype)
    x = _gn_view(p, data, acc)
    mean = x.mean(axis=2, keepdims=True)
    std = np.sqrt(np.square(x - mean).mean(axis=2, keepdims=True) + acc.type(p.eps))
    if req[0] != NULL:
        value = (x - mean) / std * gamma.astype(acc, copy=False).reshape(1, -1, 1)
        value += beta.astype(acc, copy=False).reshape(1, -1, 1)
        assign(outs[0], req[0], value.reshape(data.shape))
    assign(outs[1], req[1], mean.reshape(outs[1].shape))
    assign(outs[2], req[2], std.reshape(outs[2].shape))


def _gn_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (ograd, data, gamma, mean, std); outputs d(data), d(gamma), d(beta)."""
    ograd, data, gamma, mean, std = ins
    acc = _work_dtype(data.dtype)
    x, og = _gn_view(p, data, acc), _gn_view(p, ograd, acc)
    inv = 1 / std.astype(acc).reshape(x.shape[0], -1, 1)
    xhat = (x - mean.astype(acc).reshape(x.shape[0], -1, 1)) * inv
    if req[0] != NULL:
        gxhat = og * gamma.astype(acc, copy=False).reshape(1, -1, 1)
        assign(outs[0], req[0], _norm_backward(gxhat, xhat, inv, (2,)).reshape(data.shape))
    _affine_grads(og, xhat, (0, 2), req, outs)


register("_backward_GroupNorm", inputs=["ograd", "data", "gamma", "mean", "std"], outputs=3,
         fields=_gn_fields(), infer_shape=_grad_shape(2), infer_type=_same_float_type,
         forward=_gn_backward,
         doc="Gradient of GroupNorm with respect to data, gamma and beta.")

register(
    "GroupNorm", inputs=_GB_INPUTS, outputs=3, per_sample=[0],
    visible_outputs=lambda p: 3 if p.output_mean_var else 1,
    output_names=["output", "mean", "std"], fields=_gn_fields(), infer_shape=_gn_shape,
    infer_type=_same_float_type, forward=_gn_forward,
    gradient=_stat_gradient("_backward_GroupNorm", ("num_groups", "eps", "output_mean_var")),
    doc="Group normalization.\n\nThe input channels are separated into ``num_groups`` groups, "
        "each containing ``num_channels / num_groups`` channels. The mean and "
        "standard-deviation are calculated separately over the each group:\n\n"
        "``data = data.reshape((N, num_groups, C // num_groups, ...))``\n"
        "``out = (data - mean(data, axis)) / sqrt(var(data, axis) + eps) * gamma + beta``\n\n"
        "Both ``gamma`` and ``beta`` are learnable parameters, one value per group (shape "
        "``(num_groups,)``, as in MXNet 1.9.1).")


# ---- L2Normalization --------------------------------------------------------------------------
def _l2_fields() -> list:
    return [
        Float("eps", _f32(1e-10), "A small constant for numerical stability."),
        Enum("mode", ("channel", "instance", "spatial"), "instance",
             "Specify the dimension along which to compute L2 norm."),
    ]


def _l2_shape(p: Params, ins: list, outs: list):
    data = _data_of(ins, outs)
    if data is None:
        return ins, outs
    if p.mode != "instance" and len(data) < 3:
        raise InferError(f"Check failed: dshape.ndim() >= 3 ({len(data)} vs. 3) : At lease 3 "
                         f"dimensions required in {p.mode} mode")
    if p.mode == "instance":
        norm = (data[0],)
    elif p.mode == "channel":
        norm = (data[0], 1) + tuple(data[2:])
    else:
        norm = (data[0], data[1])
    return [data], [data, norm]


def _l2_axes(p: Params, ndim: int) -> tuple:
    """The axes each norm sums over."""
    if p.mode == "instance":
        return tuple(range(1, ndim))
    return (1,) if p.mode == "channel" else tuple(range(2, ndim))


def _l2_forward(p: Params, ctx, ins, req, outs) -> None:
    data = ins[0]
    acc = _work_dtype(data.dtype)
    x = data.astype(acc, copy=False)
    norm = np.sqrt(np.square(x).sum(axis=_l2_axes(p, x.ndim), keepdims=True) + acc.type(p.eps))
    if req[0] != NULL:
        assign(outs[0], req[0], x / norm)
    assign(outs[1], req[1], norm.reshape(outs[1].shape))


def _l2_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (ograd, output, norm): ``d(data) = (og - out * sum(og * out)) / norm``."""
    if req[0] == NULL:
        return
    ograd, out, norm = ins
    acc = _work_dtype(out.dtype)
    y, og = out.astype(acc, copy=False), ograd.astype(acc, copy=False)
    red = _l2_axes(p, y.ndim)
    keep = tuple(1 if i in red else d for i, d in enumerate(y.shape))
    dot = (og * y).sum(axis=red, keepdims=True)
    assign(outs[0], req[0], (og - y * dot) / norm.astype(acc, copy=False).reshape(keep))


def _l2_gradient(g, ograds):
    if ograds[0] is None:
        return [None]
    return [g.op("_backward_L2Normalization", ograds[0], g.output(0), g.output(1),
                 eps=g.params.eps, mode=g.params.mode)]


def _l2_backward_shape(p: Params, ins: list, outs: list):
    data = next((s for s in (ins[0], ins[1], outs[0]) if s is not None), None)
    return [data, data, ins[2]], [data]


register("_backward_L2Normalization", inputs=["ograd", "output", "norm"], fields=_l2_fields(),
         infer_shape=_l2_backward_shape, infer_type=_same_float_type, forward=_l2_backward,
         doc="Gradient of L2Normalization from the head gradient, the output and the norm.")

register(
    "L2Normalization", outputs=2, visible_outputs=1, output_names=["output", "norm"],
    per_sample=[0],
    fields=_l2_fields(), infer_shape=_l2_shape, infer_type=_same_float_type,
    forward=_l2_forward, gradient=_l2_gradient,
    doc="Normalize the input array using the L2 norm: ``out = data / sqrt(sum(data ** 2) + "
        "eps)``.\n\nWith ``mode`` = ``instance`` (default) it normalizes each instance "
        "``data[i, ...]`` by its L2 norm (a 1-D array is N instances of one element); with "
        "``channel`` each ``data[:, i, ...]`` position across the channels ``data[n, :, "
        "...]``; with ``spatial`` the cross-spatial norm of each channel ``data[n, c, ...]``.")


# ---- LRN --------------------------------------------------------------------------------------
class _UInt(Int):
    """MXNet's unsigned integer parameters: shown as ``int (non-negative)``."""

    type_name = "int (non-negative)"


def _lrn_fields() -> list:
    return [
        Float("alpha", _f32(1e-4), "The variance scaling parameter :math:`alpha` in the LRN "
                                   "expression."),
        Float("beta", 0.75, "The power parameter :math:`beta` in the LRN expression."),
        Float("knorm", 2.0, "The parameter :math:`k` in the LRN expression."),
        _UInt("nsize", doc="normalization window width in elements."),
    ]


def _lrn_window(p: Params) -> tuple[int, float]:
    """(half window, alpha / nsize). As MXNet 1.9.1's CPU (oneDNN) LRN: the window is
    ``c - (nsize-1)//2 .. c + (nsize-1)//2`` (even sizes round down); nsize is unsigned."""
    n = p.nsize % 2 ** 32
    return max(n - 1, 0) // 2, (p.alpha / n if n else np.inf)


def _channel_window_sum(a: np.ndarray, half: int) -> np.ndarray:
    """``out[:, c] = sum(a[:, max(0, c-half) : c+half+1])`` through one cumulative sum."""
    c = a.shape[1]
    cs = np.zeros((a.shape[0], c + 1) + a.shape[2:], np.float64)
    np.cumsum(a, axis=1, out=cs[:, 1:])
    idx = np.arange(c)
    return (cs[:, np.minimum(idx + half + 1, c)] - cs[:, np.maximum(idx - half, 0)]) \
        .astype(a.dtype, copy=False)


def _lrn_check(data: np.ndarray) -> np.dtype:
    if data.ndim != 4:
        raise MXNetError(f"Check failed: dim == ndim() (4 vs. {data.ndim}) : dimension do not "
                         f"match target dimension 4 vs {data.ndim}")
    return _work_dtype(data.dtype)


def _lrn_forward(p: Params, ctx, ins, req, outs) -> None:
    acc = _lrn_check(ins[0])
    x = ins[0].astype(acc, copy=False)
    half, scale = _lrn_window(p)
    with np.errstate(invalid="ignore", over="ignore"):
        norm = _channel_window_sum(np.square(x), half) * acc.type(scale) + acc.type(p.knorm)
        if req[0] != NULL:
            assign(outs[0], req[0], x * np.power(norm, acc.type(-p.beta)))
    assign(outs[1], req[1], norm)


def _lrn_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (ograd, data, tmp_norm); with ``N = tmp_norm`` and ``s = alpha / nsize``:
    ``d(data) = og * N**-beta - 2 * beta * s * x * window_sum(og * x * N**-beta / N)``."""
    if req[0] == NULL:
        return
    acc = _lrn_check(ins[1])
    og, x, norm = (a.astype(acc, copy=False) for a in ins)
    half, scale = _lrn_window(p)
    with np.errstate(invalid="ignore", over="ignore"):
        power = np.power(norm, acc.type(-p.beta))
        inner = _channel_window_sum(og * x * power / norm, half)
        assign(outs[0], req[0], og * power - acc.type(2 * scale * p.beta) * x * inner)


def _lrn_gradient(g, ograds):
    if ograds[0] is None:
        return [None]
    params = {k: g.params[k] for k in ("alpha", "beta", "knorm", "nsize")}
    return [g.op("_backward_LRN", ograds[0], g.input(0), g.output(1), **params)]


register("_backward_LRN", inputs=["ograd", "data", "tmp_norm"], fields=_lrn_fields(),
         infer_shape=elemwise_shape,
         infer_type=_same_float_type, forward=_lrn_backward,
         doc="Gradient of LRN from the head gradient, the input and the saved norm.")

register(
    "LRN", outputs=2, visible_outputs=1, output_names=["output", "tmp_norm"], per_sample=[0],
    fields=_lrn_fields(), infer_shape=elemwise_shape, infer_type=_same_float_type,
    forward=_lrn_forward, gradient=_lrn_gradient,
    doc="Applies local response normalization to the input.\n\nThe local response "
        "normalization layer performs \"lateral inhibition\" by normalizing over local input "
        "regions: ``out[n, c] = data[n, c] / (knorm + alpha / nsize * sum(data[n, j] ** 2))"
        " ** beta``, the sum running over the ``nsize`` adjacent channels ``j`` around ``c`` "
        "(clipped at the borders). The data must be 4-D (N, C, H, W).")
