"""RNN beyond the op contract: MXNet 1.9.1's recorded forward/backward numbers, the parameter
packing, names, shape/type inference and errors, the state-output gradients, dropout,
sequence lengths and cell clipping."""
from __future__ import annotations

import numpy as np
import pytest

import symnet as mx
from symnet.base import MXNetError
from symnet.test_utils import check_numeric_gradient

from .cases_rnn import (HEAD_SEEDS, INPUT_SEEDS, ORACLE, ORACLE_CONFIGS, PROJECTION,
                        param_count, pattern, projector, rnn_inputs, rnn_reference)


def _rnn(**kw):
    return mx.sym.RNN(mx.sym.Variable("data"), name="rnn", **kw)


def _key(mode, layers, bi, so) -> str:
    return f"{mode}-L{layers}-{'bi' if bi else 'uni'}-{'so' if so else 'out'}"


def _close(actual, expected, relu: bool, what: str) -> None:
    rtol, atol = (2e-6, 2e-7) if relu else (1e-8, 1e-10)
    np.testing.assert_allclose(np.ravel(actual), expected, rtol=rtol, atol=atol, err_msg=what)


# ---- MXNet's numbers -----------------------------------------------------------------------
@pytest.mark.parametrize("config", ORACLE_CONFIGS, ids=lambda c: _key(*c))
def test_forward_backward_match_mxnet(config):
    mode, layers, bi, so = config
    rec = ORACLE[_key(*config)]
    s = _rnn(state_size=4, num_layers=layers, mode=mode, bidirectional=bi, state_outputs=so)
    shapes, oshapes, _ = s.infer_shape(data=(3, 2, 3))
    vals = [pattern(sh, *sd) for sh, sd in zip(shapes, INPUT_SEEDS)]
    heads = [pattern(sh, *sd) for sh, sd in zip(oshapes, HEAD_SEEDS)]
    grads = [mx.nd.zeros(v.shape, dtype="float64") for v in vals]
    ex = s.bind(mx.cpu(), [mx.nd.array(v, dtype="float64") for v in vals], args_grad=grads)
    outs = ex.forward(is_train=True)
    assert len(outs) == len([k for k in rec if k.startswith("out")])
    relu = mode == "rnn_relu"
    for k, out in enumerate(outs):
        _close(out.asnumpy(), rec[f"out{k}"], relu, f"output {k}")
    ex.backward([mx.nd.array(h, dtype="float64") for h in heads])
    for name, grad in zip(["data", "parameters", "state", "state_cell"], grads):
        value = grad.asnumpy()
        if name == "parameters" and value.size > 150:
            _close(projector(value.size) @ value, rec["grad_parameters_proj"], relu, name)
        else:
            _close(value, rec[f"grad_{name}"], relu, name)


def test_projection_forward_matches_mxnet():
    s = _rnn(state_size=4, num_layers=2, mode="lstm", bidirectional=True, state_outputs=True,
             projection_size=2)
    shapes, _, _ = s.infer_shape(data=(3, 2, 3))
    assert shapes == PROJECTION["shapes"]
    vals = [mx.nd.array(pattern(sh, *sd), dtype="float64") for sh, sd in zip(shapes, INPUT_SEEDS)]
    for k, out in enumerate(s.bind(mx.cpu(), vals).forward()):
        _close(out.asnumpy(), PROJECTION[f"out{k}"], False, f"output {k}")


# ---- parameters, names and inference ----------------------------------------------------------
_COUNTS = {  # MXNet 1.9.1, state_size 4, input size 3: (1, uni), (1, bi), (2, ...), (3, ...)
    "lstm": [144, 288, 304, 736, 464, 1184], "gru": [108, 216, 228, 552, 348, 888],
    "rnn_tanh": [36, 72, 76, 184, 116, 296], "rnn_relu": [36, 72, 76, 184, 116, 296],
}


@pytest.mark.parametrize("mode", sorted(_COUNTS))
def test_parameter_count(mode):
    expected = iter(_COUNTS[mode])
    for layers in (1, 2, 3):
        for bi in (False, True):
            dirs = 2 if bi else 1
            s = _rnn(state_size=4, num_layers=layers, mode=mode, bidirectional=bi)
            args, outs, _ = s.infer_shape(data=(3, 2, 3))
            count = next(expected)
            assert args[1] == (count,) and count == param_count(mode, layers, bi, 3, 4)
            assert args[2] == (layers * dirs, 2, 4) and outs == [(3, 2, 4 * dirs)]
            if mode == "lstm":
                assert args[3] == (layers * dirs, 2, 4)


def test_projection_shapes():
    for (layers, bi), count in {(1, False): 120, (1, True): 240, (2, False): 224,
                                (2, True): 512}.items():
        s = _rnn(state_size=4, num_layers=layers, mode="lstm", bidirectional=bi,
                 projection_size=2, state_outputs=True)
        args, outs, _ = s.infer_shape(data=(3, 2, 3))
        dirs = 2 if bi else 1
        assert args[1:] == [(count,), (layers * dirs, 2, 2), (layers * dirs, 2, 4)]
        assert outs == [(3, 2, 2 * dirs), (layers * dirs, 2, 2), (layers * dirs, 2, 4)]


def test_names():
    for mode in ("lstm", "gru", "rnn_tanh", "rnn_relu"):
        cell = ["rnn_state_cell"] if mode == "lstm" else []
        plain = _rnn(state_size=4, num_layers=1, mode=mode)
        assert plain.list_arguments() == ["data", "rnn_parameters", "rnn_state"] + cell
        assert plain.list_outputs() == ["rnn_output"]
        assert plain.get_internals().list_outputs() == plain.list_arguments() + ["rnn_output"]
        states = _rnn(state_size=4, num_layers=1, mode=mode, state_outputs=True)
        assert states.list_outputs() == ["rnn_output", "rnn_state_output"] + \
            (["rnn_statecell_output"] if mode == "lstm" else [])
    seq = _rnn(state_size=4, num_layers=1, mode="lstm", use_sequence_length=True)
    assert seq.list_arguments() == ["data", "rnn_parameters", "rnn_state", "rnn_state_cell",
                                    "rnn_sequence_length"]
    assert seq.infer_shape(data=(3, 2, 3))[0][-1] == (2,)
    bare = mx.sym.RNN(state_size=4, num_layers=1, mode="gru", name="rnn")
    assert bare.list_arguments() == ["rnn_data", "rnn_parameters", "rnn_state"]


def test_nd_outputs():
    arrays = [mx.nd.array(a) for a in rnn_inputs("lstm", 1, False, 3, 2, 3, 4)(
        np.random.default_rng(0), np.dtype("float32"))]
    single = mx.nd.RNN(*arrays, state_size=4, num_layers=1, mode="lstm")
    assert isinstance(single, mx.nd.NDArray) and single.shape == (3, 2, 4)
    out, hy, cy = mx.nd.RNN(*arrays, state_size=4, num_layers=1, mode="lstm",
                            state_outputs=True)
    np.testing.assert_allclose(hy.asnumpy()[0], out.asnumpy()[-1], rtol=1e-6)
    assert cy.shape == (1, 2, 4)


def test_partial_shapes():
    s = _rnn(state_size=4, num_layers=1, mode="lstm", state_outputs=True)
    args, outs, _ = s.infer_shape_partial(data=(3, 0, 3))  # as MXNet: batch stays unknown
    assert args == [(3, 0, 3), (144,), (1, 0, 4), (1, 0, 4)]
    assert outs == [(3, 0, 4), (1, 0, 4), (1, 0, 4)]
    assert s.infer_shape_partial(rnn_parameters=(144,))[0] == [(), (144,), (), ()]
    # symnet also reads the input size from the parameters and the batch from the state
    args, _, _ = s.infer_shape_partial(data=(3, 0, 0), rnn_parameters=(144,),
                                       rnn_state=(1, 2, 4))
    assert args[0] == (3, 2, 3)
    assert s.infer_shape_partial(data=(3, 2, 0))[0][1] == (0,)  # MXNet says (80,)


@pytest.mark.parametrize("shapes, message", [
    ({"data": (3, 2)}, "Check failed: dshape.ndim() == 3U (2 vs. 3) : Input data should be "
                       "rank-3 tensor of dim [sequence length, batch size, input size]"),
    ({"data": (3, 2, 3, 1)}, "Check failed: dshape.ndim() == 3U (4 vs. 3)"),
    ({"data": (3, 2, 3), "rnn_parameters": (100,)}, "Shape inconsistent, Provided = [100]"),
    ({"data": (3, 2, 3), "rnn_state": (2, 2, 4)},
     "Shape inconsistent, Provided = [2,2,4], inferred shape=(1,2,4)"),
    ({"data": (3, 2, 3), "rnn_state": (1, 3, 4)},
     "Shape inconsistent, Provided = [1,3,4], inferred shape=(1,2,4)"),
    ({"data": (3, 2, 3), "rnn_state_cell": (1, 2, 5)},
     "Shape inconsistent, Provided = [1,2,5], inferred shape=(1,2,4)"),
    ({"data": (3, 2, 3), "rnn_sequence_length": (3,)},
     "Shape inconsistent, Provided = [3], inferred shape=(2"),
])
def test_shape_errors(shapes, message):
    s = _rnn(state_size=4, num_layers=1, mode="lstm", use_sequence_length=True)
    with pytest.raises(MXNetError) as err:
        s.infer_shape(**shapes)
    assert "Error in operator rnn: " + message in str(err.value)


def test_types():
    s = _rnn(state_size=4, num_layers=1, mode="lstm", state_outputs=True,
             use_sequence_length=True)
    args, outs, _ = s.infer_type(data="float16")
    assert args == [np.float16] * 5 and outs == [np.float16] * 3
    assert s.infer_type(data="float32", rnn_sequence_length="float64")[0][-1] == np.float64
    with pytest.raises(MXNetError, match=r"Check failed: \(\*in_type\)\[i\] == dtype \(1 vs. "
                                         r"0\) : This layer requires uniform type. Expected "
                                         r"'float32' v.s. given 'float64' at 'parameters'"):
        s.infer_type(data="float32", rnn_parameters="float64")


@pytest.mark.parametrize("kwargs, message", [
    ({"num_layers": 1, "mode": "lstm"},
     "Required parameter state_size of int (non-negative) is not presented"),
    ({"state_size": 4, "mode": "lstm"},
     "Required parameter num_layers of int (non-negative) is not presented"),
    ({"state_size": 4, "num_layers": 1}, "Required parameter mode of int is not presented"),
    ({"state_size": 4, "num_layers": 1, "mode": "foo"},
     "Invalid Input: 'foo', valid values are: {'gru', 'lstm', 'rnn_relu', 'rnn_tanh'}"),
    ({"state_size": 4, "num_layers": 1, "mode": "lstm", "p": 1.5},
     "value 1.5 for Parameter p exceed bound [0,1]"),
    ({"state_size": 4, "num_layers": 1, "mode": "lstm", "lstm_state_clip_min": "abc"},
     "Invalid Parameter format for lstm_state_clip_min expect double or None but "
     "value='abc'"),
])
def test_parameter_errors(kwargs, message):
    with pytest.raises(MXNetError) as err:
        mx.sym.RNN(mx.sym.Variable("data"), **kwargs)
    assert message in str(err.value)


@pytest.mark.parametrize("kwargs", [{"mode": "gru", "projection_size": 2},
                                    {"mode": "lstm", "num_layers": 0},
                                    {"mode": "lstm", "projection_size": 0}])
def test_rejected_configurations(kwargs):
    s = _rnn(**{"state_size": 4, "num_layers": 1, **kwargs})
    with pytest.raises(MXNetError, match="RNN: "):
        s.infer_shape(data=(3, 2, 3))


# ---- gradients the contract does not reach ----------------------------------------------------
def _location(s, make, rng_seed=0):
    shapes = s.infer_shape(data=make(np.random.default_rng(rng_seed), np.float64)[0].shape)[0]
    arrays = make(np.random.default_rng(rng_seed), np.dtype(np.float64))
    assert [a.shape for a in arrays] == shapes
    return dict(zip(s.list_arguments(), arrays))


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh"])
def test_state_output_gradients(mode):
    """Head gradients on the final state (and cell) flow back through every step."""
    s = _rnn(state_size=2, num_layers=2, mode=mode, bidirectional=True, state_outputs=True)
    location = _location(s, rnn_inputs(mode, 2, True, 3, 2, 2, 2))
    for k in range(1, len(s.list_outputs())):
        check_numeric_gradient(s[k], location, dtype=np.float64)


# ---- dropout ---------------------------------------------------------------------------------
def _identity_relu(p):
    """Two rnn_relu layers with identity input weights: the output is ``mask * data``."""
    s = _rnn(state_size=4, num_layers=2, mode="rnn_relu", p=p)
    params = np.zeros(param_count("rnn_relu", 2, False, 4, 4))
    params[:16] = params[32:48] = np.eye(4).ravel()
    data = np.random.default_rng(1).uniform(0.5, 1.5, (6, 5, 4))
    args = [mx.nd.array(data, dtype="float64"), mx.nd.array(params, dtype="float64"),
            mx.nd.zeros((2, 5, 4), dtype="float64")]
    grads = [mx.nd.zeros(a.shape, dtype="float64") for a in args]
    return s.bind(mx.cpu(), args, args_grad=grads), data, grads


def test_dropout_between_layers_in_training_only():
    ex, data, grads = _identity_relu(0.3)
    np.testing.assert_allclose(ex.forward(is_train=False)[0].asnumpy(), data)
    mx.random.seed(3)
    ratio = ex.forward(is_train=True)[0].asnumpy() / data
    np.testing.assert_allclose(np.unique(np.round(ratio, 6)), [0, round(1 / 0.7, 6)])
    assert 0.1 < (ratio == 0).mean() < 0.5
    ex.backward([mx.nd.ones(data.shape, dtype="float64")])
    np.testing.assert_allclose(grads[0].asnumpy(), ratio)  # the same mask backwards


def test_dropout_numeric_gradient():
    s = _rnn(state_size=2, num_layers=3, mode="lstm", bidirectional=True, p=0.4)
    location = _location(s, rnn_inputs("lstm", 3, True, 3, 2, 2, 2))
    check_numeric_gradient(s, location, dtype=np.float64)


# ---- sequence lengths (cuDNN semantics; MXNet's CPU build refuses them) -------------------------
@pytest.mark.parametrize("mode", ["gru", "rnn_tanh", "rnn_relu"])
def test_sequence_length_without_cell(mode):
    """Given by keyword (positionally it would land on state_cell, see the report)."""
    lengths = np.array([4.0, 1.0, 3.0])
    make = rnn_inputs(mode, 2, True, 4, 3, 2, 2)
    data, params, state = make(np.random.default_rng(4), np.dtype(np.float64))
    attrs = dict(state_size=2, num_layers=2, mode=mode, bidirectional=True,
                 use_sequence_length=True, state_outputs=True)
    outs = mx.nd.RNN(mx.nd.array(data, dtype="float64"), mx.nd.array(params, dtype="float64"),
                     mx.nd.array(state, dtype="float64"),
                     sequence_length=mx.nd.array(lengths, dtype="float64"), **attrs)
    expected = rnn_reference(data, params, state, lengths, **attrs)
    for out, exp in zip(outs, expected):
        np.testing.assert_allclose(out.asnumpy(), exp, rtol=1e-10, atol=1e-12)
    assert np.all(outs[0].asnumpy()[1:, 1] == 0)
    s = _rnn(**attrs)
    location = {"data": data, "rnn_parameters": params, "rnn_state": state,
                "rnn_sequence_length": lengths}
    for k in range(2):
        check_numeric_gradient(s[k], location, grad_nodes=["data", "rnn_parameters",
                                                          "rnn_state"], dtype=np.float64)


# ---- LSTM cell clipping (cuDNN semantics) -------------------------------------------------------
def test_clip_nan():
    make = rnn_inputs("lstm", 1, False, 2, 2, 3, 3)
    data, params, state, cell = make(np.random.default_rng(2), np.dtype(np.float64))
    cell[0, 1, 0] = np.nan
    args = [mx.nd.array(a, dtype="float64") for a in (data, params, state, cell)]
    attrs = dict(state_size=3, num_layers=1, mode="lstm", state_outputs=True,
                 lstm_state_clip_min=-0.2, lstm_state_clip_max=0.3)
    _, _, cy = mx.nd.RNN(*args, **attrs)
    assert np.isnan(cy.asnumpy()[0, 1, 0])  # NaN propagates by default
    out, _, cy = mx.nd.RNN(*args, lstm_state_clip_nan=True, **attrs)
    cy = cy.asnumpy()
    assert not np.isnan(out.asnumpy()).any() and cy.min() >= -0.2 and cy.max() <= 0.3
    clean = cell.copy()
    clean[0, 1, 0] = 0.0
    np.testing.assert_allclose(cy[0, 0], rnn_reference(data, params, state, clean,
                                                       **attrs)[2][0, 0], rtol=1e-10)
