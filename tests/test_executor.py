"""Executor properties that need no oracle: the memory plan changes nothing but memory.

* planned execution equals the unplanned path (``config.memory_plan = False``) and the
  reference interpreter (``symnet.executor.program.interpret``), outputs and gradients, on graphs
  with shared subgraphs, several heads, fan-in, Group outputs, views and shared weights;
* ``verify_plan`` holds for every executor any test here builds (an autouse fixture);
* steady state: forward/backward reuse the same buffers and allocate nothing that survives;
* kernel failures surface as MXNetError naming the node; ``Symbol.gradient`` binds and is right;
  a repeated backward replays forward (same random draws): identical gradients, 'add' gives 2x.
"""
from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

import symnet as mx
from symnet import config
from symnet.base import MXNetError
from symnet.executor import Executor
from symnet.executor.memory import verify_plan
from symnet.executor.program import interpret
from symnet.graph.gradient import build_gradient
from symnet.graph.node import Entry, IndexedGraph, Node
from symnet.ops.registry import find_op

BUILT: list[Executor] = []


@pytest.fixture(autouse=True)
def _verify_every_plan(monkeypatch):
    """Record every executor constructed during a test, then check its memory plan."""
    original = Executor.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        BUILT.append(self)

    monkeypatch.setattr(Executor, "__init__", init)
    BUILT.clear()
    yield
    for ex in BUILT:
        compiled = ex._compiled
        idx = compiled.graph.idx
        verify_plan(idx, compiled.plan, set(idx.heads[:compiled.graph.num_outputs]))
    BUILT.clear()


# ---- graphs ----------------------------------------------------------------------------------
def _mlp():
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, num_hidden=8, name="fc1")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    net = mx.sym.FullyConnected(net, num_hidden=5, name="fc2")
    return mx.sym.SoftmaxOutput(net, name="sm"), {"data": (6, 4)}


def _shared_subgraph():
    x = mx.sym.Variable("x")
    h = mx.sym.FullyConnected(x, num_hidden=6, name="fc")
    a = mx.sym.Activation(h, act_type="tanh", name="act") * 2
    b = mx.sym.sum(h * h, axis=1)
    return mx.sym.Group([a, h + 1, b]), {"x": (4, 3)}


def _fan_in():
    x, y, w = mx.sym.Variable("x"), mx.sym.Variable("y"), mx.sym.Variable("w")
    z = mx.sym.sum(x * x + mx.sym.dot(x, w) * y + mx.sym.exp(x), axis=1)
    return z * z, {"x": (3, 4), "y": (3, 4), "w": (4, 4)}


def _loss_and_relu():
    fc = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=4, name="fc")
    return mx.sym.Group([mx.sym.SoftmaxOutput(fc, name="sm"),
                         mx.sym.Activation(fc, act_type="relu", name="act")]), {"data": (5, 3)}


def _shared_weight_views():
    x, w = mx.sym.Variable("x"), mx.sym.Variable("w")
    f1 = mx.sym.FullyConnected(x, weight=w, no_bias=True, num_hidden=4, name="f1")
    f2 = mx.sym.FullyConnected(mx.sym.sigmoid(f1), weight=w, no_bias=True, num_hidden=4,
                               name="f2")
    t = mx.sym.transpose(f2) * 3
    r = mx.sym.reshape(f1 + f2, shape=(-1,))
    return mx.sym.Group([t, r, mx.sym.square(x)]), {"x": (2, 4), "w": (4, 4)}


def _chain_with_inplace():
    x = mx.sym.Variable("x")
    y = mx.sym.relu(mx.sym.exp(x) - 1) * 0.5 + x
    z = mx.sym.Activation(y, act_type="sigmoid", name="sig")
    return mx.sym.sum(z + y, axis=0), {"x": (3, 5)}


GRAPHS = {"mlp": _mlp, "shared_subgraph": _shared_subgraph, "fan_in": _fan_in,
          "loss_and_relu": _loss_and_relu, "shared_weight_views": _shared_weight_views,
          "chain_with_inplace": _chain_with_inplace}


def _inputs(sym, shapes: dict, seed: int = 0) -> dict[str, np.ndarray]:
    arg_shapes, _, _ = sym.infer_shape(**shapes)
    rng = np.random.default_rng(seed)
    values = {n: rng.uniform(-1, 1, s).astype(np.float32)
              for n, s in zip(sym.list_arguments(), arg_shapes)}
    for n, s in zip(sym.list_arguments(), arg_shapes):
        if n.endswith("_label"):
            values[n] = (np.arange(int(np.prod(s))) % 3).reshape(s).astype(np.float32)
    return values


def _head_grads(sym, shapes: dict, seed: int = 1) -> list[np.ndarray]:
    _, out_shapes, _ = sym.infer_shape(**shapes)
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, s).astype(np.float32) for s in out_shapes]


def _run(sym, shapes, values, heads, grad_req="write"):
    ex = sym.simple_bind(mx.cpu(), grad_req=grad_req, **shapes)
    for name, value in values.items():
        ex.arg_dict[name][:] = value
    outs = [o.asnumpy().copy() for o in ex.forward(is_train=True)]
    ex.backward([mx.nd.array(h) for h in heads])
    grads = {n: g.asnumpy().copy() for n, g in ex.grad_dict.items() if g is not None}
    return outs, grads, ex


def _interpreted(sym, values, heads):
    """Outputs and argument gradients from the reference interpreter (no planning)."""
    idx = IndexedGraph(sym._outputs)
    args = [idx.nodes[i] for i in idx.argument_ids()]
    head_vars = [Node(None, f"_hg{k}") for k in range(len(heads))]
    grads = build_gradient(sym._outputs, args, [Entry(v) for v in head_vars])
    wanted = [(a.name, g) for a, g in zip(args, grads) if isinstance(g, Entry)]
    feed = dict(values, **{f"_hg{k}": h for k, h in enumerate(heads)})
    res = interpret(list(sym._outputs) + [g for _, g in wanted], feed, is_train=True)
    n = len(sym._outputs)
    return res[:n], {name: r for (name, _), r in zip(wanted, res[n:])}


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_planned_equals_unplanned_and_interpreter(graph, monkeypatch):
    sym, shapes = GRAPHS[graph]()
    values, heads = _inputs(sym, shapes), _head_grads(sym, shapes)
    outs, grads, ex = _run(sym, shapes, values, heads)
    assert ex._compiled.plan.total_bytes <= sum(ex._compiled.plan.sizes)
    monkeypatch.setattr(config, "memory_plan", False)
    outs_u, grads_u, _ = _run(sym, shapes, values, heads)
    ref_outs, ref_grads = _interpreted(sym, values, heads)
    for a, b, c in zip(outs, outs_u, ref_outs):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-6)
    assert sorted(grads) == sorted(grads_u)
    for name in grads:
        np.testing.assert_allclose(grads[name], grads_u[name], rtol=1e-6, atol=1e-7)
        if name in ref_grads:
            np.testing.assert_allclose(grads[name], ref_grads[name], rtol=1e-5, atol=1e-6)


def test_planning_saves_memory_on_the_mlp(monkeypatch):
    sym, _ = _mlp()
    planned = sym.simple_bind(mx.cpu(), data=(64, 4)).planned_bytes
    monkeypatch.setattr(config, "memory_plan", False)
    unplanned = sym.simple_bind(mx.cpu(), data=(64, 4)).planned_bytes
    assert planned < unplanned


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_add_accumulates_and_null_leaves_arrays(graph):
    sym, shapes = GRAPHS[graph]()
    values, heads = _inputs(sym, shapes), _head_grads(sym, shapes)
    _, grads, _ = _run(sym, shapes, values, heads)
    ex = sym.simple_bind(mx.cpu(), grad_req="add", **shapes)
    for name, value in values.items():
        ex.arg_dict[name][:] = value
    for g in ex.grad_arrays:
        g[:] = 1
    ex.forward(is_train=True)
    ex.backward([mx.nd.array(h) for h in heads])
    for name, g in grads.items():
        np.testing.assert_allclose(ex.grad_dict[name].asnumpy(), g + 1, rtol=1e-6, atol=1e-6)


# ---- steady state ----------------------------------------------------------------------------
def _step(ex, data, head=None):
    ex.forward(is_train=True, data=data)
    ex.backward(head)


def test_steady_state_reuses_buffers_and_allocates_nothing():
    sym, shapes = _mlp()
    ex = sym.simple_bind(mx.cpu(), **shapes)
    data = np.random.default_rng(0).uniform(-1, 1, shapes["data"]).astype(np.float32)
    _step(ex, data)
    out_buffer = ex.outputs[0]._data
    grad_objects = list(ex.grad_arrays)
    grad_buffers = [g._data for g in ex.grad_arrays]
    pool = [b for b in ex._compiled.pool]
    for _ in range(3):
        _step(ex, data)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(20):
            _step(ex, data)
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert growth < 4096, f"steady state grew by {growth} bytes"
    assert ex.outputs[0]._data is out_buffer
    assert all(a is b for a, b in zip(ex.grad_arrays, grad_objects))
    assert all(g._data is b for g, b in zip(ex.grad_arrays, grad_buffers))
    assert all(a is b for a, b in zip(ex._compiled.pool, pool))


def test_outputs_are_new_objects_over_the_same_memory():
    sym, shapes = _shared_subgraph()
    ex = sym.simple_bind(mx.cpu(), grad_req="null", **shapes)
    first = ex.forward()
    second = ex.forward()
    assert first is not second and ex.outputs is second
    for a, b in zip(first, second):
        assert a is not b and np.shares_memory(a._data, b._data)


def test_gradient_arrays_are_written_in_place():
    sym, shapes = _fan_in()
    grads = {n: mx.nd.zeros(s) for n, s in zip(sym.list_arguments(),
                                                sym.infer_shape(**shapes)[0])}
    args = {n: mx.nd.array(v) for n, v in _inputs(sym, shapes).items()}
    ex = sym.bind(mx.cpu(), args, args_grad=grads)
    ex.forward(is_train=True)
    ex.backward(mx.nd.ones((3,)))
    for name, g in grads.items():
        assert ex.grad_dict[name] is g
        assert np.abs(g.asnumpy()).sum() > 0


# ---- failures ------------------------------------------------------------------------------
def test_kernel_exception_names_the_node():
    x = mx.sym.Variable("x")
    sym = mx.sym.exp(x * 2, name="boom")
    ex = sym.simple_bind(mx.cpu(), x=(2, 3))
    step = next(s for s in ex._compiled.program.steps if s.node.name == "boom")

    def failing(params, ctx, ins, req, outs):
        raise ValueError("kernel broke")

    step.kernel = failing
    ex._compiled.program.refresh()
    with pytest.raises(MXNetError, match=r"Error in operator boom \(exp\).*\[2,3\].*kernel broke") \
            as info:
        ex.forward()
    assert isinstance(info.value.__cause__, ValueError)


def test_mxnet_errors_from_kernels_pass_unchanged():
    x = mx.sym.Variable("x")
    ex = mx.sym.exp(x, name="e").simple_bind(mx.cpu(), x=(2,))
    step = ex._compiled.program.steps[0]

    def failing(params, ctx, ins, req, outs):
        raise MXNetError("original message")

    step.kernel = failing
    ex._compiled.program.refresh()
    with pytest.raises(MXNetError, match="^original message$"):
        ex.forward()


# ---- Symbol.gradient -------------------------------------------------------------------------
def test_symbol_gradient_binds_and_is_right():
    x, y = mx.sym.Variable("x"), mx.sym.Variable("y")
    z = mx.sym.sum(x * x * y + mx.sym.sin(x))
    gx = z.gradient("x")
    assert isinstance(gx, mx.sym.Symbol)
    xv = np.array([[0.5, -1.0], [2.0, 0.25]], np.float32)
    yv = np.array([[1.5, 2.0], [-0.5, 3.0]], np.float32)
    args = {"x": mx.nd.array(xv), "y": mx.nd.array(yv)}
    out = gx.bind(mx.cpu(), {n: args[n] for n in gx.list_arguments()}).forward()[0]
    np.testing.assert_allclose(out.asnumpy(), 2 * xv * yv + np.cos(xv), rtol=1e-5)
    both = z.gradient(["x", "y"])
    outs = both.bind(mx.cpu(), {n: args[n] for n in both.list_arguments()}).forward()
    np.testing.assert_allclose(outs[1].asnumpy(), xv * xv, rtol=1e-6)


def test_symbol_gradient_matches_the_executor():
    sym, shapes = _fan_in()
    values = _inputs(sym, shapes)
    _, grads, _ = _run(sym, shapes, values, [np.ones(3, np.float32)])
    gw = sym.gradient("w")
    ex = gw.bind(mx.cpu(), {n: mx.nd.array(values[n]) for n in gw.list_arguments()})
    np.testing.assert_allclose(ex.forward()[0].asnumpy(), grads["w"], rtol=1e-5, atol=1e-6)


# ---- repeated backward -------------------------------------------------------------------------
def _random_net():
    x = mx.sym.Variable("x")
    noise = mx.sym.random_uniform(low=0.5, high=1.5, shape=(4, 6))
    h = mx.sym.FullyConnected(x * noise, num_hidden=5, name="fc")
    return mx.sym.SoftmaxOutput(mx.sym.Activation(h, act_type="relu"), name="sm")


@pytest.mark.parametrize("req", ["write", "add"])
def test_repeated_backward_replays_forward(req):
    sym = _random_net()
    ex = sym.simple_bind(mx.cpu(), grad_req=req, x=(4, 6))
    for name, value in _inputs(sym, {"x": (4, 6)}).items():
        ex.arg_dict[name][:] = value
    program = ex._compiled.program
    runs = []
    original = program.run
    program.run = lambda lo, hi: (runs.append((lo, hi)), original(lo, hi))[1]
    ex.forward(is_train=True)
    ex.backward()
    first = {n: g.asnumpy().copy() for n, g in ex.grad_dict.items() if g is not None}
    ex.backward()
    forward_runs = [r for r in runs if r[0] == 0]
    assert len(forward_runs) == 2, runs  # the second backward recomputed the forward pass
    factor = 2.0 if req == "add" else 1.0
    for name, g in first.items():
        np.testing.assert_array_equal(ex.grad_dict[name].asnumpy(), factor * g)
    assert np.abs(first["x"]).sum() > 0


def test_repeated_backward_keeps_outputs():
    sym = _random_net()
    ex = sym.simple_bind(mx.cpu(), x=(4, 6))
    ex.arg_dict["x"][:] = 1
    out = ex.forward(is_train=True)[0].asnumpy().copy()
    ex.backward()
    ex.backward()
    np.testing.assert_array_equal(ex.outputs[0].asnumpy(), out)


@pytest.mark.skipif(find_op("Dropout") is None, reason="Dropout not registered yet")
def test_is_train_reaches_the_kernels():
    x = mx.sym.Variable("x")
    ex = mx.sym.Dropout(x, p=0.5).simple_bind(mx.cpu(), x=(50, 40))
    ex.arg_dict["x"][:] = 1
    assert (ex.forward(is_train=False)[0].asnumpy() == 1).all()
    train = ex.forward(is_train=True)[0].asnumpy()
    assert (train == 0).any() and (train == 2).any()


# ---- reshape / debug_str ------------------------------------------------------------------------
def test_reshape_shares_memory_with_views():
    sym, _ = _mlp()
    ex = sym.simple_bind(mx.cpu(), data=(8, 4))
    small = ex.reshape(data=(2, 4), sm_label=(2,))
    for name in sym.list_arguments():
        assert np.shares_memory(small.arg_dict[name]._data, ex.arg_dict[name]._data)
        assert np.shares_memory(small.grad_dict[name]._data, ex.grad_dict[name]._data)
    assert small.arg_dict["fc1_weight"] is not ex.arg_dict["fc1_weight"]
    small.arg_dict["data"][:] = 7
    assert (ex.arg_dict["data"].asnumpy()[:2] == 7).all()
    assert (ex.arg_dict["data"].asnumpy()[2:] == 0).all()


def test_debug_str_lists_the_graph_and_the_totals():
    sym, shapes = _mlp()
    text = sym.simple_bind(mx.cpu(), **shapes).debug_str()
    assert "Op:FullyConnected, Name=fc1" in text and "Op:_backward_FullyConnected" in text
    assert text.endswith("MB allocated\nTotal 11 TempSpace resource requested\n")
    null = sym.simple_bind(mx.cpu(), grad_req="null", **shapes).debug_str()
    assert "_backward_" not in null


def test_monitor_sees_outputs_that_nothing_reads():
    """A forward-only executor skips unread outputs (BatchNorm's mean/var); with a monitor
    installed they are computed, as MXNet computes them."""
    data = mx.sym.Variable("data")
    net = mx.sym.BatchNorm(data, name="bn", fix_gamma=False)
    exe = net.simple_bind(mx.cpu(), data=(4, 3), grad_req="null")
    exe.arg_dict["data"][:] = np.arange(12, dtype=np.float32).reshape(4, 3)
    seen = {}
    exe.set_monitor_callback(lambda name, arr: seen.__setitem__(name, arr.asnumpy()))
    exe.forward(is_train=True)
    np.testing.assert_allclose(seen[b"bn_mean"], [4.5, 5.5, 6.5])
