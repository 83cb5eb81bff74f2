"""Convolution / Deconvolution: values and gradients recorded from MXNet 1.9.1, shape inference
(complete, partial, errors), parameters, JSON attributes and the kernel's internal layouts
(symnet/ops/defs/conv.py). Naive-loop references live in cases_conv.py."""
from __future__ import annotations

import json

import numpy as np
import pytest

import symnet as mx
from symnet.base import MXNetError
from symnet.ops.defs import conv as conv_mod
from symnet.ops.kernel import OpContext
from symnet.ops.registry import get_op

from .cases_conv import naive_conv, naive_conv_grads, naive_deconv, naive_deconv_grads


def ints(shape, mod, off):
    return (np.arange(int(np.prod(shape))) % mod - off).reshape(shape).astype("float32")


# ---- values recorded from MXNet 1.9.1 ----------------------------------------------------------
# Recorded with (oracle; the target_shape case with MXNET_MKLDNN_ENABLED=0, as MKLDNN 1.9.1
# refuses every Deconvolution with target_shape: "could not create a descriptor"):
#   def ints(shape, mod, off):
#       return (np.arange(int(np.prod(shape))) % mod - off).reshape(shape).astype('float32')
#   names = ['data', 'weight', 'bias'][:len(shapes)]
#   arrs = {n: ints(s, m, o) for n, s, (m, o) in zip(names, shapes, [(5, 2), (3, 1), (4, 1)])}
#   sym = getattr(mx.sym, op)(*[mx.sym.var(n) for n in names], **attrs)
#   grads = {n: mx.nd.zeros(a.shape) for n, a in arrs.items()}
#   ex = sym.bind(mx.cpu(), {n: mx.nd.array(a) for n, a in arrs.items()}, args_grad=grads)
#   out = ex.forward(is_train=True)[0]
#   ex.backward([mx.nd.array(ints(out.shape, 3, 1))])
#   print(out.shape, out.asnumpy().astype(int).ravel().tolist(),
#         [grads[n].asnumpy().astype(int).ravel().tolist() for n in names])
RECORDED = [
    ("Convolution", [(1, 2, 4, 4), (2, 2, 3, 3), (2,)],
     dict(kernel=(3, 3), num_filter=2, stride=(2, 2), pad=(1, 1)), (1, 2, 2, 2),
     [-5, 7, -1, -4, -4, 8, 0, -3],
     [[0, -2, 0, 1, 0, -1, 0, 0, 0, 1, 0, -1, 0, 1, 0, -1, 0, -2, 0, 1, 0, -1, 0, 0, 0, 1, 0,
       -1, 0, 1, 0, -1],
      [2, 3, -2, -2, 5, 4, -1, -4, 5, 1, -2, -2, 2, 4, -2, -2, 5, 4, 0, -2, 2, -1, -1, -1, -2,
       -1, -1, 0, 2, 1, 0, -1, 4, -1, -1, -1],
      [-1, 0]]),
    ("Convolution", [(2, 4, 7), (4, 2, 2)],
     dict(kernel=(2,), num_filter=4, num_group=2, dilate=(2,), no_bias=True), (2, 4, 5),
     [0, 4, 3, -3, -4, 0, 0, 0, 0, 0, 4, 0, -4, -3, 3, -4, 0, 4, 3, -3, -3, -4, 0, 4, 3, 0, 0,
      0, 0, 0, -3, 3, 4, 0, -4, 3, -3, -4, 0, 4],
     [[1, 0, 0, 0, 0, 1, -1, -2, 1, 2, -2, 0, 1, 0, 1, 1, -2, 0, 2, 0, -1, -1, 0, 2, 0, -2, 1,
       1, -1, 1, 0, 0, 0, 0, 1, 1, -2, 0, 2, -2, -1, 1, -2, 1, 2, -2, 0, 1, 0, 1, -1, -2, 2, 0,
       -2, 1],
      [-1, 2, 2, -5, 2, -1, -1, 1, 4, -6, -6, 4, -5, 3, 3, 1]]),
    ("Convolution", [(1, 1, 3, 3, 3), (2, 1, 2, 2, 2), (2,)],
     dict(kernel=(2, 2, 2), num_filter=2, stride=(1, 2, 1), pad=(0, 1, 0)), (1, 2, 2, 2, 2),
     [-4, 0, 0, -1, 2, -4, -4, 0, 3, -1, -2, 3, -3, 3, 3, -2],
     [[-1, 2, -1, -1, 2, -1, 1, -2, 2, 2, -2, 0, 2, -2, 0, -2, 4, -2, -1, 0, 0, -1, 0, 0, 2,
       -2, 1],
      [-1, 3, 1, 0, 0, -1, -3, 1, 1, -3, -4, 1, 0, 1, 6, -4],
      [-1, 0]]),
    ("Deconvolution", [(1, 2, 3, 3), (2, 1, 3, 3), (1,)],
     dict(kernel=(3, 3), num_filter=1, stride=(2, 2), pad=(1, 1), adj=(1, 1), no_bias=False),
     (1, 1, 6, 6),
     [-1, 2, -1, -3, -1, -2, -1, 0, -1, 0, -1, -2, -1, -3, -1, 2, -1, -1, -1, -5, -1, 0, -1, 0,
      -1, -3, -1, -3, -1, 0, -1, -3, -1, -3, -1, 0],
     [[0, -2, 4, 0, -3, 6, 0, -3, 6, 0, -2, 4, 0, -3, 6, 0, -3, 6],
      [1, 2, -3, 1, 3, -2, 1, 3, -2, -2, 2, 2, -1, -2, 3, -1, -2, 3],
      [0]]),
    ("Deconvolution", [(1, 1, 3, 3), (1, 2, 4, 4)],
     dict(kernel=(4, 4), num_filter=2, stride=(2, 2), target_shape=(7, 6)), (1, 2, 7, 6),
     [-2, 2, -1, 1, 0, 0, 2, -2, -2, 4, -3, -2, 1, -2, 4, -3, -1, 2, -1, 1, 0, -3, 4, 1, -1, 0,
      -1, 4, -1, -3, 1, 0, -1, 1, -1, 0, 0, -1, 1, -1, 0, 1, 2, -1, -1, 0, -1, 0, 1, -2, 4, -3,
      -1, 2, -3, 4, -2, -1, 4, 0, -1, 0, -1, 4, -1, -3, 2, -1, 1, -1, -3, 2, 0, -1, 1, -1, 0, 1,
      -1, 1, 0, 0, 1, -1],
     [[0, 0, 0, -2, 1, 1, -2, 1, 1],
      [1, 2, -3, 0, 1, 3, -2, -2, 1, 3, -2, -2, 1, 3, -2, -2, 1, 2, -3, 0, 1, 3, -2, -2, 1, 3,
       -2, -2, 1, 3, -2, -2]]),
    ("Deconvolution", [(2, 4, 3), (4, 1, 3)],
     dict(kernel=(3,), num_filter=2, num_group=2, dilate=(2,)), (2, 2, 7),
     [1, -1, 2, 0, -1, 1, -2, -1, 2, 0, 0, 1, -2, 0, 2, 0, -2, 0, -2, 0, 2, 0, -2, 1, 0, 0, 2,
      -1],
     [[1, 1, -2, 1, 1, -2, 1, -2, 1, 1, -2, 1, -2, 1, 1, -2, 1, 1, 1, 1, -2, 1, 1, -2],
      [1, -2, 1, -4, -2, 6, -4, 1, 3, 1, -4, 3]]),
]


@pytest.mark.parametrize("op,shapes,attrs,out_shape,out,grads", RECORDED,
                         ids=[f"{r[0]}-{i}" for i, r in enumerate(RECORDED)])
def test_recorded_forward_and_backward(op, shapes, attrs, out_shape, out, grads):
    names = ["data", "weight", "bias"][:len(shapes)]
    arrays = {n: ints(s, m, o) for n, s, (m, o) in zip(names, shapes, [(5, 2), (3, 1), (4, 1)])}
    sym = getattr(mx.sym, op)(*[mx.sym.var(n) for n in names], **attrs)
    args = {n: mx.nd.array(a) for n, a in arrays.items()}
    grad_arrays = {n: mx.nd.zeros(a.shape) for n, a in arrays.items()}
    exe = sym.bind(mx.cpu(), args, args_grad=grad_arrays)
    result = exe.forward(is_train=True)[0]
    assert result.shape == out_shape
    np.testing.assert_array_equal(result.asnumpy().ravel(), out)
    exe.backward([mx.nd.array(ints(out_shape, 3, 1))])
    for name, expected in zip(names, grads):
        np.testing.assert_array_equal(grad_arrays[name].asnumpy().ravel(), expected, name)


# ---- shapes: complete inference recorded from the oracle ----------------------------------------
def shapes(op: str, data, **attrs):
    sym = getattr(mx.sym, op)(mx.sym.var("data"), name="c", **attrs)
    arg, out, _ = sym.infer_shape(data=data)
    return arg, out[0]


@pytest.mark.parametrize("op,attrs,data,args,out", [
    ("Convolution", dict(kernel=(3, 3), num_filter=8), (2, 3, 8, 8),
     [(2, 3, 8, 8), (8, 3, 3, 3), (8,)], (2, 8, 6, 6)),
    ("Convolution", dict(kernel=(3,), num_filter=4), (2, 3, 8), [(2, 3, 8), (4, 3, 3), (4,)],
     (2, 4, 6)),
    ("Convolution", dict(kernel=(3, 3, 3), num_filter=4), (2, 3, 5, 6, 7),
     [(2, 3, 5, 6, 7), (4, 3, 3, 3, 3), (4,)], (2, 4, 3, 4, 5)),
    ("Convolution", dict(kernel=(3, 3), num_filter=4, dilate=(2, 2), stride=(2, 3), pad=(1, 2)),
     (2, 3, 9, 10), [(2, 3, 9, 10), (4, 3, 3, 3), (4,)], (2, 4, 4, 4)),
    ("Convolution", dict(kernel=(3, 3), num_filter=6, num_group=3, no_bias=True), (2, 3, 5, 5),
     [(2, 3, 5, 5), (6, 1, 3, 3)], (2, 6, 3, 3)),
    ("Convolution", dict(kernel=(3, 3), num_filter=4, layout="NHWC"), (2, 8, 8, 3),
     [(2, 8, 8, 3), (4, 3, 3, 3), (4,)], (2, 6, 6, 4)),
    ("Convolution", dict(kernel=(3, 3, 3), num_filter=6, layout="NDHWC"), (2, 5, 6, 7, 3),
     [(2, 5, 6, 7, 3), (6, 3, 3, 3, 3), (6,)], (2, 3, 4, 5, 6)),
    ("Convolution", dict(kernel=(3, 3), pad=(-1, 0), num_filter=3), (1, 2, 5, 5),
     [(1, 2, 5, 5), (3, 2, 3, 3), (3,)], (1, 3, 1, 3)),
    ("Deconvolution", dict(kernel=(3, 3), num_filter=8), (2, 3, 8, 8),
     [(2, 3, 8, 8), (3, 8, 3, 3)], (2, 8, 10, 10)),
    ("Deconvolution", dict(kernel=(3, 3), num_filter=8, no_bias=False), (2, 3, 8, 8),
     [(2, 3, 8, 8), (3, 8, 3, 3), (8,)], (2, 8, 10, 10)),
    ("Deconvolution", dict(kernel=(3, 3), num_filter=8, stride=(2, 2), pad=(1, 1), adj=(1, 1)),
     (2, 3, 8, 8), [(2, 3, 8, 8), (3, 8, 3, 3)], (2, 8, 16, 16)),
    ("Deconvolution", dict(kernel=(4, 4), num_filter=8, stride=(2, 2), target_shape=(17, 17)),
     (2, 3, 8, 8), [(2, 3, 8, 8), (3, 8, 4, 4)], (2, 8, 17, 17)),
    ("Deconvolution", dict(kernel=(4, 4), num_filter=8, stride=(2, 2), target_shape=(15, 15)),
     (2, 3, 8, 8), [(2, 3, 8, 8), (3, 8, 4, 4)], (2, 8, 15, 15)),
    ("Deconvolution", dict(kernel=(3, 3), num_filter=8, stride=(2, 2), target_shape=(16, 16),
                           pad=(3, 3), adj=(1, 1)),
     (2, 3, 8, 8), [(2, 3, 8, 8), (3, 8, 3, 3)], (2, 8, 16, 16)),
    ("Deconvolution", dict(kernel=(4, 4), num_filter=6, stride=(2, 2), target_shape=(17, 16),
                           adj=(0, 0), pad=(0, 0)),
     (2, 3, 8, 8), [(2, 3, 8, 8), (3, 6, 4, 4)], (2, 6, 17, 16)),
    ("Deconvolution", dict(kernel=(3, 3), num_filter=6, dilate=(2, 2), stride=(2, 2),
                           target_shape=(18, 18)),
     (2, 3, 8, 8), [(2, 3, 8, 8), (3, 6, 3, 3)], (2, 6, 18, 18)),
    ("Deconvolution", dict(kernel=(3, 3), num_filter=4, target_shape=(5, 5, 5)), (2, 3, 5, 5),
     [(2, 3, 5, 5), (3, 4, 3, 3)], (2, 4, 5, 5)),
    ("Deconvolution", dict(kernel=(3, 3), num_filter=8, stride=(2, 2), target_shape=(0, 16)),
     (2, 3, 8, 8), [(2, 3, 8, 8), (3, 8, 3, 3)], (2, 8, 0, 16)),
    ("Deconvolution", dict(kernel=(3, 3), num_filter=6, num_group=3), (2, 3, 8, 8),
     [(2, 3, 8, 8), (3, 2, 3, 3)], (2, 6, 10, 10)),
    ("Deconvolution", dict(kernel=(3, 3), num_filter=6, pad=(2, 2)), (2, 3, 2, 2),
     [(2, 3, 2, 2), (3, 6, 3, 3)], (2, 6, 0, 0)),
    ("Deconvolution", dict(kernel=(3,), num_filter=6), (2, 3, 8), [(2, 3, 8), (3, 6, 3)],
     (2, 6, 10)),
    ("Deconvolution", dict(kernel=(3, 3, 3), num_filter=6), (2, 3, 4, 5, 6),
     [(2, 3, 4, 5, 6), (3, 6, 3, 3, 3)], (2, 6, 6, 7, 8)),
    ("Deconvolution", dict(kernel=(3, 3), num_filter=6, layout="NHWC"), (2, 8, 8, 3),
     [(2, 8, 8, 3), (3, 3, 3, 6)], (2, 10, 10, 6)),
])
def test_shapes_recorded(op, attrs, data, args, out):
    assert shapes(op, data, **attrs) == (args, out)


# ---- partial shapes (0 = unknown in the API), recorded from the oracle --------------------------
def partial(sym, **given):
    args, outs, _ = sym.infer_shape_partial(**given)
    return args, outs


def conv(**attrs):
    return mx.sym.Convolution(mx.sym.var("data"), name="c", **attrs)


def deconv(**attrs):
    return mx.sym.Deconvolution(mx.sym.var("data"), name="c", **attrs)


@pytest.mark.parametrize("sym,given,args,outs", [
    (conv(kernel=(3, 3), num_filter=8), dict(data=(0, 3, 8, 8)),
     [(0, 3, 8, 8), (8, 3, 3, 3), (8,)], [(0, 8, 6, 6)]),
    (conv(kernel=(3, 3), num_filter=8), dict(data=(2, 3, 0, 8)),
     [(2, 3, 0, 8), (8, 3, 3, 3), (8,)], [(2, 8, 0, 6)]),
    (conv(kernel=(3, 3), num_filter=8), dict(data=(2, 0, 8, 8)),
     [(2, 0, 8, 8), (8, 0, 3, 3), (8,)], [(2, 8, 6, 6)]),
    (conv(kernel=(3, 3), num_filter=8), dict(c_weight=(8, 3, 3, 3)),
     [(), (8, 3, 3, 3), ()], [()]),
    (conv(kernel=(3, 3), num_filter=4, num_group=2),
     dict(data=(1, 0, 5, 5), c_weight=(4, 3, 3, 3)),
     [(1, 0, 5, 5), (4, 3, 3, 3), (4,)], [(1, 4, 3, 3)]),
    (deconv(kernel=(3, 3), num_filter=6), dict(data=(0, 3, 8, 8)),
     [(0, 3, 8, 8), (3, 6, 3, 3)], [(0, 6, 10, 10)]),
    (deconv(kernel=(3, 3), num_filter=6), dict(data=(2, 3, 0, 8)),
     [(2, 3, 0, 8), (3, 6, 3, 3)], [(2, 6, 0, 10)]),
    (deconv(kernel=(3, 3), num_filter=6), dict(data=(2, 0, 8, 8)),
     [(2, 0, 8, 8), (0, 6, 3, 3)], [(2, 6, 10, 10)]),
    (deconv(kernel=(3, 3), num_filter=6), dict(c_weight=(3, 6, 3, 3)),
     [(), (3, 6, 3, 3)], [()]),
])
def test_partial_shapes_recorded(sym, given, args, outs):
    assert partial(sym, **given) == (args, outs)


@pytest.mark.parametrize("make,attrs,data,expected_data", [
    # Convolution fills the batch, and the extents of stride-1 axes, back from its output.
    (conv, dict(kernel=(3, 3), num_filter=4), (0, 3, 0, 0), (2, 3, 7, 7)),
    (conv, dict(kernel=(3, 3), num_filter=4, stride=(2, 1)), (0, 3, 0, 0), (2, 3, 0, 7)),
    (conv, dict(kernel=(3,), num_filter=4), (0, 3, 0), (2, 3, 7)),
    (conv, dict(kernel=(3, 3, 3), num_filter=4), (0, 3, 0, 0, 0), (2, 3, 7, 7, 7)),
    (conv, dict(kernel=(3, 3), num_filter=4, pad=(1, 2), dilate=(2, 2)), (0, 3, 0, 0),
     (2, 3, 7, 5)),
    # Deconvolution does not.
    (deconv, dict(kernel=(3, 3), num_filter=4), (0, 3, 0, 0), (0, 3, 0, 0)),
])
def test_data_from_output_recorded(make, attrs, data, expected_data):
    z = mx.sym.var("z")
    out = (2, 4) + (5,) * (len(data) - 2)
    args, outs = partial(mx.sym.elemwise_add(make(**attrs), z), z=out, data=data)
    assert args[0] == expected_data and outs == [out]


def test_partial_output_mismatch_is_an_error():
    z = mx.sym.var("z")
    with pytest.raises(MXNetError, match="inconsistent|Incompatible"):
        mx.sym.elemwise_add(conv(kernel=(3, 3), num_filter=4), z).infer_shape_partial(
            z=(2, 4, 5, 5), data=(0, 3, 8, 8))


# ---- errors, with MXNet's wording ---------------------------------------------------------------
@pytest.mark.parametrize("make,attrs,data,text", [
    (conv, dict(kernel=(3, 3), num_filter=8), (2, 3, 2, 8),
     r"dilated_ksize_y <= AddPad\(dshape\[2\], param_.pad\[0\]\) \(3 vs. 2\) : kernel size "
     r"exceed input"),
    (conv, dict(kernel=(3, 3), num_filter=6), (2, 3, 5, 2),
     r"dilated_ksize_x <= AddPad\(dshape\[3\], param_.pad\[1\]\) \(3 vs. 2\)"),
    (conv, dict(kernel=(3, 3, 3), num_filter=6), (2, 3, 2, 5, 5), r"dilated_ksize_d <= AddPad"),
    (conv, dict(kernel=(3,), num_filter=6), (2, 3, 2), r"dilated_ksize_x <= AddPad\(dshape\[2\]"),
    (conv, dict(kernel=(3, 3), num_filter=8, num_group=2), (2, 3, 8, 8),
     r"dshape\[1\] % param_.num_group == 0U \(1 vs. 0\) : input num_filter must divide group"),
    (conv, dict(kernel=(3, 3), num_filter=3, num_group=2), (2, 4, 8, 8),
     r"param_.num_filter % param_.num_group == 0U \(1 vs. 0\) : output num_filter must"),
    (conv, dict(kernel=(3, 3), num_filter=8), (2, 3, 8),
     r"dshp.ndim\(\) == 4U \(3 vs. 4\) : Input data should be 4D in batch-num_filter-y-x"),
    (conv, dict(kernel=(3,), num_filter=8), (2, 3, 8, 8), r"should be 3D in batch-num_filter-x"),
    (conv, dict(kernel=(3, 3, 3), num_filter=8), (2, 3, 8, 8),
     r"should be 5D in batch-num_filter-depth-y-x"),
    (conv, dict(kernel=(3, 3), stride=(2,), num_filter=8), (2, 3, 8, 8),
     r"Stride must have the same number of dimensions with kernel_size,but kernel_size is set "
     r"to \[3,3\] while stride is \[2\]"),
    (conv, dict(kernel=(3, 3), pad=(1,), num_filter=8), (2, 3, 8, 8),
     r"Padding must .* while padding is \[1\]"),
    (conv, dict(kernel=(3, 3), dilate=(1, 2, 3), num_filter=8), (2, 3, 8, 8),
     r"\(2 vs. 3\) : Dilate must .* while dilate is \[1,2,3\]"),
    (conv, dict(kernel=(3, 3, 3, 3), num_filter=8), (2, 3, 8, 8, 8, 8),
     r"\(4 vs. 3\) : 4D convolution not supported"),
    (conv, dict(kernel=(), num_filter=8), (2, 3, 8, 8), r"0D convolution not supported"),
    (conv, dict(kernel=(3, 3), stride=(0, 1), num_filter=4), (2, 3, 8, 8),
     r"incorrect stride size: \[0,1\]"),
    (conv, dict(kernel=(3, 3), dilate=(0, 1), num_filter=4), (2, 3, 8, 8),
     r"incorrect dilate size: \[0,1\]"),
    (conv, dict(kernel=(0, 3), num_filter=4), (2, 3, 8, 8), r"incorrect kernel size: \[0,3\]"),
    (conv, dict(kernel=(3, 3), num_filter=4, layout="NCW"), (2, 3, 8, 8),
     r"Invalid layout for 4d shape"),
    (deconv, dict(kernel=(3, 3), num_filter=8, stride=(2, 2), pad=(1, 1), adj=(2, 2)),
     (2, 3, 8, 8), r"param_.stride\[0\]-1 >= o_adj\[0\] \(1 vs. 2\) : adj\(y\) must be samller "
                   r"than stride\[0\]"),
    (deconv, dict(kernel=(3, 3), num_filter=6, stride=(2, 2), adj=(0, 2)), (2, 3, 4, 5),
     r"stride\[1\]-1 >= o_adj\[1\] \(1 vs. 2\) : adj\(x\) must be samller than stride\[1\]"),
    (deconv, dict(kernel=(3,), num_filter=6, adj=(1,)), (2, 3, 8), r"adj\(x\) must be samller"),
    (deconv, dict(kernel=(3, 3, 3), num_filter=6, adj=(1, 1, 1)), (2, 3, 4, 5, 6),
     r"adj\(d\) must be samller than stride\[0\]"),
    (deconv, dict(kernel=(4, 4), num_filter=8, stride=(2, 2), target_shape=(20, 20)),
     (2, 3, 8, 8), r"o_pad\[i\] >= target_shape\[i\] \(18 vs. 20\) : too big target shape"),
    (deconv, dict(kernel=(3, 3), num_filter=8, stride=(2, 2), target_shape=(16,)),
     (2, 3, 8, 8), r"index = 1 must be in range \[0, 1\)"),
    (deconv, dict(kernel=(3, 3), num_filter=8, num_group=3), (2, 3, 8, 8),
     r"param_.num_filter % param_.num_group == 0U \(2 vs. 0\) : output num_filter"),
    (deconv, dict(kernel=(3, 3), num_filter=6, num_group=2), (2, 3, 8, 8),
     r"dshape_nchw\[1\] % param_.num_group == 0U \(1 vs. 0\) : input num_filter"),
    (deconv, dict(kernel=(3, 3), num_filter=6, pad=(3, 3)), (2, 3, 2, 2),
     r"dim_size >= -1 \(-2 vs. -1\) : shape dim size must be >= -1, while received -2"),
    (deconv, dict(kernel=(3, 3), num_filter=6), (2, 3, 5), r"dshape.ndim\(\) == 4U \(3 vs. 4\)"),
    (deconv, dict(kernel=(3, 3), num_filter=4, adj=(2,)), (2, 3, 8, 8),
     r"Adjustment must .* while adjustment is \[2\]"),
    (deconv, dict(kernel=(3, 3, 3, 3), num_filter=4), (2, 3, 5, 5, 5, 5),
     r"4D deconvolution not supported"),
])
def test_shape_errors(make, attrs, data, text):
    with pytest.raises(MXNetError, match=text):
        make(**attrs).infer_shape(data=data)


def test_inconsistent_weight_and_bias():
    with pytest.raises(MXNetError, match=r"Provided = \[8,4,3,3\], inferred shape=\(8,3,3,3\)"):
        conv(kernel=(3, 3), num_filter=8).infer_shape(data=(2, 3, 8, 8), c_weight=(8, 4, 3, 3))
    # MXNet prints the 1-D shape as (8,); symnet's core message prints (8)
    with pytest.raises(MXNetError, match=r"Provided = \[7\], inferred shape=\(8,?\)"):
        conv(kernel=(3, 3), num_filter=8).infer_shape(data=(2, 3, 8, 8), c_bias=(7,))
    with pytest.raises(MXNetError, match=r"Provided = \[3,5,3,3\], inferred shape=\(3,6,3,3\)"):
        deconv(kernel=(3, 3), num_filter=6).infer_shape(data=(2, 3, 8, 8), c_weight=(3, 5, 3, 3))


# ---- parameters ---------------------------------------------------------------------------------
@pytest.mark.parametrize("op,attrs,text", [
    ("Convolution", dict(num_filter=4), r"Required parameter kernel of Shape\(tuple\) is not "
                                        r"presented"),
    ("Convolution", dict(kernel=(3, 3)), r"Required parameter num_filter of int \(non-negative\)"),
    ("Convolution", dict(kernel=(3, 3), num_filter=0),
     r"value 0 for Parameter num_filter should be greater equal to 1"),
    ("Deconvolution", dict(kernel=(3, 3), num_filter=0),
     r"value 0 for Parameter num_filter should be greater equal to 1"),
    ("Convolution", dict(kernel=(3, 3), num_filter=4, cudnn_tune="bad"),
     r"Invalid Input: 'bad', valid values are: \{None, 'fastest', 'limited_workspace', 'off'\}"),
    ("Convolution", dict(kernel=(3, 3), num_filter=4, layout="bad"),
     r"valid values are: \{None, 'NCDHW', 'NCHW', 'NCW', 'NDHWC', 'NHWC'\}"),
    ("Convolution", dict(kernel=(3, 3), num_filter=4, workspace="abc"),
     r"Invalid Parameter format for workspace expect long \(non-negative\) but value='abc'"),
    ("Convolution", dict(kernel="abc", num_filter=4),
     r"Invalid Parameter format for kernel expect Shape\(tuple\) but value='abc'"),
    ("Convolution", dict(kernel=(3, 3), num_filter=4, no_bias="maybe"),
     r"Invalid Parameter format for no_bias expect boolean but value='maybe'"),
])
def test_parameter_errors(op, attrs, text):
    with pytest.raises(MXNetError, match=text):
        getattr(mx.sym, op)(mx.sym.var("data"), **attrs)


def test_unknown_argument_lists_the_parameters_like_mxnet():
    with pytest.raises(MXNetError) as err:
        mx.sym.Deconvolution(mx.sym.var("data"), kernel=(3, 3), num_filter=4, foo=1)
    text = str(err.value)
    for line in ["kernel : Shape(tuple), required", "stride : Shape(tuple), optional, default=[]",
                 "adj : Shape(tuple), optional, default=[]",
                 "target_shape : Shape(tuple), optional, default=[]",
                 "num_filter : int (non-negative), required",
                 "num_group : int (non-negative), optional, default=1",
                 "workspace : long (non-negative), optional, default=512",
                 "cudnn_tune : {None, 'fastest', 'limited_workspace', 'off'},optional, "
                 "default='None'",
                 "layout : {None, 'NCDHW', 'NCHW', 'NCW', 'NDHWC', 'NHWC'},optional, "
                 "default='None'"]:
        assert line in text


def test_defaults_and_inputs():
    assert get_op("Convolution").parse({"kernel": "(3, 3)", "num_filter": "8"}) == {
        "kernel": (3, 3), "num_filter": 8, "stride": (), "dilate": (), "pad": (),
        "num_group": 1, "workspace": 1024, "no_bias": False, "cudnn_tune": None,
        "cudnn_off": False, "layout": None}
    params = get_op("Deconvolution").parse({"kernel": "(2,)", "num_filter": "3"})
    assert params.no_bias is True and params.workspace == 512 and params.adj == ()
    data = mx.sym.var("data")
    assert mx.sym.Convolution(data, kernel=(3, 3), num_filter=2, no_bias=True,
                              name="c").list_arguments() == ["data", "c_weight"]
    assert mx.sym.Deconvolution(data, kernel=(3, 3), num_filter=2,
                                name="d").list_arguments() == ["data", "d_weight"]
    assert mx.sym.Deconvolution(data, kernel=(3, 3), num_filter=2, no_bias=False,
                                name="d").list_arguments() == ["data", "d_weight", "d_bias"]
    assert mx.sym.Convolution(kernel=(3, 3), num_filter=2, name="cx").list_arguments() == \
        ["cx_data", "cx_weight", "cx_bias"]


def test_json_attrs_match_example_b():
    """Spec 1.5 example B: the conv1 node's attrs, shared by its weight and bias variables."""
    sym = mx.sym.Convolution(mx.sym.var("data"), kernel=(3, 3), num_filter=8, pad=(1, 1),
                             name="conv1")
    nodes = json.loads(sym.tojson())["nodes"]
    attrs = {"kernel": "(3, 3)", "num_filter": "8", "pad": "(1, 1)"}
    assert nodes[0] == {"op": "null", "name": "data", "inputs": []}
    assert nodes[1] == {"op": "null", "name": "conv1_weight", "attrs": attrs, "inputs": []}
    assert nodes[2] == {"op": "null", "name": "conv1_bias", "attrs": attrs, "inputs": []}
    assert nodes[3] == {"op": "Convolution", "name": "conv1", "attrs": attrs,
                        "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]}
    loaded = mx.sym.load_json(sym.tojson())
    assert loaded.infer_shape(data=(2, 3, 8, 8))[1] == [(2, 8, 8, 8)]


def test_attribute_strings_as_given():
    """MXNet stores str() of what was passed (oracle: list_attr)."""
    sym = mx.sym.Convolution(mx.sym.var("d"), kernel=[3, 3], num_filter=3, stride=(1, 1),
                             cudnn_tune=None, cudnn_off=False, layout=None, no_bias=False)
    assert sym.list_attr() == {"kernel": "[3, 3]", "num_filter": "3", "stride": "(1, 1)",
                               "cudnn_tune": "None", "cudnn_off": "False", "layout": "None",
                               "no_bias": "False"}


# ---- dtypes -------------------------------------------------------------------------------------
def test_types():
    sym = conv(kernel=(3, 3), num_filter=4)
    assert sym.infer_type(data="float16")[1] == [np.float16]
    assert sym.infer_type(data="int32")[0] == [np.int32] * 3  # as MXNet: refused at run time
    with pytest.raises(MXNetError, match=r"\(1 vs. 0\) : This layer requires uniform type. "
                                         r"Expected 'float32' v.s. given 'float64' at 'weight'"):
        sym.infer_type(data="float32", c_weight="float64")
    with pytest.raises(MXNetError, match="only support floating point types, not int32"):
        mx.nd.Convolution(mx.nd.ones((1, 1, 3, 3), dtype="int32"),
                          mx.nd.ones((1, 1, 2, 2), dtype="int32"),
                          mx.nd.ones((1,), dtype="int32"), kernel=(2, 2), num_filter=1)


# ---- kernel internals ---------------------------------------------------------------------------
LAYOUT_CONFIGS = [
    ("Convolution", (3, 4, 6, 5), (6, 2, 3, 2), dict(kernel=(3, 2), num_filter=6, num_group=2,
                                                     stride=(2, 1), pad=(1, 1), dilate=(1, 2))),
    ("Convolution", (3, 2, 5, 4, 4), (2, 2, 2, 2, 2), dict(kernel=(2, 2, 2), num_filter=2,
                                                           pad=(1, 0, 1), no_bias=True)),
    ("Deconvolution", (3, 4, 3, 3), (4, 1, 3, 3), dict(kernel=(3, 3), num_filter=2,
                                                       num_group=2, stride=(2, 2), adj=(1, 0),
                                                       pad=(1, 1), no_bias=False)),
    ("Deconvolution", (3, 2, 4), (2, 3, 3), dict(kernel=(3,), num_filter=3, dilate=(2,),
                                                 stride=(3,), target_shape=(12,))),
]


def _run_both(op_name, data_shape, weight_shape, attrs):
    """Forward and backward of the kernels, directly, for random inputs."""
    rng = np.random.default_rng(1)
    op, bop = get_op(op_name), get_op(f"_backward_{op_name}")
    p, bp = op.parse(attrs), bop.parse(attrs)
    arrays = [rng.uniform(-1, 1, data_shape), rng.uniform(-1, 1, weight_shape)]
    if not p.no_bias:
        arrays.append(rng.uniform(-1, 1, (p.num_filter,)))
    shape = op.shapes(p, [a.shape for a in arrays], [None])[1][0]
    out = np.zeros(shape)
    op.forward(p, OpContext(), arrays, ["write"], [out])
    og = rng.uniform(-1, 1, shape)
    grads = [np.zeros(a.shape) for a in arrays]
    bop.forward(bp, OpContext(), [og, arrays[0], arrays[1]], ["write"] * len(grads), grads)
    return arrays, og, [out] + grads


@pytest.mark.parametrize("config", LAYOUT_CONFIGS, ids=lambda c: c[0])
def test_batch_first_and_batch_last_agree(monkeypatch, config):
    """Both internal layouts (and one-sample chunks) give the naive loops' values."""
    op_name, data_shape, weight_shape, attrs = config
    naive, naive_grads = ((naive_conv, naive_conv_grads) if op_name == "Convolution"
                          else (naive_deconv, naive_deconv_grads))
    results = []
    for below, rows, workspace in ((0, 10 ** 9, 1024), (10 ** 9, 0, 1024), (10 ** 9, 0, 0)):
        monkeypatch.setattr(conv_mod, "_BATCH_LAST_BELOW", below)
        monkeypatch.setattr(conv_mod, "_BATCH_LAST_ROWS", rows)
        arrays, og, outs = _run_both(op_name, data_shape, weight_shape,
                                     {**attrs, "workspace": workspace})
        results.append(outs)
    bias = arrays[2] if len(arrays) > 2 else None
    expected = [naive(arrays[0], arrays[1], bias, attrs)]
    expected += list(naive_grads(og, arrays[0], arrays[1], attrs))[:len(arrays)]
    for outs in results:
        for got, want in zip(outs, expected):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


SHIFT_CONFIGS = [  # (data, weight, attrs, row-shifted: forward, data grad, weight grad)
    ((2, 16, 3, 17), (3, 16, 3, 3), dict(kernel=(3, 3), num_filter=3, pad=(1, 1)),
     (True, False, True)),
    ((2, 16, 4, 16), (16, 16, 3, 3), dict(kernel=(3, 3), num_filter=16, pad=(1, 1),
                                          no_bias=True), (True, True, True)),
    ((2, 16, 3, 16), (24, 16, 2, 3), dict(kernel=(2, 3), num_filter=24, dilate=(2, 1),
                                          pad=(1, 1)), (False, True, False)),
    ((2, 8, 5, 20), (2, 8, 6, 2), dict(kernel=(6, 2), num_filter=2, dilate=(1, 2),
                                       pad=(2, 1), no_bias=True), (True, False, False)),
    ((1, 16, 3, 32), (2, 16, 3, 3), dict(kernel=(3, 3), num_filter=2, dilate=(1, 2),
                                         pad=(1, 2)), (True, False, True)),
    ((2, 8, 3, 16), (2, 8, 3, 3), dict(kernel=(3, 3), num_filter=2, pad=(1, 1)),
     (False, False, False)),  # 8 channels x 3 rows: too thin a product
]


@pytest.mark.parametrize("config", SHIFT_CONFIGS, ids=lambda c: str(c[0]))
@pytest.mark.parametrize("shift_bytes", [1, 1 << 30], ids=["sample_chunks", "one_chunk"])
def test_row_shifted_products(monkeypatch, config, shift_bytes):
    """The row-shifted forward, data gradient and weight gradient run where they fit, in chunks
    of one sample or all, and give the naive loops' values."""
    data_shape, weight_shape, attrs, expected_paths = config
    monkeypatch.setattr(conv_mod, "_SHIFT_BYTES", shift_bytes)
    calls = []
    for name in ("_shifted_product", "_shifted_weight_grad"):
        real = getattr(conv_mod, name)
        monkeypatch.setattr(conv_mod, name, lambda *a, _real=real, _name=name, **k: (
            calls.append((_name, a[1].shape)), _real(*a, **k))[1])
    arrays, og, outs = _run_both("Convolution", data_shape, weight_shape, attrs)
    forward = ("_shifted_product", arrays[0].shape) in calls
    data_grad = ("_shifted_product", og.shape) in calls
    weight_grad = any(name == "_shifted_weight_grad" for name, _ in calls)
    assert (forward, data_grad, weight_grad) == expected_paths
    bias = arrays[2] if len(arrays) > 2 else None
    expected = [naive_conv(arrays[0], arrays[1], bias, attrs)]
    expected += list(naive_conv_grads(og, arrays[0], arrays[1], attrs))[:len(arrays)]
    for got, want in zip(outs, expected):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_backward_requests_null_write_add():
    rng = np.random.default_rng(2)
    attrs = dict(kernel=(3, 3), num_filter=2, pad=(1, 1))
    bop = get_op("_backward_Convolution")
    og, x, w = rng.uniform(-1, 1, (2, 2, 4, 4)), rng.uniform(-1, 1, (2, 3, 4, 4)), \
        rng.uniform(-1, 1, (2, 3, 3, 3))
    dx, dw, db = naive_conv_grads(og, x, w, attrs)
    outs = [np.full(x.shape, 7.0), np.full(w.shape, 1.0), np.full((2,), 2.0)]
    bop.forward(bop.parse(attrs), OpContext(), [og, x, w], ["null", "add", "write"], outs)
    np.testing.assert_array_equal(outs[0], 7.0)
    np.testing.assert_allclose(outs[1], dw + 1.0, rtol=1e-12)
    np.testing.assert_allclose(outs[2], db, rtol=1e-12)


def test_deconvolution_is_the_data_gradient_of_convolution():
    """Deconvolution(og, w) with adj = (x + 2p - dk) % s equals Convolution's data gradient."""
    rng = np.random.default_rng(3)
    attrs = dict(kernel=(3, 2), stride=(2, 3), pad=(1, 0), dilate=(1, 2), num_group=2)
    x, w = rng.uniform(-1, 1, (2, 4, 8, 9)), rng.uniform(-1, 1, (6, 2, 3, 2))
    out = mx.nd.Convolution(mx.nd.array(x, dtype="float64"), mx.nd.array(w, dtype="float64"),
                            num_filter=6, no_bias=True, **attrs)
    og = rng.uniform(-1, 1, out.shape)
    grads = [np.zeros(x.shape), np.zeros(w.shape)]
    bop = get_op("_backward_Convolution")
    bop.forward(bop.parse({**attrs, "num_filter": 6, "no_bias": True}), OpContext(),
                [og, x, w], ["write", "write"], grads)
    adj = tuple((n + 2 * p - (d * (k - 1) + 1)) % s for n, p, d, k, s in
                zip((8, 9), attrs["pad"], attrs["dilate"], attrs["kernel"], attrs["stride"]))
    back = mx.nd.Deconvolution(mx.nd.array(og, dtype="float64"), mx.nd.array(w, dtype="float64"),
                               num_filter=4, adj=adj, **attrs)
    np.testing.assert_allclose(back.asnumpy(), grads[0], rtol=1e-12, atol=1e-14)


def test_channel_last_layout_matches_channel_first():
    rng = np.random.default_rng(4)
    x, w, b = rng.uniform(-1, 1, (2, 3, 6, 5)), rng.uniform(-1, 1, (4, 3, 3, 3)), \
        rng.uniform(-1, 1, (4,))
    nd = lambda a: mx.nd.array(a, dtype="float64")  # noqa: E731
    first = mx.nd.Convolution(nd(x), nd(w), nd(b), kernel=(3, 3), num_filter=4, pad=(1, 0))
    last = mx.nd.Convolution(nd(x.transpose(0, 2, 3, 1)), nd(w.transpose(0, 2, 3, 1)), nd(b),
                             kernel=(3, 3), num_filter=4, pad=(1, 0), layout="NHWC")
    np.testing.assert_allclose(last.asnumpy(), first.asnumpy().transpose(0, 2, 3, 1),
                               rtol=1e-12)


def test_training_step_through_the_executor():
    """simple_bind + backward on a conv -> relu -> deconv chain; gradients vs naive loops."""
    data = mx.sym.var("data")
    c = mx.sym.Convolution(data, kernel=(3, 3), num_filter=3, stride=(2, 2), name="c")
    d = mx.sym.Deconvolution(c, kernel=(3, 3), num_filter=2, stride=(2, 2), name="d")
    exe = d.simple_bind(mx.cpu(), data=(2, 2, 7, 7), type_dict={"data": "float64"})
    rng = np.random.default_rng(5)
    for name, arr in exe.arg_dict.items():
        arr[:] = rng.uniform(-1, 1, arr.shape)
    out = exe.forward(is_train=True)[0]
    assert out.shape == (2, 2, 7, 7)
    head = rng.uniform(-1, 1, out.shape)
    exe.backward([mx.nd.array(head, dtype="float64")])
    a = {k: v.asnumpy() for k, v in exe.arg_dict.items()}
    mid = naive_conv(a["data"], a["c_weight"], a["c_bias"], dict(kernel=(3, 3), stride=(2, 2)))
    dattrs = dict(kernel=(3, 3), stride=(2, 2))
    np.testing.assert_allclose(out.asnumpy(), naive_deconv(mid, a["d_weight"], None, dattrs),
                               rtol=1e-12)
    dmid, ddw, _ = naive_deconv_grads(head, mid, a["d_weight"], dattrs)
    dx, dcw, dcb = naive_conv_grads(dmid, a["data"], a["c_weight"], dict(kernel=(3, 3),
                                                                          stride=(2, 2)))
    for name, want in (("d_weight", ddw), ("data", dx), ("c_weight", dcw), ("c_bias", dcb)):
        np.testing.assert_allclose(exe.grad_dict[name].asnumpy(), want, rtol=1e-10)


def test_inconsistent_parameters_fail_at_creation():
    """oracle: mx.sym.Convolution(d, kernel=(3,3), stride=(1,1,1), num_filter=2) raises when the
    symbol is created (and mx.nd the same), before any shape is known."""
    message = ("Check failed: param_.kernel.ndim() == param_.stride.ndim() (2 vs. 3) : Stride "
               "must have the same number of dimensions with kernel_size,but kernel_size is set "
               "to [3,3] while stride is [1,1,1]")
    with pytest.raises(MXNetError) as err:
        mx.sym.Convolution(mx.sym.var("d"), kernel=(3, 3), stride=(1, 1, 1), num_filter=2)
    assert str(err.value) == message
    with pytest.raises(MXNetError, match="Stride must have the same number of dimensions"):
        mx.nd.Convolution(mx.nd.ones((1, 1, 5, 5)), mx.nd.ones((2, 1, 3, 3)), mx.nd.ones(2),
                          kernel=(3, 3), stride=(1, 1, 1), num_filter=2)
