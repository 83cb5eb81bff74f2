"""Op-specific tests for the joining, splitting and indexing family (symnet/ops/defs/index.py):
names and front-end behaviour, partial shape inference, inference errors and behaviour recorded
from MXNet 1.9.1 (the snippet that printed each expected value is in the comment above it)."""
from __future__ import annotations

import numpy as np
import pytest

import symnet as mx
from symnet.base import MXNetError
from symnet.ops.registry import find_op

X32 = np.array([[1, 2], [3, 4], [5, 6]], np.float32)


def nd(value, dtype="float32"):
    return mx.nd.array(np.asarray(value), dtype=dtype)


def shapes(op_name, attrs, in_shapes, out_shapes=None):
    op = find_op(op_name)
    params = op.parse(attrs)
    outs = out_shapes if out_shapes is not None else [None] * op.num_outputs(params)
    return op.shapes(params, in_shapes, outs, "node")


def types(op_name, attrs, in_types, out_types=None):
    op = find_op(op_name)
    params = op.parse(attrs)
    outs = out_types if out_types is not None else [None] * op.num_outputs(params)
    return op.types(params, [None if t is None else np.dtype(t) for t in in_types], outs,
                    "node")


# ---- names, parameters, front end ---------------------------------------------------------

def test_names_aliases_and_inputs():
    # [n for n in all op names if handle(n) == handle(X)] in MXNet (sparse/numpy names left out)
    assert find_op("concat") is find_op("Concat")
    assert find_op("ElementWiseSum") is find_op("add_n")
    assert find_op("split") is find_op("SliceChannel")
    assert find_op("choose_element_0index") is find_op("pick")
    # mx.sym.Concat(num_args=3, name='c').list_arguments() -> ['c_arg0', 'c_arg1', 'c_arg2']
    for name in ("Concat", "stack", "add_n"):
        op = find_op(name)
        assert op.inputs_for(op.parse({"num_args": "3"})) == ["arg0", "arg1", "arg2"]
    assert find_op("where").inputs_for({}) == ["condition", "x", "y"]
    assert find_op("take").arg_names == ("a", "indices")
    assert find_op("pick").arg_names == ("data", "index")
    assert find_op("one_hot").arg_names == ("indices",)
    # mx.sym.split(a, num_outputs=3).list_outputs() -> [..._output0, _output1, _output2]
    op = find_op("SliceChannel")
    assert op.list_outputs(op.parse({"num_outputs": 3})) == ["output0", "output1", "output2"]


def test_fluent_methods_match_mxnet():
    # hasattr(mx.nd.NDArray, m): split, take, pick, one_hot True; concat, stack, where,
    # add_n, SliceChannel False
    for name in ("split", "take", "pick", "one_hot"):
        assert hasattr(mx.nd.NDArray, name)
    for name in ("concat", "Concat", "stack", "where", "add_n", "SliceChannel"):
        assert name not in mx.nd.NDArray.__dict__


def test_json_attributes_parse():
    # mx.sym.concat(a, b, c, dim=0) JSON attrs: {'dim': '0', 'num_args': '3'}
    params = find_op("Concat").parse({"dim": "0", "num_args": "3"})
    assert (params.dim, params.num_args) == (0, 3)
    # mx.sym.split(a, num_outputs=2, axis=0, squeeze_axis=True): squeeze_axis "True"
    params = find_op("split").parse({"num_outputs": "2", "axis": "0", "squeeze_axis": "True"})
    assert (params.num_outputs, params.axis, params.squeeze_axis) == (2, 0, True)
    # mx.sym.pick(a, a, axis=None) JSON attrs: {'axis': 'None'}
    assert find_op("pick").parse({"axis": "None"}).axis is None
    assert find_op("one_hot").parse({"depth": "3"}).dtype == "float32"


def test_parameter_errors():
    # mx.nd.concat() -> value 0 for Parameter num_args should be greater equal to 1
    with pytest.raises(MXNetError, match="num_args should be greater equal to 1"):
        mx.nd.concat()
    # mx.sym.split(a, num_outputs=0) -> value 0 for Parameter num_outputs should be ...
    with pytest.raises(MXNetError, match="num_outputs should be greater equal to 1"):
        mx.nd.split(nd(X32), num_outputs=0)
    # mx.nd.one_hot(x, 3, dtype='bool') -> Invalid Input: 'bool', valid values are: ...
    # (symnet's DType field words it "Invalid Parameter format for dtype ... value='bool'")
    with pytest.raises(MXNetError, match="'bool'"):
        mx.nd.one_hot(nd([1, 2]), 3, dtype="bool")
    # mx.nd.take(x, i, mode='foo')
    with pytest.raises(MXNetError, match="Invalid Input: 'foo'"):
        mx.nd.take(nd(X32), nd([0]), mode="foo")


def test_variadic_front_end_fills_num_args():
    a, b = nd([[1, 2], [3, 4]]), nd([[5, 6]])
    # mx.nd.concat(x, y, dim=0) -> [[1,2],[3,4],[5,6]]
    np.testing.assert_array_equal(mx.nd.concat(a, b, dim=0).asnumpy(), [[1, 2], [3, 4], [5, 6]])
    # mx.nd.Concat(x, x) -> [[1,2,1,2],[3,4,3,4]]
    np.testing.assert_array_equal(mx.nd.Concat(a, a).asnumpy(), [[1, 2, 1, 2], [3, 4, 3, 4]])
    np.testing.assert_array_equal(mx.nd.concat([a, b], dim=0).asnumpy(),
                                  [[1, 2], [3, 4], [5, 6]])
    # mx.nd.ElementWiseSum(ones(2), ones(2), num_args=2) -> [2, 2]
    np.testing.assert_array_equal(mx.nd.ElementWiseSum(nd([1, 1]), nd([1, 1]), num_args=2)
                                  .asnumpy(), [2, 2])
    # mx.nd.stack(ones(2), zeros(2), axis=1) -> [[1,0],[1,0]]
    np.testing.assert_array_equal(mx.nd.stack(nd([1, 1]), nd([0, 0]), axis=1).asnumpy(),
                                  [[1, 0], [1, 0]])
    out = nd(np.zeros((2, 6)))
    mx.nd.concat(nd(np.ones((2, 3))), nd(np.ones((2, 3))), dim=-1, out=out)
    np.testing.assert_array_equal(out.asnumpy(), np.ones((2, 6)))


def test_add_n_integer_and_single():
    # mx.nd.add_n(ones(2, int32), ones(2, int32)) -> [2 2] (int32)
    out = mx.nd.add_n(nd([1, 1], "int32"), nd([1, 1], "int32"))
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out.asnumpy(), [2, 2])
    assert find_op("add_n").inplace(find_op("add_n").parse({"num_args": 2})) == [(0, 0)]


# ---- Concat -------------------------------------------------------------------------------

def test_concat_shapes_and_partial_inference():
    # Concat(a,b).infer_shape(a=(2,3,4), b=(2,5,4)) -> out (2,8,4)
    assert shapes("Concat", {"num_args": 2}, [(2, 3, 4), (2, 5, 4)])[1] == [(2, 8, 4)]
    # Concat(a,b,dim=-1).infer_shape(a=(2,3,4), b=(2,3,5)) -> (2,3,9)
    assert shapes("Concat", {"num_args": 2, "dim": -1}, [(2, 3, 4), (2, 3, 5)])[1] == \
        [(2, 3, 9)]
    # infer_shape_partial(a=(2,0,4), b=(2,5,4)) -> out (2,0,4): an unknown dim stays unknown
    ins, outs = shapes("Concat", {"num_args": 2}, [(2, None, 4), (2, 5, 4)])
    assert outs == [(2, None, 4)]
    # infer_shape_partial(a=(2,3,4), b=(0,5,0)) -> b (2,5,4), out (2,8,4)
    ins, outs = shapes("Concat", {"num_args": 2}, [(2, 3, 4), (None, 5, None)])
    assert ins == [(2, 3, 4), (2, 5, 4)] and outs == [(2, 8, 4)]
    # a wholly unknown input gets the common dims; its own size is unknown (MXNet 1.9.1 would
    # also report the output as (2,3,4) here, a known quirk we do not copy)
    ins, outs = shapes("Concat", {"num_args": 2}, [(2, 3, 4), None])
    assert ins == [(2, 3, 4), (2, None, 4)] and outs == [(2, None, 4)]
    # the one unknown size follows from a known output
    ins, outs = shapes("Concat", {"num_args": 3, "dim": 0}, [(1, 3), None, (1, 3)], [(5, 3)])
    assert ins == [(1, 3), (3, 3), (1, 3)] and outs == [(5, 3)]
    assert shapes("Concat", {"num_args": 2}, [None, None]) == ([None, None], [None])


def test_concat_shape_errors():
    # Concat(a,b).infer_shape(a=(2,3,4), b=(3,5,4)) -> Error in operator concat0: ...
    # Incompatible input shape: expected [2,-1,4], got [3,5,4]
    with pytest.raises(MXNetError, match=r"Error in operator node: Incompatible input shape: "
                                         r"expected \[2,-1,4\], got \[3,5,4\]"):
        shapes("Concat", {"num_args": 2}, [(2, 3, 4), (3, 5, 4)])
    # ... a=(2,3,4), b=(2,5) -> Incompatible input shape: expected [2,-1,4], got [2,5]
    with pytest.raises(MXNetError, match=r"expected \[2,-1,4\], got \[2,5\]"):
        shapes("Concat", {"num_args": 2}, [(2, 3, 4), (2, 5)])
    # Concat(a,b,c,dim=0) a=(2,3), b=(3,2), c=(4,4) -> expected [-1,3], got [3,2]
    with pytest.raises(MXNetError, match=r"expected \[-1,3\], got \[3,2\]"):
        shapes("Concat", {"num_args": 3, "dim": 0}, [(2, 3), (3, 2), (4, 4)])
    # Concat(a,b,dim=3) on 3-D -> axis 3 exceeds the input dimension of 3
    with pytest.raises(MXNetError, match="axis 3 exceeds the input dimension of 3"):
        shapes("Concat", {"num_args": 2, "dim": 3}, [(2, 3, 4), (2, 3, 5)])
    with pytest.raises(MXNetError, match="axis -4 exceeds the input dimension of 3"):
        shapes("Concat", {"num_args": 2, "dim": -4}, [(2, 3, 4), (2, 3, 5)])
    with pytest.raises(MXNetError, match="Incompatible output shape"):
        shapes("Concat", {"num_args": 2, "dim": 0}, [(2, 3), (2, 3)], [(5, 3)])
    with pytest.raises(MXNetError, match="zero-dimensional arrays cannot be concatenated"):
        shapes("Concat", {"num_args": 2}, [(), ()])
    # imperative: mx.nd.concat(x(2,2), y(1,2)) (dim=1) -> expected [2,-1], got [1,2]
    with pytest.raises(MXNetError, match=r"expected \[2,-1\], got \[1,2\]"):
        mx.nd.concat(nd(np.ones((2, 2))), nd(np.ones((1, 2))))


def test_concat_type_error():
    # Concat(a,b).infer_type(a='float32', b='float64') -> Non-uniform data type in Concat,
    # expected data type float32, got data type float64 for input 1
    with pytest.raises(MXNetError, match="Non-uniform data type in Concat, expected data type "
                                         "float32, got data type float64 for input 1"):
        types("Concat", {"num_args": 2}, ["float32", "float64"])
    assert types("Concat", {"num_args": 2}, ["float32", None])[0] == [np.float32] * 2


# ---- stack / add_n ------------------------------------------------------------------------

def test_stack_shapes():
    # stack(a,b,axis=-1).infer_shape(a=(2,3), b=(2,3)) -> (2,3,2); axis=2 the same
    assert shapes("stack", {"num_args": 2, "axis": -1}, [(2, 3), (2, 3)])[1] == [(2, 3, 2)]
    assert shapes("stack", {"num_args": 2, "axis": 2}, [(2, 3), (2, 3)])[1] == [(2, 3, 2)]
    # infer_shape_partial(a=(2,0), b=(0,3)) -> out (2,2,3)
    ins, outs = shapes("stack", {"num_args": 2}, [(2, None), (None, 3)])
    assert ins == [(2, 3), (2, 3)] and outs == [(2, 2, 3)]
    ins, outs = shapes("stack", {"num_args": 2}, [None, None], [(2, 4, 5)])
    assert ins == [(4, 5), (4, 5)]
    # stack(a,b,axis=3) on 2-D inputs -> axis 3 exceeds the input dimension of 3
    with pytest.raises(MXNetError, match="axis 3 exceeds the input dimension of 3"):
        shapes("stack", {"num_args": 2, "axis": 3}, [(2, 3), (2, 3)])
    # MXNet 1.9.1 does not check that stacked shapes agree (mx.nd.stack of (2,3) and (3,3)
    # returns garbage of shape (2,2,3)); symnet reports the mismatch
    with pytest.raises(MXNetError, match=r"expected \[2,3\], got \[3,3\]"):
        shapes("stack", {"num_args": 2}, [(2, 3), (3, 3)])


def test_add_n_shape_and_type_errors():
    # add_n(a,b,c).infer_shape(a=(2,3), b=(2,4), c=(2,3)) -> Incompatible attr in node add_n0
    # at 1-th input: expected [2,3], got [2,4]
    with pytest.raises(MXNetError, match=r"at 1-th input: expected \[2,3\], got \[2,4\]"):
        shapes("add_n", {"num_args": 3}, [(2, 3), (2, 4), (2, 3)])
    # infer_shape_partial(a=(2,3)) -> all (2,3)
    assert shapes("add_n", {"num_args": 3}, [(2, 3), None, None]) == \
        ([(2, 3)] * 3, [(2, 3)])
    with pytest.raises(MXNetError, match="expected float32, got float64"):
        types("add_n", {"num_args": 2}, ["float32", "float64"])


# ---- SliceChannel -------------------------------------------------------------------------

def test_split_shapes():
    # split(a, num_outputs=3).infer_shape(a=(2,6,4)) -> 3 x (2,2,4)
    assert shapes("split", {"num_outputs": 3}, [(2, 6, 4)])[1] == [(2, 2, 4)] * 3
    # axis=-1, num_outputs=2 -> (2,6,2); axis=0, squeeze_axis -> (6,4)
    assert shapes("split", {"num_outputs": 2, "axis": -1}, [(2, 6, 4)])[1] == [(2, 6, 2)] * 2
    assert shapes("split", {"num_outputs": 2, "axis": 0, "squeeze_axis": True},
                  [(2, 6, 4)])[1] == [(6, 4)] * 2
    # split(a, num_outputs=1, squeeze_axis=1).infer_shape(a=(2,1,4)) -> (2,4)
    assert shapes("split", {"num_outputs": 1, "squeeze_axis": 1}, [(2, 1, 4)])[1] == [(2, 4)]
    # partial: the input follows from an output (MXNet 1.9.1 leaves it unknown)
    ins, outs = shapes("split", {"num_outputs": 3}, [None], [None, (2, 2, 4), None])
    assert ins == [(2, 6, 4)] and outs == [(2, 2, 4)] * 3
    ins, outs = shapes("split", {"num_outputs": 3, "axis": 0, "squeeze_axis": True}, [None],
                       [None, (2, 4), None])
    assert ins == [(3, 2, 4)]
    # an unknown split dim stays unknown (MXNet 1.9.1 raises "3 does not evenly divide -1")
    assert shapes("split", {"num_outputs": 3}, [(2, None, 4)])[1] == [(2, None, 4)] * 3


def test_split_errors():
    # split(a, num_outputs=3).infer_shape(a=(2,5,4)) -> You are trying to split the 1-th axis
    # of input tensor with shape [2,5,4] into num_outputs=3 evenly sized chunks, but this is
    # not possible because 3 does not evenly divide 5
    with pytest.raises(MXNetError, match=r"You are trying to split the 1-th axis of input "
                       r"tensor with shape \[2,5,4\] into num_outputs=3 evenly sized chunks, "
                       r"but this is not possible because 3 does not evenly divide 5"):
        shapes("split", {"num_outputs": 3}, [(2, 5, 4)])
    # split(a, num_outputs=3, axis=1, squeeze_axis=True).infer_shape(a=(2,6,4)) -> If squeeze
    # axis is True, the size of the sliced axis must be the same as num_outputs. Input
    # shape=[2,6,4], axis=1, num_outputs=3.
    with pytest.raises(MXNetError, match=r"Input shape=\[2,6,4\], axis=1, num_outputs=3\."):
        shapes("split", {"num_outputs": 3, "squeeze_axis": True}, [(2, 6, 4)])
    with pytest.raises(MXNetError, match="axis 3 exceeds the input dimension of 3"):
        shapes("split", {"num_outputs": 2, "axis": 3}, [(2, 6, 4)])
    with pytest.raises(MXNetError, match="does not evenly divide 5"):
        mx.nd.split(nd(np.ones((2, 5))), num_outputs=2)


def test_split_front_end():
    x = nd(np.arange(6).reshape(2, 3))
    # mx.nd.split(arange(6).reshape((2,3)), num_outputs=3, axis=1) -> [[0],[3]], [[1],[4]], ...
    parts = mx.nd.split(x, num_outputs=3, axis=1)
    assert isinstance(parts, list) and len(parts) == 3
    np.testing.assert_array_equal(parts[2].asnumpy(), [[2], [5]])
    # positional: mx.nd.split(x, 3, 1); fluent x.split(num_outputs=3) is a list
    assert [p.shape for p in mx.nd.split(x, 3, 1)] == [(2, 1)] * 3
    assert isinstance(x.split(num_outputs=3), list)
    # num_outputs=1 returns a single NDArray of shape (2, 3)
    assert mx.nd.split(x, num_outputs=1, axis=1).shape == (2, 3)


# ---- where --------------------------------------------------------------------------------

def test_where_values():
    x, y = nd([[1, 2], [3, 4]]), nd([[5, 6], [7, 8]])
    # mx.nd.where([[0,1],[-1,0]], x, y) -> [[5,2],[3,8]]
    np.testing.assert_array_equal(mx.nd.where(nd([[0, 1], [-1, 0]]), x, y).asnumpy(),
                                  [[5, 2], [3, 8]])
    # mx.nd.where([0, 0.5], x, y) -> [[5,6],[3,4]] (row-wise, 0.5 is true)
    np.testing.assert_array_equal(mx.nd.where(nd([0, 0.5]), x, y).asnumpy(), [[5, 6], [3, 4]])
    # mx.nd.where([nan, 0], [1,2], [5,6]) -> [1, 6]
    np.testing.assert_array_equal(mx.nd.where(nd([np.nan, 0]), nd([1, 2]), nd([5, 6]))
                                  .asnumpy(), [1, 6])
    # an int32 condition with float data: where(int32 [0,1], x, y) -> [[5,6],[3,4]]
    np.testing.assert_array_equal(mx.nd.where(nd([0, 1], "int32"), x, y).asnumpy(),
                                  [[5, 6], [3, 4]])


def test_where_shapes_and_errors():
    # where(a,b,c).infer_shape(a=(2,), b=(2,3), c=(2,3)) -> out (2,3)
    assert shapes("where", {}, [(2,), (2, 3), (2, 3)])[1] == [(2, 3)]
    ins, outs = shapes("where", {}, [(2, 3), None, None])
    assert ins == [(2, 3)] * 3 and outs == [(2, 3)]
    ins, outs = shapes("where", {}, [None, None, (2, 3)])
    assert ins == [None, (2, 3), (2, 3)]
    ins, _ = shapes("where", {}, [(None,), (2, 3), None])
    assert ins[0] == (2,)
    # where(a,b,c).infer_shape(a=(3,), b=(2,3), c=(2,3)) -> Check failed:
    # (*in_attrs)[0].Size() == static_cast<size_t>(tshape[0]) (3 vs. 2)
    with pytest.raises(MXNetError, match=r"Incompatible condition shape: expected \[2,3\] or "
                                         r"\[2\], got \[3\]"):
        shapes("where", {}, [(3,), (2, 3), (2, 3)])
    # mx.nd.where([[0],[1]], x(2,2), y(2,2)) -> Operator where inferring shapes failed.
    with pytest.raises(MXNetError, match=r"got \[2,1\]"):
        mx.nd.where(nd([[0], [1]]), nd(np.ones((2, 2))), nd(np.ones((2, 2))))
    # where(a,b,c).infer_shape(a=(2,3), b=(2,3), c=(2,4)) -> shapes cannot be decided
    with pytest.raises(MXNetError, match=r"at 2-th input: expected \[2,3\], got \[2,4\]"):
        shapes("where", {}, [(2, 3), (2, 3), (2, 4)])
    # where(a,b,c).infer_type(a='int32', b='float32', c='float32') -> [int32, f32, f32], [f32]
    assert types("where", {}, ["int32", "float32", "float32"]) == \
        ([np.int32, np.float32, np.float32], [np.float32])
    with pytest.raises(MXNetError, match="expected float32, got float64"):
        types("where", {}, ["float32", "float32", "float64"])


# ---- take ---------------------------------------------------------------------------------

def test_take_modes_out_of_range():
    x = nd(X32)
    idx = nd([5, -1, -4, 1.7, -0.5, 2.9])
    # mx.nd.take(x, [5,-1,-4,1.7,-0.5,2.9], mode='clip') -> rows 2,0,0,1,0,2
    np.testing.assert_array_equal(mx.nd.take(x, idx).asnumpy(), X32[[2, 0, 0, 1, 0, 2]])
    # mx.nd.take(x, [5,-1,-4,1.7,-0.5,2.9,-2.5], mode='wrap') -> rows 2,2,2,1,0,2,1
    idx = nd([5, -1, -4, 1.7, -0.5, 2.9, -2.5])
    np.testing.assert_array_equal(mx.nd.take(x, idx, mode="wrap").asnumpy(),
                                  X32[[2, 2, 2, 1, 0, 2, 1]])
    # mx.nd.take(x, [[0,3],[-1,-2]], axis=1, mode='wrap') -> [[[1,2],[2,1]], [[3,4],[4,3]], ...]
    out = mx.nd.take(x, nd([[0, 3], [-1, -2]]), axis=1, mode="wrap").asnumpy()
    np.testing.assert_array_equal(out, [[[1, 2], [2, 1]], [[3, 4], [4, 3]], [[5, 6], [6, 5]]])
    # mode='raise': [1.5, 2.0, 0] -> rows 1, 2, 0; [-1, 1], [3, 1], [2.9], [-0.5], [2.0001]
    # -> take operator contains indices out of bound
    np.testing.assert_array_equal(mx.nd.take(x, nd([1.5, 2.0, 0]), mode="raise").asnumpy(),
                                  X32[[1, 2, 0]])
    for bad in ([-1, 1], [3, 1], [2.9], [-0.5], [2.0001]):
        with pytest.raises(MXNetError, match="take operator contains indices out of bound"):
            mx.nd.take(x, nd(bad), mode="raise")
    # integer indices: mx.nd.take(x, int32 [1,2], mode='wrap') -> [[3,4],[5,6]]; uint8 works
    np.testing.assert_array_equal(mx.nd.take(x, nd([1, 2], "int32"), mode="wrap").asnumpy(),
                                  X32[[1, 2]])
    np.testing.assert_array_equal(mx.nd.take(x, nd([1, 0], "uint8")).asnumpy(), X32[[1, 0]])
    # x.take([1]) -> [[3, 4]]; take(int32 [1,2,3], [2.5]) -> [3]
    np.testing.assert_array_equal(x.take(nd([1])).asnumpy(), [[3, 4]])
    out = mx.nd.take(nd([1, 2, 3], "int32"), nd([2.5]))
    assert out.dtype == np.int32 and out.asnumpy().tolist() == [3]


def test_take_shapes_and_types():
    # take(a,b).infer_shape(a=(4,3), b=(2,5)) -> (2,5,3); axis=1 on (4,3,6) -> (4,2,5,6)
    assert shapes("take", {}, [(4, 3), (2, 5)])[1] == [(2, 5, 3)]
    assert shapes("take", {"axis": 1}, [(4, 3, 6), (2, 5)])[1] == [(4, 2, 5, 6)]
    assert shapes("take", {"axis": -1}, [(4, 3, 6), (2, 5)])[1] == [(4, 3, 2, 5)]
    # infer_shape_partial(a=(0,3), b=(2,)) -> (2,3); (a=(4,0), b=(2,)) -> (2,0)
    assert shapes("take", {}, [(None, 3), (2,)])[1] == [(2, 3)]
    assert shapes("take", {}, [(4, None), (2,)])[1] == [(2, None)]
    assert shapes("take", {}, [(4, None), None])[1] == [None]
    ins, _ = shapes("take", {"axis": 1}, [(4, None, 6), (2, None)], [(4, 2, 5, 6)])
    assert ins == [(4, None, 6), (2, 5)]
    # take(a,b,axis=3).infer_shape(a=(4,3,6), ...) -> Axis should be in the range of [-r, r-1]
    # where r is the rank of input tensor
    for axis in (3, -4):
        with pytest.raises(MXNetError, match=r"Axis should be in the range of \[-r, r-1\]"):
            shapes("take", {"axis": axis}, [(4, 3, 6), (2, 5)])
    # take.infer_type(a='int32', b='float64') -> [int32, float64], [int32]
    assert types("take", {}, ["int32", "float64"]) == ([np.int32, np.float64], [np.int32])


# ---- pick ---------------------------------------------------------------------------------

def test_pick_modes_out_of_range():
    x = nd(X32)
    # mx.nd.pick(x, [0,1], 0) -> [1, 4]
    np.testing.assert_array_equal(mx.nd.pick(x, nd([0, 1]), 0).asnumpy(), [1, 4])
    # mx.nd.pick(x, [2,-1,-2], 1, mode='wrap') -> [1, 4, 5]; clip (default) -> [2, 3, 5]
    np.testing.assert_array_equal(mx.nd.pick(x, nd([2, -1, -2]), 1, mode="wrap").asnumpy(),
                                  [1, 4, 5])
    np.testing.assert_array_equal(mx.nd.pick(x, nd([2, -1, -2]), 1).asnumpy(), [2, 3, 5])
    # fractions truncate: pick(x, [1.7,-0.5,-2.5], 1, mode='wrap') -> [2, 3, 5]
    np.testing.assert_array_equal(mx.nd.pick(x, nd([1.7, -0.5, -2.5]), 1, mode="wrap")
                                  .asnumpy(), [2, 3, 5])
    # pick(x, [1.7,-0.5,0.9], 1) -> [2, 3, 5]
    np.testing.assert_array_equal(mx.nd.pick(x, nd([1.7, -0.5, 0.9]), 1).asnumpy(), [2, 3, 5])
    # pick(x, [[1],[0],[2]], 1, keepdims=True) -> [[2],[3],[6]]; without keepdims [2, 3, 6]
    y = nd([[1], [0], [2]])
    np.testing.assert_array_equal(mx.nd.pick(x, y, 1, keepdims=True).asnumpy(), [[2], [3], [6]])
    np.testing.assert_array_equal(mx.nd.pick(x, y, 1).asnumpy(), [2, 3, 6])
    # int32 index, fluent and alias: pick(x, int32 [1,0,1]) -> [2, 3, 6]
    np.testing.assert_array_equal(mx.nd.pick(x, nd([1, 0, 1], "int32")).asnumpy(), [2, 3, 6])
    np.testing.assert_array_equal(x.pick(nd([1, 0, 1])).asnumpy(), [2, 3, 6])
    np.testing.assert_array_equal(mx.nd.choose_element_0index(x, nd([1, 0, 1])).asnumpy(),
                                  [2, 3, 6])
    # mx.nd.pick([1,2,3], [2], axis=0) -> [3.] with shape (1,), also with keepdims
    assert mx.nd.pick(nd([1, 2, 3]), nd([2]), axis=0).asnumpy().tolist() == [3]
    assert mx.nd.pick(nd([1, 2, 3]), nd([2]), axis=0, keepdims=True).shape == (1,)


def test_pick_shapes_and_errors():
    # pick(a,b).infer_shape(a=(3,4), b=(3,)) -> (3,); keepdims -> (3,1); b=(3,1) accepted
    assert shapes("pick", {}, [(3, 4), (3,)])[1] == [(3,)]
    assert shapes("pick", {"keepdims": True}, [(3, 4), (3,)])[1] == [(3, 1)]
    assert shapes("pick", {}, [(3, 4), (3, 1)])[1] == [(3,)]
    assert shapes("pick", {"axis": 1}, [(2, 3, 4), (2, 1, 4)])[1] == [(2, 4)]
    # pick(keepdims=True).infer_shape_partial(a=(3,4)) -> index (3,), out (3,1)
    assert shapes("pick", {"keepdims": True}, [(3, 4), None]) == ([(3, 4), (3,)], [(3, 1)])
    # infer_shape_partial(a=(3,0)) -> (3,) out
    assert shapes("pick", {}, [(3, None), None])[1] == [(3,)]
    ins, _ = shapes("pick", {"axis": 1}, [(None, 3, None), (2, 4)])
    assert ins[0] == (2, 3, 4)
    # pick(a,b,axis=0).infer_shape(a=(3,4), b=(3,)) -> Shape inconsistent, Provided = [3],
    # inferred shape=[4]
    with pytest.raises(MXNetError, match=r"Shape inconsistent, Provided = \[3\], inferred "
                                         r"shape=\[4\]"):
        shapes("pick", {"axis": 0}, [(3, 4), (3,)])
    # keepdims=True with b=(4,1) -> Provided = [4,1], inferred shape=[3,1]
    with pytest.raises(MXNetError, match=r"Provided = \[4,1\], inferred shape=\[3,1\]"):
        shapes("pick", {"keepdims": True}, [(3, 4), (4, 1)])
    # a=(3,4,5), b=(3,) -> Provided = [3], inferred shape=[3,4]
    with pytest.raises(MXNetError, match=r"Provided = \[3\], inferred shape=\[3,4\]"):
        shapes("pick", {}, [(3, 4, 5), (3,)])
    # axis=None -> axis=None is not supported by pick yet. Must specify an axis.
    with pytest.raises(MXNetError, match="axis=None is not supported by pick yet"):
        shapes("pick", {"axis": None}, [(3, 4), (3,)])
    # axis=2 on 2-D -> axis 2 exceeds the input dimension of 2
    with pytest.raises(MXNetError, match="axis 2 exceeds the input dimension of 2"):
        shapes("pick", {"axis": 2}, [(3, 4), (3,)])
    # pick.infer_type(a='int32', b='float64') -> [int32, float64], [int32]
    assert types("pick", {}, ["int32", "float64"]) == ([np.int32, np.float64], [np.int32])


# ---- one_hot ------------------------------------------------------------------------------

def test_one_hot_values():
    # mx.nd.one_hot([1,0,2,0], 3, on_value=8, off_value=1, dtype='int32')
    # -> [[1 8 1] [8 1 1] [1 1 8] [8 1 1]]
    out = mx.nd.one_hot(nd([1, 0, 2, 0]), 3, on_value=8, off_value=1, dtype="int32")
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out.asnumpy(), [[1, 8, 1], [8, 1, 1], [1, 1, 8], [8, 1, 1]])
    # one_hot([-1, 3, 1.7, -0.5, 2.9, 5], 3) -> rows 0, 0, e1, e0, e2, 0
    out = mx.nd.one_hot(nd([-1, 3, 1.7, -0.5, 2.9, 5]), 3).asnumpy()
    np.testing.assert_array_equal(out, [[0, 0, 0], [0, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1],
                                        [0, 0, 0]])
    # on_value=2.7, off_value=-1.5, dtype='int32' -> [[-1 2 -1] [-1 -1 2]]
    out = mx.nd.one_hot(nd([1, 2]), 3, on_value=2.7, off_value=-1.5, dtype="int32").asnumpy()
    np.testing.assert_array_equal(out, [[-1, 2, -1], [-1, -1, 2]])
    # on_value=300, dtype='uint8' -> [[0 44 0] [0 0 44]]
    out = mx.nd.one_hot(nd([1, 2]), 3, on_value=300, dtype="uint8").asnumpy()
    np.testing.assert_array_equal(out, [[0, 44, 0], [0, 0, 44]])
    # one_hot([1, 2], 0) -> [] of shape (2, 0); int32 indices, float16 output; fluent
    assert mx.nd.one_hot(nd([1, 2]), 0).shape == (2, 0)
    assert mx.nd.one_hot(nd([1, 2], "int32"), 3, dtype="float16").dtype == np.float16
    np.testing.assert_array_equal(nd([1, 2]).one_hot(3).asnumpy(), [[0, 1, 0], [0, 0, 1]])


def test_one_hot_shapes_and_errors():
    # one_hot(a, depth=3).infer_shape(a=(2,4)) -> (2,4,3)
    assert shapes("one_hot", {"depth": 3}, [(2, 4)])[1] == [(2, 4, 3)]
    assert shapes("one_hot", {"depth": 3}, [(2, None)])[1] == [(2, None, 3)]
    assert shapes("one_hot", {"depth": 3}, [None], [(2, 4, 3)])[0] == [(2, 4)]
    # mx.nd.one_hot(x, -1) -> Dimension size, depth, must be a non-negative integer
    with pytest.raises(MXNetError, match="depth, must be a non-negative integer"):
        mx.nd.one_hot(nd([1, 2]), -1)
    # one_hot(a, depth=3, dtype='int32').infer_type(a='float64') -> [float64], [int32]
    assert types("one_hot", {"depth": 3, "dtype": "int32"}, ["float64"]) == \
        ([np.float64], [np.int32])
    assert types("one_hot", {"depth": 3}, ["int32"])[1] == [np.float32]


# ---- gradients (recorded from MXNet 1.9.1: bind with args_grad, backward with the head) ---

def _grads(sym, args, head):
    arrays = {k: mx.nd.array(np.asarray(v, np.float32)) for k, v in args.items()}
    grads = {k: mx.nd.zeros(v.shape) for k, v in arrays.items()}
    exe = sym.bind(mx.cpu(), arrays, args_grad=grads)
    exe.forward(is_train=True)
    exe.backward([mx.nd.array(np.asarray(head, np.float32))])
    return {k: v.asnumpy().tolist() for k, v in grads.items()}


HEAD8 = np.arange(1, 17).reshape(8, 2)


@pytest.mark.parametrize("mode, index, expected", [
    # indices truncate, then clip/wrap; repeated rows accumulate
    ("clip", [5, -1, -4, 1.7, -0.5, 2.9, 1, 1], [[17, 20], [35, 38], [11, 12], [1, 2]]),
    ("wrap", [5, -1, -4, 1.7, -0.5, 2.9, -2.5, 1], [[14, 16], [23, 26], [24, 26], [3, 4]]),
    ("raise", [1.5, 2, 0, 1, 1, 3, 0.2, 0.9], [[33, 36], [17, 20], [3, 4], [11, 12]]),
])
def test_take_gradient_accumulates_repeated_indices(mode, index, expected):
    # take(a, i, mode=...) on a=(4,2), head arange(1,17).reshape(8,2) -> a grad; i grad zeros
    a, i = mx.sym.var("a"), mx.sym.var("i")
    g = _grads(mx.sym.take(a, i, mode=mode), {"a": np.zeros((4, 2)), "i": index}, HEAD8)
    assert g["a"] == expected and g["i"] == [0] * 8


def test_take_gradient_axis1_wrap():
    # take(a(4,2), [[0,3],[-1,1]], axis=1, mode='wrap'), head arange(16).reshape(4,2,2)
    # -> [[0,6],[4,18],[8,30],[12,42]]
    a, i = mx.sym.var("a"), mx.sym.var("i")
    g = _grads(mx.sym.take(a, i, axis=1, mode="wrap"),
               {"a": np.zeros((4, 2)), "i": [[0, 3], [-1, 1]]}, np.arange(16).reshape(4, 2, 2))
    assert g["a"] == [[0, 6], [4, 18], [8, 30], [12, 42]]


@pytest.mark.parametrize("attrs, index, head, expected", [
    ({"axis": 1}, [2, -1, 1.7, -0.5], [1, 2, 3, 4], [[0, 1], [2, 0], [0, 3], [4, 0]]),
    ({"axis": 1, "mode": "wrap"}, [2, -1, 1.7, -0.5], [1, 2, 3, 4],
     [[1, 0], [0, 2], [0, 3], [4, 0]]),
    ({"axis": 0, "keepdims": True}, [[5, -1]], [[1, 2]], [[0, 2], [0, 0], [0, 0], [1, 0]]),
])
def test_pick_gradient(attrs, index, head, expected):
    # pick(a(4,2), index, **attrs) with the head -> a grad; index grad zeros
    a, i = mx.sym.var("a"), mx.sym.var("i")
    g = _grads(mx.sym.pick(a, i, **attrs), {"a": np.zeros((4, 2)), "i": index}, head)
    assert g["a"] == expected and not np.any(g["i"])


def test_where_gradient():
    # where([[0,1],[-1,0]], x, y), head [[1,2],[3,4]] -> x [[0,2],[3,0]], y [[1,0],[0,4]],
    # condition zeros; row-wise condition [0, 0.5] -> x [[0,0],[3,4]], y [[1,2],[0,0]]
    c, x, y = mx.sym.var("c"), mx.sym.var("x"), mx.sym.var("y")
    ones = np.ones((2, 2))
    g = _grads(mx.sym.where(c, x, y), {"c": [[0, 1], [-1, 0]], "x": ones, "y": ones},
               [[1, 2], [3, 4]])
    assert g == {"c": [[0, 0], [0, 0]], "x": [[0, 2], [3, 0]], "y": [[1, 0], [0, 4]]}
    g = _grads(mx.sym.where(c, x, y), {"c": [0, 0.5], "x": ones, "y": ones}, [[1, 2], [3, 4]])
    assert g == {"c": [0, 0], "x": [[0, 0], [3, 4]], "y": [[1, 2], [0, 0]]}


def test_join_and_split_gradients():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    # concat(a(2,1), b(2,2), dim=1), head [[1,2,3],[4,5,6]] -> a [[1],[4]], b [[2,3],[5,6]]
    g = _grads(mx.sym.concat(a, b, dim=1), {"a": np.zeros((2, 1)), "b": np.zeros((2, 2))},
               [[1, 2, 3], [4, 5, 6]])
    assert g == {"a": [[1], [4]], "b": [[2, 3], [5, 6]]}
    # stack(a, b, axis=1), head [[1,2],[3,4]] -> a [1,3], b [2,4]
    g = _grads(mx.sym.stack(a, b, axis=1), {"a": np.zeros(2), "b": np.zeros(2)},
               [[1, 2], [3, 4]])
    assert g == {"a": [1, 3], "b": [2, 4]}
    # add_n(a, b, a), head [[1,2],[3,4]] -> a twice the head, b the head
    g = _grads(mx.sym.add_n(a, b, a), {"a": np.zeros((2, 2)), "b": np.zeros((2, 2))},
               [[1, 2], [3, 4]])
    assert g == {"a": [[2, 4], [6, 8]], "b": [[1, 2], [3, 4]]}
    # split(a(3,2), 3, axis=0, squeeze_axis=True)[1], head [7,8] -> [[0,0],[7,8],[0,0]]
    parts = mx.sym.split(a, num_outputs=3, axis=0, squeeze_axis=True)
    assert _grads(parts[1], {"a": np.zeros((3, 2))}, [7, 8]) == \
        {"a": [[0, 0], [7, 8], [0, 0]]}
    # split(x(2,2), 2, axis=1)[1], head [[5],[6]] -> [[0,5],[0,6]] (unused outputs give zeros)
    parts = mx.sym.split(a, num_outputs=2, axis=1)
    assert _grads(parts[1], {"a": np.ones((2, 2))}, [[5], [6]]) == {"a": [[0, 5], [0, 6]]}


def test_zeros_like_ones_like_pass_no_gradient():
    # (zeros_like(x) + x) with head 2 -> x grad 2; ones_like(x) * 3 -> x grad 0
    x = mx.sym.var("x")
    assert _grads(mx.sym.zeros_like(x) + x, {"x": np.ones((2, 2))}, np.full((2, 2), 2)) == \
        {"x": [[2, 2], [2, 2]]}
    assert _grads(mx.sym.ones_like(x) * 3, {"x": np.ones((2, 2))}, np.full((2, 2), 2)) == \
        {"x": [[0, 0], [0, 0]]}


def test_take_second_derivative():
    # f = sum(take(x, i) * x) with i a permutation-with-repeats of the rows:
    # df/dx = scatter(x, i) + x[i]; d/dx sum(df/dx * w) = w[i] + scatter(w, i)
    x, i, w = mx.sym.var("x"), mx.sym.var("i"), mx.sym.var("w")
    index = np.array([2, 0, 2], np.float32)
    first = (mx.sym.take(x, i) * x).gradient("x")
    second = (first * w).gradient("x")
    xv = np.arange(6, dtype=np.float64).reshape(3, 2)
    wv = np.array([[1, -2], [3, 0.5], [-1, 4]])
    args = {"x": mx.nd.array(xv), "i": mx.nd.array(index), "w": mx.nd.array(wv)}
    d1 = first.eval(mx.cpu(), **{k: args[k] for k in ("x", "i")})[0].asnumpy()
    d2 = second.eval(mx.cpu(), **args)[0].asnumpy()

    def scatter(v):
        out = np.zeros_like(v)
        np.add.at(out, index.astype(int), v)
        return out
    np.testing.assert_allclose(d1, scatter(xv) + xv[index.astype(int)], rtol=1e-6)
    np.testing.assert_allclose(d2, wv[index.astype(int)] + scatter(wv), rtol=1e-6)
