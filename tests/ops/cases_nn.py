"""Cases for symnet/ops/defs/nn.py (FullyConnected, Activation, SoftmaxOutput)."""
from __future__ import annotations

import math

import numpy as np

from .harness import OpCase, rand


def _fc_ref(data, weight, bias=None, num_hidden=None, no_bias=False, flatten=True):
    x = data.reshape(data.shape[0], -1) if flatten and data.ndim > 1 else data
    if flatten and data.ndim == 1:
        x = data.reshape(-1, 1)
    out = np.zeros(x.shape[:-1] + (weight.shape[0],), dtype=np.float64)
    for idx in np.ndindex(x.shape[:-1]):
        for h in range(weight.shape[0]):
            out[idx + (h,)] = sum(float(x[idx + (k,)]) * float(weight[h, k])
                                  for k in range(x.shape[-1]))
    if bias is not None:
        out += bias
    return out.astype(data.dtype)


def _fc_inputs(data_shape, num_hidden, no_bias=False, flatten=True):
    def make(rng, dtype):
        features = (int(np.prod(data_shape[1:])) if len(data_shape) > 1 else 1) if flatten \
            else data_shape[-1]
        arrays = [rng.uniform(-1, 1, data_shape), rng.uniform(-1, 1, (num_hidden, features))]
        if not no_bias:
            arrays.append(rng.uniform(-1, 1, (num_hidden,)))
        return [a.astype(dtype) for a in arrays]
    return make


def _act_ref(act_type):
    scalar = {
        "relu": lambda v: max(v, 0.0), "sigmoid": lambda v: 1 / (1 + math.exp(-v)),
        "tanh": math.tanh, "softrelu": lambda v: math.log1p(math.exp(v)),
        "softsign": lambda v: v / (1 + abs(v)),
    }[act_type]

    def ref(x, **_):
        return np.vectorize(scalar, otypes=[np.float64])(x.astype(np.float64)).astype(x.dtype)
    return ref


def _softmax_rows(m):
    out = np.empty(m.shape, dtype=np.float64)
    for i in range(m.shape[0]):
        row = [math.exp(float(v)) for v in m[i]]
        total = sum(row)
        out[i] = [r / total for r in row]
    return out


def _softmax_output_ref(data, label, multi_output=False, preserve_shape=False, **_):
    if preserve_shape:
        flat = data.reshape(-1, data.shape[-1])
        return _softmax_rows(flat).reshape(data.shape).astype(data.dtype)
    if multi_output:
        moved = np.moveaxis(data.reshape(data.shape[0], data.shape[1], -1), 1, -1)
        sm = _softmax_rows(moved.reshape(-1, data.shape[1])).reshape(moved.shape)
        return np.moveaxis(sm, -1, 1).reshape(data.shape).astype(data.dtype)
    return _softmax_rows(data.reshape(data.shape[0], -1)).reshape(data.shape).astype(data.dtype)


def _with_label(data_shape, label_shape, classes):
    def make(rng, dtype):
        return [rng.uniform(-2, 2, data_shape).astype(dtype),
                rng.integers(0, classes, label_shape).astype(dtype)]
    return make


CASES = [
    OpCase("FullyConnected", _fc_inputs((3, 4), 5), {"num_hidden": 5}, _fc_ref),
    OpCase("FullyConnected", _fc_inputs((2, 3, 4), 2), {"num_hidden": 2}, _fc_ref, id="flat3d"),
    OpCase("FullyConnected", _fc_inputs((2, 3, 4), 2, flatten=False),
           {"num_hidden": 2, "flatten": False}, _fc_ref, id="noflat"),
    OpCase("FullyConnected", _fc_inputs((1, 3, 4), 5, flatten=False),
           {"num_hidden": 5, "flatten": False}, _fc_ref, id="noflat_few_rows"),
    OpCase("FullyConnected", _fc_inputs((3, 4), 5, no_bias=True),
           {"num_hidden": 5, "no_bias": True}, _fc_ref, id="nobias"),
    OpCase("FullyConnected", _fc_inputs((7,), 5), {"num_hidden": 5}, _fc_ref, id="1d"),
    OpCase("SoftmaxOutput", _with_label((4, 5), (4,), 5), {}, _softmax_output_ref, grad=False),
    OpCase("SoftmaxOutput", _with_label((2, 3, 2, 2), (2, 3, 2), 3), {}, _softmax_output_ref,
           id="flat4d", grad=False),
    OpCase("SoftmaxOutput", _with_label((2, 3, 4), (2, 4), 3), {"multi_output": True},
           _softmax_output_ref, id="multi", grad=False),
    OpCase("SoftmaxOutput", _with_label((2, 3, 4), (2, 3), 4), {"preserve_shape": True},
           _softmax_output_ref, id="preserve", grad=False),
    OpCase("Softmax", _with_label((4, 5), (4,), 5), {}, _softmax_output_ref, id="alias",
           grad=False),
    # A classifier's batch: many rows, few classes (the transposed few-columns path).
    OpCase("SoftmaxOutput", _with_label((40, 10), (40,), 10), {}, _softmax_output_ref,
           id="classifier", grad=False),
    OpCase("FullyConnected", _fc_inputs((40, 6), 3), {"num_hidden": 3}, _fc_ref, id="batch40"),
    # Fewer rows than hidden units take the transposed product: both paths, with and without
    # a bias ("nobias" and the first case are the transposed ones).
    OpCase("FullyConnected", _fc_inputs((6, 4), 2, no_bias=True),
           {"num_hidden": 2, "no_bias": True}, _fc_ref, id="nobias_rows"),
]
for act in ("relu", "sigmoid", "tanh", "softrelu", "softsign"):
    CASES.append(OpCase("Activation", rand(3, 4, low=-3, high=3), {"act_type": act},
                        _act_ref(act), id=act))
