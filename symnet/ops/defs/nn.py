"""Core network layers: FullyConnected, Activation and the SoftmaxOutput loss head.

The remaining network operators (Convolution, Pooling, BatchNorm, ...) join this family in
the "operators for real networks" issue; gradients arrive with the executor.
"""
from __future__ import annotations

import numpy as np

from ..fields import Bool, Enum, Float, Int
from ..kernel import ADD, NULL, assign
from ..registry import InferError, Params, register
from ..rules import elemwise_shape, inplace_0_0, same_type

__all__ = ["softmax_2d_axis"]


# ---- FullyConnected -----------------------------------------------------------------------
def _fc_inputs(p: Params) -> list[str]:
    return ["data", "weight"] if p.no_bias else ["data", "weight", "bias"]


def _prod(dims) -> int | None:
    out = 1
    for d in dims:
        if d is None:
            return None
        out *= d
    return out


def _fc_shape(p: Params, ins: list, outs: list):
    """Weight (num_hidden, features) and bias (num_hidden,) from the data; data must be known
    in rank. The batch size flows back from the output when the data lacks it."""
    data = ins[0]
    if data is None:
        return ins, outs
    n = p.num_hidden
    if p.flatten:
        features = _prod(data[1:]) if len(data) > 1 else 1
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
    x = data.reshape(data.shape[0], -1) if p.flatten and data.ndim != 1 else data
    if data.ndim == 1 and p.flatten:
        x = data.reshape(-1, 1)
    out = outs[0].reshape(x.shape[:-1] + (p.num_hidden,))
    if req[0] == ADD:
        out += x @ weight.T + (0 if p.no_bias else ins[2])
        return
    np.matmul(x, weight.T, out=out)
    if not p.no_bias:
        out += ins[2]


register(
    "FullyConnected", inputs=_fc_inputs, arg_names=("data", "weight", "bias"),
    fields=[Int("num_hidden", doc="Number of hidden nodes of the output.", low=1),
            Bool("no_bias", False, "Whether to disable bias parameter."),
            Bool("flatten", True, "Whether to collapse all but the first axis of the input "
                                  "data tensor.")],
    infer_shape=_fc_shape, infer_type=_float_only, forward=_fc_forward,
    doc="Applies a linear transformation: :math:`Y = XW^T + b`.\n\n"
        "With ``flatten=True`` the data is reshaped to ``(batch, -1)`` first; with "
        "``flatten=False`` the transformation applies to the last axis.")


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


def _activation_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    x, out = ins[0], outs[0]
    if p.act_type == "relu" and req[0] != ADD:
        np.maximum(x, 0, out=out)
    else:
        assign(out, req[0], _ACTIVATIONS[p.act_type](x))


register(
    "Activation",
    fields=[Enum("act_type", tuple(_ACTIVATIONS), doc="Activation function to be applied.")],
    infer_shape=elemwise_shape, infer_type=_float_only, inplace=inplace_0_0,
    forward=_activation_forward, fluent=False,
    doc="Applies an activation function element-wise: relu, sigmoid, tanh, softrelu "
        "(log(1 + exp(x))) or softsign (x / (1 + |x|)).")


# ---- SoftmaxOutput ------------------------------------------------------------------------
def softmax_2d_axis(p: Params, shape: tuple) -> tuple[tuple, int]:
    """How SoftmaxOutput views its data: ``(view shape, softmax axis)``.

    Default: ``(N, prod(rest))`` over axis 1; ``preserve_shape``: the data's shape over the
    last axis; ``multi_output``: ``(N, C, prod(rest))`` over axis 1.
    """
    if p.multi_output:
        return (shape[0], shape[1], int(np.prod(shape[2:], dtype=np.int64))), 1
    if p.preserve_shape:
        return tuple(shape), len(shape) - 1
    return (shape[0], int(np.prod(shape[1:], dtype=np.int64))), 1


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
        expected = (data[0], _prod(data[2:]) if len(data) > 2 else 1)
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


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def _softmax_output_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    data = ins[0]
    view, axis = softmax_2d_axis(p, data.shape)
    assign(outs[0], req[0], _softmax(data.reshape(view), axis).reshape(data.shape))


register(
    "SoftmaxOutput", aliases=("Softmax",), inputs=["data", "label"],
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
    infer_shape=_softmax_output_shape, infer_type=_softmax_output_type,
    forward=_softmax_output_forward,
    doc="Computes the softmax of the data in the forward pass and, in the backward pass, the "
        "gradient of the cross-entropy loss against ``label`` (the head gradient is ignored).")
