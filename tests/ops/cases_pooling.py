"""Cases for symnet/ops/defs/pooling.py (Pooling, _backward_Pooling).

The reference is a naive loop over every output element and every kernel offset, written from
MXNet's documented (and oracle-checked) semantics: padding is the dtype's lowest value for max
and 0 otherwise, avg divides by the window positions inside the padded input
(``count_include_pad``, default) or inside the data, a ``'full'`` window's overhang past the
padded edge is never counted, Lp is ``sum(x**p) ** (1/p)`` with a signed cube root.
Max inputs are distinct values (no ties, so central differences are exact); Lp inputs are
positive (no window sums near 0).
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from .harness import OpCase

_LAST = ("NWC", "NHWC", "NDHWC")


def _window_params(spatial, kernel, stride, pad, global_pool, convention):
    nd = len(spatial)
    if global_pool:
        return tuple(spatial), (1,) * nd, (0,) * nd, (1,) * nd
    stride = tuple(stride[:nd]) if stride else (1,) * nd
    pad = tuple(pad[:nd]) if pad else (0,) * nd
    out = []
    for x, k, s, p in zip(spatial, kernel, stride, pad):
        if convention == "valid":
            out.append((x + 2 * p - k) // s + 1)
        elif convention == "full":
            out.append(math.ceil((x + 2 * p - k) / s) + 1)
        else:
            out.append(math.ceil((x + 2 * p) / s))
    return tuple(kernel), stride, pad, tuple(out)


def _windows(spatial, kernel, stride, pad, out):
    """For each output position: [(data position or None, inside padded input)] per offset."""
    for opos in itertools.product(*(range(o) for o in out)):
        cells = []
        for off in itertools.product(*(range(k) for k in kernel)):
            padded = [o * s + j for o, s, j in zip(opos, stride, off)]
            inside = all(0 <= q < x + 2 * p for q, x, p in zip(padded, spatial, pad))
            pos = tuple(q - p for q, p in zip(padded, pad))
            in_data = inside and all(0 <= v < x for v, x in zip(pos, spatial))
            cells.append((pos if in_data else None, inside))
        yield opos, cells


def _setup(data, kernel, stride, pad, global_pool, convention, layout):
    x = data.astype(np.float64)
    if layout in _LAST:
        x = np.moveaxis(x, -1, 1)
    geom = _window_params(x.shape[2:], kernel, stride, pad, global_pool, convention)
    return x, geom


def _pool_value(vals, counted, pool_type, p_value, lowest, padded_any):
    if pool_type == "max":
        best = max(vals) if vals else lowest
        return max(best, lowest) if padded_any else best
    if pool_type == "avg":
        return sum(vals) / max(counted, 1)
    if pool_type == "sum":
        return sum(vals)
    total = sum(v ** p_value for v in vals)
    if p_value == 3:
        return math.copysign(abs(total) ** (1 / 3), total)
    return total ** (1 / p_value)


def pool_ref(data, kernel=(), pool_type="max", global_pool=False, cudnn_off=False,
             pooling_convention="valid", stride=(), pad=(), p_value=None,
             count_include_pad=None, layout=None):
    """Naive Pooling: one Python loop iteration per (sample, channel, output, offset)."""
    x, (kernel, stride, pad, out) = _setup(data, kernel, stride, pad, global_pool,
                                           pooling_convention, layout)
    include = True if count_include_pad is None else count_include_pad
    lowest = float(np.finfo(data.dtype).min)
    result = np.zeros(x.shape[:2] + out)
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
        for opos, cells in _windows(x.shape[2:], kernel, stride, pad, out):
            vals = [x[(n, c) + pos] for pos, _ in cells if pos is not None]
            counted = sum(1 for pos, inside in cells if (inside if include else pos is not None))
            padded_any = any(pos is None for pos, _ in cells)
            result[(n, c) + opos] = _pool_value(vals, counted, pool_type, p_value, lowest,
                                                padded_any)
    if layout in _LAST:
        result = np.moveaxis(result, 1, -1)
    return result.astype(data.dtype)


def _grad_cells(x, n, c, cells, pool_type, p_value, y, include):
    """(data position, d output / d element) for one window."""
    if pool_type == "max":
        lowest = float(np.finfo(np.float64).min)
        vals = [(x[(n, c) + pos] if pos is not None else -math.inf) for pos, _ in cells]
        first = int(np.argmax(vals))
        pos = cells[first][0]
        return [(pos, 1.0)] if pos is not None and vals[first] > lowest else []
    positions = [pos for pos, _ in cells if pos is not None]
    if pool_type == "avg":
        counted = sum(1 for pos, inside in cells if (inside if include else pos is not None))
        return [(pos, 1.0 / max(counted, 1)) for pos in positions]
    if pool_type == "sum" or p_value == 1:
        return [(pos, 1.0) for pos in positions]
    return [(pos, 0.0 if y == 0 else (x[(n, c) + pos] / y) ** (p_value - 1))
            for pos in positions]


def pool_backward_ref(ograd, data, output, workspace=None, kernel=(), pool_type="max",
                      global_pool=False, cudnn_off=False, pooling_convention="valid",
                      stride=(), pad=(), p_value=None, count_include_pad=None, layout=None):
    """Naive gradient of Pooling: each window's head gradient times d output / d element."""
    x, (kernel, stride, pad, out) = _setup(data, kernel, stride, pad, global_pool,
                                           pooling_convention, layout)
    og = ograd.astype(np.float64)
    y = output.astype(np.float64)
    if layout in _LAST:
        og, y = np.moveaxis(og, -1, 1), np.moveaxis(y, -1, 1)
    include = True if count_include_pad is None else count_include_pad
    grad = np.zeros(x.shape)
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
        for opos, cells in _windows(x.shape[2:], kernel, stride, pad, out):
            here = (n, c) + opos
            for pos, d in _grad_cells(x, n, c, cells, pool_type, p_value, y[here], include):
                grad[(n, c) + pos] += og[here] * d
    if layout in _LAST:
        grad = np.moveaxis(grad, 1, -1)
    return grad.astype(data.dtype)


def distinct(shape, low=-1.0, high=1.0):
    """Inputs factory: distinct, well-separated values in [low, high] (no max ties)."""
    def make(rng, dtype):
        size = int(np.prod(shape))
        values = low + (high - low) * (rng.permutation(size) + 0.5) / size
        return [values.reshape(shape).astype(dtype)]
    return make


def _case(shape, attrs, ident, low=-1.0, high=1.0, **extra):
    return OpCase("Pooling", distinct(shape, low, high), attrs, pool_ref, id=ident, **extra)


def _lp(shape, attrs, ident):
    return _case(shape, attrs, ident, low=0.5, high=1.5)


CASES = [
    # 2-D, the four pool types, strides, padding, conventions
    _case((2, 3, 6, 6), {"kernel": (2, 2), "stride": (2, 2)}, "max2d"),
    _case((1, 2, 5, 5), {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1)}, "max2d_pad",
          dtypes=("float16", "float32", "float64")),
    _case((1, 2, 4, 4), {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1),
                         "pooling_convention": "full"}, "max2d_full"),
    _case((1, 2, 5, 4), {"kernel": (2, 3), "stride": (2, 1)}, "max2d_rect"),
    _case((1, 2, 5, 5), {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1),
                         "pool_type": "avg"}, "avg2d_pad"),
    _case((1, 2, 5, 5), {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1),
                         "pool_type": "avg", "count_include_pad": False}, "avg2d_nopadcount"),
    _case((1, 2, 4, 4), {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1),
                         "pool_type": "avg", "pooling_convention": "full"}, "avg2d_full"),
    _case((1, 2, 4, 4), {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1),
                         "pool_type": "avg", "pooling_convention": "full",
                         "count_include_pad": False}, "avg2d_full_nopadcount"),
    _case((2, 2, 4, 4), {"kernel": (2, 2), "pool_type": "avg"}, "avg2d_overlap",
          dtypes=("float16", "float32", "float64")),
    _case((1, 2, 5, 5), {"kernel": (2, 2), "stride": (2, 2), "pad": (1, 1),
                         "pool_type": "sum"}, "sum2d_pad"),
    _case((1, 2, 5, 5), {"kernel": (3, 2), "stride": (3, 2), "pool_type": "sum",
                         "pooling_convention": "full"}, "sum2d_full"),
    _lp((1, 2, 4, 4), {"kernel": (2, 2), "pool_type": "lp", "p_value": 1}, "lp1"),
    _lp((1, 2, 4, 4), {"kernel": (2, 2), "pool_type": "lp", "p_value": 2, "pad": (1, 1)},
        "lp2_pad"),
    _lp((1, 2, 5, 5), {"kernel": (3, 3), "stride": (2, 2), "pool_type": "lp", "p_value": 3},
        "lp3"),
    _case((1, 2, 4, 4), {"kernel": (2, 2), "stride": (2, 2), "pad": (-1, 0),
                         "pool_type": "sum"}, "sum2d_negpad"),
    # global pooling (kernel omitted or ignored)
    _case((2, 3, 3, 4), {"global_pool": True}, "global_max"),
    _case((2, 3, 3, 4), {"global_pool": True, "kernel": (2, 2)}, "global_max_ws"),
    _case((2, 3, 3, 4), {"global_pool": True, "pool_type": "avg"}, "global_avg"),
    _case((2, 3, 5), {"global_pool": True, "pool_type": "sum"}, "global_sum1d"),
    _lp((2, 2, 3, 3), {"global_pool": True, "pool_type": "lp", "p_value": 2}, "global_lp2"),
    _lp((1, 2, 2, 2, 3), {"global_pool": True, "pool_type": "lp", "p_value": 3},
        "global_lp3_3d"),
    # 1-D and 3-D
    _case((2, 2, 7), {"kernel": (3,), "stride": (2,)}, "max1d"),
    _case((2, 2, 7), {"kernel": (3,), "stride": (2,), "pad": (1,), "pool_type": "avg",
                      "count_include_pad": False}, "avg1d"),
    _case((1, 2, 7), {"kernel": (3,), "stride": (2,), "pad": (0, 0, 0),
                      "pooling_convention": "same"}, "max1d_same"),
    _case((1, 2, 7), {"kernel": (3,), "stride": (2,), "pad": (0, 0, 0), "pool_type": "avg",
                      "pooling_convention": "same"}, "avg1d_same"),
    _case((1, 2, 4, 4, 3), {"kernel": (2, 2, 2), "stride": (2, 2, 1)}, "max3d"),
    _case((1, 2, 3, 4, 4), {"kernel": (2, 3, 3), "stride": (1, 2, 2), "pad": (0, 1, 1),
                            "pool_type": "avg"}, "avg3d"),
    _case((1, 1, 3, 3, 3), {"kernel": (2, 2, 2), "pool_type": "sum",
                            "pooling_convention": "full", "stride": (2, 2, 2)}, "sum3d_full"),
    # channel-last layouts (no workspace)
    _case((2, 5, 4, 3), {"kernel": (2, 2), "stride": (2, 1), "layout": "NHWC"}, "max_nhwc"),
    _case((2, 5, 3), {"kernel": (2,), "pad": (1,), "pool_type": "avg", "layout": "NWC"},
          "avg_nwc"),
    _case((1, 3, 4, 4, 2), {"kernel": (2, 2, 2), "stride": (1, 2, 2), "pool_type": "sum",
                            "layout": "NDHWC"}, "sum_ndhwc"),
    _case((2, 3, 4, 2), {"global_pool": True, "layout": "NHWC", "pool_type": "avg"},
          "global_nhwc"),
]


# ---- _backward_Pooling: (ograd, data, output[, workspace]) ----------------------------------
def _first_offsets(data, attrs):
    """The workspace MXNet's forward leaves: row-major offset of each window's first max."""
    x, (kernel, stride, pad, out) = _setup(data, attrs.get("kernel", ()), attrs.get("stride", ()),
                                           attrs.get("pad", ()), attrs.get("global_pool", False),
                                           attrs.get("pooling_convention", "valid"), None)
    ws = np.zeros(x.shape[:2] + out, dtype=np.int32)
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
        for opos, cells in _windows(x.shape[2:], kernel, stride, pad, out):
            vals = [x[(n, c) + pos] if pos is not None else -math.inf for pos, _ in cells]
            ws[(n, c) + opos] = int(np.argmax(vals))
    return ws


def _backward_inputs(shape, attrs, workspace=None, low=-1.0, high=1.0):
    """``workspace``: None (no such input), 'valid' (the forward's offsets) or 'unset' (-1)."""
    def make(rng, dtype):
        data = distinct(shape, low, high)(rng, dtype)[0]
        out = pool_ref(data, **attrs)
        ins = [rng.uniform(-1, 1, out.shape).astype(dtype), data, out]
        if workspace == "valid":
            ins.append(_first_offsets(data, attrs))
        elif workspace == "unset":
            ins.append(np.full(out.shape, -1, dtype=np.int32))
        return ins
    return make


def _backward_case(shape, attrs, ident, workspace=None, **kw):
    return OpCase("_backward_Pooling", _backward_inputs(shape, attrs, workspace, **kw), attrs,
                  pool_backward_ref, id=ident, grad=False)


_MAX_PAD = {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1)}
CASES += [
    _backward_case((2, 2, 5, 5), _MAX_PAD, "max_ws", "valid"),
    _backward_case((2, 2, 5, 5), _MAX_PAD, "max_recompute", "unset"),
    _backward_case((1, 2, 4, 4), {"kernel": (2, 2), "stride": (2, 2)}, "max_disjoint", "valid"),
    _backward_case((2, 3, 3, 3), {"global_pool": True}, "global_max"),
    _backward_case((1, 2, 4, 4), {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1),
                                  "pool_type": "avg", "pooling_convention": "full"}, "avg_full"),
    _backward_case((1, 2, 5, 4), {"kernel": (2, 2), "pool_type": "sum"}, "sum"),
    _backward_case((1, 2, 4, 4), {"kernel": (2, 2), "pool_type": "lp", "p_value": 3},
                   "lp3", low=0.5, high=1.5),
    _backward_case((2, 4, 3), {"kernel": (2,), "pool_type": "max", "layout": "NWC"}, "max_nwc"),
]
