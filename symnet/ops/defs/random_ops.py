"""Random sampling operators: ``_random_<dist>`` (scalar parameters), ``_random_<dist>_like``
(shape and dtype of an input), ``_sample_<dist>`` (one distribution per element of the parameter
arrays), ``_random_randint``, ``_sample_multinomial`` and ``_shuffle``.

Every kernel draws only from ``ctx.rng`` (the global generator of :mod:`symnet.random` for
imperative calls), so ``mx.random.seed(n)`` makes all of them reproducible. The numbers are
symnet's own, not MXNet's. Samples are drawn in double precision and rounded to the output dtype
(uniform samples stay below ``high`` after rounding). Parameter checks give MXNet's messages;
where MXNet computes garbage or crashes (``randint`` with ``low == high``, a negative binomial with
``p == 0``) symnet raises :class:`MXNetError`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ...base import MXNetError
from ..fields import Bool, Field, Float, Int, Shape
from ..kernel import NULL
from ..registry import InferError, Params, fmt_shape, register
from ..rules import elemwise_shape, merge_shape, unify
from ..fields import DType
from .init import Ctx, Long, init_shape, store

__all__ = ["DISTRIBUTIONS", "Dist"]

_FLOATS = ("float16", "float32", "float64")
_DTYPE_DOC = ("DType of the output in case this can't be inferred. Defaults to {} if not "
              "defined (dtype=None).")


@dataclass(frozen=True)
class Dist:
    """One distribution: its scalar fields, array-input names and sampler."""

    name: str
    fields: tuple                    # scalar parameter fields of _random_<name>
    array_inputs: tuple              # (name, doc) inputs of _sample_<name>
    draw: Callable                   # draw(rng, params, size) -> float64 samples
    checks: tuple = ()               # (predicate(p), message) for the scalar parameters
    aliases: tuple = ()              # aliases of _random_<name>
    doc: str = ""


def _uniform(rng, prm, size):
    low, high = prm
    return low + (high - low) * rng.random(size)


def _normal(rng, prm, size):
    loc, scale = prm
    return loc + scale * rng.standard_normal(size)


def _gamma(rng, prm, size):
    alpha, beta = prm
    return rng.standard_gamma(alpha, size) * beta


def _negative_binomial(rng, prm, size):
    k, p = prm
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = rng.standard_gamma(k, size) * ((1.0 - np.asarray(p, np.float64)) / p)
    return rng.poisson(lam).astype(np.float64)


def _generalized_negative_binomial(rng, prm, size):
    mu, alpha = prm
    alpha = np.asarray(alpha, np.float64)
    safe = np.where(alpha == 0, 1.0, alpha)
    lam = np.where(alpha == 0, mu, rng.standard_gamma(1.0 / safe, size) * safe * mu)
    return rng.poisson(np.broadcast_to(lam, size)).astype(np.float64)


def _f(name, default, doc):
    return Float(name, default, doc)


DISTRIBUTIONS = (
    Dist("uniform", (_f("low", 0.0, "Lower bound of the distribution."),
                     _f("high", 1.0, "Upper bound of the distribution.")),
         (("low", "Lower bounds of the distributions."),
          ("high", "Upper bounds of the distributions.")), _uniform,
         ((lambda p: p.high >= p.low,
           "low must be less or equal to high in uniform distribution"),),
         ("uniform", "random_uniform"),
         "Draw random samples from a uniform distribution.\n\nSamples are uniformly "
         "distributed over the half-open interval *[low, high)*\n(includes *low*, but excludes "
         "*high*)."),
    Dist("normal", (_f("loc", 0.0, "Mean of the distribution."),
                    _f("scale", 1.0, "Standard deviation of the distribution.")),
         (("mu", "Means of the distributions."),
          ("sigma", "Standard deviations of the distributions.")), _normal,
         ((lambda p: p.scale > 0, "scale parameter in gaussian has to be positive"),),
         ("normal", "random_normal"),
         "Draw random samples from a normal (Gaussian) distribution.\n\nSamples are "
         "distributed according to a normal distribution parametrized by *loc* (mean) and "
         "*scale*\n(standard deviation)."),
    Dist("exponential", (_f("lam", 1.0, "Lambda parameter (rate) of the exponential "
                                        "distribution."),),
         (("lam", "Lambda (rate) parameters of the distributions."),),
         lambda rng, prm, size: rng.standard_exponential(size) / prm[0],
         ((lambda p: p.lam > 0,
           "lambda parameter in exponential distribution has to be positive"),),
         ("random_exponential",),
         "Draw random samples from an exponential distribution.\n\nSamples are distributed "
         "according to an exponential distribution parametrized by *lambda* (rate)."),
    Dist("gamma", (_f("alpha", 1.0, "Alpha parameter (shape) of the gamma distribution."),
                   _f("beta", 1.0, "Beta parameter (scale) of the gamma distribution.")),
         (("alpha", "Alpha (shape) parameters of the distributions."),
          ("beta", "Beta (scale) parameters of the distributions.")), _gamma,
         ((lambda p: p.alpha > 0, "alpha parameter in gamma distribution has to be positive"),
          (lambda p: p.beta > 0, "beta parameter in gamma distribution has to be positive")),
         ("random_gamma",),
         "Draw random samples from a gamma distribution.\n\nSamples are distributed according "
         "to a gamma distribution parametrized by *alpha* (shape) and *beta* (scale)."),
    Dist("poisson", (_f("lam", 1.0, "Lambda parameter (rate) of the Poisson distribution."),),
         (("lam", "Lambda (rate) parameters of the distributions."),),
         lambda rng, prm, size: rng.poisson(prm[0], size).astype(np.float64),
         ((lambda p: p.lam >= 0,
           "lambda parameter in poisson distribution has to be non-negative"),),
         ("random_poisson",),
         "Draw random samples from a Poisson distribution.\n\nSamples are distributed "
         "according to a Poisson distribution parametrized by *lambda* (rate).\nSamples will "
         "always be returned as a floating point data type."),
    Dist("negative_binomial",
         (Int("k", 1, "Limit of unsuccessful experiments."),
          _f("p", 1.0, "Failure probability in each experiment.")),
         (("k", "Limits of unsuccessful experiments."),
          ("p", "Failure probabilities in each experiment.")), _negative_binomial,
         ((lambda p: p.k >= 0,
           "k parameter in negative binomial distribution has to be non-negative"),
          (lambda p: 0 < p.p <= 1,
           "p parameter in negative binomial distribution has to be in (0, 1]")),
         ("random_negative_binomial",),
         "Draw random samples from a negative binomial distribution.\n\nSamples are "
         "distributed according to a negative binomial distribution parametrized by\n*k* "
         "(limit of unsuccessful experiments) and *p* (failure probability in each "
         "experiment).\nSamples will always be returned as a floating point data type."),
    Dist("generalized_negative_binomial",
         (_f("mu", 1.0, "Mean of the negative binomial distribution."),
          _f("alpha", 1.0, "Alpha (dispersion) parameter of the negative binomial "
                           "distribution.")),
         (("mu", "Means of the distributions."),
          ("alpha", "Alpha (dispersion) parameters of the distributions.")),
         _generalized_negative_binomial,
         ((lambda p: p.mu >= 0, "mu parameter in generalized negative binomial distribution "
                                "has to be non-negative"),
          (lambda p: p.alpha >= 0, "alpha parameter in generalized negative binomial "
                                   "distribution has to be non-negative")),
         ("random_generalized_negative_binomial",),
         "Draw random samples from a generalized negative binomial distribution.\n\nSamples "
         "are distributed according to a generalized negative binomial distribution "
         "parametrized by\n*mu* (mean) and *alpha* (dispersion). *alpha* is defined as *1/k* "
         "where *k* is the failure limit of the\nnumber of unsuccessful experiments "
         "(generalized to real numbers).\nSamples will always be returned as a floating point "
         "data type."),
)


# ---- type rules ------------------------------------------------------------------------------
def _name(t) -> str:
    return "None" if t is None else np.dtype(t).name


def sample_type(default: str, allowed: tuple = _FLOATS):
    """Output dtype: ``p.dtype``, else a given output's dtype, else ``default``."""

    def rule(p: Params, ins: list, outs: list):
        want = None if p.dtype is None else np.dtype(p.dtype)
        have = outs[0]
        if want is not None and have is not None and have != want:
            raise InferError(f"Output type does not match requested type: {_name(have)} vs "
                             f"{want.name}")
        dtype = want or have or np.dtype(default)
        if dtype.name not in allowed:
            raise InferError(f"Output type must be {', '.join(allowed)}: dtype is {dtype.name}")
        n_in = len(ins)
        in_type = unify(ins, _merge, _name, [f"{i}-th input" for i in range(n_in)]) \
            if n_in else None
        return [in_type] * n_in, [dtype]

    return rule


def _merge(a, b):
    if a is None or b is None or a == b:
        return a if b is None else b
    raise ValueError


def _check_float(dtype) -> None:
    if dtype is not None and np.dtype(dtype).kind != "f":
        raise InferError(f"This operation only support floating point types, not "
                         f"{np.dtype(dtype).name}")


def like_type(p: Params, ins: list, outs: list):
    """``_random_<dist>_like``: a floating dtype shared by the input and the output."""
    dtype = unify([ins[0], outs[0]], _merge, _name, ["0-th input", "0-th output"])
    _check_float(dtype)
    return [dtype], [dtype]


# ---- shape rules -----------------------------------------------------------------------------
def sample_shape(p: Params, ins: list, outs: list):
    """``_sample_<dist>``: parameter arrays share shape ``s``; the output is ``s + shape``."""
    extra = tuple(p.shape)
    labels = [f"{i}-th input" for i in range(len(ins))]
    in_shape = unify(ins, _merge_shape, fmt_shape, labels)
    out = outs[0]
    if in_shape is None and out is not None and len(out) >= len(extra):
        in_shape = tuple(out[:len(out) - len(extra)])
    if in_shape is None:
        return list(ins), list(outs)
    try:
        out = merge_shape(tuple(in_shape) + extra, out)
    except ValueError:
        raise InferError(f"Shape inconsistent, Provided = {fmt_shape(outs[0])}, inferred "
                         f"shape={fmt_shape(tuple(in_shape) + extra)}") from None
    return [tuple(in_shape)] * len(ins), [out]


def _merge_shape(a, b):
    return merge_shape(a, b)


# ---- kernels ---------------------------------------------------------------------------------
def _draw(op_name: str, dist: Dist, rng, params, size) -> np.ndarray:
    try:
        return dist.draw(rng, params, size)
    except ValueError as err:
        raise MXNetError(f"{op_name}: invalid distribution parameters: {err}") from None


def _half_open(value: np.ndarray, low, high) -> np.ndarray:
    """Keep rounded uniform samples below ``high`` (where ``low < high``)."""
    high = np.asarray(high).astype(value.dtype)
    low = np.asarray(low).astype(value.dtype)
    return np.where((value >= high) & (low < high), np.nextafter(high, low), value)


def _write(out: np.ndarray, req: str, value, dist: Dist, params) -> None:
    value = np.asarray(value).astype(out.dtype)
    if dist.name == "uniform":
        value = _half_open(value, *params)
    store(out, req, value)


def _check(op_name: str, dist: Dist, p: Params) -> None:
    for ok, message in dist.checks:
        if not ok(p):
            shown = ", ".join(f"{f.name}={p[f.name]:g}" for f in dist.fields)
            raise MXNetError(f"{op_name}: {message} ({shown})")


def scalar_kernel(op_name: str, dist: Dist):
    """Kernel of ``_random_<dist>`` and ``_random_<dist>_like``: scalar parameters."""

    def kernel(p, ctx, ins, req, outs):
        _check(op_name, dist, p)
        if req[0] == NULL:
            return
        params = tuple(p[f.name] for f in dist.fields)
        _write(outs[0], req[0], _draw(op_name, dist, ctx.rng, params, outs[0].shape), dist,
               params)
    return kernel


def array_kernel(op_name: str, dist: Dist):
    """Kernel of ``_sample_<dist>``: one distribution per element of the parameter arrays."""

    def kernel(p, ctx, ins, req, outs):
        if req[0] == NULL:
            return
        tail = (1,) * len(p.shape)
        params = tuple(np.asarray(x, np.float64).reshape(x.shape + tail) for x in ins)
        _write(outs[0], req[0], _draw(op_name, dist, ctx.rng, params, outs[0].shape), dist,
               params)
    return kernel


def randint_kernel(p, ctx, ins, req, outs):
    """Integers uniform on ``[low, high)``, wrapped to the output dtype."""
    if p.high < p.low:
        raise MXNetError(f"_random_randint: low must be less or equal to high in uniform "
                         f"distribution (low={p.low}, high={p.high})")
    if p.high == p.low:
        raise MXNetError(f"_random_randint: the interval [low, high) is empty "
                         f"(low={p.low}, high={p.high})")
    if req[0] != NULL:
        value = ctx.rng.integers(p.low, p.high, outs[0].shape, dtype=np.int64)
        store(outs[0], req[0], value.astype(outs[0].dtype))


# ---- multinomial -----------------------------------------------------------------------------
def multinomial_shape(p: Params, ins: list, outs: list):
    """Output: ``data.shape[:-1] + shape`` (1-D data: ``shape``, or ``(1,)`` if empty)."""
    data = ins[0]
    if data is None:
        return list(ins), list(outs)
    if len(data) == 0:
        raise InferError("sample_multinomial: data must have at least one dimension, got "
                         f"{fmt_shape(data)}")
    extra = tuple(p.shape)
    shape = tuple(data[:-1]) + extra if len(data) > 1 else (extra or (1,))
    result = []
    for j, out in enumerate(outs):
        try:
            result.append(merge_shape(shape, out))
        except ValueError:
            raise InferError(f"Shape inconsistent at {j}-th output, Provided = "
                             f"{fmt_shape(out)}, inferred shape={fmt_shape(shape)}") from None
    return list(ins), result


def multinomial_type(p: Params, ins: list, outs: list):
    """Samples in ``p.dtype``; the log-likelihoods (``get_prob``) in the data's float dtype."""
    want = np.dtype(p.dtype)
    if outs[0] is not None and outs[0] != want:
        raise InferError(f"Type inconsistent, Provided = {_name(outs[0])}, inferred type = "
                         f"{want.name}")
    data = ins[0]
    if len(outs) > 1:
        data = unify([data, outs[1]], _merge, _name, ["0-th input", "1-th output"])
    _check_float(data)
    return [data], [want] + [data] * (len(outs) - 1)


def multinomial_kernel(p, ctx, ins, req, outs):
    """Inverse-CDF sampling: the first outcome whose running sum exceeds a uniform draw."""
    data = ins[0]
    k = data.shape[-1]
    dist = data.reshape(-1, k)
    n = outs[0].size // max(dist.shape[0], 1)
    cum = np.cumsum(dist, axis=1)
    u = ctx.rng.random((dist.shape[0], n)).astype(data.dtype)
    idx = np.minimum((cum[:, None, :] <= u[:, :, None]).sum(axis=2), k - 1)
    store(outs[0], req[0], idx.reshape(outs[0].shape))
    if len(outs) > 1 and req[1] != NULL:
        chosen = np.take_along_axis(dist, idx, axis=1)
        with np.errstate(divide="ignore"):
            store(outs[1], req[1], np.log(chosen).reshape(outs[1].shape))


def shuffle_kernel(p, ctx, ins, req, outs):
    """A random permutation of the first axis (a copy; safe in place)."""
    data = ins[0]
    value = data[ctx.rng.permutation(data.shape[0])] if data.ndim else data.copy()
    store(outs[0], req[0], value)


# ---- registration ----------------------------------------------------------------------------
_CTX_DOC = ("Context of output, in format [cpu|gpu|cpu_pinned](n). Only used for imperative "
            "calls.")


def _common_fields(default_dtype: str, choices=_FLOATS) -> list[Field]:
    return [Shape("shape", None, "Shape of the output."), Ctx("ctx", "", _CTX_DOC),
            DType("dtype", None, _DTYPE_DOC.format(default_dtype), choices=choices)]


_SAMPLE_DOC = ("Concurrent sampling from multiple {name} distributions with parameters "
               "given as input arrays.\n\nLet *[s]* be the shape of the input arrays and *[t]* "
               "the shape parameter: the output has shape *[s]x[t]*, and *output[i]* holds "
               "samples drawn from the distribution with the parameters at index *i*.")


def _register_distribution(dist: Dist) -> None:
    name = f"_random_{dist.name}"
    register(name, inputs=[], fields=list(dist.fields) + _common_fields("float32"),
             forward=scalar_kernel(name, dist), infer_shape=init_shape,
             infer_type=sample_type("float32"), aliases=dist.aliases, needs_rng=True,
             doc=dist.doc)
    like = f"{name}_like"
    register(like, inputs=["data"], fields=list(dist.fields),
             forward=scalar_kernel(like, dist), infer_shape=elemwise_shape,
             infer_type=like_type, needs_rng=True,
             doc=dist.doc.replace(" distribution.", " distribution according to the input "
                                                    "array shape.", 1))
    sample = f"_sample_{dist.name}"
    register(sample, inputs=[n for n, _ in dist.array_inputs],
             fields=[Shape("shape", (), "Shape to be sampled from each random distribution."),
                     DType("dtype", None, _DTYPE_DOC.format("float32"),
                                 choices=_FLOATS)],
             forward=array_kernel(sample, dist), infer_shape=sample_shape,
             infer_type=sample_type("float32"), aliases=(f"sample_{dist.name}",),
             needs_rng=True, doc=_SAMPLE_DOC.format(name=dist.name.replace("_", " ")))


def _register_others() -> None:
    register("_random_randint", inputs=[],
             fields=[Long("low", doc="Lower bound of the distribution."),
                     Long("high", doc="Upper bound of the distribution.")]
             + _common_fields("int32", ("int32", "int64")),
             forward=randint_kernel, infer_shape=init_shape,
             infer_type=sample_type("int32", ("int32", "int64")), aliases=("random_randint",),
             needs_rng=True,
             doc="Draw random samples from a discrete uniform distribution.\n\nSamples are "
                 "uniformly distributed over the half-open interval *[low, high)*\n(includes "
                 "*low*, but excludes *high*).")
    register("_sample_multinomial", inputs=["data"], fields=[
        Shape("shape", (), "Shape to be sampled from each random distribution."),
        Bool("get_prob", False, "Whether to also return the log probability of sampled "
                                "result. This is usually used for differentiating through "
                                "stochastic variables, e.g. in reinforcement learning."),
        DType("dtype", "int32", "DType of the output in case this can't be inferred.",
                    choices=("float16", "float32", "float64", "int32", "uint8"))],
        outputs=lambda p: 2 if p.get_prob else 1, forward=multinomial_kernel,
        infer_shape=multinomial_shape, infer_type=multinomial_type,
        aliases=("sample_multinomial",), needs_rng=True,
        doc="Concurrent sampling from multiple multinomial distributions.\n\n*data* is an *n* "
            "dimensional array whose last dimension has length *k*, where\n*k* is the number "
            "of possible outcomes of each multinomial distribution. This\noperator will draw "
            "*shape* samples from each distribution. If shape is empty\none sample will be "
            "drawn from each distribution. If *get_prob* is true, a second array holds the "
            "log likelihood of the drawn samples. *data* must sum to 1 along its last axis.")
    register("_shuffle", inputs=["data"], forward=shuffle_kernel, infer_shape=elemwise_shape,
             inplace=[(0, 0)], aliases=("shuffle",), needs_rng=True,
             doc="Randomly shuffle the elements.\n\nThis shuffles the array along the first "
                 "axis.\nThe order of the elements in each subarray does not change.")


for _dist in DISTRIBUTIONS:
    _register_distribution(_dist)
_register_others()
