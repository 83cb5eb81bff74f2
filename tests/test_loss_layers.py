"""Loss layers (spec 6.3/6.4): LinearRegressionOutput, LogisticRegressionOutput,
MAERegressionOutput, MakeLoss and make_loss through the executor.

Each loss makes its own gradient, ignores any head gradient, and leaves its label's gradient
array untouched. Gradients are checked against the spec's formulas (independent NumPy) and
against numbers recorded from MXNet 1.9.1.
"""
from __future__ import annotations

import numpy as np
import pytest

import symnet as mx
from symnet.base import MXNetError
from symnet.test_utils import check_symbolic_backward

REGRESSIONS = ["LinearRegressionOutput", "LogisticRegressionOutput", "MAERegressionOutput"]


# ---- spec formulas, written independently ------------------------------------------------
def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _expected_grad(op, data, label, grad_scale=1.0):
    """grad = f(p - y) * gs / M, M = label.size / label.shape[0]; gs/M in float32 (MXNet)."""
    per_sample = label.size // label.shape[0]
    scale = float(np.float32(grad_scale) / np.float32(per_sample))
    p = _sigmoid(data) if op == "LogisticRegressionOutput" else data
    diff = p - label.reshape(data.shape)
    return (np.sign(diff) if op == "MAERegressionOutput" else diff) * scale


@pytest.mark.parametrize("op", REGRESSIONS)
@pytest.mark.parametrize("data_shape,label_shape", [((3, 4), (3, 4)), ((5, 1), (5,)),
                                                    ((2, 3, 2), (2, 6)), ((2, 3), (2, 3, 1))])
def test_regression_gradient_formula(op, data_shape, label_shape):
    rng = np.random.default_rng(4)
    data = rng.uniform(-2, 2, data_shape)
    label = rng.uniform(-1, 1, label_shape)
    sym = getattr(mx.sym, op)(mx.sym.var("data"), mx.sym.var("label"), grad_scale=1.5)
    expected = _expected_grad(op, data, label, 1.5)
    check_symbolic_backward(sym, {"data": data, "label": label}, None, {"data": expected},
                            rtol=1e-12, atol=1e-12, dtype=np.float64)
    # a head gradient, even a big one, changes nothing
    check_symbolic_backward(sym, {"data": data, "label": label}, [np.full(data_shape, 9.0)],
                            {"data": expected}, rtol=1e-12, atol=1e-12, dtype=np.float64)


@pytest.mark.parametrize("op", REGRESSIONS)
def test_regression_forward(op):
    data = np.linspace(-3, 3, 12).reshape(3, 4)
    sym = getattr(mx.sym, op)(mx.sym.var("data"), mx.sym.var("label"))
    out = sym.eval(data=mx.nd.array(data, dtype="float64"),
                   label=mx.nd.zeros((3, 4), dtype="float64"))[0].asnumpy()
    expected = _sigmoid(data) if op == "LogisticRegressionOutput" else data
    np.testing.assert_allclose(out, expected, rtol=1e-14)


def _make_loss_expected(data, grad_scale, normalization, valid_thresh):
    if normalization == "batch":
        return np.full(data.shape, float(np.float32(grad_scale) / np.float32(data.shape[0])))
    if normalization == "valid":
        return np.full(data.shape, grad_scale / max(1, int((data > valid_thresh).sum())))
    return np.full(data.shape, grad_scale)


@pytest.mark.parametrize("normalization", ["null", "batch", "valid"])
@pytest.mark.parametrize("thresh", [0.0, 0.7, 10.0])
def test_make_loss_gradient_formula(normalization, thresh):
    data = np.random.default_rng(2).uniform(-1, 1, (4, 5))
    sym = mx.sym.MakeLoss(mx.sym.var("data"), grad_scale=2.5, normalization=normalization,
                          valid_thresh=thresh)
    expected = _make_loss_expected(data, 2.5, normalization, thresh)
    for heads in (None, [np.full((4, 5), -3.0)]):
        check_symbolic_backward(sym, {"data": data}, heads, {"data": expected}, rtol=1e-12,
                                atol=0, dtype=np.float64)


def test_make_loss_lower_case_gradient_is_one():
    data = np.random.default_rng(3).uniform(-1, 1, (3, 2))
    sym = mx.sym.make_loss(mx.sym.var("data"))
    for heads in (None, [np.full((3, 2), 4.0)]):
        check_symbolic_backward(sym, {"data": data}, heads, {"data": np.ones((3, 2))},
                                dtype=np.float64)
    # composed: the gradient flows on through the graph below make_loss
    sq = mx.sym.make_loss(mx.sym.square(mx.sym.var("data")))
    check_symbolic_backward(sq, {"data": data}, None, {"data": 2 * data}, rtol=1e-12,
                            dtype=np.float64)


# ---- numbers recorded from MXNet 1.9.1 ---------------------------------------------------
# Recorded with /work/shared/tools/mxnet-oracle/oracle python (MXNet 1.9.1); gradient arrays
# start at 5.0, so an untouched label gradient stays 5.0:
#
#   def grads(sym, vals, heads=None, dtype='float64'):
#       args = {k: mx.nd.array(v, dtype=dtype) for k, v in vals.items()}
#       g = {k: mx.nd.full(v.shape, 5, dtype=dtype) for k, v in vals.items()}
#       ex = sym.bind(mx.cpu(), args, args_grad=g)
#       out = ex.forward(is_train=True)[0].asnumpy()
#       ex.backward(heads)
#       return {"out": out.round(12).tolist(),
#               **{k: g[k].asnumpy().round(12).tolist() for k in vals}}
#   x, y, x3, y3, xm = INPUTS below
#   for op in REGRESSIONS:
#       f = getattr(mx.sym, op)
#       rec[op, "gs2-head7"] = grads(f(name='o', grad_scale=2.0), {'o_data': x, 'o_label': y},
#                                    heads=[mx.nd.full((2, 3), 7, dtype='float64')])
#       rec[op, "n1"] = grads(f(name='o'), {'o_data': x[:, :1], 'o_label': y[:, 0]})
#       rec[op, "3d"] = grads(f(name='o'), {'o_data': x3, 'o_label': y3})
#       rec[op, "float32"] = grads(f(name='o'), {'o_data': x, 'o_label': y}, dtype='float32')
#   for norm in ['null', 'batch', 'valid']:
#       for thr in [0.0, 1.0, 5.0]:
#           s = mx.sym.MakeLoss(name='m', grad_scale=3.0, normalization=norm, valid_thresh=thr)
#           rec["MakeLoss", f"{norm}-{thr}"] = grads(s, {'m_data': xm})
#   rec["make_loss", "head9"] = grads(mx.sym.make_loss(name='m'), {'m_data': xm},
#                                     heads=[mx.nd.full((2, 3), 9, dtype='float64')])
#   v = mx.sym.var('v')
#   rec["make_loss", "square"] = grads(mx.sym.make_loss(mx.sym.square(v)), {'v': xm})
#   rec["MakeLoss", "square-batch"] = grads(
#       mx.sym.MakeLoss(mx.sym.square(v), normalization='batch'), {'v': xm})
RECORDED = {
            ('LinearRegressionOutput', 'gs2-head7'): {'out': [[-0.833333333333, -0.5,
                                                              -0.166666666667],
                                                   [0.166666666667, 0.5, 0.833333333333]],
                                           'o_data': [[-0.88888891538,
                                                       -0.20000000596,
                                                       -0.177777783076],
                                                      [-0.088888891538,
                                                       -0.266666674614,
                                                       1.022222252687]],
                                           'o_label': [[5.0, 5.0, 5.0], [5.0, 5.0, 5.0]]},
 ('LinearRegressionOutput', 'n1'): {'out': [[-0.833333333333], [0.166666666667]],
                                    'o_data': [[-1.333333333333], [-0.133333333333]],
                                    'o_label': [5.0, 5.0]},
 ('LinearRegressionOutput', '3d'): {'out': [[[-1.0, -0.818181818182],
                                             [-0.636363636364, -0.454545454545],
                                             [-0.272727272727, -0.090909090909]],
                                            [[0.090909090909, 0.272727272727],
                                             [0.454545454545, 0.636363636364],
                                             [0.818181818182, 1.0]]],
                                    'o_data': [[[-0.300000008941, -0.253030310571],
                                                [-0.206060612202, -0.159090913832],
                                                [-0.112121215463, -0.065151517093]],
                                               [[-0.018181818724, 0.028787879646],
                                                [0.075757578015, 0.122727276385],
                                                [0.169696974754, 0.216666673124]]],
                                    'o_label': [[5.0, 5.0, 5.0, 5.0, 5.0, 5.0],
                                                [5.0, 5.0, 5.0, 5.0, 5.0, 5.0]]},
 ('LinearRegressionOutput', 'float32'): {'out': [[-0.8333333134651184,
                                                  -0.5,
                                                  -0.1666666716337204],
                                                 [0.1666666716337204, 0.5, 0.8333333134651184]],
                                         'o_data': [[-0.4444444179534912,
                                                     -0.10000000894069672,
                                                     -0.08888889849185944],
                                                    [-0.04444444924592972,
                                                     -0.13333332538604736,
                                                     0.5111111402511597]],
                                         'o_label': [[5.0, 5.0, 5.0], [5.0, 5.0, 5.0]]},
 ('LogisticRegressionOutput', 'gs2-head7'): {'out': [[0.302940716035,
                                                      0.377540668798,
                                                      0.458429516783],
                                                     [0.541570483217,
                                                      0.622459331202,
                                                      0.697059283965]],
                                             'o_data': [[-0.131372859892,
                                                         0.385027124007,
                                                         0.23895301831],
                                                        [0.161046993611,
                                                         -0.185027118046,
                                                         0.931372883734]],
                                             'o_label': [[5.0, 5.0, 5.0], [5.0, 5.0, 5.0]]},
 ('LogisticRegressionOutput', 'n1'): {'out': [[0.302940716035], [0.541570483217]],
                                      'o_data': [[-0.197059283965], [0.241570483217]],
                                      'o_label': [5.0, 5.0]},
 ('LogisticRegressionOutput', '3d'): {'out': [[[0.26894142137, 0.306149745669],
                                               [0.346069006291, 0.388280588593],
                                               [0.432237676462, 0.477288366739]],
                                              [[0.522711633261, 0.567762323538],
                                               [0.611719411407, 0.653930993709],
                                               [0.693850254331, 0.73105857863]]],
                                      'o_data': [[[-0.088509765743, -0.065641711011],
                                                  [-0.042321833546, -0.018619902456],
                                                  [0.005372946237, 0.029548062004]],
                                                 [[0.053785273813, 0.07796038958],
                                                  [0.101953238273, 0.125655169363],
                                                  [0.148975046828, 0.17184310156]]],
                                      'o_label': [[5.0, 5.0, 5.0, 5.0, 5.0, 5.0],
                                                  [5.0, 5.0, 5.0, 5.0, 5.0, 5.0]]},
 ('LogisticRegressionOutput', 'float32'): {'out': [[0.3029407262802124,
                                                    0.3775406777858734,
                                                    0.4584295451641083],
                                                   [0.5415704846382141,
                                                    0.622459352016449,
                                                    0.6970592737197876]],
                                           'o_data': [[-0.0656864270567894,
                                                       0.192513570189476,
                                                       0.11947651952505112],
                                                      [0.08052349090576172,
                                                       -0.0925135388970375,
                                                       0.4656864106655121]],
                                           'o_label': [[5.0, 5.0, 5.0], [5.0, 5.0, 5.0]]},
 ('MAERegressionOutput', 'gs2-head7'): {'out': [[-0.833333333333, -0.5, -0.166666666667],
                                                [0.166666666667, 0.5, 0.833333333333]],
                                        'o_data': [[-0.666666686535,
                                                    -0.666666686535,
                                                    -0.666666686535],
                                                   [-0.666666686535,
                                                    -0.666666686535,
                                                    0.666666686535]],
                                        'o_label': [[5.0, 5.0, 5.0], [5.0, 5.0, 5.0]]},
 ('MAERegressionOutput', 'n1'): {'out': [[-0.833333333333], [0.166666666667]],
                                 'o_data': [[-1.0], [-1.0]],
                                 'o_label': [5.0, 5.0]},
 ('MAERegressionOutput', '3d'): {'out': [[[-1.0, -0.818181818182],
                                          [-0.636363636364, -0.454545454545],
                                          [-0.272727272727, -0.090909090909]],
                                         [[0.090909090909, 0.272727272727],
                                          [0.454545454545, 0.636363636364],
                                          [0.818181818182, 1.0]]],
                                 'o_data': [[[-0.166666671634, -0.166666671634],
                                             [-0.166666671634, -0.166666671634],
                                             [-0.166666671634, -0.166666671634]],
                                            [[-0.166666671634, 0.166666671634],
                                             [0.166666671634, 0.166666671634],
                                             [0.166666671634, 0.166666671634]]],
                                 'o_label': [[5.0, 5.0, 5.0, 5.0, 5.0, 5.0],
                                             [5.0, 5.0, 5.0, 5.0, 5.0, 5.0]]},
 ('MAERegressionOutput', 'float32'): {'out': [[-0.8333333134651184, -0.5, -0.1666666716337204],
                                              [0.1666666716337204, 0.5, 0.8333333134651184]],
                                      'o_data': [[-0.3333333432674408,
                                                  -0.3333333432674408,
                                                  -0.3333333432674408],
                                                 [-0.3333333432674408,
                                                  -0.3333333432674408,
                                                  0.3333333432674408]],
                                      'o_label': [[5.0, 5.0, 5.0], [5.0, 5.0, 5.0]]},
 ('MakeLoss', 'null-0.0'): {'out': [[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]],
                            'm_data': [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]]},
 ('MakeLoss', 'null-1.0'): {'out': [[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]],
                            'm_data': [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]]},
 ('MakeLoss', 'null-5.0'): {'out': [[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]],
                            'm_data': [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]]},
 ('MakeLoss', 'batch-0.0'): {'out': [[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]],
                             'm_data': [[1.5, 1.5, 1.5], [1.5, 1.5, 1.5]]},
 ('MakeLoss', 'batch-1.0'): {'out': [[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]],
                             'm_data': [[1.5, 1.5, 1.5], [1.5, 1.5, 1.5]]},
 ('MakeLoss', 'batch-5.0'): {'out': [[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]],
                             'm_data': [[1.5, 1.5, 1.5], [1.5, 1.5, 1.5]]},
 ('MakeLoss', 'valid-0.0'): {'out': [[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]],
                             'm_data': [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]},
 ('MakeLoss', 'valid-1.0'): {'out': [[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]],
                             'm_data': [[1.5, 1.5, 1.5], [1.5, 1.5, 1.5]]},
 ('MakeLoss', 'valid-5.0'): {'out': [[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]],
                             'm_data': [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]]},
 ('make_loss', 'head9'): {'out': [[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]],
                          'm_data': [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]},
 ('make_loss', 'square'): {'out': [[0.25, 1.0, 4.0], [0.0, 9.0, 0.25]],
                           'v': [[1.0, -2.0, 4.0], [0.0, 6.0, -1.0]]},
 ('MakeLoss', 'square-batch'): {'out': [[0.25, 1.0, 4.0], [0.0, 9.0, 0.25]],
                                'v': [[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]]}}


def _inputs():
    x = (np.arange(6).reshape(2, 3) - 2.5) / 3
    y = np.array([[0.5, -0.2, 0.1], [0.3, 0.9, -0.7]])
    x3 = np.linspace(-1, 1, 12).reshape(2, 3, 2)
    y3 = np.linspace(0.8, -0.3, 12).reshape(2, 6)
    xm = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]])
    return x, y, x3, y3, xm


def _grads(sym, vals, heads=None, dtype="float64"):
    args = {k: mx.nd.array(v, dtype=dtype) for k, v in vals.items()}
    g = {k: mx.nd.full(v.shape, 5, dtype=dtype) for k, v in vals.items()}
    ex = sym.bind(mx.cpu(), args, args_grad=g)
    out = ex.forward(is_train=True)[0].asnumpy()
    ex.backward(heads)
    return {"out": out, **{k: g[k].asnumpy() for k in vals}}


def _recorded_run(key):
    x, y, x3, y3, xm = _inputs()
    op, variant = key
    if op in REGRESSIONS:
        f = getattr(mx.sym, op)
        if variant == "gs2-head7":
            return _grads(f(name="o", grad_scale=2.0), {"o_data": x, "o_label": y},
                          heads=[mx.nd.full((2, 3), 7, dtype="float64")])
        if variant == "n1":
            return _grads(f(name="o"), {"o_data": x[:, :1], "o_label": y[:, 0]})
        if variant == "3d":
            return _grads(f(name="o"), {"o_data": x3, "o_label": y3})
        return _grads(f(name="o"), {"o_data": x, "o_label": y}, dtype="float32")
    v = mx.sym.var("v")
    if variant == "head9":
        return _grads(mx.sym.make_loss(name="m"), {"m_data": xm},
                      heads=[mx.nd.full((2, 3), 9, dtype="float64")])
    if variant == "square":
        return _grads(mx.sym.make_loss(mx.sym.square(v)), {"v": xm})
    if variant == "square-batch":
        return _grads(mx.sym.MakeLoss(mx.sym.square(v), normalization="batch"), {"v": xm})
    norm, thr = variant.split("-")
    sym = mx.sym.MakeLoss(name="m", grad_scale=3.0, normalization=norm,
                          valid_thresh=float(thr))
    return _grads(sym, {"m_data": xm})


@pytest.mark.parametrize("key", list(RECORDED), ids=lambda k: "-".join(k))
def test_matches_mxnet_recording(key):
    got = _recorded_run(key)
    for name, expected in RECORDED[key].items():
        tol = 1e-6 if key[1] == "float32" else 1e-11
        np.testing.assert_allclose(got[name], np.array(expected), rtol=tol, atol=tol,
                                   err_msg=f"{key} {name}")


# ---- head-gradient rules (spec 6.3) ------------------------------------------------------
def test_loss_heads_need_no_head_gradient_but_others_do():
    data, label = mx.sym.var("data"), mx.sym.var("label")
    loss = mx.sym.LinearRegressionOutput(data, label, name="lro")
    relu = mx.sym.relu(data, name="relu")
    group = mx.sym.Group([loss, relu])
    ex = group.simple_bind(mx.cpu(), data=(2, 3), label=(2, 3))
    ex.arg_dict["data"][:] = np.arange(6).reshape(2, 3)
    ex.forward(is_train=True)
    with pytest.raises(MXNetError, match="head_gradient is required"):
        ex.backward()
    # the loss head's entry can be anything: it is ignored
    ex.backward([mx.nd.full((2, 3), 100.0), mx.nd.ones((2, 3))])
    expected = np.arange(6).reshape(2, 3) / 3 + (np.arange(6).reshape(2, 3) > 0)
    np.testing.assert_allclose(ex.grad_dict["data"].asnumpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("make", [
    lambda d: mx.sym.MakeLoss(d), lambda d: mx.sym.make_loss(d),
    lambda d: mx.sym.MAERegressionOutput(d), lambda d: mx.sym.LogisticRegressionOutput(d)])
def test_loss_head_backward_without_out_grads(make):
    sym = make(mx.sym.var("data"))
    shapes = {"data": (3, 2)}
    shapes.update({n: (3, 2) for n in sym.list_arguments() if n != "data"})
    ex = sym.simple_bind(mx.cpu(), **shapes)
    ex.forward(is_train=True)
    ex.backward()
    ex.backward(mx.nd.ones((3, 2)))


def test_grad_req_add_accumulates_and_label_untouched():
    data, label = np.array([[1.0, 2.0]]), np.array([[0.5, 0.5]])
    sym = mx.sym.LinearRegressionOutput(mx.sym.var("d"), mx.sym.var("l"))
    grads = {"d": mx.nd.ones((1, 2)), "l": mx.nd.full((1, 2), 7.0)}
    ex = sym.bind(mx.cpu(), {"d": mx.nd.array(data), "l": mx.nd.array(label)},
                  args_grad=grads, grad_req="add")
    ex.forward(is_train=True)
    ex.backward()
    ex.backward()
    np.testing.assert_allclose(grads["d"].asnumpy(), 1 + 2 * (data - label) / 2, rtol=1e-6)
    np.testing.assert_array_equal(grads["l"].asnumpy(), np.full((1, 2), 7.0))


# ---- structure, shapes and types (checked against MXNet 1.9.1) ----------------------------
def test_names_and_outputs():
    for op in REGRESSIONS:
        sym = getattr(mx.sym, op)(name="out")
        assert sym.list_arguments() == ["out_data", "out_label"]
        assert sym.list_outputs() == ["out_output"]
    assert mx.sym.MakeLoss(name="m").list_outputs() == ["m_output"]
    assert mx.sym.MakeLoss(name="m").list_arguments() == ["m_data"]
    assert mx.sym.make_loss(name="m").list_outputs() == ["m_loss"]
    with mx.name.NameManager():
        auto = mx.sym.LinearRegressionOutput(mx.sym.var("x"))
    assert auto.list_arguments() == ["x", "linearregressionoutput0_label"]


@pytest.mark.parametrize("op", REGRESSIONS)
def test_regression_shape_inference(op):
    sym = getattr(mx.sym, op)(name="out")
    assert sym.infer_shape(out_data=(2, 3)) == ([(2, 3), (2, 3)], [(2, 3)], [])
    assert sym.infer_shape(out_data=(2, 1)) == ([(2, 1), (2,)], [(2, 1)], [])
    assert sym.infer_shape(out_data=(4,)) == ([(4,), (4,)], [(4,)], [])
    assert sym.infer_shape(out_data=(2, 3), out_label=(2, 3, 1))[0] == [(2, 3), (2, 3, 1)]
    assert sym.infer_shape(out_data=(2, 1), out_label=(2, 1))[0] == [(2, 1), (2, 1)]
    assert sym.infer_shape_partial(out_label=(2, 3))[0] == [(), (2, 3)]
    for bad in [(2,), (6,), (3, 2), (1, 6)]:
        with pytest.raises(MXNetError, match="Shape inconsistent"):
            sym.infer_shape(out_data=(2, 3), out_label=bad)
    with pytest.raises(MXNetError, match="Shape inconsistent"):
        sym.infer_shape(out_data=(2, 1), out_label=(1, 2))


@pytest.mark.parametrize("op", REGRESSIONS)
def test_regression_type_inference(op):
    sym = getattr(mx.sym, op)(name="out")
    f16 = np.float16
    assert sym.infer_type(out_data="float16") == ([f16, f16], [f16], [])
    assert sym.infer_type(out_label="float16") == ([f16, f16], [f16], [])
    with pytest.raises(MXNetError, match="Incompatible attr"):
        sym.infer_type(out_data="float32", out_label="int32")


def test_make_loss_shapes_and_types():
    assert mx.sym.MakeLoss(name="m").infer_shape(m_data=(2, 3)) == ([(2, 3)], [(2, 3)], [])
    assert mx.sym.MakeLoss(name="m").infer_type(m_data="int32")[1] == [np.int32]
    assert mx.sym.make_loss(name="m").infer_type(m_data="int32")[1] == [np.int32]
    assert mx.sym.MakeLoss(name="m", normalization="valid").infer_shape_partial() == \
        ([()], [()], [])
    with pytest.raises(MXNetError, match="valid values"):
        mx.sym.MakeLoss(normalization="foo")


def test_imperative_calls_are_identity():
    np.testing.assert_array_equal(mx.nd.make_loss(mx.nd.ones(2)).asnumpy(), [1, 1])
    np.testing.assert_array_equal(mx.nd.MakeLoss(mx.nd.ones(2)).asnumpy(), [1, 1])


def _monitored(sym, shape=(2, 3)):
    ex = sym.simple_bind(mx.cpu(), d=shape)
    seen = []
    ex.set_monitor_callback(
        lambda name, arr: seen.append(name.decode() if isinstance(name, bytes) else name))
    ex.forward(is_train=True)
    ex.backward()
    return [n for n in seen if not n.startswith("_head_grad")]


def test_monitor_names_match_mxnet():
    # MXNet 1.9.1: the names set_monitor_callback reports for forward + backward
    d = mx.sym.var("d")
    assert _monitored(mx.sym.LinearRegressionOutput(d, name="o")) == \
        ["o_output", "o_backward_output0", "o_backward_output1"]
    assert _monitored(mx.sym.MakeLoss(d, name="m")) == ["m_output", "m_backward_data"]
    assert _monitored(mx.sym.make_loss(d, name="m")) == ["m_loss", "m_backward_output"]
