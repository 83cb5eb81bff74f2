"""Bind-time fusion of Convolution -> BatchNorm (-> relu) for passes with moving statistics."""
from __future__ import annotations

import numpy as np
import pytest

import symnet as mx
from symnet import config
from symnet.executor.memory import verify_plan


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


def _block(residual_first: bool, downsample: bool):
    """A ResNet basic block's tail: relu(shortcut + bn(conv(relu(bn(conv(x))))))."""
    data = mx.sym.Variable("data")
    x = mx.sym.Activation(mx.sym.Convolution(data, kernel=(1, 1), num_filter=4, name="c0"),
                          act_type="relu")
    body = mx.sym.Convolution(x, kernel=(3, 3), pad=(1, 1), num_filter=4, no_bias=True,
                              name="c1")
    body = mx.sym.BatchNorm(body, fix_gamma=False, name="bn1")
    shortcut = x
    if downsample:
        shortcut = mx.sym.Convolution(x, kernel=(1, 1), num_filter=4, name="down")
    total = shortcut + body if residual_first else body + shortcut
    return mx.sym.FullyConnected(mx.sym.Activation(total, act_type="relu"), num_hidden=3)


@pytest.mark.parametrize("dtype,tol", [(np.float32, 1e-5), (np.float64, 1e-12)])
@pytest.mark.parametrize("residual_first", [False, True])
@pytest.mark.parametrize("downsample", [False, True])
def test_residual_sum_and_relu_fuse_too(monkeypatch, dtype, tol, residual_first, downsample):
    net = _block(residual_first, downsample)
    exe = _bind(net, dtype, shape=(3, 2, 6, 6))
    program = exe._compiled.program
    # body + downsample(x) computes the downsampling between BatchNorm and the sum: only
    # adjacent steps fuse
    whole = residual_first or not downsample
    names = {k.__name__ for k in program.fused.values()}
    assert ("_convolution_batchnorm_add_relu" in names) == whole
    assert "_convolution_batchnorm" in names or whole
    idx = exe._compiled.graph.idx
    verify_plan(idx, exe._compiled.plan, set(idx.heads))
    for is_train in (False, True, False):
        exe.forward(is_train=is_train)
        want = _unfused(net, is_train, monkeypatch, dtype=dtype, shape=(3, 2, 6, 6))
        np.testing.assert_allclose(exe.outputs[0].asnumpy(), want, rtol=tol, atol=tol)


def test_weights_larger_than_the_output_scale_the_output(monkeypatch):
    net = _chain(relu=True, no_bias=True)  # 4x2x3x3 weights, 1x4x1x1 outputs
    exe = _bind(net, np.float64, shape=(1, 2, 1, 1))
    assert exe._compiled.program.fused
    exe.forward()
    np.testing.assert_allclose(exe.outputs[0].asnumpy(),
                               _unfused(net, False, monkeypatch, dtype=np.float64,
                                        shape=(1, 2, 1, 1)), rtol=1e-12, atol=1e-12)


def test_the_planner_keeps_the_convolution_inputs_until_the_chain_ends():
    exe = _bind(_block(residual_first=False, downsample=False))
    compiled = exe._compiled
    hold = compiled.plan.hold
    assert len(hold) == 1
    (end, held), = hold.items()
    idx = compiled.graph.idx
    assert idx.nodes[end].op.name == "Activation"
    conv = next(n for n, node in enumerate(idx.nodes) if node.name == "c1")
    assert held == list(idx.input_entries[conv])
    out = compiled.arrays[idx.row_ptr[end]]
    assert not any(np.may_share_memory(out, compiled.arrays[e]) for e in held)
