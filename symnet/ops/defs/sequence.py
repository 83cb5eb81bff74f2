"""Variable-length sequences: SequenceMask, SequenceLast and SequenceReverse.

``data`` is ``(T, N, ...)`` (``axis=0``) or, for SequenceMask/SequenceLast, ``(N, T, ...)``
(``axis=1``). With ``use_sequence_length=True`` a second input ``sequence_length`` of shape
``(N,)`` gives each sequence's length, truncated toward zero like a C cast (2.7 -> 2); without it
every sequence has length ``T``.

* SequenceMask sets the steps at or beyond each length to ``value`` (cast to the data's type);
* SequenceLast takes step ``length - 1`` (the output drops the sequence axis);
* SequenceReverse reverses the first ``length`` steps and keeps the rest.

Lengths outside ``[1, T]`` make MXNet read out of bounds; here SequenceLast clips the step to
``[0, T-1]`` and SequenceReverse clips the length to ``[0, T]`` (SequenceMask needs nothing).

Gradients: the masked steps get none (SequenceMask with value 0 of the head gradient), the
reversal is its own transpose (SequenceReverse of the head gradient), SequenceLast scatters
the head gradient back through ``_backward_SequenceLast``. ``sequence_length`` gets none.
"""
from __future__ import annotations

import numpy as np

from ..fields import Bool, Float, Int
from ..kernel import ADD, NULL, assign
from ..registry import InferError, Params, register

__all__: list[str] = []


def _shown(field, text: str):
    """Make ``field`` describe itself with MXNet's exact text (``default='0'``)."""
    field.describe = lambda: text
    return field


_USE_LEN = _shown(Bool("use_sequence_length", False, "If set to true, this layer takes in an "
                       "extra input parameter `sequence_length` to specify variable length "
                       "sequence"), "boolean, optional, default=0")


def _axis_field(doc: str):
    return _shown(Int("axis", 0, doc), "int, optional, default='0'")


_AXIS01 = _axis_field("The sequence axis. Only values of 0 and 1 are currently supported.")
_AXIS0 = _axis_field("The sequence axis. Only 0 is currently supported.")
_VALUE = _shown(Float("value", 0.0, "The value to be used as a mask."),
                "float, optional, default=0")


def _inputs(p: Params) -> list[str]:
    return ["data", "sequence_length"] if p.use_sequence_length else ["data"]


# ---- inference ---------------------------------------------------------------------------------
def _check_axis(op: str, axis: int) -> None:
    if op == "SequenceReverse":
        if axis != 0:
            raise InferError(f"Check failed: param_.axis == 0 ({axis} vs. 0) : Current "
                             "implementation expects axis to be 0.")
    elif axis not in (0, 1):
        raise InferError("Check failed: (param_.axis == 0) || (param_.axis == 1): Current "
                         "implementation expects axis to be 0 or 1.")


def _check_rank(data: tuple) -> None:
    if len(data) < 2:
        raise InferError(f"Check failed: dshape.ndim() > 1U ({len(data)} vs. 1) : The data "
                         "array must be of rank 2 or greater.")


def _with_batch(p: Params, data: tuple, ins: list) -> tuple:
    """The data shape with its batch dim filled from ``sequence_length`` where unknown."""
    batch_axis = 1 - p.axis
    lengths = ins[1] if p.use_sequence_length and len(ins) > 1 else None
    if data[batch_axis] is None and lengths is not None and len(lengths) == 1:
        data = data[:batch_axis] + (lengths[0],) + data[batch_axis + 1:]
    return data


def _drop_axis(shape: tuple, axis: int) -> tuple:
    return shape[:axis] + shape[axis + 1:]


def _data_from_output(p: Params, op: str, out) -> tuple | None:
    if out is None:
        return None
    if op != "SequenceLast":
        return tuple(out)
    return out[:p.axis] + (None,) + out[p.axis:]


def _merged(a: tuple | None, b: tuple | None) -> tuple | None:
    """Fill ``a``'s unknown dims from ``b`` (conflicts are left to the registry's merge)."""
    if a is None or b is None or len(a) != len(b):
        return a if a is not None else b
    return tuple(x if x is not None else y for x, y in zip(a, b))


def _shape_rule(op: str):
    def rule(p: Params, ins: list, outs: list):
        if op != "SequenceMask":
            _check_axis(op, p.axis)
        data = _merged(ins[0], _data_from_output(p, op, outs[0]))
        if data is None:
            return ins, outs
        _check_rank(data)
        _check_axis(op, p.axis)
        data = _with_batch(p, data, ins)
        out = _drop_axis(data, p.axis) if op == "SequenceLast" else data
        lengths = [(data[1 - p.axis],)] if p.use_sequence_length else []
        return [data] + lengths, [out]

    rule.__name__ = f"_{op}_shape"
    return rule


def _type_rule(p: Params, ins: list, outs: list):
    """The output has the data's type; ``sequence_length`` may be any type (default: the
    data's)."""
    dtype = ins[0] if ins[0] is not None else outs[0]
    if dtype is None:
        return ins, outs
    rest = [t if t is not None else dtype for t in ins[1:]]
    return [dtype] + rest, [dtype]


# ---- kernels -----------------------------------------------------------------------------------
def _lengths(p: Params, ins: list, steps: int, batch: int) -> np.ndarray:
    """Each sequence's length as int64, truncated toward zero (all ``steps`` without lengths)."""
    if not p.use_sequence_length:
        return np.full(batch, steps, np.int64)
    raw = ins[1]
    return (np.trunc(raw) if raw.dtype.kind == "f" else raw).astype(np.int64)


def _layout(p: Params, data: np.ndarray) -> tuple[int, int]:
    """(steps, batch) of the data."""
    return data.shape[p.axis], data.shape[1 - p.axis]


def _step_grid(p: Params, steps: int, lengths: np.ndarray, extra: int):
    """``(t, length)`` arrays broadcast in the data's layout (T/N order) plus trailing 1s."""
    t = np.arange(steps).reshape(-1, 1)
    n = lengths.reshape(1, -1)
    if p.axis == 1:
        t, n = t.T, n.T
    tail = (1,) * extra
    return t.reshape(t.shape + tail), n.reshape(n.shape + tail)


def _mask_value(value: float, dtype: np.dtype):
    """``value`` cast like C: truncated toward zero, wrapped for unsigned types."""
    if dtype.kind in "iub":
        return np.array(int(value)).astype(dtype)
    return np.array(value).astype(dtype)


def _mask_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    data = ins[0]
    if not p.use_sequence_length:
        assign(outs[0], req[0], data)
        return
    steps, batch = _layout(p, data)
    t, n = _step_grid(p, steps, _lengths(p, ins, steps, batch), data.ndim - 2)
    assign(outs[0], req[0], np.where(t < n, data, _mask_value(p.value, data.dtype)))


def _last_steps(p: Params, ins: list, data_shape: tuple) -> np.ndarray:
    steps, batch = data_shape[p.axis], data_shape[1 - p.axis]
    return np.clip(_lengths(p, ins, steps, batch) - 1, 0, max(steps - 1, 0))


def _last_index(p: Params, ins: list, data_shape: tuple) -> tuple:
    """Fancy index selecting each sequence's last step from the data."""
    batch = np.arange(data_shape[1 - p.axis])
    step = _last_steps(p, ins, data_shape)
    return (step, batch) if p.axis == 0 else (batch, step)


def _last_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] != NULL:
        assign(outs[0], req[0], ins[0][_last_index(p, ins, ins[0].shape)])


def _reverse_forward(p: Params, ctx, ins, req, outs) -> None:
    if req[0] == NULL:
        return
    data = ins[0]
    steps, batch = _layout(p, data)
    lengths = np.clip(_lengths(p, ins, steps, batch), 0, steps)
    t = np.arange(steps).reshape(-1, 1)
    source = np.where(t < lengths, lengths - 1 - t, t)  # (T, N)
    assign(outs[0], req[0], data[source, np.arange(batch)])


def _last_backward(p: Params, ctx, ins, req, outs) -> None:
    """``ins`` = (ograd, data[, sequence_length]): the head gradient at each last step."""
    if req[0] == NULL:
        return
    og, out = ins[0], outs[0]
    index = _last_index(p, [ins[1]] + list(ins[2:]), out.shape)
    if req[0] != ADD:
        out.fill(0)
    out[index] += og  # one position per sequence: no repeated indices


# ---- gradients ---------------------------------------------------------------------------------
def _length_inputs(g) -> list:
    return [g.input(1)] if g.params.use_sequence_length else []


def _mask_gradient(g, ograds):
    p = g.params
    if not p.use_sequence_length:
        return [ograds[0]]
    grad = g.op("SequenceMask", ograds[0], g.input(1), use_sequence_length=True, value=0.0,
                axis=p.axis)
    return [grad, None]


def _reverse_gradient(g, ograds):
    p = g.params
    grad = g.op("SequenceReverse", ograds[0], *_length_inputs(g),
                use_sequence_length=p.use_sequence_length, axis=p.axis)
    return [grad] + [None] * (len(g.node.inputs) - 1)


def _last_gradient(g, ograds):
    p = g.params
    grad = g.op("_backward_SequenceLast", ograds[0], g.input(0), *_length_inputs(g),
                use_sequence_length=p.use_sequence_length, axis=p.axis)
    return [grad] + [None] * (len(g.node.inputs) - 1)


def _last_backward_gradient(g, ograds):
    """Linear in the head gradient; its transpose is SequenceLast again."""
    p = g.params
    lengths = [g.input(2)] if p.use_sequence_length else []
    grad = g.op("SequenceLast", ograds[0], *lengths, use_sequence_length=p.use_sequence_length,
                axis=p.axis)
    return [grad, None] + [None] * len(lengths)


def _last_backward_shape(p: Params, ins: list, outs: list):
    return ins, [ins[1]]


def _last_backward_type(p: Params, ins: list, outs: list):
    dtype = ins[0] if ins[0] is not None else ins[1]
    return ins, [dtype]


# ---- registration ------------------------------------------------------------------------------
_MASK_DOC = """Sets all elements outside the sequence to a constant value.

This function takes an n-dimensional input array of the form
[max_sequence_length, batch_size, other_feature_dims] and returns an array of the same shape.

Parameter `sequence_length` is used to handle variable-length sequences. `sequence_length`
should be an input array of positive ints of dimension [batch_size].
To use this parameter, set `use_sequence_length` to `True`,
otherwise each example in the batch is assumed to have the max sequence length and
this operator works as the `identity` operator.

Example::

   // sequence_length [1,1] means 1 of each batch will be kept
   // and other rows are masked with default mask value = 0
   SequenceMask(x, sequence_length=[1,1], use_sequence_length=True)
"""

_LAST_DOC = """Takes the last element of a sequence.

This function takes an n-dimensional input array of the form
[max_sequence_length, batch_size, other_feature_dims] and returns a (n-1)-dimensional array
of the form [batch_size, other_feature_dims].

Parameter `sequence_length` is used to handle variable-length sequences. `sequence_length` should be
an input array of positive ints of dimension [batch_size]. To use this parameter,
set `use_sequence_length` to `True`, otherwise each example in the batch is assumed
to have the max sequence length.

.. note:: Alternatively, you can also use `take` operator.
"""

_REVERSE_DOC = """Reverses the elements of each sequence.

This function takes an n-dimensional input array of the form
[max_sequence_length, batch_size, other_feature_dims] and returns an array of the same shape.

Parameter `sequence_length` is used to handle variable-length sequences.
`sequence_length` should be an input array of positive ints of dimension [batch_size].
To use this parameter, set `use_sequence_length` to `True`,
otherwise each example in the batch is assumed to have the max sequence length.
"""

_ARGS = ("data", "sequence_length")

register("SequenceMask", inputs=_inputs, arg_names=_ARGS, fields=[_USE_LEN, _VALUE, _AXIS01],
         infer_shape=_shape_rule("SequenceMask"), infer_type=_type_rule, inplace=[(0, 0)],
         forward=_mask_forward, gradient=_mask_gradient, doc=_MASK_DOC)

register("SequenceLast", inputs=_inputs, arg_names=_ARGS, fields=[_USE_LEN, _AXIS01],
         infer_shape=_shape_rule("SequenceLast"), infer_type=_type_rule,
         forward=_last_forward, gradient=_last_gradient, doc=_LAST_DOC)

register("SequenceReverse", inputs=_inputs, arg_names=_ARGS, fields=[_USE_LEN, _AXIS0],
         infer_shape=_shape_rule("SequenceReverse"), infer_type=_type_rule,
         forward=_reverse_forward, gradient=_reverse_gradient, doc=_REVERSE_DOC)

register("_backward_SequenceLast",
         inputs=lambda p: ["ograd", "data"] + (["sequence_length"] if p.use_sequence_length
                                               else []),
         arg_names=("ograd", "data", "sequence_length"), fields=[_USE_LEN, _AXIS01],
         infer_shape=_last_backward_shape, infer_type=_last_backward_type,
         forward=_last_backward, gradient=_last_backward_gradient,
         doc="Gradient of SequenceLast: the head gradient at each sequence's last step, zero "
             "elsewhere.")
