"""The fused recurrent layer ``RNN``: ReLU/tanh RNN, LSTM and GRU, stacked and bidirectional.

Data is TNC: ``(T, N, I)``. Every weight and bias lives in one flat ``parameters`` vector,
packed as MXNet 1.9.1 (and cuDNN) pack it (verified against MXNet with random parameters
for every mode, 1-3 layers, both directions): first all **weights**, per layer and per
direction (forward, then backward): the input-to-hidden matrix ``(G*H, in)``, the
hidden-to-hidden matrix ``(G*H, P)`` and, for LSTM with ``projection_size``, the projection
``(P, H)``; then all **biases** in the same order, ``i2h`` ``(G*H,)`` then ``h2h``
``(G*H,)``. The G gate blocks are in MXNet's order: LSTM i, f, g, o; GRU r, z, n; RNN one.
``in`` is I for layer 0 and ``D*P`` above it; ``P`` is the projection size, else H.

Outputs: ``output`` ``(T, N, D*P)``, ``state_output`` ``(L*D, N, P)`` and, for LSTM,
``statecell_output`` ``(L*D, N, H)``: visible with ``state_outputs=True``, hidden otherwise.
A last hidden ``workspace`` ``(T, N, W)`` keeps what ``_backward_RNN`` needs, per layer and
direction: the carried recurrent state, the activated gates and the cell (LSTM) or
``W_hn h + b_hn`` (GRU) of every step, then the dropout masks between layers.

Where MXNet 1.9.1's CPU build refuses or ignores an option, symnet follows the documented
(cuDNN) semantics instead: ``use_sequence_length`` (steps at or past a sample's length leave
its state unchanged and output 0; the backward direction starts at the last valid step),
``lstm_state_clip_min/max`` (the cell is clipped after every step; ``lstm_state_clip_nan``
turns a NaN cell into the minimum), ``projection_size`` (LSTM only; trainable here) and the
dropout ``p``, applied between layers in training only (MXNet's CPU build also drops in an
inference forward of an executor bound with gradients).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..fields import Bool, Double, Enum, Int, Probability
from ..kernel import WRITE, assign
from ..registry import InferError, Params, register

__all__ = ["rnn_param_count"]

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}
_DTYPE_FLAGS = {"float32": 0, "float64": 1, "float16": 2, "uint8": 3, "int32": 4, "int8": 5,
                "int64": 6}


# ---- parameters -----------------------------------------------------------------------------
class _UInt(Int):
    """MXNet's unsigned integer fields, shown as ``int (non-negative)``."""

    type_name = "int (non-negative)"


class _Mode(Enum):
    """The required ``mode`` enum; MXNet names its type ``int`` when it is missing."""

    @property
    def type_name(self) -> str:  # type: ignore[override]
        return "int"

    def describe(self) -> str:
        return "{" + ", ".join(f"'{c}'" for c in sorted(self.choices)) + "}, required"


def _fields() -> list:
    return [
        _UInt("state_size", doc="size of the state for each layer"),
        _UInt("num_layers", doc="number of stacked layers"),
        Bool("bidirectional", False, "whether to use bidirectional recurrent layers"),
        _Mode("mode", tuple(_GATES), doc="the type of RNN to compute"),
        Probability("p", 0.0, "drop rate of the dropout on the outputs of each RNN layer, "
                               "except the last layer."),
        Bool("state_outputs", False, "Whether to have the states as symbol outputs."),
        Int("projection_size", None, "size of project size"),
        Double("lstm_state_clip_min", None, "Minimum clip value of LSTM states. This option "
                                            "must be used together with lstm_state_clip_max."),
        Double("lstm_state_clip_max", None, "Maximum clip value of LSTM states. This option "
                                            "must be used together with lstm_state_clip_min."),
        Bool("lstm_state_clip_nan", False, "Whether to stop NaN from propagating in state by "
                                           "clipping it to min/max. If clipping range is not "
                                           "specified, this option is ignored."),
        Bool("use_sequence_length", False, "If set to true, this layer takes in an extra input "
                                           "parameter `sequence_length` to specify variable "
                                           "length sequence"),
    ]


# ---- dimensions and the packed parameter vector ---------------------------------------------
@dataclass(frozen=True)
class _Dims:
    """Sizes of one RNN configuration (``inputs`` may be unknown: None)."""

    mode: str
    layers: int
    dirs: int
    gates: int
    hidden: int
    proj: int
    inputs: int | None
    has_proj: bool

    def layer_in(self, layer: int) -> int | None:
        return self.inputs if layer == 0 else self.dirs * self.proj

    def block(self) -> int:
        """Workspace columns per (layer, direction): state, gates, cell or ``W_hn h + b_hn``."""
        extra = self.hidden if self.mode in ("lstm", "gru") else 0
        return self.proj + self.gates * self.hidden + extra

    def workspace(self, dropout: bool) -> int:
        masks = (self.layers - 1) * self.dirs * self.proj if dropout else 0
        return self.layers * self.dirs * self.block() + masks

    def per_input(self) -> int:
        """Parameters per unit of layer-0 input size (rnn_param_count is linear in I)."""
        return self.dirs * self.gates * self.hidden


def _dims(p: Params, inputs: int | None) -> _Dims:
    _check_params(p)
    proj = p.projection_size if p.projection_size is not None else p.state_size
    return _Dims(p.mode, p.num_layers, 2 if p.bidirectional else 1, _GATES[p.mode],
                 p.state_size, proj, inputs, p.projection_size is not None)


def _check_params(p: Params) -> None:
    if p.num_layers < 1:
        raise InferError(f"RNN: num_layers must be at least 1, got {p.num_layers}")
    if p.state_size < 0:
        raise InferError(f"RNN: state_size must be non-negative, got {p.state_size}")
    if p.projection_size is not None:
        if p.mode != "lstm":
            raise InferError(f"RNN: projection_size is only supported in lstm mode, not "
                             f"{p.mode}")
        if p.projection_size < 1:
            raise InferError(f"RNN: projection_size must be positive, got "
                             f"{p.projection_size}")


def rnn_param_count(dims: _Dims) -> int:
    """Length of the flat parameter vector (MXNet's ``GetRnnParamSize``)."""
    gh, total = dims.gates * dims.hidden, 0
    for layer in range(dims.layers):
        per_dir = gh * (dims.layer_in(layer) + dims.proj) + 2 * gh
        if dims.has_proj:
            per_dir += dims.proj * dims.hidden
        total += dims.dirs * per_dir
    return total


def _unpack(flat: np.ndarray, dims: _Dims) -> list[list]:
    """Views ``[wi, wh, wr or None, bi, bh]`` into ``flat`` per (layer, direction)."""
    gh, out, off = dims.gates * dims.hidden, [], 0

    def take(*shape):
        nonlocal off
        size = math.prod(shape)
        view = flat[off:off + size].reshape(shape)
        off += size
        return view

    for layer in range(dims.layers):
        for _ in range(dims.dirs):
            wi, wh = take(gh, dims.layer_in(layer)), take(gh, dims.proj)
            out.append([wi, wh, take(dims.proj, dims.hidden) if dims.has_proj else None])
    for k in range(dims.layers * dims.dirs):
        out[k] += [take(gh), take(gh)]
    return out


def _views(ws: np.ndarray, dims: _Dims, k: int):
    """(state, gates, cell-or-hn) views of direction block ``k`` of the workspace."""
    base, gh = k * dims.block(), dims.gates * dims.hidden
    state = ws[..., base:base + dims.proj]
    gates = ws[..., base + dims.proj:base + dims.proj + gh]
    extra = None
    if dims.mode in ("lstm", "gru"):
        extra = ws[..., base + dims.proj + gh:base + dims.proj + gh + dims.hidden]
    return state, gates, extra


def _mask_view(ws: np.ndarray, dims: _Dims, layer: int) -> np.ndarray:
    width = dims.dirs * dims.proj
    off = dims.layers * dims.dirs * dims.block() + layer * width
    return ws[..., off:off + width]


# ---- shape and type inference ---------------------------------------------------------------
def _inputs(p: Params) -> list[str]:
    names = ["data", "parameters", "state"]
    if p.mode == "lstm":
        names.append("state_cell")
    if p.use_sequence_length:
        names.append("sequence_length")
    return names


def _output_names(p: Params) -> list[str]:
    cell = ["statecell_output"] if p.mode == "lstm" else []
    return ["output", "state_output"] + cell + ["workspace"]


def _visible(p: Params) -> int:
    return (3 if p.mode == "lstm" else 2) if p.state_outputs else 1


def _first(*dims):
    return next((d for d in dims if d is not None), None)


def _solve_inputs(dims: _Dims, params) -> int | None:
    """The input size I from a known parameter vector length (the count is linear in I)."""
    if params is None or params[0] is None or dims.per_input() == 0:
        return None
    rest = rnn_param_count(replace(dims, inputs=0))
    size, extra = divmod(params[0] - rest, dims.per_input())
    return size if extra == 0 and size >= 0 else None


def _rnn_shape(p: Params, ins: list, outs: list):
    """State and parameter shapes from the data (TNC), as MXNet infers them. Unknown data
    dims may come from the states, lengths or outputs (batch, steps) and from the parameter
    vector's length (input size)."""
    data = ins[0]
    if data is not None and len(data) != 3:
        raise InferError(f"Check failed: dshape.ndim() == 3U ({len(data)} vs. 3) : Input data "
                         f"should be rank-3 tensor of dim [sequence length, batch size, input "
                         f"size]")
    dims = _dims(p, None)
    if data is None:  # MXNet needs the data's shape first
        return ins, outs
    shaped = [s for s in ins[2:] if s is not None and len(s) == 3]
    batch = _first(data[1], *[s[1] for s in shaped], *[o[1] for o in outs if o is not None])
    steps = _first(data[0], *[o[0] for o in (outs[0], outs[-1]) if o is not None])
    if p.use_sequence_length and ins[-1] is not None and len(ins[-1]) == 1:
        batch = _first(batch, ins[-1][0])
    inputs = _first(data[2], _solve_inputs(dims, ins[1]))
    dims = _dims(p, inputs)
    count = rnn_param_count(dims) if inputs is not None else None
    state = (dims.layers * dims.dirs, batch, dims.proj)
    cell = [(dims.layers * dims.dirs, batch, dims.hidden)] if p.mode == "lstm" else []
    seq = [(batch,)] if p.use_sequence_length else []
    new_ins = [(steps, batch, inputs), (count,), state] + cell + seq
    out = (steps, batch, dims.dirs * dims.proj)
    workspace = (steps, batch, dims.workspace(p.p > 0))
    return new_ins, [out, state] + cell + [workspace]


def _rnn_type(p: Params, ins: list, outs: list):
    """Every input but ``sequence_length`` has the data's type (MXNet's uniform-type check)."""
    dtype = _first(ins[0], outs[0])
    if dtype is None:
        return ins, outs
    names = _inputs(p)
    new_ins = []
    for name, t in zip(names, ins):
        if name == "sequence_length":
            new_ins.append(dtype if t is None else t)
            continue
        if t is not None and np.dtype(t) != np.dtype(dtype):
            given, expected = np.dtype(t).name, np.dtype(dtype).name
            raise InferError(f"Check failed: (*in_type)[i] == dtype ({_DTYPE_FLAGS.get(given)} "
                             f"vs. {_DTYPE_FLAGS.get(expected)}) : This layer requires uniform "
                             f"type. Expected '{expected}' v.s. given '{given}' at '{name}'")
        new_ins.append(dtype)
    return new_ins, [dtype] * len(outs)


# ---- forward ----------------------------------------------------------------------------------
def _sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1
    out *= 0.5
    return out


def _clip_bounds(p: Params):
    """(low, high, nan_to_low) for LSTM cell clipping, or None."""
    if p.mode != "lstm" or (p.lstm_state_clip_min is None and p.lstm_state_clip_max is None):
        return None
    low = -np.inf if p.lstm_state_clip_min is None else p.lstm_state_clip_min
    high = np.inf if p.lstm_state_clip_max is None else p.lstm_state_clip_max
    return low, high, p.lstm_state_clip_nan


def _gate_affine(dims: _Dims, dtype) -> tuple[np.ndarray, np.ndarray]:
    """(scale, shift) so that ``tanh(pre * scale) * scale + shift`` activates all LSTM gates
    at once: sigmoid(x) = tanh(x / 2) / 2 + 1/2 for i, f, o and tanh for g."""
    H = dims.hidden
    scale = np.full(4 * H, 0.5, dtype)
    scale[2 * H:3 * H] = 1
    return scale, np.where(scale == 1, 0, 0.5).astype(dtype)


def _lstm_step(dims, clip, pre, c, gates, extra, wr, affine):
    """``pre`` = x W_i + b_i + h W_h + b_h; stores the gates and the cell; returns (h, c)."""
    H = dims.hidden
    scale, shift = affine
    np.multiply(pre, scale, out=pre)
    np.tanh(pre, out=pre)
    pre *= scale
    pre += shift
    i, f, g, o = pre[:, :H], pre[:, H:2 * H], pre[:, 2 * H:3 * H], pre[:, 3 * H:]
    c = f * c
    c += i * g
    if clip is not None:
        low, high, nan_to_low = clip
        if nan_to_low:
            c[np.isnan(c)] = low
        np.clip(c, low, high, out=c)
    gates[...] = pre
    extra[...] = c
    h = o * np.tanh(c)
    return (h @ wr.T if wr is not None else h), c


def _gru_step(dims, xw, hw, h, gates, extra):
    H = dims.hidden
    rz = _sigmoid(xw[:, :2 * H] + hw[:, :2 * H])
    r, z = rz[:, :H], rz[:, H:]
    n = np.tanh(xw[:, 2 * H:] + r * hw[:, 2 * H:])
    gates[:, :2 * H] = rz
    gates[:, 2 * H:] = n
    extra[...] = hw[:, 2 * H:]
    return n + z * (h - n)


def _direction_forward(dims: _Dims, clip, x, w, h, c, views, valid, reverse: bool):
    """Run one direction of one layer over all steps; fills the workspace views and returns
    the final (state, cell). One matmul for the inputs of all steps, one per step."""
    wi, wh, wr, bi, bh = w
    steps, batch = x.shape[:2]
    fold = dims.mode != "gru"  # GRU needs b_hn apart (it is scaled by r)
    xw = (x.reshape(steps * batch, -1) @ wi.T + (bi + bh if fold else bi))
    xw = xw.reshape(steps, batch, -1)
    state, gates, extra = views
    affine = _gate_affine(dims, xw.dtype) if dims.mode == "lstm" else None
    for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
        hw = h @ wh.T
        c_new = c
        if dims.mode == "lstm":
            hw += xw[t]
            h_new, c_new = _lstm_step(dims, clip, hw, c, gates[t], extra[t], wr, affine)
        elif dims.mode == "gru":
            hw += bh
            h_new = _gru_step(dims, xw[t], hw, h, gates[t], extra[t])
        else:
            hw += xw[t]
            h_new = np.tanh(hw, out=hw) if dims.mode == "rnn_tanh" else np.maximum(hw, 0, out=hw)
            gates[t] = h_new
        if valid is not None:
            keep = valid[t][:, None]
            h_new = np.where(keep, h_new, h)
            if c is not None:
                c_new = np.where(keep, c_new, c)
                extra[t] = c_new
        state[t] = h_new
        h, c = h_new, c_new
    return h, c


def _layer_output(ws: np.ndarray, dims: _Dims, layer: int, valid) -> np.ndarray:
    """The layer's output ``(T, N, D*P)``: its states, 0 past each sample's length."""
    parts = [_views(ws, dims, layer * dims.dirs + d)[0] for d in range(dims.dirs)]
    out = np.concatenate(parts, axis=2)
    return out if valid is None else out * valid[:, :, None]


def _valid_steps(p: Params, ins: list, steps: int):
    """(T, N) booleans: step t counts for sample n (None without sequence lengths)."""
    if not p.use_sequence_length:
        return None
    lengths = np.asarray(ins[-1]).astype(np.int64)
    return np.arange(steps)[:, None] < lengths[None, :]


def _work_dtype(dtype) -> np.dtype:
    return np.dtype(np.float32) if np.dtype(dtype) == np.float16 else np.dtype(dtype)


def _dropout_mask(p: Params, ctx, shape: tuple, dtype) -> np.ndarray:
    if not ctx.is_train or p.p == 0:
        return np.ones(shape, dtype)
    rng = ctx.rng if ctx.rng is not None else np.random.default_rng()
    keep = 1.0 - p.p
    with np.errstate(divide="ignore", invalid="ignore"):
        return ((rng.random(shape) < keep) / keep).astype(dtype)


def _rnn_forward(p: Params, ctx, ins, req, outs) -> None:
    data = ins[0]
    acc = _work_dtype(data.dtype)
    steps, batch, inputs = data.shape
    dims = _dims(p, inputs)
    lstm = p.mode == "lstm"
    h0 = ins[2].astype(acc, copy=False)
    c0 = ins[3].astype(acc, copy=False) if lstm else None
    ws = outs[-1] if req[-1] == WRITE and outs[-1].dtype == acc else \
        np.empty(outs[-1].shape, acc)
    weights = _unpack(ins[1].astype(acc, copy=False), dims)
    valid, clip = _valid_steps(p, ins, steps), _clip_bounds(p)
    x = data.astype(acc, copy=False)
    hy = np.empty(h0.shape, acc)
    cy = np.empty(c0.shape, acc) if lstm else None
    for layer in range(dims.layers):
        for d in range(dims.dirs):
            k = layer * dims.dirs + d
            h, c = _direction_forward(dims, clip, x, weights[k], h0[k],
                                      c0[k] if lstm else None, _views(ws, dims, k), valid, d == 1)
            hy[k] = h
            if lstm:
                cy[k] = c
        x = _layer_output(ws, dims, layer, valid)
        if layer < dims.layers - 1 and p.p > 0:
            mask = _mask_view(ws, dims, layer)
            mask[...] = _dropout_mask(p, ctx, mask.shape, acc)
            x = x * mask
    results = [x, hy] + ([cy] if lstm else [])
    for j, value in enumerate(results):
        assign(outs[j], req[j], value)
    if ws is not outs[-1]:
        assign(outs[-1], req[-1], ws)


# ---- backward (BPTT) ------------------------------------------------------------------------
def _lstm_back(dims, clip, dh, dc, c_prev, gates, cell, wr):
    """One LSTM step backwards: (d pre-activations, d c_prev, d projection input, h_raw)."""
    H = dims.hidden
    i, f, g, o = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:]
    tc = np.tanh(cell)
    dh_raw = dh @ wr if wr is not None else dh
    dcell = dc + dh_raw * o * (1 - tc * tc)
    if clip is not None:
        pre = f * c_prev + i * g
        dcell = dcell * ((pre >= clip[0]) & (pre <= clip[1]))
    dpre = np.empty(gates.shape, gates.dtype)
    np.multiply(dcell * g, i * (1 - i), out=dpre[:, :H])
    np.multiply(dcell * c_prev, f * (1 - f), out=dpre[:, H:2 * H])
    np.multiply(dcell * i, 1 - g * g, out=dpre[:, 2 * H:3 * H])
    np.multiply(dh_raw * tc, o * (1 - o), out=dpre[:, 3 * H:])
    return dpre, dcell * f, (o * tc if wr is not None else None)


def _gru_back(dims, dh, h_prev, gates, hn):
    """One GRU step backwards: (d x-side pre-activations, d h-side ones, direct d h_prev)."""
    H = dims.hidden
    r, z, n = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:]
    dn = dh * (1 - z) * (1 - n * n)
    dxw = np.empty(gates.shape, gates.dtype)
    np.multiply(dn * hn, r * (1 - r), out=dxw[:, :H])
    np.multiply(dh * (h_prev - n), z * (1 - z), out=dxw[:, H:2 * H])
    dxw[:, 2 * H:] = dn
    dhw = dxw.copy()
    dhw[:, 2 * H:] *= r
    return dxw, dhw, dh * z


def _step_back(dims, clip, dh, dc, h_prev, c_prev, t, views, wr):
    """(dxw, dhw, direct dh_prev, dc_prev, h_raw) for step ``t`` of one direction."""
    state, gates, extra = views
    if dims.mode == "lstm":
        dpre, dc_prev, h_raw = _lstm_back(dims, clip, dh, dc, c_prev, gates[t], extra[t], wr)
        return dpre, dpre, None, dc_prev, h_raw
    if dims.mode == "gru":
        dxw, dhw, direct = _gru_back(dims, dh, h_prev, gates[t], extra[t])
        return dxw, dhw, direct, None, None
    h = gates[t]
    dpre = dh * (1 - h * h) if dims.mode == "rnn_tanh" else dh * (h > 0)
    return dpre, dpre, None, None, None


def _direction_backward(dims, clip, w, d_out, h0, c0, views, valid, reverse, dh, dc):
    """BPTT through one direction of one layer. ``d_out`` is the gradient of its outputs,
    ``dh``/``dc`` of its final state. Returns the per-step gradients of the x-side and
    h-side pre-activations, the previous states, the projection pieces and d h0, d c0."""
    wi, wh, wr = w[:3]
    state, _, extra = views
    steps, batch = d_out.shape[:2]
    gh = dims.gates * dims.hidden
    order = list(range(steps - 1, -1, -1)) if reverse else list(range(steps))
    dxw_all = np.zeros((steps, batch, gh), d_out.dtype)
    dhw_all = dxw_all if dims.mode != "gru" else np.zeros_like(dxw_all)
    h_prev_all = np.empty((steps, batch, dims.proj), d_out.dtype)
    proj = (np.zeros_like(h_prev_all), np.zeros((steps, batch, dims.hidden), d_out.dtype)) \
        if wr is not None else None
    for pos in range(steps - 1, -1, -1):
        t = order[pos]
        h_prev = h0 if pos == 0 else state[order[pos - 1]]
        c_prev = c0 if pos == 0 or c0 is None else extra[order[pos - 1]]
        h_prev_all[t] = h_prev
        dh_t = dh + d_out[t]
        dxw, dhw, direct, dc_prev, h_raw = _step_back(dims, clip, dh_t, dc, h_prev, c_prev,
                                                      t, views, wr)
        if valid is not None:
            keep = valid[t][:, None]
            dxw, dhw = np.where(keep, dxw, 0), np.where(keep, dhw, 0)
            direct = np.where(keep, 0 if direct is None else direct, dh_t)
            dc_prev = None if dc is None else np.where(keep, dc_prev, dc)
        if proj is not None:
            proj[0][t], proj[1][t] = dh_t if valid is None else dh_t * keep, h_raw
        dxw_all[t], dhw_all[t] = dxw, dhw
        dh = dhw @ wh if direct is None else dhw @ wh + direct
        dc = dc_prev
    return dxw_all, dhw_all, h_prev_all, proj, dh, dc


def _accumulate(dims, x, w, gw, result, dx) -> None:
    """Weight and bias gradients of one direction from its BPTT result; adds into dx."""
    dxw, dhw, h_prev, proj = result[:4]
    wi = w[0]
    gh = dxw.shape[2]
    flat_x = x.reshape(-1, x.shape[2])
    gw[0][...] = dxw.reshape(-1, gh).T @ flat_x
    gw[1][...] = dhw.reshape(-1, gh).T @ h_prev.reshape(-1, dims.proj)
    if proj is not None:
        gw[2][...] = proj[0].reshape(-1, dims.proj).T @ proj[1].reshape(-1, dims.hidden)
    gw[3][...] = dxw.sum(axis=(0, 1))
    gw[4][...] = dhw.sum(axis=(0, 1))
    dx += (dxw.reshape(-1, gh) @ wi).reshape(dx.shape)


def _layer_input(data, ws, dims, layer, valid):
    if layer == 0:
        return data
    x = _layer_output(ws, dims, layer - 1, valid)
    return x * _mask_view(ws, dims, layer - 1) if _has_masks(dims, ws) else x


def _has_masks(dims: _Dims, ws: np.ndarray) -> bool:
    return ws.shape[2] > dims.layers * dims.dirs * dims.block()


def _head_names(p: Params) -> list[str]:
    return ["ograd_output", "ograd_state"] + (["ograd_statecell"] if p.mode == "lstm" else [])


def _backward_inputs(p: Params) -> list[str]:
    """``_backward_RNN``'s inputs; the LSTM-only and optional ones last, so that positional
    calls of every configuration but GRU/RNN with lengths line up with ``arg_names``."""
    names = ["ograd_output", "ograd_state", "data", "parameters", "state", "workspace"]
    if p.mode == "lstm":
        names += ["ograd_statecell", "state_cell"]
    return names + (["sequence_length"] if p.use_sequence_length else [])


def _logical(p: Params, values: list) -> list:
    """``_backward_RNN``'s inputs as (head grads..., forward inputs..., workspace)."""
    by_name = dict(zip(_backward_inputs(p), values))
    return [by_name[n] for n in _head_names(p) + _inputs(p) + ["workspace"]]


def _external(p: Params, values: list) -> list:
    """The inverse of :func:`_logical`."""
    by_name = dict(zip(_head_names(p) + _inputs(p) + ["workspace"], values))
    return [by_name[n] for n in _backward_inputs(p)]


def _backward_parts(p: Params, ins: list):
    """Split ``_backward_RNN``'s inputs: (head grads, data, params, h0, c0, lengths, ws)."""
    lstm = p.mode == "lstm"
    n_heads = 3 if lstm else 2
    ins = _logical(p, ins)
    heads, rest = ins[:n_heads], ins[n_heads:]
    data, params, h0 = rest[0], rest[1], rest[2]
    c0 = rest[3] if lstm else None
    lengths = rest[-2] if p.use_sequence_length else None
    return heads, data, params, h0, c0, lengths, rest[-1]


def _rnn_backward(p: Params, ctx, ins, req, outs) -> None:
    heads, data, params, h0, c0, lengths, ws = _backward_parts(p, ins)
    acc = _work_dtype(data.dtype)
    cast = lambda a: None if a is None else a.astype(acc, copy=False)
    data, h0, c0, ws = cast(data), cast(h0), cast(c0), cast(ws)
    dims = _dims(p, data.shape[2])
    weights = _unpack(cast(params), dims)
    gflat = np.zeros(params.shape, acc)
    grads = _unpack(gflat, dims)
    valid = None if lengths is None else \
        np.arange(data.shape[0])[:, None] < np.asarray(lengths).astype(np.int64)[None, :]
    clip = _clip_bounds(p)
    d_layer = cast(heads[0])
    d_h0, d_c0 = np.empty(h0.shape, acc), None if c0 is None else np.empty(c0.shape, acc)
    for layer in range(dims.layers - 1, -1, -1):
        x = _layer_input(data, ws, dims, layer, valid)
        dx = np.zeros(x.shape, acc)
        for d in range(dims.dirs):
            k = layer * dims.dirs + d
            d_out = d_layer[..., d * dims.proj:(d + 1) * dims.proj]
            d_out = d_out if valid is None else d_out * valid[:, :, None]
            result = _direction_backward(
                dims, clip, weights[k], d_out, h0[k], None if c0 is None else c0[k],
                _views(ws, dims, k), valid, d == 1, cast(heads[1][k]),
                None if c0 is None else cast(heads[2][k]))
            _accumulate(dims, x, weights[k], grads[k], result, dx)
            d_h0[k] = result[4]
            if c0 is not None:
                d_c0[k] = result[5]
        d_layer = dx * _mask_view(ws, dims, layer - 1) \
            if layer > 0 and _has_masks(dims, ws) else dx
    for j, value in enumerate([d_layer, gflat, d_h0] + ([d_c0] if c0 is not None else [])):
        assign(outs[j], req[j], value)


def _rnn_gradient(g, ograds):
    """One ``_backward_RNN`` node; missing head gradients of the outputs become zeros."""
    p = g.params
    n_heads = 3 if p.mode == "lstm" else 2
    if all(og is None for og in ograds[:n_heads]):
        return [None] * len(g.node.inputs)
    heads = [og if og is not None else g.zeros_like(g.output(k))
             for k, og in enumerate(ograds[:n_heads])]
    inputs = [g.input(i) for i in range(len(g.node.inputs))]
    grads = g.ops("_backward_RNN", *_external(p, heads + inputs + [g.output(n_heads)]),
                  **{f.name: p[f.name] for f in _fields()})
    return list(grads) + ([None] if p.use_sequence_length else [])


def _backward_rule(rule):
    """A shape or type rule for ``_backward_RNN`` from the forward rule ``rule``."""
    def infer(p: Params, ins: list, outs: list):
        n_heads = 3 if p.mode == "lstm" else 2
        logical = _logical(p, ins)
        new_ins, new_outs = rule(p, logical[n_heads:-1], logical[:n_heads] + logical[-1:])
        grads = new_ins[:n_heads + 1]
        return _external(p, new_outs[:n_heads] + new_ins + new_outs[-1:]), grads
    return infer


# ---- registration -----------------------------------------------------------------------------
_DOC = """Applies recurrent layers to input data. Currently, vanilla RNN, LSTM and GRU are
implemented, with both multi-layer and bidirectional support.

**Vanilla RNN**: ``h_t = relu(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)`` (``rnn_relu``) or the
same with ``tanh`` (``rnn_tanh``).

**LSTM**::

    i_t = sigmoid(W_ii x_t + b_ii + W_hi h_(t-1) + b_hi)
    f_t = sigmoid(W_if x_t + b_if + W_hf h_(t-1) + b_hf)
    g_t = tanh(W_ig x_t + b_ig + W_hc h_(t-1) + b_hg)
    o_t = sigmoid(W_io x_t + b_io + W_ho h_(t-1) + b_ho)
    c_t = f_t * c_(t-1) + i_t * g_t
    h_t = o_t * tanh(c_t)

With ``projection_size`` the recurrent state is ``r_t = W_hr h_t`` (LSTMP, Sak et al. 2014).

**GRU** (compatible with cuDNN)::

    r_t = sigmoid(W_ir x_t + b_ir + W_hr h_(t-1) + b_hr)
    z_t = sigmoid(W_iz x_t + b_iz + W_hz h_(t-1) + b_hz)
    n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_(t-1) + b_hn))
    h_t = (1 - z_t) * n_t + z_t * h_(t-1)

Data is ``(sequence length, batch size, input size)``; ``parameters`` is the flat vector of
all weights (per layer and direction: i2h, h2h) followed by all biases (i2h, h2h), gates in
the order above; ``state``/``state_cell`` are ``(num_layers * directions, batch, state_size)``.
"""

register("_backward_RNN", inputs=_backward_inputs, fields=_fields(),
         arg_names=("ograd_output", "ograd_state", "data", "parameters", "state", "workspace",
                    "ograd_statecell", "state_cell", "sequence_length"),
         outputs=lambda p: 4 if p.mode == "lstm" else 3, infer_shape=_backward_rule(_rnn_shape),
         infer_type=_backward_rule(_rnn_type), forward=_rnn_backward, blas_threads=True,
         doc="Gradient of RNN (data, parameters, state, state_cell) by backpropagation through "
             "time, from the head gradients and the forward pass's workspace.")

register(
    "RNN", inputs=_inputs, fields=_fields(),
    arg_names=("data", "parameters", "state", "state_cell", "sequence_length"),
    outputs=lambda p: 4 if p.mode == "lstm" else 3, visible_outputs=_visible,
    output_names=_output_names, infer_shape=_rnn_shape, infer_type=_rnn_type,
    forward=_rnn_forward, gradient=_rnn_gradient, needs_rng=True, blas_threads=True, doc=_DOC)
