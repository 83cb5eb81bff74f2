"""Cases for symnet/ops/defs/init.py (creation operators and zeros_like/ones_like).

The creation operators take no inputs; each case fixes the output dtype in its attributes, so
each runs for that one dtype. References are written element by element from the definitions.
"""
from __future__ import annotations

import math

import numpy as np

from .harness import OpCase, rand


def _none(rng, dtype):
    return []


def _fill_ref(value):
    def ref(shape, dtype, **_):
        out = np.empty(shape, dtype)
        out.fill(value)
        return out
    return ref


def _arange_ref(start, stop=None, step=1.0, repeat=1, dtype="float32", **_):
    """``start + (i // repeat) * step``, start and step first cast to the dtype, one by one."""
    if stop is None:
        start, stop = 0.0, start
    dt = np.dtype(dtype)
    n = int(math.ceil((stop - start) / step))
    s, d = dt.type(start), dt.type(step)
    with np.errstate(over="ignore"):
        values = [s + dt.type(i) * d for i in range(n) for _ in range(repeat)]
    return np.array(values, dtype=dt)


def _linspace_ref(start, stop, num, endpoint=True, dtype="float32", **_):
    values = []
    for i in range(num):
        if endpoint:
            values.append(stop if i == num - 1 and num > 1 else
                          start + i * (stop - start) / max(num - 1, 1))
        else:
            values.append(start + i * (stop - start) / num)
    return np.array(values, np.float64).astype(dtype)


def _eye_ref(N, M=0, k=0, dtype="float32", **_):
    cols = M or N
    out = np.zeros((N, cols), dtype)
    for i in range(N):
        if 0 <= i + k < cols:
            out[i, i + k] = 1
    return out


def _one(op, attrs, reference, dtype, id=""):
    return OpCase(op, _none, attrs=attrs, reference=reference, dtypes=(dtype,), grad=False,
                  id=id or dtype)


CASES = []
for _dt in ("float32", "float64", "float16", "int32", "int64", "int8", "uint8", "bool"):
    CASES.append(_one("_zeros", {"shape": (2, 3), "dtype": _dt}, _fill_ref(0), _dt))
    CASES.append(_one("_ones", {"shape": (4,), "dtype": _dt}, _fill_ref(1), _dt))
for _dt, _value in (("float32", 2.5), ("float64", -1e-3), ("int32", 2.7), ("int64", -2.7),
                    ("uint8", 7), ("float16", 1 / 3)):
    CASES.append(_one("_full", {"shape": (3, 2), "dtype": _dt, "value": _value},
                      lambda shape, dtype, value, **_: _fill_ref(int(value) if np.dtype(
                          dtype).kind in "iu" else value)(shape, dtype), _dt))

_ARANGE = [
    ({"start": 3}, "float32", "stop-none"),
    ({"start": 2, "stop": 6, "step": 1.5, "repeat": 2}, "float32", "repeat"),
    ({"start": 5, "stop": 0, "step": -1.5}, "float32", "negative-step"),
    ({"start": 0, "stop": 1, "step": 0.3}, "float32", "float32-rounding"),
    ({"start": 0, "stop": 1, "step": 0.1}, "float64", "float64"),
    ({"start": 0.5, "stop": 9, "step": 1.7}, "int32", "int-truncates"),
    ({"start": -0.5, "stop": -9, "step": -1.7, "repeat": 3}, "int64", "int-negative"),
    ({"start": 250, "stop": 260}, "uint8", "uint8-wraps"),
]
for _attrs, _dt, _id in _ARANGE:
    CASES.append(_one("_arange", dict(_attrs, dtype=_dt), _arange_ref, _dt, _id))

for _attrs, _dt, _id in (({"start": 2.0, "stop": 3.0, "num": 5}, "float32", "endpoint"),
                         ({"start": 0.1, "stop": 1.3, "num": 7, "endpoint": False}, "float64",
                          "no-endpoint"),
                         ({"start": 0.5, "stop": 10, "num": 4}, "int32", "int"),
                         ({"start": 2, "stop": 3, "num": 1}, "float32", "one")):
    CASES.append(_one("_linspace", dict(_attrs, dtype=_dt), _linspace_ref, _dt, _id))

for _attrs, _dt, _id in (({"N": 3}, "float32", "square"), ({"N": 2, "M": 4, "k": 1}, "int32",
                                                             "upper"),
                         ({"N": 4, "M": 3, "k": -2}, "float64", "lower"),
                         ({"N": 3, "k": 5}, "float32", "outside")):
    CASES.append(_one("_eye", dict(_attrs, dtype=_dt), _eye_ref, _dt, _id))


def _zeros_like_ref(x, **_):
    return np.array([0] * x.size, dtype=x.dtype).reshape(x.shape)


def _ones_like_ref(x, **_):
    return np.array([1] * x.size, dtype=x.dtype).reshape(x.shape)


for _op, _ref in (("zeros_like", _zeros_like_ref), ("ones_like", _ones_like_ref)):
    CASES.append(OpCase(_op, rand((2, 3, 4)), reference=_ref,
                        dtypes=("float32", "float64", "float16", "int32"), grad=False))
    CASES.append(OpCase(_op, rand((5,)), reference=_ref, dtypes=("float32",), grad=False,
                        id="1d"))
