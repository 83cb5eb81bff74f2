"""Data types: MXNet's numeric type flags and normalisation of user dtype arguments."""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import MXNetError

__all__ = ["DTYPE_TO_FLAG", "FLAG_TO_DTYPE", "np_dtype", "BFLOAT16", "default_dtype"]

#: numpy has no bfloat16; MXNet exposes it as this structured view of uint16.
BFLOAT16 = np.dtype([("bfloat16", "<u2")])

FLAG_TO_DTYPE: dict[int, np.dtype] = {
    0: np.dtype(np.float32), 1: np.dtype(np.float64), 2: np.dtype(np.float16),
    3: np.dtype(np.uint8), 4: np.dtype(np.int32), 5: np.dtype(np.int8), 6: np.dtype(np.int64),
    7: np.dtype(np.bool_), 8: np.dtype(np.int16), 9: np.dtype(np.uint16),
    10: np.dtype(np.uint32), 11: np.dtype(np.uint64), 12: BFLOAT16,
}
DTYPE_TO_FLAG: dict[np.dtype, int] = {v: k for k, v in FLAG_TO_DTYPE.items()}

default_dtype = np.dtype(np.float32)


def np_dtype(value: Any, default: np.dtype | None = default_dtype) -> np.dtype | None:
    """Normalise a user dtype (``'float32'``, ``np.float16``, a flag int, None) to np.dtype.

    ``None`` gives ``default``. Types outside MXNet's type-flag table raise MXNetError.
    """
    if value is None:
        return default
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if int(value) not in FLAG_TO_DTYPE:
            raise MXNetError(f"Unknown type flag {value}")
        return FLAG_TO_DTYPE[int(value)]
    if isinstance(value, str) and value == "bfloat16":
        return BFLOAT16
    try:
        dt = np.dtype(value)
    except TypeError as err:
        raise TypeError(f"data type {value!r} not understood") from err
    if dt not in DTYPE_TO_FLAG:
        raise MXNetError(f"dtype {dt} is not supported by MXNet's type table")
    return dt
