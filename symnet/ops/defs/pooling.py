"""Pooling (max, avg, sum and Lp over 1-D, 2-D and 3-D windows) and ``_backward_Pooling``.

Semantics follow MXNet 1.9.1 (checked against the oracle, an MKLDNN build):

* Max pooling pads with the dtype's lowest finite value (a window of padding only gives
  ``-3.4e38`` in float32); the gradient goes to the *first* maximum of each window in
  row-major order.
* Avg pooling divides by the number of window positions inside the padded input
  (``count_include_pad=True``, the default) or inside the data (``False``); the part of a
  ``'full'``-convention window that runs past the padded edge is never counted, and an empty
  window gives 0.
* Lp pooling is ``sum(x**p) ** (1/p)`` without ``abs`` (p=1 is a plain sum, p=3 a signed cube
  root); its gradient ``(x / y) ** (p - 1)`` is 0 where ``y == 0``.
* As in the MKLDNN build, max pooling in a channel-first layout with a kernel has two outputs,
  the visible one and a hidden ``workspace``. Here the workspace holds, per output element, the
  row-major kernel offset of the window's first maximum (int32), so the backward pass scatters
  without searching again. Inference (``is_train`` false) skips that search and marks the
  workspace with -1; the backward pass then finds the maxima from the data and the output.

Kernels loop over the *kernel offsets* only. Each offset is one vectorised NumPy operation
between the output and a strided view of the data, restricted to the windows where that offset
falls on data (a :class:`_Tile`), so nothing is padded or copied: padding simply never
contributes. Max pooling's values are separable and pool one spatial dim at a time.
The backward pass scatters the same way, straight into the gradient array (an
overwrite when windows are disjoint). Global pooling is a plain reduction. Timings on 2 CPU
cores, NumPy 2.4, float32, forward / forward in training / backward, in ms:

* LeNet pool1, (64, 20, 24, 24) max 2x2 s2:            0.45 / 1.2 / 1.15
* LeNet pool2, (64, 50, 8, 8) max 2x2 s2:              0.2 / 0.45 / 0.37
* ResNet-ish (32, 64, 32, 32) max 3x3 s2 p1:           3.7 / 10.5 / 11
* ResNet-ish (32, 64, 32, 32) avg 3x3 s2 p1:           6.7 / -   / 11
* global avg, (32, 512, 7, 7):                         0.5 / -   / 0.2
(an ``as_strided`` window view reduced with ``max(axis=(-2, -1))`` took 15 ms for the first.)

Known divergence: the oracle's float32 (MKLDNN) backward of avg pooling with
``count_include_pad=True`` divides by the whole kernel size even where its own forward pass
clipped a ``'full'`` window at the padded edge; symnet's gradient matches its forward pass (as
MXNet's float64 and float16 paths do).
"""
from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np

from ... import parallel
from ...base import MXNetError
from ..fields import Bool, Enum, Int, Shape
from ..kernel import ADD, NULL, assign
from ..registry import InferError, Params, register

__all__: list[str] = []

_CHANNEL_FIRST = ("NCW", "NCHW", "NCDHW")
_CHANNEL_LAST = ("NWC", "NHWC", "NDHWC")
_DIMS_TEXT = ("Pooling: Input data should be  3D in (batch, channel, x) Or 4D in (batch, "
              "channel, y, x)  Or 5D in (batch, channel, d, y, x)")
_ND_TEXT = {1: "3D in (batch, channel, x)", 2: "4D in (batch, channel, y, x)",
            3: "5D in (batch, channel, d, y, x)"}
_ND_NAME = {1: "ncw", 2: "nchw", 3: "ncdhw"}
_LAYOUT_NAME = {1: ("NCW", "NWC"), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}


class _NonzeroShape(Shape):
    """A Shape whose entries must all be nonzero (MXNet's ``kernel`` and ``stride``)."""

    def parse(self, value):
        out = super().parse(value)
        if out and any(d == 0 for d in out):
            text = ",".join(str(d) for d in out)
            raise ValueError(f"value [{text}]for Parameter {self.name} is invalid, the input "
                             f"shape must be nonzero in all dimensions")
        return out


def _fields() -> list:
    return [
        _NonzeroShape("kernel", (), "Pooling kernel size: (y, x) or (d, y, x)"),
        Enum("pool_type", ("avg", "lp", "max", "sum"), "max", "Pooling type to be applied."),
        Bool("global_pool", False, "Ignore kernel size, do global pooling based on current "
                                   "input feature map. "),
        Bool("cudnn_off", False, "Turn off cudnn pooling and use MXNet pooling operator. "),
        Enum("pooling_convention", ("full", "same", "valid"), "valid",
             "Pooling convention to be applied."),
        _NonzeroShape("stride", (), "Stride: for pooling (y, x) or (d, y, x). Defaults to 1 "
                                    "for each dimension."),
        Shape("pad", (), "Pad for pooling: (y, x) or (d, y, x). Defaults to no padding."),
        Int("p_value", None, "Value of p for Lp pooling, can be 1 or 2, required for Lp "
                             "Pooling."),
        Bool("count_include_pad", None, "Only used for AvgPool, specify whether to count "
             "padding elements for averagecalculation. For example, with a 5*5 kernel on a "
             "3*3 corner of a image,the sum of the 9 valid elements will be divided by 25 if "
             "this is set to true,or it will be divided by 9 if this is set to false. "
             "Defaults to true."),
        Enum("layout", _CHANNEL_FIRST + _CHANNEL_LAST, None, "Set layout for input and "
             "output. Empty for\n    default layout: NCW for 1d, NCHW for 2d and NCDHW for "
             "3d.", optional=True),
    ]


def _has_workspace(p: Params) -> bool:
    """MKLDNN's max pooling (a kernel, channel-first layout) has a hidden workspace output."""
    return (p.pool_type == "max" and 1 <= len(p.kernel) <= 3
            and (p.layout is None or p.layout in _CHANNEL_FIRST))


def _num_outputs(p: Params) -> int:
    return 2 if _has_workspace(p) else 1


# ---- geometry -----------------------------------------------------------------------------------
class _Geom(NamedTuple):
    """Window geometry over the spatial dims of a channel-first array."""

    kernel: tuple
    stride: tuple
    pad: tuple
    out: tuple
    size: tuple       # the data's spatial dims


def _index_error(i: int, n: int) -> InferError:
    return InferError(f"Check failed: i >= 0 && i < ndim(): index = {i} must be in range "
                      f"[0, {n})")


def _per_dim(values: tuple, n: int, default: int) -> tuple:
    """``values`` for the first n dims (MXNet fills an empty stride/pad with the default)."""
    if not values:
        return (default,) * n
    if len(values) < n:
        raise _index_error(len(values), len(values))
    return tuple(values[:n])


def _out_size(conv: str, x, k: int, s: int, p: int):
    if x is None:
        return None
    if conv == "valid":
        return (x + 2 * p - k) // s + 1
    if conv == "full":
        return -(-(x + 2 * p - k) // s) + 1
    return -(-(x + 2 * p) // s)


def _check_fits(nd: int, i: int, k: int, x: int, padded: int, raw) -> None:
    if nd == 3:
        raise InferError(f"Check failed: param.kernel[{i}] <= dshape_ncdhw[{i + 2}] + 2 * "
                         f"param.pad[{i}] ({k} vs. {padded}) : kernel size exceeds input")
    name = _ND_NAME[nd]
    shown = raw if nd == 1 else x   # MXNet's 1-D message shows the unconverted dim
    raise InferError(f"Check failed: param.kernel[{i}] <= dshape_{name}[{i + 2}] + 2 * "
                     f"param.pad[{i}]: kernel size ({k}) exceeds input ({shown} padded to "
                     f"{padded})")


def _geometry(p: Params, cf_shape: tuple, raw_shape: tuple | None = None) -> _Geom:
    """Kernel, stride, pad and output size for channel-first ``cf_shape`` (dims may be None)."""
    spatial = tuple(cf_shape[2:])
    nd = len(spatial)
    if p.global_pool:
        return _Geom(spatial, (1,) * nd, (0,) * nd, (1,) * nd, spatial)
    kernel = tuple(p.kernel)
    stride = _per_dim(p.stride, nd, 1)
    pad = _per_dim(p.pad, nd, 0)
    if any(s < 0 for s in stride):
        raise InferError(f"Pooling: stride must be positive, got {tuple(p.stride)}")
    raw = raw_shape if raw_shape is not None else cf_shape
    for i, (k, x, q) in enumerate(zip(kernel, spatial, pad)):
        if x is not None and k > x + 2 * q:
            _check_fits(nd, i, k, x, x + 2 * q, raw[2])
    out = tuple(_out_size(p.pooling_convention, x, k, s, q)
                for x, k, s, q in zip(spatial, kernel, stride, pad))
    return _Geom(kernel, stride, pad, out, spatial)


# ---- shape and type inference -------------------------------------------------------------------
def _channel_last(p: Params) -> bool:
    return p.layout in _CHANNEL_LAST


def _to_cf(shape: tuple, last: bool) -> tuple:
    return (shape[0], shape[-1]) + tuple(shape[1:-1]) if last else tuple(shape)


def _from_cf(shape: tuple, last: bool) -> tuple:
    return (shape[0],) + tuple(shape[2:]) + (shape[1],) if last else tuple(shape)


def _check_params(p: Params) -> None:
    """What MXNet's parameter parser rejects, when the operator is created."""
    nk = len(p.kernel)
    if nk > 3:
        raise InferError(f"Unexpected input data dim {nk + 2}\nPooling: Input data should be  "
                         f"3D in (batch, channel, x),  or 4D in (batch, channel, y, x),  or "
                         f"5D in (batch, channel, d, y, x).\n")
    if nk == 0 and not p.global_pool:
        raise InferError("Check failed: param.kernel.ndim() == 3U (0 vs. 3) : 0D pooling not "
                         "supported")


def _check_same(p: Params, ndim: int) -> None:
    if ndim != 3:
        raise InferError(f"Check failed: dshape.ndim() == 3U ({ndim} vs. 3) : Pooling: Input "
                         f"data should be 3D in (batch, channel, x). Currently 'same' supports "
                         f"Max Pooling 1-D")
    pad = p.pad or (0,) * max(len(p.kernel), 1)
    for i in range(3):   # MXNet reads pad[0], pad[1] and pad[2]
        if i >= len(pad):
            raise _index_error(i, len(pad))
        if pad[i] != 0:
            raise InferError("Check failed: param.pad[0] == 0 && param.pad[1] == 0 && "
                             "param.pad[2] == 0: Same pooling convention disables the use of "
                             "pad parameter.")


def _check_data(p: Params, data: tuple) -> None:
    """MXNet's checks on the data's rank and the layout, in MXNet's order."""
    ndim = len(data)
    if p.pool_type == "lp" and p.p_value is None:
        raise InferError("Check failed: param.p_value.has_value(): ")
    if p.pooling_convention == "same":
        _check_same(p, ndim)
    if ndim < 3:
        raise InferError(f"Check failed: dshape.ndim() >= 3 ({ndim} vs. 3) : {_DIMS_TEXT}")
    if ndim > 5:
        raise InferError(f"Check failed: dshape.ndim() <= 5 ({ndim} vs. 5) : {_DIMS_TEXT}")
    if p.global_pool:
        return
    nk = len(p.kernel)
    if ndim != nk + 2:
        raise InferError(f"Check failed: dshape.ndim() == {nk + 2}U ({ndim} vs. {nk + 2}) : "
                         f"Pooling: Input data should be {_ND_TEXT[nk]}")
    if p.layout is not None and p.layout not in _LAYOUT_NAME[nk]:
        first, last = _LAYOUT_NAME[nk]
        raise InferError(f"Check failed: layout == mshadow::k{first} || layout == "
                         f"mshadow::k{last}: Need {nk}D layout")


def _pooling_shape(p: Params, ins: list, outs: list):
    """Output ``f(x, k, p, s)`` per spatial dim (valid/full/same), batch and channel kept."""
    _check_params(p)
    data = ins[0]
    if data is None:
        return ins, outs
    _check_data(p, data)
    last = _channel_last(p)
    cf = _to_cf(tuple(data), last)
    geom = _geometry(p, cf, tuple(data))
    out = _from_cf(cf[:2] + geom.out, last)
    return [tuple(data)], [out] * len(outs)


def _pooling_type(p: Params, ins: list, outs: list):
    """The data's dtype for the output; the hidden workspace is int32."""
    dtype = ins[0] if ins[0] is not None else outs[0]
    return [dtype], [dtype] + [np.dtype(np.int32)] * (len(outs) - 1)


# ---- kernel helpers -----------------------------------------------------------------------------
def _check_dtype(dtype: np.dtype) -> None:
    if dtype.kind != "f":
        comma = "" if dtype.name in ("int8", "uint8") else ","
        raise MXNetError(f"This operation only support floating point types{comma} not "
                         f"{dtype.name}")


def _check_runtime(p: Params, geom: _Geom, dtype: np.dtype) -> None:
    """Run-time errors of the oracle: Lp's p, and MKLDNN's float32 max/avg padding limits."""
    if p.pool_type == "lp" and p.p_value not in (1, 2, 3):
        raise MXNetError(f"p value of {p.p_value} is not supported yet...")
    if dtype != np.float32 or p.pool_type not in ("max", "avg") or p.global_pool:
        return
    if any(q < 0 for q in geom.pad):
        raise MXNetError("could not create a descriptor for a pooling forward propagation "
                         "primitive")
    for i, (q, k) in enumerate(zip(geom.pad, geom.kernel)):
        if q >= k:
            raise MXNetError(f"Check failed: pad_l[{i}] < kernel[{i}] ({q} vs. {k}) :")


def _cf_view(a: np.ndarray, last: bool) -> np.ndarray:
    """A channel-first view of ``a`` (no copy)."""
    return np.moveaxis(a, -1, 1) if last else a


class _Tile(NamedTuple):
    """Where one kernel offset meets the data: the outputs whose window element at this
    offset is a data element (not padding, not past the edge), and those data elements."""

    out: tuple    # slices into the (N, C, *out) output
    data: tuple   # matching strided slices into the (N, C, *size) data


def _dim_tiles(x: int, k: int, s: int, q: int, o: int) -> list:
    """Per offset i: (output slice, data slice) along one dim, or None if it never hits."""
    result = []
    for i in range(k):
        lo = max(0, -((i - q) // s))           # first o with o*s + i - q >= 0
        hi = min(o, (x - 1 + q - i) // s + 1)  # past the last o with o*s + i - q < x
        if hi <= lo:
            result.append(None)
        else:
            start = lo * s + i - q
            result.append((slice(lo, hi), slice(start, start + (hi - lo - 1) * s + 1, s)))
    return result


def _tiles(geom: _Geom) -> list:
    """One :class:`_Tile` (or None) per kernel offset, in row-major offset order."""
    per_dim = [_dim_tiles(*dims) for dims in zip(geom.size, geom.kernel, geom.stride,
                                                  geom.pad, geom.out)]
    head = (slice(None), slice(None))
    tiles = []
    for combo in itertools.product(*per_dim):
        if any(c is None for c in combo):
            tiles.append(None)
        else:
            tiles.append(_Tile(head + tuple(c[0] for c in combo),
                               head + tuple(c[1] for c in combo)))
    return tiles


def _divisor(geom: _Geom, include_pad: bool) -> np.ndarray:
    """Per-window element counts for avg pooling, broadcastable to the output."""
    total = np.ones((1, 1) + (1,) * len(geom.out))
    for d, (x, k, s, q, o) in enumerate(zip(geom.size, geom.kernel, geom.stride, geom.pad,
                                            geom.out)):
        lo, hi = (0, x + 2 * q) if include_pad else (max(q, 0), min(q + x, x + 2 * q))
        start = np.arange(o) * s
        count = np.clip(start + k, lo, hi) - np.clip(start, lo, hi)
        shape = [1] * total.ndim
        shape[d + 2] = o
        total = total * count.reshape(shape)
    return np.maximum(total, 1)   # an empty window gives 0 / 1 = 0, as MXNet


def _acc_dtype(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _include_pad(p: Params) -> bool:
    return True if p.count_include_pad is None else p.count_include_pad


# ---- forward ------------------------------------------------------------------------------------
def _first_argmax(x: np.ndarray, tiles: list, best: np.ndarray) -> np.ndarray:
    """Row-major offset of each window's first maximum (``best`` holds the maxima).

    Offsets are visited backwards so the first maximum is written last; a window of padding
    only keeps offset 0, which lies in the padding and so receives no gradient. The integer
    updates run on whole contiguous arrays (fast); only the comparison reads a strided view.
    """
    k = len(tiles)
    small = np.int8 if k < 128 else (np.int16 if k < 32768 else np.int32)
    arg = np.zeros(best.shape, dtype=small)
    differ = np.empty(best.shape, dtype=bool)
    for j in range(k - 1, -1, -1):
        tile = tiles[j]
        if tile is None:
            continue
        if _covers(tile, best.shape):
            np.not_equal(x[tile.data], best, out=differ)
        else:
            differ[...] = True
            np.not_equal(x[tile.data], best[tile.out], out=differ[tile.out])
        arg -= j
        arg *= differ                  # arg = j where the element equals the maximum
        arg += j
    return arg


def _covers(tile: _Tile, shape: tuple) -> bool:
    """Whether the tile reaches every output position."""
    return all(sl.start == 0 and sl.stop == n for sl, n in zip(tile.out[2:], shape[2:]))


def _max_forward(x, geom: _Geom, tiles, acc, want_arg: bool):
    """Padding counts as the dtype's lowest value (MXNet's initial maximum).

    The maximum over a box is separable: pool one spatial dim at a time (k + k + ... strided
    maximums over shrinking arrays instead of k * k * ... over the output)."""
    lowest = np.finfo(x.dtype).min
    src = x
    last = len(geom.out) - 1
    for d, dims in enumerate(zip(geom.size, geom.kernel, geom.stride, geom.pad, geom.out)):
        shape = src.shape[:2 + d] + (dims[4],) + src.shape[3 + d:]
        dst = acc if d == last else np.empty(shape, dtype=acc.dtype)
        _max_along(src, dst, 2 + d, _dim_tiles(*dims), lowest)
        src = dst
    return _first_argmax(x, tiles, acc) if want_arg else None


def _max_along(src: np.ndarray, dst: np.ndarray, axis: int, dim_tiles: list, lowest) -> None:
    """``dst`` = 1-D window maxima of ``src`` along ``axis`` (``_dim_tiles`` for that axis).

    Offsets that reach every output (all but a few near padding) start ``dst`` without a
    separate fill: the first two make it in one pass."""
    head = (slice(None),) * axis
    hits = [(head + (o,), head + (d,)) for o, d in (t for t in dim_tiles if t is not None)]
    full = head + (slice(0, dst.shape[axis]),)
    start = 0
    while start < min(2, len(hits)) and hits[start][0] == full:
        start += 1
    if start == 2:
        np.maximum(src[hits[0][1]], src[hits[1][1]], out=dst, casting="unsafe")
    elif start == 1:
        np.copyto(dst, src[hits[0][1]], casting="unsafe")
    else:
        dst[...] = lowest
    for out_sl, data_sl in hits[start:]:
        view = dst[out_sl]
        np.maximum(view, src[data_sl], out=view, casting="unsafe")


def _sum_forward(x, tiles, acc, power: int = 1) -> None:
    """``acc`` = sum over each window of ``x ** power`` (padding adds nothing)."""
    acc[...] = 0
    tmp = np.empty(acc.shape, dtype=acc.dtype) if power > 1 else None
    for tile in tiles:
        if tile is None:
            continue
        view, data = acc[tile.out], x[tile.data]
        if power > 1:
            term = tmp[tile.out]
            np.multiply(data, data, out=term, casting="unsafe")
            if power == 3:
                np.multiply(term, data, out=term, casting="unsafe")
            data = term
        np.add(view, data, out=view, casting="unsafe")


def _root(p: Params, acc: np.ndarray) -> None:
    """Lp pooling's root, in place (p=3: the signed cube root)."""
    if p.pool_type == "lp" and p.p_value == 2:
        np.sqrt(acc, out=acc)
    elif p.pool_type == "lp" and p.p_value == 3:
        np.cbrt(acc, out=acc)


def _global_forward(p: Params, x: np.ndarray, want_arg: bool):
    """(pooled values with spatial dims of size 1, argmax or None) by plain reductions."""
    flat = x.reshape(x.shape[:2] + (-1,))
    keep = x.shape[:2] + (1,) * (x.ndim - 2)
    if p.pool_type == "max":
        if not want_arg:
            return flat.max(axis=-1).reshape(keep), None
        arg = flat.argmax(axis=-1)
        value = np.take_along_axis(flat, arg[..., None], axis=-1)
        return value.reshape(keep), arg.reshape(keep)
    acc = _acc_dtype(x.dtype)
    if p.pool_type == "lp" and p.p_value > 1:
        flat = flat.astype(acc) ** p.p_value
    value = flat.sum(axis=-1, dtype=acc).reshape(keep)
    if p.pool_type == "avg":
        value /= flat.shape[-1]
    _root(p, value)
    return value, None


def _pooling_forward(p: Params, ctx, ins, req, outs) -> None:
    data = ins[0]
    _check_dtype(data.dtype)
    last = _channel_last(p)
    x = _cf_view(data, last)
    geom = _geometry(p, x.shape)
    _check_runtime(p, geom, data.dtype)
    has_ws = len(outs) > 1 and req[1] != NULL
    want_arg = has_ws and ctx is not None and ctx.is_train
    out = _cf_view(outs[0], last)

    def samples(lo: int, hi: int) -> None:  # slices of the batch go to threads
        arg = None
        if req[0] != NULL or want_arg:
            arg = _forward_values(p, geom, x[lo:hi], out[lo:hi], req[0], want_arg)
        if has_ws:
            assign(outs[1][lo:hi], req[1], arg if arg is not None else -1)

    parallel.split_held(x.shape[0], samples, x.size * parallel.PER_ELEMENT)


def _forward_values(p: Params, geom: _Geom, x: np.ndarray, out: np.ndarray, req: str,
                    want_arg: bool):
    """Pool ``x`` into ``out`` per ``req``; return the argmax offsets when asked for."""
    if p.global_pool:
        value, arg = _global_forward(p, x, want_arg)
        assign(out, req, value)
        return arg
    direct = req not in (ADD, NULL) and _acc_dtype(x.dtype) == x.dtype
    acc = out if direct else np.empty(out.shape, dtype=_acc_dtype(x.dtype))
    tiles = _tiles(geom)
    arg = None
    if p.pool_type == "max":
        arg = _max_forward(x, geom, tiles, acc, want_arg)
    else:
        _sum_forward(x, tiles, acc, p.p_value if p.pool_type == "lp" else 1)
        if p.pool_type == "avg":
            acc /= _divisor(geom, _include_pad(p))
        _root(p, acc)
    if not direct:
        assign(out, req, acc)
    return arg


# ---- backward -----------------------------------------------------------------------------------
def _lp_ratio(og: np.ndarray, y: np.ndarray, power: int) -> np.ndarray:
    """``og / y ** (power - 1)``, 0 where ``y == 0`` (MXNet's Lp gradient guard)."""
    denom = y.astype(_acc_dtype(y.dtype)) ** (power - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom != 0, og / np.where(denom != 0, denom, 1), 0)


def _tile_terms(p: Params, geom: _Geom, og, x, y, arg):
    """``terms(j, tile) -> array``: the gradient of every window's j-th element, shaped like
    the output (only ``[tile.out]`` is read); computed on whole arrays where possible."""
    if p.pool_type == "max":
        mask = np.empty(og.shape, dtype=bool)
        value = np.empty(og.shape, dtype=og.dtype)

        def terms(j, tile):
            np.equal(arg, j, out=mask)
            return np.multiply(og, mask, out=value)
    elif p.pool_type in ("avg", "sum") or p.p_value == 1:
        scaled = og / _divisor(geom, _include_pad(p)) if p.pool_type == "avg" else og

        def terms(j, tile):
            return scaled
    else:
        ratio = _lp_ratio(og, y, p.p_value)
        value = np.zeros(og.shape, dtype=ratio.dtype)

        def terms(j, tile):
            data, part = x[tile.data], value[tile.out]
            np.multiply(data, ratio[tile.out], out=part, casting="unsafe")
            if p.p_value == 3:
                np.multiply(part, data, out=part, casting="unsafe")
            return value
    return terms


def _partitions(geom: _Geom) -> bool:
    """Whether the windows tile the data exactly, so each element lies in one window."""
    return all(s == k and q == 0 and o * s == x for x, k, s, q, o in
               zip(geom.size, geom.kernel, geom.stride, geom.pad, geom.out))


def _window_grads(p: Params, geom: _Geom, og, x, y, arg, target, fresh: bool) -> None:
    """Scatter every window's gradient into ``target`` (data-shaped), one offset at a time.

    Disjoint windows (stride >= kernel) write straight into a freshly zeroed target."""
    tiles = _tiles(geom)
    if p.pool_type == "max" and arg is None:
        arg = _first_argmax(x, tiles, y)
    terms = _tile_terms(p, geom, og, x, y, arg)
    overwrite = fresh and all(s >= k for s, k in zip(geom.stride, geom.kernel))
    for j, tile in enumerate(tiles):
        if tile is None:
            continue
        part = terms(j, tile)[tile.out]
        view = target[tile.data]
        if overwrite:
            np.copyto(view, part, casting="unsafe")
        else:
            np.add(view, part, out=view, casting="unsafe")


def _global_backward(p: Params, og, x, y, arg, g, req: str) -> None:
    n, c = x.shape[:2]
    if p.pool_type == "max":
        flat = x.reshape(n, c, -1)
        if arg is None:
            arg = flat.argmax(axis=-1)
        buf = np.zeros(flat.shape, dtype=g.dtype)
        np.put_along_axis(buf, arg.reshape(n, c, 1), og.reshape(n, c, 1), axis=-1)
        assign(g, req, buf.reshape(g.shape))
    elif p.pool_type in ("avg", "sum") or p.p_value == 1:
        scale = 1.0 / math.prod(x.shape[2:]) if p.pool_type == "avg" else 1.0
        assign(g, req, np.broadcast_to(og * scale if scale != 1.0 else og, g.shape))
    else:
        ratio = _lp_ratio(og, y, p.p_value)
        assign(g, req, x * ratio if p.p_value == 2 else x * x * ratio)


def _valid_arg(p: Params, ins: list, last: bool):
    """The forward pass's argmax offsets, or None when they must be found again."""
    if p.pool_type != "max" or len(ins) < 4:
        return None
    ws = _cf_view(ins[3], last)
    if ws.size and ws.flat[0] < 0:   # inference marked the workspace as not filled
        return None
    return ws


def _pooling_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (ograd, data, output[, workspace]); ``outs`` = (data gradient,)."""
    if req[0] == NULL:
        return
    last = _channel_last(p)
    og, x, y = (_cf_view(a, last) for a in ins[:3])
    g = _cf_view(outs[0], last)
    geom = _geometry(p, x.shape)
    arg = _valid_arg(p, ins, last)
    if p.global_pool:
        _global_backward(p, og, x, y, arg, g, req[0])
        return
    if _acc_dtype(g.dtype) != g.dtype:     # float16: accumulate in float32
        target = np.zeros(g.shape, dtype=_acc_dtype(g.dtype))
        _window_grads(p, geom, og, x, y, arg, target, True)
        assign(g, req[0], target)
        return
    if req[0] != ADD and not _partitions(geom):
        g[...] = 0  # elements outside every window get no gradient
    _window_grads(p, geom, og, x, y, arg, g, req[0] != ADD)


def _backward_shape(p: Params, ins: list, outs: list):
    data = ins[1] if ins[1] is not None else outs[0]
    if data is None:
        return ins, outs
    _, pooled = _pooling_shape(p, [data], [None])
    return [pooled[0], tuple(data), pooled[0]] + [pooled[0]] * (len(ins) - 3), [tuple(data)]


def _backward_type(p: Params, ins: list, outs: list):
    known = [t for t in ins[:3] + outs if t is not None]
    dtype = known[0] if known else None
    return [dtype] * 3 + [np.dtype(np.int32)] * (len(ins) - 3), [dtype]


def _backward_inputs(p: Params) -> list[str]:
    return ["ograd", "data", "output"] + (["workspace"] if _has_workspace(p) else [])


def _param_values(p: Params) -> dict:
    return {f.name: p[f.name] for f in _fields()}


def _pooling_gradient(g, ograds):
    if ograds[0] is None:
        return [None]
    heads = [ograds[0], g.input(0), g.output(0)]
    if _has_workspace(g.params):
        heads.append(g.output(1))
    return [g.op("_backward_Pooling", *heads, **_param_values(g.params))]


def _backward_gradient(g, ograds):
    """Avg, sum and L1 backward passes are linear in the head gradient: their adjoint is the
    same pooling of the incoming gradient. Max and Lp (p > 1) stop here."""
    p = g.params
    n = len(g.node.inputs)
    if ograds[0] is None or not (p.pool_type in ("avg", "sum") or
                                 (p.pool_type == "lp" and p.p_value == 1)):
        return [None] * n
    return [g.op("Pooling", ograds[0], **_param_values(p))] + [None] * (n - 1)


register("_backward_Pooling", inputs=_backward_inputs, fields=_fields(),
         arg_names=("ograd", "data", "output", "workspace"),
         infer_shape=_backward_shape, infer_type=_backward_type, forward=_pooling_backward,
         gradient=_backward_gradient,
         doc="Gradient of Pooling: the head gradient scattered back over each window (to the "
             "first maximum for max pooling, spread by the element counts for avg pooling).")


register(
    "Pooling", fields=_fields(), outputs=_num_outputs, visible_outputs=1, per_sample=[0],
    output_names=lambda p: ["output", "workspace"][:_num_outputs(p)],
    infer_shape=_pooling_shape, infer_type=_pooling_type, forward=_pooling_forward,
    gradient=_pooling_gradient, validate=_check_params,
    doc="Performs pooling on the input.\n\n"
        "The shapes for 1-D pooling are\n\n"
        "- **data** and **out**: *(batch_size, channel, width)* (NCW layout) or\n"
        "  *(batch_size, width, channel)* (NWC layout),\n\n"
        "The shapes for 2-D pooling are\n\n"
        "- **data** and **out**: *(batch_size, channel, height, width)* (NCHW layout) or\n"
        "  *(batch_size, height, width, channel)* (NHWC layout),\n\n"
        "    out_height = f(height, kernel[0], pad[0], stride[0])\n"
        "    out_width = f(width, kernel[1], pad[1], stride[1])\n\n"
        "The definition of *f* depends on ``pooling_convention``, which has two options:\n\n"
        "- **valid** (default)::\n\n    f(x, k, p, s) = floor((x+2*p-k)/s)+1\n\n"
        "- **full**, which is compatible with Caffe::\n\n"
        "    f(x, k, p, s) = ceil((x+2*p-k)/s)+1\n\n"
        "When ``global_pool`` is set to be true, then global pooling is performed. It will "
        "reset\n``kernel=(height, width)`` and set the appropiate padding to 0.\n\n"
        "Three pooling options are supported by ``pool_type``:\n\n"
        "- **avg**: average pooling\n- **max**: max pooling\n- **sum**: sum pooling\n"
        "- **lp**: Lp pooling\n\n"
        "For 3-D pooling, an additional *depth* dimension is added before\n*height*. Namely "
        "the input data and output will have shape *(batch_size, channel, depth,\nheight, "
        "width)* (NCDHW layout) or *(batch_size, depth, height, width, channel)* (NDHWC "
        "layout).\n\n"
        "Notes on Lp pooling:\n\n"
        "Lp pooling was first introduced by this paper: https://arxiv.org/pdf/1204.3968.pdf.\n"
        "L-1 pooling is simply sum pooling, while L-inf pooling is simply max pooling.\n"
        "We can see that Lp pooling stands between those two, in practice the most common "
        "value for p is 2.\n\n"
        "For each window ``X``, the mathematical expression for Lp pooling is:\n\n"
        ":math:`f(X) = \\sqrt[p]{\\sum_{x}^{X} x^p}`")
