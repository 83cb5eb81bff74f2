"""Matrix/shape operators: MXNet 1.9.1 behaviour recorded with the oracle, partial-shape
inference, shape errors and second derivatives (symnet/ops/defs/matrix.py, shape.py,
shape_codes.py)."""
from __future__ import annotations

import numpy as np
import pytest

import symnet as mx
from symnet.base import MXNetError
from symnet.ops.defs.shape_codes import reshape_target
from symnet.ops.registry import InferError, get_op
from symnet.test_utils import check_numeric_gradient

from .cases_matrix import RESHAPE_234


def infer(op_name: str, in_shapes: list, attrs: dict | None = None, out_shapes=None):
    """Run an op's shape rule the way the inference pass does: (in_shapes, out_shapes)."""
    op = get_op(op_name)
    params = op.parse(attrs or {})
    outs = out_shapes or [None] * op.num_outputs(params)
    return op.shapes(params, in_shapes, outs, op_name)


def out_shape(op_name: str, in_shapes: list, **attrs):
    return infer(op_name, in_shapes, attrs)[1][0]


def arange(*shape, dtype="float32"):
    return mx.nd.array(np.arange(int(np.prod(shape))).reshape(shape), dtype=dtype)


# ---- Reshape: every example of spec section 5.2, plus recorded quirks ---------------------------
@pytest.mark.parametrize("attrs,expected", RESHAPE_234, ids=str)
def test_reshape_recorded_examples(attrs, expected):
    assert out_shape("Reshape", [(2, 3, 4)], **attrs) == expected
    assert mx.nd.Reshape(arange(2, 3, 4), **attrs).shape == expected
    assert mx.nd.reshape(arange(2, 3, 4), **attrs).shape == expected


@pytest.mark.parametrize("src,spec,reverse,expected", [
    ((2, 3, 4), (-2, -1), False, (2, 1, 4, 1)),        # -1 resolved at its spec position
    ((2, 3, 4), (-2, 1, -1), False, (2, 3, 1, 1, 1)),
    ((6, 4), (-4, 2, 3, -1), False, (2, 3, 1)),          # spec position past the end: stays 1
    ((2, 3, 4, 5), (-4, 1, 2, -1, -2), False, (1, 2, 1, 3, 5)),
    ((2, 3, 4), (-1, -2), True, (1, 2, 1, 4)),
    ((2, 3, 4), (-2, -1), True, (2, 3, 4)),
    ((2, 3, 4), (2, -1, -4), True, (2, 2)),              # the spec is reversed literally
    ((2, 3, 4), (-2, 2, 2, -4), True, (2, 3, 2, 2)),
    ((2, 3, 4), (2, -2), True, (2, 2, 3, 4)),
    ((2, 3, 4), (5, 5), False, (5, 5)),                  # no size check in inference
    ((2, 3, 4), (7, -1), False, (7, 3)),
    ((2, 3, 4), (-4, 1, 2), False, (1, 2)),
    ((2, 3, 4), (0,), False, (2,)),
    ((2, 3, 4), (1, -2), False, (1, 3, 4)),
    ((2, 3, 4), (-2, -2), False, (2, 3, 4)),
    ((2, 3, 4), (0, -1, 0), False, (2, 3, 4)),
    ((2, 3, 4), (-3,), False, (6,)),
    ((2, 3, 4), (-4, 2, -1, -2), False, (2, 1, 3, 4)),
])
def test_reshape_target_quirks(src, spec, reverse, expected):
    assert reshape_target(src, spec, reverse) == expected
    assert out_shape("Reshape", [src], shape=spec, reverse=reverse) == expected


def test_ndarray_reshape_shares_the_codes():
    x = arange(2, 3, 4)
    assert x.reshape((-1, 0)).shape == (8, 3)
    assert x.reshape(0, -3).shape == (2, 12)
    assert x.reshape(shape=(0, -1), reverse=True).shape == (3, 8)


def test_reshape_forward_smaller_target_takes_leading_elements():
    out = mx.nd.Reshape(arange(2, 3, 4), shape=(5, -1))
    np.testing.assert_array_equal(out.asnumpy(), np.arange(20).reshape(5, 4))


def test_reshape_forward_larger_target_raises():
    with pytest.raises(MXNetError, match=r"\[2,3,4\] into \[5,5\]"):
        mx.nd.Reshape(arange(2, 3, 4), shape=(5, 5))


@pytest.mark.parametrize("attrs,expected", [
    ({"target_shape": (3, 8), "keep_highest": True}, (2, 8)),
    ({"target_shape": (4, 6), "keep_highest": True}, (2, 6)),
    ({"target_shape": (0, 12), "keep_highest": True}, (2, 12)),
    ({"target_shape": (24,)}, (24,)),
    ({"target_shape": (5, 5)}, (5, 5)),
])
def test_reshape_deprecated_target_shape(attrs, expected):
    assert out_shape("Reshape", [(2, 3, 4)], **attrs) == expected


def test_reshape_without_shape_is_undecided():
    assert out_shape("Reshape", [(2, 3, 4)]) is None
    with pytest.raises(MXNetError, match="cannot infer the shape"):
        mx.nd.Reshape(arange(2, 3, 4))


@pytest.mark.parametrize("spec,reverse,message", [
    ((-1, -1), False, "One and only one dim can be inferred"),
    ((0, 0, 0, 0), False, r"src_idx < dshape_len.*\[2,3,4\]"),
    ((-3, -3), False, r"no input dim left in \[2,3,4\]"),
    ((-1, 0, 0, 0), False, "src_idx < dshape_len"),
    ((-2, 0), False, "src_idx < dshape_len"),
    ((-4, -1, -1, -2), False, "Split dims cannot both be -1"),
    ((-4, 2, 5, -2), False, "Split dims 2, 5 do not divide original dim 2"),
    ((-4, 4, -1, -2), False, "do not divide original dim 2"),
    ((-6,), False, "shape dim size must be >= -1, while received -6"),
    ((-4, 3, -1, 4), True, "i \\+ 2 < params_len"),
    ((2, -1, -4), False, "i \\+ 2 < params_len"),
])
def test_reshape_code_errors(spec, reverse, message):
    with pytest.raises(MXNetError, match=message):
        mx.nd.Reshape(arange(2, 3, 4), shape=spec, reverse=reverse)
    with pytest.raises(InferError, match=message):
        reshape_target((2, 3, 4), spec, reverse)


@pytest.mark.parametrize("src,attrs,expected_in,expected_out", [
    ((None, 3, 4), {"shape": (0, -1)}, (None, 3, 4), (None, None)),
    ((None, 3, 4), {"shape": (-1, 12)}, (None, 3, 4), (None, 12)),
    ((2, None, 4), {"shape": (0, 0, -1)}, (2, None, 4), (2, None, None)),
    ((2, None, 4), {"shape": (-3, 0)}, (2, None, 4), (None, 4)),
    ((2, None, 4), {"shape": (6, 4)}, (2, 3, 4), (6, 4)),          # filled back from the output
    ((None, 4), {"shape": (-4, 2, -1, 0)}, (None, 4), (2, None, 4)),
    ((6, None), {"shape": (-4, 2, -1, 0)}, (6, None), (2, 3, None)),
    ((None, 3, 4), {"target_shape": (0, 4), "keep_highest": True}, (None, 3, 4), (None, 4)),
])
def test_reshape_partial(src, attrs, expected_in, expected_out):
    ins, outs = infer("Reshape", [src], attrs)
    assert ins == [expected_in] and outs == [expected_out]


def test_reshape_partial_given_output_fills_input():
    ins, outs = infer("Reshape", [(None, 3, 4)], {"shape": (-1, 4)}, [(6, 4)])
    assert ins == [(2, 3, 4)] and outs == [(6, 4)]


def test_reshape_symbol_legacy_zero_dims():
    x = mx.sym.var("x")
    args, outs, _ = mx.sym.Reshape(x, shape=(6, 4)).infer_shape_partial(x=(2, 0, 4))
    assert args == [(2, 3, 4)] and outs == [(6, 4)]
    assert x.reshape((0, -1)).infer_shape(x=(2, 3, 4))[1] == [(2, 12)]


# ---- dot / batch_dot --------------------------------------------------------------------------
@pytest.mark.parametrize("lhs,rhs,attrs,expected", [
    ((3,), (3,), {}, (1,)),
    ((3,), (3, 2), {}, (2,)),
    ((2, 3), (3,), {}, (2,)),
    ((2, 3, 4), (4, 5), {}, (2, 3, 5)),
    ((2, 3, 4), (4, 5, 6), {}, (2, 3, 5, 6)),
    ((2, 3, 4), (2, 5, 6), {"transpose_a": True}, (3, 4, 5, 6)),
    ((2, 3, 4), (5, 6, 4), {"transpose_b": True}, (2, 3, 5, 6)),
    ((2, 3, 4), (5, 2), {"transpose_a": True, "transpose_b": True}, (3, 4, 5)),
    ((3,), (3, 2), {"transpose_a": True}, (2,)),
    ((3,), (2, 3), {"transpose_b": True}, (2,)),
    ((2, 3), (3,), {"transpose_b": True}, (2,)),
    ((2,), (2, 3, 4), {}, (3, 4)),
    ((2, 3, 4), (4,), {}, (2, 3)),
    ((4,), (2, 3, 4), {"transpose_b": True}, (2, 3)),
])
def test_dot_shapes_recorded(lhs, rhs, attrs, expected):
    assert out_shape("dot", [lhs, rhs], **attrs) == expected


@pytest.mark.parametrize("lhs,rhs,attrs,text", [
    ((2, 3), (4, 2), {}, r"\(3 vs. 4\) : dot shape error: \[2,3\] X \[4,2\]"),
    ((3,), (4, 2), {}, r"dot shape error: \[3\] X \[4,2\]"),
    ((2, 3, 4), (3, 2), {}, r"\(4 vs. 3\) : dot shape error: \[2,3,4\] X \[3,2\]"),
    ((2, 3, 4), (3, 2), {"transpose_a": True}, r"\(2 vs. 3\)"),
    ((3,), (3,), {"transpose_a": True}, "Cannot transpose vectors"),
    ((3,), (3,), {"transpose_b": True}, "Cannot transpose vectors"),
])
def test_dot_shape_errors(lhs, rhs, attrs, text):
    with pytest.raises(MXNetError, match=text):
        mx.nd.dot(mx.nd.ones(lhs), mx.nd.ones(rhs), **attrs)


def test_dot_partial():
    assert infer("dot", [(None, 3), (3, 4)]) == ([(None, 3), (3, 4)], [(None, 4)])
    assert infer("dot", [(2, None), (3, 4)]) == ([(2, 3), (3, 4)], [(2, 4)])
    assert infer("dot", [(2, 3, 4), (4, None)])[1] == [(2, 3, None)]
    assert infer("dot", [(2, 3), None]) == ([(2, 3), None], [None])


def test_dot_dtype_mismatch():
    with pytest.raises(MXNetError, match="expected float64, got float32"):
        mx.nd.dot(mx.nd.ones((2, 3), dtype="float64"), mx.nd.ones((3, 2)))


@pytest.mark.parametrize("lhs,rhs,attrs,text", [
    ((3, 4), (4, 5), {}, r"N-D\*N-D array \(N >= 3\)\[3,4\] v.s. \[4,5\]"),
    ((2, 3, 4), (2, 2, 4, 5), {}, r"\(N >= 3\)\[2,3,4\] v.s. \[2,2,4,5\]"),
    ((2, 3, 4), (3, 4, 5), {}, r"\(2 vs. 3\) : batch_dot shape error \(the leading batch "
                               r"dimensions must be equal\): \[2,3,4\] X \[3,4,5\] trans_a=0"),
    ((2, 3, 4), (2, 3, 5), {}, r"\(4 vs. 3\) : batch_dot shape error \(shape mismatch\): "
                               r"\[2,3,4\] X \[2,3,5\] trans_a=0 trans_b=0"),
])
def test_batch_dot_shape_errors(lhs, rhs, attrs, text):
    with pytest.raises(MXNetError, match=text):
        mx.nd.batch_dot(mx.nd.ones(lhs), mx.nd.ones(rhs), **attrs)


def test_batch_dot_partial():
    assert infer("batch_dot", [(2, None, 4), (2, 4, 5)])[1] == [(2, None, 5)]
    assert infer("batch_dot", [(None, 3, 4), (2, 4, 5)]) == ([(2, 3, 4), (2, 4, 5)],
                                                               [(2, 3, 5)])
    ins, outs = infer("batch_dot", [(2, 4, None), (2, 4, 5)], {"transpose_a": True})
    assert ins == [(2, 4, None), (2, 4, 5)] and outs == [(2, None, 5)]


# ---- reshape_like, Flatten ----------------------------------------------------------------------
@pytest.mark.parametrize("lhs,rhs,attrs,expected", [
    ((2, 3, 4), (6,), {"lhs_end": 2}, (6, 4)),
    ((2, 3, 4), (1, 6, 9), {"lhs_end": 2, "rhs_begin": 1, "rhs_end": 2}, (6, 4)),
    ((2, 3, 4), (5, 6), {"lhs_begin": 0, "lhs_end": 2, "rhs_begin": 1}, (6, 4)),
    ((2, 3, 4), (6, 4), {"lhs_begin": -1, "rhs_begin": -1}, (2, 3, 4)),
    ((2, 3, 4), (6, 4), {"lhs_begin": 0, "lhs_end": -1, "rhs_begin": 0, "rhs_end": -1}, (6, 4)),
])
def test_reshape_like_recorded(lhs, rhs, attrs, expected):
    assert out_shape("reshape_like", [lhs, rhs], **attrs) == expected


@pytest.mark.parametrize("lhs,rhs,attrs,text", [
    ((2, 3), (4,), {}, r"\(6 vs. 4\) : Cannot reshape lhs with shape \[2,3\] to new shape \[4\]"),
    ((2, 3, 4), (6, 4), {"lhs_end": 10}, "Invalid end for lhs_end=10 as dimension number is 3"),
    ((2, 3, 4), (6, 4), {"lhs_begin": -10}, "Invalid begin for lhs_begin=-10"),
    ((2, 3, 4), (6, 4), {"rhs_end": 5}, "Invalid end for rhs_end=5 as dimension number is 2"),
    ((2, 3, 4), (6, 4), {"lhs_begin": 1, "lhs_end": 1},
     "Invalid begin, end, get lhs_begin=1, lhs_end=1"),
    ((2, 3, 4), (6, 4), {"lhs_begin": 3}, "Invalid begin, end, get lhs_begin=3, lhs_end=None"),
])
def test_reshape_like_errors(lhs, rhs, attrs, text):
    with pytest.raises(MXNetError, match=text):
        mx.nd.reshape_like(mx.nd.ones(lhs), mx.nd.ones(rhs), **attrs)


def test_reshape_like_partial_and_types():
    assert infer("reshape_like", [(2, None), (3, 2)]) == ([(2, 3), (3, 2)], [(3, 2)])
    assert infer("reshape_like", [(2, 3), (None, 2)])[1] == [(3, 2)]
    op = get_op("reshape_like")
    f32, i32 = np.dtype("float32"), np.dtype("int32")
    assert op.types(op.parse({}), [f32, i32], [None]) == ([f32, i32], [f32])
    out = mx.nd.reshape_like(arange(2, 3), mx.nd.ones((3, 2), dtype="int32"))
    assert out.dtype == np.float32 and out.shape == (3, 2)


@pytest.mark.parametrize("src,expected_in,expected_out", [
    ((7,), (7,), (7, 1)),
    ((2, 3), (2, 3), (2, 3)),
    ((2, 1, 1), (2, 1, 1), (2, 1)),
    ((None, 3, 4), (None, 3, 4), (None, 12)),
    ((2, None, 4), (2, None, 4), (2, None)),
])
def test_flatten_shapes(src, expected_in, expected_out):
    assert infer("Flatten", [src]) == ([expected_in], [expected_out])


def test_flatten_fills_input_from_output():
    assert infer("Flatten", [(None, None, 4)], out_shapes=[(2, 12)]) == ([(2, 3, 4)], [(2, 12)])
    x = mx.sym.var("x")
    assert mx.sym.Flatten(x).infer_shape_partial(x=(0, 3, 4))[1] == [(0, 12)]


# ---- transpose, SwapAxis, expand_dims, squeeze --------------------------------------------------
def test_transpose_shapes():
    assert out_shape("transpose", [(2, 3, 4)]) == (4, 3, 2)
    assert out_shape("transpose", [(5,)]) == (5,)
    assert infer("transpose", [(None, 3, 4)], {"axes": (2, 0, 1)})[1] == [(4, None, 3)]
    assert infer("transpose", [(None, 3, None)], {"axes": (2, 0, 1)},
                 [(4, 2, None)]) == ([(2, 3, 4)], [(4, 2, 3)])


@pytest.mark.parametrize("axes,text", [
    ((0, 1), r"\(3 vs. 2\) : transpose axes \(0, 1\) do not match the input shape \[2,3,4\]"),
    ((-1, 0, 1), r"index = -1 must be in range \[0, 3\) \(transpose of \[2,3,4\]"),
    ((0, 1, 3), r"index = 3 must be in range \[0, 3\)"),
    ((0, 0, 1), r"repeated axis in axes=\(0, 0, 1\) for input \[2,3,4\]"),
])
def test_transpose_bad_axes(axes, text):
    with pytest.raises(MXNetError, match=text):
        mx.nd.transpose(mx.nd.ones((2, 3, 4)), axes=axes)


def test_swapaxis():
    assert out_shape("SwapAxis", [(2, 3, 4)], dim1=-1, dim2=0) == (4, 3, 2)
    assert out_shape("SwapAxis", [(2, 3, 4)], dim1=0, dim2=-3) == (2, 3, 4)
    assert infer("SwapAxis", [(None, 3, 4)], {"dim1": 0, "dim2": 2})[1] == [(4, 3, None)]
    with pytest.raises(MXNetError, match=r"axis2: axis 3 is out of bounds for array of ndim 3"):
        mx.nd.SwapAxis(mx.nd.ones((2, 3, 4)), dim1=0, dim2=3)
    with pytest.raises(MXNetError, match=r"axis1: axis -4 is out of bounds"):
        mx.nd.swapaxes(mx.nd.ones((2, 3, 4)), dim1=-4, dim2=0)


def test_expand_dims():
    assert out_shape("expand_dims", [(2, 3)], axis=-3) == (1, 2, 3)
    assert out_shape("expand_dims", [(2, 3)], axis=2) == (2, 3, 1)
    assert infer("expand_dims", [(None, 3)], {"axis": 1}) == ([(None, 3)], [(None, 1, 3)])
    assert infer("expand_dims", [(None, 3)], {"axis": 1}, [(2, 1, 3)])[0] == [(2, 3)]
    with pytest.raises(MXNetError, match=r"axis must be in the range \[-2, 2\] \(3 provided\)"):
        mx.nd.expand_dims(mx.nd.ones((2, 3)), axis=3)
    with pytest.raises(MXNetError, match=r"\(-4 provided\)"):
        mx.nd.expand_dims(mx.nd.ones((2, 3)), axis=-4)


def test_squeeze():
    assert out_shape("squeeze", [(1, 3, 1)], axis=-1) == (1, 3)
    assert out_shape("squeeze", [(1, 3, 1)], axis=()) == (1, 3, 1)
    assert out_shape("squeeze", [(1,)]) == (1,)
    assert infer("squeeze", [(None, 1, 3)]) == ([(None, 1, 3)], [None])
    assert infer("squeeze", [(None, 1, 3)], {"axis": 1}) == ([(None, 1, 3)], [(None, 3)])
    assert infer("squeeze", [(None, 2)], {"axis": 0}) == ([(1, 2)], [(2,)])
    assert infer("squeeze", [(None, None)], {"axis": 1}, [(5,)]) == ([(5, 1)], [(5,)])


@pytest.mark.parametrize("axis,text", [
    (1, r"cannot select an axis to squeeze out which has size=3 not equal to one "
        r"\(input \[1,3,1\]\)"),
    ((0, 0), "duplicate value in axis"),
    (3, "axis 3 is out of bounds for array of dimension 3"),
    (-4, "axis -4 is out of bounds for array of dimension 3"),
])
def test_squeeze_errors(axis, text):
    with pytest.raises(MXNetError, match=text):
        mx.nd.squeeze(mx.nd.ones((1, 3, 1)), axis=axis)


# ---- slice, slice_axis, slice_like --------------------------------------------------------------
@pytest.mark.parametrize("begin,end,step,expected", [
    ((5,), (6,), None, (0, 3, 4)),
    ((0,), (5,), None, (2, 3, 4)),
    ((3,), (None,), (-1,), (2, 3, 4)),
    ((-5,), (None,), (-1,), (0, 3, 4)),
    ((None,), (-5,), (-1,), (2, 3, 4)),
    ((0,), (-3,), None, (0, 3, 4)),
    ((-2,), (-1,), (-1,), (0, 3, 4)),
    ((None,), (None,), (2,), (1, 3, 4)),
    ((0, 0), (2, 3), (), (2, 3, 4)),
])
def test_slice_shapes_recorded(begin, end, step, expected):
    attrs = {"begin": begin, "end": end}
    if step is not None:
        attrs["step"] = step
    assert out_shape("slice", [(2, 3, 4)], **attrs) == expected


@pytest.mark.parametrize("begin,end,step,expected", [
    ((-7,), (3,), None, (3,)), ((-10,), (2,), (1,), (2,)), ((2,), (-10,), (-1,), (3,)),
    ((10,), (2,), (-1,), (2,)), ((-1,), (-7,), (-2,), (3,)), ((1,), (-1,), (3,), (1,)),
])
def test_slice_clamps_out_of_range_like_mxnet(begin, end, step, expected):
    attrs = {"begin": begin, "end": end} if step is None else {"begin": begin, "end": end,
                                                                "step": step}
    assert out_shape("slice", [(5,)], **attrs) == expected
    out = mx.nd.slice(arange(5), **attrs).asnumpy()
    np.testing.assert_array_equal(out, np.arange(5)[slice(begin[0], end[0],
                                                          step[0] if step else None)])


@pytest.mark.parametrize("attrs,text", [
    ({"begin": (0, 1, 2, 0), "end": (1, 2, 3, 4)},
     r"\(4 vs. 3\) : Slicing axis exceeds data dimensions: begin=\(0, 1, 2, 0\) for data of "
     r"shape \[2,3,4\]"),
    ({"begin": (0,), "end": (2,), "step": (0,)}, r"slice op step\[0\] cannot be 0"),
    ({"begin": (1,), "end": (2, 3)}, "begin and end must have the same length"),
    ({"begin": (0,), "end": (1,), "step": (2, 1)}, "step and begin must have the same length"),
])
def test_slice_errors(attrs, text):
    with pytest.raises(MXNetError, match=text):
        mx.nd.slice(mx.nd.ones((2, 3, 4)), **attrs)


def test_slice_partial_and_alias():
    assert infer("slice", [(None, 3, 4)], {"begin": (0, 1), "end": (None, 3)})[1] == \
        [(None, 2, 4)]
    assert infer("slice", [(2, None, 4)], {"begin": (0, 1), "end": (1, 3)})[1] == [(1, None, 4)]
    out = mx.nd.crop(arange(4, 2), begin=1, end=3)
    np.testing.assert_array_equal(out.asnumpy(), np.arange(8).reshape(4, 2)[1:3])


@pytest.mark.parametrize("axis,begin,end,expected", [
    (1, -1, None, (2, 1, 4)), (1, -3, None, (2, 3, 4)), (1, 1, -1, (2, 1, 4)),
    (-1, -3, -1, (2, 3, 2)), (1, 0, 3, (2, 3, 4)),
])
def test_slice_axis_recorded(axis, begin, end, expected):
    assert out_shape("slice_axis", [(2, 3, 4)], axis=axis, begin=begin, end=end) == expected


@pytest.mark.parametrize("axis,begin,end,text", [
    (2, 0, 5, r"Invalid end for end=5 as axis_size is 4 \(data shape \[2,3,4\], axis=2\)"),
    (1, 2, 1, "Invalid begin, end, get begin=2, end=1"),
    (1, 3, None, "Invalid begin, end, get begin=3, end=None"),
    (1, -4, 2, "Invalid begin for begin=-4"),
    (3, 0, 1, "Recieved axis=3, src_ndim=3, transformed axis=3"),
    (-4, 0, 1, "Recieved axis=-4, src_ndim=3, transformed axis=-1"),
])
def test_slice_axis_errors(axis, begin, end, text):
    with pytest.raises(MXNetError, match=text):
        mx.nd.slice_axis(mx.nd.ones((2, 3, 4)), axis=axis, begin=begin, end=end)


def test_slice_axis_partial_and_required_begin():
    assert infer("slice_axis", [(None, 3, 4)], {"axis": 1, "begin": 0, "end": 2})[1] == \
        [(None, 2, 4)]
    assert infer("slice_axis", [(2, None, 4)], {"axis": 1, "begin": 0, "end": 2})[1] == \
        [(2, 2, 4)]
    assert infer("slice_axis", [(2, None, 4)], {"axis": 1, "begin": -1, "end": None})[1] == \
        [(2, None, 4)]
    with pytest.raises(MXNetError, match="Invalid Parameter format for begin expect int"):
        mx.nd.slice_axis(mx.nd.ones((2, 3)), axis=1, begin=None, end=2)


@pytest.mark.parametrize("like,axes,expected", [
    ((1, 2, 3), (), (1, 2, 3)), ((1, 2, 3), (0, 2), (1, 3, 3)), ((1, 2, 3), (-1,), (2, 3, 3)),
    ((1, 2), (1,), (2, 2, 4)), ((1, 2, 3), (0, 0), (1, 3, 4)),
])
def test_slice_like_recorded(like, axes, expected):
    assert out_shape("slice_like", [(2, 3, 4), like], axes=axes) == expected


@pytest.mark.parametrize("like,axes,text", [
    ((1, 2), (), "ndim mismatch for inputs: 3 vs. 2"),
    ((3, 3, 3), (), r"Slice axis 0 with size 3 exceeds limit of input with size 2 "
                    r"\(\[2,3,4\] sliced like \[3,3,3\]\)"),
    ((1, 2, 3), (3,), "Slice axis: 3 exceeds first input: 3"),
    ((1, 2), (2,), "Slice axis: 2 exceeds second input: 2"),
    ((1, 2, 3), (-4,), "Slice axis: -4 too small"),
])
def test_slice_like_errors(like, axes, text):
    with pytest.raises(MXNetError, match=text):
        mx.nd.slice_like(mx.nd.ones((2, 3, 4)), mx.nd.ones(like), axes=axes)


def test_slice_like_partial():
    assert infer("slice_like", [(2, 3, 4), (1, None, 3)])[1] == [(1, None, 3)]
    assert infer("slice_like", [(2, 3, 4), (1, None, 3)], {"axes": (0,)})[1] == [(1, 3, 4)]
    assert infer("slice_like", [(None, 3, 4), (1, 2, 3)])[1] == [(1, 2, 3)]


# ---- tile, repeat, reverse ----------------------------------------------------------------------
def test_tile_shapes():
    assert out_shape("tile", [(2, 3)], reps=(2, 2, 2, 2)) == (2, 2, 4, 6)
    assert out_shape("tile", [(2, 3)], reps=()) == (2, 3)
    assert out_shape("tile", [(2, 3)], reps=(0, 2)) == (0, 6)
    assert infer("tile", [(None, 3)], {"reps": (2, 2)})[1] == [(None, 6)]
    with pytest.raises(MXNetError, match=r"reps must be non-negative.*\[2,3\]"):
        mx.nd.tile(mx.nd.ones((2, 3)), reps=(1, -1))


def test_repeat_shapes_and_errors():
    assert out_shape("repeat", [(2, 3)], repeats=2) == (12,)
    assert out_shape("repeat", [(2, 3)], repeats=0, axis=1) == (0,)
    assert out_shape("repeat", [(2, 3)], repeats=3, axis=-2) == (6, 3)
    assert infer("repeat", [(None, 3)], {"repeats": 2, "axis": 1})[1] == [(None, 6)]
    assert infer("repeat", [(None, 3)], {"repeats": 2})[1] == [(None,)]
    with pytest.raises(MXNetError, match=r"axis = 2 out of bounds \(data shape \[2,3\]\)"):
        mx.nd.repeat(mx.nd.ones((2, 3)), repeats=2, axis=2)
    with pytest.raises(MXNetError, match="repeats cannot be a negative number"):
        mx.nd.repeat(mx.nd.ones((2, 3)), repeats=-1, axis=0)


def test_reverse_duplicates_cancel_and_bad_axes():
    np.testing.assert_array_equal(mx.nd.reverse(arange(2, 3), axis=(0, 0)).asnumpy(),
                                  np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(arange(2, 3).flip(axis=1).asnumpy(),
                                  np.arange(6).reshape(2, 3)[:, ::-1])
    assert infer("reverse", [(None, 3)], {"axis": (0,)}) == ([(None, 3)], [(None, 3)])
    with pytest.raises(MXNetError, match=r"index = -1 must be in range \[0, 2\)"):
        mx.nd.reverse(mx.nd.ones((2, 3)), axis=-1)
    with pytest.raises(MXNetError, match=r"index = 5 must be in range \[0, 2\)"):
        mx.nd.flip(mx.nd.ones((2, 3)), axis=5)


# ---- broadcast_to, broadcast_axis, broadcast_like ----------------------------------------------
@pytest.mark.parametrize("src,shape,text", [
    ((2, 1), (3, 3), r"Array cannot be broadcasted from \[2,1\] to \[3,3\]"),
    ((2, 1), (2, 3, 4), r"\(2 vs. 3\) : Operand of shape \[2,1\] cannot be broadcasted to "
                        r"\[2,3,4\]"),
    ((1,), (2, 3), r"Operand of shape \[1\] cannot be broadcasted to \[2,3\]"),
    ((2, 1), (), r"Operand of shape \[2,1\] cannot be broadcasted to \[\]"),
    ((2, 1), (2, -1), r"invalid target shape \[2,-1\]"),
])
def test_broadcast_to_errors(src, shape, text):
    with pytest.raises(MXNetError, match=text):
        mx.nd.broadcast_to(mx.nd.ones(src), shape=shape)


def test_broadcast_to_shapes():
    assert out_shape("broadcast_to", [(2, 1)], shape=(0, 3)) == (2, 3)
    assert out_shape("broadcast_to", [(1, 3)], shape=(4, 0)) == (4, 3)
    assert out_shape("broadcast_to", [(1, 1)], shape=(0, 0)) == (1, 1)
    assert infer("broadcast_to", [(None, 1)], {"shape": (4, 3)})[1] == [(4, 3)]
    assert infer("broadcast_to", [(None, 1)], {"shape": (0, 3)})[1] == [(None, 3)]
    out = arange(2, 1).broadcast_to((2, 3))
    np.testing.assert_array_equal(out.asnumpy(), [[0, 0, 0], [1, 1, 1]])


def test_broadcast_axis():
    assert out_shape("broadcast_axis", [(2, 1, 1)], axis=(), size=()) == (2, 1, 1)
    assert out_shape("broadcast_axis", [(2, 1, 1)], axis=(1,), size=(0,)) == (2, 0, 1)
    assert out_shape("broadcast_axes", [(2, 1, 1)], axis=(1, 1), size=(1, 3)) == (2, 3, 1)
    assert infer("broadcast_axis", [(None, None)], {"axis": (1,), "size": (3,)}) == \
        ([(None, 1)], [(None, 3)])
    with pytest.raises(MXNetError, match=r"\(2 vs. 1\) : Broadcasting axis must have size 1 "
                                         r"\(input \[2,1,1\]"):
        mx.nd.broadcast_axis(mx.nd.ones((2, 1, 1)), axis=0, size=3)
    with pytest.raises(MXNetError, match=r"index = -1 must be in range \[0, 3\)"):
        mx.nd.broadcast_axes(mx.nd.ones((2, 1, 1)), axis=-1, size=3)
    with pytest.raises(MXNetError, match=r"\(1 vs. 2\)"):
        mx.nd.broadcast_axis(mx.nd.ones((2, 1, 1)), axis=(1,), size=(3, 4))


def test_broadcast_like():
    assert out_shape("broadcast_like", [(2, 1), (5, 6, 7)], lhs_axes=(-1,), rhs_axes=(-1,)) == \
        (2, 7)
    assert out_shape("broadcast_like", [(2, 1), (2, 3)], lhs_axes=(1,)) == (2, 3)
    assert out_shape("broadcast_like", [(2, 1), (2, 1)], lhs_axes=(1,), rhs_axes=(1,)) == (2, 1)
    assert infer("broadcast_like", [(2, 1), (None, 3)])[1] == [(2, 3)]
    assert infer("broadcast_like", [(None, 1), (2, 3)])[1] == [(2, 3)]
    assert infer("broadcast_like", [(2, 1), (None, 3)],
                 {"lhs_axes": (1,), "rhs_axes": (0,)})[1] == [(2, None)]


@pytest.mark.parametrize("lhs,rhs,attrs,text", [
    ((2, 1), (3,), {}, r"Operand of shape \[2,1\] cannot be broadcasted to \[3\]"),
    ((2, 3), (1, 3), {}, r"Array cannot be broadcasted from \[2,3\] to \[1,3\]"),
    ((2, 1), (5, 6, 7), {"lhs_axes": (0,), "rhs_axes": (0,)},
     r"Input axis 0 at dimension 0 cannot be broadcasted to 5 \(\[2,1\] like \[5,6,7\]\)"),
    ((2, 1), (5, 6, 7), {"lhs_axes": (2,), "rhs_axes": (0,)},
     "Invalid dimension specified in lhs_axes: 2"),
    ((2, 1), (2, 3), {"lhs_axes": (1,), "rhs_axes": (2,)},
     "Invalid dimension specified in rhs_axes: 2"),
    ((2, 1), (2, 3), {"lhs_axes": (), "rhs_axes": ()}, "Empty axes tuple is not allowed"),
    ((2, 1), (2, 3), {"lhs_axes": (1,), "rhs_axes": (0, 1)},
     "Input_axis and other_axis size does not match"),
])
def test_broadcast_like_errors(lhs, rhs, attrs, text):
    with pytest.raises(MXNetError, match=text):
        mx.nd.broadcast_like(mx.nd.ones(lhs), mx.nd.ones(rhs), **attrs)


# ---- names, aliases, parameters, fluent methods ------------------------------------------------
ALIASES = {"Reshape": "reshape", "Flatten": "flatten", "SwapAxis": "swapaxes", "slice": "crop",
           "reverse": "flip", "broadcast_axis": "broadcast_axes"}


@pytest.mark.parametrize("name,alias", sorted(ALIASES.items()))
def test_aliases(name, alias):
    assert get_op(alias) is get_op(name)
    assert hasattr(mx.nd, alias) and hasattr(mx.sym, alias)


FLUENT = ["reshape_like", "flatten", "transpose", "swapaxes", "expand_dims", "squeeze", "slice",
          "slice_axis", "slice_like", "tile", "repeat", "flip", "broadcast_to",
          "broadcast_axes", "broadcast_like", "reshape"]


@pytest.mark.parametrize("name", FLUENT)
def test_fluent_methods_exist(name):
    assert callable(getattr(mx.nd.NDArray, name))
    assert callable(getattr(mx.sym.Symbol, name))


def test_fluent_calls():
    x = arange(2, 3, 4)
    assert x.flatten().shape == (2, 12)
    assert x.transpose().shape == (4, 3, 2)
    assert x.swapaxes(0, 2).shape == (4, 3, 2)
    assert x.expand_dims(axis=1).shape == (2, 1, 3, 4)
    assert x.slice_axis(axis=2, begin=1, end=None).shape == (2, 3, 3)
    assert x.tile(reps=(2,)).shape == (2, 3, 8)
    assert x.repeat(repeats=2, axis=0).shape == (4, 3, 4)
    assert x.reshape_like(mx.nd.ones((6, 4))).shape == (6, 4)
    assert x.slice_like(mx.nd.ones((1, 2, 3))).shape == (1, 2, 3)
    assert arange(2, 1, 1).broadcast_axes(axis=(1,), size=(3,)).shape == (2, 3, 1)
    assert arange(1, 3).broadcast_like(mx.nd.ones((4, 3))).shape == (4, 3)


@pytest.mark.parametrize("name,params", [
    ("dot", ["transpose_a", "transpose_b", "forward_stype"]),
    ("batch_dot", ["transpose_a", "transpose_b", "forward_stype"]),
    ("Reshape", ["shape", "reverse", "target_shape", "keep_highest"]),
    ("reshape_like", ["lhs_begin", "lhs_end", "rhs_begin", "rhs_end"]),
    ("Flatten", []), ("transpose", ["axes"]), ("SwapAxis", ["dim1", "dim2"]),
    ("expand_dims", ["axis"]), ("squeeze", ["axis"]), ("slice", ["begin", "end", "step"]),
    ("slice_axis", ["axis", "begin", "end"]), ("slice_like", ["axes"]), ("tile", ["reps"]),
    ("repeat", ["repeats", "axis"]), ("reverse", ["axis"]), ("broadcast_to", ["shape"]),
    ("broadcast_axis", ["axis", "size"]), ("broadcast_like", ["lhs_axes", "rhs_axes"]),
])
def test_parameter_names(name, params):
    assert [f.name for f in get_op(name).fields] == params


def test_required_parameters():
    with pytest.raises(MXNetError, match="Required parameter axis of int is not presented"):
        mx.nd.expand_dims(mx.nd.ones((2,)))
    with pytest.raises(MXNetError, match="Required parameter end of int"):
        mx.nd.slice_axis(mx.nd.ones((2,)), axis=0, begin=0)
    with pytest.raises(MXNetError, match="Required parameter reps"):
        mx.nd.tile(mx.nd.ones((2,)))


def test_add_request_on_views():
    op = get_op("transpose")
    x = np.arange(6, dtype="float32").reshape(2, 3)
    out = np.ones((3, 2), "float32")
    op.forward(op.parse({}), None, [x], ["add"], [out])
    np.testing.assert_array_equal(out, x.T + 1)
    op.forward(op.parse({}), None, [x], ["null"], [out])
    np.testing.assert_array_equal(out, x.T + 1)


# ---- second derivatives: the gradients are compositions of differentiable ops ------------------
def _square_of(sym):
    return mx.sym.elemwise_mul(sym, sym)


@pytest.mark.parametrize("op,sa,sb,attrs", [
    ("dot", (3, 4), (4, 2), {}),
    ("dot", (4, 3), (2, 4), {"transpose_a": True, "transpose_b": True}),
    ("dot", (2, 3, 4), (4, 2, 2), {}),
    ("dot", (3, 2, 2), (3, 2), {"transpose_a": True}),
    ("dot", (4,), (4,), {}),
    ("dot", (3,), (2, 3), {"transpose_b": True}),
    ("batch_dot", (2, 3, 4), (2, 4, 2), {}),
    ("batch_dot", (2, 4, 3), (2, 2, 4), {"transpose_a": True, "transpose_b": True}),
], ids=str)
def test_product_second_derivative(op, sa, sb, attrs):
    """d/d(x, w) of d/dx sum(dot(x, w)^2), against central differences."""
    x, w = mx.sym.Variable("x"), mx.sym.Variable("w")
    grad_x = _square_of(getattr(mx.sym, op)(x, w, **attrs)).gradient("x")
    rng = np.random.default_rng(0)
    location = {"x": rng.uniform(-1, 1, sa), "w": rng.uniform(-1, 1, sb)}
    check_numeric_gradient(grad_x, location, dtype=np.float64)


@pytest.mark.parametrize("op,shape,attrs", [
    ("slice", (2, 3, 4), {"begin": (1, None), "end": (None, 0), "step": (1, -2)}),
    ("slice_axis", (2, 3, 4), {"axis": -1, "begin": 1, "end": 3}),
    ("tile", (2, 3), {"reps": (2, 1, 2)}),
    ("repeat", (2, 3), {"repeats": 2, "axis": -1}),
    ("transpose", (2, 3, 4), {"axes": (1, 2, 0)}),
    ("Reshape", (2, 3, 4), {"shape": (-1, 0), "reverse": True}),
    ("reverse", (2, 3), {"axis": (1,)}),
], ids=str)
def test_shape_op_second_derivative(op, shape, attrs):
    if op in ("tile", "repeat") and get_op("sum").gradient is None:
        pytest.skip("the gradients of tile and repeat sum; sum needs its own gradient rule")
    x = mx.sym.Variable("x")
    grad_x = _square_of(getattr(mx.sym, op)(x, **attrs)).gradient("x")
    location = {"x": np.random.default_rng(0).uniform(-1, 1, shape)}
    check_numeric_gradient(grad_x, location, dtype=np.float64)


def test_slice_like_second_derivative():
    x, y = mx.sym.Variable("x"), mx.sym.Variable("y")
    grad_x = _square_of(mx.sym.slice_like(x, y, axes=(0, 2))).gradient("x")
    rng = np.random.default_rng(0)
    location = {"x": rng.uniform(-1, 1, (2, 3, 4)), "y": rng.uniform(-1, 1, (1, 5, 3))}
    check_numeric_gradient(grad_x, location, grad_nodes=["x"], dtype=np.float64)


# ---- gradients recorded from MXNet 1.9.1 (every differentiable case of cases_matrix.py was also
# compared with the oracle's backward to 1e-10) ------------------------------------------------
def _backward(sym_fn, arrays, head, **attrs):
    names = [f"x{i}" for i in range(len(arrays))]
    sym = sym_fn(*[mx.sym.Variable(n) for n in names], **attrs)
    args = {n: mx.nd.array(a, dtype="float64") for n, a in zip(names, arrays)}
    grads = {n: mx.nd.zeros(np.shape(a), dtype="float64") for n, a in zip(names, arrays)}
    exe = sym.bind(mx.cpu(), args, args_grad=grads)
    exe.forward(is_train=True)
    exe.backward([mx.nd.array(head, dtype="float64")])
    return [grads[n].asnumpy() for n in names]


def test_tile_and_repeat_gradients_sum_the_copies():
    x = np.arange(6.0).reshape(2, 3)
    (g,) = _backward(mx.sym.tile, [x], np.arange(12.0).reshape(2, 2, 3), reps=(2, 1, 1))
    np.testing.assert_array_equal(g, [[6, 8, 10], [12, 14, 16]])
    (g,) = _backward(mx.sym.tile, [x], np.arange(24.0).reshape(2, 12), reps=(4,))
    np.testing.assert_array_equal(g, [[18, 22, 26], [66, 70, 74]])
    (g,) = _backward(mx.sym.repeat, [x], np.arange(12.0), repeats=2)
    np.testing.assert_array_equal(g, [[1, 5, 9], [13, 17, 21]])
    (g,) = _backward(mx.sym.repeat, [x], np.ones((2, 3)), repeats=0, axis=1)
    np.testing.assert_array_equal(g, np.zeros((2, 3)))


def test_reshape_to_fewer_elements_has_no_gradient():
    """MXNet's backward fails too (from.Size() == to.Size())."""
    x = mx.sym.Variable("x")
    exe_args = {"x": mx.nd.ones((2, 3, 4), dtype="float64")}
    with pytest.raises(MXNetError, match="different size"):
        mx.sym.Reshape(x, shape=(5, -1)).bind(
            mx.cpu(), exe_args, args_grad={"x": mx.nd.zeros((2, 3, 4), dtype="float64")})


def test_backward_slice_shape_inference():
    assert infer("_backward_slice", [None, (2, 3, 4)], {"begin": (0, 1), "end": (2, 3)}) == \
        ([(2, 2, 4), (2, 3, 4)], [(2, 3, 4)])
    assert infer("_backward_slice_axis", [None, None], {"axis": 0, "begin": 1, "end": 2},
                 out_shapes=[(3, 4)]) == ([(1, 4), (3, 4)], [(3, 4)])
    assert infer("_backward_slice_like", [(1, 2), (3, 4)]) == ([(1, 2), (3, 4)], [(3, 4)])
    assert infer("_dot_ograd_matrix", [(2, 3, 5, 6), (2, 3, 4)]) == \
        ([(2, 3, 5, 6), (2, 3, 4)], [(6, 30)])
