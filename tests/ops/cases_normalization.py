"""Cases for symnet/ops/defs/normalization.py: BatchNorm, InstanceNorm, LayerNorm, GroupNorm,
L2Normalization, LRN and their ``_backward_`` ops.

BatchNorm: ``mx.nd`` calls run in inference mode, so its references use the moving statistics.
The contract's executor checks bind every input as an argument, but BatchNorm's moving statistics
are auxiliary states, so the gradient checks (training mode, float64, aux states restored)
live in tests/test_batchnorm_dropout.py.
"""
from __future__ import annotations

import math

import numpy as np

from .harness import OpCase, rand

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


# ---- InstanceNorm, LayerNorm, GroupNorm, L2Normalization, LRN (and their _backward_ ops) ------
# References loop over the normalized slices in float64; the backward references build each
# slice's Jacobian explicitly and apply its transpose to the head gradient (the kernels use the
# closed form instead).
EPS_IN, EPS_LN, EPS_L2 = float(np.float32(1e-3)), float(np.float32(1e-5)), float(np.float32(1e-10))


def _gb_inputs(shape, channels):
    """data, gamma, beta with ``channels`` parameters (all in the case dtype, as MXNet)."""
    def make(rng, dtype):
        return [rng.uniform(-1, 1, shape).astype(dtype),
                rng.uniform(0.5, 1.5, channels).astype(dtype),
                rng.uniform(-1, 1, channels).astype(dtype)]
    return make


def _slice_stats(v: np.ndarray, eps: float):
    m = sum(float(a) for a in v.ravel()) / v.size
    var = sum((float(a) - m) ** 2 for a in v.ravel()) / v.size
    return m, var, math.sqrt(var + eps)


def _in_ref(data, gamma, beta, eps=EPS_IN, **_):
    x = data.astype(np.float64)
    out = np.empty_like(x)
    for n, c in np.ndindex(x.shape[:2]):
        m, _, s = _slice_stats(x[n, c], eps)
        out[n, c] = (x[n, c] - m) / s * float(gamma[c]) + float(beta[c])
    return out.astype(data.dtype)


def _rows(x: np.ndarray, axis: int) -> np.ndarray:
    """The data as (rows, length of ``axis``), a copy with that axis last."""
    return np.moveaxis(x, axis, -1).reshape(-1, x.shape[axis]).copy()


def _ln_ref(data, gamma, beta, axis=-1, eps=EPS_LN, output_mean_var=False, **_):
    x = data.astype(np.float64)
    rows = _rows(x, axis)
    means, stds = np.empty(len(rows)), np.empty(len(rows))
    for r, v in enumerate(rows):
        means[r], _, stds[r] = _slice_stats(v, eps)
        rows[r] = [(a - means[r]) / stds[r] * float(g) + float(b)
                   for a, g, b in zip(v, gamma, beta)]
    moved = np.moveaxis(x, axis, -1).shape
    out = np.moveaxis(rows.reshape(moved), -1, axis).astype(data.dtype)
    if not output_mean_var:
        return out
    stat = np.moveaxis(np.empty(moved[:-1] + (1,)), -1, axis).shape
    return [out, means.reshape(stat).astype(data.dtype), stds.reshape(stat).astype(data.dtype)]


def _gn_ref(data, gamma, beta, num_groups=1, eps=EPS_LN, output_mean_var=False, **_):
    x = data.astype(np.float64)
    n_, c_ = x.shape[:2]
    per = c_ // num_groups
    out, means, stds = np.empty_like(x), np.empty((n_, num_groups)), np.empty((n_, num_groups))
    for n, grp in np.ndindex(n_, num_groups):
        chans = slice(grp * per, (grp + 1) * per)
        means[n, grp], _, stds[n, grp] = _slice_stats(x[n, chans], eps)
        out[n, chans] = (x[n, chans] - means[n, grp]) / stds[n, grp] * float(gamma[grp]) + \
            float(beta[grp])
    out = out.astype(data.dtype)
    return [out, means.astype(data.dtype), stds.astype(data.dtype)] if output_mean_var else out


def _l2_slices(shape, mode):
    """Index tuples of the slices that share one norm."""
    if mode == "instance":
        return [(n,) for n in range(shape[0])]
    if mode == "spatial":
        return list(np.ndindex(shape[:2]))
    return [(n, slice(None)) + rest for n in range(shape[0]) for rest in np.ndindex(shape[2:])]


def _l2_ref(data, eps=EPS_L2, mode="instance", **_):
    x = data.astype(np.float64)
    out = np.empty_like(x)
    for idx in _l2_slices(x.shape, mode):
        out[idx] = x[idx] / math.sqrt(sum(float(a) ** 2 for a in x[idx].ravel()) + eps)
    return out.astype(data.dtype)


def _lrn_norm(x, nsize, alpha=1e-4, knorm=2.0, **_):
    """tmp_norm of LRN: MXNet 1.9.1 (oneDNN) sums channels c-(n-1)//2 .. c+(n-1)//2."""
    half, c_ = (nsize - 1) // 2, x.shape[1]
    norm = np.empty(x.shape)
    for c in range(c_):
        window = range(max(0, c - half), min(c_ - 1, c + half) + 1)
        norm[:, c] = knorm + alpha / nsize * sum(x[:, j].astype(np.float64) ** 2 for j in window)
    return norm


def _lrn_ref(data, nsize, alpha=float(np.float32(1e-4)), beta=0.75, knorm=2.0, **_):
    x = data.astype(np.float64)
    return (x / _lrn_norm(x, nsize, alpha, knorm) ** beta).astype(data.dtype)


# ---- backward references ----------------------------------------------------------------------
def _norm_jacobian(v: np.ndarray, eps: float) -> np.ndarray:
    """d xhat / d v for ``xhat = (v - mean) / sqrt(var + eps)`` over the flat slice ``v``."""
    v = v.ravel().astype(np.float64)
    m, _, s = _slice_stats(v, eps)
    k = v.size
    return (np.eye(k) - 1.0 / k) / s - np.outer(v - m, v - m) / (k * s ** 3)


def _stats_inputs(shape, channels, stats):
    """ograd, data, gamma, then the forward's saved statistics ``stats(data)``."""
    def make(rng, dtype):
        data = rng.uniform(-1, 1, shape)
        extra = [np.asarray(a) for a in stats(data)]
        return [a.astype(dtype) for a in [rng.uniform(-1, 1, shape), data,
                                          rng.uniform(0.5, 1.5, channels)] + extra]
    return make


def _in_stats(data):
    red = tuple(range(2, data.ndim))
    return data.mean(axis=red), data.var(axis=red)


def _in_backward_ref(ograd, data, gamma, mean, var, eps=EPS_IN, **_):
    gdata = np.empty(data.shape)
    ggamma, gbeta = np.zeros(gamma.shape), np.zeros(gamma.shape)
    for n, c in np.ndindex(data.shape[:2]):
        og, v = ograd[n, c].astype(np.float64), data[n, c].astype(np.float64)
        gdata[n, c] = (_norm_jacobian(v, eps).T @ (og.ravel() * float(gamma[c]))).reshape(v.shape)
        m, _, s = _slice_stats(v, eps)
        ggamma[c] += float(((v - m) / s * og).sum())
        gbeta[c] += float(og.sum())
    return [gdata.astype(data.dtype), ggamma.astype(data.dtype), gbeta.astype(data.dtype)]


def _ln_stats(axis, eps=EPS_LN):
    def stats(data):
        mean = data.mean(axis=axis, keepdims=True)
        return mean, np.sqrt(data.var(axis=axis, keepdims=True) + eps)
    return stats


def _ln_backward_ref(ograd, data, gamma, mean, std, axis=-1, eps=EPS_LN, **_):
    og_rows, x_rows = _rows(ograd.astype(np.float64), axis), _rows(data.astype(np.float64), axis)
    g = gamma.astype(np.float64)
    grad_rows = np.empty_like(x_rows)
    ggamma, gbeta = np.zeros(g.shape), np.zeros(g.shape)
    for r, (og, v) in enumerate(zip(og_rows, x_rows)):
        grad_rows[r] = _norm_jacobian(v, eps).T @ (og * g)
        m, _, s = _slice_stats(v, eps)
        ggamma += (v - m) / s * og
        gbeta += og
    moved = np.moveaxis(data, axis, -1).shape
    gdata = np.moveaxis(grad_rows.reshape(moved), -1, axis)
    return [gdata.astype(data.dtype), ggamma.astype(data.dtype), gbeta.astype(data.dtype)]


def _gn_stats(groups, eps=EPS_LN):
    def stats(data):
        view = data.reshape(data.shape[0], groups, -1)
        return view.mean(axis=2), np.sqrt(view.var(axis=2) + eps)
    return stats


def _gn_backward_ref(ograd, data, gamma, mean, std, num_groups=1, eps=EPS_LN, **_):
    per = data.shape[1] // num_groups
    gdata = np.empty(data.shape)
    ggamma, gbeta = np.zeros(gamma.shape), np.zeros(gamma.shape)
    for n, grp in np.ndindex(data.shape[0], num_groups):
        chans = slice(grp * per, (grp + 1) * per)
        og, v = ograd[n, chans].astype(np.float64), data[n, chans].astype(np.float64)
        flat = _norm_jacobian(v, eps).T @ (og.ravel() * float(gamma[grp]))
        gdata[n, chans] = flat.reshape(v.shape)
        m, _, s = _slice_stats(v, eps)
        ggamma[grp] += float(((v - m) / s * og).sum())
        gbeta[grp] += float(og.sum())
    return [gdata.astype(data.dtype), ggamma.astype(data.dtype), gbeta.astype(data.dtype)]


def _l2_backward_inputs(shape, mode):
    """ograd, output, norm of a random input (the norm in MXNet's hidden-output shape)."""
    def make(rng, dtype):
        data = rng.uniform(-1, 1, shape)
        norm = np.empty(shape)
        for idx in _l2_slices(shape, mode):
            norm[idx] = math.sqrt(float((data[idx] ** 2).sum()) + EPS_L2)
        hidden = {"instance": norm[:, ...].reshape(shape[0], -1)[:, 0],
                  "channel": norm[:, :1], "spatial": norm.reshape(shape[:2] + (-1,))[..., 0]}
        return [a.astype(dtype) for a in (rng.uniform(-1, 1, shape), data / norm, hidden[mode])]
    return make


def _l2_backward_ref(ograd, output, norm, eps=EPS_L2, mode="instance", **_):
    gdata = np.empty(output.shape)
    full = np.empty(output.shape)
    for k, idx in enumerate(_l2_slices(output.shape, mode)):
        full[idx] = norm.ravel()[k] if mode != "channel" else norm[idx[0], 0][idx[2:]]
    for idx in _l2_slices(output.shape, mode):
        x = (output[idx] * full[idx]).astype(np.float64).ravel()
        nrm = math.sqrt(float(x @ x) + eps)
        jac = np.eye(x.size) / nrm - np.outer(x, x) / nrm ** 3
        gdata[idx] = (jac.T @ ograd[idx].astype(np.float64).ravel()).reshape(output[idx].shape)
    return gdata.astype(output.dtype)


def _lrn_backward_inputs(shape, **attrs):
    def make(rng, dtype):
        data = rng.uniform(-1, 1, shape)
        return [a.astype(dtype) for a in (rng.uniform(-1, 1, shape), data,
                                          _lrn_norm(data, **attrs))]
    return make


def _lrn_backward_ref(ograd, data, tmp_norm, nsize, alpha=float(np.float32(1e-4)), beta=0.75,
                      knorm=2.0, **_):
    half, c_ = (nsize - 1) // 2, data.shape[1]
    gdata = np.empty(data.shape)
    for n, h, w in np.ndindex(data.shape[0], data.shape[2], data.shape[3]):
        x, og = data[n, :, h, w].astype(np.float64), ograd[n, :, h, w].astype(np.float64)
        norm = _lrn_norm(x.reshape(1, -1), nsize, alpha, knorm)[0]
        jac = np.diag(norm ** -beta)
        for c, i in np.ndindex(c_, c_):
            if abs(c - i) <= half:
                jac[c, i] -= 2 * beta * alpha / nsize * x[c] * x[i] * norm[c] ** (-beta - 1)
        gdata[n, :, h, w] = jac.T @ og
    return gdata.astype(data.dtype)


_LRN = {"nsize": 3, "alpha": 0.5, "beta": 0.75, "knorm": 1.5}
CASES += [
    OpCase("InstanceNorm", _gb_inputs((2, 3, 4), 3), {}, _in_ref, dtypes=_ALL),
    OpCase("InstanceNorm", _gb_inputs((2, 2, 3, 2), 2), {"eps": 0.01}, _in_ref, id="4d"),
    OpCase("LayerNorm", _gb_inputs((3, 4), 4), {}, _ln_ref, dtypes=_ALL),
    OpCase("LayerNorm", _gb_inputs((2, 3, 2), 3), {"axis": 1, "output_mean_var": True},
           _ln_ref, id="axis1-mean-var"),
    OpCase("LayerNorm", _gb_inputs((3, 2, 2), 3), {"axis": -3, "eps": 0.1}, _ln_ref,
           id="axis-neg"),
    OpCase("LayerNorm", _gb_inputs((5,), 5), {}, _ln_ref, id="1d"),
    OpCase("GroupNorm", _gb_inputs((2, 4, 3), 2), {"num_groups": 2, "output_mean_var": True},
           _gn_ref, dtypes=_ALL),
    OpCase("GroupNorm", _gb_inputs((2, 3, 2, 2), 1), {"eps": 0.01}, _gn_ref, id="1group"),
    OpCase("L2Normalization", rand((2, 3, 4)), {}, _l2_ref, dtypes=_ALL),
    OpCase("L2Normalization", rand((2, 3, 2, 2)), {"mode": "channel"}, _l2_ref, id="channel"),
    OpCase("L2Normalization", rand((2, 3, 2, 2)), {"mode": "spatial", "eps": 0.01}, _l2_ref,
           id="spatial"),
    OpCase("L2Normalization", rand((3, 2)), {}, _l2_ref, id="2d"),
    OpCase("LRN", rand((2, 5, 2, 2)), _LRN, _lrn_ref, dtypes=_ALL),
    OpCase("LRN", rand((1, 4, 3, 2)), {"nsize": 4, "alpha": 0.3, "beta": 0.5, "knorm": 1},
           _lrn_ref, id="even"),
    OpCase("LRN", rand((1, 3, 2, 2)), {"nsize": 5}, _lrn_ref, id="defaults"),
    OpCase("_backward_InstanceNorm", _stats_inputs((2, 3, 4), 3, _in_stats), {},
           _in_backward_ref, grad=False),
    OpCase("_backward_LayerNorm", _stats_inputs((2, 3, 4), 4, _ln_stats(-1)), {},
           _ln_backward_ref, grad=False),
    OpCase("_backward_LayerNorm", _stats_inputs((2, 3, 2), 3, _ln_stats(1)), {"axis": 1},
           _ln_backward_ref, grad=False, id="axis1"),
    OpCase("_backward_GroupNorm", _stats_inputs((2, 4, 3), 2, _gn_stats(2)),
           {"num_groups": 2}, _gn_backward_ref, grad=False),
    OpCase("_backward_L2Normalization", _l2_backward_inputs((2, 3, 4), "instance"), {},
           _l2_backward_ref, grad=False),
    OpCase("_backward_L2Normalization", _l2_backward_inputs((2, 3, 2, 2), "channel"),
           {"mode": "channel"}, _l2_backward_ref, grad=False, id="channel"),
    OpCase("_backward_L2Normalization", _l2_backward_inputs((2, 3, 2, 2), "spatial"),
           {"mode": "spatial"}, _l2_backward_ref, grad=False, id="spatial"),
    OpCase("_backward_LRN", _lrn_backward_inputs((2, 5, 1, 2), **_LRN), _LRN,
           _lrn_backward_ref, grad=False),
]
