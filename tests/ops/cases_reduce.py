"""Cases for symnet/ops/defs/reduce.py.

The references below work row by row in plain Python (``math.fsum``, ``sorted``, explicit
loops), independently of the NumPy reductions and sorts the kernels use.
"""
from __future__ import annotations

import math

import numpy as np

from .harness import OpCase

FLOATS = ("float32", "float64")
ALL = ("float32", "float64", "int32")


# ---- helpers ---------------------------------------------------------------------------------

def _axes(axis, exclude: bool, ndim: int) -> tuple:
    """The reduced axes (written independently of ``symnet.ops.defs.reduce.reduce_axes``)."""
    if axis is None or axis == ():
        return tuple(range(ndim))
    listed = {a % ndim for a in ((axis,) if isinstance(axis, int) else axis)}
    return tuple(a for a in range(ndim) if (a in listed) != exclude)


def _rows(x: np.ndarray, axes: tuple):
    """Move ``axes`` last and flatten them: a list of 1-D rows and the kept-dims shape."""
    kept = [a for a in range(x.ndim) if a not in axes]
    moved = np.transpose(x, kept + list(axes))
    kept_shape = tuple(x.shape[a] for a in kept)
    return moved.reshape((-1, int(np.prod([x.shape[a] for a in axes], dtype=np.int64)))), \
        kept_shape


def _finish(values: list, x: np.ndarray, axes: tuple, keepdims: bool, dtype) -> np.ndarray:
    """Shape a flat list of per-row results as MXNet does ((1,) for a full reduction)."""
    if keepdims:
        shape = tuple(1 if a in axes else d for a, d in enumerate(x.shape))
    else:
        shape = tuple(d for a, d in enumerate(x.shape) if a not in axes) or (1,)
    return np.array(values, dtype=np.float64 if dtype.kind == "f" else np.int64) \
        .astype(dtype).reshape(shape)


def _row_reference(row_fn):
    """Reference for an axis reduction from a function of one row (a list of Python numbers)."""
    def ref(x, axis=None, keepdims=False, exclude=False, **_):
        axes = _axes(axis, exclude, x.ndim)
        rows, _ = _rows(x, axes)
        return _finish([row_fn(r.tolist(), x.dtype) for r in rows], x, axes, keepdims,
                       x.dtype)
    return ref


def _py_sum(row, dtype):
    return math.fsum(row) if dtype.kind == "f" else sum(row)


def _py_prod(row, dtype):
    out = 1
    for v in row:
        out *= v
    return out


def _py_mean(row, dtype):
    if dtype.kind == "f":
        return math.fsum(row) / len(row)
    total = sum(row)
    return int(total / len(row))  # C-style truncation toward zero (small values: exact)


def _not_nan(row):
    return [v for v in row if not (isinstance(v, float) and math.isnan(v))]


REFERENCE = {
    "sum": _py_sum,
    "mean": _py_mean,
    "prod": _py_prod,
    "max": lambda row, dt: max(row),
    "min": lambda row, dt: min(row),
    "nansum": lambda row, dt: _py_sum(_not_nan(row), dt),
    "nanprod": lambda row, dt: _py_prod(_not_nan(row), dt),
}


def _data(shape, nan: bool = False, low: float = -2.0, high: float = 2.0):
    """Random data; integers are small so sums and products stay exact. Float values are
    distinct (no max/min ties, no zeros), so every reduction is differentiable there."""
    def make(rng, dtype):
        x = rng.uniform(low, high, shape)
        if dtype.kind in "iu":
            x = np.round(x)
        if nan and dtype.kind == "f":
            x.flat[::5] = np.nan
        return [x.astype(dtype)]
    return make


def _distinct(shape):
    """A random permutation of distinct values (no ties: sort/topk gradients are defined)."""
    def make(rng, dtype):
        size = int(np.prod(shape))
        values = rng.permutation(size) - size // 2
        if dtype.kind == "f":
            values = values + rng.uniform(0.1, 0.4, size)
        return [values.reshape(shape).astype(dtype)]
    return make


def _ties(shape, levels: int = 3):
    """Integer-valued data with many equal elements (for ordering and arg-reductions)."""
    def make(rng, dtype):
        return [rng.integers(0, levels, shape).astype(dtype)]
    return make


# ---- reductions ------------------------------------------------------------------------------

CASES: list[OpCase] = []
_CONFIGS = [
    ({}, "all"),
    ({"axis": 1}, "axis1"),
    ({"axis": (0, 2), "keepdims": True}, "keep"),
    ({"axis": -1, "exclude": True}, "exclude"),
    ({"axis": (0, 1, 2), "exclude": True}, "none"),
    ({"axis": (), "keepdims": True}, "empty-axis"),
]
for _name, _fn in REFERENCE.items():
    _nan = _name.startswith("nan")
    for _attrs, _id in _CONFIGS:
        CASES.append(OpCase(_name, _data((2, 3, 4), nan=_nan), attrs=_attrs,
                            reference=_row_reference(_fn), dtypes=ALL, id=_id))
CASES.append(OpCase("sum", _data((3, 5)), attrs={"axis": 0}, reference=_row_reference(_py_sum),
                    dtypes=("float16",), rtol=2e-3, atol=2e-3, id="fp16"))
CASES.append(OpCase("mean", _data((6,)), attrs={"axis": 0},
                    reference=_row_reference(_py_mean), dtypes=ALL, id="1d"))


# ---- norm ------------------------------------------------------------------------------------

def _norm_row(order: int):
    def row_norm(row, dtype):
        if order == 1:
            return sum(abs(v) for v in row) if dtype.kind != "f" else math.fsum(map(abs, row))
        if dtype.kind == "f":
            return math.sqrt(math.fsum(v * v for v in row))
        # MXNet's scaled sum of squares, replayed element by element in integer arithmetic.
        scale, ssq = 0, 1
        for v in map(abs, row):
            if v == 0:
                continue
            if v > scale:
                ssq, scale = 1 + ssq * (scale // v) ** 2, v
            else:
                ssq += (v // scale) ** 2
        return int(scale * math.sqrt(ssq))
    return row_norm


def _norm_reference(x, ord=2, axis=None, keepdims=False, out_dtype=None, **_):
    axes = _axes(axis, False, x.ndim)
    rows, _ = _rows(x, axes)
    values = [_norm_row(ord)(r.tolist(), x.dtype) for r in rows]
    return _finish(values, x, axes, keepdims, np.dtype(out_dtype or x.dtype))


CASES += [
    OpCase("norm", _data((2, 3, 4)), reference=_norm_reference, dtypes=ALL, id="l2"),
    OpCase("norm", _data((2, 3, 4)), attrs={"ord": 1, "axis": 1}, reference=_norm_reference,
           dtypes=ALL, id="l1-axis"),
    OpCase("norm", _data((2, 3, 4)), attrs={"axis": (0, 2), "keepdims": True},
           reference=_norm_reference, dtypes=ALL, id="l2-keep"),
    OpCase("norm", _data((3, 4), low=-4, high=4), attrs={"axis": -1},
           reference=_norm_reference, dtypes=("int32",), id="int-l2"),
    OpCase("norm", _data((3, 4)), attrs={"ord": 1, "axis": 1, "out_dtype": "float64"},
           reference=_norm_reference, dtypes=("float64",), id="out-dtype"),
]


# ---- argmax / argmin -------------------------------------------------------------------------

def _arg_reference(pick):
    def ref(x, axis=None, keepdims=False, **_):
        axes = tuple(range(x.ndim)) if axis is None else (axis % x.ndim,)
        rows, _ = _rows(x, axes)
        values = []
        for r in rows.tolist():
            best = 0
            for i, v in enumerate(r):  # strict comparison: the first occurrence wins
                if pick(v, r[best]):
                    best = i
            values.append(best)
        return _finish(values, x, axes, keepdims, x.dtype)
    return ref


for _name, _pick in (("argmax", lambda a, b: a > b), ("argmin", lambda a, b: a < b)):
    for _attrs, _id in (({}, "flat"), ({"axis": 1}, "axis1"),
                        ({"axis": -1, "keepdims": True}, "keep"),
                        ({"keepdims": True}, "flat-keep")):
        CASES.append(OpCase(_name, _ties((2, 3, 4)), attrs=_attrs,
                            reference=_arg_reference(_pick), dtypes=ALL, grad=False, id=_id))


# ---- softmax family --------------------------------------------------------------------------

def _softmax_reference(sign: float, log: bool):
    def ref(x, length=None, axis=-1, temperature=None, dtype=None, use_length=False, **_):
        t = 1.0 if temperature is None else temperature
        moved = np.moveaxis(x.astype(np.float64), axis, -1)
        out = np.zeros(moved.shape)
        lens = None if length is None else np.broadcast_to(length, moved.shape[:-1])
        for idx in np.ndindex(moved.shape[:-1]):
            row = [sign * v / t for v in moved[idx].tolist()]
            n = len(row) if lens is None else min(int(lens[idx]), len(row))
            if n == 0:
                continue
            denom = math.fsum(math.exp(v) for v in row[:n])
            out[idx][:n] = [v - math.log(denom) if log else math.exp(v) / denom
                            for v in row[:n]]
        return np.moveaxis(out, -1, axis).astype(dtype or x.dtype)
    return ref


def _with_length(shape, axis):
    def make(rng, dtype):
        x = rng.uniform(-2, 2, shape).astype(dtype)
        lshape = shape[:axis % len(shape)] + shape[axis % len(shape) + 1:]
        return [x, rng.integers(0, shape[axis] + 1, lshape).astype(np.int32)]
    return make


for _name, _sign, _log in (("softmax", 1.0, False), ("log_softmax", 1.0, True),
                           ("softmin", -1.0, False)):
    _ref = _softmax_reference(_sign, _log)
    CASES += [
        OpCase(_name, _data((2, 3, 4)), reference=_ref, dtypes=FLOATS, id="last"),
        OpCase(_name, _data((2, 3, 4)), attrs={"axis": 0, "temperature": 2.0}, reference=_ref,
               dtypes=FLOATS, id="axis0-temp"),
        OpCase(_name, _data((3, 5)), attrs={"axis": 1, "dtype": "float64"}, reference=_ref,
               dtypes=("float32", "float16"), rtol=1e-2 if _name != "log_softmax" else 2e-3,
               atol=2e-3, id="dtype"),
        OpCase(_name, _data((4, 3), low=-50, high=50), attrs={"axis": 0}, reference=_ref,
               dtypes=("float64",), id="large"),
    ]
# check_numeric_gradient casts every input to float64, which the int ``length`` refuses:
# test_reduce.py checks the gradient of these two configurations instead.
CASES += [
    OpCase("softmax", _with_length((3, 5), -1), attrs={"use_length": True},
           reference=_softmax_reference(1.0, False), dtypes=FLOATS, grad=False, id="length"),
    OpCase("softmax", _with_length((2, 4, 3), 1), attrs={"use_length": True, "axis": 1},
           reference=_softmax_reference(1.0, False), dtypes=FLOATS, grad=False,
           id="length-axis1"),
]


# ---- topk / sort / argsort -------------------------------------------------------------------

def _ordered_rows(x, axis, is_ascend):
    """Per row: (positions in order, values in order), ties by position, via ``sorted``."""
    flat = x.reshape(1, -1) if axis is None else np.moveaxis(x, axis, -1).reshape(
        -1, x.shape[axis])
    orders = []
    for r in flat.tolist():
        sign = 1 if is_ascend else -1
        orders.append(sorted(range(len(r)), key=lambda i: (sign * r[i], i)))
    return flat, orders


def _restore(rows: list, x, axis, dtype):
    """Rows (each along ``axis``) back to an array with ``axis`` in place."""
    arr = np.array(rows, dtype=np.float64 if np.dtype(dtype).kind == "f" else np.int64)
    if axis is None:
        return arr.reshape(-1).astype(dtype)
    moved = np.moveaxis(x, axis, -1).shape[:-1] + (arr.shape[-1],)
    return np.moveaxis(arr.reshape(moved), -1, axis).astype(dtype)


def _topk_reference(x, axis=-1, k=1, ret_typ="indices", is_ascend=False, dtype="float32", **_):
    flat, orders = _ordered_rows(x, axis, is_ascend)
    n = flat.shape[1]
    k = n if k < 1 else k
    picked = [o[:k] for o in orders]
    values = _restore([[r[i] for i in o] for r, o in zip(flat.tolist(), picked)], x, axis,
                      x.dtype)
    indices = _restore(picked, x, axis, dtype)
    if ret_typ == "mask":
        mask = [[1 if i in set(o) else 0 for i in range(n)] for o in picked]
        return _restore(mask, x, axis, x.dtype).reshape(x.shape)
    return {"value": values, "indices": indices, "both": [values, indices]}[ret_typ]


def _sort_reference(x, axis=-1, is_ascend=True, **_):
    flat, orders = _ordered_rows(x, axis, is_ascend)
    return _restore([[r[i] for i in o] for r, o in zip(flat.tolist(), orders)], x, axis,
                    x.dtype)


def _argsort_reference(x, axis=-1, is_ascend=True, dtype="float32", **_):
    return _restore(_ordered_rows(x, axis, is_ascend)[1], x, axis, dtype)


for _attrs, _id in [({}, "default"), ({"k": 3, "ret_typ": "value"}, "value"),
                    ({"k": 3, "ret_typ": "both"}, "both"), ({"k": 2, "ret_typ": "mask"}, "mask"),
                    ({"k": 2, "is_ascend": True, "axis": 0, "ret_typ": "both"}, "ascend-axis0"),
                    ({"k": 0}, "k0"), ({"axis": 0, "k": 2, "ret_typ": "value"}, "axis0"),
                    ({"k": 2, "dtype": "int32", "ret_typ": "both"}, "int-index")]:
    CASES.append(OpCase("topk", _ties((3, 6)), attrs=_attrs, reference=_topk_reference,
                        dtypes=ALL, grad=False, id=_id))
# Flattened orderings stay at <= 16 elements: MXNet's CPU sort (std::sort) orders ties by
# position only for such short runs, so these cases match it exactly.
for _attrs, _id in [({}, "default"), ({"is_ascend": False}, "descend"), ({"axis": 0}, "axis0"),
                    ({"axis": 0, "is_ascend": False}, "axis0-descend")]:
    CASES.append(OpCase("sort", _ties((3, 6)), attrs=_attrs, reference=_sort_reference,
                        dtypes=ALL, grad=False, id=_id))
    CASES.append(OpCase("argsort", _ties((3, 6)), attrs=_attrs, reference=_argsort_reference,
                        dtypes=ALL, grad=False, id=_id))
for _attrs, _id in [({"axis": None, "k": 5, "ret_typ": "both"}, "flat"),
                    ({"axis": None, "k": 4, "ret_typ": "mask"}, "flat-mask")]:
    CASES.append(OpCase("topk", _ties((3, 5)), attrs=_attrs, reference=_topk_reference,
                        dtypes=ALL, grad=False, id=_id))
for _asc in (True, False):
    CASES.append(OpCase("sort", _ties((3, 5)), attrs={"axis": None, "is_ascend": _asc},
                        reference=_sort_reference, dtypes=ALL, grad=False, id=f"flat-{_asc}"))
    CASES.append(OpCase("argsort", _ties((3, 5)), attrs={"axis": None, "is_ascend": _asc},
                        reference=_argsort_reference, dtypes=ALL, grad=False, id=f"flat-{_asc}"))
CASES.append(OpCase("argsort", _ties((2, 5)), attrs={"dtype": "int64"},
                    reference=_argsort_reference, dtypes=FLOATS, grad=False, id="int64"))

# Gradients (values scattered back through the order): distinct values, since a tie makes the
# central difference average the tied slots' head gradients. Tie behaviour: test_reduce.py.
for _attrs, _id in [({"k": 3, "ret_typ": "value"}, "value"), ({"k": 2, "ret_typ": "both"}, "both"),
                    ({"axis": 0, "k": 2, "ret_typ": "value", "is_ascend": True}, "axis0"),
                    ({"axis": None, "k": 5, "ret_typ": "both"}, "flat"),
                    ({"k": 0, "ret_typ": "value", "dtype": "int32"}, "all")]:
    CASES.append(OpCase("topk", _distinct((3, 6)), attrs=_attrs, reference=_topk_reference,
                        dtypes=FLOATS, id=f"grad-{_id}"))
for _attrs, _id in [({}, "default"), ({"axis": 0, "is_ascend": False}, "axis0-descend"),
                    ({"axis": None, "is_ascend": False}, "flat")]:
    CASES.append(OpCase("sort", _distinct((3, 5)), attrs=_attrs, reference=_sort_reference,
                        dtypes=FLOATS, id=f"grad-{_id}"))


# ---- gradient operators ------------------------------------------------------------------------

def _kept_shape(shape, axis, keepdims, exclude):
    axes = _axes(axis, exclude, len(shape))
    if keepdims:
        return tuple(1 if a in axes else d for a, d in enumerate(shape))
    return tuple(d for a, d in enumerate(shape) if a not in axes) or (1,)


def _reduced_ograd(shape, **attrs):
    """(ograd of the reduced shape, forward data) for ``_backward_sum``/``_backward_mean``."""
    def make(rng, dtype):
        kept = _kept_shape(shape, attrs.get("axis"), attrs.get("keepdims", False),
                           attrs.get("exclude", False))
        ograd = rng.uniform(-2, 2, kept)
        data = rng.uniform(-2, 2, shape)
        if dtype.kind in "iu":
            ograd = np.round(ograd * 3)
        return [ograd.astype(dtype), data.astype(dtype)]
    return make


def _spread_reference(mean: bool):
    """Each element of ``data`` gets the head gradient of the row it was reduced into."""
    def ref(ograd, data, axis=None, keepdims=False, exclude=False, **_):
        axes = _axes(axis, exclude, data.ndim)
        count = 1
        for a in axes:
            count *= data.shape[a]
        flat = ograd.reshape(-1).tolist()
        kept_dims = [d for a, d in enumerate(data.shape) if a not in axes]
        out = np.zeros(data.shape, np.float64)
        for idx in np.ndindex(data.shape):
            pos = 0
            for a in (a for a in range(data.ndim) if a not in axes):  # row-major index
                pos = pos * data.shape[a] + idx[a]
            value = flat[pos] if kept_dims else flat[0]
            out[idx] = (value / count if ograd.dtype.kind == "f" else value // count) \
                if mean else value
        return out.astype(ograd.dtype)
    return ref


for _name, _mean in (("_backward_sum", False), ("_backward_mean", True)):
    for _attrs, _id in _CONFIGS:
        CASES.append(OpCase(_name, _reduced_ograd((2, 3, 4), **_attrs), attrs=_attrs,
                            reference=_spread_reference(_mean), dtypes=ALL, grad_inputs=[0],
                            id=_id))


def _scatter_inputs(shape, k, axis):
    """(ograd, indices of k distinct positions per row along axis, data) for _backward_topk."""
    def make(rng, dtype):
        data = rng.uniform(-2, 2, shape).astype(dtype)
        if axis is None:
            index = rng.permutation(data.size)[:k]
        else:
            moved = np.moveaxis(np.zeros(shape), axis, -1).shape
            rows = [rng.permutation(moved[-1])[:k] for _ in range(int(np.prod(moved[:-1])))]
            index = np.moveaxis(np.array(rows).reshape(moved[:-1] + (k,)), -1, axis)
        ograd = rng.uniform(-2, 2, index.shape).astype(dtype)
        return [ograd, index.astype(np.float32), data]
    return make


def _scatter_reference(ograd, indices, data, axis=-1, **_):
    out = np.zeros(data.shape, np.float64)
    if axis is None:
        flat = out.reshape(-1)
        for g, i in zip(ograd.reshape(-1).tolist(), indices.reshape(-1).tolist()):
            flat[int(i)] = g
        return out.astype(ograd.dtype)
    axis %= data.ndim
    for idx in np.ndindex(indices.shape):
        target = idx[:axis] + (int(indices[idx]),) + idx[axis + 1:]
        out[target] = ograd[idx]
    return out.astype(ograd.dtype)


for _shape, _k, _axis, _id in [((3, 6), 2, -1, "last"), ((4, 3, 2), 3, 1, "axis1"),
                               ((3, 5), 4, None, "flat"), ((5, 2), 5, 0, "axis0")]:
    CASES.append(OpCase("_backward_topk", _scatter_inputs(_shape, _k, _axis),
                        attrs={"axis": _axis}, reference=_scatter_reference, dtypes=ALL,
                        grad=False, id=_id))
