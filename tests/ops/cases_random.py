"""Cases for symnet/ops/defs/random_ops.py.

Samples have no exact reference, so every case uses ``check=``: output shape and dtype, support
(range, integrality) and the first two moments of a 20000-sample draw against the distribution's
formulas, with tolerances of several standard errors. The ``inputs`` factories seed the global
generator first (``mx.nd`` calls draw from it), so the forward checks are deterministic; the
kernel-level checks (add mode, in place) use the harness's fixed-seed generator.
"""
from __future__ import annotations

import math

import numpy as np

import symnet as mx

from .harness import OpCase

N_ROWS, N_COLS = 100, 200
SHAPE = (N_ROWS, N_COLS)


def _seeded(*arrays_of):
    """An inputs factory: seed the global generator, then build the inputs (if any)."""

    def make(rng, dtype):
        mx.random.seed(1234)
        return [np.asarray(f(dtype)) for f in arrays_of]
    return make


def _moments(sample: np.ndarray, mean: float, var: float, what: str) -> None:
    sample = sample.astype(np.float64).ravel()
    n = sample.size
    assert abs(sample.mean() - mean) <= 6 * math.sqrt(var / n) + 1e-3 * abs(mean), \
        f"{what}: mean {sample.mean()} vs {mean}"
    assert abs(sample.var() - var) <= 0.12 * var + 1e-3, f"{what}: var {sample.var()} vs {var}"


def _support(sample: np.ndarray, low=None, high=None, integral=False, what="") -> None:
    values = sample.astype(np.float64)
    if low is not None:
        assert values.min() >= low, f"{what}: min {values.min()} < {low}"
    if high is not None:
        assert values.max() < high, f"{what}: max {values.max()} >= {high}"
    if integral:
        np.testing.assert_array_equal(values, np.round(values), err_msg=what)


def _scalar_check(shape, dtype, mean, var, **support):
    def check(outputs, inputs):
        out = outputs[0]
        assert out.shape == shape and out.dtype == np.dtype(dtype), (out.shape, out.dtype)
        _support(out, what=f"{dtype}", **support)
        _moments(out, mean, var, f"{dtype}")
    return check


def _like_check(mean, var, support):
    """The output takes the input's shape and dtype."""
    def check(outputs, inputs):
        _scalar_check(inputs[0].shape, inputs[0].dtype, mean, var, **support)(outputs, inputs)
    return check


# name -> (attrs, mean, variance, support)
SCALAR = {
    "uniform": ({"low": -2.0, "high": 3.0}, 0.5, 25 / 12, {"low": -2.0, "high": 3.0}),
    "normal": ({"loc": 1.5, "scale": 2.0}, 1.5, 4.0, {}),
    "exponential": ({"lam": 4.0}, 0.25, 1 / 16, {"low": 0.0}),
    "gamma": ({"alpha": 9.0, "beta": 0.5}, 4.5, 2.25, {"low": 0.0}),
    "poisson": ({"lam": 4.0}, 4.0, 4.0, {"low": 0.0, "integral": True}),
    "negative_binomial": ({"k": 3, "p": 0.4}, 4.5, 11.25, {"low": 0.0, "integral": True}),
    "generalized_negative_binomial": ({"mu": 2.0, "alpha": 0.3}, 2.0, 3.2,
                                      {"low": 0.0, "integral": True}),
}

CASES = []
for _name, (_attrs, _mean, _var, _sup) in SCALAR.items():
    for _dt in ("float32", "float64", None):
        _out = _dt or "float32"
        attrs = dict(_attrs, shape=SHAPE, **({"dtype": _dt} if _dt else {}))
        CASES.append(OpCase(f"_random_{_name}", _seeded(), attrs=attrs,
                            check=_scalar_check(SHAPE, _out, _mean, _var, **_sup),
                            dtypes=(_out,), grad=False, id=_dt or "default-dtype"))
    CASES.append(OpCase(f"_random_{_name}_like", _seeded(lambda dt: np.zeros(SHAPE, dt)),
                        attrs=_attrs, check=_like_check(_mean, _var, _sup),
                        dtypes=("float32", "float64"), grad=False))

CASES.append(OpCase("_random_uniform", _seeded(), attrs={"shape": (50, 40), "dtype": "float16",
                                                         "low": 0, "high": 1},
                    check=_scalar_check((50, 40), "float16", 0.5, 1 / 12, low=0.0, high=1.0),
                    dtypes=("float16",), grad=False, id="float16"))
CASES.append(OpCase("_random_generalized_negative_binomial", _seeded(),
                    attrs={"mu": 3.0, "alpha": 0.0, "shape": SHAPE},
                    check=_scalar_check(SHAPE, "float32", 3.0, 3.0, low=0.0, integral=True),
                    dtypes=("float32",), grad=False, id="alpha0-poisson"))


def _randint_check(low, high, dtype):
    def check(outputs, inputs):
        out = outputs[0]
        assert out.shape == SHAPE and out.dtype == np.dtype(dtype)
        assert set(np.unique(out).tolist()) == set(range(low, high))
        _moments(out, (low + high - 1) / 2, ((high - low) ** 2 - 1) / 12, "randint")
    return check


for _dt in ("int32", "int64", None):
    CASES.append(OpCase("_random_randint", _seeded(),
                        attrs=dict(low=-3, high=5, shape=SHAPE, **({"dtype": _dt} if _dt else {})),
                        check=_randint_check(-3, 5, _dt or "int32"), dtypes=(_dt or "int32",),
                        grad=False, id=_dt or "default-dtype"))


# ---- _sample_<dist>: one distribution per element of the parameter arrays --------------------
# name -> (parameter rows, per-row (mean, variance), per-row support)
SAMPLE = {
    "uniform": (([0.0, 10.0], [1.0, 20.0]), [(0.5, 1 / 12), (15.0, 100 / 12)],
                [{"low": 0.0, "high": 1.0}, {"low": 10.0, "high": 20.0}]),
    "normal": (([0.0, 5.0], [1.0, 0.5]), [(0.0, 1.0), (5.0, 0.25)], [{}, {}]),
    "exponential": (([1.0, 4.0],), [(1.0, 1.0), (0.25, 1 / 16)], [{"low": 0.0}] * 2),
    "gamma": (([1.0, 9.0], [2.0, 0.5]), [(2.0, 4.0), (4.5, 2.25)], [{"low": 0.0}] * 2),
    "poisson": (([1.0, 4.0],), [(1.0, 1.0), (4.0, 4.0)], [{"low": 0.0, "integral": True}] * 2),
    "negative_binomial": (([3.0, 1.0], [0.4, 0.5]), [(4.5, 11.25), (1.0, 2.0)],
                          [{"low": 0.0, "integral": True}] * 2),
    "generalized_negative_binomial": (([2.0, 3.0], [0.3, 0.0]), [(2.0, 3.2), (3.0, 3.0)],
                                      [{"low": 0.0, "integral": True}] * 2),
}
N_SAMPLES = 10000


def _sample_check(moments, supports, dtype):
    def check(outputs, inputs):
        out = outputs[0]
        assert out.shape == (2, N_SAMPLES) and out.dtype == np.dtype(dtype), \
            (out.shape, out.dtype)
        for row, (mean, var), support in zip(out, moments, supports):
            _support(row, what=f"mean {mean}", **support)
            _moments(row, mean, var, f"mean {mean}")
    return check


def _row(values):
    return lambda dt: np.array(values, dt)


for _name, (_rows, _mom, _sup) in SAMPLE.items():
    # the output is float32 whatever the parameter dtype, unless dtype= says otherwise
    CASES.append(OpCase(f"_sample_{_name}", _seeded(*[_row(r) for r in _rows]),
                        attrs={"shape": (N_SAMPLES,)}, check=_sample_check(_mom, _sup,
                                                                           "float32"),
                        dtypes=("float32", "float64"), grad=False))
    CASES.append(OpCase(f"_sample_{_name}", _seeded(*[_row(r) for r in _rows]),
                        attrs={"shape": (N_SAMPLES,), "dtype": "float64"},
                        check=_sample_check(_mom, _sup, "float64"), dtypes=("float32",),
                        grad=False, id="dtype-float64"))


def _sample_one_check(outputs, inputs):
    low, high = inputs
    out = outputs[0]
    assert out.shape == low.shape and out.dtype == np.float32
    assert np.all((out >= low) & (out < high))


CASES.append(OpCase("_sample_uniform", _seeded(lambda dt: np.zeros((3, 4), dt),
                                               lambda dt: np.arange(1, 13, dtype=dt).reshape(3, 4)),
                    check=_sample_one_check, dtypes=("float32",), grad=False, id="no-shape"))


# ---- multinomial and shuffle -------------------------------------------------------------------
PROBS = [[0.0, 0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1, 0.0]]


def _multinomial_check(n, get_prob, dtype="int32"):
    def check(outputs, inputs):
        probs = inputs[0]
        assert len(outputs) == (2 if get_prob else 1)
        samples = outputs[0]
        assert samples.shape == (2, n) and samples.dtype == np.dtype(dtype)
        for row, p in zip(samples, probs):
            freq = np.bincount(row.astype(np.int64), minlength=5) / n
            np.testing.assert_allclose(freq, p, atol=6 * math.sqrt(0.25 / n))
            assert freq[p == 0].sum() == 0
        if get_prob:
            logp = outputs[1]
            assert logp.dtype == probs.dtype and logp.shape == samples.shape
            expected = [[math.log(p[int(k)]) for k in row] for row, p in zip(samples, probs)]
            np.testing.assert_allclose(logp, np.array(expected), rtol=1e-3)
    return check


CASES.append(OpCase("_sample_multinomial", _seeded(_row(PROBS)), attrs={"shape": (4000,)},
                    check=_multinomial_check(4000, False), dtypes=("float32", "float64"),
                    grad=False))
CASES.append(OpCase("_sample_multinomial", _seeded(_row(PROBS)),
                    attrs={"shape": 4000, "get_prob": True},
                    check=_multinomial_check(4000, True), dtypes=("float32", "float64"),
                    grad=False, id="get_prob"))
CASES.append(OpCase("_sample_multinomial", _seeded(_row(PROBS)),
                    attrs={"shape": (4000,), "dtype": "float32"},
                    check=_multinomial_check(4000, False, "float32"), dtypes=("float32",),
                    grad=False, id="dtype-float32"))


def _single_check(outputs, inputs):
    assert outputs[0].shape == (1,) and outputs[0].dtype == np.int32
    assert outputs[0][0] in (0, 1)


CASES.append(OpCase("_sample_multinomial", _seeded(_row([0.5, 0.5])), check=_single_check,
                    dtypes=("float32",), grad=False, id="1d-one-sample"))


def _shuffle_check(outputs, inputs):
    data, out = inputs[0], outputs[0]
    assert out.shape == data.shape and out.dtype == data.dtype
    rows = [tuple(np.atleast_1d(r).tolist()) for r in out]
    assert sorted(rows) == sorted(tuple(np.atleast_1d(r).tolist()) for r in data)
    assert rows != [tuple(np.atleast_1d(r).tolist()) for r in data]  # 1/50! odds of equality


CASES.append(OpCase("_shuffle", _seeded(lambda dt: np.arange(150).reshape(50, 3).astype(dt)),
                    check=_shuffle_check, dtypes=("float32", "float64", "int32"), grad=False))
CASES.append(OpCase("_shuffle", _seeded(lambda dt: np.arange(30).astype(dt)),
                    check=_shuffle_check, dtypes=("float32",), grad=False, id="1d"))
