"""Spatial resampling of NCHW images: UpSampling, Pad and the legacy Crop, with their gradients.

* ``UpSampling`` ``nearest`` repeats each pixel: input *i* of ``num_args`` is enlarged to
  ``(scale*h_0, scale*w_0)`` (by ``scale*h_0/h_i`` along each axis) and the results are
  concatenated along the channels (``multi_input_mode='concat'``) or added (``'sum'``).
  ``bilinear`` is a depthwise transposed convolution of ``data`` with ``weight`` of shape
  ``(C, 1, k, k)``, ``k = 2*scale - scale%2``, stride ``scale``, pad ``ceil((scale-1)/2)``
  (MXNet runs Deconvolution with ``num_group = num_filter``), so the output is again
  ``scale`` times larger. Only 4-D data and floating-point types, as in MXNet.
* ``Pad`` (alias ``pad``) pads axes 2.. of 4-D or 5-D data with a constant, the edge values or a
  reflection (``numpy.pad``'s ``constant``/``edge``/``reflect``).
* ``Crop`` cuts ``(h, w)`` = ``h_w`` (one input) or the second input's spatial size out of
  4-D data at ``offset`` (y, x) or centred.

Gradients go through ``_backward_UpSampling``, ``_backward_Pad`` and ``_backward_Crop``
(hand-written kernels). The last two are linear in the head gradient and are differentiable
again (their gradients are Pad and Crop).

Deliberate differences from MXNet 1.9.1 (which crashes or reads out of bounds there):
nearest inputs may scale differently along height and width; bilinear runs in float16 (MXNet
CPU: "FP16 gemm on cpu not implemented") and raises on ``num_filter`` != channels; Pad refuses
negative widths; Crop accepts float16/float64 (MXNet only float32); unknown input shapes leave
the output unknown instead of failing the ``ndim == 4`` checks.
"""
from __future__ import annotations

import numpy as np

from ...base import MXNetError
from ...dtype import DTYPE_TO_FLAG
from ..fields import Bool, Double, Enum, Int, Shape
from ..kernel import ADD, NULL, assign
from ..registry import InferError, Params, fmt_shape, register

__all__: list[str] = []


# ---- fields ----------------------------------------------------------------------------------
def _shown(field, text: str):
    """Make ``field`` describe itself with MXNet's exact text (e.g. ``default='0'``)."""
    field.describe = lambda: text
    return field


class _ULong(Int):
    type_name = "long (non-negative)"


class _BoundedInt(Int):
    """An int with MXNet's ``set_range`` message: ``value 0 ... exceed bound [1,3]``."""

    def __init__(self, name: str, doc: str, *, bounds: tuple[int, int]):
        super().__init__(name, doc=doc)
        self.bounds = bounds

    def parse(self, value):
        out = super().parse(value)
        low, high = self.bounds
        if not low <= out <= high:
            raise ValueError(f"value {out} for Parameter {self.name} exceed bound "
                             f"[{low},{high}]")
        return out


def _up_fields(num_args_doc: str) -> list:
    return [
        Int("scale", doc="Up sampling scale", low=1),
        _shown(Int("num_filter", 0, "Input filter. Only used by bilinear sample_type.Since "
                   "bilinear upsampling uses deconvolution, num_filters is set to the number "
                   "of channels."), "int, optional, default='0'"),
        Enum("sample_type", ("nearest", "bilinear"), doc="upsampling method"),
        _shown(Enum("multi_input_mode", ("concat", "sum"), "concat", "How to handle multiple "
                    "input. concat means concatenate upsampled images along the channel "
                    "dimension. sum means add all images together, only available for nearest "
                    "neighbor upsampling."), "{'concat', 'sum'},optional, default='concat'"),
        Int("num_args", doc=num_args_doc, low=1),
        _ULong("workspace", 512, "Tmp workspace for deconvolution (MB)", low=0),
    ]


_UP_NUM_ARGS = ("Number of inputs to be upsampled. For nearest neighbor upsampling, this can "
                "be 1-N; the size of output will be(scale*h_0,scale*w_0) and all other inputs "
                "will be upsampled to thesame size. For bilinear upsampling this must be 2; 1 "
                "input and 1 weight.")
_UP_FIELDS = _up_fields(_UP_NUM_ARGS)
_UP_BACKWARD_FIELDS = _up_fields("Number of inputs: the head gradient, then the inputs of "
                                 "UpSampling.")


def _bilinear_geometry(scale: int) -> tuple[int, int]:
    """(kernel size, padding) of the transposed convolution behind bilinear upsampling."""
    return 2 * scale - scale % 2, scale // 2


def _mul(dim, factor: int):
    return None if dim is None else dim * factor


def _flag(dtype) -> int:
    return DTYPE_TO_FLAG.get(np.dtype(dtype), -1)


def _float_only(x: np.ndarray) -> None:
    """MXNet's run-time check of these layers (inference accepts any type)."""
    if x.dtype.kind != "f":
        sep = "" if x.dtype == np.uint8 else ","
        raise MXNetError(f"This operation only support floating point types{sep} not "
                         f"{x.dtype.name}")


# ---- UpSampling: inference -------------------------------------------------------------------
def _up_inputs(p: Params) -> list[str]:
    if p.sample_type == "bilinear":
        return ["data", "weight"]
    return [f"arg{i}" for i in range(p.num_args)]


def _check_count(p: Params, ins: list, expected: int) -> None:
    if len(ins) != expected:
        raise InferError(f"Check failed: num_inputs == infered_num_inputs ({len(ins)} vs. "
                         f"{expected}) : Operator UpSampling expects {expected} inputs, but "
                         f"got {len(ins)} instead.")


def _check_4d(shape: tuple, kind: str, var: str) -> None:
    if len(shape) != 4:
        raise InferError(f"Check failed: {var}.ndim() == 4U ({len(shape)} vs. 4) : "
                         f"UpSampling{kind}: Input data should be 4D in (batch, channel, y, x)")


def _check_divides(total, part, what: str, axis: int) -> None:
    if total is not None and part is not None and (part == 0 or total % part):
        left = total if part == 0 else total % part
        short = "oh" if axis == 2 else "ow"
        raise InferError(f"Check failed: {short}%shape[{axis}] == 0U ({left} vs. 0) : "
                         f"UpSamplingNearest: input {what} of {part}does not divide output "
                         f"{what} of {total}")


def _nearest_channels(p: Params, ins: list):
    if p.multi_input_mode == "concat":
        dims = [s[1] for s in ins]
        return None if None in dims else sum(dims)
    channels = None
    for s in ins:
        if channels is not None and s[1] is not None and s[1] != channels:
            raise InferError("Check failed: oshape[1] == 0 || oshape[1] == shape[1]: Number of "
                             "channels must be the same when multi_input_mode==sum")
        channels = s[1] if channels is None else channels
    return channels


def _nearest_shape(p: Params, ins: list, outs: list):
    if any(s is None for s in ins):
        return ins, outs
    for s in ins:
        _check_4d(s, "Nearest", "shape")
    oh, ow = _mul(ins[0][2], p.scale), _mul(ins[0][3], p.scale)
    for s in ins[1:]:
        _check_divides(oh, s[2], "height", 2)
        _check_divides(ow, s[3], "width", 3)
    return ins, [(ins[0][0], _nearest_channels(p, ins), oh, ow)]


def _bilinear_shape(p: Params, ins: list, outs: list):
    data, weight = ins
    if data is None:
        return ins, outs
    _check_4d(data, "Bilinear", "dshape")
    channels = data[1] if data[1] is not None or weight is None else weight[0]
    data = (data[0], channels) + tuple(data[2:])
    k, _ = _bilinear_geometry(p.scale)
    out = (data[0], channels, _mul(data[2], p.scale), _mul(data[3], p.scale))
    return [data, (channels, 1, k, k)], [out]


def _up_shape(p: Params, ins: list, outs: list):
    """Nearest: ``(N_0, sum or common C, scale*h_0, scale*w_0)``; bilinear: the data scaled by
    ``scale`` and the weight ``(C, 1, k, k)``."""
    _check_count(p, ins, len(_up_inputs(p)))
    if p.sample_type == "bilinear":
        return _bilinear_shape(p, ins, outs)
    return _nearest_shape(p, ins, outs)


def _uniform_type(names):
    """MXNet's "This layer requires uniform type" rule; ``names(p)`` names the inputs."""

    def rule(p: Params, ins: list, outs: list):
        dtype = ins[0]
        if dtype is None:
            return ins, outs
        for name, t in zip(names(p), ins):
            if t is not None and t != dtype:
                raise InferError(f"Check failed: (*in_type)[i] == dtype ({_flag(t)} vs. "
                                 f"{_flag(dtype)}) : This layer requires uniform type. "
                                 f"Expected '{np.dtype(dtype).name}' v.s. given "
                                 f"'{np.dtype(t).name}' at '{name}'")
        return [dtype] * len(ins), [dtype] * len(outs)
    return rule


# ---- UpSampling: kernels ---------------------------------------------------------------------
def _blocks(out: np.ndarray, x_shape: tuple, c0: int, mode: str) -> np.ndarray:
    """A 6-D view ``(N, C_i, h, fh, w, fw)`` of the output block that input ``x`` fills."""
    n, c, h, w = x_shape
    oh, ow = out.shape[2], out.shape[3]
    if n != out.shape[0]:
        raise MXNetError(f"UpSampling: input of shape {fmt_shape(x_shape)} does not match the "
                         f"batch size {out.shape[0]} of the first input")
    block = out[:, c0:c0 + c] if mode == "concat" else out
    return block.reshape(n, c, h, oh // h, w, ow // w)  # splitting axes: always a view


def _nearest_forward(p: Params, ins: list, req: str, out: np.ndarray) -> None:
    c0 = 0
    for i, x in enumerate(ins):
        view = _blocks(out, x.shape, c0, p.multi_input_mode)
        value = x[:, :, :, None, :, None]
        if req == ADD or (i > 0 and p.multi_input_mode == "sum"):
            view += value
        else:
            view[...] = value
        c0 += x.shape[1]


def _bilinear_taps(p: Params, shape: tuple):
    """Yield ``(ki, kj, rows, cols)``: kernel tap and the slices of the unpadded full output
    that tap writes (the transposed convolution is a sum of strided copies, one per tap)."""
    k, _ = _bilinear_geometry(p.scale)
    s, h, w = p.scale, shape[2], shape[3]
    for ki in range(k):
        for kj in range(k):
            yield ki, kj, slice(ki, ki + (h - 1) * s + 1, s), slice(kj, kj + (w - 1) * s + 1, s)


def _check_filters(p: Params, x: np.ndarray, w: np.ndarray) -> None:
    if p.num_filter != x.shape[1] or w.shape[0] != x.shape[1]:
        raise MXNetError(f"UpSampling: bilinear upsampling needs num_filter ({p.num_filter}) "
                         f"equal to the number of channels ({x.shape[1]})")


def _work(dtype) -> np.dtype:
    return np.dtype(np.float32) if np.dtype(dtype) == np.float16 else np.dtype(dtype)


def _bilinear_forward(p: Params, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    _check_filters(p, x, w)
    k, pad = _bilinear_geometry(p.scale)
    dtype = _work(x.dtype)
    n, c, h, wd = x.shape
    full = np.zeros((n, c, (h - 1) * p.scale + k, (wd - 1) * p.scale + k), dtype)
    xs = x.astype(dtype, copy=False)
    taps = w.reshape(c, k, k).astype(dtype, copy=False)
    for ki, kj, rows, cols in _bilinear_taps(p, x.shape):
        full[:, :, rows, cols] += xs * taps[:, ki, kj][:, None, None]
    return full[:, :, pad:pad + h * p.scale, pad:pad + wd * p.scale]


def _up_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    for x in ins:
        _float_only(x)
    if p.sample_type == "bilinear":
        assign(outs[0], req[0], _bilinear_forward(p, ins[0], ins[1]))
    else:
        _nearest_forward(p, ins, req[0], outs[0])


def _nearest_backward(p: Params, og: np.ndarray, ins: list, req: list, outs: list) -> None:
    c0 = 0
    for x, r, out in zip(ins, req, outs):
        if r != NULL:
            assign(out, r, _blocks(og, x.shape, c0, p.multi_input_mode).sum(axis=(3, 5)))
        c0 += x.shape[1]


def _bilinear_backward(p: Params, og: np.ndarray, x: np.ndarray, w: np.ndarray):
    """(d data, d weight): each tap's strided window of the padded head gradient."""
    _check_filters(p, x, w)
    k, pad = _bilinear_geometry(p.scale)
    dtype = _work(x.dtype)
    n, c, h, wd = x.shape
    full = np.zeros((n, c, (h - 1) * p.scale + k, (wd - 1) * p.scale + k), dtype)
    full[:, :, pad:pad + h * p.scale, pad:pad + wd * p.scale] = og
    xs = x.astype(dtype, copy=False)
    taps = w.reshape(c, k, k).astype(dtype, copy=False)
    dx = np.zeros(x.shape, dtype)
    dw = np.empty((c, k, k), dtype)
    for ki, kj, rows, cols in _bilinear_taps(p, x.shape):
        window = full[:, :, rows, cols]
        dx += window * taps[:, ki, kj][:, None, None]
        dw[:, ki, kj] = np.einsum("nchw,nchw->c", window, xs)
    return dx, dw.reshape(w.shape)


def _up_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (ograd, forward inputs...); one gradient per forward input."""
    if all(r == NULL for r in req):
        return
    if p.sample_type == "bilinear":
        dx, dw = _bilinear_backward(p, ins[0], ins[1], ins[2])
        assign(outs[0], req[0], dx)
        assign(outs[1], req[1], dw)
    else:
        _nearest_backward(p, ins[0], ins[1:], req, outs)


def _up_backward_inputs(p: Params) -> list[str]:
    if p.sample_type == "bilinear":
        return ["ograd", "data", "weight"]
    return ["ograd"] + [f"arg{i}" for i in range(p.num_args - 1)]


def _up_backward_shape(p: Params, ins: list, outs: list):
    return ins, list(ins[1:])


def _up_backward_type(p: Params, ins: list, outs: list):
    dtype = next((t for t in ins if t is not None), None)
    return [dtype] * len(ins), [dtype] * (len(ins) - 1)


def _up_gradient(g, ograds):
    p = g.params
    n = len(_up_inputs(p))
    attrs = {f.name: p[f.name] for f in _UP_FIELDS}
    attrs["num_args"] = n + 1
    return g.ops("_backward_UpSampling", ograds[0], *[g.input(i) for i in range(n)], **attrs)


def _up_attr_hook(p: Params, i: int) -> dict:
    """MXNet sets the bilinear initializer on input 1 whatever the sample type."""
    return {"__init__": '["bilinear", {}]'} if i == 1 else {}


# ---- Pad ---------------------------------------------------------------------------------------
_PAD_FIELDS = [
    Enum("mode", ("constant", "edge", "reflect"), doc='Padding type to use. "constant" pads '
         'with `constant_value` "edge" pads using the edge values of the input array '
         '"reflect" pads by reflecting values with respect to the edges.'),
    Shape("pad_width", doc="Widths of the padding regions applied to the edges of each axis. "
          "It is a tuple of integer padding widths for each axis of the format ``(before_1, "
          "after_1, ... , before_N, after_N)``. It should be of length ``2*N`` where ``N`` is "
          "the number of dimensions of the array.This is equivalent to pad_width in numpy.pad, "
          "but flattened."),
    _shown(Double("constant_value", 0.0, 'The value used for padding when `mode` is '
                  '"constant".'), "double, optional, default=0"),
]


def _pad_pairs(p: Params, ndim: int) -> list[tuple[int, int]]:
    """Check ``pad_width`` against a rank; return ``(before, after)`` per axis."""
    width = p.pad_width
    if ndim not in (4, 5):
        raise InferError("Current implementation only supports 4-D or 5-D input.")
    if len(width) >= 4 and any(width[:4]):
        raise InferError("Current implementation expects padding on the first two axes to be "
                         "zero.")
    if len(width) != 2 * ndim:
        raise InferError("Input shape vs padding spec mismatch.")
    if min(width) < 0:
        raise InferError(f"Pad: negative padding is not supported, got pad_width="
                         f"{tuple(width)}")
    return [(width[2 * i], width[2 * i + 1]) for i in range(ndim)]


def _check_reflect(p: Params, shape: tuple, pairs: list) -> None:
    if p.mode != "reflect":
        return
    for dim, (before, after) in zip(shape, pairs):
        if dim is not None and (before >= dim or after >= dim) and (before or after):
            raise InferError("Current implementation of reflection padding only supports "
                             "padding sizes smaller than the input size.")


def _padded_shape(p: Params, data, out) -> tuple:
    """(data, output) shapes, each filled from the other where one is unknown."""
    pairs = _pad_pairs(p, len(data if data is not None else out))
    if data is None:
        data = (None,) * len(out)
    if out is None or len(out) != len(data):
        out = (None,) * len(data)
    new_data = tuple(d if d is not None or o is None else o - b - a
                     for d, o, (b, a) in zip(data, out, pairs))
    new_out = tuple(None if d is None else d + b + a for d, (b, a) in zip(new_data, pairs))
    _check_reflect(p, new_data, pairs)
    return new_data, new_out


def _pad_shape(p: Params, ins: list, outs: list):
    if ins[0] is None and outs[0] is None:
        return ins, outs
    data, out = _padded_shape(p, ins[0], outs[0])
    return [data], [out]


def _pad_backward_shape(p: Params, ins: list, outs: list):
    if ins[0] is None and outs[0] is None:
        return ins, outs
    data, out = _padded_shape(p, outs[0], ins[0])
    return [out], [data]


def _pad_widths(p: Params, ndim: int) -> list[tuple[int, int]]:
    return [(p.pad_width[2 * i], p.pad_width[2 * i + 1]) for i in range(ndim)]


def _pad_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    x = ins[0]
    _float_only(x)
    widths = _pad_widths(p, x.ndim)
    if p.mode == "constant":
        value = np.pad(x, widths, mode="constant", constant_values=p.constant_value)
    else:
        value = np.pad(x, widths, mode=p.mode)
    assign(outs[0], req[0], value)


def _fold_axis(g: np.ndarray, axis: int, before: int, after: int, mode: str) -> np.ndarray:
    """Sum the padded positions of ``g`` along ``axis`` back onto the positions they copy."""
    g = np.moveaxis(g, axis, -1)
    size = g.shape[-1] - before - after
    res = g[..., before:before + size].copy()
    if mode == "edge":
        res[..., 0] += g[..., :before].sum(axis=-1)
        res[..., -1] += g[..., before + size:].sum(axis=-1)
    elif mode == "reflect":
        res[..., 1:before + 1] += g[..., before - 1::-1] if before else 0
        res[..., size - 1 - after:size - 1] += g[..., :before + size - 1:-1] if after else 0
    return np.moveaxis(res, -1, axis)


def _pad_backward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    grad = ins[0]
    for axis, (before, after) in enumerate(_pad_widths(p, grad.ndim)):
        if before or after:
            grad = _fold_axis(grad, axis, before, after, p.mode)
    assign(outs[0], req[0], grad)


def _pad_attrs(p: Params) -> dict:
    return {"mode": p.mode, "pad_width": p.pad_width, "constant_value": p.constant_value}


def _pad_gradient(g, ograds):
    return [g.op("_backward_Pad", ograds[0], **_pad_attrs(g.params))]


def _pad_backward_gradient(g, ograds):
    """``_backward_Pad`` is linear in the head gradient; its transpose is Pad with 0."""
    attrs = _pad_attrs(g.params)
    attrs["constant_value"] = 0.0
    return [g.op("Pad", ograds[0], **attrs)]


# ---- Crop --------------------------------------------------------------------------------------
_CROP_COMMON = [
    _shown(Shape("offset", (0, 0), "crop offset coordinate: (y, x)"),
           "Shape(tuple), optional, default=[0,0]"),
    _shown(Shape("h_w", (0, 0), "crop height and width: (h, w)"),
           "Shape(tuple), optional, default=[0,0]"),
    _shown(Bool("center_crop", False, "If set to true, then it will use be the center_crop,or "
                "it will crop using the shape of crop_like"), "boolean, optional, default=0"),
]
_CROP_FIELDS = [_BoundedInt("num_args", "Number of inputs for crop, if equals one, then we "
                            "will use the h_wfor crop height and width, else if equals two, then "
                            "we will use the heightand width of the second input symbol, we name "
                            "crop_like here", bounds=(1, 3))] + _CROP_COMMON


def _crop_inputs(p: Params) -> list[str]:
    return [f"arg{i}" for i in range(p.num_args)]


def _crop_size(p: Params, data: tuple, like) -> tuple | None:
    """The crop's (h, w): from ``h_w`` (checked against the data) or from ``crop_like``."""
    if p.num_args > 1:
        if like is None:
            return None
        if len(like) < 4:
            raise InferError(f"Crop: crop_like should be 4D in batch-num_filter-y-x, got "
                             f"{fmt_shape(like)}")
        return like[2], like[3]
    if len(p.h_w) < 2:
        raise InferError(f"Crop: h_w should be (h, w), got {tuple(p.h_w)}")
    for i, what, dim in ((0, "height", data[2]), (1, "width", data[3])):
        value = p.h_w[i]
        if value < 1:
            raise InferError(f"Check failed: static_cast<int>(param_.h_w[{i}]) >= 1 ({value} "
                             f"vs. 1) : the crop {what}(h_w[{i}]) should be larger than 1")
        if dim is not None and value > dim:
            raise InferError(f"Check failed: static_cast<int>(param_.h_w[{i}]) <= "
                             f"static_cast<int>(data_shape[{i + 2}]) ({value} vs. {dim}) : the "
                             f"crop {what}(h_w[{i}]) should be less than the input data's "
                             f"{what}")
    return p.h_w[0], p.h_w[1]


def _crop_shape(p: Params, ins: list, outs: list):
    data = ins[0]
    if data is None:
        return ins, outs
    if len(data) != 4:
        raise InferError(f"Check failed: data_shape.ndim() == 4U ({len(data)} vs. 4) : Input "
                         "data should be 4D in batch-num_filter-y-x")
    size = _crop_size(p, data, ins[1] if len(ins) > 1 else None)
    if size is None:
        return ins, outs
    return ins, [(data[0], data[1]) + tuple(size)]


def _crop_type(p: Params, ins: list, outs: list):
    dtype = next((t for t in ins if t is not None), None)
    if dtype is None:
        return ins, outs
    for t in ins:
        if t is not None and np.dtype(t).kind != "f":
            raise InferError("Check failed: in_type->at(i) == mshadow::default_type_flag || "
                             f"in_type->at(i) == -1: Unsupported data type {_flag(t)}")
    return [t if t is not None else dtype for t in ins], [ins[0] if ins[0] is not None
                                                         else dtype]


def _crop_window(p: Params, data_shape: tuple, size: tuple) -> tuple[slice, slice]:
    """The (rows, cols) slices of the crop, checked like MXNet's forward pass."""
    room = (data_shape[2] - size[0], data_shape[3] - size[1])
    if p.center_crop:
        start = (int(room[0] / 2), int(room[1] / 2))
    else:
        if len(p.offset) < 2:
            raise MXNetError(f"Crop: offset should be (y, x), got {tuple(p.offset)}")
        start = (p.offset[0], p.offset[1])
    for i, what in ((0, "height"), (1, "width")):
        if start[i] > room[i] or start[i] < 0:
            raise MXNetError(f"Check failed: param_.offset[{i}] <= data_shape[{i + 2}]-"
                             f"out_shape[{i + 2}] ({start[i]} vs. {room[i]}) : offset[{i}] "
                             f"should be less than the residual space of {what}")
    return slice(start[0], start[0] + size[0]), slice(start[1], start[1] + size[1])


def _crop_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    rows, cols = _crop_window(p, ins[0].shape, outs[0].shape[2:])
    assign(outs[0], req[0], ins[0][:, :, rows, cols])


def _crop_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (ograd, data): the head gradient inside the window, zero elsewhere."""
    if req[0] == NULL:
        return
    og, out = ins[0], outs[0]
    rows, cols = _crop_window(p, ins[1].shape, og.shape[2:])
    if req[0] != ADD:
        out.fill(0)
    out[:, :, rows, cols] += og


def _crop_attrs(p: Params) -> dict:
    return {"offset": p.offset, "h_w": p.h_w, "center_crop": p.center_crop}


def _crop_gradient(g, ograds):
    grad = g.op("_backward_Crop", ograds[0], g.input(0), **_crop_attrs(g.params))
    return [grad] + [None] * (g.params.num_args - 1)


def _crop_backward_gradient(g, ograds):
    """Linear in the head gradient: its transpose crops to the head gradient's size."""
    return [g.op("Crop", ograds[0], g.input(0), num_args=2, offset=g.params.offset,
                 center_crop=g.params.center_crop), None]


# ---- registration ------------------------------------------------------------------------------
_UP_DOC = """Upsamples the given input data.

Two algorithms (``sample_type``) are available for upsampling:

- Nearest Neighbor
- Bilinear

**Nearest Neighbor Upsampling**

Input data is expected to be NCHW.

Example::

  x = [[[[1. 1. 1.]
         [1. 1. 1.]
         [1. 1. 1.]]]]

  UpSampling(x, scale=2, sample_type='nearest') = [[[[1. 1. 1. 1. 1. 1.]
                                                     [1. 1. 1. 1. 1. 1.]
                                                     [1. 1. 1. 1. 1. 1.]
                                                     [1. 1. 1. 1. 1. 1.]
                                                     [1. 1. 1. 1. 1. 1.]
                                                     [1. 1. 1. 1. 1. 1.]]]]

**Bilinear Upsampling**

Uses `deconvolution` algorithm under the hood. You need provide both input data and the kernel.

Input data is expected to be NCHW.

`num_filter` is expected to be same as the number of channels.

Example::

  x = [[[[1. 1. 1.]
         [1. 1. 1.]
         [1. 1. 1.]]]]

  w = [[[[1. 1. 1. 1.]
         [1. 1. 1. 1.]
         [1. 1. 1. 1.]
         [1. 1. 1. 1.]]]]

  UpSampling(x, w, scale=2, sample_type='bilinear', num_filter=1) = [[[[1. 2. 2. 2. 2. 1.]
                                                                       [2. 4. 4. 4. 4. 2.]
                                                                       [2. 4. 4. 4. 4. 2.]
                                                                       [2. 4. 4. 4. 4. 2.]
                                                                       [2. 4. 4. 4. 4. 2.]
                                                                       [1. 2. 2. 2. 2. 1.]]]]
"""

_PAD_DOC = """Pads an input array with a constant or edge values of the array.

.. note:: `Pad` is deprecated. Use `pad` instead.

.. note:: Current implementation only supports 4D and 5D input arrays with padding applied
   only on axes 1, 2 and 3. Expects axes 4 and 5 in `pad_width` to be zero.

This operation pads an input array with either a `constant_value` or edge values
along each axis of the input array. The amount of padding is specified by `pad_width`.

`pad_width` is a tuple of integer padding widths for each axis of the format
``(before_1, after_1, ... , before_N, after_N)``. The `pad_width` should be of length ``2*N``
where ``N`` is the number of dimensions of the array.

For dimension ``N`` of the input array, ``before_N`` and ``after_N`` indicates how many values
to add before and after the elements of the array along dimension ``N``.
The widths of the higher two dimensions ``before_1``, ``after_1``, ``before_2``,
``after_2`` must be 0.

Example::

   pad(x, mode="edge", pad_width=(0,0,0,0,1,1,1,1))
   pad(x, mode="constant", constant_value=0, pad_width=(0,0,0,0,1,1,1,1))
   pad(x, mode="reflect", pad_width=(0,0,0,0,1,1,1,1))
"""

_CROP_DOC = """.. note:: `Crop` is deprecated. Use `slice` instead.

Crop the 2nd and 3rd dim of input data, with the corresponding size of h_w or
with width and height of the second input symbol, i.e., with one input, we need h_w to
specify the crop height and width, otherwise the second input symbol's size will be used
"""

register("UpSampling", num_args_key="num_args", inputs=_up_inputs, fields=_UP_FIELDS,
         infer_shape=_up_shape, infer_type=_uniform_type(_up_inputs), forward=_up_forward,
         gradient=_up_gradient, attr_hook=_up_attr_hook, doc=_UP_DOC)

register("_backward_UpSampling", num_args_key="num_args", inputs=_up_backward_inputs,
         fields=_UP_BACKWARD_FIELDS,
         outputs=lambda p: 2 if p.sample_type == "bilinear" else p.num_args - 1,
         infer_shape=_up_backward_shape, infer_type=_up_backward_type, forward=_up_backward,
         doc="Gradient of UpSampling: (ograd, inputs...) -> one gradient per input.")

register("Pad", aliases=("pad",), fluent=["pad"], fields=_PAD_FIELDS, infer_shape=_pad_shape,
         forward=_pad_forward, gradient=_pad_gradient, doc=_PAD_DOC)

register("_backward_Pad", inputs=["ograd"], fields=_PAD_FIELDS,
         infer_shape=_pad_backward_shape, forward=_pad_backward,
         gradient=_pad_backward_gradient,
         doc="Gradient of Pad: the head gradient with the padding summed back onto the "
             "positions it copies (constant padding is dropped).")

register("Crop", num_args_key="num_args", inputs=_crop_inputs, fields=_CROP_FIELDS,
         infer_shape=_crop_shape, infer_type=_crop_type, forward=_crop_forward,
         gradient=_crop_gradient, doc=_CROP_DOC)

register("_backward_Crop", inputs=["ograd", "data"], fields=_CROP_COMMON,
         infer_shape=lambda p, ins, outs: (ins, [ins[1]]),
         infer_type=lambda p, ins, outs: (ins, [ins[1] if ins[1] is not None else ins[0]]),
         forward=_crop_backward, gradient=_crop_backward_gradient,
         doc="Gradient of Crop: the head gradient placed in the crop window, zero elsewhere.")
