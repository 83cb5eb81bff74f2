"""Loss heads that make their own gradient: the regression outputs, MakeLoss and make_loss.

Each forward pass is (nearly) the identity; the backward pass ignores the head gradient and
computes the loss gradient from the output and the label (MXNet spec 6.4). Labels never
receive a gradient. Scales follow MXNet's arithmetic: ``grad_scale / M`` is computed in
float32 (MXNet's ``real_t``), so float64 gradients show float32 rounding in the scale, exactly
as MXNet 1.9.1 gives them.
"""
from __future__ import annotations

import numpy as np

from ..fields import Enum, Float
from ..kernel import NULL, assign
from ..registry import Params, register
from ..rules import elemwise_shape, inplace_0_0, known, same_type

__all__: list[str] = []

_F32 = np.float32


def _size(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


# ---- regression outputs -------------------------------------------------------------------
def _regression_shape(p: Params, ins: list, outs: list):
    """Output = data. The label defaults to the data's shape, or ``(N,)`` for data ``(N, 1)``;
    a given label is accepted when it has the data's first dim and total size."""
    data, label = ins
    if data is None:
        data = outs[0]
    if data is None:
        return [data, label], [outs[0]]
    expected = tuple(data[:1]) if len(data) == 2 and data[1] == 1 else tuple(data)
    if known(label) and known(data):
        if label and _size(label) == _size(data) and label[0] == data[0]:
            return [data, label], [data]
        return [data, expected], [data]  # the merge reports MXNet's "Shape inconsistent"
    if label is not None and len(label) != len(expected):
        return [data, label], [data]
    return [data, expected], [data]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1)  # stable for large |x|


_REGRESSIONS = {
    # op name: (backward op name, forward transform, gradient of the loss w.r.t. the output)
    "LinearRegressionOutput": ("_backward_linear_reg_out", None, lambda d: d),
    "MAERegressionOutput": ("_backward_mae_reg_out", None, np.sign),
    "LogisticRegressionOutput": ("_backward_logistic_reg_out", _sigmoid, lambda d: d),
}


def _regression_forward(transform):
    def kernel(p: Params, ctx, ins, req, outs) -> None:
        if req[0] == NULL:
            return
        data = ins[0]
        if transform is None:
            if outs[0] is not data:
                assign(outs[0], req[0], data)
        else:
            assign(outs[0], req[0], transform(data))
    return kernel


def _regression_backward(grad_of):
    def kernel(p: Params, ctx, ins, req, outs) -> None:
        """``ins`` = (label, output): grad = f(output - label) * grad_scale / M. The second
        output is the label's slot, as in MXNet; the gradient graph never uses it."""
        assign(outs[1], req[1], 0)
        if req[0] == NULL:
            return
        label, out = ins
        per_sample = label.size // label.shape[0] if label.ndim and label.shape[0] else 1
        scale = float(_F32(p.grad_scale) / _F32(max(per_sample, 1)))
        diff = out - label.reshape(out.shape).astype(out.dtype, copy=False)
        assign(outs[0], req[0], grad_of(diff) * np.asarray(scale, dtype=out.dtype))
    return kernel


def _regression_gradient(backward_name: str):
    def rule(g, ograds):
        # The head gradient is ignored: the loss defines its own gradient. The label gets
        # none, and MXNet leaves its gradient array as it is.
        grads = g.op(backward_name, g.input(1), g.output(), grad_scale=g.params.grad_scale)
        return [grads[0], g.untouched]
    return rule


def _backward_regression_rule(p: Params, ins: list, outs: list):
    """Shapes or types: (data gradient like the output, label slot like the label)."""
    return ins, [ins[1] if ins[1] is not None else outs[0],
                 ins[0] if ins[0] is not None else outs[1]]


_GRAD_SCALE_DOC = "Scale the gradient by a float factor"
_REGRESSION_DOCS = {
    "LinearRegressionOutput":
        "Computes and optimizes for squared loss during backward propagation; just outputs "
        "``data`` during forward propagation.\n\nBy default, gradients of this loss function "
        "are scaled by factor `1/m`, where m is the number of regression outputs of a "
        "training example. The parameter `grad_scale` can be used to change this scale to "
        "`grad_scale/m`.",
    "MAERegressionOutput":
        "Computes mean absolute error of the input: outputs ``data`` in the forward pass; the "
        "backward pass gives ``sign(data - label) * grad_scale / m``, where m is the number of "
        "regression outputs of a training example.",
    "LogisticRegressionOutput":
        "Applies a logistic function to the input: :math:`\\frac{1}{1+exp(-\\textbf{x})}`. "
        "The loss is the binary cross entropy :math:`-{(y\\log(p) + (1 - y)\\log(1 - p))}`, "
        "whose gradient ``(p - label) * grad_scale / m`` (m: regression outputs per example) "
        "the backward pass gives.",
}

for _name, (_bwd, _transform, _grad) in _REGRESSIONS.items():
    register(_bwd, inputs=["label", "output"], outputs=2,
             fields=[Float("grad_scale", 1.0, _GRAD_SCALE_DOC)],
             infer_shape=_backward_regression_rule, infer_type=_backward_regression_rule,
             forward=_regression_backward(_grad),
             doc=f"Gradient of {_name} (the head gradient is not an input).")
    register(_name, inputs=["data", "label"], per_sample=[0, 1],
             fields=[Float("grad_scale", 1.0, _GRAD_SCALE_DOC)],
             infer_shape=_regression_shape, infer_type=same_type, inplace=inplace_0_0,
             forward=_regression_forward(_transform), gradient=_regression_gradient(_bwd),
             doc=_REGRESSION_DOCS[_name])


# ---- MakeLoss -----------------------------------------------------------------------------
def _make_loss_fields() -> list:
    return [
        Float("grad_scale", 1.0, "Gradient scale as a supplement to unary and binary "
                                 "operators"),
        Float("valid_thresh", 0.0, "clip each element in the array to 0 when it is less than "
                                   "``valid_thresh``. This is used when ``normalization`` is "
                                   "set to ``'valid'``."),
        Enum("normalization", ("batch", "null", "valid"), "null",
             "If this is set to null, the output gradient will not be normalized. If this is "
             "set to batch, the output gradient will be divided by the batch size. If this is "
             "set to valid, the output gradient will be divided by the number of valid input "
             "elements."),
    ]


def _identity_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] != NULL and outs[0] is not ins[0]:
        assign(outs[0], req[0], ins[0])


def _make_loss_scale(p: Params, out: np.ndarray) -> np.ndarray:
    """MXNet's numbers: 'null' and 'batch' scale in float32; 'valid' divides in the dtype."""
    gs = _F32(p.grad_scale)
    if p.normalization == "batch":
        batch = out.shape[0] if out.ndim else 1
        return np.asarray(float(gs / _F32(max(batch, 1))), dtype=out.dtype)
    if p.normalization == "valid":
        count = max(1, int(np.count_nonzero(out > p.valid_thresh)))
        return np.asarray(float(gs), dtype=out.dtype) / np.asarray(count, dtype=out.dtype)
    return np.asarray(float(gs), dtype=out.dtype)


def _make_loss_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (output,): a constant gradient, normalised as ``normalization`` says."""
    if req[0] == NULL:
        return
    value = _make_loss_scale(p, ins[0])
    if req[0] == "add":
        outs[0] += value
    else:
        outs[0].fill(value)


def _make_loss_gradient(g, ograds):
    params = {k: g.params[k] for k in ("grad_scale", "valid_thresh", "normalization")}
    return [g.op("_backward_MakeLoss", g.output(), **params)]


register("_backward_MakeLoss", inputs=["output"], output_names=["data"],
         fields=_make_loss_fields(),
         infer_shape=elemwise_shape, infer_type=same_type, forward=_make_loss_backward,
         doc="Gradient of MakeLoss: ``grad_scale``, normalised by the batch size or the number "
             "of elements above ``valid_thresh`` (the head gradient is not an input).")

register(
    "MakeLoss", fields=_make_loss_fields(), infer_shape=elemwise_shape, infer_type=same_type,
    inplace=inplace_0_0, forward=_identity_forward, gradient=_make_loss_gradient,
    doc="Make your own loss function in network construction: outputs ``data``; the backward "
        "pass ignores the head gradient and gives ``grad_scale`` for every element (divided "
        "by the batch size for ``normalization='batch'``, or by the number of elements above "
        "``valid_thresh`` for ``'valid'``).")


# ---- make_loss ------------------------------------------------------------------------------
def _make_loss_lower_gradient(g, ograds):
    # MXNet's make_loss: the gradient is ones_like(data), whatever head gradient is given.
    return [g.op("ones_like", g.input(0))]


register(
    "make_loss", output_names=["loss"], infer_shape=elemwise_shape, infer_type=same_type,
    inplace=inplace_0_0, forward=_identity_forward, gradient=_make_loss_lower_gradient,
    doc="Make your own loss function in network construction: outputs ``data``; its gradient "
        "is 1 for every element whatever head gradient is given. The output is named "
        "``<name>_loss``.")

del _name, _bwd, _transform, _grad
