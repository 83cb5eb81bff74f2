"""Cases for symnet/ops/defs/sequence.py (SequenceMask, SequenceLast, SequenceReverse and
_backward_SequenceLast).

References loop over the sequences: a length is truncated toward zero (2.7 -> 2, as MXNet's
cast); SequenceMask keeps steps ``t < length``; SequenceLast takes step ``length - 1``;
SequenceReverse reverses the first ``length`` steps. Lengths stay within ``[1, T]`` (MXNet
reads out of bounds outside; symnet's clipping is pinned in test_sequence.py). The lengths are
an index-like input: only the data is differentiated (``grad_inputs=[0]``).
"""
from __future__ import annotations

import numpy as np

from .harness import OpCase

_ALL = ("float16", "float32", "float64", "int32")


def _seq(shape, lengths=None, length_dtype=None):
    """Data of ``shape`` (distinct values) and optionally the given lengths."""
    def make(rng, dtype):
        data = rng.uniform(-5, 5, shape)
        if np.dtype(dtype).kind in "iu":
            data = np.round(data)
        out = [data.astype(dtype)]
        if lengths is not None:
            out.append(np.asarray(lengths).astype(length_dtype or dtype))
        return out
    return make


def _lengths(x, lengths, axis):
    steps, batch = x.shape[axis], x.shape[1 - axis]
    if lengths is None:
        return [steps] * batch
    return [int(float(v)) for v in lengths]


def _mask_ref(x, lengths=None, use_sequence_length=False, value=0.0, axis=0, **_):
    out = x.copy()
    if not use_sequence_length:
        return out
    fill = np.array(int(value) if x.dtype.kind in "iu" else value).astype(x.dtype)
    for n, length in enumerate(_lengths(x, lengths, axis)):
        for t in range(x.shape[axis]):
            if t >= length:
                if axis == 0:
                    out[t, n] = fill
                else:
                    out[n, t] = fill
    return out


def _last_ref(x, lengths=None, use_sequence_length=False, axis=0, **_):
    lens = _lengths(x, lengths if use_sequence_length else None, axis)
    rows = [x[length - 1, n] if axis == 0 else x[n, length - 1] for n, length in enumerate(lens)]
    return np.stack(rows).astype(x.dtype)


def _reverse_ref(x, lengths=None, use_sequence_length=False, **_):
    out = x.copy()
    for n, length in enumerate(_lengths(x, lengths if use_sequence_length else None, 0)):
        for t in range(length):
            out[t, n] = x[length - 1 - t, n]
    return out


def _last_backward_ref(og, x, lengths=None, use_sequence_length=False, axis=0, **_):
    grad = np.zeros(x.shape, og.dtype)
    for n, length in enumerate(_lengths(x, lengths if use_sequence_length else None, axis)):
        if axis == 0:
            grad[length - 1, n] = og[n]
        else:
            grad[n, length - 1] = og[n]
    return grad


_ON = {"use_sequence_length": True}

CASES = [
    OpCase("SequenceMask", _seq((4, 3, 2)), {}, _mask_ref, dtypes=_ALL, id="identity"),
    OpCase("SequenceMask", _seq((4, 3, 2), [1, 4, 2.7]), {**_ON, "value": -1.5}, _mask_ref,
           dtypes=_ALL, grad_inputs=[0]),
    OpCase("SequenceMask", _seq((3, 4), [3, 1, 2], "int32"), {**_ON, "axis": 1},
           _mask_ref, grad_inputs=[0], id="axis1-int-lengths"),
    OpCase("SequenceMask", _seq((3, 4, 2, 2), [1, 2, 3, 4]), {**_ON, "axis": 0, "value": 2},
           _mask_ref, grad_inputs=[0], id="4d"),
    OpCase("SequenceLast", _seq((4, 3, 2)), {}, _last_ref, dtypes=_ALL, id="no-lengths"),
    OpCase("SequenceLast", _seq((4, 3, 2), [1, 4, 2.5]), _ON, _last_ref, dtypes=_ALL,
           grad_inputs=[0]),
    OpCase("SequenceLast", _seq((2, 5, 3), [5, 2], "int32"), {**_ON, "axis": 1}, _last_ref,
           grad_inputs=[0], id="axis1"),
    OpCase("SequenceLast", _seq((3, 2)), {"axis": 1}, _last_ref, id="2d-axis1"),
    OpCase("SequenceReverse", _seq((4, 3, 2)), {}, _reverse_ref, dtypes=_ALL, id="whole"),
    OpCase("SequenceReverse", _seq((4, 3, 2), [1, 4, 2.9]), _ON, _reverse_ref, dtypes=_ALL,
           grad_inputs=[0]),
    OpCase("SequenceReverse", _seq((5, 2), [3, 5], "int32"), _ON, _reverse_ref,
           grad_inputs=[0], id="2d-int-lengths"),
    OpCase("_backward_SequenceLast", lambda rng, dt: [rng.uniform(-1, 1, (3, 2)).astype(dt),
                                                      np.zeros((4, 3, 2), dt),
                                                      np.array([2, 4, 1], dt)],
           _ON, _last_backward_ref, grad_inputs=[0]),
    OpCase("_backward_SequenceLast", lambda rng, dt: [rng.uniform(-1, 1, (2, 3)).astype(dt),
                                                      np.zeros((2, 5, 3), dt)],
           {"axis": 1}, _last_backward_ref, grad_inputs=[0], id="no-lengths-axis1"),
]
