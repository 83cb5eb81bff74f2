"""Core network layers: FullyConnected, Activation and the SoftmaxOutput loss head.

The remaining network operators (Convolution, Pooling, BatchNorm, ...) join this family in
the "operators for real networks" issue; gradients arrive with the executor.
"""
from __future__ import annotations

import math

import numpy as np

from ... import parallel
from ..fields import Bool, Enum, Float, Int
from ..kernel import ADD, BLAS_TYPES, NULL, assign, sum_columns
from ..registry import InferError, Params, register
from ..rules import elemwise_shape, inplace_0_0, prod, same_type

__all__ = ["softmax_2d_axis"]


# ---- FullyConnected -----------------------------------------------------------------------
def _fc_inputs(p: Params) -> list[str]:
    return ["data", "weight"] if p.no_bias else ["data", "weight", "bias"]


def _fc_shape(p: Params, ins: list, outs: list):
    """Weight (num_hidden, features) and bias (num_hidden,) from the data; data must be known
    in rank. The batch size flows back from the output when the data lacks it."""
    data = ins[0]
    if data is None:
        return ins, outs
    n = p.num_hidden
    if p.flatten:
        features = prod(data[1:]) if len(data) > 1 else 1
        batch = data[0] if len(data) > 1 else data[0]
        out = (batch, n)
    else:
        features, out = data[-1], tuple(data[:-1]) + (n,)
    if outs[0] is not None and data and data[0] is None and outs[0][0] is not None:
        data = (outs[0][0],) + tuple(data[1:])
        out = (outs[0][0],) + tuple(out[1:])
    new_ins = [data, (n, features)] + ([] if p.no_bias else [(n,)])
    return new_ins, [out]


def _float_only(p: Params, ins: list, outs: list):
    """Same dtype everywhere, and only floating point (MXNet's check for these layers)."""
    new_ins, new_outs = same_type(p, ins, outs)
    dtype = new_ins[0] if new_ins else None
    if dtype is not None and np.dtype(dtype).kind != "f":
        raise InferError(f"This operation only support floating point types, not "
                         f"{np.dtype(dtype).name}")
    return new_ins, new_outs


def _fc_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    data, weight = ins[0], ins[1]
    if data.ndim == 2:  # the common case: no reshaping at all
        x, out = data, outs[0]
    else:  # flatten: (N, rest); not: every index but the last is a row; 1-D: one column
        x = data.reshape(data.shape[0], -1) if p.flatten and data.ndim != 1 else \
            data.reshape(-1, data.shape[-1])
        if data.ndim == 1 and p.flatten:
            x = data.reshape(-1, 1)
        out = outs[0].reshape(x.shape[0], p.num_hidden)
    if req[0] == ADD:
        out += x @ weight.T + (0 if p.no_bias else ins[2])
        return
    if x.shape[0] < p.num_hidden and out.dtype in BLAS_TYPES and not parallel.blas_held():
        # OpenBLAS is faster with the larger dimension first: (hidden, batch), then one pass
        # transposing it and adding the bias (784-128 at batch 32 on 2 cores: 51 against 74 us)
        product = np.dot(weight, x.T)
        if p.no_bias:
            np.copyto(out, product.T)
        else:
            np.add(product.T, ins[2], out=out)
        return

    def rows(lo: int, hi: int) -> None:
        np.matmul(x[lo:hi], weight.T, out=out[lo:hi])
        if not p.no_bias:
            out[lo:hi] += ins[2]

    parallel.split_held(x.shape[0], rows, out.size * x.shape[-1])


# ---- Activation ---------------------------------------------------------------------------
def _softrelu(x):
    return np.logaddexp(0, x)


def _sigmoid(x):
    return 0.5 * (np.tanh(0.5 * x) + 1)  # stable for large |x|


_ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "softrelu": _softrelu,
    "softsign": lambda x: x / (1 + np.abs(x)),
}


def _relu(x: np.ndarray, out: np.ndarray) -> None:
    np.maximum(x, 0, out=out)


def _relu_grad(og: np.ndarray, y: np.ndarray, out: np.ndarray) -> None:
    np.multiply(og, y > 0, out=out)


def _activation_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    x, out = ins[0], outs[0]
    if p.act_type == "relu" and req[0] != ADD:
        parallel.split_flat(_relu, (x,), out)
    else:
        assign(out, req[0], _ACTIVATIONS[p.act_type](x))


# ---- SoftmaxOutput ------------------------------------------------------------------------
def softmax_2d_axis(p: Params, shape: tuple) -> tuple[tuple, int]:
    """How SoftmaxOutput views its data: ``(view shape, softmax axis)``.

    Default: ``(N, prod(rest))`` over axis 1; ``preserve_shape``: the data's shape over the
    last axis; ``multi_output``: ``(N, C, prod(rest))`` over axis 1.
    """
    if p.multi_output:
        return (shape[0], shape[1], math.prod(shape[2:])), 1
    if p.preserve_shape:
        return tuple(shape), len(shape) - 1
    return (shape[0], math.prod(shape[1:])), 1


def _softmax_output_shape(p: Params, ins: list, outs: list):
    data, label = ins
    if data is None:
        data = outs[0]
    if data is None:
        return ins, outs
    if label is not None and tuple(label) == tuple(data):
        return [data, label], [data]  # probability labels
    if p.multi_output:
        if len(data) < 2:
            raise InferError(f"multi_output needs data with at least 2 dims, got {data}")
        expected = (data[0], prod(data[2:]) if len(data) > 2 else 1)
        alt = (data[0],) + tuple(data[2:])
        if label is not None and tuple(label) in (expected, alt):
            return [data, label], [data]
        if label is not None and any(d is None for d in label) is False:
            raise InferError(f"Expecting {_fmt(expected)} or {_fmt(alt)}. But got "
                             f"{_fmt(label)}")
        return [data, expected], [data]
    return [data, tuple(data[:-1])], [data]


def _fmt(shape) -> str:
    return "[" + ",".join("-1" if d is None else str(d) for d in shape) + "]"


def _softmax_output_type(p: Params, ins: list, outs: list):
    dtype = ins[0] if ins[0] is not None else outs[0]
    label = ins[1] if ins[1] is not None else dtype
    return [dtype, label], [dtype]


def _softmax_into(x: np.ndarray, axis: int, out: np.ndarray) -> None:
    """Numerically stable softmax of ``x`` along ``axis`` written into ``out`` (may be x)."""
    if axis == 1 and x.ndim == 2 and x.shape[1] <= 32 and x.shape[0] >= 16:
        _softmax_few_columns(x, out)
        return
    np.subtract(x, x.max(axis=axis, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=axis, keepdims=True)


def _softmax_few_columns(x: np.ndarray, out: np.ndarray) -> None:
    """Softmax over the rows of an (N, K) array with few columns (a classifier's scores).

    NumPy reduces a short last axis one row at a time (1000 x 10 max: about 70 us); on the
    (K, N) transpose each reduction is K vectorised passes over N (about 4 us). The softmax
    runs there and is copied back: 24 us instead of 106 for 1000 x 10.
    """
    t = np.ascontiguousarray(x.T)
    t -= t.max(axis=0)
    np.exp(t, out=t)
    t /= t.sum(axis=0)
    np.copyto(out, t.T)


def _softmax_output_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    data = ins[0]
    view, axis = softmax_2d_axis(p, data.shape)
    if req[0] == ADD:
        tmp = np.empty(view, data.dtype)
        _softmax_into(data.reshape(view), axis, tmp)
        outs[0] += tmp.reshape(data.shape)
    else:
        _softmax_into(data.reshape(view), axis, outs[0].reshape(view))


# ---- gradients ----------------------------------------------------------------------------
_FC_FIELDS = [Int("num_hidden", low=1), Bool("no_bias", False), Bool("flatten", True)]


def _fc_gradient(g, ograds):
    p = g.params
    grads = g.op("_backward_FullyConnected", ograds[0], g.input(0), g.input(1),
                 num_hidden=p.num_hidden, no_bias=p.no_bias, flatten=p.flatten)
    return list(grads)


def _fc_backward_shape(p: Params, ins: list, outs: list):
    _, data, weight = ins
    new_outs = [data, weight] + ([] if p.no_bias else [(p.num_hidden,)])
    return ins, new_outs


def _fc_backward(p: Params, ctx, ins, req, outs) -> None:
    ograd, data, weight = ins
    x = data.reshape(-1, 1) if data.ndim == 1 and p.flatten else (
        data.reshape(data.shape[0], -1) if p.flatten else data.reshape(-1, data.shape[-1]))
    og = ograd.reshape(-1, p.num_hidden)
    macs = og.size * weight.shape[1]
    if req[0] == ADD:
        outs[0] += (og @ weight).reshape(data.shape)
    elif req[0] != NULL:
        dx = outs[0].reshape(og.shape[0], weight.shape[1])
        parallel.split_held(og.shape[0],
                            lambda lo, hi: np.matmul(og[lo:hi], weight, out=dx[lo:hi]), macs)
    if req[1] != NULL:
        if req[1] == ADD:
            outs[1] += og.T @ x
        else:  # split by the weight's rows: nothing to sum across threads
            dw = outs[1]
            parallel.split_held(og.shape[1],
                                lambda lo, hi: np.matmul(og[:, lo:hi].T, x, out=dw[lo:hi]), macs)
    if not p.no_bias and req[2] == ADD:
        outs[2] += sum_columns(og)
    elif not p.no_bias and req[2] != NULL:
        sum_columns(og, outs[2])


register("_backward_FullyConnected", inputs=["ograd", "data", "weight"], fields=_FC_FIELDS,
         outputs=lambda p: 2 if p.no_bias else 3, infer_shape=_fc_backward_shape,
         infer_type=same_type, forward=_fc_backward,
         doc="Gradient of FullyConnected with respect to data, weight and bias.")


def _activation_gradient(g, ograds):
    # Like MXNet, read the output (so the input's buffer may be reused in place), except
    # for softsign, whose derivative needs the input.
    kind = g.params.act_type
    source = g.input(0) if kind == "softsign" else g.output()
    return [g.op("_backward_Activation", ograds[0], source, act_type=kind)]


def _activation_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` is (ograd, output), or (ograd, data) for softsign."""
    if req[0] == NULL:
        return
    og, v = ins
    kind = p.act_type
    if kind == "relu":
        if req[0] == ADD:
            outs[0] += og * (v > 0)
        else:
            parallel.split_flat(_relu_grad, (og, v), outs[0])
        return
    if kind == "tanh" and req[0] != ADD:
        # og * (1 - v * v) with one temporary, written straight into the output (the same
        # roundings as the plain expression; safe in place, as each element is read first)
        tmp = np.multiply(v, v)
        np.subtract(1, tmp, out=tmp)
        np.multiply(og, tmp, out=outs[0])
        return
    if kind == "sigmoid":
        value = og * v * (1 - v)
    elif kind == "tanh":
        value = og * (1 - v * v)
    elif kind == "softrelu":
        value = og * -np.expm1(-v)  # sigmoid(x) = 1 - exp(-softrelu(x))
    else:
        value = og / np.square(1 + np.abs(v))
    assign(outs[0], req[0], value)


def _activation_backward_inputs(p: Params) -> list[str]:
    return ["ograd", "data"] if p.act_type == "softsign" else ["ograd", "output"]


register("_backward_Activation", inputs=_activation_backward_inputs,
         fields=[Enum("act_type", tuple(_ACTIVATIONS))], infer_shape=elemwise_shape,
         forward=_activation_backward, inplace=[(0, 0)],
         doc="Gradient of Activation from the head gradient, the input and the output.")


def _softmax_output_gradient(g, ograds):
    params = {k: g.params[k] for k in ("grad_scale", "ignore_label", "multi_output",
                                        "use_ignore", "preserve_shape", "normalization",
                                        "out_grad", "smooth_alpha")}
    data_grad = g.ops("_backward_SoftmaxOutput", g.output(), g.input(1), **params)[0]
    return [data_grad, g.untouched]


def _softmax_targets(p: Params, prob: np.ndarray, label: np.ndarray):
    """(grad before scaling, rows-valid mask, positions per sample) in the prob's view."""
    if p.multi_output:
        n, c = prob.shape[0], prob.shape[1]
        probs = np.moveaxis(prob.reshape(n, c, -1), 1, -1).reshape(-1, c)
    elif p.preserve_shape:
        probs = prob.reshape(-1, prob.shape[-1])
    else:
        probs = prob.reshape(prob.shape[0], -1)
    labels = label.reshape(-1)
    if labels.size > probs.shape[0] and not (p.multi_output or p.preserve_shape):
        labels = labels[:probs.shape[0]]  # MXNet reads one label per row, the first N
    if labels.size != probs.shape[0]:
        raise InferError(f"SoftmaxOutput: {labels.size} labels for {probs.shape[0]} rows")
    k = probs.shape[1]
    idx = labels.astype(np.int64)
    target = np.zeros_like(probs)
    alpha = p.smooth_alpha
    if alpha:
        target += alpha / (k - 1)
    inside = (idx >= 0) & (idx < k)
    rows = np.nonzero(inside)[0]
    target[rows, idx[inside]] = 1 - alpha
    grad = probs - target
    valid = labels != p.ignore_label
    if p.use_ignore:
        grad[~valid] = 0
    return grad, valid


def _softmax_output_backward(p: Params, ctx, ins, req, outs) -> None:
    """Output 0: the data gradient. Output 1, the label's slot, exists as in MXNet (its name
    shows in monitors); nothing reads it, so executors never compute it ('null')."""
    if len(req) > 1 and req[1] != NULL:
        assign(outs[1], req[1], 0)
    if req[0] == NULL:
        return
    prob, label = ins
    if label.shape == prob.shape:  # probability labels
        assign(outs[0], req[0], (prob - label) * p.grad_scale)
        return
    if (req[0] != ADD and prob.ndim == 2 and not (p.multi_output or p.preserve_shape
                                                   or p.smooth_alpha or p.out_grad)
            and label.size == prob.shape[0]):
        _softmax_grad_rows(p, prob, label, outs[0])
        return
    grad, valid = _softmax_targets(p, prob, label)
    if p.multi_output:
        n, c = prob.shape[0], prob.shape[1]
        grad = np.moveaxis(grad.reshape(n, -1, c), -1, 1).reshape(prob.shape)
        positions = grad.size // (n * c)
        norm = {"null": positions, "batch": positions * n,
                "valid": max(1, int(valid.sum()))}[p.normalization]
    else:
        grad = grad.reshape(prob.shape)
        norm = {"null": 1, "batch": prob.shape[0],
                "valid": max(1, int(valid.sum()))}[p.normalization]
    if p.out_grad:  # MXNet 1.9.1 multiplies by the output here, not the head gradient
        grad = grad * prob
    assign(outs[0], req[0], grad * (p.grad_scale / norm))


def _softmax_grad_rows(p: Params, prob: np.ndarray, label: np.ndarray, out: np.ndarray) -> None:
    """The common case, (N, K) probabilities and N class labels, without temporaries."""
    n, k = prob.shape
    idx = label.astype(np.intp)
    norm = p.normalization
    if norm == "null":
        scale = p.grad_scale
    elif norm == "batch":
        scale = p.grad_scale / n
    else:
        scale = p.grad_scale / max(1, int(np.count_nonzero(label != p.ignore_label)))
    np.multiply(prob, scale, out=out)
    rows = _ROWS.get(n)
    if rows is None:
        rows = _ROWS.setdefault(n, np.arange(n))
    if n and 0 <= idx.min() and idx.max() < k:
        out[rows, idx] -= scale
    else:
        inside = (idx >= 0) & (idx < k)
        out[rows[inside], idx[inside]] -= scale
    if p.use_ignore:
        out[label == p.ignore_label] = 0


_ROWS: dict[int, np.ndarray] = {}  # row indices per batch size, reused across calls


register("_backward_SoftmaxOutput", inputs=["output", "label"],
         fields=[Float("grad_scale", 1.0), Float("ignore_label", -1.0),
                 Bool("multi_output", False), Bool("use_ignore", False),
                 Bool("preserve_shape", False),
                 Enum("normalization", ("batch", "null", "valid"), "null"),
                 Bool("out_grad", False), Float("smooth_alpha", 0.0)],
         outputs=2, infer_shape=lambda p, ins, outs: (ins, [ins[0], ins[1]]),
         infer_type=lambda p, ins, outs: (ins, [ins[0], ins[1]]),
         forward=_softmax_output_backward,
         doc="Gradient of the softmax cross-entropy loss (SoftmaxOutput's backward pass); the "
             "second output is the label's gradient slot, always zero.")


# ---- the operators ---------------------------------------------------------------------------
register(
    "FullyConnected", inputs=_fc_inputs, arg_names=("data", "weight", "bias"), per_sample=[0],
    fields=[Int("num_hidden", doc="Number of hidden nodes of the output.", low=1),
            Bool("no_bias", False, "Whether to disable bias parameter."),
            Bool("flatten", True, "Whether to collapse all but the first axis of the input "
                                  "data tensor.")],
    infer_shape=_fc_shape, infer_type=_float_only, forward=_fc_forward, gradient=_fc_gradient,
    doc="Applies a linear transformation: :math:`Y = XW^T + b`.\n\n"
        "With ``flatten=True`` the data is reshaped to ``(batch, -1)`` first; with "
        "``flatten=False`` the transformation applies to the last axis.")


register(
    "Activation", per_sample=[0],
    fields=[Enum("act_type", tuple(_ACTIVATIONS), doc="Activation function to be applied.")],
    infer_shape=elemwise_shape, infer_type=_float_only, inplace=inplace_0_0,
    forward=_activation_forward, gradient=_activation_gradient,
    doc="Applies an activation function element-wise: relu, sigmoid, tanh, softrelu "
        "(log(1 + exp(x))) or softsign (x / (1 + |x|)).")


register(
    "SoftmaxOutput", aliases=("Softmax",), inputs=["data", "label"], per_sample=[0, 1],
    fields=[Float("grad_scale", 1.0, "Scales the gradient by a float factor."),
            Float("ignore_label", -1.0, "The instances whose `labels` == `ignore_label` will "
                  "be ignored during backward, if `use_ignore` is set to ``true``)."),
            Bool("multi_output", False, "If set to ``true``, the softmax function will be "
                 "computed along axis ``1``."),
            Bool("use_ignore", False, "If set to ``true``, the `ignore_label` value will not "
                 "contribute to the backward gradient."),
            Bool("preserve_shape", False, "If set to ``true``, the softmax function will be "
                 "computed along the last axis (``-1``)."),
            Enum("normalization", ("batch", "null", "valid"), "null",
                 "Normalizes the gradient."),
            Bool("out_grad", False, "Multiplies gradient with output gradient element-wise."),
            Float("smooth_alpha", 0.0, "Constant for computing a label smoothed version of "
                  "cross-entropy for the backwards pass.")],
    infer_shape=_softmax_output_shape, infer_type=_softmax_output_type, inplace=inplace_0_0,
    forward=_softmax_output_forward, gradient=_softmax_output_gradient,
    doc="Computes the softmax of the data in the forward pass and, in the backward pass, the "
        "gradient of the cross-entropy loss against ``label`` (the head gradient is ignored).")
