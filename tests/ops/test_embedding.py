"""Op-specific tests for symnet/ops/defs/embedding.py: names, JSON, inference rules and errors,
the index rule (truncate, clip, NaN -> 0) and forward/backward values recorded from MXNet 1.9.1
(the snippet that printed them is in the comment above each)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import symnet as mx
from symnet.base import MXNetError
from symnet.ops.registry import find_op
from symnet.test_utils import check_numeric_gradient

W = np.arange(12.).reshape(4, 3)


def _emb(**kwargs):
    return mx.sym.Embedding(mx.sym.var("d"), input_dim=4, output_dim=3, name="emb", **kwargs)


def test_names_json_and_parameters():
    s = _emb()
    # s.list_arguments(), s.list_outputs() -> ['d', 'emb_weight'] ['emb_output']
    assert s.list_arguments() == ["d", "emb_weight"]
    assert s.list_outputs() == ["emb_output"]
    # s.tojson(): emb_weight and emb carry {"input_dim": "4", "output_dim": "3"}
    nodes = json.loads(s.tojson())["nodes"]
    assert nodes[1]["attrs"] == {"input_dim": "4", "output_dim": "3"}
    assert nodes[2]["attrs"] == {"input_dim": "4", "output_dim": "3"}
    p = find_op("Embedding").parse({"input_dim": "4", "output_dim": "3"})
    assert (p.dtype, p.sparse_grad) == ("float32", False)
    assert find_op("Embedding").parse({"input_dim": 4, "output_dim": 3,
                                       "dtype": "float16", "sparse_grad": "True"}).sparse_grad
    assert "Embedding" not in mx.nd.NDArray.__dict__
    # mx.nd.Embedding(d, w, input_dim=4) -> Required parameter output_dim of int is not
    # presented; input_dim=0 / output_dim=0 -> value 0 for Parameter input_dim should be
    # greater equal to 1
    with pytest.raises(MXNetError, match="Required parameter output_dim of int is not "
                                         "presented"):
        mx.nd.Embedding(mx.nd.array([1, 2]), mx.nd.array(W), input_dim=4)
    for name in ("input_dim", "output_dim"):
        args = {"input_dim": 4, "output_dim": 3, name: 0}
        with pytest.raises(MXNetError, match=f"value 0 for Parameter {name} should be "
                                             "greater equal to 1"):
            mx.nd.Embedding(mx.nd.array([1, 2]), mx.nd.array(W), **args)


def test_shape_inference():
    s = _emb()
    # s.infer_shape(d=(2, 5)) -> ([(2, 5), (4, 3)], [(2, 5, 3)], [])
    assert s.infer_shape(d=(2, 5)) == ([(2, 5), (4, 3)], [(2, 5, 3)], [])
    assert s.infer_shape(d=(3,)) == ([(3,), (4, 3)], [(3, 3)], [])
    # s.infer_shape_partial(d=(2, 0)) -> ([(2, 0), (4, 3)], [(2, 0, 3)], [])
    assert s.infer_shape_partial(d=(2, 0)) == ([(2, 0), (4, 3)], [(2, 0, 3)], [])
    # s.infer_shape_partial(emb_weight=(4, 3)) -> ([(), (4, 3)], [()], []): the data is not
    # inferred from the weight, and nothing is decided without the data
    assert s.infer_shape_partial(emb_weight=(4, 3)) == ([(), (4, 3)], [()], [])
    # s.infer_shape(d=(2, 5), emb_weight=(5, 3)) -> Error in operator emb: Shape
    # inconsistent, Provided = [5,3], inferred shape=(4,3)
    for weight, text in [((5, 3), r"Provided = \[5,3\], inferred shape=\(4,3\)"),
                         ((4, 2), r"Provided = \[4,2\], inferred shape=\(4,3\)")]:
        with pytest.raises(MXNetError, match="Error in operator emb: Shape inconsistent, "
                                             + text):
            s.infer_shape(d=(2, 5), emb_weight=weight)
    # mx.nd.Embedding(d, w(4, 3), input_dim=5, output_dim=3) -> Shape inconsistent,
    # Provided = [4,3], inferred shape=(5,3)
    with pytest.raises(MXNetError, match=r"Provided = \[4,3\], inferred shape=\(5,3\)"):
        mx.nd.Embedding(mx.nd.array([1, 2]), mx.nd.array(W), input_dim=5, output_dim=3)


def test_type_inference():
    s = _emb()
    # s.infer_type(d=t) -> weight and output float32 for every index type
    for dtype in ("int32", "float16", "float64", "int64", "uint8"):
        assert s.infer_type(d=dtype) == ([np.dtype(dtype).type, np.float32], [np.float32], [])
    # Embedding(..., dtype='float16').infer_type(d=t) -> weight and output float16
    half = _emb(dtype="float16")
    assert half.infer_type(d="int32") == ([np.int32, np.float16], [np.float16], [])
    # a known weight type wins over dtype: infer_type(d='float32', emb_weight='float64') ->
    # ([float32, float64], [float64], []) with either dtype; int32 weights work too
    for sym in (s, half):
        assert sym.infer_type(d="float32", emb_weight="float64") == \
            ([np.float32, np.float64], [np.float64], [])
    assert s.infer_type(d="int32", emb_weight="int32") == ([np.int32, np.int32], [np.int32], [])
    # s.infer_type(emb_weight='float64') -> Error in operator emb: ... Check failed:
    # itype != -1 (-1 vs. -1) : First input must have specified type
    with pytest.raises(MXNetError, match="Error in operator emb: .*First input must have "
                                         "specified type"):
        s.infer_type(emb_weight="float64")


def test_forward_index_rule_matches_mxnet():
    d = np.array([[0, 3.7, -1], [4, 10, 2.2]])
    # mx.nd.Embedding(mx.nd.array(d, dtype=t), mx.nd.array(W), 4, 3) for float32, int32,
    # float64 indices: float32 output
    expected = [[[0., 1., 2.], [9., 10., 11.], [0., 1., 2.]],
                [[9., 10., 11.], [9., 10., 11.], [6., 7., 8.]]]
    for dtype in ("float32", "int32", "float64"):
        out = mx.nd.Embedding(mx.nd.array(d, dtype=dtype), mx.nd.array(W), input_dim=4,
                              output_dim=3)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.asnumpy(), expected)
    # first column of Embedding(d2, W) for float64 and float32 indices: truncation toward
    # zero, clipping, NaN -> row 0
    d2 = np.array([[0.5, -0.5, -1.5, 3.5, 3.2, -0.9, 2.9999, 1.9999999, -0.0001, 1e10, -1e10,
                    np.nan]])
    for dtype in ("float64", "float32"):
        out = mx.nd.Embedding(mx.nd.array(d2, dtype=dtype), mx.nd.array(W, dtype=dtype),
                              input_dim=4, output_dim=3).asnumpy()
        np.testing.assert_array_equal(out[..., 0], [[0, 0, 0, 9, 9, 0, 6, 3, 0, 9, 0, 0]])
    # dtype='float64' with a float32 weight: the weight's type wins (float32 output);
    # int32 weights give int32 rows
    out = mx.nd.Embedding(mx.nd.array([1, 2]), mx.nd.array(W), input_dim=4, output_dim=3,
                          dtype="float64")
    assert out.dtype == np.float32
    out = mx.nd.Embedding(mx.nd.array([1, 2]), mx.nd.array(W, dtype="int32"), input_dim=4,
                          output_dim=3, dtype="int32")
    assert out.dtype == np.int32 and out.asnumpy().tolist() == [[3, 4, 5], [6, 7, 8]]


def _weight_grad(req: str, data, weight=W, dtype="float32", head=None, prefill=100.0):
    head = np.arange(18.).reshape(2, 3, 3) if head is None else head
    grad = mx.nd.array(np.full(weight.shape, prefill), dtype=dtype)
    ex = _emb().bind(mx.cpu(), {"d": mx.nd.array(data), "emb_weight": mx.nd.array(weight,
                                                                                  dtype=dtype)},
                     args_grad={"emb_weight": grad}, grad_req={"d": "null", "emb_weight": req})
    ex.forward(is_train=True)
    ex.backward([mx.nd.array(head, dtype=dtype)])
    return grad.asnumpy()


def test_weight_gradient_matches_mxnet():
    # e = s.bind(cpu, {d: [[1, 3.7, 1], [0, 9, -2.5]], emb_weight: W},
    #            args_grad={emb_weight: 100 * ones}, grad_req={d: null, emb_weight: req})
    # e.forward(is_train=True); e.backward([arange(18).reshape(2, 3, 3)])
    data = [[1, 3.7, 1], [0, 9, -2.5]]
    np.testing.assert_array_equal(_weight_grad("write", data),
                                  [[24., 26., 28.], [6., 8., 10.], [0., 0., 0.],
                                   [15., 17., 19.]])
    np.testing.assert_array_equal(_weight_grad("add", data),
                                  [[124., 126., 128.], [106., 108., 110.], [100., 100., 100.],
                                   [115., 117., 119.]])
    # float64 weight, int32 indices [[1, 1], [2, 1]], ones head: rows 1 and 2 get 3 and 1
    grad = mx.nd.zeros((4, 3), dtype="float64")
    ex = _emb().bind(mx.cpu(), {"d": mx.nd.array([[1, 1], [2, 1]], dtype="int32"),
                                "emb_weight": mx.nd.array(W, dtype="float64")},
                     args_grad={"emb_weight": grad}, grad_req={"d": "null",
                                                               "emb_weight": "write"})
    assert ex.forward(is_train=True)[0].dtype == np.float64
    ex.backward([mx.nd.ones((2, 2, 3), dtype="float64")])
    np.testing.assert_array_equal(grad.asnumpy(), [[0] * 3, [3] * 3, [1] * 3, [0] * 3])


def test_indices_get_no_gradient():
    # MXNet refuses grad_req='write' on the indices ("Embedding layer doesn't support
    # calculate data gradient"); symnet leaves them a zero gradient.
    data = mx.nd.array([[1, 2]])
    grads = {"d": mx.nd.ones((1, 2)), "emb_weight": mx.nd.zeros((4, 3))}
    ex = _emb().bind(mx.cpu(), {"d": data, "emb_weight": mx.nd.array(W)}, args_grad=grads)
    ex.forward(is_train=True)
    ex.backward([mx.nd.ones((1, 2, 3))])
    np.testing.assert_array_equal(grads["d"].asnumpy(), [[0, 0]])
    np.testing.assert_array_equal(grads["emb_weight"].asnumpy().sum(axis=1), [0, 3, 3, 0])


def test_numeric_and_second_order_gradients():
    """The weight's gradient numerically (float64, repeated and clipped indices), and the
    gradient of the gradient: ``_backward_Embedding`` differentiates into an Embedding."""
    data = np.array([[0, 3, 3, 7.5], [-1, 2, 0, 0]])
    weight = np.random.default_rng(0).uniform(-1, 1, (4, 3))
    sym = mx.sym.square(_emb())
    check_numeric_gradient(sym, {"d": data, "emb_weight": weight}, grad_nodes=["emb_weight"],
                           dtype=np.float64)
    # d/dw sum(emb(d, w)^2) = scatter(2 * w[d]); its gradient w.r.t. w again is 2 * counts
    first = mx.sym.sum(sym).gradient("emb_weight")
    second = mx.sym.sum(first).gradient("emb_weight")
    value = second.eval(d=mx.nd.array(data, dtype="float64"),
                        emb_weight=mx.nd.array(weight, dtype="float64"))[0].asnumpy()
    counts = np.array([4, 0, 1, 3], float)  # rows 0 (x4 with -1), 2, 3 (x3 with 7.5 -> 3)
    np.testing.assert_array_equal(value, 2 * counts[:, None] * np.ones((4, 3)))
