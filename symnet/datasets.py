"""Small real datasets bundled with symnet, so examples and demos run offline."""
from __future__ import annotations

import gzip
import os

import numpy as np

__all__ = ["load_digits"]

_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """UCI handwritten digits: ``(images, labels)`` with images ``(1797, 8, 8)`` float32 in
    [0, 1] and labels ``(1797,)`` int64 in 0..9 (see ``symnet/data/README.md``)."""
    with gzip.open(os.path.join(_DATA, "digits.csv.gz"), "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float32)
    images = (table[:, :-1] / 16.0).reshape(-1, 8, 8)
    return images.astype(np.float32), table[:, -1].astype(np.int64)
