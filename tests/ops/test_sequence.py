"""Op-specific tests for SequenceMask, SequenceLast and SequenceReverse
(symnet/ops/defs/sequence.py): inputs that depend on ``use_sequence_length``, shape/type
inference and its errors, and values recorded from MXNet 1.9.1 (the snippet that printed each
expected value is in the comment above it)."""
from __future__ import annotations

import numpy as np
import pytest

import symnet as mx
from symnet.base import MXNetError
from symnet.ops.registry import find_op

OPS = ("SequenceMask", "SequenceLast", "SequenceReverse")
X = np.arange(24.).reshape(4, 3, 2) + 1  # (T, N, F)
LENGTHS = np.array([1, 4, 2.5])


def shapes(op_name, attrs, in_shapes, out_shapes=None):
    op = find_op(op_name)
    params = op.parse(attrs)
    outs = out_shapes if out_shapes is not None else [None]
    return op.shapes(params, in_shapes, outs, "node")


def types(op_name, attrs, in_types):
    op = find_op(op_name)
    return op.types(op.parse(attrs), [None if t is None else np.dtype(t) for t in in_types],
                    [None], "node")


def forward_backward(build, *arrays):
    """Bind, forward, backward with the oracle snippets' head gradient
    ``np.arange(size).reshape(shape) % 7 - 3``; return (output, [input gradients])."""
    names = [f"x{i}" for i in range(len(arrays))]
    sym = build(*[mx.sym.var(n) for n in names])
    args = {n: mx.nd.array(a) for n, a in zip(names, arrays)}
    grads = {n: mx.nd.ones(a.shape) for n, a in zip(names, arrays)}
    exe = sym.bind(mx.cpu(), args, args_grad=grads)
    out = exe.forward(is_train=True)[0]
    exe.backward([mx.nd.array(np.arange(out.size).reshape(out.shape) % 7 - 3.0)])
    return out.asnumpy(), [grads[n].asnumpy() for n in names]


# ---- names and inputs ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", OPS)
def test_inputs_follow_use_sequence_length(name):
    # mx.sym.X(d, name='s').list_arguments() -> ['d'];
    # mx.sym.X(d, use_sequence_length=True, name='s') -> ['d', 's_sequence_length']
    d = mx.sym.var("d")
    fn = getattr(mx.sym, name)
    assert fn(d, name="s").list_arguments() == ["d"]
    assert fn(d, use_sequence_length=True, name="s").list_arguments() == \
        ["d", "s_sequence_length"]
    assert find_op(name).arg_names == ("data", "sequence_length")
    assert name not in mx.nd.NDArray.__dict__  # hasattr(mx.nd.NDArray, name) -> False
    # X(d, sequence_length=l) without use_sequence_length -> MXNet: "Keyword argument name
    # sequence_length not found"; mx.nd: "expects 1 inputs, but got 2"
    with pytest.raises(MXNetError, match="sequence_length"):
        fn(d, sequence_length=mx.sym.var("l"))
    with pytest.raises(MXNetError, match="sequence_length"):
        getattr(mx.nd, name)(mx.nd.array(X), mx.nd.array(LENGTHS))


def test_parameters():
    params = find_op("SequenceMask").parse({})
    assert (params.use_sequence_length, params.value, params.axis) == (False, 0.0, 0)
    params = find_op("SequenceReverse").parse({"use_sequence_length": "True", "axis": "0"})
    assert (params.use_sequence_length, params.axis) == (True, 0)
    with pytest.raises(MXNetError, match="Cannot find argument 'value'"):
        find_op("SequenceLast").parse({"value": "1"})


# ---- inference ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, attrs, ins, expected_ins, out", [
    # X(d, l, use_sequence_length=True).infer_shape(d=(4,3,2)) -> l (3,)
    ("SequenceMask", {"use_sequence_length": True}, [(4, 3, 2), None], [(4, 3, 2), (3,)],
     (4, 3, 2)),
    ("SequenceLast", {"use_sequence_length": True}, [(4, 3, 2), None], [(4, 3, 2), (3,)],
     (3, 2)),
    ("SequenceReverse", {"use_sequence_length": True}, [(4, 3, 2, 5), None],
     [(4, 3, 2, 5), (3,)], (4, 3, 2, 5)),
    # axis=1: l (4,), SequenceLast out (4, 2)
    ("SequenceMask", {"use_sequence_length": True, "axis": 1}, [(4, 3, 2), None],
     [(4, 3, 2), (4,)], (4, 3, 2)),
    ("SequenceLast", {"use_sequence_length": True, "axis": 1}, [(4, 3, 2), None],
     [(4, 3, 2), (4,)], (4, 2)),
    ("SequenceLast", {}, [(4, 3)], [(4, 3)], (3,)),
    # infer_shape_partial(d=(0,3,2)) -> l (3,), SequenceLast out (3, 2)
    ("SequenceLast", {"use_sequence_length": True}, [(None, 3, 2), None],
     [(None, 3, 2), (3,)], (3, 2)),
    # a known length fills an unknown batch (MXNet leaves it 0)
    ("SequenceMask", {"use_sequence_length": True}, [(4, None, 2), (3,)], [(4, 3, 2), (3,)],
     (4, 3, 2)),
])
def test_shapes(name, attrs, ins, expected_ins, out):
    assert shapes(name, attrs, ins) == (expected_ins, [out])


def test_shapes_from_output_and_unknown():
    assert shapes("SequenceLast", {"axis": 1}, [None], [(4, 2)])[0] == [(4, None, 2)]
    assert shapes("SequenceMask", {}, [None], [(4, 3)])[0] == [(4, 3)]
    assert shapes("SequenceReverse", {"use_sequence_length": True}, [None, (3,)]) == \
        ([None, (3,)], [None])


@pytest.mark.parametrize("name, attrs, ins, message", [
    # infer_shape(d=(4,3,2), l=(4,)) -> Shape inconsistent, Provided = [4], inferred shape=(3,)
    # (the registry prints a 1-D tuple as "(3)")
    ("SequenceMask", {"use_sequence_length": True}, [(4, 3, 2), (4,)],
     r"Shape inconsistent, Provided = \[4\], inferred shape=\(3,?\)"),
    ("SequenceLast", {"use_sequence_length": True}, [(4, 3, 2), (4,)],
     r"Shape inconsistent, Provided = \[4\], inferred shape=\(3,?\)"),
    # infer_shape(d=(4,)) -> Check failed: dshape.ndim() > 1U (1 vs. 1) : The data array ...
    ("SequenceMask", {}, [(4,)], r"Check failed: dshape.ndim\(\) > 1U \(1 vs. 1\) : The data "
                                 r"array must be of rank 2 or greater."),
    ("SequenceLast", {}, [(4,)], r"dshape.ndim\(\) > 1U \(1 vs. 1\)"),
    ("SequenceReverse", {}, [(4,)], r"dshape.ndim\(\) > 1U \(1 vs. 1\)"),
    # axis=2 / axis=-1
    ("SequenceMask", {"axis": 2}, [(4, 3, 2)],
     r"Check failed: \(param_.axis == 0\) \|\| \(param_.axis == 1\): Current implementation "
     r"expects axis to be 0 or 1."),
    ("SequenceLast", {"axis": -1}, [(4, 3, 2)], r"expects axis to be 0 or 1."),
    ("SequenceReverse", {"axis": 1}, [(4, 3, 2)],
     r"Check failed: param_.axis == 0 \(1 vs. 0\) : Current implementation expects axis to "
     r"be 0."),
    # SequenceLast/Reverse check the axis before the rank: X(a, axis=3).infer_shape(a=(1,))
    ("SequenceReverse", {"axis": 3}, [(1,)], r"param_.axis == 0 \(3 vs. 0\)"),
    ("SequenceLast", {"axis": 3}, [(1,)], r"expects axis to be 0 or 1."),
    ("SequenceMask", {"axis": 3}, [(1,)], r"rank 2 or greater"),
])
def test_shape_errors(name, attrs, ins, message):
    with pytest.raises(MXNetError, match=message):
        shapes(name, attrs, ins)


@pytest.mark.parametrize("name", OPS)
def test_types(name):
    on = {"use_sequence_length": True}
    # infer_type(d='float32') -> l float32; (d='float32', l='int32') keeps int32;
    # (d='int32', l='float64') -> out int32
    assert types(name, on, ["float32", None]) == ([np.float32] * 2, [np.float32])
    assert types(name, on, ["float32", "int32"]) == ([np.float32, np.int32], [np.float32])
    assert types(name, on, ["int32", "float64"])[1] == [np.int32]
    assert types(name, on, ["float16", None])[1] == [np.float16]
    # infer_type(l='int32') -> MXNet: "First input must have specified type"; symnet waits
    assert types(name, on, [None, "int32"])[1] == [None]


# ---- values (oracle) ----------------------------------------------------------------------------
def test_mask_values_oracle():
    # x = np.arange(24.).reshape(4,3,2) + 1; L = [1, 4, 2.5]; head = arange(size) % 7 - 3
    # run(lambda x, l: mx.nd.SequenceMask(x, l, use_sequence_length=True, value=-1), [x, L])
    out, (gx, gl) = forward_backward(
        lambda x, l: mx.sym.SequenceMask(x, l, use_sequence_length=True, value=-1), X, LENGTHS)
    np.testing.assert_array_equal(out, [
        [[1, 2], [3, 4], [5, 6]], [[-1, -1], [9, 10], [11, 12]],
        [[-1, -1], [15, 16], [-1, -1]], [[-1, -1], [21, 22], [-1, -1]]])
    np.testing.assert_array_equal(gx, [
        [[-3, -2], [-1, 0], [1, 2]], [[0, 0], [-2, -1], [0, 1]], [[0, 0], [-3, -2], [0, 0]],
        [[0, 0], [3, -3], [0, 0]]])
    np.testing.assert_array_equal(gl, [0, 0, 0])  # MXNet writes zeros: no gradient
    # axis=1 with lengths [1, 3, 2, 2]
    out, (gx, _) = forward_backward(
        lambda x, l: mx.sym.SequenceMask(x, l, use_sequence_length=True, axis=1), X,
        np.array([1, 3, 2, 2]))
    np.testing.assert_array_equal(out, [
        [[1, 2], [0, 0], [0, 0]], [[7, 8], [9, 10], [11, 12]], [[13, 14], [15, 16], [0, 0]],
        [[19, 20], [21, 22], [0, 0]]])
    np.testing.assert_array_equal(gx, [
        [[-3, -2], [0, 0], [0, 0]], [[3, -3], [-2, -1], [0, 1]], [[2, 3], [-3, -2], [0, 0]],
        [[1, 2], [3, -3], [0, 0]]])


def test_mask_value_cast_oracle():
    data = np.arange(12).reshape(4, 3)
    lengths = mx.nd.array([1, 2, 3])
    # mx.nd.SequenceMask(int32 arange(12).reshape(4,3), [1,2,3], True, value=-7.5)
    #   -> [[0,1,2],[-7,4,5],[-7,-7,8],[-7,-7,-7]]; uint8 -> 249 in place of -7
    out = mx.nd.SequenceMask(mx.nd.array(data, dtype="int32"), lengths,
                             use_sequence_length=True, value=-7.5).asnumpy()
    np.testing.assert_array_equal(out, [[0, 1, 2], [-7, 4, 5], [-7, -7, 8], [-7, -7, -7]])
    assert out.dtype == np.int32
    out = mx.nd.SequenceMask(mx.nd.array(data, dtype="uint8"), lengths,
                             use_sequence_length=True, value=-7.5).asnumpy()
    np.testing.assert_array_equal(out, [[0, 1, 2], [249, 4, 5], [249, 249, 8],
                                        [249, 249, 249]])


def test_last_values_oracle():
    # run(lambda x, l: mx.nd.SequenceLast(x, l, use_sequence_length=True), [x, L])
    out, (gx, gl) = forward_backward(
        lambda x, l: mx.sym.SequenceLast(x, l, use_sequence_length=True), X, LENGTHS)
    np.testing.assert_array_equal(out, [[1, 2], [21, 22], [11, 12]])
    np.testing.assert_array_equal(gx, [
        [[-3, -2], [0, 0], [0, 0]], [[0, 0], [0, 0], [1, 2]], [[0, 0], [0, 0], [0, 0]],
        [[0, 0], [-1, 0], [0, 0]]])
    np.testing.assert_array_equal(gl, [0, 0, 0])
    # axis=1, lengths [1, 3, 2, 2]
    out, (gx, _) = forward_backward(
        lambda x, l: mx.sym.SequenceLast(x, l, use_sequence_length=True, axis=1), X,
        np.array([1, 3, 2, 2]))
    np.testing.assert_array_equal(out, [[1, 2], [11, 12], [15, 16], [21, 22]])
    np.testing.assert_array_equal(gx, [
        [[-3, -2], [0, 0], [0, 0]], [[0, 0], [0, 0], [-1, 0]], [[0, 0], [1, 2], [0, 0]],
        [[0, 0], [3, -3], [0, 0]]])
    # no lengths: mx.nd.SequenceLast(x) -> x[-1]; axis=1 -> x[:, -1]; symbolic backward with
    # ones -> ones at step T-1
    np.testing.assert_array_equal(mx.nd.SequenceLast(mx.nd.array(X)).asnumpy(), X[-1])
    np.testing.assert_array_equal(mx.nd.SequenceLast(mx.nd.array(X), axis=1).asnumpy(),
                                  X[:, -1])
    _, (gx,) = forward_backward(lambda x: mx.sym.SequenceLast(x), X)
    expected = np.zeros(X.shape)
    expected[-1] = [[-3, -2], [-1, 0], [1, 2]]
    np.testing.assert_array_equal(gx, expected)


def test_reverse_values_oracle():
    # run(lambda x, l: mx.nd.SequenceReverse(x, l, use_sequence_length=True), [x, L])
    out, (gx, gl) = forward_backward(
        lambda x, l: mx.sym.SequenceReverse(x, l, use_sequence_length=True), X, LENGTHS)
    np.testing.assert_array_equal(out, [
        [[1, 2], [21, 22], [11, 12]], [[7, 8], [15, 16], [5, 6]], [[13, 14], [9, 10], [17, 18]],
        [[19, 20], [3, 4], [23, 24]]])
    np.testing.assert_array_equal(gx, [
        [[-3, -2], [3, -3], [0, 1]], [[3, -3], [-3, -2], [1, 2]], [[2, 3], [-2, -1], [-1, 0]],
        [[1, 2], [-1, 0], [-2, -1]]])
    np.testing.assert_array_equal(gl, [0, 0, 0])
    # run(lambda x: mx.nd.SequenceReverse(x), [x])
    out, (gx,) = forward_backward(lambda x: mx.sym.SequenceReverse(x), X)
    np.testing.assert_array_equal(out, X[::-1])
    np.testing.assert_array_equal(gx, [
        [[1, 2], [3, -3], [-2, -1]], [[2, 3], [-3, -2], [-1, 0]], [[3, -3], [-2, -1], [0, 1]],
        [[-3, -2], [-1, 0], [1, 2]]])


def test_out_of_range_lengths():
    data = mx.nd.array(np.arange(12.).reshape(4, 3) + 1)
    # SequenceMask is defined for every length: mx.nd.SequenceMask(x, [0, 2, 3]) and
    # [5, 6, 2], [-1, 2, 3] (oracle) -> lengths <= 0 mask everything, > T nothing
    out = mx.nd.SequenceMask(data, mx.nd.array([0, 6, 2.7]), use_sequence_length=True)
    np.testing.assert_array_equal(out.asnumpy(), [[0, 2, 3], [0, 5, 6], [0, 8, 0], [0, 11, 0]])
    out = mx.nd.SequenceMask(data, mx.nd.array([-1, 2, 3]), use_sequence_length=True)
    np.testing.assert_array_equal(out.asnumpy()[:, 0], [0, 0, 0, 0])
    # MXNet reads out of bounds for SequenceLast with lengths 0 or > T and SequenceReverse with
    # lengths > T or < 0; symnet clips (last step in [0, T-1], reversed length in [0, T])
    out = mx.nd.SequenceLast(data, mx.nd.array([0, 9, 2]), use_sequence_length=True)
    np.testing.assert_array_equal(out.asnumpy(), [1, 11, 6])
    out = mx.nd.SequenceReverse(data, mx.nd.array([-1, 9, 0]), use_sequence_length=True)
    np.testing.assert_array_equal(out.asnumpy(), [[1, 11, 3], [4, 8, 6], [7, 5, 9],
                                                  [10, 2, 12]])
    # in range, the truncated float length: oracle mx.nd.SequenceReverse(x, [2.7, 1.2, 3.9])
    out = mx.nd.SequenceReverse(data, mx.nd.array([2.7, 1.2, 3.9]), use_sequence_length=True)
    np.testing.assert_array_equal(out.asnumpy(), [[4, 2, 9], [1, 5, 6], [7, 8, 3],
                                                  [10, 11, 12]])


def test_second_derivatives_are_linear():
    # the gradients are SequenceMask/SequenceReverse/_backward_SequenceLast of the head
    # gradient, all differentiable again (linear in x: the second derivative is zero)
    x, lengths = mx.sym.var("x"), mx.sym.var("l")
    for build in (lambda: mx.sym.SequenceMask(x, lengths, use_sequence_length=True),
                  lambda: mx.sym.SequenceReverse(x, lengths, use_sequence_length=True),
                  lambda: mx.sym.SequenceLast(x, lengths, use_sequence_length=True)):
        first = build().gradient("x")
        args = {"x": mx.nd.array(X), "l": mx.nd.array(LENGTHS)}
        grad = first.eval(**args)[0].asnumpy()
        assert grad.shape == X.shape and set(np.unique(grad)) <= {0.0, 1.0}
        second = first.gradient("x").eval(**args)[0].asnumpy()
        np.testing.assert_array_equal(second, np.zeros(X.shape))
