"""Cases for symnet/ops/defs/loss.py: regression outputs, MakeLoss, make_loss and their
backward kernels.

Loss layers make their own gradient (not the derivative of their forward output), so their
cases are grad=False here; tests/test_loss_layers.py checks the gradients through the executor
against the spec's formulas and numbers recorded from MXNet 1.9.1.
"""
from __future__ import annotations

import math

import numpy as np

from .harness import OpCase


def _data_label(data_shape, label_shape):
    def make(rng, dtype):
        return [rng.uniform(-2, 2, data_shape).astype(dtype),
                rng.uniform(-1, 1, label_shape).astype(dtype)]
    return make


def _identity_ref(data, label=None, **_):
    return data.copy()


def _logistic_ref(data, label=None, **_):
    flat = [1.0 / (1.0 + math.exp(-float(v))) for v in data.ravel()]
    return np.array(flat, dtype=np.float64).reshape(data.shape).astype(data.dtype)


def _per_sample(label) -> int:
    return label.size // label.shape[0]


def _reg_backward_ref(kind):
    def ref(label, output, grad_scale=1.0, **_):
        m = _per_sample(label)
        out = np.empty(output.shape, dtype=np.float64)
        flat_label = label.ravel()
        for i, (o, y) in enumerate(zip(output.ravel(), flat_label)):
            d = float(o) - float(y)
            if kind == "mae":
                d = (d > 0) - (d < 0)
            out.flat[i] = d * float(np.float32(grad_scale) / np.float32(m))
        return [out.astype(output.dtype), np.zeros(label.shape, label.dtype)]
    return ref


def _make_loss_backward_ref(output, grad_scale=1.0, normalization="null", valid_thresh=0.0,
                            **_):
    if normalization == "batch":
        value = float(np.float32(grad_scale) / np.float32(output.shape[0]))
    elif normalization == "valid":
        valid = sum(1 for v in output.ravel() if v > valid_thresh)
        value = float(np.float32(grad_scale)) / max(1, valid)
    else:
        value = float(np.float32(grad_scale))
    return np.full(output.shape, value).astype(output.dtype)


def _one(shape, low=-2, high=2):
    def make(rng, dtype):
        return [rng.uniform(low, high, shape).astype(dtype)]
    return make


_REGS = [("LinearRegressionOutput", _identity_ref, "_backward_linear_reg_out", "linear"),
         ("MAERegressionOutput", _identity_ref, "_backward_mae_reg_out", "mae"),
         ("LogisticRegressionOutput", _logistic_ref, "_backward_logistic_reg_out", "linear")]

CASES = []
for _op, _ref, _bwd, _kind in _REGS:
    CASES += [
        OpCase(_op, _data_label((3, 4), (3, 4)), {}, _ref, grad=False,
               dtypes=("float16", "float32", "float64")),
        OpCase(_op, _data_label((3, 1), (3,)), {"grad_scale": 2.0}, _ref, grad=False,
               id="n1"),
        OpCase(_op, _data_label((2, 3, 2), (2, 6)), {}, _ref, grad=False, id="3d"),
        OpCase(_bwd, _data_label((3, 4), (3, 4)), {}, _reg_backward_ref(_kind), grad=False),
        OpCase(_bwd, _data_label((2, 3, 2), (2, 6)), {"grad_scale": 0.3},
               _reg_backward_ref(_kind), grad=False, id="3d"),
        OpCase(_bwd, _data_label((3, 1), (3,)), {"grad_scale": 2.0}, _reg_backward_ref(_kind),
               grad=False, id="n1"),
    ]

CASES += [
    OpCase("MakeLoss", _one((3, 4)), {}, _identity_ref, grad=False,
           dtypes=("float16", "float32", "float64", "int32")),
    OpCase("MakeLoss", _one((3, 4)), {"normalization": "valid", "valid_thresh": 0.5},
           _identity_ref, grad=False, id="valid"),
    OpCase("make_loss", _one((3, 4)), {}, _identity_ref, grad=False,
           dtypes=("float32", "float64", "int32")),
    OpCase("_backward_MakeLoss", _one((3, 4)), {"grad_scale": 3.0}, _make_loss_backward_ref,
           grad=False),
    OpCase("_backward_MakeLoss", _one((3, 4)), {"grad_scale": 0.1, "normalization": "batch"},
           _make_loss_backward_ref, grad=False, id="batch"),
    OpCase("_backward_MakeLoss", _one((3, 4)),
           {"grad_scale": 3.0, "normalization": "valid", "valid_thresh": 0.5},
           _make_loss_backward_ref, grad=False, id="valid"),
    OpCase("_backward_MakeLoss", _one((3, 4), -2, -1), {"normalization": "valid"},
           _make_loss_backward_ref, grad=False, id="valid-none"),
]
