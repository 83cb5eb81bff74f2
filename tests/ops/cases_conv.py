"""Cases for symnet/ops/defs/conv.py: Convolution, Deconvolution and their backward ops.

The references are naive loops over every output (or input) position and kernel offset,
written from the definitions (cross-correlation; its transpose), independent of im2col.
"""
from __future__ import annotations

import numpy as np

from .harness import OpCase


def geometry(attrs: dict, nd: int) -> tuple:
    """(kernel, stride, dilate, pad, adj, groups) with MXNet's defaults filled in."""
    kernel = tuple(attrs["kernel"])
    fill = lambda key, v: tuple(attrs.get(key) or (v,) * nd)  # noqa: E731
    return (kernel, fill("stride", 1), fill("dilate", 1), fill("pad", 0), fill("adj", 0),
            attrs.get("num_group", 1))


def _channel_first(arrays: list, attrs: dict) -> list:
    if attrs.get("layout") in ("NHWC", "NDHWC"):
        return [np.moveaxis(a, -1, 1) if a.ndim > 1 else a for a in arrays]
    return arrays


def _channel_back(array: np.ndarray, attrs: dict) -> np.ndarray:
    return np.moveaxis(array, 1, -1) if attrs.get("layout") in ("NHWC", "NDHWC") else array


def _taps(kernel, stride, dilate, pad, out_pos):
    """Input positions read by one output position, one per kernel offset."""
    for k in np.ndindex(*kernel):
        yield k, tuple(o * s + i * d - p for o, s, i, d, p in zip(out_pos, stride, k, dilate,
                                                                   pad))


def naive_conv(x, w, b, attrs: dict) -> np.ndarray:
    """out[n, f, o] = b[f] + sum_{c in group, k} x[n, c, o*s + k*d - p] * w[f, c, k]."""
    kernel, stride, dilate, pad, _, groups = geometry(attrs, x.ndim - 2)
    (n_batch, channels), space = x.shape[:2], x.shape[2:]
    filters, cg = w.shape[0], channels // groups
    out_space = tuple((s + 2 * p - d * (k - 1) - 1) // st + 1
                      for s, p, d, k, st in zip(space, pad, dilate, kernel, stride))
    out = np.zeros((n_batch, filters) + out_space)
    for n in range(n_batch):
        for f in range(filters):
            first = (f // (filters // groups)) * cg
            for o in np.ndindex(*out_space):
                acc = 0.0 if b is None else float(b[f])
                for k, pos in _taps(kernel, stride, dilate, pad, o):
                    if all(0 <= q < s for q, s in zip(pos, space)):
                        for c in range(cg):
                            acc += float(x[(n, first + c) + pos]) * float(w[(f, c) + k])
                out[(n, f) + o] = acc
    return out


def naive_conv_grads(og, x, w, attrs: dict) -> tuple:
    """Data, weight and bias gradients of naive_conv by the chain rule, position by position."""
    kernel, stride, dilate, pad, _, groups = geometry(attrs, x.ndim - 2)
    channels, space = x.shape[1], x.shape[2:]
    filters, cg = w.shape[0], channels // groups
    dx, dw = np.zeros(x.shape), np.zeros(w.shape)
    for n in range(og.shape[0]):
        for f in range(filters):
            first = (f // (filters // groups)) * cg
            for o in np.ndindex(*og.shape[2:]):
                g = float(og[(n, f) + o])
                for k, pos in _taps(kernel, stride, dilate, pad, o):
                    if all(0 <= q < s for q, s in zip(pos, space)):
                        for c in range(cg):
                            dx[(n, first + c) + pos] += g * float(w[(f, c) + k])
                            dw[(f, c) + k] += g * float(x[(n, first + c) + pos])
    return dx, dw, og.sum(axis=(0,) + tuple(range(2, og.ndim)))


def deconv_pad_adj(attrs: dict, space: tuple) -> tuple:
    """Deconvolution's pad/adj; with target_shape: crop the excess half per side (MXNet)."""
    kernel, stride, dilate, pad, adj, _ = geometry(attrs, len(space))
    target = tuple(attrs.get("target_shape") or ())
    if not any(target):
        return pad, adj
    full = [s * (x - 1) + d * (k - 1) + 1 for s, x, d, k in zip(stride, space, dilate, kernel)]
    excess = [f - t for f, t in zip(full, target)]
    return tuple((e + 1) // 2 for e in excess), tuple(e % 2 for e in excess)


def naive_deconv(x, w, b, attrs: dict) -> np.ndarray:
    """Scatter every input element through the kernel: full[n, f, i*s + k*d] += x * w, then
    crop ``pad`` at the start and keep the output extent ``full - 2 pad + adj``."""
    kernel, stride, dilate, _, _, groups = geometry(attrs, x.ndim - 2)
    pad, adj = deconv_pad_adj(attrs, x.shape[2:])
    (n_batch, channels), space = x.shape[:2], x.shape[2:]
    fg = w.shape[1]
    full = tuple(s * (i - 1) + d * (k - 1) + 1 for s, i, d, k in zip(stride, space, dilate,
                                                                     kernel))
    out_space = tuple(f - 2 * p + a for f, p, a in zip(full, pad, adj))
    big = np.zeros((n_batch, fg * groups) + tuple(f + a for f, a in zip(full, adj)))
    for n in range(n_batch):
        for c in range(channels):
            first = (c // (channels // groups)) * fg
            for i in np.ndindex(*space):
                v = float(x[(n, c) + i])
                for k in np.ndindex(*kernel):
                    pos = tuple(q * s + kk * d for q, s, kk, d in zip(i, stride, k, dilate))
                    for f in range(fg):
                        big[(n, first + f) + pos] += v * float(w[(c, f) + k])
    window = tuple(slice(p, p + o) for p, o in zip(pad, out_space))
    out = big[(slice(None), slice(None)) + window]
    if b is not None:
        out = out + np.asarray(b, np.float64).reshape((-1,) + (1,) * len(space))
    return out


def naive_deconv_grads(og, x, w, attrs: dict) -> tuple:
    """Gradients of naive_deconv: each input element's contributions read back."""
    kernel, stride, dilate, _, _, groups = geometry(attrs, x.ndim - 2)
    pad, _ = deconv_pad_adj(attrs, x.shape[2:])
    channels, space, fg = x.shape[1], x.shape[2:], w.shape[1]
    dx, dw = np.zeros(x.shape), np.zeros(w.shape)
    for n in range(x.shape[0]):
        for c in range(channels):
            first = (c // (channels // groups)) * fg
            for i in np.ndindex(*space):
                for k in np.ndindex(*kernel):
                    pos = tuple(q * s + kk * d - p for q, s, kk, d, p in
                                zip(i, stride, k, dilate, pad))
                    if not all(0 <= q < e for q, e in zip(pos, og.shape[2:])):
                        continue
                    for f in range(fg):
                        g = float(og[(n, first + f) + pos])
                        dx[(n, c) + i] += g * float(w[(c, f) + k])
                        dw[(c, f) + k] += g * float(x[(n, c) + i])
    return dx, dw, og.sum(axis=(0,) + tuple(range(2, og.ndim)))


# ---- OpCase plumbing --------------------------------------------------------------------------
def _forward_ref(naive):
    def ref(data, weight, bias=None, **attrs):
        x, w, b = _channel_first([data, weight] + ([bias] if bias is not None else []),
                                 attrs) + [None] * (bias is None)
        return _channel_back(naive(x, w, b, attrs), attrs).astype(data.dtype)
    return ref


def _backward_ref(naive_grads, no_bias_default: bool):
    def ref(og, data, weight, **attrs):
        dx, dw, db = naive_grads(*_channel_first([og, data, weight], attrs), attrs)
        grads = [_channel_back(dx, attrs), _channel_back(dw, attrs)]
        grads += [] if attrs.get("no_bias", no_bias_default) else [db]
        return [g.astype(data.dtype) for g in grads]
    return ref


def _arrays(*shapes):
    def make(rng, dtype):
        return [rng.uniform(-1, 1, s).astype(dtype) for s in shapes]
    return make


def _conv_case(data, weight, attrs, id, dtypes=("float32", "float64"), **kw):
    shapes = [data, weight] + ([] if attrs.get("no_bias") else [(attrs["num_filter"],)])
    return OpCase("Convolution", _arrays(*shapes), attrs, _forward_ref(naive_conv), id=id,
                  dtypes=dtypes, **kw)


def _deconv_case(data, weight, attrs, id, dtypes=("float32", "float64"), **kw):
    bias = attrs.get("no_bias") is False
    shapes = [data, weight] + ([(attrs["num_filter"],)] if bias else [])
    return OpCase("Deconvolution", _arrays(*shapes), attrs, _forward_ref(naive_deconv), id=id,
                  dtypes=dtypes, **kw)


CONV = [
    _conv_case((2, 3, 5, 5), (4, 3, 3, 3), {"kernel": (3, 3), "num_filter": 4}, "2d",
               dtypes=("float16", "float32", "float64")),
    _conv_case((2, 3, 7), (2, 3, 3), {"kernel": (3,), "num_filter": 2, "stride": (2,),
                                      "pad": (1,)}, "1d"),
    _conv_case((2, 2, 4, 3, 4), (3, 2, 2, 2, 2),
               {"kernel": (2, 2, 2), "num_filter": 3, "pad": (1, 0, 1), "stride": (1, 1, 2)},
               "3d"),
    _conv_case((2, 2, 7, 6), (3, 2, 3, 2), {"kernel": (3, 2), "num_filter": 3,
                                            "stride": (2, 1), "dilate": (1, 2),
                                            "pad": (1, 1)}, "stride_dilate_pad"),
    _conv_case((2, 4, 5, 4), (6, 2, 3, 3), {"kernel": (3, 3), "num_filter": 6,
                                            "num_group": 2, "pad": (1, 0)}, "groups"),
    _conv_case((2, 3, 5, 5), (6, 1, 3, 3), {"kernel": (3, 3), "num_filter": 6,
                                            "num_group": 3, "pad": (1, 1)}, "depthwise"),
    _conv_case((2, 3, 4, 4), (2, 3, 2, 2), {"kernel": (2, 2), "num_filter": 2,
                                            "no_bias": True, "stride": (2, 2)}, "no_bias"),
    _conv_case((2, 5, 4, 3), (2, 3, 2, 3), {"kernel": (3, 2), "num_filter": 2,
                                            "layout": "NHWC", "pad": (1, 0)}, "nhwc"),
    _conv_case((3, 2, 5, 5), (2, 2, 3, 3), {"kernel": (3, 3), "num_filter": 2,
                                            "workspace": 0}, "one_sample_chunks"),
    _conv_case((2, 1, 17, 16), (2, 1, 2, 1), {"kernel": (2, 1), "num_filter": 2},
               "batch_first", grad=False),
    # 16 channels x 3 kernel rows, 17 output columns: the row-shifted product
    _conv_case((2, 16, 3, 17), (3, 16, 3, 3), {"kernel": (3, 3), "num_filter": 3,
                                               "pad": (1, 1)}, "row_shifts"),
    _conv_case((2, 8, 5, 20), (2, 8, 6, 2), {"kernel": (6, 2), "num_filter": 2,
                                             "dilate": (1, 2), "pad": (2, 1), "no_bias": True},
               "row_shifts_dilated", grad=False),
]

DECONV = [
    _deconv_case((2, 3, 4, 4), (3, 2, 3, 3), {"kernel": (3, 3), "num_filter": 2}, "2d",
                 dtypes=("float16", "float32", "float64")),
    _deconv_case((2, 2, 3, 3), (2, 3, 3, 3), {"kernel": (3, 3), "num_filter": 3,
                                              "stride": (2, 2), "pad": (1, 1), "adj": (1, 0),
                                              "no_bias": False}, "adj_bias"),
    _deconv_case((2, 2, 3, 3), (2, 2, 4, 4), {"kernel": (4, 4), "num_filter": 2,
                                              "stride": (2, 2), "target_shape": (6, 7)},
                 "target_shape"),
    _deconv_case((2, 4, 3, 2), (4, 3, 2, 3), {"kernel": (2, 3), "num_filter": 6,
                                              "num_group": 2, "no_bias": False}, "groups"),
    _deconv_case((2, 2, 5), (2, 3, 3), {"kernel": (3,), "num_filter": 3, "stride": (2,),
                                        "dilate": (2,), "pad": (1,)}, "1d"),
    _deconv_case((1, 2, 2, 3, 2), (2, 2, 2, 2, 2), {"kernel": (2, 2, 2), "num_filter": 2,
                                                    "stride": (2, 1, 2)}, "3d"),
    _deconv_case((2, 3, 3, 2), (2, 2, 2, 2), {"kernel": (2, 2), "num_filter": 2,
                                              "layout": "NHWC", "no_bias": False}, "nhwc"),
    _deconv_case((3, 2, 3, 3), (2, 2, 3, 3), {"kernel": (3, 3), "num_filter": 2,
                                              "workspace": 0}, "one_sample_chunks"),
]


def _backward_case(op, naive_grads, og, data, weight, attrs, id):
    ref = _backward_ref(naive_grads, op == "_backward_Deconvolution")
    return OpCase(op, _arrays(og, data, weight), attrs, ref, id=id, grad=False)


BACKWARD = [
    _backward_case("_backward_Convolution", naive_conv_grads, (2, 4, 3, 3), (2, 3, 5, 5),
                   (4, 3, 3, 3), {"kernel": (3, 3), "num_filter": 4}, "2d"),
    _backward_case("_backward_Convolution", naive_conv_grads, (2, 4, 3, 2), (2, 4, 5, 5),
                   (4, 2, 3, 3), {"kernel": (3, 3), "num_filter": 4, "num_group": 2,
                                  "stride": (2, 2), "dilate": (1, 2), "pad": (1, 1),
                                  "no_bias": True}, "groups_no_bias"),
    # 16+ channels a group, stride 1, "same" pad: the data gradient is a flipped-kernel conv
    _backward_case("_backward_Convolution", naive_conv_grads, (2, 4, 4, 3), (2, 32, 4, 3),
                   (4, 16, 3, 3), {"kernel": (3, 3), "num_filter": 4, "num_group": 2,
                                  "pad": (1, 1), "no_bias": True}, "same_pad_wide_groups"),
    _backward_case("_backward_Convolution", naive_conv_grads, (2, 3, 6), (2, 16, 6),
                   (3, 16, 5), {"kernel": (5,), "num_filter": 3, "dilate": (2,),
                                "pad": (4,)}, "same_pad_dilated_1d"),
    # row-shifted data and weight gradients (16 filters and 16 channels, 16 columns), and the
    # data gradient alone (24 filters, a kernel 2 rows high dilated to 3)
    _backward_case("_backward_Convolution", naive_conv_grads, (1, 16, 3, 16), (1, 16, 3, 16),
                   (16, 16, 3, 3), {"kernel": (3, 3), "num_filter": 16, "pad": (1, 1),
                                    "no_bias": True}, "row_shifts"),
    _backward_case("_backward_Convolution", naive_conv_grads, (2, 24, 3, 16), (2, 16, 3, 16),
                   (24, 16, 2, 3), {"kernel": (2, 3), "num_filter": 24, "dilate": (2, 1),
                                    "pad": (1, 1)}, "row_shifts_data_only"),
    _backward_case("_backward_Deconvolution", naive_deconv_grads, (2, 2, 6, 6), (2, 3, 3, 3),
                   (3, 2, 3, 3), {"kernel": (3, 3), "num_filter": 2, "stride": (2, 2),
                                  "pad": (1, 1), "adj": (1, 1)}, "2d"),
    _backward_case("_backward_Deconvolution", naive_deconv_grads, (2, 4, 6), (2, 2, 3),
                   (2, 2, 2), {"kernel": (2,), "num_filter": 4, "num_group": 2,
                               "stride": (2,), "no_bias": False}, "1d_groups_bias"),
]

CASES = CONV + DECONV + BACKWARD
