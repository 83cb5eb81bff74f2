"""Shape manipulation: ``Reshape``, ``reshape_like``, ``Flatten``, ``transpose``, ``SwapAxis``,
``expand_dims``, ``squeeze``, ``slice``, ``slice_axis``, ``slice_like``, ``tile``, ``repeat``,
``reverse``, ``broadcast_to``/``broadcast_axis``/``broadcast_like`` (MXNet 1.9.1 semantics), their
gradients, and the ``_backward_slice*`` scatter ops those gradients use.

Kernels are NumPy views (or one vectorised NumPy call) stored into the output with
:func:`~symnet.ops.kernel.assign`. Shape rules work on partial shapes (unknown dims are
``None``), fill in input dims where the output determines them, and raise :class:`InferError`
with MXNet's ``Check failed`` wording plus the shapes involved. Where MXNet's inference gives
up on unknown dims (``Flatten`` of ``(?, 3, 4)``), symnet infers what it can (``(?, 12)``).
"""
from __future__ import annotations

import math

import numpy as np

from ...base import MXNetError
from ..fields import REQUIRED, Bool, Int, Shape
from ..kernel import NULL, assign
from ..registry import InferError, Params, fmt_shape, register
from ..rules import elemwise_shape, known, merge_shape
from .shape_codes import fill_one_unknown, prod, reshape_output

__all__: list[str] = []

_fmt = fmt_shape


# ---- shared helpers --------------------------------------------------------------------------
def _with_out(outs: list, shape: tuple, j: int = 0) -> list:
    """``outs`` with output ``j`` merged with the inferred ``shape`` (MXNet's wording)."""
    try:
        merged = merge_shape(shape, outs[j])
    except ValueError:
        raise InferError(f"Incompatible attr in node at {j}-th output: expected "
                         f"{_fmt(shape)}, got {_fmt(outs[j])}") from None
    new = list(outs)
    new[j] = merged
    return new


def _norm_axis(axis: int, ndim: int) -> int:
    return axis + ndim if axis < 0 else axis


def _view_kernel(view):
    """A kernel storing ``view(params, ins, out_shape)`` (usually a NumPy view) into output 0."""

    def kernel(p: Params, ctx, ins: list, req: list, outs: list) -> None:
        if req[0] != NULL:
            assign(outs[0], req[0], view(p, ins, outs[0].shape))

    kernel.__name__ = getattr(view, "__name__", "kernel")
    return kernel


def _reshaped(p: Params, ins: list, shape: tuple) -> np.ndarray:
    return ins[0].reshape(shape)


def _lhs_type(p: Params, ins: list, outs: list):
    """Output dtype = first input's dtype; the second input (a shape donor) is free."""
    lhs, out = ins[0], outs[0]
    if lhs is not None and out is not None and np.dtype(lhs) != np.dtype(out):
        raise InferError(f"Incompatible attr in node at 0-th output: expected "
                         f"{np.dtype(lhs).name}, got {np.dtype(out).name}")
    dtype = lhs if lhs is not None else out
    return [dtype] + list(ins[1:]), [dtype]


def _inverse_dims(perm: tuple, out: tuple) -> tuple:
    """The input shape whose permutation by ``perm`` is ``out``."""
    back: list = [None] * len(perm)
    for i, axis in enumerate(perm):
        back[axis] = out[i]
    return tuple(back)


def _permute_shape(ins: list, outs: list, perm: tuple):
    """Shape rule core for transpose-like ops: both directions."""
    src = ins[0] if ins[0] is not None else (None,) * len(perm)
    outs = _with_out(outs, tuple(src[a] for a in perm))
    return [_inverse_dims(perm, outs[0])], outs


def _set_dim(shape: tuple, i: int, value) -> tuple:
    return tuple(shape[:i]) + (value,) + tuple(shape[i + 1:])


# ---- Reshape, reshape_like, Flatten ----------------------------------------------------------
def _reshape_shape(p: Params, ins: list, outs: list):
    """``Reshape``: the codes of shape_codes.py; an unknown input dim is filled back from a
    known output (``(2, ?, 4)`` reshaped to ``(6, 4)`` gives ``(2, 3, 4)``)."""
    src = ins[0]
    if src is None:
        return ins, outs
    target = reshape_output(src, p)
    if target is not None:
        outs = _with_out(outs, target)
    if known(outs[0]):
        src = fill_one_unknown(src, prod(outs[0]))
    return [src], outs


def _reshape_view(p: Params, ins: list, shape: tuple) -> np.ndarray:
    """The first ``prod(shape)`` elements in order (MXNet does not check ``-1`` sizes)."""
    x, n = ins[0], math.prod(shape)
    if n == x.size:
        return x.reshape(shape)
    if n > x.size:
        raise MXNetError(f"Reshape: cannot reshape array of shape {_fmt(x.shape)} into "
                         f"{_fmt(shape)}: the target has more elements ({n} > {x.size})")
    return x.reshape(-1)[:n].reshape(shape)


def _dims_range(names: tuple[str, str], begin, end, ndim: int) -> tuple[int, int]:
    """``reshape_like``'s begin/end of one input, with MXNet's checks and messages."""
    b_name, e_name = names
    stop = ndim if end is None else _norm_axis(end, ndim)
    if stop > ndim:
        raise InferError(f"Check failed: *cend <= ndims: Invalid end for {e_name}={end} as "
                         f"dimension number is {ndim}")
    start = 0 if begin is None else _norm_axis(begin, ndim)
    if not start < stop:
        raise InferError(f"Check failed: (*cbegin < *cend): Invalid begin, end, get "
                         f"{b_name}={begin}, {e_name}={end}")
    if start < 0:
        raise InferError(f"Check failed: *cbegin >= 0: Invalid begin for {b_name}={begin}")
    return start, stop


def _reshape_like_shape(p: Params, ins: list, outs: list):
    """``lhs[:lhs_begin] + rhs[rhs_begin:rhs_end] + lhs[lhs_end:]``, same total size."""
    lhs, rhs = ins
    if lhs is None or rhs is None:
        return ins, outs
    lb, le = _dims_range(("lhs_begin", "lhs_end"), p.lhs_begin, p.lhs_end, len(lhs))
    rb, re_ = _dims_range(("rhs_begin", "rhs_end"), p.rhs_begin, p.rhs_end, len(rhs))
    out = tuple(lhs[:lb]) + tuple(rhs[rb:re_]) + tuple(lhs[le:])
    size, new_size = prod(lhs), prod(out)
    if size is not None and new_size is not None and size != new_size:
        raise InferError(f"Check failed: (*in_attrs)[0].Size() == oshape.Size() ({size} vs. "
                         f"{new_size}) : Cannot reshape lhs with shape {_fmt(lhs)} to new "
                         f"shape {_fmt(out)} because they have different size.")
    outs = _with_out(outs, fill_one_unknown(out, size))
    return [fill_one_unknown(lhs, prod(outs[0])), rhs], outs


def _flatten_shape(p: Params, ins: list, outs: list):
    """``(d0, prod(d[1:]))``; a 1-D ``(n,)`` gives ``(n, 1)``."""
    src = ins[0]
    if not src:
        return ins, outs
    outs = _with_out(outs, (src[0], 1 if len(src) == 1 else prod(src[1:])))
    first, rest = outs[0]
    return [(first,) + fill_one_unknown(tuple(src[1:]), rest)], outs


# ---- transpose, SwapAxis, expand_dims, squeeze -----------------------------------------------
def _transpose_perm(p: Params, src: tuple) -> tuple:
    ndim = len(src)
    if not p.axes:
        return tuple(range(ndim))[::-1]
    axes = tuple(p.axes)
    if len(axes) != ndim:
        raise InferError(f"Check failed: std::max(shp.ndim(), out_shp.ndim()) == "
                         f"param.axes.ndim() ({ndim} vs. {len(axes)}) : transpose axes "
                         f"{axes} do not match the input shape {_fmt(src)}")
    for axis in axes:
        if not 0 <= axis < ndim:
            raise InferError(f"Check failed: i >= 0 && i < ndim(): index = {axis} must be in "
                             f"range [0, {ndim}) (transpose of {_fmt(src)}, axes={axes})")
    if len(set(axes)) != ndim:
        raise InferError(f"transpose: repeated axis in axes={axes} for input {_fmt(src)}")
    return axes


def _transpose_shape(p: Params, ins: list, outs: list):
    src = ins[0] if ins[0] is not None else outs[0]
    if src is None:
        return ins, outs
    return _permute_shape(ins, outs, _transpose_perm(p, src))


def _transpose_view(p: Params, ins: list, shape: tuple) -> np.ndarray:
    return np.transpose(ins[0], tuple(p.axes) if p.axes else None)


def _swap_perm(p: Params, src: tuple) -> tuple:
    ndim = len(src)
    perm = list(range(ndim))
    axes = []
    for k, dim in ((1, p.dim1), (2, p.dim2)):
        axis = _norm_axis(dim, ndim)
        if not 0 <= axis < ndim:
            raise InferError(f"Check failed: axis{k} >= 0 && axis{k} < shape0.ndim(): "
                             f"axis{k}: axis {dim} is out of bounds for array of ndim {ndim} "
                             f"(input {_fmt(src)})")
        axes.append(axis)
    perm[axes[0]], perm[axes[1]] = perm[axes[1]], perm[axes[0]]
    return tuple(perm)


def _swap_shape(p: Params, ins: list, outs: list):
    src = ins[0] if ins[0] is not None else outs[0]
    if src is None:
        return ins, outs
    return _permute_shape(ins, outs, _swap_perm(p, src))


def _swap_view(p: Params, ins: list, shape: tuple) -> np.ndarray:
    return np.transpose(ins[0], _swap_perm(p, ins[0].shape))


def _expand_shape(p: Params, ins: list, outs: list):
    """Insert a 1 at ``axis`` (range ``[-ndim-1, ndim]``)."""
    src = ins[0]
    if src is None:
        return ins, outs
    ndim = len(src)
    if not -ndim - 1 <= p.axis <= ndim:
        raise InferError(f"Check failed: axis >= 0 && axis <= indim: axis must be in the range "
                         f"[{-ndim}, {ndim}] ({p.axis} provided) for input {_fmt(src)}")
    axis = p.axis + ndim + 1 if p.axis < 0 else p.axis
    outs = _with_out(outs, tuple(src[:axis]) + (1,) + tuple(src[axis:]))
    return [outs[0][:axis] + outs[0][axis + 1:]], outs


def _squeeze_axes(p: Params, src: tuple) -> list | None:
    """The axes ``squeeze`` removes (None: undecidable with unknown dims)."""
    ndim = len(src)
    if p.axis is None:
        return None if None in src else [i for i, d in enumerate(src) if d == 1]
    axes: list = []
    for given in p.axis:
        axis = _norm_axis(given, ndim)
        if not 0 <= axis < ndim:
            raise InferError(f"Check failed: axes[i] {'>= 0' if axis < 0 else '< dndim'} : "
                             f"axis {given} is out of bounds for array of dimension {ndim} "
                             f"(input {_fmt(src)})")
        if src[axis] not in (None, 1):
            raise InferError(f"Check failed: dshape[axes[i]] == 1 ({src[axis]} vs. 1) : cannot "
                             f"select an axis to squeeze out which has size={src[axis]} not "
                             f"equal to one (input {_fmt(src)})")
        if axis in axes:
            raise InferError(f"Check failed: oshape[axes[i]] != -1 (-1 vs. -1) : duplicate "
                             f"value in axis {tuple(p.axis)}")
        axes.append(axis)
    return axes


def _squeeze_shape(p: Params, ins: list, outs: list):
    """Drop size-1 dims (all, or those in ``axis``); squeezing every dim leaves ``(1,)``."""
    src = ins[0]
    axes = None if src is None else _squeeze_axes(p, src)
    if axes is None:
        return ins, outs
    src = tuple(1 if i in axes else d for i, d in enumerate(src))
    kept = [i for i in range(len(src)) if i not in axes]
    outs = _with_out(outs, tuple(src[i] for i in kept) or (1,))
    if kept:
        src = tuple(outs[0][kept.index(i)] if i in kept else 1 for i in range(len(src)))
    return [src], outs


# ---- slice, slice_axis, slice_like -----------------------------------------------------------
def _slices(p: Params, src: tuple) -> list[slice]:
    """``slice``'s per-axis Python slices (None entries: defaults), with MXNet's checks."""
    begin, end = tuple(p.begin), tuple(p.end)
    step = tuple(p.step) if p.step else (None,) * len(begin)
    if len(begin) != len(end):
        raise InferError(f"Check failed: param_begin.ndim() == param_end.ndim() ({len(begin)} "
                         f"vs. {len(end)}) : begin and end must have the same length")
    if len(step) != len(begin):
        raise InferError(f"Check failed: param_step.ndim() == param_begin.ndim() ({len(step)} "
                         f"vs. {len(begin)}) : step and begin must have the same length")
    if len(begin) > len(src):
        raise InferError(f"Check failed: param_begin.ndim() <= dshape.ndim() ({len(begin)} vs. "
                         f"{len(src)}) : Slicing axis exceeds data dimensions: begin={begin} "
                         f"for data of shape {_fmt(src)}")
    for i, s in enumerate(step):
        if s == 0:
            raise InferError(f"Check failed: s != 0 (0 vs. 0) : slice op step[{i}] cannot be 0")
    return [slice(b, e, s) for b, e, s in zip(begin, end, step)]


def _slice_shape(p: Params, ins: list, outs: list):
    """Python slice semantics per axis (out-of-range begin/end are clamped, as MXNet)."""
    src = ins[0]
    if src is None:
        return ins, outs
    cuts = _slices(p, src)
    dims = tuple(None if d is None else len(range(d)[s]) for s, d in zip(cuts, src))
    return ins, _with_out(outs, dims + tuple(src[len(cuts):]))


def _slice_view(p: Params, ins: list, shape: tuple) -> np.ndarray:
    return ins[0][tuple(_slices(p, ins[0].shape))]


def _axis_bounds(p: Params, size: int, src: tuple) -> tuple[int, int]:
    """``slice_axis``'s begin and end on an axis of known ``size``."""
    begin = _norm_axis(p.begin, size)
    end = size if p.end is None else _norm_axis(p.end, size)
    where = f" (data shape {_fmt(src)}, axis={p.axis})"
    if end > size:
        raise InferError(f"Check failed: *end <= axis_size: Invalid end for end={p.end} as "
                         f"axis_size is {size}{where}")
    if not begin < end:
        raise InferError(f"Check failed: (*begin < *end): Invalid begin, end, get "
                         f"begin={p.begin}, end={p.end}{where}")
    if begin < 0:
        raise InferError(f"Check failed: *begin >= 0: Invalid begin for begin={p.begin}{where}")
    return begin, end


def _slice_axis_index(p: Params, src: tuple) -> int:
    ndim = len(src)
    axis = _norm_axis(p.axis, ndim)
    if not 0 <= axis < ndim:
        raise InferError(f"Check failed: *axis < ishape.ndim() && *axis >= 0: Transformed axis "
                         f"must be smaller than the source ndim and larger than zero! Recieved "
                         f"axis={p.axis}, src_ndim={ndim}, transformed axis={axis}")
    return axis


def _slice_axis_shape(p: Params, ins: list, outs: list):
    src = ins[0]
    if src is None:
        return ins, outs
    axis = _slice_axis_index(p, src)
    size = src[axis]
    if size is not None:
        begin, end = _axis_bounds(p, size, src)
        length = end - begin
    elif p.begin >= 0 and p.end is not None and p.end > p.begin:
        length = p.end - p.begin
    else:
        length = None
    return ins, _with_out(outs, _set_dim(src, axis, length))


def _slice_axis_view(p: Params, ins: list, shape: tuple) -> np.ndarray:
    x = ins[0]
    axis = _slice_axis_index(p, x.shape)
    begin, end = _axis_bounds(p, x.shape[axis], x.shape)
    return x[(slice(None),) * axis + (slice(begin, end),)]


def _like_axes(p: Params, lhs: tuple, rhs: tuple) -> list[int]:
    """``slice_like``'s axes, with MXNet's checks."""
    if not p.axes:
        if len(lhs) != len(rhs):
            raise InferError(f"Check failed: ishape.ndim() == from_shape.ndim() ({len(lhs)} vs. "
                             f"{len(rhs)}) : By default slice_axis performs slice on all axes, "
                             f"but ndim mismatch for inputs: {len(lhs)} vs. {len(rhs)} "
                             f"({_fmt(lhs)} and {_fmt(rhs)})")
        return list(range(len(lhs)))
    axes = []
    for given in p.axes:
        axis = _norm_axis(given, len(lhs))
        if axis < 0:
            raise InferError(f"Check failed: axis >= 0 ({axis} vs. 0) : Slice axis: {given} "
                             f"too small")
        for ndim, which in ((len(lhs), "first"), (len(rhs), "second")):
            if axis >= ndim:
                raise InferError(f"Check failed: ndim() > axis ({ndim} vs. {axis}) : Slice "
                                 f"axis: {axis} exceeds {which} input: {ndim} "
                                 f"({_fmt(lhs)} and {_fmt(rhs)})")
        axes.append(axis)
    return axes


def _slice_like_shape(p: Params, ins: list, outs: list):
    """Slice ``data`` to ``shape_like``'s size on ``axes`` (all axes by default)."""
    lhs, rhs = ins
    if lhs is None or rhs is None:
        return ins, outs
    out = list(lhs)
    for axis in _like_axes(p, lhs, rhs):
        have, want = lhs[axis], rhs[axis]
        if have is not None and want is not None and have < want:
            raise InferError(f"Check failed: ishape[i] >= from_shape[i] ({have} vs. {want}) : "
                             f"Slice axis {axis} with size {want} exceeds limit of input with "
                             f"size {have} ({_fmt(lhs)} sliced like {_fmt(rhs)})")
        out[axis] = want
    return ins, _with_out(outs, tuple(out))


def _slice_like_view(p: Params, ins: list, shape: tuple) -> np.ndarray:
    return ins[0][tuple(slice(0, n) for n in shape)]


# ---- tile, repeat, reverse -------------------------------------------------------------------
def _tile_shape(p: Params, ins: list, outs: list):
    """numpy.tile's rule: dims and reps are padded with leading 1s to the same length."""
    src, reps = ins[0], tuple(p.reps)
    if src is None:
        return ins, outs
    if any(r < 0 for r in reps):
        raise InferError(f"tile: reps must be non-negative, got reps={reps} for input "
                         f"{_fmt(src)}")
    n = max(len(src), len(reps))
    dims = (1,) * (n - len(src)) + tuple(src)
    reps = (1,) * (n - len(reps)) + reps
    out = tuple(0 if r == 0 else None if d is None else d * r for d, r in zip(dims, reps))
    return ins, _with_out(outs, out)


def _tile_view(p: Params, ins: list, shape: tuple) -> np.ndarray:
    return np.tile(ins[0], tuple(p.reps))


def _repeat_axis(p: Params, src: tuple) -> int:
    axis = _norm_axis(p.axis, len(src))
    if not 0 <= axis < len(src):
        raise InferError(f"Check failed: axis >= 0 && axis < ndims: axis = {p.axis} out of "
                         f"bounds (data shape {_fmt(src)})")
    return axis


def _repeat_shape(p: Params, ins: list, outs: list):
    """Repeat each element; ``axis=None`` flattens; ``repeats=0`` gives ``(0,)`` (MXNet)."""
    src, reps = ins[0], p.repeats
    if src is None:
        return ins, outs
    if reps < 0:
        raise InferError(f"Check failed: *repeats >= 0 ({reps} vs. 0) : repeats cannot be a "
                         f"negative number")
    if reps == 0:
        out: tuple = (0,)
    elif p.axis is None:
        total = prod(src)
        out = (None if total is None else total * reps,)
    else:
        axis = _repeat_axis(p, src)
        dim = src[axis]
        out = _set_dim(src, axis, None if dim is None else dim * reps)
    return ins, _with_out(outs, out)


def _repeat_view(p: Params, ins: list, shape: tuple) -> np.ndarray:
    axis = None if p.axis is None else _repeat_axis(p, ins[0].shape)
    return np.repeat(ins[0], p.repeats, axis=axis).reshape(shape)


def _flip_axes(p: Params, ndim: int) -> tuple:
    """The axes flipped an odd number of times (MXNet flips once per listed axis)."""
    axes = tuple(p.axis)
    for axis in axes:
        if not 0 <= axis < ndim:
            raise InferError(f"Check failed: i >= 0 && i < ndim(): index = {axis} must be in "
                             f"range [0, {ndim}) (reverse axis={axes})")
    return tuple(a for a in sorted(set(axes)) if axes.count(a) % 2)


def _reverse_shape(p: Params, ins: list, outs: list):
    src = ins[0] if ins[0] is not None else outs[0]
    if src is not None:
        _flip_axes(p, len(src))
    return elemwise_shape(p, ins, outs)


def _reverse_view(p: Params, ins: list, shape: tuple) -> np.ndarray:
    axes = _flip_axes(p, ins[0].ndim)
    return np.flip(ins[0], axes) if axes else ins[0]


# ---- broadcast_to, broadcast_axis, broadcast_like --------------------------------------------
def _broadcast_to_shape(p: Params, ins: list, outs: list):
    """Target dims of 0 keep the input dim; other dims need input dim 1 or equal."""
    src, target = ins[0], tuple(p.shape)
    if src is None:
        return ins, outs
    if len(target) != len(src):
        raise InferError(f"Check failed: ishape.ndim() == param.shape.ndim() ({len(src)} vs. "
                         f"{len(target)}) : Operand of shape {_fmt(src)} cannot be broadcasted "
                         f"to {_fmt(target)}")
    out = []
    for have, want in zip(src, target):
        if want < 0:
            raise InferError(f"broadcast_to: invalid target shape {_fmt(target)} for input "
                             f"{_fmt(src)}")
        if want != 0 and have not in (None, 1, want):
            raise InferError(f"Check failed: ishape[i] == oshape[i] || ishape[i] == 1: Array "
                             f"cannot be broadcasted from {_fmt(src)} to {_fmt(target)}")
        out.append(have if want == 0 else want)
    return ins, _with_out(outs, tuple(out))


def _broadcast_view(p: Params, ins: list, shape: tuple) -> np.ndarray:
    return np.broadcast_to(ins[0], shape)


def _broadcast_axis_shape(p: Params, ins: list, outs: list):
    """Each listed axis (size 1 in the input) becomes the matching ``size``."""
    src, axes, sizes = ins[0], tuple(p.axis), tuple(p.size)
    if src is None:
        return ins, outs
    if len(axes) != len(sizes):
        raise InferError(f"Check failed: param.axis.ndim() == param.size.ndim() ({len(axes)} "
                         f"vs. {len(sizes)}) : axis={axes} and size={sizes} differ in length")
    new_src, out = list(src), list(src)
    for axis, size in zip(axes, sizes):
        if not 0 <= axis < len(src):
            raise InferError(f"Check failed: i >= 0 && i < ndim(): index = {axis} must be in "
                             f"range [0, {len(src)}) (broadcast_axis of {_fmt(src)})")
        if out[axis] is None:
            new_src[axis] = 1
        elif out[axis] != 1:
            raise InferError(f"Check failed: oshape[param.axis[i]] == 1U ({out[axis]} vs. 1) : "
                             f"Broadcasting axis must have size 1 (input {_fmt(src)}, "
                             f"axis={axes})")
        out[axis] = size
    return [tuple(new_src)], _with_out(outs, tuple(out))


def _like_full(lhs: tuple, rhs: tuple) -> tuple:
    if len(lhs) != len(rhs):
        raise InferError(f"Check failed: lhs_shape.ndim() == rhs_shape.ndim() ({len(lhs)} vs. "
                         f"{len(rhs)}) : Operand of shape {_fmt(lhs)} cannot be broadcasted "
                         f"to {_fmt(rhs)}")
    out = []
    for have, want in zip(lhs, rhs):
        if None not in (have, want) and have not in (1, want):
            raise InferError(f"Check failed: lhs_shape[i] == rhs_shape[i] || lhs_shape[i] == 1"
                             f": Array cannot be broadcasted from {_fmt(lhs)} to {_fmt(rhs)}")
        out.append(want if want is not None else None if have == 1 else have)
    return tuple(out)


def _like_some(p: Params, lhs: tuple, rhs: tuple) -> tuple:
    l_axes, r_axes = tuple(p.lhs_axes), tuple(p.rhs_axes)
    if len(l_axes) != len(r_axes):
        raise InferError("Check failed: rhs_axes.ndim() == lhs_axes.ndim(): Input_axis and "
                         "other_axis size does not match")
    if not l_axes:
        raise InferError("Check failed: lhs_axes.ndim() > 0: Empty axes tuple is not allowed")
    out = list(lhs)
    for i, (la, ra) in enumerate(zip(l_axes, r_axes)):
        src_axis, dst_axis = _norm_axis(la, len(lhs)), _norm_axis(ra, len(rhs))
        for axis, given, ndim, name in ((src_axis, la, len(lhs), "lhs_axes"),
                                        (dst_axis, ra, len(rhs), "rhs_axes")):
            if not 0 <= axis < ndim:
                raise InferError(f"Check failed: 0 <= axis < ndim: Invalid dimension specified "
                                 f"in {name}: {given} ({_fmt(lhs)} like {_fmt(rhs)})")
        if lhs[src_axis] not in (None, 1):
            raise InferError(f"Check failed: lhs_shape[copyfrom] == 1: Input axis {la} at "
                             f"dimension {i} cannot be broadcasted to {rhs[dst_axis]} "
                             f"({_fmt(lhs)} like {_fmt(rhs)})")
        out[src_axis] = rhs[dst_axis]
    return tuple(out)


def _broadcast_like_shape(p: Params, ins: list, outs: list):
    """Broadcast ``lhs`` to ``rhs``'s shape, or only ``lhs_axes`` to ``rhs``'s ``rhs_axes``."""
    lhs, rhs = ins
    if lhs is None or rhs is None:
        return ins, outs
    if p.lhs_axes is None or p.rhs_axes is None:
        out = _like_full(lhs, rhs)
    else:
        out = _like_some(p, lhs, rhs)
    return ins, _with_out(outs, out)


# ---- _backward_slice, _backward_slice_axis, _backward_slice_like ----------------------------
def _region(op: str, p: Params, shape: tuple, part: tuple) -> tuple:
    """The index of the sliced region of an array of ``shape`` (``part``: the slice's shape)."""
    if op == "slice":
        return tuple(_slices(p, shape))
    if op == "slice_axis":
        axis = _slice_axis_index(p, shape)
        begin, end = _axis_bounds(p, shape[axis], shape)
        return (slice(None),) * axis + (slice(begin, end),)
    return tuple(slice(0, n) for n in part)


def _backward_slice_shape(op: str):
    """Output = ``data``'s shape; the head gradient's shape follows from the forward rule."""
    forward_rule = {"slice": _slice_shape, "slice_axis": _slice_axis_shape}.get(op)

    def rule(p: Params, ins: list, outs: list):
        ograd, data = ins
        try:
            data = merge_shape(data, outs[0])
        except ValueError:
            raise InferError(f"Incompatible attr in node at 0-th output: expected "
                             f"{_fmt(data)}, got {_fmt(outs[0])}") from None
        if forward_rule is not None and data is not None:
            ograd = forward_rule(p, [data], [ograd])[1][0]
        return [ograd, data], [data]
    return rule


def _backward_slice_kernel(op: str):
    def kernel(p: Params, ctx, ins: list, req: list, outs: list) -> None:
        """Scatter the head gradient into the sliced region of zeros of the input's shape."""
        if req[0] == NULL:
            return
        ograd, out = ins[0], outs[0]
        region = _region(op, p, out.shape, ograd.shape)
        if req[0] == "add":
            out[region] += ograd
        else:
            out[...] = 0
            out[region] = ograd
    kernel.__name__ = f"_backward_{op}_forward"
    return kernel


def _backward_slice_gradient(op: str):
    """The scatter's adjoint is the slice itself (so slicing has second derivatives)."""
    def rule(g, ograds):
        og, p = ograds[0], g.params
        if op == "slice":
            back = g.op("slice", og, begin=p.begin, end=p.end, step=p.step)
        elif op == "slice_axis":
            back = g.op("slice_axis", og, axis=p.axis, begin=p.begin, end=p.end)
        else:
            back = g.op("slice_like", og, g.input(0))
        return [back, None]
    return rule


# ---- gradients -------------------------------------------------------------------------------
def _reshape_back(g, ograds):
    """Gradient of the reshaping ops (Reshape, Flatten, expand_dims, squeeze, reshape_like)."""
    back = g.op("reshape_like", ograds[0], g.input(0))
    return [back] + [None] * (len(g.node.inputs) - 1)


def _transpose_gradient(g, ograds):
    axes = tuple(g.params.axes)
    inverse = tuple(int(i) for i in np.argsort(axes)) if axes else ()
    return [g.op("transpose", ograds[0], axes=inverse)]


def _swap_gradient(g, ograds):
    return [g.op("SwapAxis", ograds[0], dim1=g.params.dim1, dim2=g.params.dim2)]


def _reverse_gradient(g, ograds):
    return [g.op("reverse", ograds[0], axis=tuple(g.params.axis))]


def _slice_gradient(op: str):
    def rule(g, ograds):
        p, og, data = g.params, ograds[0], g.input(0)
        if op == "slice":
            return [g.op("_backward_slice", og, data, begin=p.begin, end=p.end, step=p.step)]
        if op == "slice_axis":
            return [g.op("_backward_slice_axis", og, data, axis=p.axis, begin=p.begin,
                         end=p.end)]
        return [g.op("_backward_slice_like", og, data), None]
    return rule


def _tile_gradient(g, ograds):
    """Split every tiled dim ``d*r`` into ``(r, d)`` and sum over the ``r`` axes.

    The number of input dims is unknown when the graph is built, so the split works from the
    right with ``reverse=True`` (``-2`` keeps the leading dims that ``reps`` does not reach;
    the spec is reversed literally, see shape_codes.py).
    """
    og, x, reps = ograds[0], g.input(0), tuple(g.params.reps)
    if 0 in reps:
        return [g.zeros_like(x)]
    spec: list = []   # applied to the reversed gradient shape
    axes: list = []   # the r axes, counted from the end
    done = 0          # dims produced so far (from the end)
    for r in reversed(reps):
        if r == 1:
            spec.append(0)
            done += 1
        else:
            spec += [-4, -1, r]   # reversed (r, d): d then r
            axes.append(-(done + 2))
            done += 2
    if axes:
        split = g.op("Reshape", og, shape=tuple((spec + [-2])[::-1]), reverse=True)
        og = g.op("sum", split, axis=tuple(sorted(axes)))
    return [g.op("reshape_like", og, x)]


def _repeat_gradient(g, ograds):
    """Split the repeated dim ``d*r`` into ``(d, r)`` and sum over ``r``."""
    og, x, p = ograds[0], g.input(0), g.params
    r = p.repeats
    if r == 0:
        return [g.zeros_like(x)]
    if p.axis is None:
        split, axis = g.op("Reshape", og, shape=(-1, r)), 1
    elif p.axis >= 0:
        split, axis = g.op("Reshape", og, shape=(0,) * p.axis + (-4, -1, r, -2)), p.axis + 1
    else:   # from the right: k trailing dims kept, the spec reversed literally
        k = -p.axis - 1
        spec = (0,) * k + (-4, r, -1, -2)
        split, axis = g.op("Reshape", og, shape=spec[::-1], reverse=True), p.axis
    return [g.op("reshape_like", g.op("sum", split, axis=(axis,)), x)]


def _broadcast_gradient(g, ograds):
    back = g.sum_to(ograds[0], g.input(0))
    return [back] + [None] * (len(g.node.inputs) - 1)


def _reshape_per_sample(p: Params, shapes: list):
    """Reshape keeps each sample's elements together where both shapes lead with the batch,
    for the whole batch and for one sample alike (the special values copy or infer it)."""
    data = shapes[0] if shapes else None
    if not data or not known(data):
        return None
    try:
        whole, one = reshape_output(tuple(data), p), reshape_output((1,) + tuple(data[1:]), p)
    except MXNetError:
        return None
    if whole is None or one is None or not known(whole) or not known(one):
        return None
    same = (whole[0] == data[0] and tuple(one) == (1,) + tuple(whole[1:])
            and prod(whole[1:]) == prod(data[1:]))
    return [0] if same else None


# ---- registration ----------------------------------------------------------------------------
def _register_reshapes() -> None:
    register("Reshape", aliases=("reshape",), fluent=["reshape"], inplace=[(0, 0)],
             per_sample=_reshape_per_sample, fields=[
        Shape("shape", (), "The target shape"),
        Bool("reverse", False, "If true then the special values are inferred from right to left"),
        Shape("target_shape", (), "(Deprecated! Use ``shape`` instead.) Target new shape. One "
              "and only one dim can be 0, in which case it will be inferred from the rest of "
              "dims"),
        Bool("keep_highest", False, "(Deprecated! Use ``shape`` instead.) Whether keep the "
             "highest dim unchanged.If set to true, then the first dim in target_shape is "
             "ignored,and always fixed as input")],
        infer_shape=_reshape_shape, forward=_view_kernel(_reshape_view), gradient=_reshape_back,
        doc="Reshapes the input array. Special values in shape: 0 copies this dimension from "
            "the input, -1 infers it from the remaining size, -2 copies all remaining input "
            "dimensions, -3 merges two consecutive input dimensions, -4 splits one input "
            "dimension into the two that follow (one may be -1). reverse=True applies the "
            "special values from right to left.")
    register("reshape_like", inputs=["lhs", "rhs"], fluent=True, inplace=[(0, 0)], fields=[
        Int("lhs_begin", None, "Defaults to 0. The beginning index along which the lhs "
            "dimensions are to be reshaped. Supports negative indices."),
        Int("lhs_end", None, "Defaults to None. The ending index along which the lhs "
            "dimensions are to be used for reshaping. Supports negative indices."),
        Int("rhs_begin", None, "Defaults to 0. The beginning index along which the rhs "
            "dimensions are to be used for reshaping. Supports negative indices."),
        Int("rhs_end", None, "Defaults to None. The ending index along which the rhs "
            "dimensions are to be used for reshaping. Supports negative indices.")],
        infer_shape=_reshape_like_shape, infer_type=_lhs_type,
        forward=_view_kernel(_reshaped), gradient=_reshape_back,
        doc="Reshape some or all dimensions of `lhs` to have the same shape as some or all "
            "dimensions of `rhs`: lhs.shape[:lhs_begin] + rhs.shape[rhs_begin:rhs_end] + "
            "lhs.shape[lhs_end:]; the total size must not change.")
    register("Flatten", aliases=("flatten",), fluent=["flatten"], inplace=[(0, 0)], per_sample=[0],
             infer_shape=_flatten_shape, forward=_view_kernel(_reshaped), gradient=_reshape_back,
             doc="Flattens the input array into a 2-D array by collapsing the higher "
                 "dimensions: (d1, d2, ..., dk) becomes (d1, d2*...*dk); a 1-D (n,) becomes "
                 "(n, 1).")


def _register_axes_ops() -> None:
    register("transpose", fluent=True, fields=[
        Shape("axes", (), "Target axis order. By default the axes will be inverted.")],
        infer_shape=_transpose_shape, forward=_view_kernel(_transpose_view),
        gradient=_transpose_gradient,
        doc="Permutes the dimensions of an array (reverses them when axes is empty).")
    register("SwapAxis", aliases=("swapaxes",), fluent=["swapaxes"], fields=[
        Int("dim1", 0, "the first axis to be swapped."),
        Int("dim2", 0, "the second axis to be swapped.")],
        infer_shape=_swap_shape, forward=_view_kernel(_swap_view), gradient=_swap_gradient,
        doc="Interchanges two axes of an array.")
    register("expand_dims", fluent=True, inplace=[(0, 0)], fields=[
        Int("axis", REQUIRED, "Position where new axis is to be inserted. Suppose that the "
            "input `NDArray`'s dimension is `ndim`, the range of the inserted axis is "
            "`[-ndim, ndim]`")],
        infer_shape=_expand_shape, forward=_view_kernel(_reshaped), gradient=_reshape_back,
        doc="Inserts a new axis of size 1 into the array shape.")
    register("squeeze", fluent=True, inplace=[(0, 0)], fields=[
        Shape("axis", None, "Selects a subset of the single-dimensional entries in the shape. "
              "If an axis is selected with shape entry greater than one, an error is raised.")],
        infer_shape=_squeeze_shape, forward=_view_kernel(_reshaped), gradient=_reshape_back,
        doc="Removes single-dimensional entries from the shape of an array (all of them, or "
            "those in axis). Squeezing every dimension leaves shape (1,).")


_SLICE_FIELDS = [
    Shape("begin", REQUIRED, "starting indices for the slice operation, supports negative "
          "indices.", allow_none_items=True),
    Shape("end", REQUIRED, "ending indices for the slice operation, supports negative "
          "indices.", allow_none_items=True),
    Shape("step", (), "step for the slice operation, supports negative values.",
          allow_none_items=True)]
_SLICE_AXIS_FIELDS = [
    Int("axis", REQUIRED, "Axis along which to be sliced, supports negative indexes."),
    Int("begin", REQUIRED, "The beginning index along the axis to be sliced,  supports "
        "negative indexes."),
    Int("end", REQUIRED, "The ending index along the axis to be sliced,  supports negative "
        "indexes.", optional=True)]


def _register_slices() -> None:
    register("slice", aliases=("crop",), fluent=True, fields=_SLICE_FIELDS,
        infer_shape=_slice_shape, forward=_view_kernel(_slice_view),
        gradient=_slice_gradient("slice"),
        doc="Slices a region of the array like Python's x[b0:e0:s0, b1:e1:s1, ...]; None "
            "entries take the defaults, axes not given are kept whole.")
    register("slice_axis", fluent=True, fields=_SLICE_AXIS_FIELDS,
        infer_shape=_slice_axis_shape, forward=_view_kernel(_slice_axis_view),
        gradient=_slice_gradient("slice_axis"),
        doc="Slices along a given axis: x[..., begin:end, ...]; end=None means the axis size.")
    register("slice_like", inputs=["data", "shape_like"], fluent=True, fields=[
        Shape("axes", (), "List of axes on which input data will be sliced according to the "
              "corresponding size of the second input. By default will slice on all axes. "
              "Negative axes are supported.")],
        infer_shape=_slice_like_shape, infer_type=_lhs_type,
        forward=_view_kernel(_slice_like_view), gradient=_slice_gradient("slice_like"),
        doc="Slices the first input to the shape of the second input (from index 0), on the "
            "given axes or all of them.")


def _register_backward_slices() -> None:
    for op, fields, what in (
            ("slice", _SLICE_FIELDS, "slice"),
            ("slice_axis", _SLICE_AXIS_FIELDS, "slice_axis"),
            ("slice_like", [], "slice_like (the region starts at 0 and has the head "
                                "gradient's shape)")):
        register(f"_backward_{op}", inputs=["ograd", "data"], fields=fields,
                 infer_shape=_backward_slice_shape(op), forward=_backward_slice_kernel(op),
                 gradient=_backward_slice_gradient(op),
                 doc=f"Gradient of {what}: zeros of the forward input's shape with the head "
                     f"gradient in the sliced region (``data`` is read only for its shape).")


def _register_repeats() -> None:
    register("tile", fluent=True, fields=[
        Shape("reps", REQUIRED, "The number of times for repeating the tensor a. Each dim size "
              "of reps must be a positive integer. If reps has length d, the result will have "
              "dimension of max(d, a.ndim); If a.ndim < d, a is promoted to be d-dimensional by "
              "prepending new axes. If a.ndim > d, reps is promoted to a.ndim by pre-pending "
              "1's to it.")],
        infer_shape=_tile_shape, forward=_view_kernel(_tile_view), gradient=_tile_gradient,
        doc="Repeats the whole array multiple times (numpy.tile).")
    register("repeat", fluent=True, fields=[
        Int("repeats", REQUIRED, "The number of repetitions for each element."),
        Int("axis", None, "The axis along which to repeat values. The negative numbers are "
            "interpreted counting from the backward. By default, use the flattened input "
            "array, and return a flat output array.")],
        infer_shape=_repeat_shape, forward=_view_kernel(_repeat_view), gradient=_repeat_gradient,
        doc="Repeats each element of an array after another (numpy.repeat).")
    register("reverse", aliases=("flip",), fluent=["flip"], fields=[
        Shape("axis", REQUIRED, "The axis which to reverse elements.")],
        infer_shape=_reverse_shape, forward=_view_kernel(_reverse_view),
        gradient=_reverse_gradient,
        doc="Reverses the order of elements along the given axes; the shape is unchanged.")


def _register_broadcasts() -> None:
    register("broadcast_to", fluent=True, fields=[
        Shape("shape", (), "The shape of the desired array. We can set the dim to zero if it's "
              "same as the original. E.g `A = broadcast_to(B, shape=(10, 0, 0))` has the same "
              "meaning as `A = broadcast_axis(B, axis=0, size=10)`.")],
        infer_shape=_broadcast_to_shape, forward=_view_kernel(_broadcast_view),
        gradient=_broadcast_gradient,
        doc="Broadcasts the input array to a new shape (size-1 dims are repeated).")
    register("broadcast_axis", aliases=("broadcast_axes",), fluent=["broadcast_axes"], fields=[
        Shape("axis", (), "The axes to perform the broadcasting."),
        Shape("size", (), "Target sizes of the broadcasting axes.")],
        infer_shape=_broadcast_axis_shape, forward=_view_kernel(_broadcast_view),
        gradient=_broadcast_gradient,
        doc="Broadcasts the input array over particular axes (each of size 1).")
    register("broadcast_like", inputs=["lhs", "rhs"], fluent=True, fields=[
        Shape("lhs_axes", None, "Axes to perform broadcast on in the first input array"),
        Shape("rhs_axes", None, "Axes to copy from the second input array")],
        infer_shape=_broadcast_like_shape, infer_type=_lhs_type,
        forward=_view_kernel(_broadcast_view), gradient=_broadcast_gradient,
        doc="Broadcasts lhs to have the same shape as rhs (or lhs_axes to the sizes of "
            "rhs_axes).")


_register_reshapes()
_register_axes_ops()
_register_slices()
_register_backward_slices()
_register_repeats()
_register_broadcasts()
