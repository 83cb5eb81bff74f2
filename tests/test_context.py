"""Device contexts against MXNet 1.9.1 (recorded cases) and symnet's CPU-only rules."""
from __future__ import annotations

import pickle
import threading
import warnings

import pytest

import symnet as mx
from symnet.base import MXNetError
from tests.test_ndarray import cases_of, check_case


@pytest.mark.parametrize("case", cases_of("context"))
def test_matches_mxnet(case):
    check_case(case)


def test_context_api_surface():
    ctx = mx.Context("cpu", 2)
    assert (ctx.device_type, ctx.device_id, ctx.device_typeid) == ("cpu", 2, 1)
    assert mx.context.Context is mx.Context and mx.context.cpu is mx.cpu
    assert mx.context.num_gpus() == 0
    assert {mx.cpu(1): "a"}[mx.Context("cpu", 1)] == "a"


def test_with_restores_on_error_and_nests_the_same_object():
    c1 = mx.cpu(1)
    with pytest.raises(ZeroDivisionError):
        with c1:
            1 / 0
    assert mx.current_context() == mx.cpu(0)
    with c1:
        with mx.cpu(2):
            with c1:
                assert mx.current_context() == mx.cpu(1)
            assert mx.current_context() == mx.cpu(2)
        assert mx.current_context() == mx.cpu(1)
    assert mx.current_context() == mx.cpu(0)


def test_default_context_is_per_thread():
    seen = []

    def worker():
        seen.append(mx.current_context())

    with mx.cpu(5):
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert mx.current_context() == mx.cpu(5)
    assert seen == [mx.cpu(0)]


def test_default_ctx_is_a_deprecated_class_property():
    with pytest.warns(DeprecationWarning, match="default_ctx has been deprecated"):
        assert mx.Context.default_ctx == mx.cpu(0)
    with mx.cpu(4):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert mx.Context.default_ctx == mx.cpu(4)


def test_unknown_device_is_a_key_error():
    with pytest.raises(KeyError):
        mx.Context("tpu")
    with pytest.raises(KeyError):
        mx.Context(4)
    assert mx.Context(2, 1) == mx.gpu(1)  # symnet extension: type ids as in NDArray files


def test_gpu_contexts_exist_but_hold_no_data():
    g = mx.gpu(1)
    assert repr(g) == "gpu(1)" and g != mx.cpu(1) and g.device_typeid == 2
    with pytest.raises(MXNetError, match="no GPU backend"):
        g.require_cpu()
    with pytest.raises(MXNetError, match="no GPU backend"):
        mx.nd.array([1.0], ctx=g)
    with pytest.raises(MXNetError, match="no GPU backend"):
        g.empty_cache()
    with pytest.raises(MXNetError, match="no GPU"):
        mx.context.gpu_memory_info(0)
    mx.cpu().empty_cache()


def test_cpu_ids_are_labels_only():
    a = mx.nd.array([1, 2], ctx=mx.cpu(3))
    b = mx.nd.array([10, 20])
    assert (a + b).context == mx.cpu(3)
    assert (b + a).context == mx.cpu(0)
    pinned = mx.nd.array([1], ctx=mx.cpu_pinned(0))
    assert pinned.context == mx.cpu_pinned(0)


def test_context_pickles():
    ctx = pickle.loads(pickle.dumps(mx.cpu(7)))
    assert ctx == mx.cpu(7)
    with ctx:
        assert mx.current_context() == mx.cpu(7)
