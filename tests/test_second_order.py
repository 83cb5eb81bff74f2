"""Second derivatives through ``Symbol.gradient``: gradient graphs are ordinary graphs of
registered operators, so they can be differentiated again.

``Symbol.gradient`` differentiates the sum of the outputs, so for an element-wise ``f`` the
gradient of ``f(x).gradient('x')`` is ``f''(x)``. Each case is checked twice: against the
analytic second derivative, and against central differences of the first-gradient symbol
(``(sum g1(x + h e_i) - sum g1(x - h e_i)) / 2h`` for every element ``i``).
"""
from __future__ import annotations

import numpy as np
import pytest

import symnet as mx
from symnet.ops.registry import find_op

H = 1e-5


def evaluate(sym, **arrays) -> np.ndarray:
    args = {k: mx.nd.array(v, dtype="float64") for k, v in arrays.items()
            if k in sym.list_arguments()}
    return sym.eval(**args)[0].asnumpy()


def central_differences(first, wrt: str, arrays: dict) -> np.ndarray:
    """d/d(arrays[wrt]) of sum(first(arrays)), one element at a time."""
    base = arrays[wrt]
    out = np.empty_like(base)
    for idx in np.ndindex(base.shape):
        hi, lo = base.copy(), base.copy()
        hi[idx] += H
        lo[idx] -= H
        out[idx] = (evaluate(first, **{**arrays, wrt: hi}).sum()
                    - evaluate(first, **{**arrays, wrt: lo}).sum()) / (2 * H)
    return out


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


ELEMENTWISE = {
    "tanh": (mx.sym.tanh, lambda x: -2 * np.tanh(x) / np.cosh(x) ** 2),
    "cube": (lambda v: v ** 3, lambda x: 6 * x),
    "sin": (mx.sym.sin, lambda x: -np.sin(x)),
    "exp": (mx.sym.exp, np.exp),
    "sigmoid": (mx.sym.sigmoid,
                lambda x: _sigmoid(x) * (1 - _sigmoid(x)) * (1 - 2 * _sigmoid(x))),
    "tanh_of_sin": (lambda v: mx.sym.tanh(mx.sym.sin(v)),
                    lambda x: (-2 * np.tanh(np.sin(x)) * np.cos(x) ** 2
                               - np.sin(x)) / np.cosh(np.sin(x)) ** 2),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_second_derivative(name):
    build, analytic = ELEMENTWISE[name]
    x = np.random.default_rng(1).uniform(-1.5, 1.5, (2, 3))
    first = build(mx.sym.var("x")).gradient("x")
    second = first.gradient("x")
    got = evaluate(second, x=x)
    np.testing.assert_allclose(got, analytic(x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got, central_differences(first, "x", {"x": x}),
                               rtol=1e-6, atol=1e-8)


def test_second_gradient_is_a_plain_graph():
    first = mx.sym.tanh(mx.sym.var("x")).gradient("x")
    second = first.gradient("x")
    assert second.list_arguments() == ["x"]
    # it infers, serialises and reloads like any symbol
    assert second.infer_shape(x=(2, 3))[1] == [(2, 3)]
    again = mx.sym.load_json(second.tojson())
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    np.testing.assert_array_equal(evaluate(again, x=x), evaluate(second, x=x))


def test_third_derivative_of_sin():
    x = np.linspace(-2, 2, 5)
    third = mx.sym.sin(mx.sym.var("x")).gradient("x").gradient("x").gradient("x")
    np.testing.assert_allclose(evaluate(third, x=x), -np.cos(x), rtol=1e-12, atol=1e-14)


# ---- dot -----------------------------------------------------------------------------------
def _need_dot_gradient():
    if find_op("dot").gradient is None:
        pytest.skip("dot has no gradient yet")


def _dot_inputs():
    rng = np.random.default_rng(2)
    return {"x": rng.uniform(-1, 1, (2, 3)), "w": rng.uniform(-1, 1, (3, 4))}


def test_dot_second_derivatives_of_a_bilinear_form():
    # f = sum(dot(x, w)): d f/dx = 1 w^T does not depend on x (second derivative 0) and
    # sum(d f/dx) = n * sum(w), whose gradient in w is n everywhere
    _need_dot_gradient()
    arrays = _dot_inputs()
    x, w = mx.sym.var("x"), mx.sym.var("w")
    first = mx.sym.dot(x, w).gradient("x")
    np.testing.assert_allclose(evaluate(first, **arrays),
                               np.ones((2, 4)) @ arrays["w"].T, rtol=1e-12)
    np.testing.assert_array_equal(evaluate(first.gradient("x"), **arrays), np.zeros((2, 3)))
    np.testing.assert_allclose(evaluate(first.gradient("w"), **arrays), np.full((3, 4), 2.0),
                               rtol=1e-12)


def test_dot_second_derivatives_of_a_quadratic_form():
    # f = sum(square(dot(x, w))): g1 = d f/dx = 2 (x w) w^T, S = sum(g1) = 2 a^T w w^T 1
    # with a = x^T 1; dS/dx = 2 (w w^T 1) in every row, dS/dw = 2 (a c^T + 1 d^T) with
    # c = w^T 1, d = w^T a.
    _need_dot_gradient()
    arrays = _dot_inputs()
    xv, wv = arrays["x"], arrays["w"]
    x, w = mx.sym.var("x"), mx.sym.var("w")
    first = mx.sym.square(mx.sym.dot(x, w)).gradient("x")
    np.testing.assert_allclose(evaluate(first, **arrays), 2 * (xv @ wv) @ wv.T, rtol=1e-12)
    ones_k = np.ones(3)
    a = xv.T @ np.ones(2)
    expected_x = np.tile(2 * (wv @ wv.T @ ones_k), (2, 1))
    expected_w = 2 * (np.outer(a, wv.T @ ones_k) + np.outer(ones_k, wv.T @ a))
    for wrt, expected in (("x", expected_x), ("w", expected_w)):
        got = evaluate(first.gradient(wrt), **arrays)
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got, central_differences(first, wrt, arrays),
                                   rtol=1e-6, atol=1e-8)


def test_dot_second_derivative_through_tanh():
    # no closed form used: the second-derivative graph against central differences
    _need_dot_gradient()
    arrays = _dot_inputs()
    x, w = mx.sym.var("x"), mx.sym.var("w")
    first = mx.sym.tanh(mx.sym.dot(x, w)).gradient("w")
    for wrt in ("x", "w"):
        got = evaluate(first.gradient(wrt), **arrays)
        np.testing.assert_allclose(got, central_differences(first, wrt, arrays),
                                   rtol=1e-6, atol=1e-8)
