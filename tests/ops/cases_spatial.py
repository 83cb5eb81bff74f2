"""Cases for symnet/ops/defs/spatial.py (UpSampling, Pad, Crop and their backward ops).

References are loops over output (or input) positions written from the oracle-checked
semantics: nearest maps output pixel (y, x) of input i to (y // fh_i, x // fw_i); bilinear is
the transposed convolution ``out[i*s - pad + ki, j*s - pad + kj] += x[i, j] * w[ki, kj]`` per
channel with ``k = 2s - s%2`` and ``pad = ceil((s-1)/2)``; Pad maps an output index to a
source index per axis (constant: none outside, edge: clamp, reflect: mirror without repeating
the edge); Crop copies a window at ``offset`` or centred (``(H-h)//2``). Every op is linear,
so random inputs are safe for central differences.
"""
from __future__ import annotations

import math

import numpy as np

from .harness import OpCase, rand

_FLOATS = ("float16", "float32", "float64")


# ---- UpSampling --------------------------------------------------------------------------------
def _nearest_ref(*xs, scale, multi_input_mode="concat", **_):
    oh, ow = xs[0].shape[2] * scale, xs[0].shape[3] * scale
    channels = sum(x.shape[1] for x in xs) if multi_input_mode == "concat" else xs[0].shape[1]
    out = np.zeros((xs[0].shape[0], channels, oh, ow), np.float64)
    c0 = 0
    for x in xs:
        fh, fw = oh // x.shape[2], ow // x.shape[3]
        for n, c, y, xx in np.ndindex(out.shape[0], x.shape[1], oh, ow):
            out[n, c0 + c, y, xx] += float(x[n, c, y // fh, xx // fw])
        c0 += x.shape[1] if multi_input_mode == "concat" else 0
    return out.astype(xs[0].dtype)


def _bilinear_geometry(scale):
    return 2 * scale - scale % 2, int(math.ceil((scale - 1) / 2))


def _bilinear_ref(x, w, scale, **_):
    k, pad = _bilinear_geometry(scale)
    n, c, h, wd = x.shape
    out = np.zeros((n, c, h * scale, wd * scale), np.float64)
    for b, ch, i, j, ki, kj in np.ndindex(n, c, h, wd, k, k):
        oy, ox = i * scale - pad + ki, j * scale - pad + kj
        if 0 <= oy < h * scale and 0 <= ox < wd * scale:
            out[b, ch, oy, ox] += float(x[b, ch, i, j]) * float(w[ch, 0, ki, kj])
    return out.astype(x.dtype)


def _bilinear_inputs(shape, scale):
    k, _ = _bilinear_geometry(scale)
    return rand(shape, (shape[1], 1, k, k))


def _up_backward_ref(og, *xs, sample_type, scale, multi_input_mode="concat", **_):
    if sample_type == "bilinear":
        return _bilinear_backward_ref(og, xs[0], xs[1], scale)
    grads, c0 = [], 0
    for x in xs:
        fh, fw = og.shape[2] // x.shape[2], og.shape[3] // x.shape[3]
        grad = np.zeros(x.shape, np.float64)
        for n, c, y, xx in np.ndindex(x.shape[0], x.shape[1], og.shape[2], og.shape[3]):
            grad[n, c, y // fh, xx // fw] += float(og[n, c0 + c, y, xx])
        grads.append(grad.astype(x.dtype))
        c0 += x.shape[1] if multi_input_mode == "concat" else 0
    return grads


def _bilinear_backward_ref(og, x, w, scale):
    k, pad = _bilinear_geometry(scale)
    dx, dw = np.zeros(x.shape), np.zeros(w.shape)
    n, c, h, wd = x.shape
    for b, ch, i, j, ki, kj in np.ndindex(n, c, h, wd, k, k):
        oy, ox = i * scale - pad + ki, j * scale - pad + kj
        if 0 <= oy < og.shape[2] and 0 <= ox < og.shape[3]:
            dx[b, ch, i, j] += float(og[b, ch, oy, ox]) * float(w[ch, 0, ki, kj])
            dw[ch, 0, ki, kj] += float(og[b, ch, oy, ox]) * float(x[b, ch, i, j])
    return [dx.astype(x.dtype), dw.astype(w.dtype)]


def _near(scale, **kw):
    return {"scale": scale, "sample_type": "nearest", **kw}


def _bil(scale, channels):
    return {"scale": scale, "sample_type": "bilinear", "num_filter": channels}


UPSAMPLING = [
    OpCase("UpSampling", rand((2, 3, 2, 3)), _near(2), _nearest_ref, dtypes=_FLOATS),
    OpCase("UpSampling", rand((1, 2, 2, 2), (1, 1, 1, 1), (1, 3, 4, 4)), _near(2),
           _nearest_ref, id="concat3"),
    OpCase("UpSampling", rand((2, 2, 2, 3), (2, 2, 1, 1)), _near(3, multi_input_mode="sum"),
           _nearest_ref, id="sum"),
    OpCase("UpSampling", rand((1, 1, 2, 2), (1, 2, 1, 2)), _near(2), _nearest_ref,
           id="uneven-factors"),
    OpCase("UpSampling", _bilinear_inputs((2, 3, 3, 4), 2), _bil(2, 3), _bilinear_ref,
           id="bilinear"),
    OpCase("UpSampling", _bilinear_inputs((1, 2, 3, 2), 3), _bil(3, 2), _bilinear_ref,
           id="bilinear-s3"),
    OpCase("UpSampling", _bilinear_inputs((1, 2, 2, 3), 1), _bil(1, 2), _bilinear_ref,
           id="bilinear-s1"),
    OpCase("UpSampling", _bilinear_inputs((1, 1, 2, 2), 4), _bil(4, 1), _bilinear_ref,
           id="bilinear-s4", dtypes=_FLOATS),
    OpCase("_backward_UpSampling", rand((2, 3, 4, 6), (2, 3, 2, 3)), _near(2),
           _up_backward_ref, grad=False, dtypes=_FLOATS),
    OpCase("_backward_UpSampling", rand((1, 5, 4, 4), (1, 2, 2, 2), (1, 3, 1, 1)), _near(2),
           _up_backward_ref, grad=False, id="concat"),
    OpCase("_backward_UpSampling", rand((1, 2, 6, 6), (1, 2, 2, 2), (1, 2, 3, 3)),
           _near(3, multi_input_mode="sum"), _up_backward_ref, grad=False, id="sum"),
    OpCase("_backward_UpSampling", rand((2, 3, 6, 8), (2, 3, 3, 4), (3, 1, 4, 4)), _bil(2, 3),
           _up_backward_ref, grad=False, id="bilinear"),
    OpCase("_backward_UpSampling", rand((1, 2, 6, 3), (1, 2, 2, 1), (2, 1, 5, 5)), _bil(3, 2),
           _up_backward_ref, grad=False, id="bilinear-s3"),
]


# ---- Pad ---------------------------------------------------------------------------------------
def _source(index, size, before, mode):
    """The input index that padded position ``index`` copies (None: the constant)."""
    t = index - before
    if 0 <= t < size:
        return t
    if mode == "constant":
        return None
    if mode == "edge":
        return 0 if t < 0 else size - 1
    return -t if t < 0 else 2 * (size - 1) - t


def _pad_out_shape(shape, width):
    return tuple(d + width[2 * i] + width[2 * i + 1] for i, d in enumerate(shape))


def _pad_ref(x, mode, pad_width, constant_value=0.0, **_):
    out = np.empty(_pad_out_shape(x.shape, pad_width), np.float64)
    for idx in np.ndindex(out.shape):
        src = [_source(i, d, pad_width[2 * a], mode) for a, (i, d) in enumerate(zip(idx,
                                                                                  x.shape))]
        out[idx] = constant_value if None in src else float(x[tuple(src)])
    return out.astype(x.dtype)


def _pad_backward_ref(og, mode, pad_width, **_):
    shape = tuple(d - pad_width[2 * i] - pad_width[2 * i + 1] for i, d in enumerate(og.shape))
    grad = np.zeros(shape, np.float64)
    for idx in np.ndindex(og.shape):
        src = [_source(i, d, pad_width[2 * a], mode) for a, (i, d) in enumerate(zip(idx, shape))]
        if None not in src:
            grad[tuple(src)] += float(og[idx])
    return grad.astype(og.dtype)


def _pad(mode, width, value=None):
    attrs = {"mode": mode, "pad_width": width}
    if value is not None:
        attrs["constant_value"] = value
    return attrs


PAD = [
    OpCase("Pad", rand((2, 2, 3, 4)), _pad("constant", (0, 0, 0, 0, 1, 2, 2, 1), -1.5),
           _pad_ref, dtypes=_FLOATS),
    OpCase("Pad", rand((2, 2, 3, 4)), _pad("edge", (0, 0, 0, 0, 2, 1, 3, 4)), _pad_ref,
           dtypes=_FLOATS, id="edge"),
    OpCase("Pad", rand((2, 2, 4, 4)), _pad("reflect", (0, 0, 0, 0, 3, 1, 2, 3)), _pad_ref,
           dtypes=_FLOATS, id="reflect"),
    OpCase("Pad", rand((1, 2, 3, 2, 3)), _pad("constant", (0, 0, 0, 0, 1, 0, 0, 2, 1, 1), 2),
           _pad_ref, id="5d-constant"),
    OpCase("Pad", rand((1, 2, 3, 2, 3)), _pad("edge", (0, 0, 0, 0, 1, 2, 2, 1, 0, 3)),
           _pad_ref, id="5d-edge"),
    OpCase("Pad", rand((1, 1, 3, 3, 4)), _pad("reflect", (0, 0, 0, 0, 2, 0, 1, 2, 3, 3)),
           _pad_ref, id="5d-reflect"),
    OpCase("Pad", rand((1, 2, 3, 4)), _pad("reflect", (0, 0, 0, 0, 0, 0, 0, 0)), _pad_ref,
           id="zero-width"),
    OpCase("_backward_Pad", rand((2, 2, 6, 7)), _pad("constant", (0, 0, 0, 0, 1, 2, 2, 1), 3),
           _pad_backward_ref),
    OpCase("_backward_Pad", rand((2, 2, 6, 11)), _pad("edge", (0, 0, 0, 0, 2, 1, 3, 4)),
           _pad_backward_ref, id="edge"),
    OpCase("_backward_Pad", rand((2, 2, 8, 9)), _pad("reflect", (0, 0, 0, 0, 3, 1, 2, 3)),
           _pad_backward_ref, id="reflect"),
    OpCase("_backward_Pad", rand((1, 1, 6, 5, 10)), _pad("reflect", (0, 0, 0, 0, 2, 1, 1, 1,
                                                                     3, 3)),
           _pad_backward_ref, id="5d-reflect"),
]


# ---- Crop --------------------------------------------------------------------------------------
def _crop_start(data_shape, size, offset=(0, 0), center_crop=False):
    if center_crop:
        return (data_shape[2] - size[0]) // 2, (data_shape[3] - size[1]) // 2
    return offset[0], offset[1]


def _crop_ref(x, *like, h_w=(0, 0), offset=(0, 0), center_crop=False, **_):
    size = like[0].shape[2:] if like else h_w
    y0, x0 = _crop_start(x.shape, size, offset, center_crop)
    out = np.empty(x.shape[:2] + tuple(size), x.dtype)
    for n, c, i, j in np.ndindex(out.shape):
        out[n, c, i, j] = x[n, c, y0 + i, x0 + j]
    return out


def _crop_backward_ref(og, x, offset=(0, 0), center_crop=False, **_):
    y0, x0 = _crop_start(x.shape, og.shape[2:], offset, center_crop)
    grad = np.zeros(x.shape, og.dtype)
    for n, c, i, j in np.ndindex(og.shape):
        grad[n, c, y0 + i, x0 + j] = og[n, c, i, j]
    return grad


CROP = [
    OpCase("Crop", rand((2, 3, 5, 6)), {"h_w": (2, 3), "offset": (1, 2)}, _crop_ref),
    OpCase("Crop", rand((2, 3, 5, 6)), {"h_w": (3, 2), "center_crop": True}, _crop_ref,
           id="center"),
    OpCase("Crop", rand((2, 1, 4, 4)), {"h_w": (4, 4)}, _crop_ref, id="whole"),
    OpCase("Crop", rand((2, 3, 5, 6), (1, 1, 3, 4)), {"offset": (2, 1)}, _crop_ref,
           grad_inputs=[0], id="like"),
    OpCase("Crop", rand((1, 2, 7, 6), (3, 3, 2, 3)), {"center_crop": True}, _crop_ref,
           grad_inputs=[0], id="like-center"),
    OpCase("_backward_Crop", rand((2, 3, 2, 3), (2, 3, 5, 6)), {"offset": (1, 3)},
           _crop_backward_ref, grad_inputs=[0]),
    OpCase("_backward_Crop", rand((1, 2, 3, 3), (1, 2, 6, 4)), {"center_crop": True},
           _crop_backward_ref, grad_inputs=[0], id="center"),
]



def _with_num_args(cases):
    """Variadic ops store their input count (``num_args``) among the attributes."""
    for case in cases:
        if case.opdef().num_args_key is None:
            continue
        count = len(case.inputs(np.random.default_rng(0), np.dtype("float64")))
        case.attrs = {**case.attrs, "num_args": count}
    return cases


CASES = _with_num_args(UPSAMPLING + PAD + CROP)
