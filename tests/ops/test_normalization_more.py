"""InstanceNorm, LayerNorm, GroupNorm, L2Normalization and LRN: values and gradients recorded
from the reference MXNet 1.9.1, hidden outputs, shape/type inference (partial and errors),
parameters and runtime errors. The forward references and numeric gradients of every input are
in cases_normalization.py (run by test_op_contract.py)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import symnet as mx
from symnet.base import MXNetError
from symnet.ops.registry import get_op

F32 = lambda v: float(np.float32(v))  # noqa: E731  (MXNet's C-float defaults)


def seq(shape, a=1.3, b=0.2) -> np.ndarray:
    """The oracle snippet's deterministic inputs."""
    return np.sin(np.arange(int(np.prod(shape))) * a + b).reshape(shape).round(3)


# ---- oracle records -----------------------------------------------------------------------
# Recorded with MXNet 1.9.1 (float32, CPU build with oneDNN) by this snippet, once per entry
# (op, data shape, gamma shape, attrs); "hidden X" comes from a monitor on a forward-only
# executor, the rest from an executor bound with gradients:
#
#   d = mx.sym.var('data'); args = {'data': mx.nd.array(seq(shape))}; ins = [d]
#   if gshape is not None:
#       ins += [mx.sym.var('gamma'), mx.sym.var('beta')]
#       args['gamma'] = mx.nd.array(1 + 0.5 * seq(gshape, 0.9, 0.1))
#       args['beta'] = mx.nd.array(seq(gshape, 1.7, 0.5))
#   s = getattr(mx.sym, op)(*ins, name='n', **attrs)
#   mexe = s.bind(mx.cpu(), args)
#   mon = mx.mon.Monitor(1, stat_func=lambda a: a, monitor_all=True, pattern='n_.*')
#   mon.install(mexe); mon.tic(); mexe.forward(is_train=True); print(mon.toc())
#   grads = {k: mx.nd.zeros(v.shape) for k, v in args.items()}
#   exe = s.bind(mx.cpu(), args, args_grad=grads)
#   outs = exe.forward(is_train=True)
#   exe.backward([mx.nd.array(np.cos(np.arange(o.size) * 0.7).reshape(o.shape)) for o in outs])
#   print(outs, grads)
#
# The head gradients of LayerNorm's/GroupNorm's mean and std outputs are not zero: MXNet
# ignores them. LRN's tmp_norm is not recorded (oneDNN leaves MXNet's buffer unwritten).
ORACLE = [
    ('InstanceNorm', (2, 3, 4), (3,), {}, {
        "out0": [0.5125008, 1.800866, 0.7320718, -1.129439, -1.332948, 1.296228, 2.599656,
                 0.6690644, -2.414223, -1.841632, 0.429962, 1.073893, 0.6417205, -0.8431568,
                 0.070742, 2.046694, 2.994235, 0.5274918, -0.9750381, 0.6853114, 0.9125662,
                 0.5791737, -1.682997, -2.560743],
        "hidden mean": [0.17825, 0.18625, -0.0035, -0.18975, -0.17425, 0.02625],
        "hidden var": [0.4219667, 0.4040737, 0.6146232, 0.3968571, 0.4307237, 0.6105621],
        "grad data": [1.01403, -0.2615876, -0.4787472, -0.2736947, -0.4969848, -0.9608674,
                      -0.2013559, 1.659208, -0.3180818, 0.2738202, 0.4897772, -0.4455156,
                      0.2818761, 0.0187054, -0.2294809, -0.0711005, -0.0711801, 0.0992692,
                      -0.1034442, 0.0753552, 0.5566336, -0.5452235, -0.2444464, 0.2330366],
        "grad gamma": [2.573755, -0.6998145, 0.5718637],
        "grad beta": [-1.44301, 0.5488315, 0.4087677],
    }),
    ('InstanceNorm', (1, 2, 2, 2), (2,), {'eps': 0.1}, {
        "out0": [0.5091569, 1.668924, 0.7068114, -0.9688922, -1.111226, 1.245665, 2.414107,
                 0.6834529],
        "hidden mean": [0.17825, 0.18625],
        "hidden var": [0.4219667, 0.4040737],
        "grad data": [0.9167916, -0.0785278, -0.4009129, -0.4373509, -0.5138661, -0.8457708,
                      -0.123304, 1.482941],
        "grad gamma": [1.628518, 0.4138273],
        "grad beta": [1.429963, -2.182427],
    }),
    ('LayerNorm', (2, 3, 4), (4,), {'output_mean_var': True}, {
        "out0": [0.51254, 2.598393, -0.3325602, -2.421528, -1.105475, 1.296825, 1.172148,
                 -0.7453301, -0.752496, -0.30541, 0.4308619, 0.7666008, 0.6419234, -0.9829187,
                 -1.261442, 1.114299, 2.096869, 0.5271696, -2.539061, -0.7319528, 1.620858,
                 2.031, -1.683804, -2.116539],
        "out1": [0.17825, 0.18625, -0.0035, -0.18975, -0.17425, 0.02625],
        "out2": [0.6495973, 0.6356758, 0.7839855, 0.6299739, 0.6563031, 0.7813911],
        "grad data": [0.8955434, -0.1675137, -0.5261697, -0.2018596, -0.3852668, -0.9958047,
                      -0.0760238, 1.457095, -0.4630144, 0.4352609, 0.5374257, -0.5096723,
                      0.5682561, 0.0364162, -0.4573377, -0.1473346, -0.0062118, 0.166873,
                      -0.0244445, -0.1362167, 0.5395076, -0.4819548, -0.4107373, 0.3531845],
        "grad gamma": [0.9250735, 0.4380978, -0.2549536, 1.34036],
        "grad beta": [0.6537969, 0.1330084, -0.450336, -0.8218805],
    }),
    ('LayerNorm', (2, 3, 2), (3,), {'axis': 1}, {
        "out0": [1.072022, 1.593711, 2.001815, -1.095382, -2.757863, -0.2780517, 1.459934,
                 0.4409221, -1.161618, -0.9053994, -0.0216977, 1.142143],
        "grad data": [1.145406, 0.9637161, -1.004713, 0.4664717, -0.1406929, -1.430188,
                      -0.7423013, -0.6867942, -0.1945027, 0.3586775, 0.9368042, 0.3281168],
        "grad gamma": [0.9119855, -1.462092, 1.594973],
        "grad beta": [1.461094, 1.440546, -0.9714029],
    }),
    ('GroupNorm', (2, 4, 3), (2,), {'num_groups': 2, 'output_mean_var': True}, {
        "out0": [0.7066033, 1.990189, 0.9253597, -0.9292448, -0.8568622, 1.037955, 2.363131,
                 0.6938177, -1.326727, -0.7381253, 1.596984, 2.25892, 0.3908997, -1.055459,
                 -0.1652674, 1.759427, 1.897253, 0.0471463, -0.7497773, 0.7244962, 2.849523,
                 2.509749, 0.2042774, -0.6902688],
        "out1": [0.0575, 0.1831667, -0.0376667, -0.1875],
        "out2": [0.6527807, 0.7360705, 0.6475571, 0.7399876],
        "grad data": [1.567996, 0.282895, 0.0783346, 0.303167, -0.4514924, -1.7809, -0.9260107,
                      -0.4628854, -0.3464035, 0.3836678, 1.088152, 0.2634798, -0.3018233,
                      -0.4863486, -0.7722991, -0.7135972, 0.3380289, 1.936039, 2.017565,
                      1.592116, 0.5257952, -0.7764811, -1.686744, -1.672251],
        "grad gamma": [4.137588, -2.432784],
        "grad beta": [-2.332614, 1.847203],
    }),
    ('GroupNorm', (2, 3, 2, 2), (1,), {'eps': 0.01}, {
        "out0": [0.5960602, 1.783527, 0.7984354, -0.9172902, -0.8503277, 0.9025992, 1.771623,
                 0.4844562, -1.073536, -0.6196795, 1.180865, 1.691268, 0.5095935, -0.8162079,
                 -0.0002158, 1.764051, 1.890389, 0.1944928, -0.8385028, 0.3029944, 1.948356,
                 1.685276, -0.0997994, -0.7924266],
        "grad data": [1.241986, 0.8239946, -0.0047473, -0.9105626, -1.56524, -1.657136,
                      -1.042984, 0.0378697, 1.003715, 1.31146, 0.842259, -0.0806148, -0.4758784,
                      -0.9718263, -1.032804, -0.5441127, 0.4509996, 1.497782, 1.924648,
                      1.421867, 0.3463464, -0.6220216, -1.055707, -0.939292],
        "grad gamma": [1.3859],
        "grad beta": [-0.4854112],
    }),
    ('L2Normalization', (2, 3, 4), None, {}, {
        "out0": [0.0810488, 0.4060585, 0.1364389, -0.3331554, -0.3148277, 0.1649486, 0.4028003,
                 0.0505028, -0.3759198, -0.2516993, 0.24111, 0.3808072, -0.0374939, -0.4010217,
                 -0.177281, 0.3064719, 0.341113, -0.1238929, -0.4071349, -0.0941423, 0.3570072,
                 0.2848721, -0.2045863, -0.3945011],
        "hidden norm": [2.455311, 2.453732],
        "grad data": [0.3995535, 0.2727932, 0.0562167, -0.1738522, -0.3537342, -0.397126,
                      -0.238075, 0.0711481, 0.3517114, 0.4312188, 0.2840631, 0.0261615,
                      -0.2059767, -0.3257483, -0.3524479, -0.2400284, 0.031281, 0.3390445,
                      0.4687226, 0.3169018, 0.0018767, -0.2604272, -0.3575098, -0.3171184],
    }),
    ('L2Normalization', (2, 3, 4), None, {'mode': 'channel'}, {
        "out0": [0.1630787, 0.8034164, 0.2790882, -0.655192, -0.6334664, 0.3263628, 0.8239349,
                 0.09932, -0.7563899, -0.4980054, 0.4931946, 0.7489052, -0.0757154, -0.7905533,
                 -0.362597, 0.6028768, 0.688846, -0.244236, -0.8327227, -0.1851922, 0.7209427,
                 0.561582, -0.4184452, -0.7760435],
        "hidden norm": [1.22027, 1.240951, 1.200338, 1.248489, 1.215076, 1.244698, 1.199679,
                        1.247353],
        "grad data": [0.7963287, 0.7387453, 0.138039, -0.1607811, -0.6821714, -0.7049035,
                      -0.4189472, 0.1124657, 0.7429989, 0.7298433, 0.6217833, -0.1555772,
                      -0.4100647, -0.5978044, -0.8046155, -0.5228153, 0.0096182, 0.6820789,
                      0.7663636, 0.6389505, -0.0522562, -0.5449035, -0.8278674, -0.5586308],
    }),
    ('L2Normalization', (2, 3, 2, 2), None, {'mode': 'spatial'}, {
        "out0": [0.1477133, 0.7400511, 0.2486631, -0.6071834, -0.5834916, 0.3057103, 0.7465371,
                 0.0936002, -0.5886577, -0.3941392, 0.3775573, 0.596311, -0.069917, -0.7478083,
                 -0.330586, 0.5714957, 0.616317, -0.2238475, -0.7356042, -0.1700947, 0.5602272,
                 0.4470306, -0.3210435, -0.6190639],
        "hidden norm": [1.347204, 1.324783, 1.567974, 1.315845, 1.358067, 1.563651],
        "grad data": [0.6257771, -0.0159497, -0.0699567, 0.1041469, -0.7486854, -0.6872499,
                      -0.3221438, 0.1467958, 0.3164798, 0.5183946, 0.5950757, 0.2782822,
                      -0.353153, -0.2764787, -0.5109199, -0.7005257, 0.5635318, 0.4284312,
                      0.241734, 0.4326441, -0.1691222, -0.5459711, -0.4624112, -0.3074943],
    }),
    ('L2Normalization', (4,), None, {}, {
        "out0": [1, 1, 1, -1],
        "hidden norm": [0.199, 0.997, 0.335, 0.818],
        "grad data": [0, 0, 0, 0],
    }),
    ('LRN', (1, 5, 2, 2), None, {'nsize': 3, 'alpha': 0.1, 'beta': 0.75, 'knorm': 2}, {
        "out0": [0.1173924, 0.5843808, 0.1965198, -0.4822652, -0.451255, 0.2362806, 0.5776896,
                 0.0723262, -0.5390254, -0.3606599, 0.3454713, 0.5460521, -0.0536599,
                 -0.5747565, -0.2537899, 0.4389743, 0.4933174, -0.1783994, -0.5853436,
                 -0.1363004],
        "grad data": [0.5872697, 0.4427516, 0.1017488, -0.2924485, -0.5476668, -0.5450314,
                      -0.2866221, 0.1077476, 0.4537075, 0.5829604, 0.4368784, 0.0921147,
                      -0.3035287, -0.5525234, -0.5438062, -0.2734153, 0.1170092, 0.4642928,
                      0.5770211, 0.4365004],
    }),
    ('LRN', (2, 4, 1, 2), None, {'nsize': 4, 'alpha': 0.5, 'beta': 0.5, 'knorm': 1}, {
        "out0": [0.1971381, 0.9071543, 0.3203331, -0.7380476, -0.7024416, 0.3850921, 0.9039766,
                 0.1226326, -0.86059, -0.5745373, 0.5517173, 0.8270611, -0.0890014, -0.862694,
                 -0.429723, 0.6888596],
        "grad data": [0.984593, 0.5865297, 0.1294531, -0.3990907, -0.8343738, -0.8904073,
                      -0.4699067, 0.1891625, 0.6978607, 0.8988535, 0.7156063, 0.1086475,
                      -0.493224, -0.7751923, -0.895571, -0.4688437],
    }),
]


def _bind_record(op, shape, gshape, attrs):
    args = {"data": mx.nd.array(seq(shape))}
    ins = [mx.sym.var("data")]
    if gshape is not None:
        ins += [mx.sym.var("gamma"), mx.sym.var("beta")]
        args["gamma"] = mx.nd.array(1 + 0.5 * seq(gshape, 0.9, 0.1))
        args["beta"] = mx.nd.array(seq(gshape, 1.7, 0.5))
    sym = getattr(mx.sym, op)(*ins, name="n", **attrs)
    grads = {k: mx.nd.zeros(v.shape) for k, v in args.items()}
    return sym.bind(mx.cpu(), args, args_grad=grads), grads


@pytest.mark.parametrize("record", ORACLE, ids=lambda r: f"{r[0]}-{r[1]}-{r[3]}")
def test_oracle_forward_backward_and_hidden(record):
    op, shape, gshape, attrs, expected = record
    exe, grads = _bind_record(op, shape, gshape, attrs)
    seen = {}
    exe.set_monitor_callback(lambda name, arr: seen.__setitem__(name.decode(), arr.asnumpy()))
    outs = exe.forward(is_train=True)
    exe.backward([mx.nd.array(np.cos(np.arange(o.size) * 0.7).reshape(o.shape)) for o in outs])
    assert len(outs) == sum(k.startswith("out") for k in expected)
    for key, values in expected.items():
        kind, name = key[:3], key.split()[-1]
        if kind == "out":
            actual = outs[int(key[3:])].asnumpy()
        elif kind == "gra":
            actual = grads[name].asnumpy()
        else:
            actual = seen["n_" + name]
        np.testing.assert_allclose(actual.ravel(), values, rtol=1e-5, atol=2e-6, err_msg=key)


def test_oracle_small_examples():
    # oracle: mx.nd.InstanceNorm(mx.nd.array([[[1.1, 2.2]], [[3.3, 4.4]]]), mx.nd.array([1.5]),
    #     mx.nd.array([0.5]))  (the docstring example)
    out = mx.nd.InstanceNorm(mx.nd.array([[[1.1, 2.2]], [[3.3, 4.4]]]), mx.nd.array([1.5]),
                             mx.nd.array([0.5]))
    np.testing.assert_allclose(out.asnumpy().ravel(),
                               [-0.997527, 1.99752665, -0.99752653, 1.99752724], rtol=1e-5)
    # oracle: mx.nd.LayerNorm(mx.nd.array([[1, 2, 4]], dtype='float16'), ones(3), zeros(3))
    f16 = dict(dtype="float16")
    out = mx.nd.LayerNorm(mx.nd.array([[1, 2, 4]], **f16), mx.nd.ones((3,), **f16),
                          mx.nd.zeros((3,), **f16))
    assert out.dtype == np.float16  # MXNet rounds these 1 ulp away from the exact result
    np.testing.assert_allclose(out.asnumpy(), [[-1.068, -0.267, 1.337]], rtol=2e-3)
    # oracle: mx.nd.GroupNorm(mx.nd.array([[[1, 2]], [[3, 5]]], dtype='float64'), ones(1),
    #     zeros(1)) -> [[[-0.99998, 0.99998]], [[-0.999995, 0.999995]]]
    f64 = dict(dtype="float64")
    out = mx.nd.GroupNorm(mx.nd.array([[[1, 2]], [[3, 5]]], **f64), mx.nd.ones((1,), **f64),
                          mx.nd.zeros((1,), **f64))
    np.testing.assert_allclose(out.asnumpy().ravel(), [-0.99998, 0.99998, -0.999995, 0.999995],
                               rtol=1e-6)
    # oracle: mx.nd.L2Normalization(mx.nd.array([3, 4])) -> [1, 1] (a 1-D array is N instances)
    assert mx.nd.L2Normalization(mx.nd.array([3, 4])).asnumpy().tolist() == [1, 1]
    # oracle: LRN(ones((1,2,1,1)), nsize=0) -> zeros; nsize=3, beta=0 -> ones
    assert mx.nd.LRN(mx.nd.ones((1, 2, 1, 1)), nsize=0).asnumpy().ravel().tolist() == [0, 0]
    assert mx.nd.LRN(mx.nd.ones((1, 2, 1, 1)), nsize=3, beta=0).asnumpy().ravel().tolist() == \
        [1, 1]


# ---- structure ----------------------------------------------------------------------------
def _sym(op, **attrs):
    ins = [mx.sym.var("data")]
    if op in ("InstanceNorm", "LayerNorm", "GroupNorm"):
        ins += [mx.sym.var("gamma"), mx.sym.var("beta")]
    return getattr(mx.sym, op)(*ins, name="n", **attrs)


@pytest.mark.parametrize("op, attrs, outputs, hidden, row_ptr", [
    # oracle: s.list_outputs(), json.loads(s.tojson())['node_row_ptr'][-1]
    ("InstanceNorm", {}, ["n_output"], ["output", "mean", "var"], 6),
    ("LayerNorm", {}, ["n_output"], ["output", "mean", "std"], 6),
    ("LayerNorm", {"output_mean_var": True}, ["n_output", "n_mean", "n_std"],
     ["output", "mean", "std"], 6),
    ("GroupNorm", {"output_mean_var": True}, ["n_output", "n_mean", "n_std"],
     ["output", "mean", "std"], 6),
    ("L2Normalization", {}, ["n_output"], ["output", "norm"], 3),
    ("LRN", {"nsize": 3}, ["n_output"], ["output", "tmp_norm"], 3),
])
def test_outputs_and_hidden_outputs(op, attrs, outputs, hidden, row_ptr):
    sym = _sym(op, **attrs)
    assert sym.list_outputs() == outputs
    assert sym.list_auxiliary_states() == []
    opdef = get_op(op)
    assert opdef.list_outputs(opdef.parse(attrs)) == hidden
    assert json.loads(sym.tojson())["node_row_ptr"][-1] == row_ptr


def test_nd_returns_visible_outputs_only():
    x = mx.nd.array(seq((2, 4, 3, 3)))
    assert isinstance(mx.nd.L2Normalization(x), mx.nd.NDArray)
    assert isinstance(mx.nd.LRN(x, nsize=3), mx.nd.NDArray)
    assert isinstance(mx.nd.InstanceNorm(x, mx.nd.ones((4,)), mx.nd.zeros((4,))), mx.nd.NDArray)
    outs = mx.nd.LayerNorm(x, mx.nd.ones((3,)), mx.nd.zeros((3,)), output_mean_var=True)
    assert [o.shape for o in outs] == [(2, 4, 3, 3), (2, 4, 3, 1), (2, 4, 3, 1)]


# ---- shape inference ------------------------------------------------------------------------
@pytest.mark.parametrize("op, attrs, data, args, outs", [
    # oracle: s.infer_shape(data=...) for the visible outputs
    ("InstanceNorm", {}, (2, 4, 3, 3), [(4,), (4,)], [(2, 4, 3, 3)]),
    ("InstanceNorm", {}, (2, 3), [(3,), (3,)], [(2, 3)]),
    ("LayerNorm", {"output_mean_var": True}, (2, 4, 3, 3), [(3,), (3,)],
     [(2, 4, 3, 3), (2, 4, 3, 1), (2, 4, 3, 1)]),
    ("LayerNorm", {"axis": 0, "output_mean_var": True}, (2, 3, 4), [(2,), (2,)],
     [(2, 3, 4), (1, 3, 4), (1, 3, 4)]),
    ("LayerNorm", {}, (5,), [(5,), (5,)], [(5,)]),
    ("GroupNorm", {"num_groups": 2, "output_mean_var": True}, (2, 4, 3, 3), [(2,), (2,)],
     [(2, 4, 3, 3), (2, 2), (2, 2)]),
    ("GroupNorm", {"output_mean_var": True}, (2, 4, 3, 5), [(1,), (1,)],
     [(2, 4, 3, 5), (2, 1), (2, 1)]),
    ("L2Normalization", {}, (5,), [], [(5,)]),
    ("LRN", {"nsize": 3}, (2, 3, 4, 5, 6), [], [(2, 3, 4, 5, 6)]),
])
def test_infer_shape(op, attrs, data, args, outs):
    arg_shapes, out_shapes, aux = _sym(op, **attrs).infer_shape(data=data)
    assert arg_shapes == [data] + args and out_shapes == outs and aux == []


@pytest.mark.parametrize("op, attrs, data, hidden", [
    # oracle: monitor shapes of the hidden outputs (data (2,4,3))
    ("InstanceNorm", {}, (2, 4, 3), [(2, 4), (2, 4)]),
    ("L2Normalization", {}, (2, 4, 3), [(2,)]),
    ("L2Normalization", {"mode": "channel"}, (2, 4, 3), [(2, 1, 3)]),
    ("L2Normalization", {"mode": "spatial"}, (2, 4, 3), [(2, 4)]),
    ("LRN", {"nsize": 3}, (2, 4, 3, 3), [(2, 4, 3, 3)]),
])
def test_hidden_output_shapes(op, attrs, data, hidden):
    opdef = get_op(op)
    params = opdef.parse(attrs)
    n_in = len(opdef.input_names(params))
    _, outs = opdef.shapes(params, [data] + [None] * (n_in - 1), [None] * (1 + len(hidden)))
    assert outs == [data] + hidden


@pytest.mark.parametrize("op, attrs, given, args, outs", [
    # oracle: infer_shape_partial (0 = unknown dim; () = unknown shape)
    ("LayerNorm", {}, {"data": (2, 4, 0, 3)}, [(2, 4, 0, 3), (3,), (3,)], [(2, 4, 0, 3)]),
    ("LayerNorm", {}, {"data": (2, 0, 3)}, [(2, 0, 3), (3,), (3,)], [(2, 0, 3)]),
    ("LayerNorm", {}, {}, [(), (), ()], [()]),
    ("LayerNorm", {}, {"gamma": (4,)}, [(), (4,), ()], [()]),
    ("InstanceNorm", {}, {"data": (2, 0, 3)}, [(2, 0, 3), (0,), (0,)], [(2, 0, 3)]),
    ("InstanceNorm", {}, {"data": (0, 4, 3)}, [(0, 4, 3), (4,), (4,)], [(0, 4, 3)]),
    ("GroupNorm", {}, {"data": (2, 0, 3)}, [(2, 0, 3), (1,), (1,)], [(2, 0, 3)]),
    ("GroupNorm", {}, {"gamma": (4,)}, [(), (4,), ()], [()]),
    ("L2Normalization", {}, {"data": (2, 4, 0, 3)}, [(2, 4, 0, 3)], [(2, 4, 0, 3)]),
])
def test_infer_shape_partial(op, attrs, given, args, outs):
    arg_shapes, out_shapes, _ = _sym(op, **attrs).infer_shape_partial(**given)
    assert arg_shapes == args and out_shapes == outs


def test_partial_rules_fill_what_they_can():
    ln = get_op("LayerNorm")
    # the channel count flows from gamma into an unknown data dim (symnet fills; MXNet waits)
    assert ln.shapes(ln.parse({}), [(2, None), (3,), None], [None] * 3) == (
        [(2, 3), (3,), (3,)], [(2, 3), (2, 1), (2, 1)])
    lrn = get_op("LRN")  # MXNet leaves the output unknown until the data is fully known
    assert lrn.shapes(lrn.parse({"nsize": 3}), [(2, None, 3, 3)], [None, None])[1] == \
        [(2, None, 3, 3)] * 2
    l2 = get_op("L2Normalization")
    assert l2.shapes(l2.parse({"mode": "spatial"}), [None], [(2, 3, 4), None]) == (
        [(2, 3, 4)], [(2, 3, 4), (2, 3)])


@pytest.mark.parametrize("op, attrs, shapes, message", [
    # oracle: the infer_shape error of each (symnet prefixes the node name the same way)
    ("InstanceNorm", {}, {"data": (5,)},
     "Check failed: i >= 0 && i < ndim(): index = 1 must be in range [0, 1)"),
    ("LayerNorm", {"axis": 3}, {"data": (2, 3, 4)},
     "Check failed: axis >= 0 && axis < dshape.ndim(): Channel axis out of range: axis=3"),
    ("LayerNorm", {"axis": -4}, {"data": (2, 3, 4)}, "Channel axis out of range: axis=-4"),
    ("LayerNorm", {}, {"data": (2, 4, 3), "gamma": (5,)},
     "Shape inconsistent, Provided = [5], inferred shape="),
    ("LayerNorm", {}, {"data": (2, 4, 3), "beta": (5,)},
     "Shape inconsistent, Provided = [5], inferred shape="),
    ("GroupNorm", {}, {"data": (2, 3)}, "Check failed: dshape.ndim() >= 3U (2 vs. 3) :"),
    ("GroupNorm", {"num_groups": 3}, {"data": (2, 4, 3)},
     "Check failed: dshape[1] % num_groups == 0 (1 vs. 0) : # of channels must be divisible "
     "by # of groups"),
    ("L2Normalization", {"mode": "channel"}, {"data": (2, 4)},
     "Check failed: dshape.ndim() >= 3 (2 vs. 3) : At lease 3 dimensions required in channel "
     "mode"),
    ("L2Normalization", {"mode": "spatial"}, {"data": (2, 4)},
     "At lease 3 dimensions required in spatial mode"),
    # MXNet 1.9.1 silently reports the inferred gamma here and fails later, at bind
    ("InstanceNorm", {}, {"data": (2, 4, 3), "gamma": (5,)}, "Shape inconsistent"),
    ("GroupNorm", {}, {"data": (2, 4, 3), "beta": (5,)}, "Shape inconsistent"),
])
def test_infer_shape_errors(op, attrs, shapes, message):
    with pytest.raises(MXNetError) as err:
        _sym(op, **attrs).infer_shape(**shapes)
    assert message in str(err.value) and "Error in operator n: " in str(err.value)


def test_group_count_must_be_positive():
    with pytest.raises(MXNetError, match="num_groups must be positive"):
        _sym("GroupNorm", num_groups=0).infer_shape(data=(2, 4, 3))


# ---- type inference -------------------------------------------------------------------------
F16, F64 = np.float16, np.float64


@pytest.mark.parametrize("op", ["LayerNorm", "GroupNorm", "L2Normalization", "LRN"])
@pytest.mark.parametrize("dtype", ["float16", "float64", "int32", "uint8"])
def test_infer_type_follows_the_data(op, dtype):
    # oracle: s.infer_type(data=dtype): every input and output takes it (integers fail later,
    # in the forward pass)
    attrs = {"nsize": 3} if op == "LRN" else {}
    args, outs, _ = _sym(op, **attrs).infer_type(data=dtype)
    assert set(args) | set(outs) == {np.dtype(dtype).type}


def test_infer_type_gamma_and_errors():
    # oracle: LayerNorm(...).infer_type(gamma='float64') -> all float64
    assert _sym("LayerNorm").infer_type(gamma="float64")[:2] == ([F64] * 3, [F64])
    # oracle: infer_type(data='float16', gamma='float32') -> "... at 1-th input: expected
    # float16, got float32"
    for op in ("LayerNorm", "GroupNorm"):
        with pytest.raises(MXNetError, match="at 1-th input: expected float16, got float32"):
            _sym(op).infer_type(data="float16", gamma="float32")
    # oracle: InstanceNorm infer_type(data='int32') -> "... Unsupported data type 4"
    with pytest.raises(MXNetError) as err:
        _sym("InstanceNorm").infer_type(data="int32")
    assert str(err.value).endswith("Check failed: in_type->at(i) == mshadow::default_type_flag "
                                   "|| in_type->at(i) == -1: Unsupported data type 4")
    # MXNet 1.9.1 accepts float32 only ("Unsupported data type 2" for float16); symnet also
    # runs float16 and float64 (float64 for the numeric gradient checks)
    assert _sym("InstanceNorm").infer_type(data="float16")[:2] == ([F16] * 3, [F16])


# ---- runtime errors -------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    # oracle: the message of each call
    (lambda: mx.nd.InstanceNorm(mx.nd.ones((2, 2)), mx.nd.ones((2,)), mx.nd.zeros((2,))),
     "Check failed: in_data[instance_norm::kData].ndim() >= 3 (2 vs. 3) : InstanceNorm only "
     "supports input tensors of rank >= 3."),
    (lambda: mx.nd.LayerNorm(*[mx.nd.ones(s, dtype="int32") for s in ((2, 3), (3,), (3,))]),
     "This operation only support floating point types, not int32"),
    (lambda: mx.nd.GroupNorm(*[mx.nd.ones(s, dtype="int32") for s in ((2, 3, 2), (1,), (1,))]),
     "This operation only support floating point types, not int32"),
    (lambda: mx.nd.L2Normalization(mx.nd.ones((1, 2), dtype="int32")),
     "This operation only support floating point types, not int32"),
    (lambda: mx.nd.LRN(mx.nd.ones((1, 2, 1)), nsize=3),
     "Check failed: dim == ndim() (4 vs. 3) : dimension do not match target dimension 4 vs 3"),
])
def test_runtime_errors(call, message):
    with pytest.raises(MXNetError) as err:
        call().asnumpy()
    assert message in str(err.value)


# ---- parameters -----------------------------------------------------------------------------
@pytest.mark.parametrize("op, defaults", [
    # oracle: help(mx.nd.X) (C floats: eps=0.00100000005, 9.99999975e-06, 1.00000001e-10)
    ("InstanceNorm", {"eps": F32(1e-3)}),
    ("LayerNorm", {"axis": -1, "eps": F32(1e-5), "output_mean_var": False}),
    ("GroupNorm", {"num_groups": 1, "eps": F32(1e-5), "output_mean_var": False}),
    ("L2Normalization", {"eps": F32(1e-10), "mode": "instance"}),
    ("LRN", {"alpha": F32(1e-4), "beta": 0.75, "knorm": 2.0, "nsize": 5}),
])
def test_parameter_defaults(op, defaults):
    opdef = get_op(op)
    given = {"nsize": 5} if op == "LRN" else {}
    assert dict(opdef.parse(given)) == defaults


def test_parameter_errors():
    # oracle: mx.nd.LRN(mx.nd.ones((1,2,1,1)))
    with pytest.raises(MXNetError, match=r"Required parameter nsize of int \(non-negative\) is "
                                         r"not presented, in operator LRN\(name=\"\"\)"):
        mx.nd.LRN(mx.nd.ones((1, 2, 1, 1)))
    # oracle: mx.sym.L2Normalization(d, mode='foo')
    with pytest.raises(MXNetError, match=r"Invalid Input: 'foo', valid values are: "
                                         r"\{'channel', 'instance', 'spatial'\}"):
        mx.sym.L2Normalization(mx.sym.var("d"), mode="foo")
    # InstanceNorm has no output_mean_var (oracle: MXNetError naming the operator)
    with pytest.raises(MXNetError, match="Cannot find argument 'output_mean_var'"):
        mx.nd.InstanceNorm(mx.nd.ones((1, 1, 2)), mx.nd.ones((1,)), mx.nd.zeros((1,)),
                           output_mean_var=True)


def test_mean_and_std_outputs_pass_no_gradient():
    """Head gradients on LayerNorm's mean/std alone give zero input gradients."""
    exe, grads = _bind_record("LayerNorm", (2, 3), (3,), {"output_mean_var": True})
    outs = exe.forward(is_train=True)
    exe.backward([mx.nd.zeros(outs[0].shape), mx.nd.ones(outs[1].shape),
                  mx.nd.ones(outs[2].shape)])
    assert all(not g.asnumpy().any() for g in grads.values())
