"""Cases for gradient-support operators: _reduce_sum_like and the nn _backward_* kernels."""
from __future__ import annotations

import numpy as np

from .harness import OpCase


def _sum_like_ref(data, like):
    out = np.zeros(like.shape, dtype=np.float64)
    lead = data.ndim - like.ndim
    for idx in np.ndindex(data.shape):
        target = tuple(0 if like.shape[k] == 1 else idx[lead + k] for k in range(like.ndim))
        out[target] += data[idx]
    return out.astype(data.dtype)


def _pair(shape, like_shape):
    def make(rng, dtype):
        return [rng.uniform(-1, 1, shape).astype(dtype),
                rng.uniform(-1, 1, like_shape).astype(dtype)]
    return make


def _fc_backward_inputs(rng, dtype):
    return [rng.uniform(-1, 1, (3, 4)).astype(dtype), rng.uniform(-1, 1, (3, 2, 3)).astype(dtype),
            rng.uniform(-1, 1, (4, 6)).astype(dtype)]


def _fc_backward_ref(ograd, data, weight, **_):
    x = data.reshape(data.shape[0], -1)
    dx = np.einsum("nh,hk->nk", ograd, weight).reshape(data.shape)
    dw = np.einsum("nh,nk->hk", ograd, x)
    return [dx, dw, ograd.sum(axis=0)]


def _act_backward_inputs(rng, dtype):
    x = rng.uniform(-2, 2, (3, 4))
    return [rng.uniform(-1, 1, (3, 4)).astype(dtype), np.tanh(x).astype(dtype)]


def _softmax_inputs(rng, dtype):
    logits = rng.uniform(-2, 2, (4, 3))
    prob = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return [prob.astype(dtype), np.array([0, 2, 1, -1]).astype(dtype)]


def _softmax_backward_ref(prob, label, grad_scale=1.0, normalization="null", use_ignore=False,
                          **_):
    return [_softmax_data_grad(prob, label, grad_scale, normalization, use_ignore),
            np.zeros_like(label)]


def _softmax_data_grad(prob, label, grad_scale, normalization, use_ignore):
    grad = prob.astype(np.float64).copy()
    for i, y in enumerate(label.astype(int)):
        if y >= 0:
            grad[i, y] -= 1
        if use_ignore and y == -1:
            grad[i] = 0
    norm = {"null": 1, "batch": len(label), "valid": max(1, int((label != -1).sum()))}
    return (grad * grad_scale / norm[normalization]).astype(prob.dtype)


def _broadcast_ref(data, like):
    out = np.empty(like.shape, dtype=data.dtype)
    lead = like.ndim - data.ndim
    for idx in np.ndindex(like.shape):
        out[idx] = data[tuple(0 if data.shape[k] == 1 else idx[lead + k]
                              for k in range(data.ndim))]
    return out


CASES = [
    OpCase("_reduce_sum_like", _pair((2, 3, 4), (3, 1)), {}, _sum_like_ref, grad_inputs=[0]),
    OpCase("_reduce_sum_like", _pair((2, 3), (2, 3)), {}, _sum_like_ref, id="same",
           grad_inputs=[0]),
    OpCase("_broadcast_to_like", _pair((3, 1), (2, 3, 4)), {}, _broadcast_ref,
           grad_inputs=[0]),
    OpCase("_backward_FullyConnected", _fc_backward_inputs, {"num_hidden": 4},
           _fc_backward_ref, grad=False),
    OpCase("_backward_Activation", _act_backward_inputs, {"act_type": "tanh"},
           lambda og, y, **_: og * (1 - y * y), grad=False),
    OpCase("_backward_SoftmaxOutput", _softmax_inputs,
           {"use_ignore": True, "normalization": "valid", "grad_scale": 2.0},
           _softmax_backward_ref, grad=False),
    OpCase("_backward_SoftmaxOutput", _softmax_inputs, {"normalization": "batch"},
           _softmax_backward_ref, grad=False, id="batch"),
]
