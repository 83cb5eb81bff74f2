"""``symnet.parallel``: batch splitting over threads, and BLAS held at one thread."""
from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import symnet as mx
from symnet import config, parallel

needs_blas = pytest.mark.skipif(not parallel.blas_threads_settable(),
                                reason="NumPy's BLAS is not an OpenBLAS symnet can hold")


@pytest.fixture
def forced(monkeypatch):
    """Split everything over three threads, however small; lists the functions that split."""
    monkeypatch.setattr(config, "num_threads", 3)
    monkeypatch.setattr(parallel, "MIN_WORK_PER_THREAD", 1)
    made = []
    bounds = parallel.bounds

    def spy(n, parts):
        frame = sys._getframe(2)  # bounds <- split <- the caller
        while frame.f_code.co_name in ("split_held", "split_flat"):
            frame = frame.f_back
        made.append(frame.f_code.co_name)
        return bounds(n, parts)

    monkeypatch.setattr(parallel, "bounds", spy)
    return made


def test_bounds_cover_the_range_evenly():
    assert parallel.bounds(10, 3) == [(0, 4), (4, 7), (7, 10)]
    assert parallel.bounds(2, 2) == [(0, 1), (1, 2)]
    for n in range(1, 20):
        for parts in range(1, n + 1):
            b = parallel.bounds(n, parts)
            assert b[0][0] == 0 and b[-1][1] == n and len(b) == parts
            assert all(hi0 == lo1 for (_, hi0), (lo1, _) in zip(b, b[1:]))
            assert max(hi - lo for lo, hi in b) - min(hi - lo for lo, hi in b) <= 1


@needs_blas
def test_split_runs_slices_on_several_threads_in_order(forced):
    seen = []
    results = parallel.split(7, lambda lo, hi: seen.append(threading.get_ident()) or (lo, hi),
                             cost=1e9)
    assert results == [(0, 3), (3, 5), (5, 7)]
    assert len(set(seen)) == 3 and len(forced) == 1


def test_split_is_serial_for_small_work_or_one_thread(monkeypatch):
    calls = []
    assert parallel.split(8, lambda lo, hi: calls.append((lo, hi)), cost=10) == [None]
    monkeypatch.setattr(config, "num_threads", 1)
    parallel.split(8, lambda lo, hi: calls.append((lo, hi)), cost=1e12)
    assert calls == [(0, 8), (0, 8)]


@needs_blas
def test_split_raises_after_every_slice_finished(forced):
    finished = []

    def work(lo, hi):
        if lo == 0:
            raise ValueError("slice 0 failed")
        finished.append(lo)
        return lo

    with pytest.raises(ValueError, match="slice 0 failed"):
        parallel.split(6, work, cost=1e9)
    assert sorted(finished) == [2, 4]
    assert parallel.split(6, lambda lo, hi: lo, cost=1e9) == [0, 2, 4]  # workers still serve


@needs_blas
def test_nested_split_runs_serially(forced):
    inner = parallel.split(4, lambda lo, hi: parallel.split(6, lambda a, b: (a, b), 1e9), 1e9)
    assert inner == [[(0, 6)], [(0, 6)], [(0, 6)]]


@needs_blas
def test_hold_is_counted_and_restores_blas_threads(monkeypatch):
    monkeypatch.setattr(config, "num_threads", 2)
    blas = parallel._openblas()
    before = blas.get()
    first = parallel.hold_blas()
    second = parallel.hold_blas()
    assert first and second and parallel.blas_held() and blas.get() == [1] * len(before)
    parallel.release_blas(second)
    assert blas.get() == [1] * len(before)
    parallel.release_blas(first)
    assert blas.get() == before and not parallel.blas_held()


def test_hold_does_nothing_with_one_thread(monkeypatch):
    monkeypatch.setattr(config, "num_threads", 1)
    assert parallel.hold_blas() is False
    assert not parallel.blas_held()


# ---- kernels give the same numbers split and serial -------------------------------------------
def _run(net, shapes, seed=0, grad_req="write"):
    """Outputs and gradients of one training step (float64)."""
    rng = np.random.default_rng(seed)
    exe = net.simple_bind(mx.cpu(), grad_req=grad_req, type_dict={"data": np.float64},
                          **shapes)
    for name, arr in exe.arg_dict.items():
        arr[:] = rng.standard_normal(arr.shape)
        if grad_req == "add" and name in exe.grad_dict:
            exe.grad_dict[name][:] = 1.0
    exe.forward(is_train=True)
    exe.backward([mx.nd.array(rng.standard_normal(o.shape)) for o in exe.outputs])
    return ([o.asnumpy() for o in exe.outputs]
            + [g.asnumpy() for g in exe.grad_arrays if g is not None])


CONV_CASES = {
    "same 3x3, 16 channels": (dict(kernel=(3, 3), pad=(1, 1), num_filter=4), (5, 16, 6, 6)),
    "strided with bias": (dict(kernel=(3, 3), stride=(2, 2), num_filter=6), (5, 3, 9, 9)),
    "grouped 1-D": (dict(kernel=(3,), num_filter=4, num_group=2), (4, 4, 11)),
    "batch-last 1x1": (dict(kernel=(1, 1), num_filter=8, no_bias=True), (6, 8, 3, 3)),
    "channel-last": (dict(kernel=(3, 3), num_filter=5, layout="NHWC"), (4, 7, 7, 3)),
}


@needs_blas
@pytest.mark.parametrize("op,case", [(op, case) for op in ("Convolution", "Deconvolution")
                                     for case in sorted(CONV_CASES)
                                     if op == "Convolution" or "layout" not in CONV_CASES[case][0]])
def test_convolutions_split_equal_serial(monkeypatch, forced, op, case):
    attrs, shape = CONV_CASES[case]
    net = getattr(mx.sym, op)(mx.sym.Variable("data"), name="c", **attrs)
    split = _run(net, {"data": shape})
    assert forced, "nothing was split"
    monkeypatch.setattr(config, "num_threads", 1)
    for got, want in zip(split, _run(net, {"data": shape})):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@needs_blas
@pytest.mark.parametrize("grad_req", ["write", "add"])
def test_fully_connected_splits_in_a_convolution_program(monkeypatch, forced, grad_req):
    data = mx.sym.Variable("data")
    net = mx.sym.Convolution(data, kernel=(1, 1), num_filter=3, name="c")
    net = mx.sym.FullyConnected(net, num_hidden=7, name="fc")
    split = _run(net, {"data": (5, 2, 3, 3)}, grad_req=grad_req)
    # the convolution's two splits, FullyConnected's forward, data and (written) weight gradients
    assert len(forced) == (5 if grad_req == "write" else 4)
    monkeypatch.setattr(config, "num_threads", 1)
    for got, want in zip(split, _run(net, {"data": (5, 2, 3, 3)}, grad_req=grad_req)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def _program(net, **shapes):
    return net.simple_bind(mx.cpu(), **shapes)._compiled.program


def test_programs_hold_blas_only_for_batch_splitting_kernels():
    data = mx.sym.Variable("data")
    conv = mx.sym.Convolution(data, kernel=(3, 3), num_filter=2)
    assert _program(mx.sym.FullyConnected(conv, num_hidden=3), data=(2, 1, 5, 5)).holds_blas
    assert not _program(mx.sym.FullyConnected(data, num_hidden=3), data=(2, 4)).holds_blas
    with_dot = mx.sym.dot(mx.sym.Flatten(conv), mx.sym.Variable("w"))
    assert not _program(with_dot, data=(2, 1, 5, 5), w=(18, 3)).holds_blas


@needs_blas
def test_executor_restores_blas_threads_after_each_pass(monkeypatch):
    monkeypatch.setattr(config, "num_threads", 2)
    before = parallel._openblas().get()
    net = mx.sym.Convolution(mx.sym.Variable("data"), kernel=(3, 3), num_filter=2)
    exe = net.simple_bind(mx.cpu(), data=(2, 1, 5, 5))
    exe.forward(is_train=True)
    exe.backward([mx.nd.ones(exe.outputs[0].shape)])
    assert parallel._openblas().get() == before and not parallel.blas_held()
    program = exe._compiled.program

    def broken(*args):
        raise RuntimeError("kernel failed")

    program.calls[0] = (broken,) + program.calls[0][1:]
    with pytest.raises(mx.base.MXNetError, match="kernel failed"):  # released on errors too
        exe.forward()
    assert parallel._openblas().get() == before and not parallel.blas_held()


@needs_blas
@pytest.mark.parametrize("is_train", [False, True])
def test_memory_bound_layers_split_equal_serial(monkeypatch, forced, is_train):
    """BatchNorm (inference forward, backward), relu forward and backward, Pooling forward and
    elementwise sums split over flat ranges or samples inside a program of splitting kernels."""
    data = mx.sym.Variable("data")
    conv = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=4, name="c")
    bn = mx.sym.BatchNorm(conv, fix_gamma=False, use_global_stats=not is_train, name="bn")
    act = mx.sym.Activation(bn, act_type="relu")
    net = mx.sym.Pooling(act + conv, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="max")
    shapes = {"data": (5, 3, 8, 8)}

    def run():
        rng = np.random.default_rng(3)
        exe = net.simple_bind(mx.cpu(), type_dict={"data": np.float64}, **shapes)
        for arr in exe.arg_arrays + exe.aux_arrays:
            arr[:] = rng.uniform(0.5, 1.5, arr.shape)
        exe.forward(is_train=is_train)
        exe.backward([mx.nd.array(rng.standard_normal(exe.outputs[0].shape))])
        return [exe.outputs[0].asnumpy()] + [g.asnumpy() for g in exe.grad_arrays]

    split = run()
    assert forced == ["_forward_into"] + ([] if is_train else ["_bn_forward"]) + [
        "_activation_forward", "kernel", "_pooling_forward", "_activation_backward",
        "_bn_backward", "_bn_backward", "kernel"]
    monkeypatch.setattr(config, "num_threads", 1)
    for got, want in zip(split, run()):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_split_flat_runs_whole_outside_a_held_pass(forced):
    a, b = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    out = np.empty((2, 3))
    parallel.split_flat(lambda x, y, o: np.add(x, y, out=o), (a, b), out)
    np.testing.assert_array_equal(out, a + 1)
    assert forced == []  # not inside a pass holding BLAS
