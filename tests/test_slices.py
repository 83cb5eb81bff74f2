"""Inference passes in slices of the batch, one whole program a thread (executor/slices.py)."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import symnet as mx
from symnet import config, parallel
from symnet.base import MXNetError

pytestmark = pytest.mark.skipif(not parallel.blas_threads_settable(),
                                reason="slices need OpenBLAS's thread count settable")


@pytest.fixture
def two_threads(monkeypatch):
    monkeypatch.setattr(config, "num_threads", 2)
    monkeypatch.setattr(parallel, "MIN_WORK_PER_THREAD", 1)


def residual_net():
    """Convolution, BatchNorm, a residual sum, pooling, Flatten, FullyConnected, softmax."""
    data = mx.sym.Variable("data")
    x = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=4, name="c1")
    x = mx.sym.Activation(mx.sym.BatchNorm(x, fix_gamma=False, name="bn1"), act_type="relu")
    y = mx.sym.Convolution(x, kernel=(3, 3), pad=(1, 1), num_filter=4, no_bias=True, name="c2")
    y = mx.sym.BatchNorm(y, fix_gamma=False, name="bn2")
    x = mx.sym.Activation(x + y, act_type="relu")
    x = mx.sym.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2))
    x = mx.sym.FullyConnected(mx.sym.Flatten(x), num_hidden=3, name="fc")
    return mx.sym.SoftmaxOutput(x, name="softmax")


def bind(net, batch=4, seed=0, **kwargs):
    exe = net.simple_bind(mx.cpu(), data=(batch, 2, 6, 6), grad_req="null", **kwargs)
    rng = np.random.default_rng(seed)
    for name, arr in exe.arg_dict.items():
        arr[:] = rng.uniform(-1, 1, arr.shape)
    for arr in exe.aux_arrays:
        arr[:] = rng.uniform(0.5, 1.5, arr.shape)
    return exe


def serial_outputs(net, batch, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(config, "num_threads", 1)
        exe = bind(net, batch)
        exe.forward()
        assert exe._sliced[1] is None
        return [o.asnumpy() for o in exe.outputs]


@pytest.mark.parametrize("batch, sizes", [(4, [2, 2]), (5, [3, 2])])
def test_sliced_inference_matches_one_program(two_threads, monkeypatch, batch, sizes):
    net = residual_net()
    expected = serial_outputs(net, batch, monkeypatch)
    exe = bind(net, batch)
    kept = exe.outputs[0]
    for _ in range(2):
        exe.forward(is_train=False)
        sliced = exe._sliced[1]
        assert sliced is not None and [hi - lo for lo, hi in sliced.slices] == sizes
        np.testing.assert_allclose(exe.outputs[0].asnumpy(), expected[0], rtol=1e-5, atol=1e-7)
    # the outputs are the executor's own arrays, refreshed in place
    np.testing.assert_array_equal(kept.asnumpy(), exe.outputs[0].asnumpy())
    assert "2 slices of the batch" in exe.debug_str()


def test_training_passes_use_the_whole_batch(two_threads, monkeypatch):
    """BatchNorm's batch statistics couple the samples: a training pass is not sliced."""
    net = residual_net()
    exe = bind(net)
    exe.forward(is_train=True)
    assert exe._sliced is None
    train = exe.outputs[0].asnumpy()
    exe.forward(is_train=False)
    infer = exe.outputs[0].asnumpy()
    assert exe._sliced[1] is not None
    assert not np.allclose(train, infer)
    exe.forward(is_train=True)
    np.testing.assert_allclose(exe.outputs[0].asnumpy(), train, rtol=1e-6)


def test_slices_share_the_pool_but_not_live_arrays(two_threads):
    """The slices' intermediate arrays come mostly from the executor's pool; none overlaps
    an output, an argument or the other slice's; outputs are views of the executor's output
    arrays."""
    exe = bind(residual_net(), batch=4)
    exe.forward()
    sliced, main = exe._sliced[1], exe._compiled
    assert sliced.extra_bytes <= exe.planned_bytes // 4
    outputs = [main.arrays[e] for e in main.graph.idx.heads]
    arguments = [a._data for a in exe.arg_arrays + exe.aux_arrays]
    seen = []
    for (lo, hi), program in zip(sliced.slices, sliced.programs):
        mine = []
        for step in program.steps:
            for array in step.outs:
                if any(np.shares_memory(array, o) for o in outputs):
                    assert any(np.shares_memory(array, o[lo:hi]) and array.shape == o[lo:hi].shape
                               for o in outputs)
                    continue
                assert not any(np.shares_memory(array, a) for a in arguments)
                mine.append(array)
        assert not any(np.shares_memory(a, b) for a in mine for b in seen)
        seen += mine


def test_nothing_sliced_with_gradients_or_a_monitor(two_threads):
    net = residual_net()
    exe = net.simple_bind(mx.cpu(), data=(4, 2, 6, 6))
    exe.forward()
    assert exe._sliced is None or exe._sliced[1] is None
    exe = bind(net)
    seen = []
    exe.set_monitor_callback(lambda name, array: seen.append(name))
    exe.forward()
    assert exe._sliced is None and seen


@pytest.mark.parametrize("tail", [
    lambda x: mx.sym.Reshape(x, shape=(2, -1)),      # moves samples across the batch axis
    lambda x: mx.sym.sum(x, axis=0, keepdims=True),  # reduces over the batch
    lambda x: mx.sym.softmax(x, axis=0),             # normalises over the batch
], ids=["reshape", "sum", "softmax_axis0"])
def test_batch_coupling_operators_keep_one_program(two_threads, monkeypatch, tail):
    data = mx.sym.Variable("data")
    x = mx.sym.Convolution(data, kernel=(3, 3), num_filter=2, name="c")
    net = tail(mx.sym.Flatten(x))
    expected = serial_outputs(net, 4, monkeypatch)
    exe = bind(net)
    exe.forward()
    assert exe._sliced[1] is None
    np.testing.assert_allclose(exe.outputs[0].asnumpy(), expected[0], rtol=1e-6)


def test_random_samplers_keep_one_program(two_threads, monkeypatch):
    """A sampler's draw (here a random weight) is made once a pass, not once a slice."""
    data = mx.sym.Variable("data")
    x = mx.sym.Flatten(mx.sym.Convolution(data, kernel=(3, 3), num_filter=2, name="c"))
    noise = mx.sym.random_uniform(shape=(3, 32))
    net = mx.sym.FullyConnected(x, weight=noise, no_bias=True, num_hidden=3)
    mx.random.seed(5)
    expected = serial_outputs(net, 4, monkeypatch)
    exe = bind(net)
    mx.random.seed(5)
    exe.forward()
    assert exe._sliced[1] is None
    np.testing.assert_allclose(exe.outputs[0].asnumpy(), expected[0], rtol=1e-6)


def test_busy_threads_fall_back_to_the_whole_program(two_threads, monkeypatch):
    net = residual_net()
    expected = serial_outputs(net, 4, monkeypatch)
    exe = bind(net)
    exe.forward()
    assert exe._sliced[1] is not None
    exe.outputs[0]._data[:] = 0
    result = []
    holder = threading.Thread(target=lambda: (parallel._section.acquire(), result.append(1)))
    holder.start()
    holder.join()
    try:
        exe.forward()
    finally:
        parallel._section.release()
    np.testing.assert_allclose(exe.outputs[0].asnumpy(), expected[0], rtol=1e-5, atol=1e-7)


def test_errors_in_a_slice_name_the_operator(two_threads):
    exe = bind(residual_net())
    exe.forward()
    program = exe._sliced[1].programs[1]
    step = next(s for s in program.steps if s.node.name == "fc")

    def broken(p, ctx, ins, req, outs):
        raise ValueError("boom")

    program.calls = [(broken if s is step else s.kernel, s.params, s.ins, s.req, s.outs)
                     for s in program.steps]
    with pytest.raises(MXNetError, match=r"fc \(FullyConnected\).*boom"):
        exe.forward()


def test_thread_count_changes_rebuild_the_slices(two_threads, monkeypatch):
    exe = bind(residual_net(), batch=6)
    exe.forward()
    assert len(exe._sliced[1].slices) == 2
    monkeypatch.setattr(config, "num_threads", 3)
    exe.forward()
    assert [hi - lo for lo, hi in exe._sliced[1].slices] == [2, 2, 2]
    monkeypatch.setattr(config, "num_threads", 1)
    exe.forward()
    assert exe._sliced[1] is None
