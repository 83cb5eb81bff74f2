"""Convolution and Deconvolution (1-D, 2-D and 3-D) with their backward operators.

Layouts: NCW / NCHW / NCDHW (the defaults) and the channel-last NHWC / NDHWC, which MXNet
accepts too. Weights: Convolution ``(num_filter, C/num_group, *kernel)``, Deconvolution
``(C, num_filter/num_group, *kernel)`` (channel-last layouts move the second axis last).

Kernels are im2col + matrix products. Internally an array is viewed as ``(A, C, *space, B)``
with the batch either first (``A = N, B = 1``) or last (``A = 1, B = N``): a strided window
view copied once gives ``cols (A, G, Cg*K, P*B)``, one ``matmul`` per call multiplies all groups,
and the data gradient scatters back with one add per kernel offset (col2im). Batch-first keeps
NCHW and wins on large images with few channels; batch-last turns the per-sample products
into one large GEMM and gives long inner loops to the copies, which wins once there are fewer
than 256 output positions per sample or at least 128 rows (C/G*K*G) to multiply, up to 784
positions. Batch-first takes the samples in chunks of at most 8 MB of columns, which keeps
the copy and the product in cache (ResNet-18 at 224x224, batch 8, forward ms: 7x7/2 stem
37.6 -> 12.7, 56x56x64 3x3 15.0 -> 11.5, 3x3/2 to 28x28x128 8.4 -> 5.6).
2-D stride-1 convolutions with at least 48 rows to multiply (channels x kernel height) and
output rows at least 8 times the kernel's overhang skip im2col: with each padded image
flattened, the input under kernel row ``kh`` is a contiguous shift of it by ``kh`` padded rows,
so stacking ``KH`` shifts (not ``KH*KW`` windows) and multiplying by the weights arranged as
``(KW*F, KH*C)`` gives every output row at every padded column for each kernel column; the
output sums those ``KW`` results shifted by one column each. The copies shrink ``KW`` times and
OpenBLAS runs the taller product faster (one thread, ms: 4x64x56x56 to 64 3x3 10.4 -> 8.5,
32x16x32x32 to 16 4.25 -> 3.18; ResNet-18 inference 164 -> 153 ms a step on 2 cores). The
gradients of such "same" convolutions work the same way: the data gradient is that product on
the head gradient, and the weight gradient multiplies the data's row shifts by the head
gradient placed at each kernel column's offset (32x16x32x32 to 16: 5.6 -> 3.5 ms).
Deconvolution's forward is Convolution's data gradient and its backward is Convolution's
forward and weight gradient, on the same primitives. The backward of a stride-1 "same"
convolution (16+ channels a group) works from one im2col of the padded head gradient: the data
gradient is a convolution with the kernel reversed and the weight gradient is the data times
those columns, so neither col2im nor an im2col of the data is needed.

Both kernels split the batch over threads (``symnet.parallel``): each thread runs whole samples
with OpenBLAS at one thread, and weight gradients add the threads' partial sums. The gradient
functions therefore write the data gradient into a given array (a slice) and return only the
weight gradient. The timings below are for one thread.

Measured: float32, best of interleaved runs, one OpenBLAS thread (this 2-core machine is
shared, and multi-threaded BLAS timings there swing 5x); ms forward / backward (data, weight and
bias gradients); batch N, channels C, image, F filters:

=====================================  ============  ============  ======
configuration                          batch-first   batch-last    chosen
=====================================  ============  ============  ======
CIFAR conv1 64x3x32x32, 16 3x3 pad 1   1.67 / 4.55   7.57 / 9.04   first
LeNet conv1 64x1x28x28, 20 5x5         1.01 / 2.53   4.52 / 3.77   first
64x8x24x24, 16 3x3 pad 1               2.16 / 7.86   4.46 / 9.48   first
LeNet conv2 64x20x12x12, 50 5x5        3.89 / 11.5   3.00 / 7.31   last
ResNet 32x16x16x16, 16 3x3 pad 1       1.21 / 3.95   1.21 / 3.39   last
32x32x8x8, 32 3x3 pad 1                0.92 / 2.89   0.79 / 1.96   last
16x16x32x32, 16 3x3 pad 1              2.22 / 7.04   2.32 / 6.08   last
depthwise 32x32x16x16, 3x3 pad 1       1.77 / 6.50   1.58 / 4.56   last
=====================================  ============  ============  ======

MXNet 1.9.1 (MKLDNN) on the same machine, forward / forward+backward: LeNet conv1 0.97 / 4.96,
conv2 3.17 / 10.7, ResNet 0.26 / 1.13. Dropped forward formulations (LeNet conv1 / conv2 /
ResNet, ms; the batch-first im2col above is 0.73 / 3.74 / 0.88 alone): filling the columns
with a copy per kernel offset 0.81 / 4.35 / 1.07; one GEMM over (C*K, N*P) columns with the
output transposed 2.67 / 3.63 / 1.25; ``tensordot`` 2.25 / 4.80 / 2.99 and
``einsum(optimize=True)`` 2.34 / 3.50 / 1.34 on the window view; rows-major im2col
(N*P, C*K) @ W.T 3.28 / 4.57 / 3.02; a GEMM per kernel offset (shift-and-multiply)
32.9 / 5.37 / 1.25. Weight gradient: batched ``matmul`` + sum 0.54 / 3.45 / 0.91 against
``einsum`` 1.34 / 2.77 / 0.88 and ``tensordot`` 1.54 / 4.81 / 2.31. Depthwise data gradients
use a broadcast product instead of ``matmul`` (one-row products: 0.96 against 3.2 ms).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ... import parallel
from ...base import MXNetError
from ..fields import Bool, Enum, Int, Shape
from ..kernel import NULL, assign, channel_sums, per_channel, writes_directly
from ..registry import InferError, Params, fmt_shape, register

__all__ = ["Geometry", "conv_geometry", "deconv_pad_adj", "conv_forward", "convolution_into",
           "fusable_into"]


# ---- parameters -----------------------------------------------------------------------------
class _UInt(Int):
    """MXNet's unsigned integer parameters: shown as ``int (non-negative)``."""

    type_name = "int (non-negative)"


class _ULong(Int):
    """MXNet's ``uint64_t`` parameters (``workspace``)."""

    type_name = "long (non-negative)"


class _Tuple(Shape):
    """A ``Shape(tuple)`` parameter whose empty default MXNet shows as ``[]``."""

    def describe(self) -> str:
        if self.required or self.default:
            return super().describe()
        return "Shape(tuple), optional, default=[]"


class _OptEnum(Enum):
    """An optional enum whose choices MXNet lists with ``None`` first."""

    def _valid(self) -> str:
        return "{None, " + ", ".join(f"'{c}'" for c in sorted(self.choices)) + "}"

    @property
    def type_name(self) -> str:  # type: ignore[override]
        return self._valid()

    def describe(self) -> str:
        return f"{self._valid()},optional, default='{self.default}'"

    def parse(self, value):
        if value is None or (isinstance(value, str) and value.strip() == "None"):
            return None
        text = str(value).strip()
        if text not in self.choices:
            raise ValueError(f"Invalid Input: '{text}', valid values are: {self._valid()}")
        return text


_LAYOUTS = ("NCDHW", "NCHW", "NCW", "NDHWC", "NHWC")
_CHANNEL_LAST = ("NHWC", "NDHWC")
_TUNE = ("fastest", "limited_workspace", "off")


_DOCS = {
    "conv": {
        "kernel": "Convolution kernel size: (w,), (h, w) or (d, h, w)",
        "stride": "Convolution stride: (w,), (h, w) or (d, h, w). Defaults to 1 for each "
                  "dimension.",
        "dilate": "Convolution dilate: (w,), (h, w) or (d, h, w). Defaults to 1 for each "
                  "dimension.",
        "pad": "Zero pad for convolution: (w,), (h, w) or (d, h, w). Defaults to no padding.",
        "num_filter": "Convolution filter(channel) number",
        "num_group": "Number of group partitions.",
        "workspace": "Maximum temporary workspace allowed (MB) in convolution. Without CUDNN "
                     "it determines the effective batch size of the convolution kernel.",
    },
    "deconv": {
        "kernel": "Deconvolution kernel size: (w,), (h, w) or (d, h, w). This is same as the "
                  "kernel size used for the corresponding convolution",
        "stride": "The stride used for the corresponding convolution: (w,), (h, w) or (d, h, "
                  "w). Defaults to 1 for each dimension.",
        "dilate": "Dilation factor for each dimension of the input: (w,), (h, w) or (d, h, w). "
                  "Defaults to 1 for each dimension.",
        "pad": "The amount of implicit zero padding added during convolution for each "
               "dimension of the input: (w,), (h, w) or (d, h, w). ``(kernel-1)/2`` is usually "
               "a good choice. If `target_shape` is set, `pad` will be ignored and a padding "
               "that will generate the target shape will be used. Defaults to no padding.",
        "num_filter": "Number of output filters.",
        "num_group": "Number of groups partition.",
        "workspace": "Maximum temporary workspace allowed (MB) in deconvolution. Without CUDNN "
                     "it determines the effective batch size of the deconvolution kernel.",
    },
}


def _common_fields(what: str, workspace: int, no_bias: bool) -> tuple[list, list]:
    """The parameters both operators share: (those before adj/target_shape, those after)."""
    doc = _DOCS[what]
    head = [_Tuple("kernel", doc=doc["kernel"])] + [
        _Tuple(key, (), doc[key]) for key in ("stride", "dilate", "pad")]
    tail = [
        _UInt("num_filter", doc=doc["num_filter"], low=1),
        _UInt("num_group", 1, doc["num_group"], low=1),
        _ULong("workspace", workspace, doc["workspace"]),
        Bool("no_bias", no_bias, "Whether to disable bias parameter."),
        _OptEnum("cudnn_tune", _TUNE, None, "Whether to pick convolution algo by running "
                 "performance test (accepted; no effect without CUDNN)."),
        Bool("cudnn_off", False, "Turn off cudnn for this layer."),
        _OptEnum("layout", _LAYOUTS, None, "Set layout for input, output and weight. Empty for "
                 "default layout: NCW for 1d, NCHW for 2d and NCDHW for 3d. (MXNet runs NHWC "
                 "and NDHWC only on GPU; symnet runs them everywhere.)"),
    ]
    return head, tail


_c_head, _c_tail = _common_fields("conv", 1024, False)
CONV_FIELDS = _c_head + _c_tail
_d_head, _d_tail = _common_fields("deconv", 512, True)
DECONV_FIELDS = _d_head + [
    _Tuple("adj", (), "Adjustment for output shape: (w,), (h, w) or (d, h, w). If "
                      "`target_shape` is set, `adj` will be ignored and computed accordingly."),
    _Tuple("target_shape", (), "Shape of the output tensor: (w,), (h, w) or (d, h, w)."),
] + _d_tail


# ---- geometry -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Geometry:
    """Kernel, stride, dilation and padding per spatial axis, and the group count."""

    kernel: tuple
    stride: tuple
    dilate: tuple
    pad: tuple
    groups: int

    @property
    def dilated(self) -> tuple:
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilate))

    def out_size(self, space: tuple) -> tuple:
        """Convolution output extent of an (already known) input extent per axis."""
        return tuple((x + 2 * p - dk) // s + 1
                     for x, p, dk, s in zip(space, self.pad, self.dilated, self.stride))


_NAMES = {1: ("x",), 2: ("y", "x"), 3: ("d", "y", "x")}
_AXES = {1: "x", 2: "y-x", 3: "depth-y-x"}


def _fmt(values) -> str:
    return fmt_shape(tuple(values))


def conv_geometry(p: Params, kind: str = "convolution") -> Geometry:
    """Validate the tuple parameters (MXNet's parameter checks) and fill their defaults."""
    k = tuple(p.kernel)
    nd = len(k)
    if nd not in (1, 2, 3):
        raise InferError(f"Check failed: param_.kernel.ndim() == 3U ({nd} vs. 3) : {nd}D "
                         f"{kind} not supported")
    checks = [("stride", "Stride", "stride"), ("dilate", "Dilate", "dilate"),
              ("pad", "Padding", "padding")]
    if "adj" in p:
        checks.append(("adj", "Adjustment", "adjustment"))
    for key, title, word in checks:
        given = tuple(p[key])
        if given and len(given) != nd:
            raise InferError(f"Check failed: param_.kernel.ndim() == param_.{key}.ndim() ({nd} "
                             f"vs. {len(given)}) : {title} must have the same number of "
                             f"dimensions with kernel_size,but kernel_size is set to {_fmt(k)} "
                             f"while {word} is {_fmt(given)}")
    stride, dilate = tuple(p.stride) or (1,) * nd, tuple(p.dilate) or (1,) * nd
    for key, values in (("kernel", k), ("stride", stride), ("dilate", dilate)):
        if min(values) <= 0:
            raise InferError(f"Check failed: param_.{key}.Size() > 0U (0 vs. 0) : incorrect "
                             f"{key} size: {_fmt(values)}")
    return Geometry(k, stride, dilate, tuple(p.pad) or (0,) * nd, p.num_group)


def deconv_pad_adj(p: Params, g: Geometry, space: tuple) -> tuple[tuple, tuple]:
    """Deconvolution's (pad, adj) per axis; with ``target_shape`` derived as MXNet does.

    ``full = stride*(x-1) + dilated kernel`` must reach the target; the excess is cropped,
    half on each side, the odd unit as ``adj``. Axes of unknown extent get pad 0, adj 0.
    """
    target = tuple(p.target_shape)
    adj = tuple(p.adj) or (0,) * len(g.kernel)
    if not any(target):
        return g.pad, adj
    nd = len(g.kernel)
    if len(target) < nd:
        raise InferError(f"Check failed: i >= 0 && i < ndim(): index = {len(target)} must be "
                         f"in range [0, {len(target)})")
    pads, adjs = [], []
    for i in range(nd):
        if space[i] is None:
            pads.append(0)
            adjs.append(0)
            continue
        full = g.stride[i] * (space[i] - 1) + g.dilated[i]
        if full < target[i]:
            raise InferError(f"Check failed: o_pad[i] >= target_shape[i] ({full} vs. "
                             f"{target[i]}) : too big target shape")
        excess = full - target[i]
        pads.append((excess + 1) // 2)
        adjs.append(excess % 2)
    return tuple(pads), tuple(adjs)


# ---- layouts and shape rules ------------------------------------------------------------------
def _check_layout(p: Params, ndim: int) -> bool:
    """True for a channel-last layout; MXNet's error for a layout of another rank."""
    allowed = {3: ("NCW",), 4: ("NCHW", "NHWC"), 5: ("NCDHW", "NDHWC")}[ndim]
    if p.layout is not None and p.layout not in allowed:
        raise InferError(f"Invalid layout for {ndim}d shape {p.layout}")
    return p.layout in _CHANNEL_LAST


def _to_cf(shape: tuple, last: bool) -> tuple:
    return (shape[0], shape[-1]) + tuple(shape[1:-1]) if last else tuple(shape)


def _from_cf(shape: tuple, last: bool) -> tuple:
    return (shape[0],) + tuple(shape[2:]) + (shape[1],) if last else tuple(shape)


def _data_cf(p: Params, data: tuple, nd: int, kind: str) -> tuple[tuple, bool]:
    if len(data) != nd + 2:
        name = "dshp" if kind == "convolution" else "dshape"
        raise InferError(f"Check failed: {name}.ndim() == {nd + 2}U ({len(data)} vs. {nd + 2}) "
                         f": Input data should be {nd + 2}D in batch-num_filter-{_AXES[nd]}")
    last = _check_layout(p, nd + 2)
    return _to_cf(data, last), last


def _check_groups(p: Params, channels, data_name: str) -> None:
    if channels is not None and channels % p.num_group:
        raise InferError(f"Check failed: {data_name}[1] % param_.num_group == 0U "
                         f"({channels % p.num_group} vs. 0) : input num_filter must divide "
                         f"group size")
    if p.num_filter % p.num_group:
        raise InferError(f"Check failed: param_.num_filter % param_.num_group == 0U "
                         f"({p.num_filter % p.num_group} vs. 0) : output num_filter must "
                         f"divide group size")


def _conv_out_dim(g: Geometry, i: int, x, nd: int):
    if x is None:
        return None
    padded = x + 2 * g.pad[i]
    if g.dilated[i] > padded:
        raise InferError(f"Check failed: dilated_ksize_{_NAMES[nd][i]} <= AddPad(dshape[{i + 2}]"
                         f", param_.pad[{i}]) ({g.dilated[i]} vs. {padded}) : kernel size "
                         f"exceed input")
    return (padded - g.dilated[i]) // g.stride[i] + 1


def _conv_shape(p: Params, ins: list, outs: list):
    """Weight and bias from the data; batch and stride-1 extents back from a known output."""
    g = conv_geometry(p)
    if ins[0] is None:
        return ins, outs
    nd = len(g.kernel)
    (n, c, *space), last = _data_cf(p, ins[0], nd, "convolution")
    _check_groups(p, c, "dshape")
    given = _to_cf(outs[0], last) if outs[0] is not None and len(outs[0]) == nd + 2 else None
    if given is not None:
        n = given[0] if n is None else n
        space = [given[2 + i] + g.dilated[i] - 1 - 2 * g.pad[i]
                 if x is None and given[2 + i] is not None and g.stride[i] == 1 else x
                 for i, x in enumerate(space)]
    out = (n, p.num_filter) + tuple(_conv_out_dim(g, i, x, nd) for i, x in enumerate(space))
    weight = (p.num_filter, None if c is None else c // p.num_group) + g.kernel
    new_ins = [_from_cf((n, c) + tuple(space), last), _from_cf(weight, last)]
    new_ins += [] if p.no_bias else [(p.num_filter,)]
    return new_ins, [_from_cf(out, last)]


def _deconv_out_dim(p: Params, g: Geometry, i: int, x, pad: tuple, adj: tuple):
    if any(p.target_shape) and x is None:
        return p.target_shape[i] or None
    if x is None:
        return None
    out = g.stride[i] * (x - 1) + g.dilated[i] - 2 * pad[i] + adj[i]
    if out < -1:
        raise InferError(f"Check failed: dim_size >= -1 ({out} vs. -1) : shape dim size must "
                         f"be >= -1, while received {out}")
    return None if out == -1 else out  # MXNet's -1: unknown


def _deconv_shape(p: Params, ins: list, outs: list):
    """Weight ``(C, num_filter/num_group, *kernel)``; output ``s(x-1) + dk - 2p + adj``."""
    g = conv_geometry(p, "deconvolution")
    if ins[0] is None:
        return ins, outs
    nd = len(g.kernel)
    (n, c, *space), last = _data_cf(p, ins[0], nd, "deconvolution")
    pad, adj = deconv_pad_adj(p, g, tuple(space))
    _check_groups(p, c, "dshape_nchw")
    for i in range(nd):
        if adj[i] > g.stride[i] - 1:
            raise InferError(f"Check failed: param_.stride[{i}]-1 >= o_adj[{i}] "
                             f"({g.stride[i] - 1} vs. {adj[i]}) : adj({_NAMES[nd][i]}) must "
                             f"be samller than stride[{i}]")
    out = (n, p.num_filter) + tuple(_deconv_out_dim(p, g, i, x, pad, adj)
                                    for i, x in enumerate(space))
    weight = (c, p.num_filter // p.num_group) + g.kernel
    new_ins = [ins[0], _from_cf(weight, last)] + ([] if p.no_bias else [(p.num_filter,)])
    return new_ins, [_from_cf(out, last)]


#: mshadow's type flags, which MXNet's type-check messages print.
_TYPE_FLAGS = {"float32": 0, "float64": 1, "float16": 2, "uint8": 3, "int32": 4, "int8": 5,
               "int64": 6, "bool": 7, "int16": 8, "uint16": 9, "uint32": 10, "uint64": 11}


def _conv_type(p: Params, ins: list, outs: list):
    """One dtype for every input and the output, led by the data (MXNet's uniform-type check)."""
    dtype = ins[0] if ins[0] is not None else outs[0]
    if dtype is None:
        return ins, outs
    names = ["data", "weight", "bias"]
    for i, t in enumerate(ins):
        if t is not None and np.dtype(t) != np.dtype(dtype):
            flags = [_TYPE_FLAGS.get(np.dtype(v).name, -1) for v in (t, dtype)]
            raise InferError(f"Check failed: (*in_type)[i] == dtype ({flags[0]} vs. "
                             f"{flags[1]}) : This layer requires uniform type. "
                             f"Expected '{np.dtype(dtype).name}' v.s. given "
                             f"'{np.dtype(t).name}' at '{names[i]}'")
    return [dtype] * len(ins), [dtype]


def _backward_shape(p: Params, ins: list, outs: list):
    """(ograd, data, weight) -> (data grad, weight grad[, bias grad])."""
    return ins, [ins[1], ins[2]] + ([] if p.no_bias else [(p.num_filter,)])


def _backward_type(p: Params, ins: list, outs: list):
    dtype = next((t for t in ins if t is not None), None)
    return [dtype] * len(ins), [dtype] * len(outs)


# ---- im2col primitives on (A, C, *space, B) views ---------------------------------------------
#: Batch-last pays off below this many output positions per sample, or from this many rows
#: (input channels x kernel size) on (see the table above).
_BATCH_LAST_BELOW = 256
_BATCH_LAST_ROWS = 128
#: ... but batch-first (in cache-sized chunks) wins from this many output positions on.
_BATCH_FIRST_FROM = 784
#: The data gradient of stride-1 'same' convolutions is a convolution from this many
#: channels a group on (ms, 32x16x32x32 16 3x3 pad 1: 13.4 -> 8.4; 3 channels: 1.8 -> 6.6).
_TRANSPOSED_CHANNELS = 16
#: Batch-first products take samples in chunks of at most this many bytes of columns.
_FIRST_BYTES = 8 << 20
#: Row-shifted products (2-D, stride 1) take samples in chunks of at most this many bytes of
#: shifted input; they serve output rows at least this many times the kernel's overhang, and
#: from this many rows to multiply (channels x kernel height) on: below that the product is too
#: thin for BLAS (ms, one thread: 32x3x32x32 16 3x3 pad 1 0.74 -> 1.79; 32x16x32x32 4.25 ->
#: 3.18; 4x64x56x56 64 3x3 pad 1 10.4 -> 8.5; 4x256x14x14 6.95 -> 7.84).
_SHIFT_BYTES = 2 << 20
_SHIFT_WASTE = 8
_SHIFT_ROWS = 48


def _prod(values) -> int:
    return int(np.prod(values, dtype=np.int64))


def _work_dtype(dtype: np.dtype, op: str) -> np.dtype:
    """The dtype a kernel computes in: float16 goes through float32; integers are refused."""
    if dtype.kind != "f":
        raise MXNetError(f"{op}: This operation only support floating point types, not "
                         f"{dtype.name}")
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _plan(p: Params, n: int, rows: int, positions: int, itemsize: int) -> tuple[int, bool]:
    """(samples per chunk, batch-last?): the im2col buffer stays within ``workspace`` MB."""
    per_sample = max(1, rows * positions * itemsize)
    chunk = max(1, min(n, (p.workspace << 20) // per_sample))
    last = chunk > 1 and (positions < _BATCH_LAST_BELOW
                          or (rows >= _BATCH_LAST_ROWS and positions < _BATCH_FIRST_FROM))
    if not last:  # a cache-sized buffer per product: 8 MB of columns at most
        chunk = max(1, min(chunk, _FIRST_BYTES // per_sample))
    return chunk, last


def _view(x: np.ndarray, last: bool) -> np.ndarray:
    """``(N, C, *space)`` as ``(A, C, *space, B)``: batch-first ``(N,..,1)``, last ``(1,..,N)``."""
    return np.moveaxis(x, 0, -1)[None] if last else x[..., None]


def _unview(y: np.ndarray, last: bool) -> np.ndarray:
    return np.moveaxis(y[0], -1, 0) if last else y[..., 0]


def _inner(pad: tuple, space: tuple) -> tuple:
    """Index of the unpadded region of an ``(A, C, *padded, B)`` array."""
    return (slice(None), slice(None)) + tuple(slice(q, q + s) for q, s in zip(pad, space))


def _padded(x: np.ndarray, pad: tuple, last: bool, dtype: np.dtype) -> np.ndarray:
    """``(N, C, *space)`` -> zero-padded ``(A, C, *(space + 2 pad), B)`` in ``dtype``."""
    if min(pad) < 0:  # shape inference accepts it, as MXNet does; the kernels do not
        raise MXNetError(f"Convolution: negative pad {_fmt(pad)} is not supported")
    v = _view(x, last)
    if not last and not any(pad) and v.dtype == dtype:
        return v
    space = tuple(s + 2 * q for s, q in zip(x.shape[2:], pad))
    buf = (np.zeros if any(pad) else np.empty)(v.shape[:2] + space + v.shape[-1:], dtype)
    buf[_inner(pad, x.shape[2:])] = v
    return buf


def _im2col(xp: np.ndarray, g: Geometry, out_space: tuple) -> np.ndarray:
    """Windows of a padded ``(A, C, *space, B)`` array as ``(A, G, Cg*K, P*B)`` (one copy)."""
    a, c, b = xp.shape[0], xp.shape[1], xp.shape[-1]
    cg, st, nd = c // g.groups, xp.strides, len(g.kernel)
    reach = tuple((o - 1) * s + dk for o, s, dk in zip(out_space, g.stride, g.dilated))
    if any(r > e for r, e in zip(reach, xp.shape[2:-1])):  # keep the strided view in bounds
        raise MXNetError(f"Convolution: windows reaching {_fmt(reach)} exceed the padded input "
                         f"{_fmt(xp.shape[2:-1])}")
    shape = (a, g.groups, cg) + g.kernel + tuple(out_space) + (b,)
    strides = ((st[0], st[1] * cg, st[1]) + tuple(st[2 + i] * g.dilate[i] for i in range(nd))
               + tuple(st[2 + i] * g.stride[i] for i in range(nd)) + (st[-1],))
    windows = as_strided(xp, shape, strides, writeable=False)
    return windows.reshape(a, g.groups, cg * _prod(g.kernel), _prod(out_space) * b)


def _col2im(cols: np.ndarray, g: Geometry, channels: int, padded: tuple,
            out_space: tuple) -> np.ndarray:
    """Scatter-add ``(A, G, Cg*K, P*B)`` columns into a zero ``(A, C, *padded, B)`` array,
    one vectorised add per kernel offset."""
    a, b = cols.shape[0], cols.shape[-1] // _prod(out_space)
    blocks = cols.reshape((a, channels) + g.kernel + tuple(out_space) + (b,))
    buf = np.zeros((a, channels) + tuple(padded) + (b,), cols.dtype)
    every = (slice(None), slice(None))
    for off in np.ndindex(*g.kernel):
        where = tuple(slice(k * d, k * d + s * (n - 1) + 1, s)
                      for k, d, s, n in zip(off, g.dilate, g.stride, out_space))
        buf[every + where] += blocks[every + off]
    return buf


def _mat(x: np.ndarray, groups: int, last: bool, dtype: np.dtype) -> np.ndarray:
    """``(N, C, *space)`` as ``(A, G, C/G, P*B)`` in ``dtype``."""
    v = _view(x, last)
    return v.reshape(v.shape[0], groups, x.shape[1] // groups, -1).astype(dtype, copy=False)


def _weights(w: np.ndarray, groups: int, dtype: np.dtype) -> np.ndarray:
    """``(O, I, *kernel)`` as ``(G, O/G, I*K)``."""
    return w.reshape(groups, w.shape[0] // groups, -1).astype(dtype, copy=False)


def _chunks(n: int, size: int):
    return ((lo, min(n, lo + size)) for lo in range(0, n, size))


# ---- the convolution products, channel-first -------------------------------------------------
def conv_forward(p: Params, x: np.ndarray, w: np.ndarray, out: np.ndarray,
                 finish: Callable | None = None) -> None:
    """``out (N, F, *o) = conv(x (N, C, *space), w (F, C/G, *kernel))``, written in place;
    ``finish(lo, hi)`` runs on each chunk of samples ``out[lo:hi]`` once it is computed (while
    it is in cache)."""
    _product(p, conv_geometry(p), x, w, out, finish)


def _product(p: Params, g: Geometry, x: np.ndarray, w: np.ndarray, out: np.ndarray,
             finish: Callable | None = None) -> None:
    """``conv_forward`` with the geometry given (``p`` sets only the workspace)."""
    dtype = out.dtype
    o = g.out_size(x.shape[2:])
    if _shifts_fit(g, x.shape[1], o):
        _shifted_product(g, x, w, out, finish)
        return
    wm = _weights(w, g.groups, dtype)
    chunk, last = _plan(p, x.shape[0], wm.shape[-1] * g.groups, _prod(o), dtype.itemsize)
    for lo, hi in _chunks(x.shape[0], chunk):
        cols = _im2col(_padded(x[lo:hi], g.pad, last, dtype), g, o)
        if last:
            part = np.matmul(wm, cols).reshape((1, w.shape[0]) + o + (hi - lo,))
            out[lo:hi] = _unview(part, True)
        else:
            np.matmul(wm, cols, out=out[lo:hi].reshape(hi - lo, g.groups, -1, _prod(o)))
        if finish is not None:
            finish(lo, hi)


def _shifts_fit(g: Geometry, channels: int, out_space: tuple) -> bool:
    """Whether :func:`_shifted_product` computes this convolution: 2-D, stride 1, one group,
    a kernel wider than one column, enough rows to multiply, and output rows long enough that
    the kernel's overhang wastes at most 1/8 of the product."""
    return (len(g.kernel) == 2 and g.groups == 1 and g.stride == (1, 1) and g.kernel[1] > 1
            and channels * g.kernel[0] >= _SHIFT_ROWS
            and (g.dilated[1] - 1) * _SHIFT_WASTE <= out_space[1])


def _shift_layout(g: Geometry, x: np.ndarray, out_rows: int, dtype: np.dtype) -> tuple:
    """(padded width ``Wp``, ``span`` = flat positions of the ``out_rows`` output rows padded
    columns included, samples a chunk) of the row-shifted products over data ``x``."""
    wp = x.shape[3] + 2 * g.pad[1]
    span = out_rows * wp
    per_sample = g.kernel[0] * x.shape[1] * span * dtype.itemsize
    return wp, span, max(1, min(x.shape[0], _SHIFT_BYTES // max(1, per_sample)))


def _row_shifts(xp: np.ndarray, kh_n: int, dh: int, span: int) -> np.ndarray:
    """``(KH, C, n, span)``: for each kernel row ``kh``, the padded samples ``xp (n, C, Hp,
    Wp)`` flattened per channel and shifted by ``kh * dh`` rows, ``span`` positions long."""
    n, c, wp = xp.shape[0], xp.shape[1], xp.shape[3]
    flat = xp.reshape(n, c, -1)
    stack = np.empty((kh_n, c, n, span), xp.dtype)
    for kh in range(kh_n):
        start = kh * dh * wp
        np.copyto(stack[kh], flat[:, :, start:start + span].swapaxes(0, 1))
    return stack


def _shifted_product(g: Geometry, x: np.ndarray, w: np.ndarray, out: np.ndarray,
                     finish: Callable | None) -> None:
    """A stride-1 2-D convolution as one product of row-shifted copies of the padded input.

    With the padded rows flattened (width ``Wp``), the input under kernel row ``kh`` is the
    flat padded image shifted by ``kh * Wp``: stacking those ``KH`` contiguous shifts gives
    ``X (KH*C, Ho*Wp)``. The weights as ``(KW*F, KH*C)`` times ``X`` give, for each kernel
    column ``kw``, every output row at every padded column; the output is the sum over ``kw``
    of those rows shifted left by ``kw`` (dilated: ``kw * dw``), cut to ``Wo`` columns. Against
    im2col this copies the input ``KH`` instead of ``KH*KW`` times and multiplies a taller,
    thinner matrix (faster in OpenBLAS); it computes ``Wp - Wo`` surplus columns a row.
    """
    (kh_n, kw_n), (dh, dw) = g.kernel, g.dilate
    dtype = out.dtype
    c, f = x.shape[1], w.shape[0]
    ho, wo = out.shape[2:]
    wp, span, chunk = _shift_layout(g, x, ho, dtype)
    # (F, C, KH, KW) -> (KW*F, KH*C): rows by (kernel column, filter), columns by (kernel row,
    # channel), matching the row shifts stacked in X.
    wm = w.astype(dtype, copy=False).transpose(3, 0, 2, 1).reshape(kw_n * f, kh_n * c)
    for lo, hi in _chunks(x.shape[0], chunk):
        n = hi - lo
        stack = _row_shifts(_padded(x[lo:hi], g.pad, False, dtype), kh_n, dh, span)
        rows = np.matmul(wm, stack.reshape(kh_n * c, n * span))
        rows = rows.reshape(kw_n, f, n, ho, wp)
        target = out[lo:hi].swapaxes(0, 1)  # (F, n, Ho, Wo)
        if kw_n == 1:
            np.copyto(target, rows[0, ..., :wo])
        else:
            np.add(rows[0, ..., :wo], rows[1, ..., dw:dw + wo], out=target)
        for kw in range(2, kw_n):
            target += rows[kw, ..., kw * dw:kw * dw + wo]
        if finish is not None:
            finish(lo, hi)


def _shifted_weight_grad(g: Geometry, og: np.ndarray, x: np.ndarray,
                         dtype: np.dtype) -> np.ndarray:
    """The weight gradient ``(F, C, KH, KW)`` of a convolution that :func:`_shifted_product`
    computes, from the same row shifts of the padded data ``X (KH*C, Ho*Wp)`` and the head
    gradient placed at each kernel column's offset in zero rows of the padded width,
    ``(KW*F, Ho*Wp)``: their product, summed over the samples, is the gradient with rows by
    (kernel column, filter) and columns by (kernel row, channel)."""
    (kh_n, kw_n), (dh, dw) = g.kernel, g.dilate
    c, f = x.shape[1], og.shape[1]
    ho, wo = og.shape[2:]
    wp, span, chunk = _shift_layout(g, x, ho, dtype)
    total = np.zeros((kw_n * f, kh_n * c), dtype)
    heads = None
    for lo, hi in _chunks(x.shape[0], chunk):
        n = hi - lo
        stack = _row_shifts(_padded(x[lo:hi], g.pad, False, dtype), kh_n, dh, span)
        if heads is None or heads.shape[2] != n:  # the zero margins stay zero across chunks
            heads = np.zeros((kw_n, f, n, ho, wp), dtype)
        for kw in range(kw_n):
            np.copyto(heads[kw, ..., kw * dw:kw * dw + wo], og[lo:hi].swapaxes(0, 1))
        total += np.matmul(heads.reshape(kw_n * f, n * span),
                           stack.reshape(kh_n * c, n * span).T)
    return total.reshape(kw_n, f, kh_n, c).transpose(1, 3, 2, 0)


def _transposed(g: Geometry, channels: int) -> Geometry | None:
    """The geometry under which a stride-1 convolution's data gradient is a convolution of
    the head gradient (pad ``dilated - 1 - pad``, kernel reversed), where that wins: "same"
    convolutions with at least 16 channels a group. None elsewhere (strides, other pads, few
    channels: those scatter with col2im, which does no work on the padding)."""
    pad = tuple(dk - 1 - q for dk, q in zip(g.dilated, g.pad))
    if max(g.stride) > 1 or pad != g.pad or channels // g.groups < _TRANSPOSED_CHANNELS:
        return None
    return Geometry(g.kernel, g.stride, g.dilate, pad, g.groups)


def _flipped(w: np.ndarray, groups: int) -> np.ndarray:
    """A weight ``(F, C/G, *kernel)`` as ``(C, F/G, *kernel)`` with the kernel reversed."""
    f, cg, kernel = w.shape[0], w.shape[1], w.shape[2:]
    v = w.reshape((groups, f // groups, cg) + kernel).swapaxes(1, 2)
    v = v[(Ellipsis,) + (slice(None, None, -1),) * len(kernel)]
    return v.reshape((groups * cg, f // groups) + kernel)


def _input_grad(g: Geometry, ogm: np.ndarray, wm: np.ndarray, out_space: tuple,
                pad: tuple, out: np.ndarray, last: bool) -> None:
    """``out (n, C, *space)`` = gradient of conv w.r.t. its input (= Deconvolution forward).

    ``ogm`` is the head gradient as ``(A, G, F/G, P*B)`` over ``out_space`` positions, ``wm``
    the weight as ``(G, F/G, C/G*K)``; the padded input has extent ``space + 2 pad``.
    """
    space = out.shape[2:]
    if wm.shape[1] == 1:  # depthwise: an outer product, 3-6x faster than matmul's
        cols = wm.swapaxes(-1, -2) * ogm
    else:
        cols = np.matmul(wm.swapaxes(-1, -2), ogm)
    padded = tuple(s + 2 * q for s, q in zip(space, pad))
    buf = _col2im(cols, g, out.shape[1], padded, out_space)
    out[...] = _unview(buf[_inner(pad, space)], last)


def _deconv_forward(p: Params, x: np.ndarray, w: np.ndarray, out: np.ndarray,
                    finish: Callable | None = None) -> None:
    g = conv_geometry(p, "deconvolution")
    pad, _ = deconv_pad_adj(p, g, x.shape[2:])
    dtype = out.dtype
    wm = _weights(w, g.groups, dtype)
    chunk, last = _plan(p, x.shape[0], wm.shape[-1] * g.groups, _prod(x.shape[2:]),
                        dtype.itemsize)
    for lo, hi in _chunks(x.shape[0], chunk):
        xm = _mat(x[lo:hi], g.groups, last, dtype)
        _input_grad(g, xm, wm, x.shape[2:], pad, out[lo:hi], last)
        if finish is not None:
            finish(lo, hi)


def _grads(p: Params, g: Geometry, og: np.ndarray, x: np.ndarray, w: np.ndarray,
           dx: np.ndarray | None, need_w: bool, dtype: np.dtype) -> np.ndarray | None:
    """Convolution's gradients, channel-first: the data gradient written into ``dx`` (unless
    None), the weight gradient returned (None unless ``need_w``)."""
    gt = _transposed(g, x.shape[1])
    if gt is not None:
        return _same_grads(p, gt, og, x, w, dx, need_w, dtype)
    o = og.shape[2:]
    wm = _weights(w, g.groups, dtype)
    chunk, last = _plan(p, x.shape[0], wm.shape[-1] * g.groups, _prod(o), dtype.itemsize)
    dw = np.zeros(wm.shape, dtype) if need_w else None
    for lo, hi in _chunks(x.shape[0], chunk):
        ogm = _mat(og[lo:hi], g.groups, last, dtype)
        if dw is not None:
            cols = _im2col(_padded(x[lo:hi], g.pad, last, dtype), g, o)
            dw += np.matmul(ogm, cols.swapaxes(-1, -2)).sum(axis=0)
        if dx is not None:
            _input_grad(g, ogm, wm, o, g.pad, dx[lo:hi], last)
    return None if dw is None else dw.reshape(w.shape)


def _same_grads(p: Params, gt: Geometry, og: np.ndarray, x: np.ndarray, w: np.ndarray,
                dx: np.ndarray | None, need_w: bool, dtype: np.dtype) -> np.ndarray | None:
    """Both gradients of a stride-1 "same" convolution from one im2col of the head gradient
    (geometry ``gt``, see ``_transposed``): ``dx = flipped(w) @ cols`` and, with the kernel
    reversed back, ``dw.T = x @ cols.T`` (no im2col of the data, no col2im)."""
    space, groups = x.shape[2:], gt.groups
    # ``gt`` equals the forward geometry here (stride 1, "same" padding): where it suits the
    # row-shifted products, they compute the data gradient as a convolution of the head
    # gradient and the weight gradient from row shifts of the data and of the head gradient.
    shifted_w = None
    if need_w and _shifts_fit(gt, x.shape[1], og.shape[2:]):
        shifted_w, need_w = _shifted_weight_grad(gt, og, x, dtype), False
    if dx is not None and _shifts_fit(gt, og.shape[1], space):
        _shifted_product(gt, og, _flipped(w, groups), dx, None)
        dx = None
    if dx is None and not need_w:
        return shifted_w
    wt = _weights(_flipped(w, groups), groups, dtype)  # (G, C/G, F/G*K)
    chunk, last = _plan(p, x.shape[0], wt.shape[-1] * groups, _prod(space), dtype.itemsize)
    dwt = np.zeros(wt.shape, dtype) if need_w else None
    for lo, hi in _chunks(x.shape[0], chunk):
        cols = _im2col(_padded(og[lo:hi], gt.pad, last, dtype), gt, space)
        if dx is not None:
            if last:
                part = np.matmul(wt, cols).reshape((1, x.shape[1]) + space + (hi - lo,))
                dx[lo:hi] = _unview(part, True)
            else:
                np.matmul(wt, cols, out=dx[lo:hi].reshape(hi - lo, groups, -1, _prod(space)))
        if dwt is not None:
            dwt += np.matmul(_mat(x[lo:hi], groups, last, dtype),
                             cols.swapaxes(-1, -2)).sum(axis=0)
    if dwt is None:
        return shifted_w
    return _flipped(dwt.reshape((x.shape[1], w.shape[0] // groups) + gt.kernel), groups)


def _deconv_grads(p: Params, g: Geometry, og: np.ndarray, x: np.ndarray, w: np.ndarray,
                  dx: np.ndarray | None, need_w: bool, dtype: np.dtype) -> np.ndarray | None:
    """Deconvolution's data and weight gradients: conv forward and conv weight gradient of
    the padded head gradient."""
    pad, _ = deconv_pad_adj(p, g, x.shape[2:])
    space = x.shape[2:]
    wm = _weights(w, g.groups, dtype)
    chunk, last = _plan(p, x.shape[0], w.shape[1] * _prod(g.kernel) * g.groups,
                        _prod(space), dtype.itemsize)
    dw = np.zeros(wm.shape, dtype) if need_w else None
    for lo, hi in _chunks(x.shape[0], chunk):
        cols = _im2col(_padded(og[lo:hi], pad, last, dtype), g, space)
        if dx is not None:
            part = np.matmul(wm, cols).reshape((cols.shape[0], x.shape[1]) + space + (-1,))
            dx[lo:hi] = _unview(part, last)
        if dw is not None:
            xm = _mat(x[lo:hi], g.groups, last, dtype)
            dw += np.matmul(xm, cols.swapaxes(-1, -2)).sum(axis=0)
    return None if dw is None else dw.reshape(w.shape)


# ---- kernels: layouts, dtypes and requests ---------------------------------------------------
def _layout_last(p: Params, x: np.ndarray) -> bool:
    return p.layout in _CHANNEL_LAST and x.ndim in (4, 5)


def _cf(a: np.ndarray, last: bool) -> np.ndarray:
    return np.moveaxis(a, -1, 1) if last else a


def _store(out: np.ndarray, req: str, value: np.ndarray, last: bool) -> None:
    assign(out, req, np.moveaxis(value, 1, -1) if last else value)


def _bias_sum(og: np.ndarray, last: bool, dtype: np.dtype) -> np.ndarray:
    """Per-filter sums of the head gradient (BLAS products for float32/float64)."""
    if og.dtype == dtype and og.flags.c_contiguous:
        if last:
            return channel_sums(og.reshape(_prod(og.shape[:-1]), og.shape[-1], 1))
        return channel_sums(og.reshape(og.shape[0], og.shape[1], _prod(og.shape[2:])))
    axis = og.ndim - 1 if last else 1
    return og.sum(axis=tuple(i for i in range(og.ndim) if i != axis), dtype=dtype)


def _add_bias(out: np.ndarray, rows: np.ndarray) -> None:
    """``out (n, F, *space) += bias`` given as :func:`per_channel` rows ``(F, prod(space))``."""
    np.add(out, rows.reshape(out.shape[1:]), out=out)


def _direct(out: np.ndarray, req: str, last: bool, dtype: np.dtype) -> bool:
    """Whether a kernel may compute straight into ``out`` (no staging array)."""
    return not last and writes_directly(out, req, dtype)


def _forward_kernel(op: str, product: Callable, macs: Callable) -> Callable:
    """The forward kernel of Convolution or Deconvolution around ``product(p, x, w, out,
    finish)``, with the batch split over threads (``macs(x, w, out)`` estimates the work)."""

    def kernel(p: Params, ctx, ins, req, outs) -> None:
        if req[0] == NULL:
            return
        last = _layout_last(p, ins[0])
        dtype = _work_dtype(ins[0].dtype, op)
        direct = _direct(outs[0], req[0], last, dtype)
        out = outs[0] if direct else np.empty(_to_cf(outs[0].shape, last), dtype)
        _forward_into(p, product, macs, ins, out, None)
        if not direct:
            _store(outs[0], req[0], out, last)

    kernel.__name__ = f"_{op.lower()}_forward"
    return kernel


def _forward_into(p: Params, product: Callable, macs: Callable, ins: list, out: np.ndarray,
                  epilogue: Callable | None) -> None:
    """The forward product into a channel-first ``out`` in the work dtype, the bias and then
    ``epilogue(chunk, rows)`` applied chunk by chunk (``chunk`` is ``out[rows]``), slices of
    the batch on threads."""
    last = _layout_last(p, ins[0])
    x, w = _cf(ins[0], last), _cf(ins[1], last)
    bias = None if p.no_bias else per_channel(ins[2].astype(out.dtype, copy=False),
                                              _prod(out.shape[2:]))
    finishing = bias is not None or epilogue is not None

    def part(start: int, stop: int) -> None:
        def finish(lo: int, hi: int) -> None:
            rows = slice(start + lo, start + hi)
            if bias is not None:
                _add_bias(out[rows], bias)
            if epilogue is not None:
                epilogue(out[rows], rows)

        product(p, x[start:stop], w, out[start:stop], finish if finishing else None)

    parallel.split(x.shape[0], part, macs(x, w, out))


def fusable_into(p: Params, ins: list, out: np.ndarray) -> bool:
    """Whether :func:`convolution_into` can write this convolution into ``out``: a
    C-contiguous channel-first array in the data's dtype, float32 or float64."""
    return (not _layout_last(p, ins[0]) and out.dtype == ins[0].dtype
            and out.dtype in (np.float32, np.float64) and out.flags.c_contiguous)


def convolution_into(p: Params, ins: list, out: np.ndarray, epilogue: Callable) -> None:
    """Convolution forward of ``ins`` (data, weight[, bias]) written into ``out`` (see
    :func:`fusable_into`), ``epilogue(chunk, rows)`` applied to each chunk ``out[rows]`` of
    samples while it is in cache. Executors fuse inference BatchNorm, a residual sum and relu
    into the convolution through this."""
    _forward_into(p, conv_forward, _conv_macs, ins, out, epilogue)


def _backward_kernel(op: str, grads: Callable, kind: str, macs: Callable) -> Callable:
    """``_backward_<op>(ograd, data, weight)`` -> data, weight (and bias) gradients, the batch
    split over threads; the weight gradient sums the threads' partial sums."""

    def kernel(p: Params, ctx, ins, req, outs) -> None:
        last = _layout_last(p, ins[1])
        dtype = _work_dtype(ins[1].dtype, op)
        og, x, w = (_cf(a, last) for a in ins)
        need_x, need_w = req[0] != NULL, req[1] != NULL
        if need_x or need_w:
            g = conv_geometry(p, kind)
            direct = need_x and _direct(outs[0], req[0], last, dtype)
            dx = outs[0] if direct else np.empty(x.shape, dtype) if need_x else None

            def part(lo: int, hi: int) -> np.ndarray | None:
                return grads(p, g, og[lo:hi], x[lo:hi], w,
                             None if dx is None else dx[lo:hi], need_w, dtype)

            dws = parallel.split(x.shape[0], part, macs(x, w, og) * (need_x + need_w))
            if need_x and not direct:
                _store(outs[0], req[0], dx, last)
            if need_w:
                _store(outs[1], req[1], parallel.total(dws), last)
        if not p.no_bias and req[2] != NULL:
            assign(outs[2], req[2], _bias_sum(ins[0], last, dtype))

    kernel.__name__ = f"_backward_{op.lower()}"
    return kernel


def _conv_macs(x: np.ndarray, w: np.ndarray, out: np.ndarray) -> int:
    return out.size * _prod(w.shape[1:])


def _deconv_macs(x: np.ndarray, w: np.ndarray, out: np.ndarray) -> int:
    return x.size * _prod(w.shape[1:])


# ---- gradients ----------------------------------------------------------------------------------
def _gradient(backward: str, fields: list) -> Callable:
    def rule(g, ograds):
        attrs = {f.name: g.params[f.name] for f in fields}
        grads = g.op(backward, ograds[0], g.input(0), g.input(1), **attrs)
        return list(grads)

    return rule


# ---- the operators ------------------------------------------------------------------------------
def _inputs(p: Params) -> list[str]:
    return ["data", "weight"] if p.no_bias else ["data", "weight", "bias"]


_CONV_DOC = """Compute *N*-D convolution on *(N+2)*-D input.

In the 2-D convolution, given input data with shape *(batch_size, channel, height, width)*,
the output is computed by

.. math::

   out[n,i,:,:] = bias[i] + \\sum_{j=0}^{channel} data[n,j,:,:] \\star weight[i,j,:,:]

where :math:`\\star` is the 2-D cross-correlation operator. The shapes are **data**
*(batch_size, channel, height, width)*, **weight** *(num_filter, channel, kernel[0],
kernel[1])*, **bias** *(num_filter,)* and **out** *(batch_size, num_filter, out_height,
out_width)*, with ``f(x,k,p,s,d) = floor((x+2*p-d*(k-1)-1)/s)+1`` giving
``out_height=f(height, kernel[0], pad[0], stride[0], dilate[0])`` and
``out_width=f(width, kernel[1], pad[1], stride[1], dilate[1])``.

If ``no_bias`` is set to be true, then the ``bias`` term is ignored. The default data
``layout`` is *NCHW*; *NHWC* (and *NDHWC* in 3-D) are accepted too.

If ``num_group`` is larger than 1, denoted by *g*, then split the input ``data`` evenly into
*g* parts along the channel axis, and also evenly split ``weight`` along the first dimension.
Next compute the convolution on the *i*-th part of the data with the *i*-th weight part. The
output is obtained by concatenating all the *g* results.

1-D convolution has data *(batch_size, channel, width)* and weight *(num_filter, channel,
kernel[0])*; 3-D convolution adds a *depth* dimension: data *(batch_size, channel, depth,
height, width)*, weight *(num_filter, channel, kernel[0], kernel[1], kernel[2])*.

Both ``weight`` and ``bias`` are learnable parameters. ``cudnn_tune``, ``cudnn_off`` are
accepted for compatibility; ``workspace`` (MB) bounds the im2col buffer, which sets how many
samples are convolved at once."""

_DECONV_DOC = """Computes 1D, 2D or 3D transposed convolution (aka fractionally strided
convolution) of the input tensor. This operation can be seen as the gradient of Convolution
operation with respect to its input. Convolution usually reduces the size of the input.
Transposed convolution works the other way, going from a smaller input to a larger output while
preserving the connectivity pattern.

The output extent is ``stride*(x-1) + dilate*(kernel-1) + 1 - 2*pad + adj``; ``target_shape``
sets it directly (``pad`` and ``adj`` are then derived). The weight has shape *(channel,
num_filter/num_group, *kernel)*; the bias, present only with ``no_bias=False``, *(num_filter,)*."""

register(
    "Convolution", inputs=_inputs, arg_names=("data", "weight", "bias"), fields=CONV_FIELDS,
    infer_shape=_conv_shape, infer_type=_conv_type, validate=conv_geometry,
    forward=_forward_kernel("Convolution", conv_forward, _conv_macs), splits_batch=True,
    per_sample=[0],
    gradient=_gradient("_backward_Convolution", CONV_FIELDS), doc=_CONV_DOC)

register(
    "_backward_Convolution", inputs=["ograd", "data", "weight"], fields=CONV_FIELDS,
    outputs=lambda p: 2 if p.no_bias else 3, infer_shape=_backward_shape,
    infer_type=_backward_type,
    forward=_backward_kernel("Convolution", _grads, "convolution", _conv_macs),
    splits_batch=True,
    doc="Gradient of Convolution with respect to data, weight and (unless no_bias) bias.")

register(
    "Deconvolution", inputs=_inputs, arg_names=("data", "weight", "bias"),
    fields=DECONV_FIELDS, infer_shape=_deconv_shape, infer_type=_conv_type,
    validate=lambda p: conv_geometry(p, "deconvolution"),
    forward=_forward_kernel("Deconvolution", _deconv_forward, _deconv_macs), splits_batch=True,
    per_sample=[0],
    gradient=_gradient("_backward_Deconvolution", DECONV_FIELDS), doc=_DECONV_DOC)

register(
    "_backward_Deconvolution", inputs=["ograd", "data", "weight"], fields=DECONV_FIELDS,
    outputs=lambda p: 2 if p.no_bias else 3, infer_shape=_backward_shape,
    infer_type=_backward_type,
    forward=_backward_kernel("Deconvolution", _deconv_grads, "deconvolution",
                             _deconv_macs), splits_batch=True,
    doc="Gradient of Deconvolution with respect to data, weight and (unless no_bias) bias.")
