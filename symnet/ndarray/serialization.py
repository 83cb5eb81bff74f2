"""``mx.nd.save`` / ``mx.nd.load`` / ``mx.nd.load_frombuffer``: MXNet 1.9.1's NDArray file format.

The format (all integers little-endian, no padding)::

    u64 0x112 | u64 reserved | u64 n_arrays | n_arrays x record | u64 n_names | names

A current (V2) record is ``u32 0xF993FAC9 | i32 stype | i32 ndim | ndim x i64 | i32 dev_type |
i32 dev_id | i32 type_flag | raw C-order data``; each name is ``u64 length | UTF-8 bytes``.
``save`` writes V2 dense records exactly as MXNet 1.9.1 does (byte-identical files). ``load``
also reads the legacy V1 (``0xF993FAC8``, no stype) and V0 (no magic, u32 ndim and dims)
records. Sparse records, np-shape (V3) records and "none" arrays are refused with MXNetError.

Loading treats its input as untrusted: every count and byte length is checked against the bytes
that remain before anything is allocated, so a corrupt or hostile file raises
:class:`~symnet.base.MXNetError` (never another exception, never partial content), and memory
use stays bounded by the size of the input.
"""
from __future__ import annotations

import math
import os
import secrets
import stat
import struct
from typing import Any, Union

import numpy as np

from ..base import MXNetError
from ..context import Context
from ..dtype import DTYPE_TO_FLAG, FLAG_TO_DTYPE
from .ndarray import NDArray

__all__ = ["save", "load", "load_frombuffer"]

_LIST_MAGIC = 0x112
_V1_MAGIC = 0xF993FAC8
_V2_MAGIC = 0xF993FAC9
_V3_MAGIC = 0xF993FACA
_STYPE_NAMES = {1: "row_sparse", 2: "csr"}
_INVALID = "Invalid NDArray file format"
#: numpy 1.x supports at most 32 dimensions (MXNet's asnumpy fails beyond that too).
_MAX_NDIM = 32
#: Every record takes at least 12 bytes before it is accepted or refused (V2: magic, stype, ndim).
_MIN_RECORD_BYTES = 12
#: numpy refuses arrays whose byte size (ignoring zero dims) does not fit in a signed intp.
_MAX_ARRAY_BYTES = 2 ** 63 - 1
_NP_SHAPE_MESSAGE = (
    "Check failed: Imperative::Get()->is_np_shape(): ndarray was saved in np shape semantics, "
    "must be loaded in the same semantics. Please turn on np shape semantics in Python using "
    "`with np_shape(True)` or decorator `use_np_shape` to scope the code of loading the ndarray.")

PathType = Union[str, "os.PathLike[str]"]


# ------------------------------------------------------------------------------------------
# save
# ------------------------------------------------------------------------------------------
def save(fname: PathType, data: Any) -> None:
    """Save an NDArray, a list of NDArrays or a dict of str -> NDArray to ``fname``.

    The file is MXNet 1.9.1's binary format (byte-identical to ``mxnet.nd.save``), so MXNet
    can load it. It is written to a temporary file in the same directory and then renamed over
    ``fname``, so a failure leaves any existing file untouched.

    Raises ValueError if ``data`` is not an NDArray, list or dict, TypeError for a list or dict
    holding anything other than NDArrays (or a dict with non-str keys), and MXNetError for an
    array that MXNet's format cannot hold or a file that cannot be written.

    >>> x = mx.nd.zeros((2, 3))
    >>> mx.nd.save('my_dict', {'x': x})
    """
    path = _check_fname(fname)
    keys, arrays = _split_data(data)
    payload = _encode(keys, arrays)
    _atomic_write(path, payload)


def _check_fname(fname: Any) -> str:
    """``fname`` as a str path (str or os.PathLike); TypeError otherwise."""
    if isinstance(fname, os.PathLike):
        fname = os.fspath(fname)
    if not isinstance(fname, str):
        raise TypeError("fname required to be a string")
    return fname


def _split_data(data: Any) -> tuple[list[str] | None, list[NDArray]]:
    """(keys or None, arrays) of what ``save`` was given, checked like MXNet's ``save``."""
    bad_items = TypeError("save only accept dict str->NDArray or list of NDArray")
    if isinstance(data, NDArray):
        data = [data]
    if isinstance(data, dict):
        if any(not isinstance(k, str) for k in data) or \
                any(not isinstance(v, NDArray) for v in data.values()):
            raise bad_items
        return list(data.keys()), list(data.values())
    if isinstance(data, list):
        if any(not isinstance(v, NDArray) for v in data):
            raise bad_items
        return None, list(data)
    raise ValueError("data needs to either be a NDArray, dict of str, NDArray pairs "
                     "or a list of NDarrays.")


def _encode(keys: list[str] | None, arrays: list[NDArray]) -> bytes:
    """The whole file's bytes."""
    chunks = [struct.pack("<QQQ", _LIST_MAGIC, 0, len(arrays))]
    for index, arr in enumerate(arrays):
        chunks.extend(_encode_record(index, arr))
    keys = keys or []
    chunks.append(struct.pack("<Q", len(keys)))
    for key in keys:
        raw = _encode_key(key)
        chunks.append(struct.pack("<Q", len(raw)))
        chunks.append(raw)
    return b"".join(chunks)


def _encode_key(key: str) -> bytes:
    """A key's UTF-8 bytes, cut at the first NUL exactly as MXNet's C-string API cuts it."""
    try:
        raw = key.encode("utf-8")
    except UnicodeEncodeError as err:
        raise MXNetError(f"cannot save key {key!r}: it is not encodable as UTF-8 ({err})") \
            from None
    return raw.split(b"\0", 1)[0]


def _encode_record(index: int, arr: NDArray) -> list[bytes]:
    """The V2 dense record of one array: header bytes and data bytes."""
    data = arr.handle
    if data.ndim == 0:
        raise MXNetError(
            f"cannot save array {index}: it has shape () (0-d), and MXNet 1.x's NDArray format "
            "uses ndim 0 for 'none' arrays, so the file would not load; reshape it to (1,)")
    dtype = data.dtype
    if dtype.byteorder == ">":
        dtype = dtype.newbyteorder("<")
    flag = DTYPE_TO_FLAG.get(dtype)
    if flag is None:
        raise MXNetError(f"cannot save array {index}: dtype {data.dtype} has no MXNet type flag")
    ctx = arr.context
    if not (-2 ** 31 <= ctx.device_id < 2 ** 31):
        raise MXNetError(f"cannot save array {index}: device id {ctx.device_id} of {ctx} "
                         "does not fit the format's int32 field")
    header = struct.pack(f"<Iii{data.ndim}qiii", _V2_MAGIC, 0, data.ndim, *data.shape,
                         ctx.device_typeid, ctx.device_id, flag)
    body = np.ascontiguousarray(data, dtype=_wire_dtype(dtype)).tobytes()
    return [header, body]


def _wire_dtype(dtype: np.dtype) -> np.dtype:
    """The explicit little-endian form of a table dtype (structured bfloat16 already is)."""
    return dtype if dtype.fields else dtype.newbyteorder("<")


def _atomic_write(path: str, payload: bytes) -> None:
    """Write ``payload`` to a temporary file beside ``path``, then rename it over ``path``."""
    target = os.path.realpath(path)  # write through a symlink instead of replacing it
    fd, tmp = _create_temp(path, target)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        _copy_mode(target, tmp)
        os.replace(tmp, target)
    except BaseException as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise MXNetError(f'cannot write "{path}": {err.strerror or err}') from err
        raise


def _create_temp(path: str, target: str) -> tuple[int, str]:
    """Create a new, empty temporary file in ``target``'s directory: (fd, its path)."""
    directory, base = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
        except OSError as err:
            raise MXNetError(f'Open "{path}": {err.strerror or err}') from err
    raise MXNetError(f'Open "{path}": could not create a temporary file in {directory}')


def _copy_mode(target: str, tmp: str) -> None:
    """Give the new file the permission bits of the file it replaces, if there is one."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return
    os.chmod(tmp, mode)


# ------------------------------------------------------------------------------------------
# load
# ------------------------------------------------------------------------------------------
def load(fname: PathType) -> list[NDArray] | dict[str, NDArray]:
    """Load arrays saved by :func:`save` (or by MXNet) from ``fname``.

    Returns a list of NDArrays if the file has no names, else a dict of name -> NDArray in file
    order. Arrays are placed on ``cpu(0)`` whatever context they were saved from, as MXNet does.
    A missing, truncated or corrupt file raises MXNetError.
    """
    path = _check_fname(fname)
    try:
        with open(path, "rb") as f:
            content = f.read()
    except OSError as err:
        raise MXNetError(f'Open "{path}": {err.strerror or err}') from err
    return _decode(content)


def load_frombuffer(buf: bytes | bytearray | memoryview) -> list[NDArray] | dict[str, NDArray]:
    """Load arrays from the bytes of a file written by :func:`save`.

    Returns a list or a dict exactly like :func:`load`. Raises TypeError for a ``buf`` that is
    not bytes-like and MXNetError for content that is not a valid NDArray file.
    """
    if isinstance(buf, str):
        raise TypeError("buf required to be bytes: a str cannot hold binary NDArray data "
                        "(read the file in 'rb' mode)")
    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError("buf required to be a string or bytes")
    return _decode(bytes(buf))


def _decode(content: bytes) -> list[NDArray] | dict[str, NDArray]:
    """Parse a whole file's bytes into a list or dict of NDArrays on cpu(0)."""
    reader = _Reader(content)
    if reader.unpack("<Q", "the file magic")[0] != _LIST_MAGIC:
        raise MXNetError(f"Check failed: header == kMXAPINDArrayListMagic: {_INVALID}")
    _reserved, count = reader.unpack("<QQ", "the file header")
    if count > max(reader.remaining - 8, 0) // _MIN_RECORD_BYTES:
        raise MXNetError(f"{_INVALID}: the header claims {count} arrays but only "
                         f"{reader.remaining} bytes follow")
    arrays = [_read_record(reader, i) for i in range(count)]
    (n_names,) = reader.unpack("<Q", "the number of names")
    if n_names not in (0, count):
        raise MXNetError(f"{_INVALID}: the file has {count} arrays but {n_names} names "
                         f"(must be 0 or {count})")
    names = [_read_name(reader, i) for i in range(n_names)]
    ctx = Context("cpu", 0)
    results = [NDArray(a, ctx) for a in arrays]
    if not names:
        return results
    return dict(zip(names, results))


class _Reader:
    """A cursor over the input that refuses to read past its end."""

    __slots__ = ("_view", "_pos")

    def __init__(self, content: bytes):
        self._view = memoryview(content)
        self._pos = 0

    @property
    def remaining(self) -> int:
        """Bytes left after the cursor."""
        return len(self._view) - self._pos

    def take(self, nbytes: int, what: str) -> memoryview:
        """The next ``nbytes`` bytes; MXNetError if fewer remain."""
        if nbytes > self.remaining:
            raise MXNetError(f"{_INVALID}: unexpected end of data reading {what} (needs "
                             f"{nbytes} bytes at offset {self._pos}, {self.remaining} left)")
        start = self._pos
        self._pos += nbytes
        return self._view[start:self._pos]

    def unpack(self, fmt: str, what: str) -> tuple:
        """``struct.unpack`` of the next ``struct.calcsize(fmt)`` bytes."""
        return struct.unpack(fmt, self.take(struct.calcsize(fmt), what))


def _read_record(reader: _Reader, index: int) -> np.ndarray:
    """One array record (V2, V1 or V0) as a new C-contiguous numpy array."""
    what = f"array {index}"
    (magic,) = reader.unpack("<I", f"the header of {what}")
    if magic == _V3_MAGIC:
        raise MXNetError(_NP_SHAPE_MESSAGE)
    if magic == _V2_MAGIC:
        (stype,) = reader.unpack("<i", f"the storage type of {what}")
        _check_stype(stype, what)
        shape = _read_shape(reader, reader.unpack("<i", f"the ndim of {what}")[0], "q", what)
        if not shape:
            raise MXNetError(f"{_INVALID}: {what} is a 'none' array (ndim 0), which MXNet "
                             "cannot load either (unknown storage type: -1)")
    elif magic == _V1_MAGIC:
        shape = _read_shape(reader, reader.unpack("<i", f"the ndim of {what}")[0], "q", what)
    else:  # V0: no magic, the word just read is the ndim
        ndim = magic - 2 ** 32 if magic >= 2 ** 31 else magic
        shape = _read_shape(reader, ndim, "I", what)
    if not shape:
        raise MXNetError(f"{_INVALID}: legacy record {what} has ndim 0")
    _dev_type, _dev_id, flag = reader.unpack("<iii", f"the context and type of {what}")
    dtype = FLAG_TO_DTYPE.get(flag)
    if dtype is None:
        raise MXNetError(f"Unknown type enum {flag} (in {what})")
    return _read_data(reader, shape, dtype, what)


def _check_stype(stype: int, what: str) -> None:
    """MXNetError unless ``stype`` is dense storage (0)."""
    if stype in _STYPE_NAMES:
        raise MXNetError(f"{what} has storage type '{_STYPE_NAMES[stype]}' (stype {stype}): "
                         "symnet supports only dense ('default') NDArrays and cannot load "
                         "sparse arrays; convert them with tostype('default') in MXNet first")
    if stype != 0:
        raise MXNetError(f"Unknown storage type{stype} (in {what})")


def _read_shape(reader: _Reader, ndim: int, code: str, what: str) -> tuple:
    """``ndim`` dims of struct type ``code``, checked to be sane."""
    if ndim < 0:
        raise MXNetError(f"{_INVALID}: {what} has a negative ndim {ndim}")
    if ndim > _MAX_NDIM:
        raise MXNetError(f"{_INVALID}: {what} has ndim {ndim}, more than the "
                         f"{_MAX_NDIM} dimensions an array can have")
    shape = reader.unpack(f"<{ndim}{code}", f"the shape of {what}")
    for dim in shape:
        if dim < 0:
            raise MXNetError(f"Check failed: dim_size_is_known(*it): Shape dim size cannot be "
                             f"a negative value {dim} (in {what}, shape {shape})")
    return shape


def _read_data(reader: _Reader, shape: tuple, dtype: np.dtype, what: str) -> np.ndarray:
    """The data of an array of ``shape`` and ``dtype``, copied out of the input."""
    nbytes = math.prod(shape) * dtype.itemsize
    if math.prod(d for d in shape if d) * dtype.itemsize > _MAX_ARRAY_BYTES:
        raise MXNetError(f"{_INVALID}: {what} has shape {shape}, too big for an array")
    raw = reader.take(nbytes, f"the data of {what} (shape {shape}, {dtype.name})")
    if dtype == np.bool_:  # any nonzero byte is True; keep numpy bools canonical
        return (np.frombuffer(raw, dtype=np.uint8) != 0).reshape(shape)
    flat = np.frombuffer(raw, dtype=_wire_dtype(dtype))
    return flat.astype(dtype).reshape(shape)


def _read_name(reader: _Reader, index: int) -> str:
    """Name ``index``: u64 length and UTF-8 bytes (cut at a NUL, as MXNet's C strings are)."""
    (length,) = reader.unpack("<Q", f"the length of name {index}")
    raw = bytes(reader.take(length, f"name {index}")).split(b"\0", 1)[0]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MXNetError(f"{_INVALID}: name {index} is not valid UTF-8 ({err})") from None
