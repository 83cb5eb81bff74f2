"""``mx.nd.random``: random sampling with MXNet 1.x's Python signatures.

Scalar distribution parameters call the ``_random_<dist>`` operators (one distribution, ``shape``
samples; ``shape`` defaults to ``(1,)``); NDArray parameters call ``_sample_<dist>`` (one
distribution per element, output shape ``param.shape + shape``). Every sampler draws from the
generator seeded by ``mx.random.seed``. ``<dist>_like`` functions sample with the shape and dtype
of an input array.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..base import _Null, numeric_types
from ..context import current_context
from ..ops.registry import get_op
from .ndarray import NDArray, invoke
from .register import make_function

__all__ = ["uniform", "normal", "randn", "poisson", "exponential", "gamma", "multinomial",
           "negative_binomial", "generalized_negative_binomial", "shuffle", "randint",
           "uniform_like", "normal_like", "exponential_like", "gamma_like", "poisson_like",
           "negative_binomial_like", "generalized_negative_binomial_like"]

_NUMBERS = numeric_types + (np.generic,)


def _call(op_name: str, inputs: list, attrs: dict, out=None):
    attrs = {k: v for k, v in attrs.items() if v is not _Null}
    name = attrs.pop("name", "") or ""
    return invoke(get_op(op_name), inputs, attrs, out=out, name=name)


def _random_helper(dist: str, params: list, names: tuple, shape, dtype, ctx, out,
                   kwargs: dict, array_names: tuple | None = None):
    """Dispatch to ``_random_<dist>`` (numbers) or ``_sample_<dist>`` (NDArrays)."""
    first = params[0]
    if isinstance(first, NDArray):
        for other in params[1:]:
            assert isinstance(other, NDArray), \
                "Distribution parameters must all have the same type, but got " \
                f"both {type(first)} and {type(other)}."
        if array_names is None:
            raise ValueError(f"{dist} does not support NDArray distribution parameters; "
                             "pass numbers")
        return _call(f"_sample_{dist}", list(params), dict(shape=shape, dtype=dtype, **kwargs),
                     out)
    if isinstance(first, _NUMBERS):
        for other in params[1:]:
            assert isinstance(other, _NUMBERS), \
                "Distribution parameters must all have the same type, but got " \
                f"both {type(first)} and {type(other)}."
        if shape is _Null and out is None:
            shape = 1
        ctx = current_context() if ctx is None else ctx
        attrs = dict(zip(names, params), shape=shape, dtype=dtype, ctx=str(ctx), **kwargs)
        return _call(f"_random_{dist}", [], attrs, out)
    raise ValueError("Distribution parameters must be either NDArray or numbers, "
                     f"but got {type(first)}.")


def uniform(low=0, high=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Draw random samples from a uniform distribution over the half-open interval
    *[low, high)*.

    Parameters
    ----------
    low, high : float or NDArray, optional
        Bounds of the interval (defaults 0 and 1). NDArrays give one distribution per element.
    shape : int or tuple of ints, optional
        The number of samples to draw: the output has shape `shape` for scalar bounds and
        `low.shape + shape` for NDArray bounds.
    dtype : {'float16', 'float32', 'float64'}, optional
        Data type of output samples. Default is 'float32'
    ctx : Context, optional
        Device context of output. Default is current context.
    out : NDArray, optional
        Store output to an existing NDArray.

    Returns
    -------
    NDArray
        The samples.
    """
    return _random_helper("uniform", [low, high], ("low", "high"), shape, dtype, ctx, out,
                          kwargs, ("low", "high"))


def normal(loc=0, scale=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Draw random samples from a normal (Gaussian) distribution with mean `loc` and
    standard deviation `scale` (numbers or NDArrays); other arguments as :func:`uniform`."""
    return _random_helper("normal", [loc, scale], ("loc", "scale"), shape, dtype, ctx, out,
                          kwargs, ("mu", "sigma"))


def randn(*shape, **kwargs):
    """Draw normal samples of shape `shape` (given as positional ints); `loc`, `scale`,
    `dtype`, `ctx` and `out` are keyword arguments, as in :func:`normal`."""
    loc = kwargs.pop("loc", 0)
    scale = kwargs.pop("scale", 1)
    dtype = kwargs.pop("dtype", _Null)
    ctx = kwargs.pop("ctx", None)
    out = kwargs.pop("out", None)
    assert isinstance(loc, (int, float, NDArray))
    assert isinstance(scale, (int, float, NDArray))
    return _random_helper("normal", [loc, scale], ("loc", "scale"), shape, dtype, ctx, out,
                          kwargs, ("mu", "sigma"))


def poisson(lam=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Draw samples from a Poisson distribution with rate `lam` (a number or an NDArray);
    samples are floating point. Other arguments as :func:`uniform`."""
    return _random_helper("poisson", [lam], ("lam",), shape, dtype, ctx, out, kwargs,
                          ("lam",))


def exponential(scale=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    r"""Draw samples from an exponential distribution with scale :math:`\beta = 1/\lambda`
    (a number or an NDArray). Other arguments as :func:`uniform`."""
    return _random_helper("exponential", [1.0 / scale], ("lam",), shape, dtype, ctx, out,
                          kwargs, ("lam",))


def gamma(alpha=1, beta=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Draw samples from a gamma distribution with shape `alpha` and scale `beta` (numbers
    or NDArrays). Other arguments as :func:`uniform`."""
    return _random_helper("gamma", [alpha, beta], ("alpha", "beta"), shape, dtype, ctx, out,
                          kwargs, ("alpha", "beta"))


def negative_binomial(k=1, p=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Draw samples from a negative binomial distribution: `k` unsuccessful experiments,
    failure probability `p` (numbers or NDArrays). Other arguments as :func:`uniform`."""
    return _random_helper("negative_binomial", [k, p], ("k", "p"), shape, dtype, ctx, out,
                          kwargs, ("k", "p"))


def generalized_negative_binomial(mu=1, alpha=1, shape=_Null, dtype=_Null, ctx=None,
                                  out=None, **kwargs):
    """Draw samples from a generalized negative binomial distribution with mean `mu` and
    dispersion `alpha` (numbers or NDArrays). Other arguments as :func:`uniform`."""
    return _random_helper("generalized_negative_binomial", [mu, alpha], ("mu", "alpha"),
                          shape, dtype, ctx, out, kwargs, ("mu", "alpha"))


def multinomial(data, shape=_Null, get_prob=False, out=None, dtype="int32", **kwargs):
    """Concurrent sampling from multiple multinomial distributions.

    Parameters
    ----------
    data : NDArray
        Probabilities of the `k` outcomes along the last axis (must sum to 1).
    shape : int or tuple of ints, optional
        The number of samples to draw from each distribution (default: one).
    get_prob : bool, optional
        If true, also return the log likelihood of the drawn samples.
    out : NDArray, optional
        Store output to an existing NDArray.
    dtype : str or numpy.dtype, optional
        Data type of the sample output array. The default is int32.

    Returns
    -------
    NDArray or list of NDArray
        Samples of shape `data.shape[:-1] + shape`, and with `get_prob` their log likelihoods.
    """
    return _call("_sample_multinomial", [data],
                 dict(shape=shape, get_prob=get_prob, dtype=dtype, **kwargs), out)


def shuffle(data, **kwargs):
    """Shuffle the elements randomly along the first axis (the input is not modified)."""
    out = kwargs.pop("out", None)
    return _call("_shuffle", [data], kwargs, out)


def randint(low, high, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Draw random integers uniformly from the half-open interval *[low, high)*.

    Parameters
    ----------
    low, high : int, required
        Bounds of the interval.
    shape : int or tuple of ints, optional
        The number of samples to draw (default: one).
    dtype : {'int32', 'int64'}, optional
        Data type of output samples. Default is 'int32'
    ctx : Context, optional
        Device context of output. Default is current context.
    out : NDArray, optional
        Store output to an existing NDArray.
    """
    return _random_helper("randint", [low, high], ("low", "high"), shape, dtype, ctx, out,
                          kwargs)


def _like(dist: str) -> Callable:
    return make_function(get_op(f"_random_{dist}_like"), f"{dist}_like")


uniform_like = _like("uniform")
normal_like = _like("normal")
exponential_like = _like("exponential")
gamma_like = _like("gamma")
poisson_like = _like("poisson")
negative_binomial_like = _like("negative_binomial")
generalized_negative_binomial_like = _like("generalized_negative_binomial")
