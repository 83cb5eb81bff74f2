"""NDArray creation helpers (symnet/ndarray/creation.py) and the init operators behind them.

Expected values were recorded with MXNet 1.9.1 (shape, dtype name, values).
"""
from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import symnet as mx
from symnet.base import MXNetError
from symnet.dtype import BFLOAT16
from symnet.ops.registry import get_op

nd = mx.nd

RECORDED = {
    "arange(3)": ((3,), 'float32', [0.0, 1.0, 2.0]),
    "arange(3.5)": ((4,), 'float32', [0.0, 1.0, 2.0, 3.0]),
    "arange(2,6,1.5,rep2)": ((6,), 'float32', [2.0, 2.0, 3.5, 3.5, 5.0, 5.0]),
    "arange(2,6,2,rep3,int32)": ((6,), 'int32', [2, 2, 2, 4, 4, 4]),
    "arange(5,0,-1.5)": ((4,), 'float32', [5.0, 3.5, 2.0, 0.5]),
    "arange(-0.5,-9,-1.7,int64)": ((5,), 'int64', [0, -1, -2, -3, -4]),
    "arange(0.5,3.7,0.5,int32)": ((7,), 'int32', [0, 0, 0, 0, 0, 0, 0]),
    "arange(250,260,uint8)": ((10,), 'uint8', [250, 251, 252, 253, 254, 255, 0, 1, 2, 3]),
    "arange(0,1,0.3)": ((4,), 'float32', [0.0, 0.30000001192092896, 0.6000000238418579,
                                          0.9000000357627869]),
    "arange(0,1,0.1,float64)": ((10,), 'float64', [0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5,
                                                   0.6000000000000001, 0.7000000000000001, 0.8,
                                                   0.9]),
    "arange(10,0,-3,rep2)": ((8,), 'float32', [10.0, 10.0, 7.0, 7.0, 4.0, 4.0, 1.0, 1.0]),
    "linspace(2,3,5)": ((5,), 'float32', [2.0, 2.25, 2.5, 2.75, 3.0]),
    "linspace(2,3,5,noend)": ((5,), 'float32', [2.0, 2.200000047683716, 2.4000000953674316,
                                                2.5999999046325684, 2.799999952316284]),
    "linspace(0,1,7)": ((7,), 'float32', [0.0, 0.1666666716337204, 0.3333333432674408, 0.5,
                                          0.6666666865348816, 0.8333333134651184, 1.0]),
    "linspace(0.1,1.3,7,noend)": ((7,), 'float32', [
        0.10000000149011612, 0.27142858505249023, 0.44285714626312256, 0.6142857074737549,
        0.7857142686843872, 0.9571428298950195, 1.1285713911056519]),
    "linspace(0.5,10,4,int32)": ((4,), 'int32', [0, 3, 6, 10]),
    "linspace(2,3,1)": ((1,), 'float32', [2.0]),
    "eye(2,3,1)": ((2, 3), 'float32', [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
    "eye(3,k=-1,int32)": ((3, 3), 'int32', [[0, 0, 0], [1, 0, 0], [0, 1, 0]]),
    "eye(3,k=5)": ((3, 3), 'float32', [[0.0] * 3] * 3),
    "full(2,2.7,int32)": ((2,), 'int32', [2, 2]),
    "full(2,-2.7,int32)": ((2,), 'int32', [-2, -2]),
    "full((2,3),7)": ((2, 3), 'float32', [[7.0, 7.0, 7.0], [7.0, 7.0, 7.0]]),
    "full(2,1/3,float16)": ((2,), 'float16', [0.333251953125, 0.333251953125]),
    "full(2,3,bool)": ((2,), 'bool', [True, True]),
    "zeros((2,3),int8)": ((2, 3), 'int8', [[0, 0, 0], [0, 0, 0]]),
    "ones([2,3],int64)": ((2, 3), 'int64', [[1, 1, 1], [1, 1, 1]]),
    "zeros(3)": ((3,), 'float32', [0.0, 0.0, 0.0]),
    "ones(2,bool)": ((2,), 'bool', [True, True]),
}

CALLS = {
    "arange(3)": lambda: nd.arange(3),
    "arange(3.5)": lambda: nd.arange(3.5),
    "arange(2,6,1.5,rep2)": lambda: nd.arange(2, 6, step=1.5, repeat=2),
    "arange(2,6,2,rep3,int32)": lambda: nd.arange(2, 6, step=2, repeat=3, dtype="int32"),
    "arange(5,0,-1.5)": lambda: nd.arange(5, 0, -1.5),
    "arange(-0.5,-9,-1.7,int64)": lambda: nd.arange(-0.5, -9, -1.7, dtype="int64"),
    "arange(0.5,3.7,0.5,int32)": lambda: nd.arange(0.5, 3.7, 0.5, dtype="int32"),
    "arange(250,260,uint8)": lambda: nd.arange(250, 260, dtype="uint8"),
    "arange(0,1,0.3)": lambda: nd.arange(0, 1, 0.3),
    "arange(0,1,0.1,float64)": lambda: nd.arange(0, 1, 0.1, dtype="float64"),
    "arange(10,0,-3,rep2)": lambda: nd.arange(10, 0, -3, repeat=2),
    "linspace(2,3,5)": lambda: nd.linspace(2.0, 3.0, 5),
    "linspace(2,3,5,noend)": lambda: nd.linspace(2.0, 3.0, 5, endpoint=False),
    "linspace(0,1,7)": lambda: nd.linspace(0, 1, 7),
    "linspace(0.1,1.3,7,noend)": lambda: nd.linspace(0.1, 1.3, 7, endpoint=False),
    "linspace(0.5,10,4,int32)": lambda: nd.linspace(0.5, 10, 4, dtype="int32"),
    "linspace(2,3,1)": lambda: nd.linspace(2, 3, 1),
    "eye(2,3,1)": lambda: nd.eye(2, 3, 1),
    "eye(3,k=-1,int32)": lambda: nd.eye(3, k=-1, dtype="int32"),
    "eye(3,k=5)": lambda: nd.eye(3, k=5),
    "full(2,2.7,int32)": lambda: nd.full(2, 2.7, dtype="int32"),
    "full(2,-2.7,int32)": lambda: nd.full(2, -2.7, dtype="int32"),
    "full((2,3),7)": lambda: nd.full((2, 3), 7),
    "full(2,1/3,float16)": lambda: nd.full(2, 1 / 3, dtype="float16"),
    "full(2,3,bool)": lambda: nd.full(2, 3, dtype="bool"),
    "zeros((2,3),int8)": lambda: nd.zeros((2, 3), dtype="int8"),
    "ones([2,3],int64)": lambda: nd.ones([2, 3], dtype=np.int64),
    "zeros(3)": lambda: nd.zeros(3),
    "ones(2,bool)": lambda: nd.ones(2, dtype="bool"),
}


@pytest.mark.parametrize("key", sorted(RECORDED))
def test_matches_mxnet(key):
    shape, dtype, values = RECORDED[key]
    out = CALLS[key]()
    assert isinstance(out, nd.NDArray)
    assert out.shape == shape and out.dtype == np.dtype(dtype).type
    np.testing.assert_array_equal(out.asnumpy(), np.array(values, dtype=dtype))
    assert out.context == mx.cpu(0)


SIGNATURES = {  # inspect.signature in MXNet 1.9.1 (empty: MXNet's also has stype=None)
    "zeros": "(shape, ctx=None, dtype=None, stype=None, **kwargs)",
    "ones": "(shape, ctx=None, dtype=None, **kwargs)",
    "full": "(shape, val, ctx=None, dtype=<class 'numpy.float32'>, out=None)",
    "arange": "(start, stop=None, step=1.0, repeat=1, infer_range=None, ctx=None, "
              "dtype=<class 'numpy.float32'>)",
    "linspace": "(start, stop, num, endpoint=True, ctx=None, dtype=<class 'numpy.float32'>)",
    "eye": "(N, M=0, k=0, ctx=None, dtype=None, **kwargs)",
}


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_signatures(name):
    sig = inspect.signature(getattr(nd, name))
    text = str(sig.replace(parameters=[p.replace(annotation=inspect.Parameter.empty)
                                       for p in sig.parameters.values()],
                           return_annotation=inspect.Signature.empty))
    assert text == SIGNATURES[name]


def test_shapes_contexts_and_dtypes():
    assert nd.zeros((2, 3, 4)).shape == (2, 3, 4)
    assert nd.ones(5).shape == (5,)
    assert nd.zeros([2, 2], ctx=mx.cpu(1)).context == mx.cpu(1)
    with mx.cpu(3):
        assert nd.ones(2).context == mx.cpu(3)
        assert nd.arange(2).context == mx.cpu(3)
        assert nd.full(2, 1.0).context == mx.cpu(3)
    assert nd.full(3, 1.5, ctx=mx.cpu(2)).context == mx.cpu(2)
    assert nd.eye(2, ctx=mx.cpu(1)).context == mx.cpu(1)
    assert nd.linspace(0, 1, 3, ctx=mx.cpu(1)).context == mx.cpu(1)
    assert nd.zeros(2, dtype=np.float16).dtype == np.float16
    assert nd.ones(2, dtype="float64").dtype == np.float64
    assert nd.arange(3, dtype=np.int64).dtype == np.int64
    assert nd.full(2, 7, dtype=None).dtype == np.float32


def test_empty():
    assert nd.empty is mx.ndarray.ndarray.empty
    x = nd.empty((2, 3), dtype="int32")
    assert x.shape == (2, 3) and x.dtype == np.int32 and x.context == mx.cpu()
    assert nd.empty(4).shape == (4,)
    with pytest.raises(MXNetError):
        nd.empty(2, ctx=mx.gpu())


def test_out_arguments():
    target = nd.ones((2, 3))
    assert nd.zeros((2, 3), out=target) is target
    assert target.asnumpy().sum() == 0
    target = nd.zeros((2, 2), dtype="int32")
    assert nd.full((9, 9), 4.6, out=target) is target  # shape/dtype come from out
    np.testing.assert_array_equal(target.asnumpy(), np.full((2, 2), 4, np.int32))
    target = nd.zeros(3)
    assert nd.full(3, nd.array([2.5]), out=target) is target
    np.testing.assert_array_equal(target.asnumpy(), [2.5, 2.5, 2.5])
    assert nd.full(2, nd.array([5])).asnumpy().tolist() == [5.0, 5.0]


def test_gpu_context_raises():
    for make in (lambda: nd.zeros(3, ctx=mx.gpu()), lambda: nd.ones(2, ctx=mx.gpu(1)),
                 lambda: nd.full(2, 1.0, ctx=mx.gpu()), lambda: nd.arange(3, ctx=mx.gpu()),
                 lambda: nd.linspace(0, 1, 3, ctx=mx.gpu()), lambda: nd.eye(2, ctx=mx.gpu())):
        with pytest.raises(MXNetError, match="gpu"):
            make()


def test_bad_dtype():
    with pytest.raises(MXNetError, match=r"Invalid Input: 'int16', valid values are: "
                                         r"\{'bfloat16', 'bool', 'float16'"):
        nd.zeros((2,), dtype="int16")
    with pytest.raises(MXNetError, match="Invalid Input: 'complex64'"):
        nd.ones(2, dtype=np.complex64)
    with pytest.raises(MXNetError, match="Invalid Input: 'bool'"):
        nd.arange(3, dtype="bool")
    with pytest.raises(MXNetError, match="Invalid Input: 'bool'"):
        nd.eye(2, dtype="bool")


def test_bad_shapes_and_ranges():
    with pytest.raises(MXNetError, match="Shape"):
        nd.zeros((2.0, 3))
    for unknown in (0, (2, 0), ()):  # MXNet 1.x: a zero dim or () is an unknown shape
        with pytest.raises(MXNetError, match="infer"):
            nd.zeros(unknown)
    with pytest.raises(MXNetError, match=r"Invalid range \(start, stop, step\) = \(5,0,1\)"):
        nd.arange(5, 0)
    with pytest.raises(MXNetError, match=r"Invalid range \(start, stop, step\) = \(3,3,1\)"):
        nd.arange(3, 3)
    with pytest.raises(MXNetError, match=r"Invalid range \(start, stop, step\) = \(0,3,-1\)"):
        nd.arange(0, 3, -1)
    with pytest.raises(MXNetError, match="Range does not support step=0, received 0"):
        nd.arange(0, 3, 0)
    with pytest.raises(MXNetError, match="Range only supports repeat > 0, received 0"):
        nd.arange(0, 3, repeat=0)
    with pytest.raises(MXNetError, match="Number of sequence should be non-negative, "
                                         "received -1"):
        nd.linspace(0, 1, -1)
    assert nd.linspace(2, 3, 0).shape == (0,)
    with pytest.raises(MXNetError, match="Required parameter value"):
        nd._internal._full(shape=(2,))
    with pytest.raises(MXNetError, match="Invalid context string foo"):
        nd._internal._zeros(shape=(2,), ctx="foo")
    with pytest.raises(MXNetError, match="storage type"):
        nd.zeros(2, stype="csr")


def test_arange_infer_range_is_deprecated():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = nd.arange(0, 3, infer_range=True)
    assert out.asnumpy().tolist() == [0.0, 1.0, 2.0]
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)


def test_arange_infer_range_operator_uses_output_size():
    out = nd.zeros(5)
    nd._internal._arange(start=2, step=0.5, infer_range=True, out=out)
    assert out.asnumpy().tolist() == [2.0, 2.5, 3.0, 3.5, 4.0]
    with pytest.raises(MXNetError, match="infer"):
        nd._internal._arange(start=2, infer_range=True)


def test_internal_ops_take_context_objects_and_strings():
    assert nd._internal._zeros(shape=(2,), ctx="cpu(1)").context == mx.cpu(1)
    assert nd._internal._ones(shape=(2,), ctx=mx.cpu(2)).context == mx.cpu(2)
    assert nd._internal._full(shape=(2,), value=3, ctx="").context == mx.cpu(0)


def test_bfloat16_fill():
    assert nd.zeros(3, dtype="bfloat16").asnumpy().view(np.uint16).tolist() == [0, 0, 0]
    ones = nd.ones(2, dtype="bfloat16").asnumpy()
    assert ones.dtype == BFLOAT16
    assert ones.view(np.uint16).tolist() == [0x3F80, 0x3F80]
    assert nd.full(1, -1.5, dtype="bfloat16").asnumpy().view(np.uint16).tolist() == [0xBFC0]


def test_zeros_like_ones_like():
    x = nd.array([[1, 2], [3, 4]], dtype="int64")
    z, o = nd.zeros_like(x), x.ones_like()
    assert z.dtype == np.int64 and o.dtype == np.int64 and z.shape == (2, 2)
    assert z.asnumpy().tolist() == [[0, 0], [0, 0]] and o.asnumpy().tolist() == [[1, 1], [1, 1]]
    assert x.zeros_like().context == x.context
    assert x.asnumpy().tolist() == [[1, 2], [3, 4]]


# ---- operator records: names, parameters, inference ------------------------------------------
FIELDS = {  # parameter names and defaults of MXNet 1.9.1's operators
    "_zeros": [("shape", ()), ("ctx", ""), ("dtype", "float32")],
    "_ones": [("shape", ()), ("ctx", ""), ("dtype", "float32")],
    "_full": [("shape", None), ("ctx", ""), ("dtype", "float32"), ("value", "REQUIRED")],
    "_arange": [("start", "REQUIRED"), ("stop", None), ("step", 1.0), ("repeat", 1),
                ("infer_range", False), ("ctx", ""), ("dtype", "float32")],
    "_linspace": [("start", "REQUIRED"), ("stop", "REQUIRED"), ("num", "REQUIRED"),
                  ("endpoint", True), ("ctx", ""), ("dtype", "float32")],
    "_eye": [("N", "REQUIRED"), ("M", 0), ("k", 0), ("ctx", ""), ("dtype", "float32")],
    "zeros_like": [], "ones_like": [],
}


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_operator_fields(name):
    op = get_op(name)
    got = [(f.name, "REQUIRED" if f.required else f.default) for f in op.fields]
    assert got == FIELDS[name]
    assert op.arg_names == (("data",) if name.endswith("_like") else ())


def test_fluent_like_methods():
    assert get_op("zeros_like").fluent == ("zeros_like",)
    assert get_op("ones_like").fluent == ("ones_like",)


def _infer(name, attrs, in_shapes=(), out_shapes=(None,)):
    op = get_op(name)
    return op.shapes(op.parse(attrs), list(in_shapes), list(out_shapes))


def test_init_shape_inference_is_partial():
    assert _infer("_zeros", {"shape": (2, 3)})[1] == [(2, 3)]
    assert _infer("_zeros", {"shape": (0, 3)})[1] == [(None, 3)]
    assert _infer("_zeros", {"shape": (0, 3)}, out_shapes=[(4, 3)])[1] == [(4, 3)]
    assert _infer("_ones", {})[1] == [None]
    assert _infer("_ones", {}, out_shapes=[(5,)])[1] == [(5,)]
    with pytest.raises(MXNetError, match=r"Error in operator _zeros: Shape inconsistent, "
                                         r"Provided = \[4,3\], inferred shape=\[2,3\]"):
        _infer("_zeros", {"shape": (2, 3)}, out_shapes=[(4, 3)])
    assert _infer("_arange", {"start": 0, "stop": 10, "step": 3, "repeat": 2})[1] == [(8,)]
    assert _infer("_arange", {"start": 1, "infer_range": True})[1] == [None]
    assert _infer("_eye", {"N": 2, "M": 5})[1] == [(2, 5)]
    assert _infer("_linspace", {"start": 0, "stop": 1, "num": 4})[1] == [(4,)]
    assert _infer("zeros_like", {}, [(2, None)], [(None, 3)]) == ([(2, 3)], [(2, 3)])


def test_init_type_inference():
    op = get_op("_zeros")
    params = op.parse({"shape": (2,), "dtype": "int8"})
    assert op.types(params, [], [None])[1] == [np.dtype("int8")]
    with pytest.raises(MXNetError, match="expected int8, got float32"):
        op.types(params, [], [np.dtype("float32")])
    with pytest.raises(MXNetError):
        nd._internal._zeros(shape=(2,), out=nd.zeros(2, dtype="float64"))
