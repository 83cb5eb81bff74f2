"""sgd_update / sgd_mom_update against values printed by MXNet 1.9.1.

    w = mx.nd.array([1., 2.]); g = mx.nd.array([10., -10.]); m = mx.nd.array([.5, .5])
    mx.nd.sgd_update(w, g, lr=0.1, wd=0.01, rescale_grad=0.5, clip_gradient=2)  # [0.799 2.198]
    mx.nd.sgd_mom_update(w, g, m, lr=0.1, momentum=0.9, wd=0.01, rescale_grad=0.5,
                         clip_gradient=2)                    # [1.249 2.648], m -> [0.249 0.648]
"""
import numpy as np

import symnet as mx

KW = dict(lr=0.1, wd=0.01, rescale_grad=0.5, clip_gradient=2)


def test_sgd_update_matches_mxnet_and_updates_in_place():
    w, g = mx.nd.array([1.0, 2.0]), mx.nd.array([10.0, -10.0])
    buffer = w.handle
    out = mx.nd.sgd_update(w, g, out=w, **KW)
    assert out is w and w.handle is buffer
    np.testing.assert_allclose(w.asnumpy(), [0.799, 2.198], rtol=1e-6)


def test_sgd_mom_update_matches_mxnet_and_mutates_momentum():
    w, g, m = mx.nd.array([1.0, 2.0]), mx.nd.array([10.0, -10.0]), mx.nd.array([0.5, 0.5])
    out = mx.nd.sgd_mom_update(w, g, m, momentum=0.9, **KW)
    np.testing.assert_allclose(out.asnumpy(), [1.249, 2.648], rtol=1e-6)
    np.testing.assert_allclose(m.asnumpy(), [0.249, 0.648], rtol=1e-6)
    np.testing.assert_allclose(w.asnumpy(), [1.0, 2.0])


def test_lr_is_required():
    import pytest
    with pytest.raises(mx.MXNetError, match="Required parameter lr"):
        mx.nd.sgd_update(mx.nd.ones(2), mx.nd.ones(2))


def test_in_place_update_fast_path_matches_formula():
    """out=weight (the optimizer's call) updates the very buffer; same numbers."""
    rng = np.random.default_rng(0)
    for dtype in ("float32", "float64"):
        w0, g0 = rng.normal(size=(5, 7)), rng.normal(size=(5, 7))
        w, g = mx.nd.array(w0, dtype=dtype), mx.nd.array(g0, dtype=dtype)
        buffer = w.handle
        mx.nd.sgd_update(w, g, lr=0.1, wd=0.01, rescale_grad=0.5, out=w)
        expected = w0 - 0.1 * (0.5 * g0 + 0.01 * w0)
        assert w.handle is buffer
        np.testing.assert_allclose(w.asnumpy(), expected, rtol=1e-5 if dtype == "float32"
                                   else 1e-12)
