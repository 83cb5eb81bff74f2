"""Cases for symnet/ops/defs/activation.py (LeakyReLU, SoftmaxActivation, smooth_l1 and
_backward_LeakyReLU).

References are per-element ``math`` formulas. Parameters enter as MXNet's float32 values
(``slope``, selu's constants). Inputs stay away from the kinks (|x| >= 0.1, and away from
smooth_l1's threshold) so central differences see smooth functions. ``mx.nd`` runs in
inference mode, so rrelu uses the fixed slope ``(lower + upper) / 2`` here; its random
training slopes are checked in test_activation.py.
"""
from __future__ import annotations

import math

import numpy as np

from .harness import OpCase, rand

F32 = lambda v: float(np.float32(v))  # noqa: E731
LAMBDA = F32(1.0507009873554804934193349852946)
ALPHA = F32(1.6732632423543772848170429916717)


def signed(*shape, low=0.1, high=1.5):
    """Values with |x| in [low, high] and a random sign (no input sits on a kink)."""
    def make(rng, dtype):
        return [(rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)).astype(dtype)]
    return make


def _elementwise(fn):
    def apply(x):
        out = np.empty(x.shape, np.float64)
        for idx in np.ndindex(x.shape):
            out[idx] = fn(float(x[idx]))
        return out
    return apply


def _scalar_act(act_type, slope):
    s = F32(slope)
    if act_type in ("leaky", "rrelu"):
        return lambda v: v if v > 0 else s * v
    if act_type == "elu":
        return lambda v: v if v > 0 else s * math.expm1(v)
    if act_type == "selu":
        return lambda v: LAMBDA * (v if v > 0 else ALPHA * math.expm1(v))
    return lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2)))  # gelu


def _lrelu_ref(data, act_type="leaky", slope=0.25, lower_bound=0.125, upper_bound=0.334, **_):
    if act_type == "rrelu":
        slope = float((np.float32(lower_bound) + np.float32(upper_bound)) / np.float32(2))
        out = _elementwise(_scalar_act("leaky", slope))(data).astype(data.dtype)
        return [out, np.full(data.shape, slope, data.dtype)]
    return _elementwise(_scalar_act(act_type, slope))(data).astype(data.dtype)


def _prelu_inputs(shape, gamma_shape):
    def make(rng, dtype):
        return [signed(*shape)(rng, dtype)[0],
                rng.uniform(0.1, 0.5, gamma_shape).astype(dtype)]
    return make


def _prelu_ref(data, gamma, **_):
    """Gamma along axis 1 when its length is the channel count, else along axis 0."""
    out = np.empty(data.shape, np.float64)
    channel = 1 if data.ndim > 1 and gamma.size == data.shape[1] else 0
    for idx in np.ndindex(data.shape):
        v = float(data[idx])
        g = float(gamma[0 if gamma.size == 1 else idx[channel]])
        out[idx] = v if v > 0 else g * v
    return out.astype(data.dtype)


# ---- SoftmaxActivation ---------------------------------------------------------------------
def _softmax_ref(data, mode="instance"):
    axis = 1 if mode == "channel" else data.ndim - 1
    moved = np.moveaxis(data.astype(np.float64), axis, -1)
    out = np.empty(moved.shape)
    for idx in np.ndindex(moved.shape[:-1]):
        row = [math.exp(float(v)) for v in moved[idx]]
        out[idx] = [r / sum(row) for r in row]
    return np.moveaxis(out, -1, axis).astype(data.dtype)


# ---- smooth_l1 ---------------------------------------------------------------------------------
def _smooth_l1_ref(data, scalar=1.0, **_):
    sigma2 = float(scalar) ** 2

    def f(v):
        if sigma2 > 0 and abs(v) >= 1 / sigma2:
            return abs(v) - 0.5 / sigma2
        return 0.5 * sigma2 * v * v
    return _elementwise(f)(data).astype(data.dtype)


def _int_smooth_l1_inputs(rng, dtype):
    return [np.array([[-3, -1, 0, 1], [2, 5, -7, 4]], np.int32)]


def _int_smooth_l1_ref(data, scalar=1.0, **_):
    # MXNet: the scalar becomes an int (1.5 -> 1), the arithmetic is float, the result truncated
    return np.trunc(_smooth_l1_ref(data.astype(np.float64), int(scalar))).astype(np.int32)


# ---- _backward_LeakyReLU -----------------------------------------------------------------------
def _backward_inputs(act_type, shape=(3, 4), slope=0.25):
    """(ograd, output or data [, mask or gamma]) as the gradient rule passes them."""
    def make(rng, dtype):
        og = rng.uniform(-1, 1, shape)
        x = signed(*shape)(rng, np.float64)[0]
        if act_type == "prelu":
            return [a.astype(dtype) for a in (og, x, rng.uniform(0.1, 0.5, shape[1]))]
        if act_type == "gelu":
            return [og.astype(dtype), x.astype(dtype)]
        if act_type == "rrelu":
            mask = rng.uniform(0.125, 0.334, shape)
            return [a.astype(dtype) for a in (og, np.where(x > 0, x, mask * x), mask)]
        out = _elementwise(_scalar_act(act_type, slope))(x)
        return [og.astype(dtype), out.astype(dtype)]
    return make


def _derivative(act_type, slope):
    s = F32(slope)
    return {"leaky": lambda v: 1.0 if v > 0 else s,
            "elu": lambda v: 1.0 if v > 0 else s * math.exp(v),
            "selu": lambda v: LAMBDA if v > 0 else LAMBDA * ALPHA * math.exp(v),
            "gelu": lambda v: 0.5 * (1 + math.erf(v / math.sqrt(2)))
            + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi)}[act_type]


def _backward_ref(*ins, act_type="leaky", slope=0.25, **_):
    og = ins[0].astype(np.float64)
    if act_type == "prelu":
        data, gamma = ins[1].astype(np.float64), ins[2].astype(np.float64)
        dx, dg = np.empty(og.shape), np.zeros(gamma.shape)
        for i, j in np.ndindex(og.shape):
            dx[i, j] = og[i, j] * (1.0 if data[i, j] > 0 else gamma[j])
            dg[j] += 0.0 if data[i, j] > 0 else og[i, j] * data[i, j]
        return [dx.astype(ins[0].dtype), dg.astype(ins[0].dtype)]
    if act_type == "rrelu":
        out, mask = ins[1], ins[2]
        grad = np.array([og[idx] * (1.0 if out[idx] > 0 else float(mask[idx]))
                         for idx in np.ndindex(og.shape)]).reshape(og.shape)
        return grad.astype(ins[0].dtype)
    v = ins[1].astype(np.float64)
    if act_type != "gelu":  # recover the data from the output to use d out / d data
        v = _elementwise({"leaky": lambda y: y if y > 0 else y / F32(slope),
                          "elu": lambda y: y if y > 0 else math.log1p(y / F32(slope)),
                          "selu": lambda y: y / LAMBDA if y > 0 else
                          math.log1p(y / (LAMBDA * ALPHA))}[act_type])(v)
    return (og * _elementwise(_derivative(act_type, slope))(v)).astype(ins[0].dtype)


CASES = [
    OpCase("LeakyReLU", signed(3, 4), {}, _lrelu_ref, dtypes=("float16", "float32", "float64")),
    OpCase("LeakyReLU", signed(2, 3, 2), {"act_type": "leaky", "slope": 0.1}, _lrelu_ref,
           id="leaky-0.1"),
    OpCase("LeakyReLU", signed(3, 4), {"act_type": "elu", "slope": 0.5}, _lrelu_ref, id="elu"),
    OpCase("LeakyReLU", signed(3, 4), {"act_type": "selu"}, _lrelu_ref, id="selu"),
    OpCase("LeakyReLU", signed(3, 4, low=0.0, high=3.0), {"act_type": "gelu"}, _lrelu_ref,
           id="gelu", dtypes=("float16", "float32", "float64")),
    OpCase("LeakyReLU", signed(3, 4), {"act_type": "rrelu", "lower_bound": 0.2,
                                       "upper_bound": 0.4}, _lrelu_ref, id="rrelu", grad=False),
    OpCase("LeakyReLU", _prelu_inputs((2, 3, 2), (3,)), {"act_type": "prelu"}, _prelu_ref,
           id="prelu"),
    OpCase("LeakyReLU", _prelu_inputs((3, 4), (1,)), {"act_type": "prelu"}, _prelu_ref,
           id="prelu-shared"),
    OpCase("LeakyReLU", _prelu_inputs((2, 3, 2), (2,)), {"act_type": "prelu"}, _prelu_ref,
           id="prelu-axis0"),
    OpCase("SoftmaxActivation", rand(3, 5, low=-2, high=2), {}, _softmax_ref),
    OpCase("SoftmaxActivation", rand(2, 3, 4, low=-2, high=2), {}, _softmax_ref, id="3d"),
    OpCase("SoftmaxActivation", rand(2, 3, 2, 2, low=-2, high=2), {"mode": "channel"},
           _softmax_ref, id="channel"),
    OpCase("smooth_l1", signed(3, 4, low=0.05, high=2.5), {}, _smooth_l1_ref),
    OpCase("smooth_l1", signed(3, 4, low=0.05, high=0.7), {"scalar": 2.0}, _smooth_l1_ref,
           id="sigma2", dtypes=("float16", "float32", "float64")),
    OpCase("smooth_l1", signed(3, 4, low=0.1, high=6.0), {"scalar": 0.5}, _smooth_l1_ref,
           id="sigma0.5"),
    OpCase("smooth_l1", signed(2, 3), {"scalar": 0.0}, _smooth_l1_ref, id="sigma0"),
    OpCase("smooth_l1", _int_smooth_l1_inputs, {"scalar": 1.5}, _int_smooth_l1_ref,
           id="int", dtypes=("int32",), grad=False),
]
for _act in ("leaky", "elu", "selu", "gelu", "rrelu", "prelu"):
    CASES.append(OpCase("_backward_LeakyReLU", _backward_inputs(_act), {"act_type": _act},
                        _backward_ref, id=_act, grad=False))
