"""Joining, splitting and indexing: ``Concat``, ``stack``, ``add_n``, ``SliceChannel``,
``where``, ``take``, ``pick`` and ``one_hot``, with their gradients.

Index arrays are usually float arrays in MXNet. Indices are converted to integers by truncation
toward zero (``1.7 -> 1``, ``-0.5 -> 0``, ``-2.5 -> -2``) before ``clip`` or ``wrap`` is applied;
``take(mode='raise')`` checks the raw values against ``[0, n-1]``.

Gradients are compositions where no shape is needed when the graph is built (``stack`` splits,
``SliceChannel`` concatenates or stacks, ``where`` selects against zeros, ``add_n`` passes the
head gradient on). ``Concat``, ``take`` and ``pick`` need the forward input's shape, so they emit
``_backward_Concat``, ``_backward_take`` and ``_backward_pick``, which read that input only for
its shape; each of these is linear in the head gradient and has its own gradient (the forward
op again), so second derivatives work. Indices and conditions receive no gradient.
"""
from __future__ import annotations

import numpy as np

from ...base import MXNetError
from ..fields import Bool, DType, Enum, Float, Int
from ..kernel import ADD, NULL, assign
from ..registry import (InferError, Params, every_input, fmt_shape, merge_type, off_batch_axis,
                        register)
from ..rules import elemwise_shape, fixed_type, fmt_type, merge_shape, unify

__all__ = ["normalize_axis"]


# ---- shared helpers ---------------------------------------------------------------------------

def normalize_axis(axis: int, ndim: int) -> int:
    """``axis`` in ``[0, ndim)``; MXNet's ``CheckAxis`` message when out of range."""
    if not -ndim <= axis < ndim:
        raise InferError(f"axis {axis} exceeds the input dimension of {ndim}")
    return axis + ndim if axis < 0 else axis


def _merge_or_raise(a, b, what: str):
    """Merge two partial shapes; on conflict raise ``Incompatible <what> shape``."""
    try:
        return merge_shape(a, b)
    except ValueError:
        raise InferError(f"Incompatible {what} shape: expected {fmt_shape(a)}, "
                         f"got {fmt_shape(b)}") from None


def _with(shape: tuple, axis: int, value) -> tuple:
    """``shape`` with dim ``axis`` replaced by ``value``."""
    return shape[:axis] + (value,) + shape[axis + 1:]


def _int_index(index: np.ndarray) -> np.ndarray:
    """Float or integer indices as int64, truncated toward zero (a C cast)."""
    with np.errstate(invalid="ignore"):
        return index.astype(np.int64)


def _bound(index: np.ndarray, size: int, mode: str) -> np.ndarray:
    """Integer indices brought into ``[0, size)`` by ``clip`` or ``wrap``."""
    if mode == "wrap":
        return np.mod(index, max(size, 1))
    return np.clip(index, 0, max(size - 1, 0))


def _input_type(p: Params, ins: list, outs: list):
    """Output 0 has the dtype of input 0; the other inputs (indices, condition) are free."""
    dtype = unify([ins[0], outs[0]], merge_type, fmt_type,
                  ["0-th input", "0-th output"])
    return [dtype] + list(ins[1:]), [dtype]


def _write_or_add(out: np.ndarray, req: str, compute) -> None:
    """Write ``compute(out=out)`` directly, or add ``compute(out=None)`` for ``'add'``."""
    if req == NULL:
        return
    if req == ADD:
        out += compute(None)
    else:
        compute(out)


# ---- Concat -----------------------------------------------------------------------------------

def _concat_template(p: Params, ins: list, outs: list):
    """The common shape of inputs/output with the concat axis unknown, and that axis."""
    ref = next((s for s in ins + outs if s is not None), None)
    if ref is None:
        return None, None
    if len(ref) == 0:
        raise InferError("zero-dimensional arrays cannot be concatenated")
    axis = normalize_axis(p.dim, len(ref))
    template = None
    for shape in ins + outs:
        if shape is not None and len(shape) == len(ref):
            try:
                template = merge_shape(template, _with(shape, axis, None))
            except ValueError:
                pass  # reported below against the first agreeing template, as MXNet does
    return template, axis


def concat_shape(p: Params, ins: list, outs: list):
    """All dims equal except ``dim``; the output's ``dim`` is the sum (unknown if any is)."""
    template, axis = _concat_template(p, ins, outs)
    if template is None:
        return ins, outs
    new_ins = [_merge_or_raise(template, shape, "input") for shape in ins]
    sizes = [s[axis] for s in new_ins]
    total = None if None in sizes else sum(sizes)
    out = _merge_or_raise(_with(template, axis, total), outs[0], "output")
    unknown = [i for i, d in enumerate(sizes) if d is None]
    if len(unknown) == 1 and out[axis] is not None:
        rest = out[axis] - sum(d for d in sizes if d is not None)
        if rest < 0:
            raise InferError(f"Incompatible output shape: expected {fmt_shape(out)}, inputs "
                             f"{', '.join(fmt_shape(s) for s in new_ins)}")
        new_ins[unknown[0]] = _with(new_ins[unknown[0]], axis, rest)
    return new_ins, [out]


def concat_type(p: Params, ins: list, outs: list):
    """One dtype for all inputs and the output (MXNet's Concat wording on a mismatch)."""
    dtype = next((t for t in ins + outs if t is not None), None)
    for i, t in enumerate(ins):
        if t is not None and t != dtype:
            raise InferError(f"Non-uniform data type in Concat, expected data type "
                             f"{fmt_type(dtype)}, got data type {fmt_type(t)} for input {i}")
    if outs[0] is not None and outs[0] != dtype:
        raise InferError(f"Non-uniform data type in Concat, expected data type "
                         f"{fmt_type(dtype)}, got data type {fmt_type(outs[0])} for output")
    return [dtype] * len(ins), [dtype]


def concat_forward(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """Join the inputs along ``dim``."""
    axis = normalize_axis(p.dim, ins[0].ndim)
    _write_or_add(outs[0], req[0], lambda out: np.concatenate(ins, axis=axis, out=out))


# ---- stack ------------------------------------------------------------------------------------

def stack_shape(p: Params, ins: list, outs: list):
    """Inputs share one shape; the output inserts ``num_args`` at ``axis``."""
    out = outs[0]
    ndim = next((len(s) for s in ins if s is not None), None)
    if ndim is None and out is not None:
        ndim = len(out) - 1
    if ndim is None:
        return ins, outs
    axis = normalize_axis(p.axis, ndim + 1)
    from_out = None
    if out is not None:
        if len(out) != ndim + 1 or out[axis] not in (None, len(ins)):
            raise InferError(f"Incompatible output shape: expected {fmt_shape(out)} to have "
                             f"{len(ins)} at axis {axis} and {ndim + 1} dims")
        from_out = out[:axis] + out[axis + 1:]
    labels = [f"{i}-th input" for i in range(len(ins))] + ["0-th output"]
    shape = unify(list(ins) + [from_out], merge_shape, fmt_shape, labels)
    return [shape] * len(ins), [shape[:axis] + (len(ins),) + shape[axis:]]


def stack_forward(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """Join the inputs along a new ``axis``."""
    axis = normalize_axis(p.axis, ins[0].ndim + 1)
    _write_or_add(outs[0], req[0], lambda out: np.stack(ins, axis=axis, out=out))


# ---- add_n ------------------------------------------------------------------------------------

def add_n_forward(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """Sum of all inputs; safe when the output is input 0 (the declared in-place pair)."""
    r, out = req[0], outs[0]
    if r == NULL:
        return
    if r == ADD or any(out is x for x in ins[1:]):
        total = ins[0].copy()
        for x in ins[1:]:
            total += x
        assign(out, r, total)
        return
    if len(ins) == 1:
        np.copyto(out, ins[0])
        return
    np.add(ins[0], ins[1], out=out)
    for x in ins[2:]:
        np.add(out, x, out=out)


# ---- SliceChannel -----------------------------------------------------------------------------

def _split_out(p: Params, shape: tuple) -> tuple:
    """The shape of each output of splitting ``shape`` (checks divisibility/squeeze)."""
    axis = normalize_axis(p.axis, len(shape))
    n, size = p.num_outputs, shape[axis]
    if size is not None and size % n:
        raise InferError(f"You are trying to split the {axis}-th axis of input tensor with "
                         f"shape {fmt_shape(shape)} into num_outputs={n} evenly sized chunks, "
                         f"but this is not possible because {n} does not evenly divide {size}")
    if p.squeeze_axis:
        if size is not None and size != n:
            raise InferError(f"If squeeze axis is True, the size of the sliced axis must be the "
                             f"same as num_outputs. Input shape={fmt_shape(shape)}, "
                             f"axis={axis}, num_outputs={n}.")
        return shape[:axis] + shape[axis + 1:]
    return _with(shape, axis, None if size is None else size // n)


def _split_in(p: Params, out: tuple) -> tuple:
    """The input shape implied by one output shape."""
    n = p.num_outputs
    if p.squeeze_axis:
        axis = normalize_axis(p.axis, len(out) + 1)
        return out[:axis] + (n,) + out[axis:]
    axis = normalize_axis(p.axis, len(out))
    return _with(out, axis, None if out[axis] is None else out[axis] * n)


def split_shape(p: Params, ins: list, outs: list):
    """Each output is ``data.shape[axis] / num_outputs`` along ``axis`` (or drops it)."""
    labels = [f"{j}-th output" for j in range(len(outs))]
    each = unify(outs, merge_shape, fmt_shape, labels)
    data = ins[0]
    if data is not None:
        each = _merge_or_raise(_split_out(p, data), each, "output")
    if each is None:
        return ins, outs
    return [merge_shape(data, _split_in(p, each))], [each] * len(outs)


def split_forward(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """Write the ``num_outputs`` equal parts of the input along ``axis``."""
    data = ins[0]
    axis = normalize_axis(p.axis, data.ndim)
    for part, out, r in zip(np.split(data, p.num_outputs, axis=axis), outs, req):
        assign(out, r, part.reshape(out.shape))


# ---- where ------------------------------------------------------------------------------------

def where_shape(p: Params, ins: list, outs: list):
    """x, y and the output share a shape; condition is that shape or 1-D of ``x.shape[0]``."""
    cond, x, y = ins
    if cond is not None and len(cond) != 1:
        try:  # a multi-dimensional condition has x's shape; a mismatch is reported below
            x = merge_shape(x, cond)
        except ValueError:
            pass
    labels = ["1-th input", "2-th input", "0-th output"]
    shape = unify([x, y, outs[0]], merge_shape, fmt_shape, labels)
    if shape is not None and cond is not None:
        cond = _where_condition(cond, shape)
    return [cond, shape, shape], [shape]


def _where_condition(cond: tuple, shape: tuple) -> tuple:
    """Check the condition against x's shape; fill its unknown dims."""
    try:
        return merge_shape(cond, shape)
    except ValueError:
        pass
    if len(cond) == 1 and len(shape) >= 1:
        try:
            return merge_shape(cond, shape[:1])
        except ValueError:
            pass
    first = "-1" if not shape or shape[0] is None else str(shape[0])
    raise InferError(f"Incompatible condition shape: expected {fmt_shape(shape)} or "
                     f"[{first}], got {fmt_shape(cond)}")


def where_type(p: Params, ins: list, outs: list):
    """x, y and the output share a dtype; the condition may have any dtype."""
    labels = ["1-th input", "2-th input", "0-th output"]
    dtype = unify([ins[1], ins[2], outs[0]], merge_type, fmt_type, labels)
    return [ins[0], dtype, dtype], [dtype]


def where_forward(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """``x`` where the condition is non-zero (element-wise or per row), else ``y``."""
    cond, x, y = ins
    mask = cond != 0
    if mask.shape != x.shape:
        mask = mask.reshape((-1,) + (1,) * (x.ndim - 1))
    assign(outs[0], req[0], np.where(mask, x, y))


# ---- take -------------------------------------------------------------------------------------

def take_shape(p: Params, ins: list, outs: list):
    """``a.shape[:axis] + indices.shape + a.shape[axis+1:]``."""
    a, idx = ins
    if a is None or idx is None:
        return ins, outs
    if not -len(a) <= p.axis < len(a):
        raise InferError("Axis should be in the range of [-r, r-1] where r is the rank of "
                         f"input tensor (axis={p.axis}, input shape {fmt_shape(a)})")
    axis, k = p.axis % len(a), len(idx)
    out = _merge_or_raise(a[:axis] + idx + a[axis + 1:], outs[0], "output")
    return [out[:axis] + a[axis:axis + 1] + out[axis + k:], out[axis:axis + k]], [out]


def take_forward(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """Gather slices of ``a`` along ``axis`` at the (truncated) indices."""
    a, raw = ins
    axis = p.axis % a.ndim
    size = a.shape[axis]
    if p.mode == "raise":
        if not np.all((raw >= 0) & (raw <= size - 1)):
            raise MXNetError("take operator contains indices out of bound")
        index = _int_index(raw)
    else:
        index = _bound(_int_index(raw), size, p.mode)
    _write_or_add(outs[0], req[0], lambda out: np.take(a, index, axis=axis, out=out))


# ---- pick -------------------------------------------------------------------------------------

def _pick_shapes(p: Params, data: tuple):
    """(axis, reduced shape, keepdims shape) for a data shape."""
    if p.axis is None:
        raise InferError("axis=None is not supported by pick yet. Must specify an axis.")
    axis = normalize_axis(p.axis, len(data))
    reduced = data[:axis] + data[axis + 1:]
    return axis, reduced or (1,), _with(data, axis, 1)


def _pick_others(shape: tuple, axis: int, ndim: int) -> tuple:
    """The non-axis dims of a keepdims-form or reduced-form shape."""
    if len(shape) == ndim:
        return shape[:axis] + shape[axis + 1:]
    return shape if ndim > 1 else ()


def pick_shape(p: Params, ins: list, outs: list):
    """Output drops ``axis`` (or keeps it as 1); the index has either of those shapes."""
    data, index = ins
    if data is None:
        return ins, outs
    axis, reduced, keep = _pick_shapes(p, data)
    ndim = len(data)
    others = data[:axis] + data[axis + 1:]
    if index is not None:
        want = keep if len(index) == ndim else reduced
        try:
            others = merge_shape(others, _pick_others(merge_shape(want, index), axis, ndim))
        except ValueError:
            raise InferError(f"Shape inconsistent, Provided = {fmt_shape(index)}, inferred "
                             f"shape={fmt_shape(want)}") from None
    out = _merge_or_raise(keep if p.keepdims else reduced, outs[0], "output")
    others = merge_shape(others, _pick_others(out, axis, ndim))
    data = others[:axis] + data[axis:axis + 1] + others[axis:]
    axis, reduced, keep = _pick_shapes(p, data)
    index = keep if index is not None and len(index) == ndim else reduced
    return [data, index], [keep if p.keepdims else reduced]


def pick_forward(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """One element of ``data`` along ``axis`` per index."""
    data, raw = ins
    axis = normalize_axis(p.axis, data.ndim)
    index = _bound(_int_index(raw), data.shape[axis], p.mode)
    index = index.reshape(_with(data.shape, axis, 1))
    picked = np.take_along_axis(data, index, axis=axis)
    assign(outs[0], req[0], picked.reshape(outs[0].shape))


# ---- one_hot ----------------------------------------------------------------------------------

def one_hot_shape(p: Params, ins: list, outs: list):
    """``indices.shape + (depth,)``."""
    if p.depth < 0:
        raise InferError(f"Dimension size, depth, must be a non-negative integer, "
                         f"got {p.depth}")
    index, out = ins[0], outs[0]
    if out is not None:
        index = _merge_or_raise(index, out[:-1], "input")
    if index is None:
        return ins, outs
    return [index], [_merge_or_raise(index + (p.depth,), out, "output")]


def _cast_value(value: float, dtype: np.dtype):
    """A parameter value converted as a C cast to ``dtype`` (truncation, integer wrap)."""
    if dtype.kind in "iu":
        return np.array(int(value), dtype=np.int64).astype(dtype)
    return np.array(value, dtype=dtype)


def one_hot_forward(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """``on_value`` at each index along a new last axis of size ``depth``."""
    out = outs[0]
    if req[0] == NULL:
        return
    index = _int_index(ins[0])[..., None]
    hit = index == np.arange(p.depth)
    on, off = _cast_value(p.on_value, out.dtype), _cast_value(p.off_value, out.dtype)
    assign(out, req[0], np.where(hit, on, off))


# ---- gradients --------------------------------------------------------------------------------

def _ograds_or_zeros(g, ograds: list) -> list:
    """Each output's gradient, zeros of the output's shape where none flows back."""
    return [g.zeros_like(g.output(k)) if og is None else og for k, og in enumerate(ograds)]


def _concat_gradient(g, ograds):
    """Split the head gradient back into the inputs' extents along ``dim``."""
    n = g.params.num_args
    if n == 1:
        return [ograds[0]]
    inputs = [g.input(i) for i in range(n)]
    return g.ops("_backward_Concat", ograds[0], *inputs, num_args=n + 1, dim=g.params.dim)


def _stack_gradient(g, ograds):
    """Split the head gradient along the stacked axis, dropping that axis."""
    parts = g.op("SliceChannel", ograds[0], num_outputs=g.params.num_args,
                 axis=g.params.axis, squeeze_axis=True)
    return parts if isinstance(parts, list) else [parts]


def _add_n_gradient(g, ograds):
    """Every input receives the head gradient."""
    return [ograds[0]] * g.params.num_args


def _split_gradient(g, ograds):
    """Join the outputs' gradients (zeros for unused outputs) along ``axis``."""
    p = g.params
    parts = _ograds_or_zeros(g, ograds)
    if p.squeeze_axis:
        return [g.op("stack", *parts, num_args=len(parts), axis=p.axis)]
    if len(parts) == 1:
        return parts
    return [g.op("Concat", *parts, num_args=len(parts), dim=p.axis)]


def _where_gradient(g, ograds):
    """The head gradient where the condition holds goes to x, the rest to y."""
    og, cond = ograds[0], g.input(0)
    zeros = g.zeros_like(og)
    return [None, g.op("where", cond, og, zeros), g.op("where", cond, zeros, og)]


def _take_gradient(g, ograds):
    p = g.params
    return [g.op("_backward_take", ograds[0], g.input(0), g.input(1), axis=p.axis,
                 mode=p.mode), None]


def _pick_gradient(g, ograds):
    p = g.params
    return [g.op("_backward_pick", ograds[0], g.input(0), g.input(1), axis=p.axis,
                 keepdims=p.keepdims, mode=p.mode), None]


# ---- _backward_Concat -------------------------------------------------------------------------

def _backward_concat_inputs(p: Params) -> list[str]:
    return ["ograd"] + [f"arg{i}" for i in range(p.num_args - 1)]


def backward_concat_shape(p: Params, ins: list, outs: list):
    """Output ``i`` has the shape of input ``i + 1``; together they concat to the ograd."""
    likes = [_merge_or_raise(a, b, "output") for a, b in zip(ins[1:], outs)]
    likes, (ograd,) = concat_shape(p, likes, [ins[0]])
    return [ograd] + likes, list(likes)


def backward_concat_forward(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """Cut the head gradient into the extents of the forward inputs along ``dim``."""
    ograd = ins[0]
    axis = normalize_axis(p.dim, ograd.ndim)
    bounds = np.cumsum([like.shape[axis] for like in ins[1:-1]], dtype=np.int64)
    for part, out, r in zip(np.split(ograd, bounds, axis=axis), outs, req):
        assign(out, r, part)


def _backward_concat_gradient(g, ograds):
    """Linear in the head gradient: concatenate the outputs' gradients again."""
    parts = _ograds_or_zeros(g, ograds)
    joined = g.op("Concat", *parts, num_args=len(parts), dim=g.params.dim)
    return [joined] + [None] * len(parts)


# ---- _backward_take ---------------------------------------------------------------------------

def backward_take_shape(p: Params, ins: list, outs: list):
    """Output is ``a``'s shape; the ograd has ``take``'s output shape."""
    ograd, a, idx = ins
    a = _merge_or_raise(a, outs[0], "output")
    (a, idx), (ograd,) = take_shape(p, [a, idx], [ograd])
    return [ograd, a, idx], [a]


def _backward_input_type(p: Params, ins: list, outs: list):
    """ograd, the shape-giving input and the output share a dtype; the index is free."""
    labels = ["0-th input", "1-th input", "0-th output"]
    dtype = unify([ins[0], ins[1], outs[0]], merge_type, fmt_type, labels)
    return [dtype, dtype, ins[2]], [dtype]


def backward_take_forward(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """Scatter-add the head gradient into zeros of ``a``'s shape (repeated indices add up)."""
    if req[0] == NULL:
        return
    ograd, a, raw = ins
    axis = p.axis % a.ndim
    size = a.shape[axis]
    # mode='raise' was checked by the forward pass; clip keeps a stray index harmless here
    index = _bound(_int_index(raw), size, "wrap" if p.mode == "wrap" else "clip").ravel()
    grad = np.zeros(a.shape, ograd.dtype)
    if size and index.size:
        src = np.moveaxis(ograd.reshape(a.shape[:axis] + (index.size,) + a.shape[axis + 1:]),
                          axis, 0)
        # sum the slices of each distinct index (np.add.at is slow on NumPy < 1.25)
        order = np.argsort(index, kind="stable")
        ordered = index[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        np.moveaxis(grad, axis, 0)[ordered[starts]] = np.add.reduceat(src[order], starts,
                                                                      axis=0)
    assign(outs[0], req[0], grad)


def _backward_take_gradient(g, ograds):
    p = g.params
    return [g.op("take", ograds[0], g.input(2), axis=p.axis, mode=p.mode), None, None]


# ---- _backward_pick ---------------------------------------------------------------------------

def backward_pick_shape(p: Params, ins: list, outs: list):
    """Output is ``data``'s shape; the ograd has ``pick``'s output shape."""
    ograd, data, index = ins
    data = _merge_or_raise(data, outs[0], "output")
    (data, index), (ograd,) = pick_shape(p, [data, index], [ograd])
    return [ograd, data, index], [data]


def backward_pick_forward(p: Params, ctx, ins: list, req: list, outs: list) -> None:
    """The head gradient at the picked position of each row, zeros elsewhere."""
    if req[0] == NULL:
        return
    ograd, data, raw = ins
    axis = normalize_axis(p.axis, data.ndim)
    keep = _with(data.shape, axis, 1)
    index = _bound(_int_index(raw), data.shape[axis], p.mode).reshape(keep)
    grad = np.zeros(data.shape, ograd.dtype)
    if data.shape[axis]:
        np.put_along_axis(grad, index, ograd.reshape(keep), axis=axis)
    assign(outs[0], req[0], grad)


def _backward_pick_gradient(g, ograds):
    p = g.params
    return [g.op("pick", ograds[0], g.input(2), axis=p.axis, keepdims=p.keepdims, mode=p.mode),
            None, None]


# ---- registration -----------------------------------------------------------------------------

def _var_inputs(p: Params) -> list[str]:
    """Input names of a variadic op: ``arg0``, ``arg1``, ... as MXNet lists them."""
    return [f"arg{i}" for i in range(p.num_args)]


def _register_join() -> None:
    register(
        "Concat", aliases=("concat",), num_args_key="num_args", inputs=_var_inputs,
        fields=[Int("num_args", doc="Number of inputs to be concated.", low=1),
                Int("dim", 1, "the dimension to be concated.")],
        infer_shape=concat_shape, infer_type=concat_type, forward=concat_forward,
        per_sample=off_batch_axis("dim", every_input),
        gradient=_concat_gradient, doc=_CONCAT_DOC)
    register(
        "stack", num_args_key="num_args", inputs=_var_inputs,
        fields=[Int("axis", 0, "The axis in the result array along which the input arrays "
                               "are stacked."),
                Int("num_args", doc="Number of inputs to be stacked.", low=1)],
        infer_shape=stack_shape, forward=stack_forward, gradient=_stack_gradient,
        doc=_STACK_DOC)
    register(
        "add_n", aliases=("ElementWiseSum",), num_args_key="num_args", inputs=_var_inputs,
        fields=[Int("num_args", doc="Number of inputs to be summed.", low=1)],
        infer_shape=elemwise_shape, forward=add_n_forward, inplace=[(0, 0)],
        per_sample=every_input,
        gradient=_add_n_gradient, doc=_ADD_N_DOC)
    register(
        "SliceChannel", aliases=("split",), fluent=["split"],
        fields=[Int("num_outputs", doc="Number of splits. Note that this should evenly divide "
                                       "the length of the `axis`.", low=1),
                Int("axis", 1, "Axis along which to split."),
                Bool("squeeze_axis", False, _SQUEEZE_DOC)],
        outputs=lambda p: p.num_outputs, infer_shape=split_shape, forward=split_forward,
        gradient=_split_gradient, doc=_SPLIT_DOC)


def _register_index() -> None:
    register(
        "where", inputs=["condition", "x", "y"], infer_shape=where_shape,
        infer_type=where_type, forward=where_forward, gradient=_where_gradient,
        doc=_WHERE_DOC)
    register(
        "take", inputs=["a", "indices"], fluent=True,
        fields=[Int("axis", 0, "The axis of input array to be taken.For input tensor of rank "
                               "r, it could be in the range of [-r, r-1]"),
                Enum("mode", ("clip", "raise", "wrap"), "clip", _TAKE_MODE_DOC)],
        infer_shape=take_shape, infer_type=_input_type, forward=take_forward,
        gradient=_take_gradient, doc=_TAKE_DOC)
    register(
        "pick", aliases=("choose_element_0index",), inputs=["data", "index"], fluent=True,
        fields=[Int("axis", -1, _PICK_AXIS_DOC, optional=True),
                Bool("keepdims", False, "If true, the axis where we pick the elements is left "
                                        "in the result as dimension with size one."),
                Enum("mode", ("clip", "wrap"), "clip", _PICK_MODE_DOC)],
        infer_shape=pick_shape, infer_type=_input_type, forward=pick_forward,
        gradient=_pick_gradient, doc=_PICK_DOC)
    register(
        "one_hot", inputs=["indices"], fluent=True,
        fields=[Int("depth", doc="Depth of the one hot dimension."),
                Float("on_value", 1.0, "The value assigned to the locations represented by "
                                       "indices."),
                Float("off_value", 0.0, "The value assigned to the locations not represented "
                                        "by indices."),
                DType("dtype", "float32", "DType of the output", choices=_ONE_HOT_DTYPES)],
        infer_shape=one_hot_shape, infer_type=fixed_type(lambda p: p.dtype),
        forward=one_hot_forward, doc=_ONE_HOT_DOC)


def _register_backward() -> None:
    register(
        "_backward_Concat", num_args_key="num_args", inputs=_backward_concat_inputs,
        fields=[Int("num_args", doc="Number of inputs: the head gradient, then one array per "
                                    "Concat input (read only for its shape).", low=2),
                Int("dim", 1, "the dimension that was concatenated.")],
        outputs=lambda p: p.num_args - 1, infer_shape=backward_concat_shape,
        forward=backward_concat_forward, gradient=_backward_concat_gradient,
        doc="Gradient of Concat: the head gradient cut into the extents of the forward "
            "inputs along ``dim``.")
    register(
        "_backward_take", inputs=["ograd", "a", "indices"],
        fields=[Int("axis", 0, "The axis of input array to be taken."),
                Enum("mode", ("clip", "raise", "wrap"), "clip", _TAKE_MODE_DOC)],
        infer_shape=backward_take_shape, infer_type=_backward_input_type,
        forward=backward_take_forward, gradient=_backward_take_gradient,
        doc="Gradient of take with respect to ``a`` (read only for its shape): the head "
            "gradient added into zeros at the indexed positions; repeated indices add up.")
    register(
        "_backward_pick", inputs=["ograd", "data", "index"],
        fields=[Int("axis", -1, _PICK_AXIS_DOC, optional=True),
                Bool("keepdims", False, "Whether the picked axis was kept as size one."),
                Enum("mode", ("clip", "wrap"), "clip", _PICK_MODE_DOC)],
        infer_shape=backward_pick_shape, infer_type=_backward_input_type,
        forward=backward_pick_forward, gradient=_backward_pick_gradient,
        doc="Gradient of pick with respect to ``data`` (read only for its shape): the head "
            "gradient at the picked positions, zeros elsewhere.")


_ONE_HOT_DTYPES = ("bfloat16", "float16", "float32", "float64", "int32", "int64", "int8",
                   "uint8")
_SQUEEZE_DOC = ("If true, Removes the axis with length 1 from the shapes of the output arrays. "
                "**Note** that setting `squeeze_axis` to ``true`` removes axis with length 1 "
                "only along the `axis` which it is split. Also `squeeze_axis` can be set to "
                "``true`` only if ``input.shape[axis] == num_outputs``.")
_TAKE_MODE_DOC = ('Specify how out-of-bound indices bahave. Default is "clip". "clip" means '
                  "clip to the range. So, if all indices mentioned are too large, they are "
                  "replaced by the index that addresses the last element along an axis. "
                  '"wrap" means to wrap around. "raise" means to raise an error when index '
                  "out of range.")
_PICK_AXIS_DOC = ("int or None. The axis to picking the elements. Negative values means "
                  "indexing from right to left. If is `None`, the elements in the index w.r.t "
                  "the flattened input will be picked.")
_PICK_MODE_DOC = ('Specify how out-of-bound indices behave. Default is "clip". "clip" means '
                  "clip to the range. So, if all indices mentioned are too large, they are "
                  "replaced by the index that addresses the last element along an axis.  "
                  '"wrap" means to wrap around.')
_CONCAT_DOC = """Joins input arrays along a given axis.

.. note:: `Concat` is deprecated. Use `concat` instead.

The dimensions of the input arrays should be the same except the axis along which they will
be concatenated. The dimension of the output array along the concatenated axis will be equal
to the sum of the corresponding dimensions of the input arrays.

Example::

   x = [[1,1],[2,2]]
   y = [[3,3],[4,4],[5,5]]
   concat(x,y,dim=0) = [[1,1],[2,2],[3,3],[4,4],[5,5]]
"""
_STACK_DOC = """Join a sequence of arrays along a new axis.

The axis parameter specifies the index of the new axis in the dimensions of the result. For
example, if axis=0 it will be the first dimension and if axis=-1 it will be the last dimension.

Examples::

  x = [1, 2]
  y = [3, 4]
  stack(x, y) = [[1, 2],
                 [3, 4]]
  stack(x, y, axis=1) = [[1, 3],
                         [2, 4]]
"""
_ADD_N_DOC = """Adds all input arguments element-wise.

.. math::
   add\\_n(a_1, a_2, ..., a_n) = a_1 + a_2 + ... + a_n

``add_n`` is potentially more efficient than calling ``add`` by `n` times.
"""
_SPLIT_DOC = """Splits an array along a particular axis into multiple sub-arrays.

.. note:: ``SliceChannel`` is deprecated. Use ``split`` instead.

**Note** that `num_outputs` should evenly divide the length of the axis along which to split
the array. `squeeze_axis=1` removes the axis with length 1 from the shapes of the output
arrays; it can be set only if ``input.shape[axis] == num_outputs``.

Example::

   x.shape = (3, 2, 1)
   y = split(x, axis=1, num_outputs=2) // a list of 2 arrays with shape (3, 1, 1)
   z = split(x, axis=0, num_outputs=3, squeeze_axis=1) // 3 arrays with shape (2, 1)
"""
_WHERE_DOC = """Return the elements, either from x or y, depending on the condition.

Given three ndarrays, condition, x, and y, return an ndarray with the elements from x or y,
depending on the elements from condition are true or false. x and y must have the same shape.
If condition has the same shape as x, each element in the output array is from x if the
corresponding element in the condition is true, and from y if false.

If condition does not have the same shape as x, it must be a 1D array whose size is the same
as x's first dimension size. Each row of the output array is from x's row if the
corresponding element from condition is true, and from y's row if false.

Note that all non-zero values are interpreted as ``True`` in condition.

Examples::

  x = [[1, 2], [3, 4]]
  y = [[5, 6], [7, 8]]
  cond = [[0, 1], [-1, 0]]
  where(cond, x, y) = [[5, 2], [3, 8]]
"""
_TAKE_DOC = """Takes elements from an input array along the given axis.

This function slices the input array along a particular axis with the provided indices.

Given data tensor of rank r >= 1, and indices tensor of rank q, gather entries of the axis
dimension of data (by default outer-most one as axis=0) indexed by indices, and concatenates
them in an output tensor of rank q + (r - 1).

Examples::

  x = [4.  5.  6.]
  take(x, [1]) = [ 5. ]
  take(x, [3], axis=-1, mode='clip') = [ 6. ]
"""
_PICK_DOC = """Picks elements from an input array according to the input indices along the
given axis.

Given an input array of shape ``(d0, d1)`` and indices of shape ``(i0,)``, the result will be
an output array of shape ``(i0,)`` with::

  output[i] = input[i, indices[i]]

By default, if any index mentioned is too large, it is replaced by the index that addresses
the last element along an axis (the `clip` mode).

This function supports n-dimensional input and (n-1)-dimensional indices arrays.

Examples::

  x = [[ 1.,  2.],
       [ 3.,  4.],
       [ 5.,  6.]]
  pick(x, y=[0,1], 0) = [ 1.,  4.]
  pick(x, y=[0,1,0], 1) = [ 1.,  4.,  5.]
  pick(x, y=[2,-1,-2], 1, mode='wrap') = [ 1.,  4.,  5.]
"""
_ONE_HOT_DOC = """Returns a one-hot array.

The locations represented by `indices` take value `on_value`, while all other locations take
value `off_value`.

`one_hot` operation with `indices` of shape ``(i0, i1)`` and `depth`  of ``d`` would result in
an output array of shape ``(i0, i1, d)`` with::

  output[i,j,:] = off_value
  output[i,j,indices[i,j]] = on_value

Examples::

  one_hot([1,0,2,0], 3) = [[ 0.  1.  0.]
                           [ 1.  0.  0.]
                           [ 0.  0.  1.]
                           [ 1.  0.  0.]]
"""

_register_join()
_register_index()
_register_backward()
