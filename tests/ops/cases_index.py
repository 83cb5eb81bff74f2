"""Cases for symnet/ops/defs/index.py: Concat, stack, add_n, SliceChannel, where, take, pick,
one_hot and the backward ops _backward_Concat/_backward_take/_backward_pick. References are
element loops or slice assignments, independent of the kernels. Gradients flow only into data
inputs (``grad_inputs``): indices and conditions are not differentiable."""
from __future__ import annotations

import numpy as np

from .harness import OpCase, rand

ALL = ("float32", "float64", "int32")


def _values(*shapes, low=-3.0, high=3.0):
    """Random arrays of the case dtype (integers rounded, so int32 cases are meaningful)."""
    def make(rng, dtype):
        return [np.round(rng.uniform(low, high, s)).astype(dtype) if dtype.kind in "iu"
                else rng.uniform(low, high, s).astype(dtype) for s in shapes]
    return make


# ---- Concat / stack / add_n ---------------------------------------------------------------

def ref_concat(*arrays, dim=1, **_):
    axis = dim % arrays[0].ndim
    shape = list(arrays[0].shape)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    out = np.zeros(shape, arrays[0].dtype)
    start = 0
    for a in arrays:
        index = [slice(None)] * a.ndim
        index[axis] = slice(start, start + a.shape[axis])
        out[tuple(index)] = a
        start += a.shape[axis]
    return out


def ref_stack(*arrays, axis=0, **_):
    axis = axis % (arrays[0].ndim + 1)
    shape = arrays[0].shape[:axis] + (len(arrays),) + arrays[0].shape[axis:]
    out = np.zeros(shape, arrays[0].dtype)
    for i, a in enumerate(arrays):
        out[(slice(None),) * axis + (i,)] = a
    return out


def ref_add_n(*arrays, **_):
    out = np.zeros(arrays[0].shape, arrays[0].dtype)
    for a in arrays:
        out = out + a
    return out


# ---- SliceChannel -------------------------------------------------------------------------

def ref_split(data, num_outputs, axis=1, squeeze_axis=False, **_):
    axis = axis % data.ndim
    step = data.shape[axis] // num_outputs
    parts = []
    for k in range(num_outputs):
        index = [slice(None)] * data.ndim
        index[axis] = k * step if squeeze_axis else slice(k * step, (k + 1) * step)
        parts.append(data[tuple(index)].copy())
    return parts


# ---- where --------------------------------------------------------------------------------

def ref_where(cond, x, y, **_):
    out = np.zeros(x.shape, x.dtype)
    for idx in np.ndindex(x.shape):
        c = cond[idx] if cond.shape == x.shape else cond[idx[0]]
        out[idx] = x[idx] if c != 0 else y[idx]
    return out


def _where_inputs(cond_shape, shape):
    def make(rng, dtype):
        x, y = _values(shape, shape)(rng, dtype)
        cond = rng.integers(-1, 2, cond_shape).astype(dtype)
        return [cond, x, y]
    return make


# ---- take / pick / one_hot ----------------------------------------------------------------

def _fix(value: float, size: int, mode: str) -> int:
    """One index: truncate toward zero, then clip or wrap (Python arithmetic)."""
    i = int(value)
    if mode == "wrap":
        return i % size
    return min(max(i, 0), size - 1)


def ref_take(a, indices, axis=0, mode="clip", **_):
    axis = axis % a.ndim
    out_shape = a.shape[:axis] + indices.shape + a.shape[axis + 1:]
    out = np.zeros(out_shape, a.dtype)
    k = indices.ndim
    for idx in np.ndindex(out_shape):
        j = _fix(indices[idx[axis:axis + k]], a.shape[axis], mode)
        out[idx] = a[idx[:axis] + (j,) + idx[axis + k:]]
    return out


def ref_pick(data, index, axis=-1, keepdims=False, mode="clip", **_):
    axis = axis % data.ndim
    rest = data.shape[:axis] + data.shape[axis + 1:]
    flat_index = index.reshape(rest if rest else (1,))
    out = np.zeros(rest if rest else (1,), data.dtype)
    for idx in np.ndindex(rest):
        j = _fix(flat_index[idx] if rest else flat_index[0], data.shape[axis], mode)
        out[idx if rest else 0] = data[idx[:axis] + (j,) + idx[axis:]]
    if keepdims:
        return out.reshape(data.shape[:axis] + (1,) + data.shape[axis + 1:])
    return out


def ref_one_hot(indices, depth, on_value=1.0, off_value=0.0, dtype="float32", **_):
    dt = np.dtype(dtype)

    def cast(v):
        return np.array(int(v), np.int64).astype(dt) if dt.kind in "iu" else dt.type(v)
    out = np.full(indices.shape + (depth,), cast(off_value), dt)
    for idx in np.ndindex(indices.shape):
        i = int(indices[idx])
        if 0 <= i < depth:
            out[idx + (i,)] = cast(on_value)
    return out


def _indexed(data_shape, index_shape, low, high, index_dtype="float32", fractional=False):
    """Data in the case dtype plus an index array (float32 by default, as MXNet users pass)."""
    def make(rng, dtype):
        data = _values(data_shape)(rng, dtype)[0]
        index = rng.integers(low, high + 1, index_shape).astype(np.float64)
        if fractional:
            index = index + rng.uniform(-0.9, 0.9, index_shape)
        return [data, index.astype(index_dtype)]
    return make


def _one_hot_inputs(shape, low, high, dtype_of_index="float32"):
    def make(rng, dtype):
        index = rng.integers(low, high + 1, shape).astype(dtype_of_index)
        return [index]
    return make


# ---- backward ops -------------------------------------------------------------------------

def ref_backward_concat(ograd, *likes, dim=1, **_):
    axis = dim % ograd.ndim
    parts, start = [], 0
    for like in likes:
        index = [slice(None)] * ograd.ndim
        index[axis] = slice(start, start + like.shape[axis])
        parts.append(ograd[tuple(index)].copy())
        start += like.shape[axis]
    return parts


def ref_backward_take(ograd, a, indices, axis=0, mode="clip", **_):
    axis = axis % a.ndim
    out = np.zeros(a.shape, ograd.dtype)
    k = indices.ndim
    for idx in np.ndindex(ograd.shape):
        j = _fix(indices[idx[axis:axis + k]], a.shape[axis], "wrap" if mode == "wrap" else "clip")
        out[idx[:axis] + (j,) + idx[axis + k:]] += ograd[idx]
    return out


def ref_backward_pick(ograd, data, index, axis=-1, mode="clip", **_):
    axis = axis % data.ndim
    rest = data.shape[:axis] + data.shape[axis + 1:]
    flat_index = index.reshape(rest if rest else (1,))
    flat_grad = ograd.reshape(rest if rest else (1,))
    out = np.zeros(data.shape, ograd.dtype)
    for idx in np.ndindex(rest):
        j = _fix(flat_index[idx] if rest else flat_index[0], data.shape[axis], mode)
        out[idx[:axis] + (j,) + idx[axis:]] = flat_grad[idx if rest else 0]
    return out


def _backward_inputs(ograd_shape, data_shape, index_shape, low, high, fractional=False):
    """(ograd, data, index): the data array only gives its shape."""
    def make(rng, dtype):
        ograd = _values(ograd_shape)(rng, dtype)[0]
        return [ograd] + _indexed(data_shape, index_shape, low, high,
                                  fractional=fractional)(rng, dtype)
    return make


def _var(n: int, **attrs) -> dict:
    """Attributes of a variadic case; ``num_args`` is given because the harness's direct
    kernel calls parse the attributes without the front end that fills it."""
    return {"num_args": n, **attrs}


CASES = [
    OpCase("Concat", _values((2, 3, 4), (2, 5, 4)), attrs=_var(2),
           reference=ref_concat, dtypes=ALL),
    OpCase("Concat", _values((2, 3), (4, 3), (1, 3)), attrs=_var(3, dim=0),
           reference=ref_concat, dtypes=ALL, id="dim0"),
    OpCase("concat", _values((2, 3, 1), (2, 3, 2)), attrs=_var(2, dim=-1),
           reference=ref_concat, id="neg"),
    OpCase("Concat", _values((3, 2)), attrs=_var(1, dim=0), reference=ref_concat, id="one"),
    OpCase("stack", _values((2, 3), (2, 3), (2, 3)), attrs=_var(3),
           reference=ref_stack, dtypes=ALL),
    OpCase("stack", _values((2, 3), (2, 3)), attrs=_var(2, axis=-1), reference=ref_stack,
           id="last"),
    OpCase("stack", _values((4,), (4,)), attrs=_var(2, axis=1), reference=ref_stack, id="ax1"),
    OpCase("add_n", _values((3, 4), (3, 4), (3, 4)), attrs=_var(3),
           reference=ref_add_n, dtypes=ALL),
    OpCase("add_n", _values((2, 3), (2, 3)), attrs=_var(2), reference=ref_add_n, id="two"),
    OpCase("ElementWiseSum", _values((5,)), attrs=_var(1), reference=ref_add_n, id="one"),
    OpCase("SliceChannel", rand((2, 6, 4)), attrs={"num_outputs": 3}, reference=ref_split,
           dtypes=ALL),
    OpCase("split", rand((2, 6, 4)), attrs={"num_outputs": 2, "axis": -1},
           reference=ref_split, id="neg"),
    OpCase("SliceChannel", rand((3, 2, 5)), attrs={"num_outputs": 3, "axis": 0,
                                                   "squeeze_axis": True},
           reference=ref_split, dtypes=ALL, id="squeeze"),
    OpCase("SliceChannel", rand((2, 4)), attrs={"num_outputs": 1}, reference=ref_split,
           id="single"),
    OpCase("where", _where_inputs((3, 4), (3, 4)), reference=ref_where, dtypes=ALL,
           grad_inputs=[1, 2]),
    OpCase("where", _where_inputs((3,), (3, 2, 2)), reference=ref_where, grad_inputs=[1, 2],
           id="rows"),
    # (2, 4) indices into 5 rows, clipped from [-2, 6]: repeated rows accumulate gradient
    OpCase("take", _indexed((5, 3), (2, 4), -2, 6), reference=ref_take, dtypes=ALL,
           grad_inputs=[0]),
    OpCase("take", _indexed((3, 5, 2), (4,), -7, 7, "int32"), attrs={"axis": 1,
                                                                      "mode": "wrap"},
           reference=ref_take, dtypes=ALL, grad_inputs=[0], id="wrap-int"),
    OpCase("take", _indexed((2, 3, 4), (2, 2), -3, 6, fractional=True),
           attrs={"axis": -1, "mode": "wrap"}, reference=ref_take, grad_inputs=[0],
           id="wrap-frac"),
    OpCase("take", _indexed((4, 3), (3,), 0, 3), attrs={"mode": "raise"},
           reference=ref_take, grad_inputs=[0], id="raise"),
    OpCase("take", _indexed((3, 2), (6,), 0, 1), reference=ref_take, grad_inputs=[0],
           id="repeated"),
    OpCase("pick", _indexed((4, 5), (4,), -2, 7), reference=ref_pick, dtypes=ALL,
           grad_inputs=[0]),
    OpCase("pick", _indexed((3, 4, 2), (3, 2), -6, 6, "int32"),
           attrs={"axis": 1, "mode": "wrap"}, reference=ref_pick, dtypes=ALL, grad_inputs=[0],
           id="wrap"),
    OpCase("pick", _indexed((3, 4), (1, 4), -1, 4, fractional=True),
           attrs={"axis": 0, "keepdims": True}, reference=ref_pick, grad_inputs=[0],
           id="keep"),
    OpCase("choose_element_0index", _indexed((6,), (1,), 0, 8), attrs={"axis": 0},
           reference=ref_pick, grad_inputs=[0], id="1d"),
    OpCase("one_hot", _one_hot_inputs((2, 3), -1, 5), attrs={"depth": 4},
           reference=ref_one_hot, dtypes=("float32",), grad=False),
    OpCase("one_hot", _one_hot_inputs((5,), 0, 3, "int32"),
           attrs={"depth": 3, "on_value": 2.7, "off_value": -1.5, "dtype": "int32"},
           reference=ref_one_hot, dtypes=("float32",), grad=False, id="int"),
    OpCase("one_hot", _one_hot_inputs((4,), 0, 4),
           attrs={"depth": 4, "on_value": 5, "dtype": "float64"},
           reference=ref_one_hot, dtypes=("float32",), grad=False, id="f64"),
    # backward ops: linear in the head gradient, so their own gradient (wrt ograd) is checked
    OpCase("_backward_Concat", _values((2, 9, 3), (2, 3, 3), (2, 1, 3), (2, 5, 3)),
           attrs=_var(4, dim=1), reference=ref_backward_concat, dtypes=ALL, grad_inputs=[0]),
    OpCase("_backward_Concat", _values((5, 2), (3, 2), (2, 2)), attrs=_var(3, dim=-2),
           reference=ref_backward_concat, grad_inputs=[0], id="neg"),
    OpCase("_backward_take", _backward_inputs((2, 4, 3), (5, 3), (2, 4), -2, 6),
           reference=ref_backward_take, dtypes=ALL, grad_inputs=[0]),
    OpCase("_backward_take", _backward_inputs((3, 2, 2, 2), (3, 5, 2), (2, 2), -7, 7,
                                              fractional=True),
           attrs={"axis": 1, "mode": "wrap"}, reference=ref_backward_take, grad_inputs=[0],
           id="wrap"),
    OpCase("_backward_pick", _backward_inputs((4,), (4, 5), (4,), -2, 7),
           reference=ref_backward_pick, dtypes=ALL, grad_inputs=[0]),
    OpCase("_backward_pick", _backward_inputs((3, 1, 2), (3, 4, 2), (3, 2), -6, 6),
           attrs={"axis": 1, "keepdims": True, "mode": "wrap"}, reference=ref_backward_pick,
           grad_inputs=[0], id="wrap-keep"),
]
