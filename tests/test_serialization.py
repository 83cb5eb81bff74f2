"""mx.nd.save / load / load_frombuffer against files written by MXNet 1.9.1.

The fixtures in tests/fixtures/ndarray/ were written by the real MXNet with
tests/fixtures/make_ndarray_fixtures.py (never imported here); manifest.json describes what each
holds. Legacy (V0/V1) and hostile inputs are built by hand below.
"""
from __future__ import annotations

import json
import os
import stat
import struct
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symnet as mx
from symnet.base import MXNetError
from symnet.dtype import BFLOAT16

FIXTURES = Path(__file__).parent / "fixtures" / "ndarray"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
FILES = sorted(MANIFEST["files"])
V0, V1, V2, V3 = None, 0xF993FAC8, 0xF993FAC9, 0xF993FACA
FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


# ---- helpers ------------------------------------------------------------------------------
def expected_array(entry: dict) -> np.ndarray:
    """The numpy array a manifest entry describes (bfloat16 values are raw uint16 bits)."""
    if entry["dtype"] == "bfloat16":
        return np.array(entry["values"], dtype="<u2").view(BFLOAT16).reshape(entry["shape"])
    return np.array(entry["values"], dtype=entry["dtype"]).reshape(entry["shape"])


def symnet_array(entry: dict) -> mx.nd.NDArray:
    """The same content as a symnet NDArray on the context it was saved from."""
    return mx.nd.NDArray(expected_array(entry), mx.Context(*entry["ctx"]))


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def shape_bytes(shape, code="q") -> bytes:
    return struct.pack(f"<i{len(shape)}{code}", len(shape), *shape)


def record(arr: np.ndarray, flag: int, version=V2, stype=0, dev=(1, 0)) -> bytes:
    """A hand-built array record of the given format version."""
    if version is V0:
        head = struct.pack(f"<I{arr.ndim}I", arr.ndim, *arr.shape)
    elif version == V1:
        head = struct.pack("<I", V1) + shape_bytes(arr.shape)
    else:
        head = struct.pack("<Ii", version, stype) + shape_bytes(arr.shape)
    return head + struct.pack("<iii", dev[0], dev[1], flag) + arr.tobytes()


def container(records, names=None, n_arrays=None, n_names=None) -> bytes:
    """A whole file around hand-built records."""
    names = names or []
    out = struct.pack("<QQQ", 0x112, 0, len(records) if n_arrays is None else n_arrays)
    out += b"".join(records)
    out += struct.pack("<Q", len(names) if n_names is None else n_names)
    for name in names:
        raw = name.encode() if isinstance(name, str) else name
        out += struct.pack("<Q", len(raw)) + raw
    return out


def check_loaded(result, nbytes: int) -> None:
    """A successful load of ``nbytes`` of input: well-formed and no bigger than the input."""
    assert isinstance(result, (list, dict))
    values = list(result.values()) if isinstance(result, dict) else result
    assert all(isinstance(v, mx.nd.NDArray) for v in values)
    assert sum(v.handle.nbytes for v in values) <= nbytes


def load_bounded(buf: bytes) -> None:
    """Load hostile bytes: only MXNetError may escape, fast and with bounded memory."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        check_loaded(mx.nd.load_frombuffer(buf), len(buf))
    except MXNetError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.perf_counter() - start < 2.0
    assert peak < 4 * len(buf) + (1 << 20), f"peak {peak} bytes for {len(buf)} bytes of input"


# ---- the oracle's files -------------------------------------------------------------------
@pytest.mark.parametrize("name", FILES)
def test_oracle_file_loads(name):
    info = MANIFEST["files"][name]
    result = mx.nd.load(str(FIXTURES / name))
    assert os.path.getsize(FIXTURES / name) == info["size"]
    if info["saved_as"] == "dict":
        assert isinstance(result, dict)
        assert list(result) == [e["name"] for e in info["arrays"]]
        result = list(result.values())
    assert isinstance(result, list) and len(result) == len(info["arrays"])
    for got, entry in zip(result, info["arrays"]):
        want = expected_array(entry)
        assert got.shape == want.shape and got.handle.dtype == want.dtype
        assert got.handle.tobytes() == want.tobytes()  # exact, NaN bits and -0.0 included
        assert got.context == mx.cpu(0)  # MXNet loads every array to cpu(0)
        assert got.handle.flags.c_contiguous and got.handle.flags.writeable


@pytest.mark.parametrize("name", FILES)
def test_save_is_byte_identical_to_mxnet(name, tmp_path):
    info = MANIFEST["files"][name]
    arrays = [symnet_array(e) for e in info["arrays"]]
    if info["saved_as"] == "dict":
        data = {e["name"]: a for e, a in zip(info["arrays"], arrays)}
    elif info["saved_as"] == "ndarray":
        data = arrays[0]
    else:
        data = arrays
    mx.nd.save(str(tmp_path / name), data)
    assert (tmp_path / name).read_bytes() == fixture_bytes(name)


@pytest.mark.parametrize("name", FILES)
def test_load_frombuffer_matches_load(name):
    buf = fixture_bytes(name)
    a, b = mx.nd.load(str(FIXTURES / name)), mx.nd.load_frombuffer(buf)
    assert type(a) is type(b)
    pairs = zip(a.values(), b.values()) if isinstance(a, dict) else zip(a, b)
    for x, y in pairs:
        assert x.handle.tobytes() == y.handle.tobytes() and x.handle.dtype == y.handle.dtype
    assert isinstance(mx.nd.load_frombuffer(bytearray(buf)), type(a))
    assert isinstance(mx.nd.load_frombuffer(memoryview(buf)), type(a))


def test_spec_hex_dump_and_empty_containers(tmp_path):
    assert len(fixture_bytes("dict_two.params")) == 170
    assert fixture_bytes("list_two.nd") == fixture_bytes("dict_two.params")[:0x88] + bytes(8)
    mx.nd.save(str(tmp_path / "d"), {})
    assert (tmp_path / "d").read_bytes() == fixture_bytes("empty_list.nd")
    assert mx.nd.load(str(tmp_path / "d")) == []


@pytest.mark.parametrize("name", sorted(MANIFEST["error_files"]))
def test_oracle_files_symnet_refuses(name):
    phrase = MANIFEST["error_files"][name]
    with pytest.raises(MXNetError, match=phrase):
        mx.nd.load(str(FIXTURES / name))


# ---- legacy and unusual records -----------------------------------------------------------
def test_legacy_v1_and_v0_records_load():
    a = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5
    b = np.array([[-(2 ** 40)], [7]], dtype=np.int64)
    c = np.array([1, 0, 1], dtype=np.bool_)
    buf = container([record(a, 0, V1), record(b, 6, V0), record(c, 7, V2)], ["a", "b", "c"])
    got = mx.nd.load_frombuffer(buf)
    assert list(got) == ["a", "b", "c"]
    for arr, want in zip(got.values(), (a, b, c)):
        assert arr.handle.dtype == want.dtype and arr.shape == want.shape
        np.testing.assert_array_equal(arr.asnumpy(), want)
    single = mx.nd.load_frombuffer(container([record(b.reshape(-1), 6, V0)]))
    np.testing.assert_array_equal(single[0].asnumpy(), b.reshape(-1))


@pytest.mark.parametrize("flag,dtype", [(8, "int16"), (9, "uint16"), (10, "uint32"),
                                        (11, "uint64")])
def test_type_flags_8_to_11_load_and_round_trip(flag, dtype, tmp_path):
    # MXNet 1.9.1 itself can neither write nor load these ("Unknown type enum 8"); symnet can.
    arr = np.array([[0, 1, np.iinfo(dtype).max]], dtype=dtype)
    got = mx.nd.load_frombuffer(container([record(arr, flag)]))[0]
    assert got.handle.dtype == arr.dtype
    np.testing.assert_array_equal(got.asnumpy(), arr)
    mx.nd.save(str(tmp_path / "f"), [mx.nd.NDArray(arr.copy())])
    assert (tmp_path / "f").read_bytes() == container([record(arr, flag)])


def test_bool_bytes_are_canonicalised():
    buf = container([record(np.array([0, 1, 2, 255], dtype=np.uint8), 7)])
    got = mx.nd.load_frombuffer(buf)[0].asnumpy()
    assert got.dtype == np.bool_ and got.view(np.uint8).tolist() == [0, 1, 1, 1]


def test_names_nul_truncated_trailing_bytes_ignored_duplicates_last_wins():
    a = record(np.array([1.0], dtype=np.float32), 0)
    b = record(np.array([2.0], dtype=np.float32), 0)
    assert list(mx.nd.load_frombuffer(container([a], ["a\0b"]))) == ["a"]
    assert len(mx.nd.load_frombuffer(container([a]) + b"junk")) == 1
    got = mx.nd.load_frombuffer(container([a, b], ["k", "k"]))
    assert list(got) == ["k"] and got["k"].asnumpy().tolist() == [2.0]


def test_save_key_with_nul_matches_mxnet(tmp_path):
    # MXNet passes keys as C strings, so a key is cut at its first NUL.
    mx.nd.save(str(tmp_path / "n"), {"a\0b": mx.nd.array([1])})
    assert list(mx.nd.load(str(tmp_path / "n"))) == ["a"]


def test_contexts_are_written_and_ignored_on_load():
    buf = container([record(np.array([1.0], np.float32), 0, dev=dev)
                     for dev in ((2, 1), (3, 4), (7, 0), (-1, 0))])
    assert [a.context for a in mx.nd.load_frombuffer(buf)] == [mx.cpu(0)] * 4


# ---- refusals ------------------------------------------------------------------------------
GOOD = record(np.array([1.0, 2.0], dtype=np.float32), 0)


@pytest.mark.parametrize("buf,phrase", [
    (b"", "Invalid NDArray file format"),
    (b"\x13" + container([GOOD])[1:], "Invalid NDArray file format"),
    (container([GOOD])[:-9], "Invalid NDArray file format"),
    (container([GOOD], n_names=2), "Invalid NDArray file format"),
    (container([GOOD], ["a", "b"], n_names=2), "must be 0 or 1"),
    (container([GOOD], [b"\xff\xfe"]), "UTF-8"),
    (container([struct.pack("<Iii", V2, 0, 0)]), "none"),
    (container([struct.pack("<Iii", V2, 0, 0), GOOD]), "none"),
    (container([struct.pack("<Iiiii", V1, 0, 1, 0, 0)]), "ndim 0"),
    (container([struct.pack("<Iiii", 0, 1, 0, 0)]), "ndim 0"),
    (container([record(np.zeros(1, np.float32), 13)]), "Unknown type enum 13"),
    (container([record(np.zeros(1, np.float32), -1)]), "Unknown type enum -1"),
    (container([record(np.zeros(1, np.float32), 0, stype=3)]), "Unknown storage type3"),
    (container([record(np.zeros(1, np.float32), 0, stype=-1)]), "Unknown storage type-1"),
    (container([record(np.zeros(1, np.float32), 0, stype=1)]), "row_sparse"),
    (container([record(np.zeros(1, np.float32), 0, stype=2)]), "csr"),
    (container([record(np.zeros(1, np.float32), 0, V3)]), "np shape semantics"),
    (container([struct.pack("<Iiiq", V2, 0, 1, -1)]), "negative value -1"),
    (container([struct.pack("<Iii", V2, 0, -1)]), "negative ndim"),
    (container([struct.pack("<Iii", V2, 0, 40) + bytes(400)]), "ndim 40"),
], ids=lambda v: v if isinstance(v, str) else f"{len(v)}B")
def test_invalid_input_raises_mxneterror(buf, phrase):
    with pytest.raises(MXNetError, match=phrase):
        mx.nd.load_frombuffer(buf)


@pytest.mark.parametrize("buf", [
    container([], n_arrays=2 ** 60),
    container([], n_arrays=2 ** 64 - 1),
    container([GOOD], n_names=2 ** 63),
    container([GOOD])[:-8] + struct.pack("<QQ", 1, 2 ** 64 - 1),
    container([struct.pack("<Iii", V2, 0, 2 ** 31 - 1) + bytes(64)]),
    container([struct.pack("<I", 2 ** 31 - 1) + bytes(64)]),
    container([struct.pack("<Iiiqqiii", V2, 0, 2, 2 ** 40, 2 ** 40, 1, 0, 0)]),
    container([struct.pack("<Iiiqqiii", V2, 0, 2, 2 ** 62, 2 ** 62, 1, 0, 1)]),
    container([struct.pack("<Iiiqqiii", V2, 0, 2, 0, 2 ** 62, 1, 0, 0)]),
    container([struct.pack("<IIIiii", 2, 2 ** 31, 2 ** 31, 1, 0, 0)]),
], ids=lambda v: f"{len(v)}B")
def test_huge_counts_and_sizes_fail_fast(buf):
    with pytest.raises(MXNetError):
        mx.nd.load_frombuffer(buf)
    load_bounded(buf)


def test_load_errors():
    with pytest.raises(MXNetError, match="No such file"):
        mx.nd.load("/nonexistent/dir/x.params")
    with pytest.raises(TypeError, match="fname required to be a string"):
        mx.nd.load(3)
    with pytest.raises(TypeError):
        mx.nd.load_frombuffer(container([GOOD]).decode("latin-1"))
    with pytest.raises(TypeError):
        mx.nd.load_frombuffer([1, 2])
    assert isinstance(mx.nd.load(FIXTURES / "list_two.nd"), list)  # os.PathLike is fine


# ---- save: arguments and atomicity ----------------------------------------------------------
def test_save_argument_errors(tmp_path):
    x, f = mx.nd.array([1, 2]), str(tmp_path / "f")
    for bad in ((x,), "abc", None, np.zeros(2)):
        with pytest.raises(ValueError, match="data needs to either be a NDArray"):
            mx.nd.save(f, bad)
    for bad in ([x, np.zeros(2)], {1: x}, {"a": np.zeros(2)}):
        with pytest.raises(TypeError, match="save only accept dict str->NDArray"):
            mx.nd.save(f, bad)
    with pytest.raises(TypeError, match="fname required to be a string"):
        mx.nd.save(3, [x])
    with pytest.raises(MXNetError, match="0-d"):
        mx.nd.save(f, [mx.nd.NDArray(np.zeros((), np.float32))])
    with pytest.raises(MXNetError, match="No such file"):
        mx.nd.save(str(tmp_path / "missing" / "f"), [x])
    assert os.listdir(tmp_path) == []


def test_failed_save_leaves_existing_file_untouched(tmp_path, monkeypatch):
    target = tmp_path / "model.params"
    target.write_bytes(b"old content")
    os.chmod(target, 0o640)
    with pytest.raises(MXNetError):
        mx.nd.save(str(target), [mx.nd.array([1]), mx.nd.NDArray(np.zeros((), np.float32))])

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(MXNetError, match="No space left"):
        mx.nd.save(str(target), [mx.nd.array([1])])
    monkeypatch.undo()
    assert target.read_bytes() == b"old content" and os.listdir(tmp_path) == ["model.params"]
    mx.nd.save(target, {"w": mx.nd.array([1, 2])})  # pathlib works; mode is kept
    assert list(mx.nd.load(str(target))) == ["w"] and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_save_writes_through_symlink(tmp_path):
    real = tmp_path / "real.params"
    real.write_bytes(b"x")
    link = tmp_path / "link.params"
    link.symlink_to(real)
    mx.nd.save(str(link), [mx.nd.array([3])])
    assert link.is_symlink() and mx.nd.load(str(real))[0].asnumpy().tolist() == [3.0]


def test_round_trip_of_views_and_non_native_order(tmp_path):
    base = np.arange(12, dtype=">i4").reshape(3, 4)
    arr = mx.nd.array(base)[1:3]
    mx.nd.save(str(tmp_path / "v"), {"v": arr, "b": mx.nd.NDArray(np.ascontiguousarray(base))})
    got = mx.nd.load(str(tmp_path / "v"))
    np.testing.assert_array_equal(got["v"].asnumpy(), base[1:3])
    np.testing.assert_array_equal(got["b"].asnumpy(), base)
    assert got["b"].handle.dtype == np.dtype("int32")


# ---- fuzzing ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["dict_unicode.nd", "dict_two.params", "high_dim.nd"])
def test_every_truncation_raises(name):
    buf = fixture_bytes(name)
    for cut in range(len(buf)):
        with pytest.raises(MXNetError):
            mx.nd.load_frombuffer(buf[:cut])


@settings(FUZZ, max_examples=100)
@given(name=st.sampled_from(FILES), data=st.data())
def test_random_byte_flips(name, data):
    buf = bytearray(fixture_bytes(name))
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(buf) - 1))
        buf[pos] = data.draw(st.integers(0, 255))
    load_bounded(bytes(buf))


#: Byte offsets of integer fields in the fixtures (name -> [(offset, struct code)]).
FIELDS = {
    "dict_two.params": [(16, "<Q"), (32, "<i"), (36, "<q"), (44, "<q"), (60, "<i"),
                        (100, "<q"), (116, "<i"), (136, "<Q"), (144, "<Q"), (157, "<Q")],
    "high_dim.nd": [(16, "<Q"), (28, "<i"), (32, "<i"), (36, "<q"), (44, "<q"), (60, "<q"),
                    (100, "<i")],
    "dict_unicode.nd": [(16, "<Q"), (32, "<i"), (36, "<q"), (52, "<i"), (108, "<i"),
                        (160, "<Q"), (168, "<Q")],
}
HUGE = st.sampled_from([-1, -2, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 40,
                        2 ** 62, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 1, 0, 1, 33, 64])


@settings(FUZZ, max_examples=70)
@given(name=st.sampled_from(sorted(FIELDS)), data=st.data(), value=HUGE)
def test_huge_values_patched_into_headers(name, data, value):
    buf = bytearray(fixture_bytes(name))
    offset, code = data.draw(st.sampled_from(FIELDS[name]))
    size = struct.calcsize(code)
    buf[offset:offset + size] = (value % (1 << (8 * size))).to_bytes(size, "little")
    load_bounded(bytes(buf))


@settings(FUZZ, max_examples=30)
@given(body=st.binary(max_size=96))
def test_random_bodies_after_a_valid_header(body):
    load_bounded(struct.pack("<QQ", 0x112, 0) + body)
