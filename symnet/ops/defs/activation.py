"""Parametric activations: ``LeakyReLU`` (leaky, prelu, rrelu, elu, selu, gelu),
``SoftmaxActivation`` and ``smooth_l1``, with their gradients.

MXNet 1.9.1's arithmetic, as recorded with the oracle:

* ``slope``, ``lower_bound`` and ``upper_bound`` are C ``float`` parameters, and selu's
  lambda/alpha are float constants: their float32 values enter the computation, which then
  runs in the data's dtype (float16 data is computed in float32). MXNet evaluates the
  negative branch of leaky/prelu/rrelu and the whole of gelu in float32 even for float64
  data; symnet keeps float64 precision there (differences of about 1e-8).
* gelu is the erf form ``0.5 x (1 + erf(x / sqrt(2)))``.
* Gradients read the forward *output* where MXNet does: leaky ``out > 0 ? 1 : slope``, elu
  ``out > 0 ? 1 : out + slope``, selu ``lambda`` or ``out + lambda * alpha``, rrelu
  ``out > 0 ? 1 : mask`` (so the data's buffer may be reused in place; with a negative slope
  the output test gives 1 for negative inputs, as in MXNet). prelu and gelu read the data.
  MXNet 1.9.1's selu gradient for ``out <= 0`` is ``lambda * (out + alpha)``, which is not
  the derivative; symnet gives the derivative ``out + lambda * alpha``.
* SoftmaxActivation normalises the last axis (``instance``) or axis 1 (``channel``, data of
  at least 3 dims, checked when it runs). MXNet 1.9.1 runs it for float32 only and, in
  instance mode on data of 3 or more dims, sums its backward pass over axis 1 instead of the
  last axis; symnet accepts every float type and gives the derivative.
* prelu's gamma is broadcast by MXNet's ``expand_shape`` rule (see :func:`gamma_view`;
  ``(C,)`` runs along axis 1) and receives the summed gradient ``og * (x > 0 ? 0 : x)``.
* rrelu has two visible outputs, ``output`` and ``mask``. In training the mask holds a slope
  drawn uniformly from ``[lower_bound, upper_bound)`` per element (from ``ctx.rng``); in
  inference the slope is ``(lower_bound + upper_bound) / 2`` and symnet writes it into the
  mask (MXNet leaves the mask unwritten there), so a backward pass after an inference forward
  pass is consistent. (MXNet 1.9.1's CPU rrelu crashes in training, so no training values
  could be recorded.)
"""
from __future__ import annotations

import math

import numpy as np

from ...base import MXNetError
from ..fields import Bool, Double, Enum, Float
from ..kernel import ADD, NULL, assign
from ..registry import InferError, Params, fmt_shape, register
from ..rules import elemwise_shape, fmt_type, inplace_0_0, same_type

__all__: list[str] = []

_F32 = np.float32
SELU_LAMBDA = float(_F32(1.0507009873554804934193349852946))
SELU_ALPHA = float(_F32(1.6732632423543772848170429916717))
_ACT_TYPES = ("elu", "gelu", "leaky", "prelu", "rrelu", "selu")


def _lrelu_fields() -> list:
    return [
        Enum("act_type", _ACT_TYPES, "leaky", "Activation function to be applied."),
        Float("slope", 0.25, "Init slope for the activation. (For leaky and elu only)"),
        Float("lower_bound", 0.125, "Lower bound of random slope. (For rrelu only)"),
        Float("upper_bound", 0.334, "Upper bound of random slope. (For rrelu only)"),
    ]


# ---- helpers ---------------------------------------------------------------------------------
def _work(x: np.ndarray) -> np.ndarray:
    """The array to compute with: float16 is computed in float32, as MXNet's kernels do."""
    if x.dtype.kind != "f":
        raise MXNetError(f"This operation only support floating point types, not "
                         f"{x.dtype.name}")
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _f32(value: float) -> float:
    return float(_F32(value))


def _rrelu_mean_slope(p: Params) -> float:
    """``(lower_bound + upper_bound) / 2`` in float32, as MXNet computes it."""
    return float((_F32(p.lower_bound) + _F32(p.upper_bound)) / _F32(2))


def _erf(x: np.ndarray) -> np.ndarray:
    from scipy import special  # imported on first use (SciPy brings a second OpenBLAS)
    return special.erf(x)


def _lrelu_per_sample(p: Params, shapes: list):
    """Per-sample, except a prelu whose gamma runs along the batch axis."""
    if p.act_type != "prelu":
        return [0]
    data, gamma = shapes[0], shapes[1] if len(shapes) > 1 else None
    if not data or gamma is None or len(data) < 2:
        return None
    try:
        return [0] if gamma_view(tuple(gamma), tuple(data))[0] == 1 else None
    except MXNetError:
        return None


def gamma_view(gamma_shape: tuple, data_shape: tuple) -> tuple:
    """The shape that broadcasts prelu's gamma against the data (MXNet ``expand_shape``):
    gamma's dims are matched from the right against the data's axes 0 and 1 (equal or 1);
    every other axis gets 1. ``(C,)`` on ``(N, C, ...)`` -> ``(1, C, 1, ...)``."""
    result = [1] * len(data_shape)
    s = len(gamma_shape) - 1
    for i in range(len(data_shape) - 1, -1, -1):
        if s >= 0 and i <= 1 and gamma_shape[s] in (data_shape[i], 1):
            result[i] = gamma_shape[s]
            s -= 1
    if s != -1:
        raise MXNetError(f"Check failed: s == -1: Cannot broadcast gamma to data. gamma: "
                         f"{fmt_shape(gamma_shape)}, data: {fmt_shape(data_shape)}")
    return tuple(result)


# ---- LeakyReLU forward ---------------------------------------------------------------------
def _lrelu_inputs(p: Params) -> list[str]:
    return ["data", "gamma"] if p.act_type == "prelu" else ["data"]


def _lrelu_outputs(p: Params) -> int:
    return 2 if p.act_type == "rrelu" else 1


def _lrelu_output_names(p: Params) -> list[str]:
    return ["output", "mask"] if p.act_type == "rrelu" else ["output"]


def _lrelu_shape(p: Params, ins: list, outs: list):
    """Output (and rrelu's mask) = data; prelu's gamma defaults to ``(data[1],)``."""
    data = ins[0] if ins[0] is not None else outs[0]
    if data is None:
        return ins, outs
    new_ins = [data]
    if p.act_type == "prelu":
        gamma = ins[1]
        if gamma is None:
            if len(data) < 2:
                raise InferError(f"Check failed: i >= 0 && i < ndim(): index = 1 must be in "
                                 f"range [0, {len(data)})")
            gamma = (data[1],)
        new_ins.append(gamma)
    return new_ins, [data] * len(outs)


def _lrelu_type(p: Params, ins: list, outs: list):
    """One dtype for everything, led by the data (MXNet's wording for a wrong gamma)."""
    known = [t for t in list(ins) + list(outs) if t is not None]
    if not known:
        return ins, outs
    dtype = ins[0] if ins[0] is not None else known[0]
    for t in ins[1:]:
        if t is not None and t != dtype:
            raise InferError(f"Type inconsistent, Provided = {fmt_type(t)}, inferred type = "
                             f"{fmt_type(dtype)}")
    for j, t in enumerate(outs):
        if t is not None and t != dtype:
            raise InferError(f"Incompatible attr in node at {j}-th output: expected "
                             f"{fmt_type(dtype)}, got {fmt_type(t)}")
    return [dtype] * len(ins), [dtype] * len(outs)


def _elu_branch(x: np.ndarray, slope: float) -> np.ndarray:
    """``slope * (exp(x) - 1)`` for the non-positive part (no overflow for large x)."""
    return slope * np.expm1(np.minimum(x, 0))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1 + _erf(x * (1 / math.sqrt(2))))


def _lrelu_value(p: Params, x: np.ndarray, slope) -> np.ndarray:
    """The activation of ``x`` (work dtype); ``slope`` is a scalar or an array (prelu/rrelu)."""
    kind = p.act_type
    if kind == "elu":
        return np.where(x > 0, x, _elu_branch(x, _f32(p.slope)).astype(x.dtype, copy=False))
    if kind == "selu":
        neg = _elu_branch(x, SELU_ALPHA).astype(x.dtype, copy=False)
        return SELU_LAMBDA * np.where(x > 0, x, neg)
    if kind == "gelu":
        return _gelu(x)
    return np.where(x > 0, x, x * slope)


def _lrelu_forward(p: Params, ctx, ins, req, outs) -> None:
    data = ins[0]
    x = _work(data)
    kind, slope = p.act_type, _f32(p.slope)
    if kind == "prelu":
        slope = _work(ins[1]).reshape(gamma_view(ins[1].shape, data.shape))
    elif kind == "rrelu":
        if ctx.is_train:
            rng = ctx.rng if ctx.rng is not None else np.random.default_rng()
            slope = rng.uniform(_f32(p.lower_bound), _f32(p.upper_bound),
                                data.shape).astype(x.dtype)
        else:
            slope = np.full(data.shape, _rrelu_mean_slope(p), x.dtype)
    if req[0] != NULL:
        assign(outs[0], req[0], _lrelu_value(p, x, slope))
    if kind == "rrelu":
        assign(outs[1], req[1], slope)


# ---- LeakyReLU backward ------------------------------------------------------------------------
def _backward_inputs(p: Params) -> list[str]:
    """``value`` is the forward output, or the data for prelu and gelu; ``param`` is prelu's
    gamma or rrelu's mask (one name per position, so positional calls bind the same way)."""
    return ["ograd", "value", "param"] if p.act_type in ("prelu", "rrelu") else \
        ["ograd", "value"]


def _lrelu_gradient(g, ograds):
    """One ``_backward_LeakyReLU`` node; a head gradient on rrelu's mask is ignored."""
    n_in = len(g.node.inputs)
    if ograds[0] is None:
        return [None] * n_in
    p = g.params
    params = {f.name: p[f.name] for f in _lrelu_fields()}
    if p.act_type == "prelu":
        source = [g.input(0), g.input(1)]
    elif p.act_type == "rrelu":
        source = [g.output(0), g.output(1)]
    else:
        source = [g.input(0) if p.act_type == "gelu" else g.output(0)]
    grads = g.op("_backward_LeakyReLU", ograds[0], *source, **params)
    return list(grads) if p.act_type == "prelu" else [grads]


def _gelu_grad(x: np.ndarray) -> np.ndarray:
    """``Phi(x) + x phi(x)``: the derivative of the erf-form gelu."""
    return 0.5 * (1 + _erf(x * (1 / math.sqrt(2)))) + \
        x * np.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))


def _local_grad(p: Params, v: np.ndarray, extra) -> np.ndarray:
    """d out / d data from the output (leaky, elu, selu, rrelu) or the data (gelu)."""
    kind = p.act_type
    if kind == "gelu":
        return _gelu_grad(v)
    if kind == "elu":
        return np.where(v > 0, 1, v + _f32(p.slope))
    if kind == "selu":
        return np.where(v > 0, SELU_LAMBDA, v + SELU_LAMBDA * SELU_ALPHA)
    slope = extra if kind == "rrelu" else _f32(p.slope)
    return np.where(v > 0, 1, slope)


def _prelu_backward(ins, req, outs) -> None:
    og, data, gamma = ins
    x, o = _work(data), _work(og)
    view = gamma_view(gamma.shape, data.shape)
    if req[1] != NULL:
        axes = tuple(i for i, n in enumerate(view) if n == 1 and data.shape[i] != 1)
        ggamma = np.sum(o * np.where(x > 0, 0, x), axis=axes, keepdims=True)
        assign(outs[1], req[1], ggamma.reshape(gamma.shape))
    if req[0] != NULL:
        assign(outs[0], req[0], np.where(x > 0, o, o * _work(gamma).reshape(view)))


def _lrelu_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins``: (ograd, output), (ograd, output, mask), (ograd, data) for gelu or
    (ograd, data, gamma) for prelu, whose second output is gamma's gradient."""
    if p.act_type == "prelu":
        _prelu_backward(ins, req, outs)
        return
    if req[0] == NULL:
        return
    extra = _work(ins[2]) if len(ins) > 2 else None
    assign(outs[0], req[0], _work(ins[0]) * _local_grad(p, _work(ins[1]), extra))


def _backward_shape(p: Params, ins: list, outs: list):
    """Everything has the data's shape, except prelu's gamma and its gradient."""
    extra = list(ins[2:])
    candidates = [ins[0], ins[1], outs[0]] + (extra if p.act_type == "rrelu" else [])
    shape = next((s for s in candidates if s is not None), None)
    if shape is None:
        return ins, outs
    if p.act_type == "rrelu":
        extra = [shape]
    return [shape, shape] + extra, [shape] + (extra if p.act_type == "prelu" else [])


def _lrelu_attr_hook(p: Params, i: int) -> dict:
    """prelu's gamma variable starts at 0.25 unless it has an initializer."""
    return {"__init__": '["Constant", {"value": 0.25}]'} if p.act_type == "prelu" and i == 1 \
        else {}


register("_backward_LeakyReLU", inputs=_backward_inputs, fields=_lrelu_fields(),
         outputs=lambda p: 2 if p.act_type == "prelu" else 1,
         arg_names=("ograd", "value", "param"),
         infer_shape=_backward_shape, infer_type=same_type, forward=_lrelu_backward,
         inplace=[(0, 0)],
         doc="Gradient of LeakyReLU: the data's gradient (and gamma's, for prelu).")

register(
    "LeakyReLU", inputs=_lrelu_inputs, arg_names=("data", "gamma"), fields=_lrelu_fields(),
    per_sample=_lrelu_per_sample,
    outputs=_lrelu_outputs, output_names=_lrelu_output_names, infer_shape=_lrelu_shape,
    infer_type=_lrelu_type, forward=_lrelu_forward, gradient=_lrelu_gradient,
    inplace=inplace_0_0, needs_rng=True,
    attr_hook=_lrelu_attr_hook,
    doc="Applies Leaky rectified linear unit activation element-wise to the input.\n\n"
        "Leaky ReLUs attempt to fix the \"dying ReLU\" problem by allowing a small `slope`\n"
        "when the input is negative and has a slope of one when input is positive.\n\n"
        "The following modified ReLU Activation functions are supported:\n\n"
        "- *elu*: Exponential Linear Unit. `y = x > 0 ? x : slope * (exp(x)-1)`\n"
        "- *selu*: Scaled Exponential Linear Unit. `y = lambda * (x > 0 ? x : alpha * "
        "(exp(x) - 1))` where\n  *lambda = 1.0507009873554804934193349852946* and *alpha = "
        "1.6732632423543772848170429916717*.\n"
        "- *leaky*: Leaky ReLU. `y = x > 0 ? x : slope * x`\n"
        "- *prelu*: Parametric ReLU. This is same as *leaky* except that `slope` is learnt "
        "during training.\n"
        "- *rrelu*: Randomized ReLU. same as *leaky* but the `slope` is uniformly and "
        "randomly chosen from\n  *[lower_bound, upper_bound)* for training, while fixed to "
        "be\n  *(lower_bound+upper_bound)/2* for inference.\n"
        "- *gelu*: Gaussian Error Linear Unit, `y = 0.5 * x * (1 + erf(x / sqrt(2)))`.")


# ---- SoftmaxActivation -----------------------------------------------------------------------
def _softmax_axis(p: Params, ndim: int) -> int:
    if p.mode == "channel":
        if ndim < 3:
            raise MXNetError(f"Check failed: in_data.ndim() >= 3 ({ndim} vs. 3) : Input need "
                             f"to have a least 3 dimensions when mode=channel")
        return 1
    return ndim - 1


def _softmax_activation_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    x = _work(ins[0])
    axis = _softmax_axis(p, x.ndim)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    assign(outs[0], req[0], e)


def _softmax_activation_gradient(g, ograds):
    """``y * (og - sum(og * y))`` along the softmax axis, from the output ``y``: a
    composition of registered ops, so it can be differentiated again."""
    og, y = ograds[0], g.output()
    if og is None:
        return [None]
    axis = 1 if g.params.mode == "channel" else -1
    total = g.op("sum", g.mul(og, y), axis=(axis,), keepdims=True)
    return [g.mul(g.op("broadcast_sub", og, total), y)]


register(
    "SoftmaxActivation", per_sample=[0],
    fields=[Enum("mode", ("channel", "instance"), "instance",
                 "Specifies how to compute the softmax. If set to ``instance``, it computes "
                 "softmax for each instance. If set to ``channel``, It computes cross channel "
                 "softmax for each position of each instance.")],
    infer_shape=elemwise_shape, forward=_softmax_activation_forward,
    gradient=_softmax_activation_gradient, inplace=inplace_0_0,
    doc="Applies softmax activation to input. This is intended for internal layers.\n\n"
        ".. note::\n\n  This operator has been deprecated, please use `softmax`.\n\n"
        "If `mode` = ``instance``, this operator will compute a softmax for each instance in "
        "the batch (over the last axis). This is the default mode.\n\n"
        "If `mode` = ``channel``, this operator will compute a k-class softmax at each "
        "position of each instance, where `k` = ``num_channel`` (axis 1). This mode can only "
        "be used when the input array has at least 3 dimensions.")


# ---- smooth_l1 ---------------------------------------------------------------------------------
def _smooth_l1_values(x: np.ndarray, sigma) -> np.ndarray:
    """``0.5 (sigma x)^2`` where ``|x| < 1/sigma^2``, else ``|x| - 0.5/sigma^2``."""
    bsq = sigma * sigma
    with np.errstate(divide="ignore"):
        ibsq = 1.0 / bsq
    quad = 0.5 * bsq * x * x
    return np.where(x > ibsq, x - 0.5 * ibsq, np.where(x < -ibsq, -x - 0.5 * ibsq, quad))


def _smooth_l1_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    x = ins[0]
    if x.dtype.kind == "f":
        w = _work(x)
        value = _smooth_l1_values(w, w.dtype.type(p.scalar))
    else:  # the scalar becomes the array's type (a C cast), the arithmetic is float
        with np.errstate(invalid="ignore", over="ignore"):
            sigma = float(np.array(p.scalar).astype(x.dtype))
        value = _smooth_l1_values(x.astype(np.float64), sigma)
    if req[0] == ADD:
        outs[0] += value.astype(outs[0].dtype)
    else:
        np.copyto(outs[0], value, casting="unsafe")


def _smooth_l1_gradient(g, ograds):
    """``og * clip(sigma^2 x, -1, 1)`` from registered, differentiable ops."""
    if ograds[0] is None:
        return [None]
    s = g.params.scalar
    inner = g.op("_maximum_scalar", g.scale(g.input(0), s * s), scalar=-1.0)
    return [g.mul(ograds[0], g.op("_minimum_scalar", inner, scalar=1.0))]


register(
    "smooth_l1",
    fields=[Double("scalar", 1.0, "Scalar input value"),
            Bool("is_int", True, "Indicate whether scalar input is int type")],
    infer_shape=elemwise_shape, forward=_smooth_l1_forward, gradient=_smooth_l1_gradient,
    inplace=inplace_0_0,
    doc="Calculate Smooth L1 Loss(lhs, scalar) by summing\n\n"
        ".. math::\n\n    f(x) =\n    \\begin{cases}\n    (\\sigma x)^2/2,& \\text{if }x < "
        "1/\\sigma^2\\\\\n    |x|-0.5/\\sigma^2,& \\text{otherwise}\n    \\end{cases}\n\n"
        "where :math:`x` is an element of the tensor *lhs* and :math:`\\sigma` is the "
        "scalar.\n\nExample::\n\n  smooth_l1([1, 2, 3, 4]) = [0.5, 1.5, 2.5, 3.5]\n"
        "  smooth_l1([1, 2, 3, 4], scalar=1) = [0.5, 1.5, 2.5, 3.5]")
