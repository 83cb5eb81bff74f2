"""Bind-time fusion of Convolution -> BatchNorm (-> relu) for passes with moving statistics."""
from __future__ import annotations

import numpy as np
import pytest

import symnet as mx
from symnet import config


def _chain(relu=True, fix_gamma=False, no_bias=True, use_global_stats=False):
    data = mx.sym.Variable("data")
    net = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=4, no_bias=no_bias,
                             name="c")
    net = mx.sym.BatchNorm(net, fix_gamma=fix_gamma, use_global_stats=use_global_stats,
                           name="bn")
    if relu:
        net = mx.sym.Activation(net, act_type="relu", name="r")
    return mx.sym.FullyConnected(mx.sym.Flatten(net), num_hidden=3, name="fc")


def _bind(net, dtype=np.float32, shape=(3, 2, 5, 5)):
    rng = np.random.default_rng(7)
    exe = net.simple_bind(mx.cpu(), grad_req="null", type_dict={"data": dtype}, data=shape)
    for arr in exe.arg_arrays:
        arr[:] = rng.standard_normal(arr.shape)
    for name, arr in exe.aux_dict.items():
        arr[:] = rng.uniform(0.5, 1.5, arr.shape) if "var" in name else rng.standard_normal(
            arr.shape)
    return exe


def _unfused(net, is_train, monkeypatch, **kw):
    monkeypatch.setattr(config, "memory_plan", False)  # one buffer an entry, no fusion
    exe = _bind(net, **kw)
    assert not exe._compiled.program.fused
    exe.forward(is_train=is_train)
    monkeypatch.setattr(config, "memory_plan", True)
    return exe.outputs[0].asnumpy()


@pytest.mark.parametrize("dtype,tol", [(np.float32, 1e-6), (np.float64, 1e-13)])
@pytest.mark.parametrize("relu", [True, False])
@pytest.mark.parametrize("fix_gamma,no_bias", [(False, True), (True, False)])
def test_fused_inference_equals_unfused(monkeypatch, dtype, tol, relu, fix_gamma, no_bias):
    net = _chain(relu, fix_gamma, no_bias)
    exe = _bind(net, dtype)
    names = {k.__name__ for k in exe._compiled.program.fused.values()}
    assert "_convolution_batchnorm" + ("_relu" if relu else "") in names
    for is_train in (False, True, False):  # moving statistics, batch statistics, again
        exe.forward(is_train=is_train)
        want = _unfused(net, is_train, monkeypatch, dtype=dtype)
        np.testing.assert_allclose(exe.outputs[0].asnumpy(), want, rtol=tol, atol=tol)


def test_use_global_stats_fuses_in_training_passes_too(monkeypatch):
    net = _chain(use_global_stats=True)
    exe = _bind(net)
    exe.forward(is_train=True)
    np.testing.assert_allclose(exe.outputs[0].asnumpy(), _unfused(net, True, monkeypatch),
                               rtol=1e-6, atol=1e-6)


def test_statistics_outputs_are_still_written():
    data = mx.sym.Variable("data")
    conv = mx.sym.Convolution(data, kernel=(1, 1), num_filter=4, name="c")
    bn = mx.sym.BatchNorm(conv, output_mean_var=True, name="bn")
    exe = _bind(mx.sym.Group([mx.sym.Activation(bn[0], act_type="relu"), bn[1], bn[2]]))
    assert exe._compiled.program.fused
    exe.forward()
    mean, var = exe.aux_dict["bn_moving_mean"].asnumpy(), exe.aux_dict["bn_moving_var"]
    np.testing.assert_allclose(exe.outputs[1].asnumpy(), mean)
    np.testing.assert_allclose(exe.outputs[2].asnumpy(), 1 / np.sqrt(var.asnumpy() + 1e-3),
                               rtol=1e-6)


def test_a_monitor_sees_every_entry_computed():
    exe = _bind(_chain())
    seen = {}
    exe.set_monitor_callback(  # names come as bytes, as in MXNet
        lambda name, arr: seen.__setitem__(name.decode(), arr.asnumpy()), monitor_all=True)
    exe.forward()
    conv = seen["c_output"]
    scale = 1 / np.sqrt(exe.aux_dict["bn_moving_var"].asnumpy() + 1e-3)
    scale = scale * exe.arg_dict["bn_gamma"].asnumpy()
    shift = exe.arg_dict["bn_beta"].asnumpy() - exe.aux_dict["bn_moving_mean"].asnumpy() * scale
    bn = conv * scale[:, None, None] + shift[:, None, None]
    np.testing.assert_allclose(seen["bn_output"], bn, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(seen["r_output"], np.maximum(bn, 0), rtol=1e-5, atol=1e-5)


def _fused_names(net, **shapes):
    exe = net.simple_bind(mx.cpu(), grad_req="null", **shapes)
    return sorted(k.__name__ for k in exe._compiled.program.fused.values())


def test_chains_that_must_stay_apart():
    data = mx.sym.Variable("data")
    conv = mx.sym.Convolution(data, kernel=(1, 1), num_filter=4, name="c")
    bn = mx.sym.BatchNorm(conv, name="bn")
    assert _fused_names(bn + conv, data=(2, 3, 4, 4)) == []  # the convolution read twice
    assert _fused_names(mx.sym.Group([bn, conv]), data=(2, 3, 4, 4)) == []  # an output
    relu = mx.sym.Activation(bn, act_type="relu")
    assert _fused_names(mx.sym.Group([relu, bn]), data=(2, 3, 4, 4)) == [  # BatchNorm's is
        "_batchnorm_statistics", "_convolution_batchnorm"]
    last = mx.sym.Convolution(data, kernel=(1, 1), num_filter=4, layout="NHWC")
    assert _fused_names(mx.sym.BatchNorm(last, axis=3), data=(2, 4, 4, 3)) == []
    tanh = mx.sym.Activation(bn, act_type="tanh")
    assert _fused_names(tanh, data=(2, 3, 4, 4)) == [
        "_batchnorm_statistics", "_convolution_batchnorm"]


def test_training_programs_keep_the_convolution_output():
    exe = _chain().simple_bind(mx.cpu(), data=(2, 2, 5, 5))  # BatchNorm's backward reads it
    assert not exe._compiled.program.fused
