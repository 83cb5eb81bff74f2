"""Op-specific tests for symnet/ops/defs/activation.py: LeakyReLU (all six act_types),
SoftmaxActivation and smooth_l1. Names, outputs, JSON, inference rules and errors, and
forward/backward values recorded from MXNet 1.9.1 (the snippet that printed them is in the
comment above each). Numeric gradients of the plain cases run in test_op_contract.py; rrelu's
random training slopes are checked here with a fixed generator.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import symnet as mx
import symnet.executor.executor as executor_module
from symnet.base import MXNetError
from symnet.ops.registry import find_op
from symnet.test_utils import check_numeric_gradient

from .harness import planned_and_unplanned

ACTS = ("leaky", "prelu", "rrelu", "elu", "selu", "gelu")
X = np.array([[-1.0, -0.5, 0.0], [0.7, 2.0, -2.5]])
H = np.array([[0.3, -1.2, 0.8], [1.5, -0.4, 0.9]])


def _bind_backward(sym, args: dict, head, dtype="float64"):
    arrays = {k: mx.nd.array(v, dtype=dtype) for k, v in args.items()}
    grads = {k: mx.nd.zeros(np.shape(v), dtype=dtype) for k, v in args.items()}
    ex = sym.bind(mx.cpu(), arrays, args_grad=grads)
    out = ex.forward(is_train=True)[0].asnumpy()
    ex.backward([mx.nd.array(head, dtype=dtype)])
    return out, {k: g.asnumpy() for k, g in grads.items()}


# ---- names, outputs, JSON ------------------------------------------------------------------
def test_leakyrelu_arguments_and_outputs():
    # s = mx.sym.LeakyReLU(mx.sym.var("x"), act_type=a, name="lr");
    # s.list_arguments(), s.list_outputs()
    for act in ACTS:
        s = mx.sym.LeakyReLU(mx.sym.var("x"), act_type=act, name="lr")
        assert s.list_arguments() == (["x", "lr_gamma"] if act == "prelu" else ["x"])
        assert s.list_outputs() == (["lr_output", "lr_mask"] if act == "rrelu"
                                    else ["lr_output"])
        assert s.list_auxiliary_states() == []
    # len(mx.sym.LeakyReLU(x, act_type='rrelu')) -> 2; mx.nd.LeakyReLU(rrelu) is a list of 2
    assert len(mx.sym.LeakyReLU(mx.sym.var("x"), act_type="rrelu")) == 2
    assert len(mx.nd.LeakyReLU(mx.nd.array(X), act_type="rrelu")) == 2
    assert find_op("LeakyReLU").parse({}).act_type == "leaky"


def test_parameters_defaults_and_errors():
    p = find_op("LeakyReLU").parse({})
    assert (p.slope, p.lower_bound, p.upper_bound) == (0.25, 0.125, 0.334)
    assert find_op("LeakyReLU").parse({"slope": "0.2"}).slope == 0.2
    # mx.nd.LeakyReLU(x, act_type='foo')
    with pytest.raises(MXNetError, match=r"Invalid Input: 'foo', valid values are: \{'elu', "
                                         r"'gelu', 'leaky', 'prelu', 'rrelu', 'selu'\}"):
        mx.nd.LeakyReLU(mx.nd.array(X), act_type="foo")
    # mx.nd.SoftmaxActivation(x, mode='foo')
    with pytest.raises(MXNetError, match=r"valid values are: \{'channel', 'instance'\}"):
        mx.nd.SoftmaxActivation(mx.nd.array(X), mode="foo")
    # mx.nd.smooth_l1(x, foo=2) lists: scalar : double, optional, default=1 / is_int : boolean
    with pytest.raises(MXNetError, match="scalar : double, optional"):
        mx.nd.smooth_l1(mx.nd.array(X), foo=2)
    for name in ("LeakyReLU", "SoftmaxActivation", "smooth_l1"):  # no fluent methods in MXNet
        assert name not in mx.nd.NDArray.__dict__


def test_prelu_gamma_initializer_in_json():
    # mx.sym.LeakyReLU(mx.sym.var("x"), act_type="prelu", name="lr").tojson()
    nodes = json.loads(mx.sym.LeakyReLU(mx.sym.var("x"), act_type="prelu", name="lr")
                       .tojson())["nodes"]
    assert nodes[1] == {"op": "null", "name": "lr_gamma", "inputs": [],
                        "attrs": {"__init__": '["Constant", {"value": 0.25}]',
                                  "act_type": "prelu"}}
    assert nodes[2]["attrs"] == {"act_type": "prelu"}
    # with a user variable g: {"__init__": ...}; with var("g", init=mx.init.One()): ["one", {}]
    s = mx.sym.LeakyReLU(mx.sym.var("x"), mx.sym.var("g"), act_type="prelu", name="lr")
    assert s.attr_dict()["g"] == {"__init__": '["Constant", {"value": 0.25}]'}
    g = mx.sym.var("g", attr={"__init__": '["one", {}]'})
    s = mx.sym.LeakyReLU(mx.sym.var("x"), g, act_type="prelu", name="lr")
    assert s.attr_dict()["g"] == {"__init__": '["one", {}]'}
    # other act_types have no gamma and no hook
    s = mx.sym.LeakyReLU(mx.sym.var("x"), act_type="elu", name="lr")
    assert "x" not in s.attr_dict()


def test_smooth_l1_and_softmax_activation_json():
    # mx.sym.smooth_l1(mx.sym.var("x"), scalar=2, name="sl") attrs {"scalar": "2"}; none
    # without the scalar. SoftmaxActivation(mode="channel") attrs {"mode": "channel"}
    nodes = json.loads(mx.sym.smooth_l1(mx.sym.var("x"), scalar=2, name="sl").tojson())["nodes"]
    assert nodes[1]["attrs"] == {"scalar": "2"}
    assert "attrs" not in json.loads(mx.sym.smooth_l1(mx.sym.var("x")).tojson())["nodes"][1]
    s = mx.sym.SoftmaxActivation(mx.sym.var("x"), mode="channel", name="sa")
    assert json.loads(s.tojson())["nodes"][1]["attrs"] == {"mode": "channel"}
    assert s.list_outputs() == ["sa_output"]


# ---- inference rules ---------------------------------------------------------------------------
def test_prelu_shape_inference():
    s = mx.sym.LeakyReLU(mx.sym.var("x"), act_type="prelu", name="p")
    # s.infer_shape(x=(2, 3, 4)) -> ([(2, 3, 4), (3,)], [(2, 3, 4)], [])
    assert s.infer_shape(x=(2, 3, 4)) == ([(2, 3, 4), (3,)], [(2, 3, 4)], [])
    # a given gamma is kept (broadcast at run time): (1,), (2, 3) on (2, 3)
    assert s.infer_shape(x=(2, 3), p_gamma=(1,))[0] == [(2, 3), (1,)]
    assert s.infer_shape(x=(2, 3), p_gamma=(2, 3))[0] == [(2, 3), (2, 3)]
    assert s.infer_shape(x=(5,), p_gamma=(1,))[0] == [(5,), (1,)]
    # s.infer_shape_partial(x=(2, 0, 3)) -> ([(2, 0, 3), (0,)], ...); (p_gamma=(4,)) -> x ()
    assert s.infer_shape_partial(x=(2, 0, 3))[0] == [(2, 0, 3), (0,)]
    assert s.infer_shape_partial(p_gamma=(4,))[0] == [(), (4,)]
    # s.infer_shape(x=(5,)) -> Check failed: i >= 0 && i < ndim(): index = 1 must be in
    # range [0, 1)
    with pytest.raises(MXNetError, match=r"Error in operator p: .*index = 1 must be in range "
                                         r"\[0, 1\)"):
        s.infer_shape(x=(5,))
    rrelu = mx.sym.LeakyReLU(mx.sym.var("x"), act_type="rrelu")
    assert rrelu.infer_shape(x=(2, 3, 4))[1] == [(2, 3, 4), (2, 3, 4)]


def test_type_inference():
    s = mx.sym.LeakyReLU(mx.sym.var("x"), act_type="prelu", name="p")
    # s.infer_type(p_gamma="float16") -> everything float16
    assert s.infer_type(p_gamma="float16") == ([np.float16, np.float16], [np.float16], [])
    # s.infer_type(x="float64", p_gamma="float32") -> Error in operator p: Type inconsistent,
    # Provided = float32, inferred type = float64
    with pytest.raises(MXNetError, match="Error in operator p: Type inconsistent, Provided = "
                                         "float32, inferred type = float64"):
        s.infer_type(x="float64", p_gamma="float32")
    rrelu = mx.sym.LeakyReLU(mx.sym.var("x"), act_type="rrelu")
    assert rrelu.infer_type(x="float64")[1] == [np.float64, np.float64]
    # mx.nd.LeakyReLU(int32 array) -> This operation only support floating point types,
    # not int32 (the type rule itself accepts int32, as MXNet's does)
    assert s.infer_type(x="int32")[0] == [np.int32, np.int32]
    with pytest.raises(MXNetError, match="only support floating point types, not int32"):
        mx.nd.LeakyReLU(mx.nd.array([-1, 2], dtype="int32"))


def test_prelu_gamma_broadcast_rule():
    # mx.nd.LeakyReLU(-arange(1..n).reshape(xs), gamma=arange(1..m)/10, act_type='prelu')
    def run(xs, gs):
        x = -np.arange(1, 1 + np.prod(xs)).reshape(xs).astype(float)
        g = (np.arange(1, 1 + np.prod(gs)) / 10).reshape(gs)
        return mx.nd.LeakyReLU(mx.nd.array(x), gamma=mx.nd.array(g),
                               act_type="prelu").asnumpy().ravel()
    np.testing.assert_allclose(run((2, 3), (1,)), [-0.1, -0.2, -0.3, -0.4, -0.5, -0.6],
                               rtol=1e-6)
    np.testing.assert_allclose(run((2, 3), (2,)), [-0.1, -0.2, -0.3, -0.8, -1., -1.2],
                               rtol=1e-6)  # (2,) runs along axis 0
    np.testing.assert_allclose(run((2, 3, 2), (2,))[:8],
                               [-0.1, -0.2, -0.3, -0.4, -0.5, -0.6, -1.4, -1.6], rtol=1e-6)
    np.testing.assert_allclose(run((2, 3, 2), (3,))[:6], [-0.1, -0.2, -0.6, -0.8, -1.5, -1.8],
                               rtol=1e-6)
    np.testing.assert_allclose(run((2, 3), (2, 3)), [-0.1, -0.4, -0.9, -1.6, -2.5, -3.6],
                               rtol=1e-6)
    # (2, 3) with gamma (4,) -> Check failed: s == -1: Cannot broadcast gamma to data.
    # gamma: [4], data: [2,3]; also (4,) with (2,) and (2, 3, 2) with (3, 1)
    for xs, gs, text in [((2, 3), (4,), r"gamma: \[4\], data: \[2,3\]"),
                         ((4,), (2,), r"gamma: \[2\], data: \[4\]"),
                         ((2, 3, 2), (3, 1), r"gamma: \[3,1\], data: \[2,3,2\]")]:
        with pytest.raises(MXNetError, match="Cannot broadcast gamma to data. " + text):
            run(xs, gs)


# ---- values recorded from MXNet 1.9.1 ------------------------------------------------------
# s = mx.sym.LeakyReLU(mx.sym.var("x"), act_type=a, slope=0.1)  (prelu: gamma=[0.1, 0.2, 0.3])
# bind float64 X with args_grad, forward(is_train=True), backward([H]); print out, grads
RECORDED = {
    "leaky": ([[-0.10000000149011612, -0.05000000074505806, 0.], [0.7, 2., -0.25]],
              [[0.03000000044703484, -0.12000000178813934, 0.0800000011920929],
               [1.5, -0.4, 0.09000000134110452]]),
    "elu": ([[-0.0632120568247888, -0.03934693461505166, 0.], [0.7, 2., -0.09179150150541007]],
            [[0.0110363833995982, -0.07278368025007735, 0.0800000011920929],
             [1.5, -0.4, 0.00738764998623544]]),
    "selu": ([[-1.1113307412864784, -0.6917581899652426, 0.],
              [0.7354907155036926, 2.1014020442962646, -1.6137857639177855]],
             [[0.17712690015860577, -1.2375219708806495, 1.4064794770744244],
              [1.5760515332221985, -0.42028040885925294, 0.0562436951998577]]),
    "gelu": ([[-0.15865525603294373, -0.1542687714099884, 0.],
              [0.5306254625320435, 1.9544997215270996, -0.01552417874336243]],
             [[-0.02499464303255081, -0.15900585651397706, 0.4],
              [1.4649211764335632, -0.43409271240234376, -0.03384997062385083]]),
    "prelu": ([[-0.10000000149011612, -0.10000000149011612, 0.], [0.7, 2., -0.75]],
              [[0.03, -0.24, 0.24], [1.5, -0.4, 0.27]]),
}
# MXNet computes leaky/prelu's negative branch and gelu in float32 even for float64 data;
# symnet keeps float64 there, so those comparisons allow float32 rounding.
RTOL = {"leaky": 1e-7, "elu": 1e-14, "selu": 1e-14, "gelu": 2e-7, "prelu": 1e-7}
ATOL = {"gelu": 3e-8}


@pytest.mark.parametrize("act", sorted(RECORDED))
def test_leakyrelu_matches_mxnet_recording(act):
    args = {"x": X}
    kwargs = {"act_type": act, "slope": 0.1}
    if act == "prelu":
        args["gamma"] = np.array([0.1, 0.2, 0.3])
        kwargs["gamma"] = mx.sym.var("gamma")
    out, grads = _bind_backward(mx.sym.LeakyReLU(mx.sym.var("x"), **kwargs), args, H)
    expected_out, expected_grad = (np.array(v) for v in RECORDED[act])
    np.testing.assert_allclose(out, expected_out, rtol=RTOL[act], atol=ATOL.get(act, 1e-15))
    if act == "selu":
        # MXNet's selu gradient below 0 is lambda * (out + alpha), not the derivative
        # out + lambda * alpha: only x > 0 and x = 0 agree; symnet gives the derivative.
        agree = X >= 0
        np.testing.assert_allclose(grads["x"][agree], expected_grad[agree], rtol=1e-14)
        lam, alpha = float(np.float32(1.0507009873554805)), float(np.float32(1.6732632423543772))
        np.testing.assert_allclose(grads["x"][~agree], (H * lam * alpha * np.exp(X))[~agree],
                                   rtol=1e-14)
        return
    np.testing.assert_allclose(grads["x"], expected_grad, rtol=RTOL[act],
                               atol=ATOL.get(act, 1e-15))
    if act == "prelu":
        # gamma's gradient: sum of og * (x > 0 ? 0 : x) per channel
        np.testing.assert_allclose(grads["gamma"], [-0.3, 0.6, -2.25], rtol=1e-14)


def test_prelu_broadcast_gradients_match_mxnet():
    # rng = np.random.default_rng(5); for (xs, gs): x = U(-1,1,xs), g = U(.1,.5,gs),
    # h = U(-1,1,xs); bind LeakyReLU(x, g, act_type='prelu'), backward([h]); print grads
    recorded = {
        ((2, 3), (1,)): [0.37350693695303083],
        ((2, 3, 2), (2,)): [-0.07538173900989469, 0.5912490677315133],
        ((2, 3), (2, 3)): [0., 0.02719326154473017, 0., 0.10640145249256956,
                           -0.31461422817958584, 0.],
        ((4,), (1,)): [0.2890853530718838],
    }
    first_dx = {((2, 3), (1,)): -0.9094496121951097, ((2, 3, 2), (2,)): 0.790896478828252,
                ((2, 3), (2, 3)): 0.68985360294722, ((4,), (1,)): -0.1588181770290371}
    rng = np.random.default_rng(5)
    for (xs, gs), dg in recorded.items():
        x, g, h = rng.uniform(-1, 1, xs), rng.uniform(0.1, 0.5, gs), rng.uniform(-1, 1, xs)
        sym = mx.sym.LeakyReLU(mx.sym.var("x"), mx.sym.var("g"), act_type="prelu")
        _, grads = _bind_backward(sym, {"x": x, "g": g}, h)
        np.testing.assert_allclose(grads["g"].ravel(), dg, rtol=1e-13, atol=1e-16)
        assert grads["x"].ravel()[0] == pytest.approx(first_dx[(xs, gs)], rel=1e-13)


def test_leakyrelu_kink_and_negative_slope_follow_mxnet():
    # MXNet: gradients at x = 0 use the negative branch (leaky: slope, elu: slope, gelu: 0.5);
    # with slope = -0.5 the output of a negative x is positive and its gradient is 1.
    x = np.array([-1.0, -0.5, 0.7, 2.0])
    h = np.array([0.3, -1.2, 0.8, 1.5])
    for act in ("leaky", "elu"):
        sym = mx.sym.LeakyReLU(mx.sym.var("x"), act_type=act, slope=-0.5)
        out, grads = _bind_backward(sym, {"x": x}, h)
        np.testing.assert_allclose(grads["x"], h)  # [0.3, -1.2, 0.8, 1.5] in MXNet
    # mx.nd.LeakyReLU(x, act_type='elu', slope=-0.5) -> [0.31606027941427883,
    # 0.1967346701436833, 0.7, 2.]
    np.testing.assert_allclose(out, [0.31606027941427883, 0.1967346701436833, 0.7, 2.],
                               rtol=1e-15)


def test_float16_and_rrelu_inference_values():
    # mx.nd.LeakyReLU(float16 [-1, -0.5, 0.7, 2], act_type=a, slope=0.1)
    x16 = mx.nd.array([-1.0, -0.5, 0.7, 2.0], dtype="float16")
    recorded16 = {"leaky": [-0.1, -0.05, 0.7, 2.], "elu": [-0.0632, -0.03934, 0.7, 2.],
                  "selu": [-1.111, -0.6914, 0.736, 2.102], "gelu": [-0.1587, -0.1543, 0.531,
                                                                    1.954]}
    for act, values in recorded16.items():
        out = mx.nd.LeakyReLU(x16, act_type=act, slope=0.1).asnumpy()
        assert out.dtype == np.float16
        np.testing.assert_allclose(out, np.array(values, np.float16), rtol=2e-3)
    # mx.nd.LeakyReLU(float64 x, act_type='rrelu')[0] -> [-0.22949999570846558,
    # -0.11474999785423279, 0.7, 2.]: the slope is (0.125f + 0.334f) / 2 in float32
    x64 = mx.nd.array([-1.0, -0.5, 0.7, 2.0], dtype="float64")
    out, mask = mx.nd.LeakyReLU(x64, act_type="rrelu")
    np.testing.assert_array_equal(out.asnumpy(), [-0.22949999570846558, -0.11474999785423279,
                                                  0.7, 2.])
    np.testing.assert_array_equal(mask.asnumpy(), np.full(4, 0.22949999570846558))


# ---- rrelu in training ---------------------------------------------------------------------------
def test_rrelu_training_draws_slopes_in_bounds():
    x = np.random.default_rng(0).uniform(-1, 1, (20, 30))
    sym = mx.sym.LeakyReLU(mx.sym.var("x"), act_type="rrelu", lower_bound=0.2, upper_bound=0.6)
    ex = sym.bind(mx.cpu(), {"x": mx.nd.array(x, dtype="float64")})
    mx.random.seed(3)
    out, mask = (o.asnumpy() for o in ex.forward(is_train=True))
    assert mask.min() >= 0.2 and mask.max() < 0.6 and mask.std() > 0.05
    np.testing.assert_allclose(out, np.where(x > 0, x, mask * x), rtol=1e-15)
    mx.random.seed(3)
    again = ex.forward(is_train=True)[1].asnumpy()
    np.testing.assert_array_equal(again, mask)
    infer = ex.forward(is_train=False)[1].asnumpy()
    np.testing.assert_allclose(infer, float(np.float32((np.float32(0.2) + np.float32(0.6)) / 2)))


@pytest.fixture
def fixed_rng(monkeypatch):
    """Every forward pass draws the same slopes (the numeric checker runs forward often)."""
    monkeypatch.setattr(executor_module, "_rng", lambda: np.random.default_rng(7))


def test_rrelu_numeric_gradient(fixed_rng):
    x = np.random.default_rng(1).uniform(0.1, 1, (3, 4)) * np.array([1, -1, -1, 1])
    sym = mx.sym.LeakyReLU(mx.sym.var("x"), act_type="rrelu")[0]
    check_numeric_gradient(sym, {"x": x}, dtype=np.float64)
    # the gradient uses the mask of the forward pass: og * (out > 0 ? 1 : mask)
    ex = mx.sym.LeakyReLU(mx.sym.var("x"), act_type="rrelu").bind(
        mx.cpu(), {"x": mx.nd.array(x, dtype="float64")},
        args_grad={"x": mx.nd.zeros((3, 4), dtype="float64")})
    _, mask = (o.asnumpy() for o in ex.forward(is_train=True))
    ex.backward([mx.nd.ones((3, 4), dtype="float64"), mx.nd.ones((3, 4), dtype="float64")])
    np.testing.assert_array_equal(ex.grad_dict["x"].asnumpy(), np.where(x > 0, 1.0, mask))


def test_rrelu_planned_matches_unplanned(fixed_rng):
    net = mx.sym.LeakyReLU(mx.sym.tanh(mx.sym.var("x")), act_type="rrelu")[0] * 2
    x = np.random.default_rng(2).uniform(-1, 1, (4, 5))
    for a, b in zip(*planned_and_unplanned(net, x)):
        np.testing.assert_array_equal(a, b)


# ---- SoftmaxActivation ---------------------------------------------------------------------------
def test_softmax_activation_matches_mxnet():
    # MXNet 1.9.1's CPU kernel runs float32 only (float64 fails there); symnet takes any float.
    # e = mx.sym.SoftmaxActivation(mx.sym.var("x"), mode=m).bind(...float32...);
    # forward(is_train=True); backward([h])
    x2 = np.array([[0.3, -1.0, 2.0], [0.5, 0.1, -0.2]])
    out, grads = _bind_backward(mx.sym.SoftmaxActivation(mx.sym.var("x")), {"x": x2}, H,
                                dtype="float32")
    np.testing.assert_allclose(out, [[0.14822546, 0.040396154, 0.8113784],
                                     [0.46148762, 0.30934438, 0.22916797]], rtol=1e-6)
    np.testing.assert_allclose(grads["x"], [[-0.05115186, -0.074534744, 0.12568659],
                                            [0.3346963, -0.36340073, 0.028704472]],
                               rtol=1e-5, atol=1e-7)
    # mx.nd.SoftmaxActivation(mx.nd.array([1., 2., 3.])) -> [0.09003057 0.24472848 0.66524094]
    np.testing.assert_allclose(mx.nd.SoftmaxActivation(mx.nd.array([1., 2., 3.])).asnumpy(),
                               [0.09003057, 0.24472848, 0.66524094], rtol=1e-6)


def test_softmax_activation_3d_matches_mxnet():
    # the same recording with x = linspace(-1, 1, 12).reshape(2, 3, 2), h = cos(arange(12))
    x3 = np.linspace(-1, 1, 12).reshape(2, 3, 2)
    h3 = np.cos(np.arange(12)).reshape(2, 3, 2)
    recorded = {
        "instance": ([0.45467028, 0.54532975] * 6,
                     [0.4690977, 0.3440171, -0.17478216, -0.4904982, -0.28276488, 0.20406361,
                      0.44160524, 0.45656636, -0.0611102, -0.45142537, -0.37645653,
                      0.0478545]),
        "channel": ([0.22182883, 0.22182883, 0.31911212, 0.31911212, 0.45905903,
                     0.45905903] * 2,
                    [0.2686413, 0.13446122, -0.06545538, -0.29490626, -0.20318593, 0.16044502,
                     0.26148984, 0.19418587, 0.0233337, -0.25198576, -0.28482354,
                     0.057799898]),
    }
    for mode, (expected_out, expected_grad) in recorded.items():
        sym = mx.sym.SoftmaxActivation(mx.sym.var("x"), mode=mode)
        out, grads = _bind_backward(sym, {"x": x3}, h3, dtype="float32")
        np.testing.assert_allclose(out.ravel(), expected_out, rtol=1e-6)
        if mode == "instance":
            # MXNet's instance-mode backward on >= 3-D data sums over axis 1 while its forward
            # normalises the last axis, so its gradient is not the derivative:
            # y * (h - sum(h * y, axis=1)) reproduces the recording. symnet sums over the
            # last axis (the derivative; identical for 2-D data).
            y = np.array(expected_out).reshape(x3.shape)
            np.testing.assert_allclose(y * (h3 - (h3 * y).sum(axis=1, keepdims=True)),
                                       np.reshape(expected_grad, x3.shape), rtol=1e-5,
                                       atol=1e-7)
            expected_grad = y * (h3 - (h3 * y).sum(axis=-1, keepdims=True))
        np.testing.assert_allclose(grads["x"].ravel(), np.ravel(expected_grad), rtol=1e-5,
                                   atol=1e-7)


def test_softmax_activation_channel_needs_3d():
    # infer_shape accepts (2, 3) with mode='channel'; the forward pass fails with
    # Check failed: in_data.ndim() >= 3 (2 vs. 3) : Input need to have a least 3 dimensions
    # when mode=channel
    s = mx.sym.SoftmaxActivation(mx.sym.var("x"), mode="channel")
    assert s.infer_shape(x=(2, 3)) == ([(2, 3)], [(2, 3)], [])
    with pytest.raises(MXNetError, match=r"in_data.ndim\(\) >= 3 \(2 vs. 3\) : Input need to "
                                         r"have a least 3 dimensions when mode=channel"):
        mx.nd.SoftmaxActivation(mx.nd.array([[-1, 2]]), mode="channel")


# ---- smooth_l1 -----------------------------------------------------------------------------------
def test_smooth_l1_matches_mxnet():
    x = mx.nd.array([-3., -1., -0.5, -0.25, 0., 0.25, 0.5, 1., 3.], dtype="float64")
    # mx.nd.smooth_l1(x, scalar=s) for s = default, 2, 0.5, 0, -2
    recorded = {
        None: [2.5, 0.5, 0.125, 0.03125, 0., 0.03125, 0.125, 0.5, 2.5],
        2: [2.875, 0.875, 0.375, 0.125, 0., 0.125, 0.375, 0.875, 2.875],
        0.5: [1.125, 0.125, 0.03125, 0.0078125, 0., 0.0078125, 0.03125, 0.125, 1.125],
        0: [0.] * 9,
        -2: [2.875, 0.875, 0.375, 0.125, 0., 0.125, 0.375, 0.875, 2.875],
    }
    for scalar, expected in recorded.items():
        kwargs = {} if scalar is None else {"scalar": scalar}
        np.testing.assert_array_equal(mx.nd.smooth_l1(x, **kwargs).asnumpy(), expected)
    # is_int is accepted and changes nothing for float data
    np.testing.assert_array_equal(mx.nd.smooth_l1(x, scalar=2, is_int=False).asnumpy(),
                                  recorded[2])
    # mx.nd.smooth_l1(mx.nd.array([-3, -1, 0.4, 2.5], dtype=dt), scalar=1.5)
    v = [-3, -1, 0.4, 2.5]
    assert mx.nd.smooth_l1(mx.nd.array(v, dtype="int32"), scalar=1.5).asnumpy().tolist() == \
        [2, 0, 0, 1]
    np.testing.assert_allclose(mx.nd.smooth_l1(mx.nd.array(v, dtype="float32"), scalar=1.5)
                               .asnumpy(), [2.7777777, 0.7777778, 0.18, 2.2777777], rtol=1e-6)
    np.testing.assert_allclose(mx.nd.smooth_l1(mx.nd.array(v, dtype="float16"), scalar=1.5)
                               .asnumpy(), [2.777, 0.778, 0.1799, 2.277], rtol=1e-3)


def test_smooth_l1_gradient_matches_mxnet():
    # bind smooth_l1(x, scalar=s) on the x above, backward([2 * ones]); print the gradient
    x = np.array([-3., -1., -0.5, -0.25, 0., 0.25, 0.5, 1., 3.])
    recorded = {1.0: [-2., -2., -1., -0.5, 0., 0.5, 1., 2., 2.],
                2.0: [-2., -2., -2., -2., 0., 2., 2., 2., 2.],
                0.5: [-1.5, -0.5, -0.25, -0.125, 0., 0.125, 0.25, 0.5, 1.5]}
    for scalar, expected in recorded.items():
        sym = mx.sym.smooth_l1(mx.sym.var("x"), scalar=scalar)
        _, grads = _bind_backward(sym, {"x": x}, np.full(9, 2.0))
        np.testing.assert_array_equal(grads["x"], expected)


def test_second_order_gradients():
    """smooth_l1 and SoftmaxActivation differentiate as compositions of registered ops."""
    x = mx.sym.var("x")
    second = mx.sym.smooth_l1(x, scalar=2.0).gradient("x")
    v = np.array([-1.0, -0.2, 0.1, 0.3])
    value = second.gradient("x").eval(x=mx.nd.array(v, dtype="float64"))[0].asnumpy()
    np.testing.assert_array_equal(value, [0., 4., 4., 0.])  # sigma^2 inside |x| < 1/sigma^2
    sym = mx.sym.sum(mx.sym.square(mx.sym.SoftmaxActivation(x)))
    data = np.random.default_rng(4).uniform(-1, 1, (2, 3))
    check_numeric_gradient(sym.gradient("x"), {"x": data}, dtype=np.float64)
