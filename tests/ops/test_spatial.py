"""Op-specific tests for UpSampling, Pad and Crop (symnet/ops/defs/spatial.py): names and front
end, shape/type inference and its errors, run-time checks, and forward/backward values
recorded from MXNet 1.9.1 (the snippet that printed each expected value is in the comment)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import symnet as mx
from symnet.base import MXNetError
from symnet.ops.registry import find_op


def shapes(op_name, attrs, in_shapes, out_shapes=None):
    op = find_op(op_name)
    params = op.parse(attrs)
    outs = out_shapes if out_shapes is not None else [None] * op.num_outputs(params)
    return op.shapes(params, in_shapes, outs, "node")


def types(op_name, attrs, in_types):
    op = find_op(op_name)
    params = op.parse(attrs)
    return op.types(params, [None if t is None else np.dtype(t) for t in in_types],
                    [None] * op.num_outputs(params), "node")


def head_grad(shape) -> np.ndarray:
    """The head gradient of the oracle snippets: ``np.arange(size).reshape(shape) % 7 - 3``."""
    return np.arange(int(np.prod(shape))).reshape(shape) % 7 - 3.0


def forward_backward(build, *arrays):
    """Bind ``build(x0, x1, ...)``, run forward and backward with :func:`head_grad`;
    return (output, [gradient of each input])."""
    names = [f"x{i}" for i in range(len(arrays))]
    sym = build(*[mx.sym.var(n) for n in names])
    args = {n: mx.nd.array(a) for n, a in zip(names, arrays)}
    grads = {n: mx.nd.zeros(a.shape) for n, a in zip(names, arrays)}
    exe = sym.bind(mx.cpu(), args, args_grad=grads)
    out = exe.forward(is_train=True)[0]
    exe.backward([mx.nd.array(head_grad(out.shape))])
    return out.asnumpy(), [grads[n].asnumpy() for n in names]


# ---- names and front end ----------------------------------------------------------------------
def test_names_inputs_and_fluent():
    # op handles in MXNet: ['Pad', 'pad'], ['UpSampling'], ['Crop'] (plus _npi_/_backward_)
    assert find_op("pad") is find_op("Pad")
    # hasattr(mx.nd.NDArray, 'pad') True; UpSampling, Crop False
    assert "pad" in mx.nd.NDArray.__dict__
    assert "UpSampling" not in mx.nd.NDArray.__dict__ and "Crop" not in mx.nd.NDArray.__dict__
    # mx.sym.UpSampling(scale=2, sample_type='nearest', num_args=2, name='u').list_arguments()
    #   -> ['u_arg0', 'u_arg1']; bilinear num_args=1 -> ['u_data', 'u_weight']
    op = find_op("UpSampling")
    assert op.inputs_for(op.parse({"scale": 2, "sample_type": "nearest", "num_args": 2})) == \
        ["arg0", "arg1"]
    assert op.inputs_for(op.parse({"scale": 2, "sample_type": "bilinear", "num_args": 1})) == \
        ["data", "weight"]
    x = mx.sym.var("x")
    bil = mx.sym.UpSampling(x, scale=2, sample_type="bilinear", num_filter=3, name="u")
    assert bil.list_arguments() == ["x", "u_weight"]
    # mx.sym.Crop(num_args=2, name='c').list_arguments() -> ['c_arg0', 'c_arg1']
    op = find_op("Crop")
    assert op.inputs_for(op.parse({"num_args": 2})) == ["arg0", "arg1"]
    assert mx.sym.Pad(x, mode="edge", pad_width=(0,) * 8).list_arguments() == ["x"]


def test_bilinear_weight_initializer_hook():
    # MXNet puts __init__ '["bilinear", {}]' on input 1 (whatever the sample type) unless set:
    # a,b,c = vars; UpSampling(a,b,c, nearest) -> {'a': None, 'b': '["bilinear", {}]', 'c': None}
    a, b, c = mx.sym.var("a"), mx.sym.var("b"), mx.sym.var("c")
    sym = mx.sym.UpSampling(a, b, c, scale=2, sample_type="nearest")
    attrs = {n["name"]: n.get("attrs", {}) for n in json.loads(sym.tojson())["nodes"]}
    assert "__init__" not in attrs["a"] and "__init__" not in attrs["c"]
    assert attrs["b"]["__init__"] == '["bilinear", {}]'
    # a given initializer is kept
    d = mx.sym.var("d", init='["zero", {}]')
    sym = mx.sym.UpSampling(a, d, scale=2, sample_type="bilinear", num_filter=1)
    attrs = {n["name"]: n.get("attrs", {}) for n in json.loads(sym.tojson())["nodes"]}
    assert attrs["d"]["__init__"] == '["zero", {}]'
    # the auto-created weight: {'__init__': '["bilinear", {}]', 'num_args': '1', ...}
    sym = mx.sym.UpSampling(a, scale=2, sample_type="bilinear", num_filter=2, name="u")
    attrs = {n["name"]: n.get("attrs", {}) for n in json.loads(sym.tojson())["nodes"]}
    assert attrs["u_weight"]["__init__"] == '["bilinear", {}]'
    assert attrs["u"] == {"num_args": "1", "num_filter": "2", "sample_type": "bilinear",
                          "scale": "2"}


def test_parameters_and_errors():
    params = find_op("UpSampling").parse({"scale": "2", "sample_type": "nearest",
                                          "num_args": "1"})
    assert (params.num_filter, params.multi_input_mode, params.workspace) == (0, "concat", 512)
    params = find_op("Crop").parse({"num_args": "1"})
    assert (params.offset, params.h_w, params.center_crop) == ((0, 0), (0, 0), False)
    assert find_op("Pad").parse({"mode": "edge", "pad_width": "(0,0,0,0,1,1,1,1)"}) \
        .constant_value == 0.0
    x = mx.sym.var("x")
    # UpSampling(scale=0) -> value 0 for Parameter scale should be greater equal to 1
    with pytest.raises(MXNetError, match="value 0 for Parameter scale should be greater equal"):
        mx.sym.UpSampling(x, scale=0, sample_type="nearest")
    # sample_type='foo' -> Invalid Input: 'foo', valid values are: {'bilinear', 'nearest'}
    with pytest.raises(MXNetError, match=r"valid values are: \{'bilinear', 'nearest'\}"):
        mx.sym.UpSampling(x, scale=2, sample_type="foo")
    # Crop(num_args=0) -> value 0 for Parameter num_args exceed bound [1,3]
    with pytest.raises(MXNetError, match=r"value 0 for Parameter num_args exceed bound \[1,3\]"):
        find_op("Crop").parse({"num_args": "0"})
    # Pad(mode='foo') -> Invalid Input: 'foo', valid values are: {'constant', 'edge', 'reflect'}
    with pytest.raises(MXNetError, match="valid values are: {'constant', 'edge', 'reflect'}"):
        mx.sym.Pad(x, mode="foo", pad_width=())
    with pytest.raises(MXNetError, match="Required parameter mode"):
        mx.sym.Pad(x, pad_width=())


# ---- UpSampling inference ------------------------------------------------------------------------
NEAREST = {"scale": 2, "sample_type": "nearest", "num_args": 2}


@pytest.mark.parametrize("attrs, ins, expected", [
    # s = UpSampling(a, b, scale=2, sample_type='nearest'); s.infer_shape(a=..., b=...)
    (NEAREST, [(2, 3, 4, 5), (2, 4, 2, 5)], (2, 7, 8, 10)),
    (NEAREST, [(2, 3, 4, 6), (3, 4, 2, 2)], (2, 7, 8, 12)),   # batch of input 0, not checked
    (NEAREST, [(2, 3, 4, 6), (2, 4, 4, 6)], (2, 7, 8, 12)),
    ({**NEAREST, "multi_input_mode": "sum"}, [(2, 3, 4, 6), (2, 3, 2, 3)], (2, 3, 8, 12)),
    # infer_shape_partial(a=(0,3,4,6), b=(2,3,2,3)) -> out (0, 6, 8, 12)
    (NEAREST, [(None, 3, 4, 6), (2, 3, 2, 3)], (None, 6, 8, 12)),
    ({"scale": 3, "sample_type": "nearest", "num_args": 1}, [(1, 2, 3, 4)], (1, 2, 9, 12)),
])
def test_nearest_shapes(attrs, ins, expected):
    assert shapes("UpSampling", attrs, ins)[1] == [expected]


@pytest.mark.parametrize("scale, data, weight, out", [
    # UpSampling(a, scale=s, sample_type='bilinear', num_filter=3, name='u')
    #   .infer_shape(a=(2,3,4,5)) -> weight (3,1,k,k), out (2,3,4s,5s)
    (2, (2, 3, 4, 5), (3, 1, 4, 4), (2, 3, 8, 10)),
    (3, (2, 3, 4, 5), (3, 1, 5, 5), (2, 3, 12, 15)),
    (1, (2, 3, 4, 5), (3, 1, 1, 1), (2, 3, 4, 5)),
    # infer_shape_partial(a=(0,3,4,5)) -> the weight stays unknown in MXNet; symnet fills it
    (2, (None, 3, 4, 5), (3, 1, 4, 4), (None, 3, 8, 10)),
])
def test_bilinear_shapes(scale, data, weight, out):
    attrs = {"scale": scale, "sample_type": "bilinear", "num_filter": 3, "num_args": 1}
    assert shapes("UpSampling", attrs, [data, None]) == ([data, weight], [out])


@pytest.mark.parametrize("attrs, ins, message", [
    # infer_shape(a=(2,3,4,5), u_weight=(3,1,3,3))
    ({"scale": 2, "sample_type": "bilinear", "num_args": 1}, [(2, 3, 4, 5), (3, 1, 3, 3)],
     r"Shape inconsistent, Provided = \[3,1,3,3\], inferred shape=\(3,1,4,4\)"),
    ({"scale": 2, "sample_type": "bilinear", "num_args": 1}, [(2, 3, 4), None],
     r"Check failed: dshape.ndim\(\) == 4U \(3 vs. 4\) : UpSamplingBilinear: Input data "
     r"should be 4D in \(batch, channel, y, x\)"),
    ({"scale": 2, "sample_type": "nearest", "num_args": 1}, [(2, 3, 4, 5, 6)],
     r"Check failed: shape.ndim\(\) == 4U \(5 vs. 4\) : UpSamplingNearest: Input data should "
     r"be 4D"),
    (NEAREST, [(2, 3, 4, 5), (2, 4, 2, 3)],
     r"Check failed: ow%shape\[3\] == 0U \(1 vs. 0\) : UpSamplingNearest: input width of "
     r"3does not divide output width of 10"),
    (NEAREST, [(2, 3, 4, 6), (2, 4, 3, 3)],
     r"Check failed: oh%shape\[2\] == 0U \(2 vs. 0\) : UpSamplingNearest: input height of "
     r"3does not divide output height of 8"),
    ({**NEAREST, "multi_input_mode": "sum"}, [(2, 3, 4, 5), (2, 4, 2, 5)],
     r"Check failed: oshape\[1\] == 0 \|\| oshape\[1\] == shape\[1\]: Number of channels must "
     r"be the same when multi_input_mode==sum"),
])
def test_upsampling_shape_errors(attrs, ins, message):
    with pytest.raises(MXNetError, match=message):
        shapes("UpSampling", attrs, ins)


def test_upsampling_partial_and_types():
    # an unknown input leaves the output unknown (MXNet raises its ndim check instead)
    assert shapes("UpSampling", NEAREST, [(2, 3, 4, 6), None])[1] == [None]
    bil = {"scale": 2, "sample_type": "bilinear", "num_filter": 3, "num_args": 1}
    assert shapes("UpSampling", bil, [None, None])[1] == [None]
    # infer_type(a='float16') -> weight float16; int32 passes inference (the kernel refuses)
    assert types("UpSampling", bil, ["float16", None]) == ([np.float16] * 2, [np.float16])
    assert types("UpSampling", NEAREST, ["int32", "int32"])[1] == [np.int32]
    # infer_type(a='float32', b='float64') -> (1 vs. 0) ... Expected 'float32' v.s. given
    # 'float64' at 'arg1'; bilinear: ... at 'weight'
    with pytest.raises(MXNetError, match=r"\(1 vs. 0\) : This layer requires uniform type. "
                                         r"Expected 'float32' v.s. given 'float64' at 'arg1'"):
        types("UpSampling", NEAREST, ["float32", "float64"])
    with pytest.raises(MXNetError, match="given 'float64' at 'weight'"):
        types("UpSampling", bil, ["float32", "float64"])


def test_upsampling_runtime_errors():
    x = mx.nd.ones((1, 2, 2, 2))
    # mx.nd.UpSampling(int32 data, scale=2, sample_type='nearest')
    #   -> This operation only support floating point types, not int32
    with pytest.raises(MXNetError, match="only support floating point types, not int32"):
        mx.nd.UpSampling(mx.nd.ones((1, 1, 2, 2), dtype="int32"), scale=2,
                         sample_type="nearest")
    # bilinear with only the data -> Operator UpSampling expects 2 inputs, but got 1 instead.
    with pytest.raises(MXNetError, match="expects 2 inputs, but got 1 instead"):
        mx.nd.UpSampling(x, scale=2, sample_type="bilinear", num_filter=2)
    # num_filter != channels crashes MXNet (gemm size check, then SIGFPE); symnet raises
    with pytest.raises(MXNetError, match=r"num_filter \(1\) equal to the number of channels"):
        mx.nd.UpSampling(x, mx.nd.ones((2, 1, 4, 4)), scale=2, sample_type="bilinear",
                         num_filter=1)


# ---- UpSampling values (oracle) ------------------------------------------------------------------
def test_nearest_values_oracle():
    a = np.arange(4.).reshape(1, 1, 2, 2)
    # run(lambda a, b: mx.nd.UpSampling(a, b, scale=2, sample_type='nearest'), [a, b]) with
    # b = [[[[10.]], [[20.]]]] and head grad np.arange(size).reshape(shape) % 7 - 3
    out, (ga, gb) = forward_backward(
        lambda x, y: mx.sym.UpSampling(x, y, scale=2, sample_type="nearest"),
        a, np.array([[[[10.]], [[20.]]]]))
    block = [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]]
    np.testing.assert_array_equal(out, [[block, np.full((4, 4), 10), np.full((4, 4), 20)]])
    np.testing.assert_array_equal(ga, [[[[-2, -1], [2, -4]]]])
    np.testing.assert_array_equal(gb, [[[[-1]], [[3]]]])
    # the same with c = [[[[10.]]]] and multi_input_mode='sum'
    out, (ga, gc) = forward_backward(
        lambda x, y: mx.sym.UpSampling(x, y, scale=2, sample_type="nearest",
                                       multi_input_mode="sum"), a, np.array([[[[10.]]]]))
    np.testing.assert_array_equal(out, [[np.array(block) + 10]])
    np.testing.assert_array_equal(ga, [[[[-2, -1], [2, -4]]]])
    np.testing.assert_array_equal(gc, [[[[-5]]]])


def test_bilinear_values_oracle():
    # x = np.arange(6.).reshape(1,1,2,3) - 2; w = np.arange(16.).reshape(1,1,4,4) % 5 - 1
    # run(lambda x, w: mx.nd.UpSampling(x, w, scale=2, sample_type='bilinear', num_filter=1))
    x = np.arange(6.).reshape(1, 1, 2, 3) - 2
    w = np.arange(16.).reshape(1, 1, 4, 4) % 5 - 1
    out, (gx, gw) = forward_backward(
        lambda a, b: mx.sym.UpSampling(a, b, scale=2, sample_type="bilinear", num_filter=1),
        x, w)
    np.testing.assert_array_equal(out, [[[[2, -3, -1, 0, -1, 0], [-6, -1, -1, 0, 4, 3],
                                          [-5, -1, -1, 6, 0, 0], [3, 3, 6, 4, 9, -3]]]])
    np.testing.assert_array_equal(gx, [[[[30, -23, -8], [-11, 29, -14]]]])
    np.testing.assert_array_equal(gw, [[[[-9, -1, -2, -2], [2, 0, 3, -4], [-2, -3, 0, 3],
                                         [-3, -1, -4, 7]]]])
    # scale 3: x = np.arange(4.).reshape(1,1,2,2) - 1; w = np.arange(25.).reshape(1,1,5,5) % 4 - 1
    x = np.arange(4.).reshape(1, 1, 2, 2) - 1
    w = np.arange(25.).reshape(1, 1, 5, 5) % 4 - 1
    out, (gx, gw) = forward_backward(
        lambda a, b: mx.sym.UpSampling(a, b, scale=3, sample_type="bilinear", num_filter=1),
        x, w)
    np.testing.assert_array_equal(out, [[[[-1, -2, 1, 0, 0, 0], [-2, 1, 0, -1, 0, 0],
                                          [1, 1, -1, -3, 2, 4], [1, 1, -3, 3, 4, -2],
                                          [2, -1, 2, 5, -2, 0], [-1, 0, 5, 0, 0, 2]]]])
    np.testing.assert_array_equal(gx, [[[[4, -15], [9, 4]]]])
    np.testing.assert_array_equal(gw, [[[[-6, -2, 1, -3, -2], [6, -2, 0, 2, -3],
                                         [4, 3, -2, 0, 4], [2, 1, 3, -2, 4],
                                         [0, -1, -2, -3, 3]]]])


def test_docstring_example():
    # UpSampling(ones(1,1,3,3), ones(1,1,4,4), scale=2, sample_type='bilinear', num_filter=1)
    out = mx.nd.UpSampling(mx.nd.ones((1, 1, 3, 3)), mx.nd.ones((1, 1, 4, 4)), scale=2,
                           sample_type="bilinear", num_filter=1).asnumpy()
    edge = [1, 2, 2, 2, 2, 1]
    np.testing.assert_array_equal(out[0, 0], np.outer(edge, edge))


# ---- Pad ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("attrs, data, out", [
    # mx.sym.Pad(d, ...).infer_shape(d=...)
    ({"mode": "constant", "pad_width": (0, 0, 0, 0, 1, 2, 3, 4)}, (2, 3, 4, 5), (2, 3, 7, 12)),
    ({"mode": "constant", "pad_width": (0, 0, 0, 0, 1, 2, 3, 4, 1, 1)}, (2, 3, 4, 5, 6),
     (2, 3, 7, 12, 8)),
    ({"mode": "reflect", "pad_width": (0, 0, 0, 0, 3, 3, 4, 4)}, (2, 3, 4, 5), (2, 3, 10, 13)),
    ({"mode": "edge", "pad_width": (0, 0, 0, 0, 9, 9, 9, 0)}, (2, 3, 4, 5), (2, 3, 22, 14)),
    # partial: MXNet computes -1 + 1 + 2 = 2 for an unknown dim; symnet keeps it unknown
    ({"mode": "edge", "pad_width": (0, 0, 0, 0, 1, 2, 3, 4)}, (2, 3, None, 5),
     (2, 3, None, 12)),
])
def test_pad_shapes(attrs, data, out):
    assert shapes("Pad", attrs, [data]) == ([data], [out])
    assert shapes("Pad", attrs, [None], [out])[0] == [data]  # data from the output
    assert shapes("_backward_Pad", attrs, [out]) == ([out], [data])


@pytest.mark.parametrize("width, data, message", [
    ((0, 0, 1, 0, 1, 2, 3, 4), (2, 3, 4, 5),
     "Current implementation expects padding on the first two axes to be zero."),
    ((0, 0, 0, 0, 1, 2), (2, 3, 4, 5), "Input shape vs padding spec mismatch."),
    ((0, 0, 0, 0, 1, 1, 1, 1), (2, 3, 4, 5, 6), "Input shape vs padding spec mismatch."),
    ((0, 0, 0, 0, 1, 2), (2, 3, 4), "Current implementation only supports 4-D or 5-D input."),
    ((0, 0, 1, 1), (2, 3), "Current implementation only supports 4-D or 5-D input."),
    ((0, 0, 0, 0, -1, 2, 3, 4), (2, 3, 4, 5), "negative padding is not supported"),
])
def test_pad_shape_errors(width, data, message):
    with pytest.raises(MXNetError, match=message):
        shapes("Pad", {"mode": "constant", "pad_width": width}, [data])


@pytest.mark.parametrize("width", [(0, 0, 0, 0, 4, 2, 3, 4), (0, 0, 0, 0, 1, 4, 0, 0),
                                   (0, 0, 0, 0, 0, 0, 5, 0)])
def test_pad_reflect_limit(width):
    # Pad(mode='reflect', pad_width=...).infer_shape(d=(2,3,4,5)) -> MXNetError
    with pytest.raises(MXNetError, match="reflection padding only supports padding sizes "
                                         "smaller than the input size"):
        shapes("Pad", {"mode": "reflect", "pad_width": width}, [(2, 3, 4, 5)])


def test_pad_types_and_runtime_errors():
    attrs = {"mode": "edge", "pad_width": (0, 0, 0, 0, 1, 1, 1, 1)}
    assert types("Pad", attrs, ["int32"])[1] == [np.int32]  # inference accepts any type
    # mx.nd.Pad(int32 array, ...) -> This operation only support floating point types, not int32
    with pytest.raises(MXNetError, match="only support floating point types, not int32"):
        mx.nd.Pad(mx.nd.ones((1, 1, 2, 2), dtype="int32"), **attrs)
    # uint8: "...floating point types not uint8" (no comma)
    with pytest.raises(MXNetError, match="only support floating point types not uint8"):
        mx.nd.Pad(mx.nd.ones((1, 1, 2, 2), dtype="uint8"), **attrs)


@pytest.mark.parametrize("mode, out, grad", [
    # p = np.arange(12.).reshape(1,1,3,4); run(lambda p: mx.nd.Pad(p, mode=mode,
    #     pad_width=(0,0,0,0,2,1,1,2), constant_value=9), [p])
    ("constant",
     [[9, 9, 9, 9, 9, 9, 9], [9, 9, 9, 9, 9, 9, 9], [9, 0, 1, 2, 3, 9, 9], [9, 4, 5, 6, 7, 9, 9],
      [9, 8, 9, 10, 11, 9, 9], [9, 9, 9, 9, 9, 9, 9]],
     [[-2, -1, 0, 1], [-2, -1, 0, 1], [-2, -1, 0, 1]]),
    ("edge",
     [[0, 0, 1, 2, 3, 3, 3], [0, 0, 1, 2, 3, 3, 3], [0, 0, 1, 2, 3, 3, 3], [4, 4, 5, 6, 7, 7, 7],
      [8, 8, 9, 10, 11, 11, 11], [8, 8, 9, 10, 11, 11, 11]],
     [[-15, -3, 0, 18], [-5, -1, 0, 6], [-10, -2, 0, 12]]),
    ("reflect",
     [[9, 8, 9, 10, 11, 10, 9], [5, 4, 5, 6, 7, 6, 5], [1, 0, 1, 2, 3, 2, 1],
      [5, 4, 5, 6, 7, 6, 5], [9, 8, 9, 10, 11, 10, 9], [5, 4, 5, 6, 7, 6, 5]],
     [[-2, -1, 2, 1], [-6, -3, 6, 3], [-4, -2, 4, 2]]),
])
def test_pad_values_oracle(mode, out, grad):
    result, (g,) = forward_backward(
        lambda x: mx.sym.Pad(x, mode=mode, pad_width=(0, 0, 0, 0, 2, 1, 1, 2),
                             constant_value=9), np.arange(12.).reshape(1, 1, 3, 4))
    np.testing.assert_array_equal(result[0, 0], out)
    np.testing.assert_array_equal(g[0, 0], grad)


def test_pad_fluent_and_second_derivative():
    x = mx.nd.array(np.arange(12.).reshape(1, 1, 3, 4))
    # x.pad(mode='reflect', pad_width=(0,0,0,0,2,2,3,3)).shape -> (1, 1, 7, 10)
    assert x.pad(mode="reflect", pad_width=(0, 0, 0, 0, 2, 2, 3, 3)).shape == (1, 1, 7, 10)
    # d/dx sum(Pad(x)) counts how often each element is copied; differentiating that graph
    # (linear in x) again gives zero, and its graph holds _backward_Pad and Pad
    v = mx.sym.var("x")
    first = mx.sym.Pad(v, mode="edge", pad_width=(0, 0, 0, 0, 1, 0, 0, 2)).gradient("x")
    counts = first.eval(x=x)[0].asnumpy()[0, 0]
    np.testing.assert_array_equal(counts, [[2, 2, 2, 6], [1, 1, 1, 3], [1, 1, 1, 3]])
    second = first.gradient("x").eval(x=x)[0].asnumpy()
    np.testing.assert_array_equal(second, np.zeros((1, 1, 3, 4)))


# ---- Crop ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("attrs, ins, out", [
    # mx.sym.Crop(d, [l], ...).infer_shape(...)
    ({"num_args": 1, "h_w": (2, 3)}, [(2, 3, 5, 6)], (2, 3, 2, 3)),
    ({"num_args": 1, "h_w": (2, 3), "offset": (4, 2)}, [(2, 3, 5, 6)], (2, 3, 2, 3)),
    ({"num_args": 1, "h_w": (2, 3), "center_crop": True}, [(2, 3, 5, 6)], (2, 3, 2, 3)),
    ({"num_args": 2}, [(2, 3, 5, 6), (1, 1, 3, 4)], (2, 3, 3, 4)),
    ({"num_args": 2}, [(2, 3, 5, 6), (1, 1, 7, 4)], (2, 3, 7, 4)),  # checked at run time
    ({"num_args": 2, "h_w": (1, 1)}, [(2, 3, 5, 6), (1, 1, 3, 4)], (2, 3, 3, 4)),
    # infer_shape_partial(d=(0,3,5,6), l=(2,3,2,2)) -> (0, 3, 2, 2)
    ({"num_args": 2}, [(None, 3, 5, 6), (2, 3, 2, 2)], (None, 3, 2, 2)),
    ({"num_args": 1, "h_w": (2, 2)}, [(2, None, 5, 6)], (2, None, 2, 2)),
])
def test_crop_shapes(attrs, ins, out):
    assert shapes("Crop", attrs, ins)[1] == [out]


@pytest.mark.parametrize("attrs, data, message", [
    ({"h_w": (6, 3)}, (2, 3, 5, 6),
     r"Check failed: static_cast<int>\(param_.h_w\[0\]\) <= static_cast<int>\(data_shape\[2\]\) "
     r"\(6 vs. 5\) : the crop height\(h_w\[0\]\) should be less than the input data's height"),
    ({"h_w": (2, 7)}, (2, 3, 5, 6), r"\(7 vs. 6\) : the crop width\(h_w\[1\]\) should be less"),
    ({}, (2, 3, 5, 6), r"Check failed: static_cast<int>\(param_.h_w\[0\]\) >= 1 \(0 vs. 1\) : "
                       r"the crop height\(h_w\[0\]\) should be larger than 1"),
    ({"h_w": (2, 3)}, (2, 3, 5), r"Check failed: data_shape.ndim\(\) == 4U \(3 vs. 4\) : Input "
                                 r"data should be 4D in batch-num_filter-y-x"),
])
def test_crop_shape_errors(attrs, data, message):
    with pytest.raises(MXNetError, match=message):
        shapes("Crop", {"num_args": 1, **attrs}, [data])


def test_crop_types_partial_and_runtime_errors():
    assert shapes("Crop", {"num_args": 2}, [(2, 3, 5, 6), None])[1] == [None]
    assert types("Crop", {"num_args": 2}, ["float32", None]) == ([np.float32] * 2, [np.float32])
    # Crop(d, h_w=(2,2)).infer_type(d='int32') -> ... Unsupported data type 4
    with pytest.raises(MXNetError, match="Unsupported data type 4"):
        types("Crop", {"num_args": 1, "h_w": (2, 2)}, ["int32"])
    # MXNet takes only float32; symnet accepts every float type
    assert types("Crop", {"num_args": 1, "h_w": (2, 2)}, ["float64"])[1] == [np.float64]
    # mx.nd.Crop(x(2,1,5,6), h_w=(2,3), offset=(4,2)) -> Check failed: param_.offset[0] <=
    #   data_shape[2]-out_shape[2] (4 vs. 3) : offset[0] should be less than the residual ...
    x = mx.nd.ones((2, 1, 5, 6))
    with pytest.raises(MXNetError, match=r"\(4 vs. 3\) : offset\[0\] should be less than the "
                                         r"residual space of height"):
        mx.nd.Crop(x, h_w=(2, 3), offset=(4, 2))
    with pytest.raises(MXNetError, match=r"\(4 vs. 3\) : offset\[1\] should be less than the "
                                         r"residual space of width"):
        mx.nd.Crop(x, h_w=(2, 3), offset=(0, 4))


def test_crop_values_oracle():
    d = np.arange(20.).reshape(1, 1, 4, 5)
    # run(lambda d: mx.nd.Crop(d, h_w=(2,3), offset=(1,2)), [d])
    out, (g,) = forward_backward(lambda x: mx.sym.Crop(x, h_w=(2, 3), offset=(1, 2)), d)
    np.testing.assert_array_equal(out, [[[[7, 8, 9], [12, 13, 14]]]])
    np.testing.assert_array_equal(g[0, 0], [[0, 0, 0, 0, 0], [0, 0, -3, -2, -1],
                                            [0, 0, 0, 1, 2], [0, 0, 0, 0, 0]])
    # run(lambda d, l: mx.nd.Crop(d, l, center_crop=True), [d, np.ones((1,1,3,2))])
    out, (g, gl) = forward_backward(lambda x, y: mx.sym.Crop(x, y, center_crop=True), d,
                                    np.ones((1, 1, 3, 2)))
    np.testing.assert_array_equal(out, [[[[1, 2], [6, 7], [11, 12]]]])
    np.testing.assert_array_equal(g[0, 0], [[0, -3, -2, 0, 0], [0, -1, 0, 0, 0],
                                            [0, 1, 2, 0, 0], [0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(gl, np.zeros((1, 1, 3, 2)))
    # center offsets: mx.nd.Crop(x(2,1,5,6), h_w=(2,2), center_crop=True)[0,0] -> [[8,9],[14,15]]
    x = np.arange(60.).reshape(2, 1, 5, 6)
    out = mx.nd.Crop(mx.nd.array(x), h_w=(2, 2), center_crop=True).asnumpy()
    np.testing.assert_array_equal(out[0, 0], [[8, 9], [14, 15]])


def test_bilinear_json_round_trip():
    # mx.sym.UpSampling(d, scale=2, sample_type='bilinear', num_filter=3, name='u').tojson()
    # holds "num_args": "1" and inputs [[0, 0, 0], [1, 0, 0]] (symnet writes the same)
    sym = mx.sym.UpSampling(mx.sym.var("d"), scale=2, sample_type="bilinear", num_filter=3,
                            name="u")
    loaded = mx.sym.load_json(sym.tojson())
    assert loaded.list_arguments() == ["d", "u_weight"]
