"""BatchNorm and Dropout through the executor (spec 1.2, 3.3, 5.1, 5.2, 6.3).

BatchNorm: training uses batch statistics and updates the moving statistics during BACKWARD;
inference uses the moving statistics; gradients are checked numerically (float64, training
mode, aux states restored between evaluations) and against numbers recorded from MXNet 1.9.1.
Dropout: masks, 1/(1-p) scaling, inference identity, and the gradient ``og * mask``.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import symnet as mx
import symnet.executor.executor as executor_module
from symnet import config
from symnet.base import MXNetError
from symnet.test_utils import check_numeric_gradient
from tests.ops.harness import planned_and_unplanned

#: BatchNorm's default eps: MXNet declares a double but defaults it to the float32 1e-3.
EPS = float(np.float32(1e-3))


# ---- BatchNorm: structure ---------------------------------------------------------------
def test_batchnorm_names_outputs_and_aux():
    bn = mx.sym.BatchNorm(name="bn")
    assert bn.list_arguments() == ["bn_data", "bn_gamma", "bn_beta"]
    assert bn.list_outputs() == ["bn_output"]
    assert bn.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]
    assert mx.sym.BatchNorm(name="bn", output_mean_var=True).list_outputs() == \
        ["bn_output", "bn_mean", "bn_var"]
    assert bn.get_internals().list_outputs() == \
        ["bn_data", "bn_gamma", "bn_beta", "bn_moving_mean", "bn_moving_var", "bn_output"]


def test_batchnorm_json_matches_mxnet():
    graph = json.loads(mx.sym.BatchNorm(name="bn").tojson())
    nodes = graph["nodes"]
    assert [n["name"] for n in nodes] == ["bn_data", "bn_gamma", "bn_beta", "bn_moving_mean",
                                          "bn_moving_var", "bn"]
    assert nodes[3]["attrs"] == {"__init__": '["zero", {}]'}
    assert nodes[4]["attrs"] == {"__init__": '["one", {}]'}
    assert "attrs" not in nodes[0] and "attrs" not in nodes[5]
    assert nodes[5]["inputs"] == [[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 1], [4, 0, 1]]
    assert graph["node_row_ptr"] == [0, 1, 2, 3, 4, 5, 8]


def test_batchnorm_init_hook_only_fills_missing():
    # MXNet 1.9.1: attr_dict() of this symbol (mm given an initializer, mv plain)
    mm = mx.sym.var("mm", attr={"__init__": '["constant", {"value": 3.0}]'})
    mv = mx.sym.var("mv")
    bn = mx.sym.BatchNorm(mx.sym.var("x"), moving_mean=mm, moving_var=mv, name="bn",
                          fix_gamma=False)
    attrs = bn.attr_dict()
    assert attrs["mm"] == {"__init__": '["constant", {"value": 3.0}]'}
    assert attrs["mv"] == {"__init__": '["one", {}]'}
    assert attrs["bn_gamma"] == {"fix_gamma": "False"}
    assert bn.list_auxiliary_states() == ["mm", "mv"]
    assert bn.list_arguments() == ["x", "bn_gamma", "bn_beta"]
    auto = mx.sym.BatchNorm(name="bn", eps=1e-5).attr_dict()
    assert auto["bn_moving_var"] == {"__init__": '["one", {}]', "eps": "1e-05"}
    assert auto["bn_data"] == {"eps": "1e-05"}


# ---- BatchNorm: inference rules ---------------------------------------------------------
def test_batchnorm_shape_inference():
    bn = mx.sym.BatchNorm(name="bn")
    assert bn.infer_shape(bn_data=(2, 3, 4)) == ([(2, 3, 4), (3,), (3,)], [(2, 3, 4)],
                                                 [(3,), (3,)])
    assert mx.sym.BatchNorm(name="bn", axis=-1).infer_shape(bn_data=(2, 3, 4))[2] == \
        [(4,), (4,)]
    assert mx.sym.BatchNorm(name="bn", axis=0).infer_shape(bn_data=(5,)) == \
        ([(5,), (5,), (5,)], [(5,)], [(5,), (5,)])
    assert bn.infer_shape_partial(bn_gamma=(3,)) == ([(), (3,), ()], [()], [(), ()])
    assert bn.infer_shape_partial(bn_data=(0, 3, 4))[0] == [(0, 3, 4), (3,), (3,)]
    both = mx.sym.BatchNorm(name="bn", output_mean_var=True).infer_shape(bn_data=(2, 3))
    assert both[1] == [(2, 3), (3,), (3,)]
    for axis, shape, text in [(3, (2, 3, 4), r"\(3 vs. 3\)"), (1, (5,), r"\(1 vs. 1\)"),
                              (-4, (2, 3, 4), "Channel axis out of range: -4")]:
        with pytest.raises(MXNetError, match=text):
            mx.sym.BatchNorm(name="bn", axis=axis).infer_shape(bn_data=shape)


def test_batchnorm_type_inference():
    bn = mx.sym.BatchNorm(name="bn", output_mean_var=True)
    f16, f32, f64 = np.float16, np.float32, np.float64
    assert bn.infer_type(bn_data="float16") == ([f16, f32, f32], [f16, f32, f32], [f32, f32])
    assert bn.infer_type(bn_data="float64") == ([f64] * 3, [f64] * 3, [f64] * 2)
    with pytest.raises(MXNetError, match="only support floating point types, not int32"):
        bn.infer_type(bn_data="int32")
    with pytest.raises(MXNetError, match="Expected 'float64' v.s. given 'float32' at 'gamma'"):
        bn.infer_type(bn_data="float64", bn_gamma="float32")
    with pytest.raises(MXNetError, match="Expected 'float32' v.s. given 'float16' at 'mean'"):
        bn.infer_type(bn_data="float16", bn_moving_mean="float16")


def test_batchnorm_parameter_errors():
    with pytest.raises(MXNetError, match="momentum"):
        mx.sym.BatchNorm(momentum="fast")
    with pytest.raises(MXNetError, match="Cannot find argument 'foo'"):
        mx.sym.BatchNorm(foo=1)


# ---- BatchNorm: numbers ---------------------------------------------------------------------
def _bn_arrays(shape, axis=1):
    n, c = int(np.prod(shape)), shape[axis]
    x = np.sin(np.arange(n) * 1.3 + 0.2).reshape(shape) * 2 + 0.5
    og = np.cos(np.arange(n) * 0.7).reshape(shape)
    gamma, beta = 1 + 0.25 * np.arange(c), 0.1 * np.arange(c) - 0.2
    mm, mv = 0.05 * np.arange(c), 1 + 0.5 * np.arange(c)
    return x, og, gamma, beta, mm, mv


def _bn_run(shape, fwd_train=True, bwd_train=True, dtype="float64", **kw):
    """Bind, forward, backward; return every output, gradient and the aux states after."""
    x, og, gamma, beta, mm, mv = _bn_arrays(shape, kw.get("axis", 1) % len(shape))
    pdt = "float32" if dtype == "float16" else dtype
    sym = mx.sym.BatchNorm(name="bn", output_mean_var=True, **kw)
    args = {"bn_data": mx.nd.array(x, dtype=dtype), "bn_gamma": mx.nd.array(gamma, dtype=pdt),
            "bn_beta": mx.nd.array(beta, dtype=pdt)}
    grads = {k: mx.nd.zeros(v.shape, dtype=v.dtype) for k, v in args.items()}
    aux = {"bn_moving_mean": mx.nd.array(mm, dtype=pdt),
           "bn_moving_var": mx.nd.array(mv, dtype=pdt)}
    ex = sym.bind(mx.cpu(), args, args_grad=grads, aux_states=aux)
    outs = [o.asnumpy() for o in ex.forward(is_train=fwd_train)]
    c = len(gamma)
    ex.backward([mx.nd.array(og, dtype=dtype), mx.nd.zeros(c, dtype=pdt),
                 mx.nd.zeros(c, dtype=pdt)], is_train=bwd_train)
    return {"out": outs[0], "mean": outs[1], "var": outs[2],
            "gdata": grads["bn_data"].asnumpy(), "ggamma": grads["bn_gamma"].asnumpy(),
            "gbeta": grads["bn_beta"].asnumpy(), "moving_mean": aux["bn_moving_mean"].asnumpy(),
            "moving_var": aux["bn_moving_var"].asnumpy()}


# Recorded with /work/shared/tools/mxnet-oracle/oracle python (MXNet 1.9.1): the same
# _bn_arrays, and _bn_run written with `import mxnet as mx`, followed by mx.nd.waitall()
# before reading (MKLDNN's backward writes the aux states asynchronously), values rounded
# with np.asarray(a, dtype=np.float64).round(10).tolist():
#   for name, kw in BN_SCENARIOS.items(): print(name, _bn_run(**kw))
# Notes: "var" is the inverse std 1/sqrt(var + eps); "infer_fwd_train_bwd" (forward in
# inference, backward in training) uses the batch formula with the moving statistics and
# leaves them unchanged; "train_fwd_infer_bwd" uses the moving statistics in backward.
BN_SCENARIOS = {
    "train_2d": dict(shape=(4, 3), fix_gamma=False),
    "train_4d_fixgamma": dict(shape=(2, 3, 2, 2)),
    "inference": dict(shape=(4, 3), fwd_train=False, bwd_train=False, fix_gamma=False),
    "global_stats": dict(shape=(4, 3), use_global_stats=True, fix_gamma=False),
    "infer_fwd_train_bwd": dict(shape=(4, 3), fwd_train=False, fix_gamma=False),
    "train_fwd_infer_bwd": dict(shape=(4, 3), bwd_train=False, fix_gamma=False),
    "axis_last": dict(shape=(2, 3, 4), axis=-1, fix_gamma=False, eps=1e-5, momentum=0.8),
    "float16": dict(shape=(4, 2, 2), dtype="float16", fix_gamma=False),
}
RECORDED_BN = {'train_2d': {'out': [[0.1637619998, 1.3454704263, 0.3232408226],
                      [-1.2548527059, -2.0118158447, 0.4768624021],
                      [1.2667531481, -0.3102456647, -2.4425010871],
                      [-0.975662442, 0.5765910832, 1.6423978624]],
              'mean': [0.3758066771, 0.9706292186, 0.8759788523],
              'var': [0.6974874228, 0.7585975548, 0.7329787494],
              'gdata': [[0.560239883, -0.1963951997, 0.2225416563],
                        [-0.6373816251, -0.0945869359, -0.9557634624],
                        [-0.3641184059, 0.1037192618, 0.2011335722],
                        [0.4412601481, 0.1872628737, 0.5320882339]],
              'ggamma': [-0.5983441153, 2.7022259907, -1.356026843],
              'gbeta': [1.0047517104, 0.7630344704, 0.1624501962],
              'moving_mean': [0.0375806767, 0.1420629438, 0.1775979037],
              'moving_var': [1.1054546433, 1.5236709347, 1.9860303632]},
 'train_4d_fixgamma': {'out': [[[[0.1069488008, 1.3063719507], [0.311629192, -1.4199790035]],
                                [[-1.2608399403, 0.4943446209], [1.3655296052, 0.0764269696]],
                                [[-1.1933017203, -0.8041868993], [0.7416163598, 1.1795026609]]],
                               [[[-0.3293463981, -1.6689067096], [-0.8438427221, 0.9371248898]],
                                [[1.1379328143, -0.5621135119], [-1.5984457755, -0.4528347824]],
                                [[1.10412405, 0.8785002604], [-0.6555757222, -1.2506789893]]]],
                       'mean': [0.4884778236, 0.5121668587, 0.5229229287],
                       'var': [0.7507415049, 0.745228892, 0.6386505062],
                       'gdata': [[[[0.7801688684, 0.1894685496], [0.0863531634, 0.1776625042]],
                                  [[-0.9717334228, -0.6371617531],
                                   [-0.1407119009, 0.1210672256]],
                                  [[0.5077615394, 0.6363069239], [0.4208321052, 0.020762641]]],
                                 [[[-0.2097726232, -0.0688684457], [-0.3407765, -0.6142355167]],
                                  [[0.3331025882, 0.4477202762], [0.4117177692, 0.4359992176]],
                                  [[0.0129851612, -0.4065928503],
                                   [-0.6164711362, -0.5755843841]]]],
                       'ggamma': [0.0, 0.0, 0.0],
                       'gbeta': [-1.4430102308, 0.5488314383, 0.4087677459],
                       'moving_mean': [0.048847794, 0.0962166969, 0.142292303],
                       'moving_var': [1.0773267886, 1.5299614112, 2.0450734834]},
 'inference': {'out': [[0.6968903285, 2.3945760551, 1.1345976325],
                       [-1.3359863708, -1.2177470578, 1.2827597915],
                       [2.2774780637, 0.6130832002, -1.5328550398],
                       [-0.9359063632, 1.5672886575, 2.4068743257]],
               'mean': [0.0, 0.05, 0.1],
               'var': [0.9995003747, 0.8162245514, 0.7069300707],
               'gdata': [[0.9995003747, 0.780353714, 0.1802323265],
                         [-0.5045938707, -0.9613312592, -0.9930140883],
                         [-0.4900158746, 0.1902949688, 0.822406262],
                         [0.9993590817, 0.7691919117, 0.1626368927]],
               'ggamma': [-0.4800241405, 3.4808758161, -1.2187220812],
               'gbeta': [1.0047517104, 0.7630344704, 0.1624501962],
               'moving_mean': [0.0, 0.05, 0.1],
               'moving_var': [1.0, 1.5, 2.0]},
 'global_stats': {'out': [[0.6968903285, 2.3945760551, 1.1345976325],
                          [-1.3359863708, -1.2177470578, 1.2827597915],
                          [2.2774780637, 0.6130832002, -1.5328550398],
                          [-0.9359063632, 1.5672886575, 2.4068743257]],
                  'mean': [0.0, 0.05, 0.1],
                  'var': [0.9995003747, 0.8162245514, 0.7069300707],
                  'gdata': [[0.9995003747, 0.780353714, 0.1802323265],
                            [-0.5045938707, -0.9613312592, -0.9930140883],
                            [-0.4900158746, 0.1902949688, 0.822406262],
                            [0.9993590817, 0.7691919117, 0.1626368927]],
                  'ggamma': [-0.4800241405, 3.4808758161, -1.2187220812],
                  'gbeta': [1.0047517104, 0.7630344704, 0.1624501962],
                  'moving_mean': [0.0, 0.05, 0.1],
                  'moving_var': [1.0, 1.5, 2.0]},
 'infer_fwd_train_bwd': {'out': [[0.6968903285, 2.3945760551, 1.1345976325],
                                 [-1.3359863708, -1.2177470578, 1.2827597915],
                                 [2.2774780637, 0.6130832002, -1.5328550398],
                                 [-0.9359063632, 1.5672886575, 2.4068743257]],
                         'mean': [0.0, 0.05, 0.1],
                         'var': [0.9995003747, 0.8162245514, 0.7069300707],
                         'gdata': [[0.8560164234, -1.1861562123, 0.3815454909],
                                   [-0.8919134072, -0.3620294801, -0.7597885992],
                                   [-0.4439145276, -0.5108311373, 0.4491826057],
                                   [0.6600275726, -0.6097006775, 0.6379829628]],
                         'ggamma': [-0.4800241405, 3.4808758161, -1.2187220812],
                         'gbeta': [1.0047517104, 0.7630344704, 0.1624501962],
                         'moving_mean': [0.0, 0.05, 0.1],
                         'moving_var': [1.0, 1.5, 2.0]},
 'train_fwd_infer_bwd': {'out': [[0.1637619998, 1.3454704263, 0.3232408226],
                                 [-1.2548527059, -2.0118158447, 0.4768624021],
                                 [1.2667531481, -0.3102456647, -2.4425010871],
                                 [-0.975662442, 0.5765910832, 1.6423978624]],
                         'mean': [0.3758066771, 0.9706292186, 0.8759788523],
                         'var': [0.6974874228, 0.7585975548, 0.7329787494],
                         'gdata': [[0.9995003747, 0.780353714, 0.1802323265],
                                   [-0.5045938707, -0.9613312592, -0.9930140883],
                                   [-0.4900158746, 0.1902949688, 0.822406262],
                                   [0.9993590817, 0.7691919117, 0.1626368927]],
                         'ggamma': [-0.4800241405, 3.4808758161, -1.2187220812],
                         'gbeta': [1.0047517104, 0.7630344704, 0.1624501962],
                         'moving_mean': [0.0, 0.05, 0.1],
                         'moving_var': [1.0, 1.5, 2.0]},
 'axis_last': {'out': [[[0.0534339418, 1.5822746386, 0.7321082832, -1.8067211817],
                        [-1.32934776, 0.5490425529, 2.1486782304, 0.486058084],
                        [-1.5428799335, -1.2344583757, 1.2886425797, 2.457097992]],
                       [[-0.3601849981, -1.8724261268, -0.9338094479, 2.0112488397],
                        [0.9615717641, -0.6867222524, -2.1562854495, -0.3775665898],
                        [1.0174069856, 1.0622895634, -1.0793341959, -2.1701171442]]],
               'mean': [0.5412530966, 0.5651394042, 0.4935963321, 0.4314346484],
               'var': [0.7117220317, 0.6973699065, 0.7215946831, 0.6948741674],
               'gdata': [[[0.6112761643, 0.6250363307, 0.2778393883, -0.1658915371],
                          [-0.6461419848, -0.8442725717, -0.4123513858, 0.3363917473],
                          [0.5957337289, 0.86734493, 0.9194858714, 0.0051559513]],
                         [[-0.4326735594, -0.8219045981, -0.9419534285, -0.6938080552],
                          [-0.0379933533, 0.673702121, 1.1258258303, 1.1402689232],
                          [-0.0902009957, -0.499906212, -0.9688462757, -0.6221170295]]],
               'ggamma': [0.7614905907, 0.1143667205, -0.1434257304, 1.274531836],
               'gbeta': [0.6537969658, 0.1330084438, -0.4503360276, -0.8218804285],
               'moving_mean': [0.1082506129, 0.1530278747, 0.1787192617, 0.2062869263],
               'moving_var': [1.1948271085, 1.6112457964, 1.9840971514, 2.4142052227]},
 'float16': {'out': [[[0.4289550781, 1.6171875], [-0.0475769043, -2.40625]],
                     [[-1.017578125, 0.7358398438], [1.2890625, -0.4780273438]],
                     [[-1.2412109375, -0.7875976562], [0.478515625, 1.1787109375]],
                     [[-0.0038337708, -1.33203125], [-1.62109375, 0.8051757812]]],
             'mean': [0.0527038574, 1.1186523438],
             'var': [0.7445888519, 0.8178287745],
             'gdata': [[[0.6391601562, 0.2990722656], [0.3103027344, 0.0137252808]],
                       [[-0.6064453125, -0.8447265625], [-0.5874023438, 0.3989257812]],
                       [[0.7036132812, 0.8076171875], [0.8198242188, 0.0889892578]],
                       [[-0.4323730469, -0.5668945312], [-0.552734375, -0.4916992188]]],
             'ggamma': [1.4905411005, 1.6309030056],
             'gbeta': [0.1938476562, -1.1376953125],
             'moving_mean': [0.005270387, 0.156865254],
             'moving_var': [1.0802711248, 1.4994117022]}}


@pytest.mark.parametrize("name", list(BN_SCENARIOS))
def test_batchnorm_matches_mxnet_recording(name):
    got = _bn_run(**BN_SCENARIOS[name])
    tol = 2e-2 if name == "float16" else 1e-8
    for key, expected in RECORDED_BN[name].items():
        np.testing.assert_allclose(got[key], np.array(expected), rtol=tol, atol=tol,
                                   err_msg=f"{name} {key}")


def _reference_train(x, gamma, beta, eps=EPS, axis=1):
    """Training forward from first principles: per-channel batch mean and biased var."""
    red = tuple(i for i in range(x.ndim) if i != axis)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    mean, var = x.mean(axis=red), x.var(axis=red)
    out = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * \
        gamma.reshape(shape) + beta.reshape(shape)
    return out, mean, var


def test_batchnorm_moving_stats_update_in_backward_not_forward():
    x, og, gamma, beta, mm, mv = _bn_arrays((6, 3, 2))
    sym = mx.sym.BatchNorm(mx.sym.var("x"), name="bn", fix_gamma=False, momentum=0.7)
    ex = sym.simple_bind(mx.cpu(), x=x.shape, type_dict={"x": "float64"})
    ex.copy_params_from({"x": x, "bn_gamma": gamma, "bn_beta": beta},
                        {"bn_moving_mean": mm, "bn_moving_var": mv})
    out = ex.forward(is_train=True)[0].asnumpy()
    expected, mean, var = _reference_train(x, gamma, beta)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(ex.aux_dict["bn_moving_mean"].asnumpy(), mm)  # not yet
    ex.backward(mx.nd.array(og, dtype="float64"))
    m = float(np.float32(0.7))  # MXNet's momentum is a float32 parameter
    np.testing.assert_allclose(ex.aux_dict["bn_moving_mean"].asnumpy(), m * mm + (1 - m) * mean,
                               rtol=1e-12)
    np.testing.assert_allclose(ex.aux_dict["bn_moving_var"].asnumpy(), m * mv + (1 - m) * var,
                               rtol=1e-12)
    # inference uses the moving statistics
    new_mm, new_mv = ex.aux_dict["bn_moving_mean"].asnumpy(), ex.aux_dict["bn_moving_var"].asnumpy()
    out = ex.forward(is_train=False)[0].asnumpy()
    ref = (x - new_mm.reshape(1, 3, 1)) / np.sqrt(new_mv.reshape(1, 3, 1) + EPS) * \
        gamma.reshape(1, 3, 1) + beta.reshape(1, 3, 1)
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)


def test_batchnorm_no_update_with_global_stats_or_without_backward_node():
    x, og, gamma, beta, mm, mv = _bn_arrays((4, 3))
    for kwargs, grad_req in [({"use_global_stats": True}, "write"), ({}, "null")]:
        sym = mx.sym.BatchNorm(mx.sym.var("x"), name="bn", **kwargs)
        ex = sym.simple_bind(mx.cpu(), x=x.shape, grad_req=grad_req)
        ex.copy_params_from({"x": x, "bn_gamma": gamma, "bn_beta": beta},
                            {"bn_moving_mean": mm, "bn_moving_var": mv})
        ex.forward(is_train=True)
        ex.backward(mx.nd.array(og))
        np.testing.assert_allclose(ex.aux_dict["bn_moving_mean"].asnumpy(), mm, rtol=1e-7)
        np.testing.assert_allclose(ex.aux_dict["bn_moving_var"].asnumpy(), mv, rtol=1e-7)


def test_batchnorm_head_gradient_required():
    ex = mx.sym.BatchNorm(mx.sym.var("x"), name="bn").simple_bind(mx.cpu(), x=(2, 3))
    ex.forward(is_train=True)
    with pytest.raises(MXNetError, match="head_gradient is required"):
        ex.backward()


def test_batchnorm_fix_gamma_gradient_is_zero_and_gamma_ignored():
    x, og, gamma, beta, mm, mv = _bn_arrays((4, 3))
    sym = mx.sym.BatchNorm(mx.sym.var("x"), name="bn")
    ex = sym.simple_bind(mx.cpu(), x=x.shape, type_dict={"x": "float64"})
    ex.copy_params_from({"x": x, "bn_gamma": gamma * 5, "bn_beta": beta})
    ex.grad_dict["bn_gamma"][:] = 7
    out = ex.forward(is_train=True)[0].asnumpy()
    np.testing.assert_allclose(out, _reference_train(x, np.ones(3), beta)[0], rtol=1e-12)
    ex.backward(mx.nd.array(og, dtype="float64"))
    np.testing.assert_array_equal(ex.grad_dict["bn_gamma"].asnumpy(), np.zeros(3))


@pytest.mark.parametrize("kwargs,shape", [
    ({"fix_gamma": False}, (4, 3)),
    ({"fix_gamma": False, "axis": -1, "eps": 1e-5}, (2, 3, 3)),
    ({}, (2, 3, 2, 2)),
    ({"fix_gamma": False, "use_global_stats": True}, (3, 2, 2)),
])
def test_batchnorm_numeric_gradient_training(kwargs, shape):
    axis = kwargs.get("axis", 1) % len(shape)
    x, _, gamma, beta, mm, mv = _bn_arrays(shape, axis)
    sym = mx.sym.BatchNorm(mx.sym.var("data"), mx.sym.var("gamma"), mx.sym.var("beta"),
                           name="bn", **kwargs)
    check_numeric_gradient(sym, {"data": x, "gamma": gamma, "beta": beta},
                           aux_states={"bn_moving_mean": mm, "bn_moving_var": mv},
                           dtype=np.float64)


def test_batchnorm_planned_matches_unplanned():
    x, og, gamma, beta, mm, mv = _bn_arrays((3, 2, 2))
    net = mx.sym.BatchNorm(mx.sym.var("x"), name="bn", fix_gamma=False)
    net = mx.sym.relu(net) * 2
    results = []
    for plan in (True, False):
        old, config.memory_plan = config.memory_plan, plan
        try:
            ex = net.simple_bind(mx.cpu(), x=x.shape, type_dict={"x": "float64"})
            ex.copy_params_from({"x": x, "bn_gamma": gamma, "bn_beta": beta},
                                {"bn_moving_mean": mm, "bn_moving_var": mv})
            out = ex.forward(is_train=True)[0].asnumpy()
            ex.backward(mx.nd.array(og, dtype="float64"))
            results.append([out] + [g.asnumpy() for g in ex.grad_arrays] +
                           [a.asnumpy() for a in ex.aux_arrays])
        finally:
            config.memory_plan = old
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_batchnorm_imperative_uses_moving_stats():
    x = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    out = mx.nd.BatchNorm(mx.nd.array(x), mx.nd.ones(3) * 2, mx.nd.ones(3), mx.nd.zeros(3),
                          mx.nd.ones(3), output_mean_var=True)
    # MXNet 1.9.1: fix_gamma ignores gamma=2; mean = moving mean, var = 1/sqrt(1 + eps)
    np.testing.assert_allclose(out[0].asnumpy(), x / np.sqrt(1.001) + 1, rtol=1e-6)
    np.testing.assert_allclose(out[1].asnumpy(), np.zeros(3))
    np.testing.assert_allclose(out[2].asnumpy(), np.full(3, 0.9995004), rtol=1e-6)


# ---- Dropout ------------------------------------------------------------------------------
def test_dropout_names_and_json():
    dp = mx.sym.Dropout(mx.sym.var("x"), p=0.25, name="dp")
    assert dp.list_outputs() == ["dp_output"]
    assert mx.sym.Dropout(name="dp").list_arguments() == ["dp_data"]
    assert dp.get_internals().list_outputs() == ["x", "dp_output"]
    assert dp.list_auxiliary_states() == []
    graph = json.loads(dp.tojson())
    assert graph["node_row_ptr"] == [0, 1, 3]
    assert graph["nodes"][1] == {"op": "Dropout", "name": "dp", "attrs": {"p": "0.25"},
                                 "inputs": [[0, 0, 0]]}


def test_dropout_inference_rules_and_errors():
    sym = mx.sym.Dropout(name="dp", axes=(0, 2))
    assert sym.infer_shape(dp_data=(2, 3, 4)) == ([(2, 3, 4)], [(2, 3, 4)], [])
    assert sym.infer_shape_partial(dp_data=(0, 3, 4))[1] == [(0, 3, 4)]
    assert mx.sym.Dropout(name="dp").infer_type(dp_data="float16")[1] == [np.float16]
    with pytest.raises(MXNetError, match=r"index = 3 must be in range \[0, 2\)"):
        mx.sym.Dropout(name="dp", axes=(3,)).infer_shape(dp_data=(2, 3))
    with pytest.raises(MXNetError, match=r"value 1.5 for Parameter p exceed bound \[0,1\]"):
        mx.sym.Dropout(p=1.5)
    with pytest.raises(MXNetError, match="valid values"):
        mx.sym.Dropout(mode="sometimes")


def _dropout_exec(shape=(4, 1000), dtype="float32", **kwargs):
    sym = mx.sym.Dropout(mx.sym.var("x"), name="dp", **kwargs)
    ex = sym.simple_bind(mx.cpu(), x=shape, type_dict={"x": dtype})
    ex.arg_dict["x"][:] = 1
    return ex


@pytest.mark.parametrize("p", [0.25, 0.5, 0.8])
def test_dropout_mask_statistics_and_scaling(p):
    mx.random.seed(11)
    ex = _dropout_exec(p=p)
    out = ex.forward(is_train=True)[0].asnumpy()
    scale = np.float32(1) / (np.float32(1) - np.float32(p))
    assert set(np.unique(out)) <= {0.0, scale}
    assert abs((out == 0).mean() - p) < 0.03  # 4000 draws: 5 standard deviations or more
    assert abs(out.mean() - 1) < 0.1          # the expected sum is unchanged
    ex.backward(mx.nd.full((4, 1000), 2.0))
    np.testing.assert_array_equal(ex.grad_dict["x"].asnumpy(), 2 * out)


def test_dropout_float64_scale_is_float32_like_mxnet():
    mx.random.seed(3)
    out = _dropout_exec((2, 50), "float64", p=0.3).forward(is_train=True)[0].asnumpy()
    assert set(np.unique(out)) == {0.0, 1.4285714626312256}  # MXNet 1.9.1's float64 value


def test_dropout_inference_is_identity_and_gradient_passes_through():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    ex = mx.sym.Dropout(mx.sym.var("x"), name="dp").simple_bind(mx.cpu(), x=(2, 3))
    out = ex.forward(is_train=False, x=x)[0].asnumpy()
    np.testing.assert_array_equal(out, x)
    ex.backward(mx.nd.full((2, 3), 3.0))  # MXNet 1.9.1: the head gradient, unchanged
    np.testing.assert_array_equal(ex.grad_dict["x"].asnumpy(), np.full((2, 3), 3.0))
    np.testing.assert_array_equal(mx.nd.Dropout(mx.nd.array(x)).asnumpy(), x)


def test_dropout_always_mode_applies_in_inference():
    mx.random.seed(5)
    ex = _dropout_exec((2, 400), mode="always")
    out = ex.forward(is_train=False)[0].asnumpy()
    assert set(np.unique(out)) == {0.0, 2.0}
    ex.backward(mx.nd.ones((2, 400)))
    np.testing.assert_array_equal(ex.grad_dict["x"].asnumpy(), out)


def test_dropout_axes_share_one_decision():
    mx.random.seed(2)
    out = _dropout_exec((3, 200), axes=(1,)).forward(is_train=True)[0].asnumpy()
    assert np.all(out == out[:, :1])  # one decision per row, MXNet's variational dropout
    out = _dropout_exec((200, 3), axes=(1,)).forward(is_train=True)[0].asnumpy()
    assert 0 < (out[:, 0] == 0).mean() < 1


def test_dropout_p_edges():
    mx.random.seed(1)
    np.testing.assert_array_equal(_dropout_exec(p=0.0).forward(is_train=True)[0].asnumpy(),
                                  np.ones((4, 1000)))
    assert np.isnan(_dropout_exec(p=1.0).forward(is_train=True)[0].asnumpy()).all()  # as MXNet


def test_dropout_seed_reproduces_mask():
    outs = []
    for _ in range(2):
        mx.random.seed(42)
        outs.append(_dropout_exec().forward(is_train=True)[0].asnumpy())
    np.testing.assert_array_equal(outs[0], outs[1])


@pytest.fixture
def fixed_dropout_rng(monkeypatch):
    """Every forward pass draws the same mask (the numeric checker runs forward many times)."""
    monkeypatch.setattr(executor_module, "_rng", lambda: np.random.default_rng(7))


@pytest.mark.parametrize("kwargs", [{"p": 0.5, "mode": "always"},
                                    {"p": 0.3, "mode": "always", "axes": (0,)},
                                    {"p": 0.4}])
def test_dropout_numeric_gradient(fixed_dropout_rng, kwargs):
    x = np.random.default_rng(0).uniform(-1, 1, (3, 4, 2))
    sym = mx.sym.Dropout(mx.sym.var("x"), **kwargs)
    check_numeric_gradient(sym, {"x": x}, dtype=np.float64)


def test_dropout_planned_matches_unplanned(fixed_dropout_rng):
    net = mx.sym.Dropout(mx.sym.tanh(mx.sym.var("x")), p=0.5) * 3
    x = np.random.default_rng(1).uniform(-1, 1, (4, 5))
    for a, b in zip(*planned_and_unplanned(net, x)):
        np.testing.assert_array_equal(a, b)


def test_dropout_second_order_gradient():
    """_backward_Dropout is linear in the head gradient and differentiable again."""
    x = mx.sym.var("x")
    first = mx.sym.Dropout(x * x, p=0.5, mode="always").gradient("x")
    second = first.gradient("x")
    mx.random.seed(9)
    value = second.eval(x=mx.nd.array(np.ones((3, 4)), dtype="float64"))[0].asnumpy()
    assert set(np.unique(value)) <= {0.0, 4.0}


def test_monitor_names_match_mxnet():
    # MXNet 1.9.1: the names set_monitor_callback reports for forward + backward
    for sym, expected in [
            (mx.sym.BatchNorm(mx.sym.var("d"), name="bn"),
             ["bn_output", "bn_mean", "bn_var", "bn_backward_output0", "bn_backward_output1",
              "bn_backward_output2"]),
            (mx.sym.Dropout(mx.sym.var("d"), name="dp"),
             ["dp_output", "dp_mask", "dp_backward_output"])]:
        ex = sym.simple_bind(mx.cpu(), d=(2, 3))
        seen = []
        ex.set_monitor_callback(
            lambda name, arr: seen.append(name.decode() if isinstance(name, bytes) else name))
        ex.forward(is_train=True)
        ex.backward(mx.nd.ones((2, 3)))
        assert [n for n in seen if not n.startswith("_head_grad")] == expected


def test_batchnorm_default_eps_is_float32_like_mxnet():
    # MXNet 1.9.1: moving_var 0, data 1 -> 31.622775850683176 = 1/sqrt(float32(1e-3)),
    # while an explicit eps=1e-3 gives 31.622776601683796
    x, one, zero = mx.nd.ones((2, 1), dtype="float64"), mx.nd.ones(1, dtype="float64"), \
        mx.nd.zeros(1, dtype="float64")
    assert mx.nd.BatchNorm(x, one, zero, zero, zero).asnumpy()[0, 0] == 31.622775850683176
    assert mx.nd.BatchNorm(x, one, zero, zero, zero, eps=1e-3).asnumpy()[0, 0] == \
        31.622776601683796
