"""NDArray semantics against MXNet 1.9.1.

Most tests replay the snippets recorded by ``tests/fixtures/make_ndarray_semantics.py`` (run
with the MXNet oracle) against symnet and compare the outcome with what MXNet produced: values,
shapes, dtypes, contexts, which results are views, and error types with their key phrases. The
fixture is plain JSON; MXNet is never imported here. The rest are symnet-specific checks (no GPU
backend, ``np.asarray``, memory invariants) and the few deliberate differences from MXNet.
"""
from __future__ import annotations

import copy
import json
import os
import pickle
import warnings

import numpy as np
import pytest

import symnet as mx
from symnet.base import MXNetError

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "ndarray_semantics.json")
with open(FIXTURE) as _f:
    SEMANTICS = json.load(_f)

def _nd(shape: list, value, dtype: str = "float32") -> dict:
    return {"out": {"type": "NDArray", "shape": shape, "dtype": dtype, "value": value,
                    "ctx": "cpu(0)"}}


_X1 = [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]

#: Cases where symnet deliberately differs from MXNet 1.9.1: name -> (why, symnet's outcome).
#: Each is an MXNet failure or aliasing artefact that no program can usefully rely on.
DIVERGENCES = {
    "create_list_of_nd": (
        "symnet's NDArray has __array__, so NumPy reads a list of NDArrays as numbers; MXNet "
        "fails because NumPy sees opaque objects",
        _nd([2, 2], [[1.0, 2.0], [3.0, 4.0]])),
    "get_x[np.array(1)]": (
        "a 0-d index array is an integer index; MXNet's legacy shape () means 'unknown' and "
        "its broadcast_to fails", _nd([3, 4], _X1)),
    "get_x[:, :-5]": (
        "an empty basic selection on a later axis is an empty array; MXNet's reshape reads "
        "the 0 as 'copy this dim' and fails", _nd([2, 0, 4], [[], []])),
    "get_x[:, 5:]": ("as get_x[:, :-5]", _nd([2, 0, 4], [[], []])),
    "get_x[[], 1]": (
        "an empty advanced index selects nothing; MXNet's gather_nd fails on the 0 dim",
        _nd([0, 4], [])),
    "set_overlap_shift": (
        "v[1:] = v[:-1] copies as if through a temporary (NumPy semantics); MXNet's in-place "
        "kernel reads what it has just written and smears v[0] along",
        _nd([5], [1.0, 1.0, 2.0, 3.0, 4.0])),
    "ctx_int_type": (
        "symnet also accepts a device type id (1 is 'cpu'), as stored in NDArray files; "
        "MXNet takes names only", {"out": {"type": "Context", "value": "cpu(0)"}}),
    "set_empty_slice": (
        "assigning to an empty reversed range writes nothing; MXNet trips an internal assert "
        "(AssertionError with no message)", _nd([2, 3], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])),
}

#: Cases that fail because of a bug outside this module's files: name -> where and why.
# Cases that fail because of code outside NDArray, with the reason (none at present).
ELSEWHERE: dict[str, str] = {}


def run_case(code: str) -> dict:
    """Run a recorded snippet against symnet: ``{'out': ...}`` or ``{'error': ...}``."""
    ns = {"mx": mx, "np": np, "pickle": pickle, "warnings": warnings, "copy": copy}
    exec(SEMANTICS["prelude"], ns)  # noqa: S102 - the fixture's own trusted snippets
    try:
        exec(code, ns)  # noqa: S102
    except Exception as err:  # noqa: BLE001 - the outcome is compared, whatever it is
        return {"error": {"type": type(err).__name__, "message": str(err)}}
    return {"out": describe(ns["out"])}


def describe(obj):
    """The fixture's JSON description of a value (same rules as the recording script)."""
    if isinstance(obj, mx.nd.NDArray):
        return {"type": "NDArray", "shape": list(obj.shape), "dtype": np.dtype(obj.dtype).name,
                "value": obj.asnumpy().tolist(), "ctx": str(obj.context)}
    if isinstance(obj, np.ndarray):
        return {"type": "ndarray", "shape": list(obj.shape), "dtype": obj.dtype.name,
                "value": obj.tolist()}
    if isinstance(obj, np.generic):
        return {"type": "npscalar", "dtype": obj.dtype.name, "value": obj.item()}
    if isinstance(obj, mx.Context):
        return {"type": "Context", "value": str(obj)}
    if isinstance(obj, (tuple, list)):
        return {"type": type(obj).__name__, "items": [describe(i) for i in obj]}
    if isinstance(obj, type):
        name = np.dtype(obj).name if issubclass(obj, np.generic) else obj.__name__
        return {"type": "class", "value": name}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"type": type(obj).__name__, "value": obj}
    return {"type": "other", "value": type(obj).__name__}


def assert_same(actual, expected, where: str = "out") -> None:
    """Compare two descriptions; float values to float32/float16 precision."""
    assert actual["type"] == expected["type"], f"{where}: {actual} != {expected}"
    if "items" in expected:
        assert len(actual["items"]) == len(expected["items"]), f"{where}: {actual} != {expected}"
        for i, (a, e) in enumerate(zip(actual["items"], expected["items"])):
            assert_same(a, e, f"{where}[{i}]")
        return
    for key in ("shape", "dtype", "ctx"):
        assert actual.get(key) == expected.get(key), f"{where}.{key}: {actual} != {expected}"
    dtype = np.dtype(expected["dtype"]) if "dtype" in expected else None
    if dtype is not None and dtype.kind == "f":
        rtol = 1e-3 if dtype.itemsize == 2 else 1e-6
        np.testing.assert_allclose(np.asarray(actual["value"], dtype=np.float64),
                                   np.asarray(expected["value"], dtype=np.float64),
                                   rtol=rtol, atol=0, equal_nan=True, err_msg=where)
    elif isinstance(expected["value"], float) and isinstance(actual["value"], float):
        assert actual["value"] == pytest.approx(expected["value"], rel=1e-6, nan_ok=True), where
    else:
        assert actual["value"] == expected["value"], f"{where}: {actual} != {expected}"


def check_case(case: dict) -> None:
    """Replay one recorded case and compare with MXNet's outcome."""
    got = run_case(case["code"])
    expected = DIVERGENCES[case["name"]][1] if case["name"] in DIVERGENCES else case
    if "error" in expected:
        assert "error" in got, f"MXNet raised {expected['error']}, symnet gave {got}"
        assert got["error"]["type"] == expected["error"]["type"], got["error"]
        for phrase in case.get("match", []):
            assert phrase in got["error"]["message"], (phrase, got["error"]["message"])
    else:
        assert "out" in got, f"symnet raised {got['error']}; MXNet gave {expected['out']}"
        assert_same(got["out"], expected["out"])


def cases_of(*groups: str) -> list:
    """The recorded cases of the given groups, as pytest parameters named after the case."""
    return [pytest.param(c, id=c["name"], marks=_marks(c["name"]))
            for c in SEMANTICS["cases"] if c["group"] in groups]


def _marks(name: str) -> list:
    if name in ELSEWHERE:
        return [pytest.mark.xfail(reason=ELSEWHERE[name], strict=False)]
    return []


@pytest.mark.parametrize("case", cases_of("creation", "properties"))
def test_creation_and_properties(case):
    check_case(case)


@pytest.mark.parametrize("case", cases_of("conversion", "repr"))
def test_conversion_and_repr(case):
    check_case(case)


@pytest.mark.parametrize("case", cases_of("getitem", "views"))
def test_getitem(case):
    check_case(case)


@pytest.mark.parametrize("case", cases_of("setitem"))
def test_setitem(case):
    check_case(case)


@pytest.mark.parametrize("case", cases_of("arith", "inplace"))
def test_operators(case):
    check_case(case)


@pytest.mark.parametrize("case", cases_of("helpers"))
def test_nd_helpers(case):
    check_case(case)


def test_fixture_covers_every_group():
    groups = {c["group"] for c in SEMANTICS["cases"]}
    assert groups == {"creation", "properties", "conversion", "repr", "getitem", "views",
                      "setitem", "arith", "inplace", "helpers", "context"}
    names = {c["name"] for c in SEMANTICS["cases"]}
    assert set(DIVERGENCES) <= names and set(ELSEWHERE) <= names


# ---- symnet-specific behaviour ------------------------------------------------------------
def test_buffer_is_never_rebound():
    x = mx.nd.array([[1, 2, 3], [4, 5, 6]])
    buf = x.handle
    x += 1
    x *= x
    x[:] = 7
    x[0, 1:] = np.array([8, 9])
    x[[1], [0]] = 3
    x -= mx.nd.array([1, 1, 1])
    x /= 2
    x %= 3
    assert x.handle is buf and buf.flags.c_contiguous


@pytest.mark.parametrize("key", [1, (0, 1), slice(1, 2), (Ellipsis, 1), (slice(None), 1),
                                 ([0, 1],), (None, 1), (slice(None, None, -1),)])
def test_results_are_c_contiguous(key):
    x = mx.nd.array(np.arange(24).reshape(2, 3, 4))
    assert x[key].handle.flags.c_contiguous


def test_views_share_memory_and_copies_do_not():
    x = mx.nd.array(np.arange(24).reshape(2, 3, 4))
    assert np.shares_memory(x[1].handle, x.handle)
    assert np.shares_memory(x[1, 1:3].handle, x.handle)
    assert np.shares_memory(x[0, 1, 2].handle, x.handle)
    assert not np.shares_memory(x[:, 1].handle, x.handle)
    assert not np.shares_memory(x[[0]].handle, x.handle)
    assert not np.shares_memory(x.asnumpy(), x.handle)


def test_zero_dim_assignment_works():
    # MXNet 1.x treats shape () as "unknown" and fails here; symnet stores the value.
    z = mx.nd.array(3)
    z[()] = 5
    assert z.asscalar() == 5
    z[:] = mx.nd.array([6])
    assert z.asscalar() == 6 and z.shape == ()


def test_pickle_keeps_zero_dim_shape():
    # MXNet 1.x loses the shape of a pickled 0-d array; symnet keeps it.
    z = pickle.loads(pickle.dumps(mx.nd.array(2.5)))
    assert z.shape == () and z.asscalar() == 2.5


def test_copy_module_gives_independent_arrays():
    x = mx.nd.array([1, 2])
    for y in (copy.copy(x), copy.deepcopy(x)):
        y[:] = 0
        assert x.asnumpy().tolist() == [1, 2]


def test_np_asarray_gives_the_values():
    # MXNet 1.x has no __array__ (NumPy builds an object array of NDArrays); symnet gives
    # the values, sharing memory unless a copy or another dtype is asked for.
    x = mx.nd.array([[1, 2], [3, 4]])
    a = np.asarray(x)
    assert a.dtype == np.float32 and a.tolist() == [[1, 2], [3, 4]]
    assert np.shares_memory(a, x.handle)
    assert np.asarray(x, dtype=np.int64).dtype == np.int64
    assert not np.shares_memory(np.array(x), x.handle)


def test_numpy_on_the_left_defers_to_ndarray():
    x = mx.nd.array([1, 2])
    with pytest.raises(TypeError, match="not supported"):
        np.ones(2) + x
    y = np.float32(2) * x
    assert isinstance(y, mx.nd.NDArray) and y.asnumpy().tolist() == [2, 4]


@pytest.mark.parametrize("make", [
    lambda: mx.nd.array([1, 2], ctx=mx.gpu()),
    lambda: mx.nd.array([1, 2]).copyto(mx.gpu(0)),
    lambda: mx.nd.array([1, 2]).as_in_context(mx.gpu(1)),
    lambda: mx.nd.empty((2,), ctx=mx.gpu()),
])
def test_gpu_data_raises(make):
    with pytest.raises(MXNetError, match="no GPU backend"):
        make()


def test_gpu_default_context_raises_on_creation():
    with mx.gpu(0):
        with pytest.raises(MXNetError, match="no GPU backend"):
            mx.nd.array([1])
    assert mx.nd.array([1]).context == mx.cpu()


def test_wait_functions_return_none():
    x = mx.nd.array([1])
    assert x.wait_to_read() is None and x.wait_to_write() is None and mx.nd.waitall() is None


def test_helpers_are_documented_and_named():
    for name in ("add", "subtract", "power", "lesser_equal", "logical_xor", "true_divide"):
        fn = getattr(mx.nd, name)
        assert fn.__name__ == name and "broadcast" in fn.__doc__
    assert not hasattr(mx.nd, "hypot")


def test_scalar_helpers_pass_python_floats():
    # The scalar goes to the operator as a float (MXNet: float(scalar)); huge ints round.
    x = mx.nd.array([0], dtype="int64")
    assert (x + np.int64(3)).asnumpy().tolist() == [3]
    assert mx.nd.add(x, True).asnumpy().tolist() == [1]
