"""``ops.kernel.sum_rows`` / ``sum_columns`` / ``channel_sums``: BLAS products where they apply,
NumPy elsewhere."""
from __future__ import annotations

import numpy as np
import pytest

from symnet.ops.kernel import channel_sums, sum_columns, sum_rows


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32"])
@pytest.mark.parametrize("shape", [(5, 7), (1, 3), (3, 1), (0, 4), (4, 0)])
def test_sums_match_numpy(dtype, shape):
    a = np.random.default_rng(0).uniform(-3, 3, shape).astype(dtype)
    tol = 1e-2 if dtype == "float16" else 1e-5
    np.testing.assert_allclose(sum_rows(a), a.sum(axis=1), rtol=tol, atol=tol)
    np.testing.assert_allclose(sum_columns(a), a.sum(axis=0), rtol=tol, atol=tol)
    assert sum_rows(a).dtype == a.sum(axis=1).dtype


def test_non_contiguous_and_out():
    a = np.random.default_rng(1).normal(size=(6, 8))
    view = a[:, ::2]
    np.testing.assert_allclose(sum_rows(view), view.sum(axis=1))
    np.testing.assert_allclose(sum_columns(view.T), view.T.sum(axis=0))
    out = np.full(8, 7.0)
    assert sum_columns(a, out) is out
    np.testing.assert_allclose(out, a.sum(axis=0))
    out32 = np.zeros(6, np.float32)  # a mismatched out dtype goes through NumPy
    sum_rows(a, out32)
    np.testing.assert_allclose(out32, a.sum(axis=1), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("shape", [(2, 3, 5), (4, 3, 1), (0, 3, 2), (2, 3, 0)])
def test_channel_sums_match_numpy(dtype, shape):
    a = np.random.default_rng(2).uniform(-3, 3, shape).astype(dtype)
    tol = 1e-2 if dtype == "float16" else 1e-5
    np.testing.assert_allclose(channel_sums(a), a.sum(axis=(0, 2)), rtol=tol, atol=tol)
    strided = np.random.default_rng(3).normal(size=(3, 4, 6))[:, :, ::2]
    np.testing.assert_allclose(channel_sums(strided), strided.sum(axis=(0, 2)))
