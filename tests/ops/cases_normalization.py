"""Cases for symnet/ops/defs/normalization.py (BatchNorm and _backward_BatchNorm).

``mx.nd`` calls run in inference mode, so these references use the moving statistics. The
contract's executor checks bind every input as an argument, but BatchNorm's moving statistics
are auxiliary states, so the gradient checks (training mode, float64, aux states restored)
live in tests/test_batchnorm_dropout.py.
"""
from __future__ import annotations

import math

import numpy as np

from .harness import OpCase

#: MXNet declares eps a double but its default is the float32 1e-3 (checked with the oracle).
EPS = float(np.float32(1e-3))


def _bn_inputs(shape, axis=1):
    def make(rng, dtype):
        c = shape[axis]
        param = np.float32 if np.dtype(dtype) == np.float16 else dtype
        return [rng.uniform(-2, 2, shape).astype(dtype),
                rng.uniform(0.5, 1.5, c).astype(param), rng.uniform(-1, 1, c).astype(param),
                rng.uniform(-0.5, 0.5, c).astype(param), rng.uniform(0.5, 1.5, c).astype(param)]
    return make


def _bn_ref(data, gamma, beta, moving_mean, moving_var, eps=EPS, fix_gamma=True, axis=1,
            output_mean_var=False, **_):
    axis = axis % data.ndim
    out = np.empty(data.shape, dtype=np.float64)
    for idx in np.ndindex(data.shape):
        c = idx[axis]
        g = 1.0 if fix_gamma else float(gamma[c])
        out[idx] = (float(data[idx]) - float(moving_mean[c])) / \
            math.sqrt(float(moving_var[c]) + eps) * g + float(beta[c])
    out = out.astype(data.dtype)
    if not output_mean_var:
        return out
    invstd = [1 / math.sqrt(float(v) + eps) for v in moving_var]
    return [out, moving_mean.copy(), np.array(invstd).astype(moving_var.dtype)]


def _backward_inputs(shape, axis=1):
    def make(rng, dtype):
        c = shape[axis]
        data = rng.uniform(-2, 2, shape)
        mean = data.mean(axis=tuple(i for i in range(len(shape)) if i != axis))
        return [a.astype(dtype) for a in (
            rng.uniform(-1, 1, shape), mean, rng.uniform(0.5, 2, c), data,
            rng.uniform(0.5, 1.5, c), rng.uniform(-1, 1, c), rng.uniform(-0.5, 0.5, c),
            rng.uniform(0.5, 1.5, c))]
    return make


def _backward_ref(ograd, mean, invstd, data, gamma, beta, moving_mean, moving_var, eps=EPS,
                  fix_gamma=True, axis=1, **_):
    """Inference-mode backward (the harness runs kernels with is_train=False): moving stats."""
    axis = axis % data.ndim
    c_count = data.shape[axis]
    gdata = np.empty(data.shape, dtype=np.float64)
    ggamma, gbeta = np.zeros(c_count), np.zeros(c_count)
    for idx in np.ndindex(data.shape):
        c = idx[axis]
        inv = 1 / math.sqrt(float(moving_var[c]) + eps)
        g = 1.0 if fix_gamma else float(gamma[c])
        gdata[idx] = float(ograd[idx]) * g * inv
        ggamma[c] += float(ograd[idx]) * (float(data[idx]) - float(moving_mean[c])) * inv
        gbeta[c] += float(ograd[idx])
    if fix_gamma:
        ggamma[:] = 0
    return [gdata.astype(data.dtype), ggamma.astype(gamma.dtype), gbeta.astype(gamma.dtype)]


_ALL = ("float16", "float32", "float64")
CASES = [
    OpCase("BatchNorm", _bn_inputs((4, 3)), {}, _bn_ref, grad=False, dtypes=_ALL),
    OpCase("BatchNorm", _bn_inputs((2, 3, 2, 2)), {"fix_gamma": False}, _bn_ref, grad=False,
           dtypes=_ALL, id="4d"),
    OpCase("BatchNorm", _bn_inputs((2, 3, 4), axis=2),
           {"fix_gamma": False, "axis": -1, "eps": 1e-5}, _bn_ref, grad=False, id="axis-last"),
    OpCase("BatchNorm", _bn_inputs((2, 3, 4), axis=0),
           {"fix_gamma": False, "axis": 0, "output_mean_var": True}, _bn_ref, grad=False,
           id="mean-var"),
    OpCase("BatchNorm", _bn_inputs((5,), axis=0), {"axis": 0}, _bn_ref, grad=False, id="1d"),
    OpCase("_backward_BatchNorm", _backward_inputs((4, 3)), {"fix_gamma": False},
           _backward_ref, grad=False),
    OpCase("_backward_BatchNorm", _backward_inputs((2, 3, 2)), {}, _backward_ref, grad=False,
           id="fixgamma"),
    OpCase("_backward_BatchNorm", _backward_inputs((2, 3, 4), axis=2),
           {"fix_gamma": False, "axis": -1}, _backward_ref, grad=False, id="axis-last"),
]
