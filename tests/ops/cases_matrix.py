"""Cases for symnet/ops/defs/matrix.py.

References are written independently of the kernels: products with explicit index loops or
``np.tensordot``/``np.einsum``, reshapes against shapes recorded from MXNet 1.9.1, slicing and
tiling with explicit index lists, broadcasting by arithmetic with ``np.ones``.
"""
from __future__ import annotations

import numpy as np

from .harness import OpCase

ALL = ("float32", "float64", "int32")


def rand(*shapes):
    """One array per shape: quarter steps in [-5, 5] for floats, integers for int dtypes."""
    def make(rng, dtype):
        out = []
        for shape in shapes:
            values = rng.integers(-20, 21, shape) / 4.0
            out.append((np.round(values) if dtype.kind in "iu" else values).astype(dtype))
        return out
    return make


def _arange(shape):
    def make(rng, dtype):
        return [np.arange(int(np.prod(shape))).reshape(shape).astype(dtype)]
    return make


# ---- dot / batch_dot --------------------------------------------------------------------------
def _ref_dot(a, b, transpose_a=False, transpose_b=False, **_):
    """Contract one axis of each operand with tensordot (MXNet's N-D rule)."""
    if a.ndim == 1 and b.ndim == 1:
        return np.array([sum(x * y for x, y in zip(a.tolist(), b.tolist()))], a.dtype)
    axis_a = 0 if (a.ndim == 1 or transpose_a) else a.ndim - 1
    axis_b = b.ndim - 1 if (b.ndim > 1 and transpose_b) else 0
    return np.tensordot(a, b, axes=([axis_a], [axis_b])).astype(a.dtype)


def _ref_batch_dot(a, b, transpose_a=False, transpose_b=False, **_):
    sa = "...kn" if transpose_a else "...nk"
    sb = "...mk" if transpose_b else "...km"
    return np.einsum(f"{sa},{sb}->...nm", a, b).astype(a.dtype)


DOT_SHAPES = [
    ("2x2", (3, 4), (4, 5), {}),
    ("1x1", (4,), (4,), {}),
    ("1x2", (3,), (3, 2), {}),
    ("2x1", (2, 3), (3,), {}),
    ("3x2", (2, 3, 4), (4, 5), {}),
    ("3x3", (2, 3, 4), (4, 2, 3), {}),
    ("tA", (4, 3), (4, 5), {"transpose_a": True}),
    ("tB", (3, 4), (5, 4), {"transpose_b": True}),
    ("tAtB", (4, 3), (5, 4), {"transpose_a": True, "transpose_b": True}),
    ("3x3-tA", (2, 3, 4), (2, 5, 6), {"transpose_a": True}),
    ("3x3-tB", (2, 3, 4), (5, 6, 4), {"transpose_b": True}),
    ("3x2-tAtB", (2, 3, 4), (5, 2), {"transpose_a": True, "transpose_b": True}),
    ("1x2-tB", (3,), (2, 3), {"transpose_b": True}),
    ("3x1-tA", (2, 3, 4), (2,), {"transpose_a": True}),
]

CASES = [OpCase("dot", rand(sa, sb), attrs=at, reference=_ref_dot, id=i)
         for i, sa, sb, at in DOT_SHAPES]
CASES.append(OpCase("dot", rand((3, 4), (4, 2)), reference=_ref_dot, dtypes=ALL, id="int"))
CASES += [
    OpCase("batch_dot", rand((2, 3, 4), (2, 4, 5)), reference=_ref_batch_dot),
    OpCase("batch_dot", rand((2, 4, 3), (2, 4, 5)), attrs={"transpose_a": True},
           reference=_ref_batch_dot, id="tA"),
    OpCase("batch_dot", rand((2, 3, 4), (2, 5, 4)), attrs={"transpose_b": True},
           reference=_ref_batch_dot, id="tB"),
    OpCase("batch_dot", rand((2, 4, 3), (2, 5, 4)),
           attrs={"transpose_a": True, "transpose_b": True}, reference=_ref_batch_dot,
           id="tAtB"),
    OpCase("batch_dot", rand((2, 2, 3, 4), (2, 2, 4, 3)), reference=_ref_batch_dot, id="4d"),
]


# ---- Reshape (shapes recorded from MXNet 1.9.1 on a (2, 3, 4) input) ---------------------------
def _ref_reshape(shape):
    """The first prod(shape) elements in C order, laid out as ``shape``."""
    def ref(x, **_):
        flat = np.array(x.ravel().tolist(), x.dtype)
        return flat[:int(np.prod(shape))].reshape(shape)
    return ref


#: (attrs, MXNet's output shape) for an input of shape (2, 3, 4); spec section 5.2 and extras.
#: Targets with fewer elements have no gradient (MXNet's backward fails: from.Size() == to.Size()).
RESHAPE_234 = [
    ({"shape": (6, -1)}, (6, 4)),
    ({"shape": (0, -1)}, (2, 12)),
    ({"shape": (-2,)}, (2, 3, 4)),
    ({"shape": (-3, 4)}, (6, 4)),
    ({"shape": (0, -3)}, (2, 12)),
    ({"shape": (-4, 1, 2, -2)}, (1, 2, 3, 4)),
    ({"shape": (2, -4, -1, 3, -2)}, (2, 1, 3, 4)),
    ({"shape": (0, 0, 0, 1)}, (2, 3, 4, 1)),
    ({"shape": (-1, 0), "reverse": True}, (6, 4)),
    ({"shape": (0, -1), "reverse": True}, (3, 8)),
    ({"shape": (4, -1), "reverse": True}, (4, 6)),
    ({"shape": (5, -1)}, (5, 4)),
    ({"shape": (-1, 0)}, (8, 3)),
    ({"shape": (-2, 1)}, (2, 3, 4, 1)),
    ({"shape": (-1,)}, (24,)),
    ({"shape": (-3, -1), "reverse": True}, (6, 4)),
    ({"target_shape": (6, 0)}, (6, 4)),
    ({"target_shape": (0, 4)}, (6, 4)),
    ({"target_shape": (0, 6), "keep_highest": True}, (2, 6)),
    ({"target_shape": (5, 0), "keep_highest": True}, (2, 12)),
    ({"shape": (6, 4), "target_shape": (4, 6)}, (6, 4)),
]

for attrs, shape in RESHAPE_234:
    name = "-".join(f"{k}{v}" for k, v in attrs.items()).replace(" ", "")
    CASES.append(OpCase("Reshape", _arange((2, 3, 4)), attrs=attrs, reference=_ref_reshape(shape),
                        dtypes=ALL, grad=int(np.prod(shape)) == 24, id=name))
CASES.append(OpCase("Reshape", rand((2, 3, 4)), attrs={"shape": (0, 0, 0)},
                    reference=_ref_reshape((2, 3, 4)), id="same-shape-inplace"))


def _ref_reshape_like(shape):
    return lambda a, b, **_: _ref_reshape(shape)(a)


CASES += [
    OpCase("reshape_like", rand((2, 3), (3, 2)), reference=_ref_reshape_like((3, 2)),
           dtypes=ALL),
    OpCase("reshape_like", rand((2, 3), (2, 3)), reference=_ref_reshape_like((2, 3)),
           id="same"),
    OpCase("reshape_like", rand((2, 3, 4), (6, 5)),
           attrs={"lhs_begin": 0, "lhs_end": 2, "rhs_begin": 0, "rhs_end": 1},
           reference=_ref_reshape_like((6, 4)), id="ranges"),
    OpCase("reshape_like", rand((30, 12), (4, 2, 2, 3)), attrs={"lhs_begin": -1, "rhs_begin": 1},
           reference=_ref_reshape_like((30, 2, 2, 3)), id="negative"),
]

# ---- Flatten, transpose, SwapAxis, expand_dims, squeeze ------------------------------------------
CASES += [
    OpCase("Flatten", rand((2, 3, 4)), reference=lambda x: x.reshape(len(x), x.size // len(x)),
           dtypes=ALL),
    OpCase("Flatten", rand((7,)), reference=lambda x: x[:, None], id="1d"),
    OpCase("Flatten", rand((2, 3)), reference=lambda x: x.copy(), id="2d-inplace"),
]


def _ref_transpose(x, axes=(), **_):
    """Element by element: out[i0, i1, ...] = x[j] with j[axes[k]] = i[k]."""
    axes = tuple(axes) or tuple(range(x.ndim))[::-1]
    out = np.empty(tuple(x.shape[a] for a in axes), x.dtype)
    for idx in np.ndindex(out.shape):
        src = [0] * x.ndim
        for k, a in enumerate(axes):
            src[a] = idx[k]
        out[idx] = x[tuple(src)]
    return out


CASES += [
    OpCase("transpose", rand((2, 3, 4)), reference=_ref_transpose, dtypes=ALL),
    OpCase("transpose", rand((2, 3, 4)), attrs={"axes": (1, 0, 2)}, reference=_ref_transpose,
           id="axes"),
    OpCase("transpose", rand((2, 3, 4, 5)), attrs={"axes": (3, 1, 0, 2)},
           reference=_ref_transpose, id="4d"),
    OpCase("transpose", rand((5,)), reference=_ref_transpose, id="1d"),
    OpCase("SwapAxis", rand((2, 3, 4)), attrs={"dim1": 0, "dim2": 2},
           reference=lambda x, **_: _ref_transpose(x, (2, 1, 0)), dtypes=ALL),
    OpCase("SwapAxis", rand((2, 3, 4)), attrs={"dim1": -1, "dim2": 1},
           reference=lambda x, **_: _ref_transpose(x, (0, 2, 1)), id="neg"),
    OpCase("SwapAxis", rand((2, 3)), reference=lambda x, **_: x.copy(), id="default"),
    OpCase("expand_dims", rand((2, 3)), attrs={"axis": 1},
           reference=lambda x, **_: x.reshape(2, 1, 3), dtypes=ALL),
    OpCase("expand_dims", rand((2, 3)), attrs={"axis": -1},
           reference=lambda x, **_: x.reshape(2, 3, 1), id="neg"),
    OpCase("expand_dims", rand((2, 3)), attrs={"axis": -3},
           reference=lambda x, **_: x.reshape(1, 2, 3), id="front"),
    OpCase("squeeze", rand((1, 3, 1)), reference=lambda x, **_: x.reshape(3), dtypes=ALL),
    OpCase("squeeze", rand((1, 3, 1)), attrs={"axis": (0,)},
           reference=lambda x, **_: x.reshape(3, 1), id="axis"),
    OpCase("squeeze", rand((1, 3, 1)), attrs={"axis": (-1, 0)},
           reference=lambda x, **_: x.reshape(3), id="axes"),
    OpCase("squeeze", rand((1, 1)), reference=lambda x, **_: x.reshape(1), id="all"),
    OpCase("squeeze", rand((2, 3)), reference=lambda x, **_: x.copy(), id="none-inplace"),
]


# ---- slice, slice_axis, slice_like --------------------------------------------------------------
def _ref_slice(x, begin, end, step=(), **_):
    """Gather explicit index lists per axis (Python slice semantics)."""
    step = tuple(step) or (None,) * len(begin)
    index = []
    for axis, n in enumerate(x.shape):
        if axis < len(begin):
            index.append(list(range(n))[slice(begin[axis], end[axis], step[axis])])
        else:
            index.append(list(range(n)))
    if any(len(i) == 0 for i in index):
        return np.zeros(tuple(len(i) for i in index), x.dtype)
    return x[np.ix_(*index)]


SLICES = [
    ("basic", {"begin": (0, 1), "end": (2, 3)}),
    ("none", {"begin": (None, 1), "end": (None, 3)}),
    ("neg", {"begin": (-1,), "end": (None,)}),
    ("step", {"begin": (0, 0, 0), "end": (2, 3, 4), "step": (1, 2, 3)}),
    ("negstep", {"begin": (1, 2), "end": (0, 0), "step": (-1, -1)}),
    ("reverse-all", {"begin": (None, None), "end": (None, None), "step": (-1, -2)}),
    ("clamped", {"begin": (-5, 0), "end": (9, 2)}),
    ("empty", {"begin": (2,), "end": (1,)}),
    ("step-none", {"begin": (None, 1), "end": (None, None), "step": (None, 2)}),
]
CASES += [OpCase("slice", rand((2, 3, 4)), attrs=at, reference=_ref_slice, dtypes=ALL,
                 grad=i != "empty", id=i) for i, at in SLICES]


def _ref_slice_axis(x, axis, begin, end, **_):
    n = x.shape[axis]
    b = begin + n if begin < 0 else begin
    e = n if end is None else end + n if end < 0 else end
    return np.take(x, list(range(b, e)), axis=axis)


CASES += [
    OpCase("slice_axis", rand((2, 3, 4)), attrs={"axis": 1, "begin": 1, "end": None},
           reference=_ref_slice_axis, dtypes=ALL),
    OpCase("slice_axis", rand((2, 3, 4)), attrs={"axis": -1, "begin": -3, "end": -1},
           reference=_ref_slice_axis, id="neg"),
    OpCase("slice_axis", rand((2, 3, 4)), attrs={"axis": 0, "begin": 0, "end": 1},
           reference=_ref_slice_axis, id="first"),
    OpCase("slice_like", rand((2, 3, 4), (1, 2, 3)),
           reference=lambda x, y, **_: _ref_slice(x, (0, 0, 0), (1, 2, 3)), dtypes=ALL),
    OpCase("slice_like", rand((2, 3, 4), (1, 2, 3)), attrs={"axes": (0, 2)},
           reference=lambda x, y, **_: _ref_slice(x, (0, 0, 0), (1, 3, 3)), id="axes"),
    OpCase("slice_like", rand((2, 3, 4), (1, 2)), attrs={"axes": (-2,)},
           reference=lambda x, y, **_: _ref_slice(x, (0, 0), (2, 2)), id="neg"),
]


# ---- tile, repeat, reverse ----------------------------------------------------------------------
def _ref_tile(x, reps, **_):
    """Index arithmetic: out[i] = x[i % shape] after padding both to the same length."""
    n = max(x.ndim, len(reps))
    x = x.reshape((1,) * (n - x.ndim) + x.shape)
    reps = (1,) * (n - len(reps)) + tuple(reps)
    index = [np.arange(d * r) % d for d, r in zip(x.shape, reps)]
    return x[np.ix_(*index)]


def _ref_repeat(x, repeats, axis=None, **_):
    if axis is None:
        x, axis = x.ravel(), 0
    n = x.shape[axis]
    return np.take(x, np.arange(n * repeats) // repeats, axis=axis)


def _ref_reverse(x, axis, **_):
    out = x
    for a in axis:
        out = out[(slice(None),) * a + (slice(None, None, -1),)]
    return out


CASES += [
    OpCase("tile", rand((2, 3)), attrs={"reps": (2,)}, reference=_ref_tile, dtypes=ALL),
    OpCase("tile", rand((2, 3)), attrs={"reps": (2, 1, 3)}, reference=_ref_tile, id="promote"),
    OpCase("tile", rand((2, 3, 4)), attrs={"reps": (2, 2)}, reference=_ref_tile, id="pad-reps"),
    OpCase("tile", rand((4,)), attrs={"reps": (2, 3)}, reference=_ref_tile, id="1d"),
    OpCase("repeat", rand((2, 3)), attrs={"repeats": 2}, reference=_ref_repeat, dtypes=ALL),
    OpCase("repeat", rand((2, 3)), attrs={"repeats": 3, "axis": 1}, reference=_ref_repeat,
           id="axis"),
    OpCase("repeat", rand((2, 3)), attrs={"repeats": 2, "axis": -2}, reference=_ref_repeat,
           id="neg"),
    OpCase("repeat", rand((2, 3)), attrs={"repeats": 0, "axis": 1},
           reference=lambda x, **_: np.zeros((0,), x.dtype), grad=False, id="zero"),
    OpCase("reverse", rand((2, 3, 4)), attrs={"axis": (1,)}, reference=_ref_reverse, dtypes=ALL),
    OpCase("reverse", rand((2, 3, 4)), attrs={"axis": (0, 2)}, reference=_ref_reverse,
           id="two"),
    OpCase("reverse", rand((2, 3)), attrs={"axis": (0, 0)}, reference=_ref_reverse,
           id="twice"),
]


# ---- broadcast_to, broadcast_axis, broadcast_like ------------------------------------------------
def _spread(x, shape):
    """Broadcast by arithmetic: x + zeros(shape) in x's dtype."""
    return (x + np.zeros(shape, x.dtype)).astype(x.dtype)


CASES += [
    OpCase("broadcast_to", rand((2, 1)), attrs={"shape": (2, 3)},
           reference=lambda x, **_: _spread(x, (2, 3)), dtypes=ALL),
    OpCase("broadcast_to", rand((1, 3, 1)), attrs={"shape": (4, 0, 2)},
           reference=lambda x, **_: _spread(x, (4, 3, 2)), id="keep"),
    OpCase("broadcast_axis", rand((2, 1, 1)), attrs={"axis": (1,), "size": (3,)},
           reference=lambda x, **_: _spread(x, (2, 3, 1)), dtypes=ALL),
    OpCase("broadcast_axis", rand((2, 1, 1)), attrs={"axis": (1, 2), "size": (3, 4)},
           reference=lambda x, **_: _spread(x, (2, 3, 4)), id="two"),
    OpCase("broadcast_like", rand((2, 1), (2, 3)),
           reference=lambda x, y, **_: _spread(x, (2, 3)), dtypes=ALL),
    OpCase("broadcast_like", rand((2, 1), (5, 6, 7)), attrs={"lhs_axes": (1,), "rhs_axes": (2,)},
           reference=lambda x, y, **_: _spread(x, (2, 7)), id="axes"),
    OpCase("broadcast_like", rand((1, 1), (5, 6, 7)),
           attrs={"lhs_axes": (0, -1), "rhs_axes": (2, 0)},
           reference=lambda x, y, **_: _spread(x, (7, 5)), id="neg-axes"),
]


# ---- gradient-only configurations and the ops that gradient graphs use ---------------------------
CASES += [
    OpCase("repeat", rand((2, 3, 2)), attrs={"repeats": 2, "axis": -1}, reference=_ref_repeat,
           id="last"),
    OpCase("repeat", rand((2, 3, 2)), attrs={"repeats": 3, "axis": 1}, reference=_ref_repeat,
           id="middle"),
    OpCase("repeat", rand((2, 3, 2)), attrs={"repeats": 2, "axis": -2}, reference=_ref_repeat,
           id="neg-middle"),
    OpCase("tile", rand((2, 3, 4)), attrs={"reps": (1, 3, 1)}, reference=_ref_tile,
           id="ones"),
    OpCase("tile", rand((2, 3)), attrs={"reps": (1, 1)}, reference=_ref_tile, id="identity"),
    OpCase("tile", rand((3,)), attrs={"reps": (2, 1, 2)}, reference=_ref_tile, id="promote-1d"),
    OpCase("dot", rand((2, 3, 2), (2, 3, 2)), attrs={"transpose_a": True, "transpose_b": True},
           reference=_ref_dot, id="3x3-tAtB"),
    OpCase("dot", rand((3,), (3, 2, 2)), attrs={"transpose_a": True}, reference=_ref_dot,
           id="1x3-tA"),
    OpCase("batch_dot", rand((2, 2, 4, 3), (2, 2, 5, 4)),
           attrs={"transpose_a": True, "transpose_b": True}, reference=_ref_batch_dot,
           id="4d-tAtB"),
]


def _ref_scatter(index_of):
    """Zeros of ``data``'s shape with ``ograd`` written element by element at ``index_of``."""
    def ref(ograd, data, **attrs):
        out = np.zeros(data.shape, ograd.dtype)
        for pos in np.ndindex(ograd.shape):
            out[index_of(pos, data.shape, attrs)] = ograd[pos]
        return out
    return ref


def _slice_index(pos, shape, attrs):
    begin, end = attrs["begin"], attrs["end"]
    step = attrs.get("step") or (None,) * len(begin)
    ranges = [list(range(n))[slice(b, e, s)] for n, b, e, s in zip(shape, begin, end, step)]
    return tuple(r[i] for r, i in zip(ranges, pos)) + tuple(pos[len(ranges):])


def _slice_axis_index(pos, shape, attrs):
    axis = attrs["axis"] % len(shape)
    begin = attrs["begin"] % shape[axis]
    return tuple(i + begin if a == axis else i for a, i in enumerate(pos))


CASES += [
    OpCase("_backward_slice", rand((2, 1, 4), (2, 3, 4)),
           attrs={"begin": (0, 1), "end": (2, 3), "step": (1, 2)},
           reference=_ref_scatter(_slice_index), grad_inputs=[0]),
    OpCase("_backward_slice", rand((1, 2, 4), (2, 3, 4)),
           attrs={"begin": (1, 2), "end": (0, 0), "step": (-1, -1)},
           reference=_ref_scatter(_slice_index), grad_inputs=[0], id="negstep"),
    OpCase("_backward_slice_axis", rand((2, 3, 2), (2, 3, 4)),
           attrs={"axis": -1, "begin": -3, "end": -1},
           reference=_ref_scatter(_slice_axis_index), grad_inputs=[0]),
    OpCase("_backward_slice_axis", rand((2, 2, 4), (2, 3, 4)),
           attrs={"axis": 1, "begin": 1, "end": None},
           reference=_ref_scatter(_slice_axis_index), grad_inputs=[0], id="to-end"),
    OpCase("_backward_slice_like", rand((1, 2, 3), (2, 3, 4)),
           reference=_ref_scatter(lambda pos, shape, attrs: pos), grad_inputs=[0]),
    OpCase("_dot_ograd_matrix", rand((2, 3, 5, 2), (2, 3, 4)),
           reference=lambda g, lhs: np.array(g.ravel().tolist(), g.dtype).reshape(6, 10),
           grad_inputs=[0]),
    OpCase("_dot_ograd_matrix", rand((1,), (4,)),
           reference=lambda g, lhs: g.reshape(1, 1), grad_inputs=[0], id="vector"),
]
