"""Symbol files: ``tojson``/``save`` (MXNet 1.9.1 text) and ``load``/``load_json``."""
from __future__ import annotations

import os
import tempfile
from typing import Sequence

from ..base import MXNetError
from ..graph.json_io import debug_str, to_json
from ..graph.node import Entry

__all__ = ["to_json", "save_json", "debug_str", "load", "load_json"]


def save_json(heads: Sequence[Entry], fname: str) -> None:
    """Write the JSON text to ``fname`` atomically (a failure leaves an old file intact)."""
    if not isinstance(fname, (str, os.PathLike)):
        raise TypeError("fname required to be a string")
    text = to_json(heads).encode("utf-8")
    folder = os.path.dirname(os.path.abspath(fname))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".symnet-", suffix=".json.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text)
        os.replace(tmp, fname)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_json(json_str: str):
    """A Symbol from MXNet JSON text (any 1.x version)."""
    from ..graph.json_load import from_json
    from .symbol import Symbol
    if not isinstance(json_str, str):
        raise TypeError("fname required to be string")
    return Symbol(from_json(json_str))


def load(fname: str):
    """A Symbol from an MXNet ``-symbol.json`` file."""
    if not isinstance(fname, (str, os.PathLike)):
        raise TypeError("fname required to be a string")
    try:
        with open(fname, "rb") as f:
            data = f.read()
    except OSError as err:
        raise MXNetError(f"Cannot open symbol file {fname}: {err}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MXNetError(f"Symbol file {fname} is not UTF-8 text: {err}") from None
    return load_json(text)
