"""``mx.random`` / ``mx.nd.random`` and the random operators' records and inference.

Signatures, names, defaults and error wording were recorded with MXNet 1.9.1; sampled numbers
are symnet's own, so the tests check reproducibility and distributions, not values.
"""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import symnet as mx
from symnet.base import MXNetError
from symnet.ops.registry import find_op, get_op

nd = mx.nd

SIGNATURES = {  # inspect.signature(mx.nd.random.X) in MXNet 1.9.1
    'uniform': '(low=0, high=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs)',
    'normal': '(loc=0, scale=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs)',
    'randn': '(*shape, **kwargs)',
    'poisson': '(lam=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs)',
    'exponential': '(scale=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs)',
    'gamma': '(alpha=1, beta=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs)',
    'multinomial': "(data, shape=_Null, get_prob=False, out=None, dtype='int32', **kwargs)",
    'negative_binomial': '(k=1, p=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs)',
    'generalized_negative_binomial': '(mu=1, alpha=1, shape=_Null, dtype=_Null, ctx=None, '
                                     'out=None, **kwargs)',
    'shuffle': '(data, **kwargs)',
    'randint': '(low, high, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs)',
}

DRAWS = {  # one call of every sampler, for reproducibility tests
    "uniform": lambda: nd.random.uniform(-1, 1, shape=(3, 4)),
    "normal": lambda: nd.random.normal(2, 3, shape=7),
    "randn": lambda: nd.random.randn(2, 3),
    "poisson": lambda: nd.random.poisson(5, shape=20),
    "exponential": lambda: nd.random.exponential(2, shape=9),
    "gamma": lambda: nd.random.gamma(2, 2, shape=9),
    "multinomial": lambda: nd.random.multinomial(nd.array([0.2, 0.3, 0.5]), shape=30),
    "negative_binomial": lambda: nd.random.negative_binomial(3, 0.4, shape=20),
    "generalized_negative_binomial":
        lambda: nd.random.generalized_negative_binomial(2, 0.3, shape=20),
    "shuffle": lambda: nd.random.shuffle(nd.arange(20)),
    "randint": lambda: nd.random.randint(0, 1000, shape=20),
    "uniform-ndarray": lambda: nd.random.uniform(nd.zeros(3), nd.ones(3), shape=4),
    "normal_like": lambda: nd.random.normal_like(nd.zeros((3, 3))),
}


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_signatures_match_mxnet(name):
    assert str(inspect.signature(getattr(nd.random, name))) == SIGNATURES[name]


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_mx_random_exposes_samplers(name):
    assert getattr(mx.random, name) is getattr(nd.random, name)
    assert name in dir(mx.random)


def test_mx_random_unknown_attribute():
    with pytest.raises(AttributeError):
        mx.random.no_such_sampler  # noqa: B018


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_seed_reproducibility(name):
    draw = DRAWS[name]
    mx.random.seed(42)
    first = draw().asnumpy()
    mx.random.seed(42)
    again = draw().asnumpy()
    mx.random.seed(43)
    other = draw().asnumpy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert not np.array_equal(first, draw().asnumpy())  # the stream moves on


def test_seed_arguments():
    mx.random.seed(7, ctx=mx.cpu())
    a = nd.random.uniform(shape=5).asnumpy()
    mx.random.seed(np.int64(7), ctx="all")
    np.testing.assert_array_equal(a, nd.random.uniform(shape=5).asnumpy())
    mx.random.seed(-1)  # wrapped like MXNet's C int
    for bad in (1.5, "1", True, None):
        with pytest.raises(ValueError, match="seed_state must be int"):
            mx.random.seed(bad)


def test_defaults():
    mx.random.seed(0)
    x = nd.random.uniform()
    assert x.shape == (1,) and x.dtype == np.float32 and x.context == mx.cpu()
    assert 0 <= x.asscalar() < 1
    r = nd.random.randint(3, 9)
    assert r.shape == (1,) and r.dtype == np.int32 and 3 <= r.asscalar() < 9
    assert nd.random.randint(0, 2 ** 40, shape=3, dtype="int64").dtype == np.int64
    assert nd.random.normal(shape=(2, 2), dtype="float64").dtype == np.float64
    assert nd.random.poisson(2.0, shape=3, dtype="float16").dtype == np.float16
    assert nd.random.uniform(ctx=mx.cpu(2)).context == mx.cpu(2)
    with mx.cpu(1):
        assert nd.random.normal().context == mx.cpu(1)
    assert nd.random.randn(2, 3, loc=5, scale=0.1).shape == (2, 3)
    assert nd.random.uniform(np.float64(0.5), 1.0, shape=2).shape == (2,)


def test_out_argument():
    out = nd.zeros((3, 2), dtype="float64")
    assert nd.random.uniform(2, 3, out=out) is out
    values = out.asnumpy()
    assert values.dtype == np.float64 and np.all((values >= 2) & (values < 3))
    ints = nd.zeros(4, dtype="int64")
    nd.random.randint(0, 5, out=ints)
    assert ints.asnumpy().max() < 5
    with pytest.raises(MXNetError, match="Output type must be float16, float32, float64"):
        nd.random.uniform(out=nd.zeros(2, dtype="int32"))
    with pytest.raises(MXNetError, match="Output type does not match requested type"):
        nd.random.uniform(shape=2, dtype="float32", out=nd.zeros(2, dtype="float64"))


def test_ndarray_parameters_use_sample_ops():
    low, high = nd.array([0, 10, 100]), nd.array([1, 20, 200])
    x = nd.random.uniform(low, high, shape=(4, 5)).asnumpy()
    assert x.shape == (3, 4, 5) and x.dtype == np.float32
    for row, lo, hi in zip(x, [0, 10, 100], [1, 20, 200]):
        assert row.min() >= lo and row.max() < hi
    assert nd.random.normal(nd.zeros((2, 2)), nd.ones((2, 2))).shape == (2, 2)
    scale = nd.array([1.0, 100.0])
    e = nd.random.exponential(scale, shape=5000).asnumpy()
    assert e.shape == (2, 5000)
    assert abs(e[0].mean() - 1.0) < 0.1 and abs(e[1].mean() - 100.0) < 10
    assert nd.random.poisson(nd.array([3.0]), shape=2).shape == (1, 2)
    assert nd.random.gamma(nd.ones(2), nd.ones(2), shape=3, dtype="float64").dtype == np.float64


def test_exponential_scale_is_inverse_rate():
    mx.random.seed(3)
    x = nd.random.exponential(scale=4.0, shape=20000).asnumpy()
    assert abs(x.mean() - 4.0) < 0.2


def test_parameter_type_errors():
    with pytest.raises(AssertionError, match="must all have the same type"):
        nd.random.uniform(nd.zeros(1), 1)
    with pytest.raises(AssertionError, match="must all have the same type"):
        nd.random.normal(0, nd.ones(1))
    with pytest.raises(ValueError, match="must be either NDArray or numbers"):
        nd.random.uniform("a", 1)
    with pytest.raises(ValueError, match="randint does not support NDArray"):
        nd.random.randint(nd.zeros(1), nd.ones(1))
    with pytest.raises(MXNetError, match="gpu"):
        nd.random.uniform(ctx=mx.gpu())


CHECKS = [  # MXNet 1.9.1's parameter checks (wording of the check message)
    (lambda: nd.random.uniform(2, 1), "low must be less or equal to high in uniform "
                                      "distribution"),
    (lambda: nd.random.normal(0, 0), "scale parameter in gaussian has to be positive"),
    (lambda: nd.random.normal(0, -1), "scale parameter in gaussian has to be positive"),
    (lambda: nd._internal._random_exponential(lam=0, shape=2),
     "lambda parameter in exponential distribution has to be positive"),
    (lambda: nd.random.gamma(0, 1), "alpha parameter in gamma distribution has to be positive"),
    (lambda: nd.random.gamma(1, -1), "beta parameter in gamma distribution has to be positive"),
    (lambda: nd.random.poisson(-1), "lambda parameter in poisson distribution has to be "
                                    "non-negative"),
    (lambda: nd.random.negative_binomial(-1, 0.5),
     "k parameter in negative binomial distribution has to be non-negative"),
    (lambda: nd.random.generalized_negative_binomial(-1, 1),
     "mu parameter in generalized negative binomial distribution has to be non-negative"),
    (lambda: nd.random.generalized_negative_binomial(1, -1),
     "alpha parameter in generalized negative binomial distribution has to be non-negative"),
    (lambda: nd.random.randint(4, 3), "low must be less or equal to high"),
    (lambda: nd.random.randint(3, 3), "empty"),
    (lambda: nd.random.randint(0.5, 3), "Invalid Parameter format for low expect long but "
                                        "value='0.5'"),
    (lambda: nd.random.uniform(shape=2, dtype="int32"), "Invalid Input: 'int32', valid values "
                                                        "are:"),
    (lambda: nd.random.randint(0, 5, dtype="float32"), "Invalid Input: 'float32'"),
    (lambda: nd.random.multinomial(nd.array([0.5, 0.5]), dtype="int64"),
     "Invalid Input: 'int64'"),
    (lambda: nd.random.multinomial(nd.array([1, 0], dtype="int32")),
     "This operation only support floating point types, not int32"),
    (lambda: nd.random.uniform_like(nd.zeros(2, dtype="int32")),
     "This operation only support floating point types, not int32"),
    (lambda: nd.random.uniform(shape=(2, 0)), "infer"),
    (lambda: nd.random.randn(), "infer"),
]


@pytest.mark.parametrize("index", range(len(CHECKS)))
def test_parameter_checks(index):
    call, message = CHECKS[index]
    with pytest.raises(MXNetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_sample_params_out_of_domain_raise():
    with pytest.raises(MXNetError, match="invalid distribution parameters"):
        nd.random.poisson(nd.array([-1.0]))


def test_equal_bounds_and_degenerate_parameters():
    assert nd.random.uniform(1, 1, shape=3).asnumpy().tolist() == [1.0, 1.0, 1.0]
    assert nd.random.poisson(0, shape=3).asnumpy().tolist() == [0.0, 0.0, 0.0]
    assert nd.random.negative_binomial(0, 0.5, shape=2).asnumpy().tolist() == [0.0, 0.0]
    assert nd.random.negative_binomial(2, 1.0, shape=2).asnumpy().tolist() == [0.0, 0.0]


def test_multinomial_get_prob():
    probs = nd.array([[0, 0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1, 0]])
    samples, logp = nd.random.multinomial(probs, shape=(3, 2), get_prob=True)
    assert samples.shape == (2, 3, 2) and logp.shape == (2, 3, 2)
    assert samples.dtype == np.int32 and logp.dtype == np.float32
    p = probs.asnumpy()
    s = samples.asnumpy()
    for b in range(2):
        np.testing.assert_allclose(logp.asnumpy()[b], np.log(p[b][s[b]]), rtol=1e-6)
    assert 0 not in s[0] and 4 not in s[1]
    one = nd.random.multinomial(nd.array([0.25, 0.75]))
    assert one.shape == (1,) and one.dtype == np.int32
    assert nd.random.multinomial(probs).shape == (2,)
    assert nd.random.multinomial(nd.ones((2, 3, 4)) / 4, shape=5).shape == (2, 3, 5)
    assert nd.random.multinomial(nd.array([1.0]), shape=3).asnumpy().tolist() == [0, 0, 0]
    assert nd.random.multinomial(probs, dtype="float32").dtype == np.float32
    # unnormalised: outcomes whose running sum passes 1 are never reached, as in MXNet
    assert set(nd.random.multinomial(nd.array([1.0, 3.0]), shape=50).asnumpy().tolist()) == {0}


def test_shuffle_is_a_permutation_of_rows():
    data = nd.array(np.arange(24).reshape(8, 3))
    mx.random.seed(5)
    out = nd.random.shuffle(data)
    assert out is not data and out.shape == (8, 3)
    rows = out.asnumpy()
    np.testing.assert_array_equal(np.sort(rows[:, 0]), np.arange(0, 24, 3))
    np.testing.assert_array_equal(rows - rows[:, :1], np.tile([0, 1, 2], (8, 1)))
    np.testing.assert_array_equal(data.asnumpy(), np.arange(24).reshape(8, 3))  # unchanged
    assert nd.shuffle(nd.arange(5, dtype="int32")).dtype == np.int32
    target = nd.zeros((8, 3))
    assert nd.random.shuffle(data, out=target) is target


ALIASES = {  # operator -> aliases, as listed by MXNet 1.9.1's mx.nd
    "_random_uniform": {"uniform", "random_uniform"},
    "_random_normal": {"normal", "random_normal"},
    "_random_randint": {"random_randint"},
    "_random_exponential": {"random_exponential"},
    "_random_gamma": {"random_gamma"},
    "_random_poisson": {"random_poisson"},
    "_random_negative_binomial": {"random_negative_binomial"},
    "_random_generalized_negative_binomial": {"random_generalized_negative_binomial"},
    "_sample_uniform": {"sample_uniform"}, "_sample_normal": {"sample_normal"},
    "_sample_exponential": {"sample_exponential"}, "_sample_gamma": {"sample_gamma"},
    "_sample_poisson": {"sample_poisson"},
    "_sample_negative_binomial": {"sample_negative_binomial"},
    "_sample_generalized_negative_binomial": {"sample_generalized_negative_binomial"},
    "_sample_multinomial": {"sample_multinomial"}, "_shuffle": {"shuffle"},
}


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_aliases(name):
    op = get_op(name)
    assert set(op.aliases) == ALIASES[name]
    for alias in ALIASES[name]:
        assert find_op(alias) is op and callable(getattr(nd, alias))
    assert op.needs_rng and not op.fluent


FIELDS = {  # parameter names and defaults of MXNet 1.9.1's operators
    "_random_uniform": [("low", 0.0), ("high", 1.0), ("shape", None), ("ctx", ""),
                        ("dtype", None)],
    "_random_normal": [("loc", 0.0), ("scale", 1.0), ("shape", None), ("ctx", ""),
                       ("dtype", None)],
    "_random_randint": [("low", "R"), ("high", "R"), ("shape", None), ("ctx", ""),
                        ("dtype", None)],
    "_random_exponential": [("lam", 1.0), ("shape", None), ("ctx", ""), ("dtype", None)],
    "_random_gamma": [("alpha", 1.0), ("beta", 1.0), ("shape", None), ("ctx", ""),
                      ("dtype", None)],
    "_random_poisson": [("lam", 1.0), ("shape", None), ("ctx", ""), ("dtype", None)],
    "_random_negative_binomial": [("k", 1), ("p", 1.0), ("shape", None), ("ctx", ""),
                                  ("dtype", None)],
    "_random_generalized_negative_binomial": [("mu", 1.0), ("alpha", 1.0), ("shape", None),
                                              ("ctx", ""), ("dtype", None)],
    "_random_uniform_like": [("low", 0.0), ("high", 1.0)],
    "_random_negative_binomial_like": [("k", 1), ("p", 1.0)],
    "_sample_uniform": [("shape", ()), ("dtype", None)],
    "_sample_multinomial": [("shape", ()), ("get_prob", False), ("dtype", "int32")],
    "_shuffle": [],
}
INPUTS = {
    "_sample_uniform": ("low", "high"), "_sample_normal": ("mu", "sigma"),
    "_sample_exponential": ("lam",), "_sample_gamma": ("alpha", "beta"),
    "_sample_poisson": ("lam",), "_sample_negative_binomial": ("k", "p"),
    "_sample_generalized_negative_binomial": ("mu", "alpha"),
    "_sample_multinomial": ("data",), "_shuffle": ("data",), "_random_uniform": (),
    "_random_randint": (), "_random_gamma_like": ("data",),
}


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_operator_fields(name):
    got = [(f.name, "R" if f.required else f.default) for f in get_op(name).fields]
    assert got == FIELDS[name]


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_operator_inputs(name):
    assert get_op(name).arg_names == INPUTS[name]


def test_like_functions():
    x = nd.zeros((3, 4), dtype="float64")
    y = nd.random.uniform_like(x, low=2, high=3)
    assert y.shape == (3, 4) and y.dtype == np.float64
    assert np.all((y.asnumpy() >= 2) & (y.asnumpy() < 3))
    assert nd.random.normal_like(data=nd.zeros(2, dtype="float16")).dtype == np.float16
    for name in ("exponential", "gamma", "poisson", "negative_binomial",
                 "generalized_negative_binomial"):
        fn = getattr(nd.random, f"{name}_like")
        assert fn.__name__ == f"{name}_like" and fn(nd.ones((2, 2))).shape == (2, 2)


# ---- shape/type inference ----------------------------------------------------------------------
def _shapes(name, attrs, ins, outs):
    op = get_op(name)
    return op.shapes(op.parse(attrs), list(ins), list(outs))


def _types(name, attrs, ins, outs):
    op = get_op(name)
    return op.types(op.parse(attrs), list(ins), list(outs))


def test_random_shape_inference():
    assert _shapes("_random_uniform", {"shape": (2, 3)}, [], [None]) == ([], [(2, 3)])
    assert _shapes("_random_uniform", {}, [], [(4, 5)]) == ([], [(4, 5)])
    assert _shapes("_random_normal", {"shape": (0, 3)}, [], [None]) == ([], [(None, 3)])
    with pytest.raises(MXNetError, match="Shape inconsistent"):
        _shapes("_random_uniform", {"shape": (2, 3)}, [], [(3, 3)])


def test_sample_shape_inference():
    assert _shapes("_sample_uniform", {"shape": (4,)}, [(2, 3), None], [None]) == \
        ([(2, 3), (2, 3)], [(2, 3, 4)])
    assert _shapes("_sample_normal", {"shape": (4,)}, [None, None], [(2, 3, 4)]) == \
        ([(2, 3), (2, 3)], [(2, 3, 4)])
    assert _shapes("_sample_poisson", {}, [(5,)], [None]) == ([(5,)], [(5,)])
    with pytest.raises(MXNetError, match=r"_sample_uniform: Incompatible attr in node _sample_uniform at "
                                         r"1-th input: expected \[2\], got \[3\]"):
        _shapes("_sample_uniform", {}, [(2,), (3,)], [None])


def test_multinomial_inference():
    assert _shapes("_sample_multinomial", {"shape": 3, "get_prob": True}, [(2, 5)],
                   [None, None]) == ([(2, 5)], [(2, 3), (2, 3)])
    assert _shapes("_sample_multinomial", {}, [(5,)], [None]) == ([(5,)], [(1,)])
    assert _shapes("_sample_multinomial", {}, [None], [None]) == ([None], [None])
    with pytest.raises(MXNetError, match="at least one dimension"):
        _shapes("_sample_multinomial", {}, [()], [None])
    f32, f64, i32 = np.dtype("float32"), np.dtype("float64"), np.dtype("int32")
    assert _types("_sample_multinomial", {"get_prob": True}, [f64], [None, None]) == \
        ([f64], [i32, f64])
    assert _types("_sample_multinomial", {"get_prob": True}, [None], [None, f32]) == \
        ([f32], [i32, f32])
    with pytest.raises(MXNetError, match="Type inconsistent, Provided = float32, inferred "
                                         "type = int32"):
        _types("_sample_multinomial", {}, [f32], [f32])


def test_random_type_inference():
    f16, f32, f64 = np.dtype("float16"), np.dtype("float32"), np.dtype("float64")
    assert _types("_random_uniform", {}, [], [None]) == ([], [f32])
    assert _types("_random_uniform", {}, [], [f64]) == ([], [f64])
    assert _types("_random_uniform", {"dtype": "float16"}, [], [None]) == ([], [f16])
    assert _types("_random_randint", {"low": 0, "high": 2}, [], [None])[1] == [np.dtype("int32")]
    # _sample_*: float32 unless dtype= (or a given output) says otherwise, whatever the inputs
    assert _types("_sample_uniform", {}, [f64, f64], [None]) == ([f64, f64], [f32])
    assert _types("_sample_uniform", {"dtype": "float64"}, [f32, None], [None]) == \
        ([f32, f32], [f64])
    assert _types("_random_normal_like", {}, [None], [f16]) == ([f16], [f16])
    assert _types("_shuffle", {}, [np.dtype("int32")], [None])[1] == [np.dtype("int32")]


def test_shuffle_declares_inplace():
    op = get_op("_shuffle")
    assert op.inplace(op.parse({})) == [(0, 0)]
