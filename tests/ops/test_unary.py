"""Unary family: inference errors, parameter errors, aliases, fluent methods, and behaviour
recorded from the reference MXNet 1.9.1 (values hard-coded from the oracle's printed output;
each block names the snippet that produced them)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

import symnet as mx
from symnet.base import MXNetError
from symnet.ops.registry import find_op, get_op

from .cases_unary import INT_MIN

NAN, INF = math.nan, math.inf


def nd(values, dtype):
    return mx.nd.array(np.array(values, dtype=dtype), dtype=dtype)


def apply(op: str, values, in_dtype: str, **attrs) -> list:
    fn = getattr(mx.nd, op) if hasattr(mx.nd, op) else getattr(mx.nd._internal, op)
    return fn(nd(values, in_dtype), **attrs).asnumpy().tolist()


# ---- shape and type inference ----------------------------------------------------------------
def test_elemwise_shape_contradiction_names_the_output():
    op = get_op("exp")
    with pytest.raises(MXNetError) as err:
        op.shapes(op.parse({}), [(2, 3)], [(3, 2)], node_name="e")
    assert str(err.value) == ("Error in operator e: Incompatible attr in node e at 0-th output: "
                              "expected [2,3], got [3,2]")


def test_partial_shape_inference_fills_both_sides():
    for name in ("sqrt", "clip", "Cast", "_copy"):
        op = get_op(name)
        params = op.parse({"a_min": 0, "a_max": 1} if name == "clip" else
                          {"dtype": "int32"} if name == "Cast" else {})
        assert op.shapes(params, [(None, 3)], [(2, None)]) == ([(2, 3)], [(2, 3)])
        assert op.shapes(params, [None], [None]) == ([None], [None])


def test_cast_type_inference_leaves_input_free():
    op = get_op("Cast")
    params = op.parse({"dtype": "int32"})
    assert op.types(params, [np.dtype("float16")], [None]) == (
        [np.dtype("float16")], [np.dtype("int32")])
    with pytest.raises(MXNetError, match="expected int32, got float32"):
        op.types(params, [None], [np.dtype("float32")])
    # oracle: mx.sym.cast(mx.sym.var('x'), dtype='int32').infer_type(x='float16')
    #   -> ([float16], [int32], [])
    assert mx.sym.cast(mx.sym.var("x"), dtype="int32").infer_type(x="float16")[:2] == (
        [np.float16], [np.int32])


def test_math_ops_keep_the_dtype():
    op = get_op("exp")
    with pytest.raises(MXNetError, match="Incompatible attr in node exp at 0-th output"):
        op.types(op.parse({}), [np.dtype("float32")], [np.dtype("float64")])


def test_inplace_declarations():
    # oracle: bind cos(OP(sin(sin(x)))) for x of (1000, 1000) and read "Total N MB allocated"
    # in debug_str(): 3 MB for every unary op (in place), 7 MB for clip (not in place).
    assert get_op("clip").inplace(get_op("clip").parse({"a_min": 0, "a_max": 1})) == []
    for name in ("exp", "relu", "logical_not", "_copy", "BlockGrad", "erfinv", "degrees"):
        assert get_op(name).inplace({}) == [(0, 0)]
    assert get_op("Cast").inplace({"dtype": "float32"}) == [(0, 0)]


# ---- parameters -------------------------------------------------------------------------------
X = mx.nd.array([1.0, 2.0])


@pytest.mark.parametrize("call, message", [
    # oracle: mx.nd.clip(x, a_min=0)
    (lambda: mx.nd.clip(X, a_min=0),
     'Required parameter a_max of float is not presented, in operator clip(name="", '
     'a_min="0")'),
    # oracle: mx.nd.clip(x) names a_max (MXNet checks fields alphabetically; symnet's
    # registry checks them in declaration order and names a_min)
    (lambda: mx.nd.clip(X), 'of float is not presented, in operator clip(name="")'),
    # oracle: mx.nd.Cast(x)
    (lambda: mx.nd.Cast(X),
     'Required parameter dtype of int is not presented, in operator Cast(name="")'),
    # oracle: mx.nd.cast(x, dtype='int16')
    (lambda: mx.nd.cast(X, dtype="int16"),
     "Invalid Input: 'int16', valid values are: {'bfloat16', 'bool', 'float16', 'float32', "
     "'float64', 'int32', 'int64', 'int8', 'uint8'}, in operator Cast(name=\"\", "
     "dtype=\"int16\")"),
    # oracle: mx.nd.clip(x, 'abc', 1) (MXNet lists the attributes a_max first)
    (lambda: mx.nd.clip(X, "abc", 1),
     "Invalid Parameter format for a_min expect float but value='abc', in operator clip("),
])
def test_parameter_errors(call, message):
    with pytest.raises(MXNetError) as err:
        call()
    assert message in str(err.value)


def test_bad_dtype_name_is_refused():
    # MXNet's front end raises TypeError("data type 'foo' not understood"); symnet refuses it
    # in the parameter parser, with the list of valid names.
    with pytest.raises(MXNetError, match="Invalid Input: 'foo', valid values are"):
        mx.nd.cast(X, dtype="foo")


def test_parameters_parse_python_values_and_strings():
    assert mx.nd.cast(X, dtype=np.int32).dtype == np.int32
    assert mx.nd.clip(X, a_min="0", a_max="1.5").asnumpy().tolist() == [1.0, 1.5]
    assert get_op("Cast").describe_fields().startswith(
        "dtype : {'bfloat16', 'bool', 'float16', 'float32', 'float64', 'int32', 'int64', "
        "'int8', 'uint8'}, required")
    assert get_op("clip").describe_fields() == ("a_min : float, required\n    Minimum value\n"
                                                "a_max : float, required\n    Maximum value")


# ---- names, aliases, fluent methods ------------------------------------------------------------
def test_aliases():
    assert find_op("identity") is get_op("_copy")
    assert find_op("stop_gradient") is get_op("BlockGrad")
    assert find_op("cast") is get_op("Cast")
    x = mx.nd.array([[1.5, -2.0]])
    for fn in (mx.nd.identity, mx.nd.stop_gradient, mx.nd.BlockGrad, mx.nd._internal._copy):
        assert fn(x).asnumpy().tolist() == [[1.5, -2.0]]
    assert mx.nd.cast(x, dtype="int32").asnumpy().tolist() == [[1, -2]]
    # oracle: mx.sym.identity(x).tojson() stores op "_copy"; mx.sym.cast(...) stores "Cast"
    assert '"op": "_copy"' in mx.sym.identity(mx.sym.var("x")).tojson()
    assert '"op": "Cast"' in mx.sym.cast(mx.sym.var("x"), dtype="int32").tojson()


FLUENT = ("abs sign round rint ceil floor fix trunc square sqrt rsqrt cbrt rcbrt reciprocal "
          "exp expm1 log log2 log10 log1p sin cos tan arcsin arccos arctan sinh cosh tanh "
          "arcsinh arccosh arctanh sigmoid relu degrees radians clip").split()
NOT_FLUENT = ("softsign erf erfinv gamma gammaln negative logical_not identity BlockGrad "
              "stop_gradient Cast cast").split()


def test_fluent_methods_match_mxnet():
    # oracle: hasattr(mx.nd.array([1, 2]), name) and hasattr(mx.sym.var('x'), name)
    x, s = mx.nd.array([0.5, 2.0]), mx.sym.var("x")
    for name in FLUENT:
        assert hasattr(x, name) and hasattr(s, name), name
    for name in NOT_FLUENT:
        assert not hasattr(x, name) and not hasattr(s, name), name
    np.testing.assert_allclose(x.exp().asnumpy(), np.exp([0.5, 2.0]), rtol=1e-6)
    assert x.clip(0, 1).asnumpy().tolist() == [0.5, 1.0]
    assert x.astype("int32").asnumpy().tolist() == [0, 2]
    assert abs(mx.nd.array([-1.5])).asnumpy().tolist() == [1.5]


def test_out_argument_in_place():
    x = mx.nd.array([1.0, 4.0])
    mx.nd.sqrt(x, out=x)
    assert x.asnumpy().tolist() == [1.0, 2.0]


def test_bool_refused_by_math_ops_but_copied():
    # oracle: mx.nd.abs(mx.nd.array([1, 0], dtype='bool')) -> MXNetError: Unknown type enum 7
    b = mx.nd.array([True, False], dtype="bool")
    for fn in (mx.nd.abs, mx.nd.exp, mx.nd.logical_not, lambda a: mx.nd.clip(a, 0, 1)):
        with pytest.raises(MXNetError, match="Unknown type enum 7"):
            fn(b).asnumpy()
    assert mx.nd.identity(b).asnumpy().tolist() == [True, False]
    assert mx.nd.BlockGrad(b).asnumpy().tolist() == [True, False]


# ---- integer arrays, recorded from the oracle ----------------------------------------------------
INTS = [-3, -2, -1, 0, 1, 2, 3, 5, 10]
M = INT_MIN
# oracle: getattr(mx.nd, op)(mx.nd.array(INTS, dtype='int32')).asnumpy().tolist()
ORACLE_INT32 = {
    "abs": [3, 2, 1, 0, 1, 2, 3, 5, 10], "sign": [-1, -1, -1, 0, 1, 1, 1, 1, 1],
    "round": INTS, "rint": INTS, "ceil": INTS, "floor": INTS, "fix": INTS, "trunc": INTS,
    "square": [9, 4, 1, 0, 1, 4, 9, 25, 100], "sqrt": [M, M, M, 0, 1, 1, 1, 2, 3],
    "rsqrt": [M, M, M, M, 1, 0, 0, 0, 0], "cbrt": [-1, -1, -1, 0, 1, 1, 1, 1, 2],
    "rcbrt": [0, 0, -1, M, 1, 0, 0, 0, 0], "reciprocal": [0, 0, -1, M, 1, 0, 0, 0, 0],
    "exp": [0, 0, 0, 1, 2, 7, 20, 148, 22026], "expm1": [0, 0, 0, 0, 1, 6, 19, 147, 22025],
    "log": [M, M, M, M, 0, 0, 1, 1, 2], "log2": [M, M, M, M, 0, 1, 1, 2, 3],
    "log10": [M, M, M, M, 0, 0, 0, 0, 1], "log1p": [M, M, M, 0, 0, 1, 1, 1, 2],
    "sin": [0] * 9, "cos": [0, 0, 0, 1, 0, 0, 0, 0, 0], "tan": [0, 2, -1, 0, 1, -2, 0, -3, 0],
    "arcsin": [M, M, -1, 0, 1, M, M, M, M], "arccos": [M, M, 3, 1, 0, M, M, M, M],
    "arctan": [-1, -1, 0, 0, 0, 1, 1, 1, 1], "sinh": [-10, -3, -1, 0, 1, 3, 10, 74, 11013],
    "cosh": [10, 3, 1, 1, 1, 3, 10, 74, 11013], "tanh": [0] * 9,
    "arcsinh": [-1, -1, 0, 0, 0, 1, 1, 2, 2], "arccosh": [M, M, M, M, 0, 1, 1, 2, 2],
    "arctanh": [M, M, M, 0, M, M, M, M, M], "sigmoid": [0] * 9,
    "relu": [0, 0, 0, 0, 1, 2, 3, 5, 10], "softsign": [0] * 9,
    "erf": [0, 0, 0, 0, 0, 0, 0, 0, 1], "erfinv": [0, 0, M, 0, M, 0, 0, 0, 0],
    "gamma": [M, M, M, M, 1, 1, 2, 24, 362880], "gammaln": [M, M, M, M, 0, 0, 0, 3, 12],
    "negative": [3, 2, 1, 0, -1, -2, -3, -5, -10], "logical_not": [0, 0, 0, 1, 0, 0, 0, 0, 0],
    "degrees": [-171, -114, -57, 0, 57, 114, 171, 286, 572], "radians": [0] * 9,
    "_copy": INTS, "BlockGrad": INTS,
}


@pytest.mark.parametrize("op", sorted(ORACLE_INT32))
def test_int32_matches_oracle(op):
    assert apply(op, INTS, "int32") == ORACLE_INT32[op]
    assert apply(op, INTS, "int64") == [v if v != M else -2 ** 63 for v in ORACLE_INT32[op]]


# oracle: the same snippet with dtype='int8' and with dtype='uint8' (values abs(INTS))
ORACLE_SMALL = [
    ("exp", "int8", [0, 0, 0, 1, 2, 7, 20, -108, 10]),
    ("exp", "uint8", [20, 7, 2, 1, 2, 7, 20, 148, 10]),
    ("tan", "uint8", [0, 254, 1, 0, 1, 254, 0, 253, 0]),
    ("gamma", "int8", [0, 0, 0, 0, 1, 1, 2, 24, -128]),
    ("gamma", "uint8", [2, 1, 1, 0, 1, 1, 2, 24, 128]),
    ("negative", "uint8", [253, 254, 255, 0, 255, 254, 253, 251, 246]),
    ("degrees", "int8", [85, -114, -57, 0, 57, 114, -85, 30, 60]),
    ("degrees", "uint8", [171, 114, 57, 0, 57, 114, 171, 30, 60]),
    ("sqrt", "int8", [0, 0, 0, 0, 1, 1, 1, 2, 3]),
    ("relu", "uint8", [3, 2, 1, 0, 1, 2, 3, 5, 10]),
    ("sign", "uint8", [1, 1, 1, 0, 1, 1, 1, 1, 1]),
]


@pytest.mark.parametrize("op, dtype, expected", ORACLE_SMALL)
def test_small_ints_match_oracle(op, dtype, expected):
    values = [abs(v) for v in INTS] if dtype == "uint8" else INTS
    assert apply(op, values, dtype) == expected


def test_int_precision_edges_match_oracle():
    # oracle: mx.nd.tanh(mx.nd.array(range(-25, 26), dtype='int32')) -> +-1 only for |x| >= 20
    assert apply("tanh", [-20, -19, 19, 20], "int32") == [-1, 0, 0, 1]
    # oracle: mx.nd.sigmoid(... 2*range(-25, 26) ...) -> 1 from x = 38
    assert apply("sigmoid", [36, 38], "int32") == [0, 1]
    # oracle: int32 values computed in double (cbrt(27) = 3, exp(16) = 8886110)
    assert apply("cbrt", [27, -27], "int32") == [3, -3]
    assert apply("exp", [16, 21, 22], "int32") == [8886110, 1318815734, M]
    # oracle: degrees/radians of ints compute in float32
    assert apply("degrees", [16777217, 100000, 123456789, 7], "int32") == [
        961263616, 5729577, M, 401]
    assert apply("radians", [2147483647], "int32") == [37480660]
    # oracle: square of ints is computed in float32 (4097**2 = 16785409 comes out 16785408)
    assert apply("square", [50000, -50000, 3, 4097, 40001], "int32") == [M, M, 9, 16785408,
                                                                          1600080000]
    assert apply("square", [16777217, 209652396], "int64") == [281474976710656,
                                                               43954128371580928]
    assert apply("abs", [16777217, -209652397], "int32") == [16777217, 209652397]
    # oracle: sigmoid negates in C's promoted int: int32 INT_MIN wraps, int8/uint8 do not
    assert apply("sigmoid", [-2 ** 31], "int32") == [1]
    assert apply("sigmoid", [-2 ** 31], "int64") == [0]
    assert apply("sigmoid", [-128], "int8") == [0]
    assert apply("sigmoid", [196], "uint8") == [1]
    big = [2 ** 53 + 1, -(2 ** 53 + 1), 3037000500, 2 ** 62 + 1]
    # oracle: int64 [2**53+1, -(2**53+1), 3037000500, 2**62+1]
    assert apply("abs", big, "int64") == [2 ** 53, 2 ** 53, 3037000500, 2 ** 62]
    assert apply("negative", big, "int64") == [-(2 ** 53 + 1), 2 ** 53 + 1, -3037000500,
                                               -(2 ** 62 + 1)]
    assert apply("relu", big, "int64") == [2 ** 53 + 1, 0, 3037000500, 2 ** 62 + 1]
    assert apply("round", big, "int64") == [2 ** 53, -2 ** 53, 3037000500, 2 ** 62]
    assert apply("softsign", big, "int64") == [1, -1, 0, 1]


# ---- float edge values, recorded from the oracle -------------------------------------------------
EDGE = [NAN, -0.0, 0.0, -0.5, 0.5, 1.5, 2.5, -1.5, -2.5, -1.0, 1.0, 2.0, -2.0, -8.0, INF, -INF,
        0.49999997, -0.49999997]
# oracle: getattr(mx.nd, op)(mx.nd.array(EDGE, dtype='float32')).asnumpy().tolist()
ORACLE_EDGE = {
    "sign": [0, 0, 0, -1, 1, 1, 1, -1, -1, -1, 1, 1, -1, -1, 1, -1, 1, -1],
    "round": [NAN, -0.0, 0, -1, 1, 2, 3, -2, -3, -1, 1, 2, -2, -8, INF, -INF, 0, -0.0],
    "rint": [NAN, -0.0, 0, -1, 0, 1, 2, -2, -3, -1, 1, 2, -2, -8, INF, -INF, 0, -0.0],
    "fix": [NAN, -0.0, 0, -0.0, 0, 1, 2, -1, -2, -1, 1, 2, -2, -8, INF, -INF, 0, -0.0],
    "relu": [NAN, 0, 0, 0, 0.5, 1.5, 2.5, 0, 0, 0, 1, 2, 0, 0, INF, 0, 0.4999999701976776, 0],
    "logical_not": [0, 1, 1] + [0] * 15,
    "rsqrt": [NAN, -INF, INF, NAN, 1.4142135381698608, 0.8164965510368347, 0.6324555277824402,
              NAN, NAN, NAN, 1, 0.7071067690849304, NAN, NAN, 0, NAN, 1.4142135381698608, NAN],
    "gamma": [NAN, -INF, INF, -3.544908046722412, 1.772453784942627, 0.8862269520759583,
              1.3293405771255493, 2.363271713256836, -0.9453086256980896, NAN, 1, 1, NAN, NAN,
              INF, NAN, 1.772454023361206, -3.544907808303833],
    "gammaln": [NAN, INF, INF, 1.2655121088027954, 0.5723649263381958, -0.12078223377466202,
                0.28468286991119385, 0.8600470423698425, -0.056243713945150375, INF, 0, 0, INF,
                INF, INF, INF, 0.5723649859428406, 1.265512228012085],
    "erfinv": [NAN, -0.0, 0, -0.4769362807273865, 0.4769362807273865, NAN, NAN, NAN, NAN, -INF,
               INF, NAN, NAN, NAN, NAN, NAN, 0.4769362509250641, -0.4769362509250641],
    "softsign": [NAN, -0.0, 0, -0.3333333432674408, 0.3333333432674408, 0.6000000238418579,
                 0.7142857313156128, -0.6000000238418579, -0.7142857313156128, -0.5, 0.5,
                 0.6666666865348816, -0.6666666865348816, -0.8888888955116272, NAN, NAN,
                 0.3333333134651184, -0.3333333134651184],
    "sigmoid": [NAN, 0.5, 0.5, 0.3775406777858734, 0.622459352016449, 0.8175744414329529,
                0.9241418242454529, 0.18242552876472473, 0.07585817575454712,
                0.2689414322376251, 0.7310585975646973, 0.8807970285415649,
                0.11920291930437088, 0.00033535013790242374, 1, 0, 0.622459352016449,
                0.3775406777858734],
}


@pytest.mark.parametrize("op", sorted(ORACLE_EDGE))
def test_float_edges_match_oracle(op):
    got = np.array(apply(op, EDGE, "float32"))
    expected = np.array(ORACLE_EDGE[op], dtype=np.float64)
    np.testing.assert_allclose(got, expected, rtol=2e-7, atol=0, equal_nan=True)
    zeros = expected == 0
    assert (np.signbit(got[zeros]) == np.signbit(expected[zeros])).all(), "signed zeros"


def test_degrees_radians_use_float32_constants():
    # oracle: mx.nd.degrees(mx.nd.array([1.0, 0.49999997], dtype='float64'))
    assert apply("degrees", [1.0, 0.49999997], "float64") == [57.2957763671875,
                                                              28.64788646472046]
    assert apply("radians", [1.0, 1.5], "float64") == [0.01745329238474369,
                                                       0.026179938577115536]
    # oracle: mx.nd.degrees(mx.nd.array([1.0, 3.0, 0.1], dtype='float16'))
    assert apply("degrees", [1.0, 3.0, 0.1], "float16") == [57.28125, 171.875, 5.7265625]


def test_float16_matches_oracle():
    x16 = [0.1, 0.5, 1.0, 1.5, 2.5, -0.3, 3.3]
    # oracle: getattr(mx.nd, op)(mx.nd.array(x16, dtype='float16')).asnumpy().tolist()
    assert apply("exp", x16, "float16") == [1.10546875, 1.6484375, 2.71875, 4.48046875,
                                            12.1796875, 0.74072265625, 27.140625]
    assert apply("round", x16, "float16") == [0.0, 1.0, 1.0, 2.0, 3.0, -0.0, 3.0]
    assert apply("rint", x16, "float16") == [0.0, 0.0, 1.0, 1.0, 2.0, -0.0, 3.0]
    rsqrt = apply("rsqrt", x16, "float16")
    assert rsqrt[:5] == [3.162109375, 1.4140625, 1.0, 0.81640625, 0.63232421875]
    assert math.isnan(rsqrt[5])
    assert apply("erfinv", x16, "float16")[2] == INF


# ---- Cast, recorded from the oracle --------------------------------------------------------------
FLOATS = [NAN, INF, -INF, 1e20, 300.7, 200.5, 10.9, -0.9, -1, -3, 70000.0, 3e9, -0.0, 65519.0,
          65520.0, 1.00048828125]
# oracle: mx.nd.cast(mx.nd.array(FLOATS, dtype='float64').astype(src), dtype=dst)
ORACLE_CAST = [
    ("float32", "int32", [M, M, M, M, 300, 200, 10, 0, -1, -3, 70000, M, 0, 65519, 65520, 1]),
    ("float64", "int64", [-2 ** 63] * 4 + [300, 200, 10, 0, -1, -3, 70000, 3000000000, 0,
                                           65519, 65520, 1]),
    ("float32", "int8", [0, 0, 0, 0, 44, -56, 10, 0, -1, -3, 112, 0, 0, -17, -16, 1]),
    ("float64", "uint8", [0, 0, 0, 0, 44, 200, 10, 0, 255, 253, 112, 0, 0, 239, 240, 1]),
    ("float16", "int32", [M, M, M, M, 300, 200, 10, 0, -1, -3, M, M, 0, 65504, M, 1]),
    ("float32", "bool", [True] * 12 + [False, True, True, True]),
    ("float64", "float16", [NAN, INF, -INF, INF, 300.75, 200.5, 10.8984375, -0.89990234375,
                            -1, -3, INF, INF, -0.0, 65504, INF, 1]),
]


@pytest.mark.parametrize("src, dst, expected", ORACLE_CAST)
def test_cast_matches_oracle(src, dst, expected):
    with np.errstate(over="ignore"):
        x = mx.nd.array(np.array(FLOATS).astype(src), dtype=src)
    got = mx.nd.cast(x, dtype=dst)
    assert got.dtype == np.dtype(dst)
    np.testing.assert_array_equal(got.asnumpy(), np.array(expected, dtype=dst))


def test_cast_between_ints_and_from_bool():
    ints = [-2 ** 31, -129, -1, 0, 128, 255, 256, 70000, 16777217, 2 ** 31 - 1]
    # oracle: mx.nd.cast(mx.nd.array(ints, dtype='int32'), dtype=dst)
    assert apply("cast", ints, "int32", dtype="int8") == [0, 127, -1, 0, -128, -1, 0, 112, 1,
                                                          -1]
    assert apply("cast", ints, "int32", dtype="float32")[-2:] == [16777216.0, 2147483648.0]
    assert apply("cast", ints, "int32", dtype="float16")[:2] == [-INF, -129.0]
    # oracle: int64 [2**40+5, -2**40-7] -> int32 [5, -7]
    assert apply("cast", [2 ** 40 + 5, -2 ** 40 - 7], "int64", dtype="int32") == [5, -7]
    # oracle: mx.nd.cast(mx.nd.array([True, False], dtype='bool'), dtype='float32') -> [1, 0]
    assert apply("cast", [True, False], "bool", dtype="float32") == [1.0, 0.0]


def test_cast_bfloat16_round_trip():
    # MXNet 1.9.1's Python front end cannot hold bfloat16 arrays; symnet keeps the bits.
    x = mx.nd.array([1.5, 3.14159, -2.0, 1e-3])
    back = mx.nd.cast(mx.nd.cast(x, dtype="bfloat16"), dtype="float32").asnumpy()
    np.testing.assert_allclose(back, [1.5, 3.140625, -2.0, 1e-3], rtol=4e-3)
    assert back[1] == 3.140625


# ---- clip, recorded from the oracle --------------------------------------------------------------
@pytest.mark.parametrize("values, dtype, lo, hi, expected", [
    # oracle: mx.nd.clip(mx.nd.array(values, dtype=dtype), lo, hi).asnumpy().tolist()
    ([NAN, -0.0, -1.5, 1.5, 0.3], "float32", -1, 1, [NAN, -0.0, -1.0, 1.0, 0.30000001192092896]),
    ([NAN, -0.0, -1.5, 1.5, -1.0], "float32", 1, -1, [NAN, -1.0, 1.0, -1.0, 1.0]),
    ([0.1, 0.2], "float64", 0.15, 0.3, [0.15000000596046448, 0.2]),
    ([-3, -1, 0, 1, 2, 3], "int32", -1.5, 2.7, [-1, -1, 0, 1, 2, 2]),
    ([-100, 0, 100, 120], "int8", -200, 300, [-100, 0, 100, 120]),
    ([-100, 0, 100, 120], "int8", -1000.5, 100.5, [-100, 0, 100, 100]),
    ([0, 100, 250], "uint8", -1.5, 300, [0, 100, 250]),
    ([16777217, 16777218, 16777219], "int32", 1, 16777218, [16777217, 16777218, 16777218]),
    ([2 ** 53 + 1, -(2 ** 53 + 1), 3037000500], "int64", -1e30, 3037000499,
     [3037000448, -(2 ** 53 + 1), 3037000500]),
    ([1.0, 2.0, INF], "float16", 1.0001, 80000, [1.0, 2.0, INF]),  # oracle input: 70000
])
def test_clip_matches_oracle(values, dtype, lo, hi, expected):
    got = mx.nd.clip(nd(values, dtype), lo, hi)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got.asnumpy(), np.array(expected, dtype=dtype))


# ---- gradients, recorded from the oracle ---------------------------------------------------------
# oracle snippet for every block below (MXNet 1.9.1):
#   x = mx.sym.var('x'); s = OP(x, **attrs)
#   xa = mx.nd.array(values, dtype=dtype); ga = mx.nd.zeros(xa.shape, dtype=dtype)
#   exe = s.bind(mx.cpu(), {'x': xa}, args_grad={'x': ga}); exe.forward(is_train=True)
#   exe.backward([head or mx.nd.ones(...)]); ga.asnumpy().tolist()
def backward(op: str, values, in_dtype="float64", head=None, **attrs) -> np.ndarray:
    """The gradient of x for ``op(x, **attrs)`` with head gradient ``head`` (default ones)."""
    fn = getattr(mx.sym, op)
    sym = fn(mx.sym.var("x"), **attrs)
    x = nd(values, in_dtype)
    grad = mx.nd.zeros(x.shape, dtype=in_dtype)
    exe = sym.bind(mx.cpu(), {"x": x}, args_grad={"x": grad})
    out = exe.forward(is_train=True)[0]
    head = np.ones(out.shape) if head is None else np.array(head)
    exe.backward([mx.nd.array(head, dtype=out.dtype)])
    assert grad.dtype == np.dtype(in_dtype)
    return grad.asnumpy()


def assert_same(got, expected, dtype):
    np.testing.assert_allclose(got, np.array(expected, dtype=dtype), rtol=1e-6 if dtype ==
                               "float32" else 1e-13, atol=0, equal_nan=True)


CLIP_X = [-1.0, -0.5, 0.0, 0.5, 0.7, 1.0, 1.5, NAN]


@pytest.mark.parametrize("dtype, values, lo, hi, head, expected", [
    # bounds are inclusive; float64 0.7 lies above the float32 bound 0.699999988 ...
    ("float64", CLIP_X, -0.5, 0.7, None, [0, 1, 1, 1, 0, 0, 0, 1]),
    # ... float32 0.7 is the bound itself; float16 0.7 (0.7002) is compared in float32
    ("float32", CLIP_X, -0.5, 0.7, None, [0, 1, 1, 1, 1, 0, 0, 1]),
    ("float16", CLIP_X, -0.5, 0.7, None, [0, 1, 1, 1, 0, 0, 0, 1]),
    ("float16", [0.7002, 0.6997], -0.5, 0.7, None, [0, 1]),
    ("float64", [0.7, float(np.float32(0.7)), 0.70000002], -0.5, 0.7, None, [0, 1, 0]),
    ("float64", CLIP_X, 1.0, -1.0, None, [0] * 7 + [1]),      # reversed bounds: only NaN
    ("float64", [5.0, 0.0], -0.5, 0.7, [NAN, NAN], [0, NAN]),  # clipped entries are set to 0
])
def test_clip_gradient_matches_oracle(dtype, values, lo, hi, head, expected):
    assert_same(backward("clip", values, dtype, head, a_min=lo, a_max=hi), expected, dtype)


@pytest.mark.parametrize("op, dtype, values, head, expected", [
    # relu's gradient is head * relu'(y): a NaN output or a NaN head gives NaN
    ("relu", "float32", [NAN, -1.0, 0.0, 2.0, INF], None, [NAN, 0, 0, 1, 1]),
    ("relu", "float16", [NAN, -1.0, 0.0, 2.0], None, [NAN, 0, 0, 1]),
    ("relu", "float64", [-1.0, 1.0], [NAN, NAN], [NAN, NAN]),
    ("abs", "float64", [NAN, -1.0, -0.0, 2.0], None, [0, -1, 0, 1]),
    ("sigmoid", "float64", [NAN, -800.0, 0.0, 800.0], None, [NAN, 0, 0.25, 0]),
    ("tanh", "float64", [NAN, -800.0, 0.0, 800.0], None, [NAN, 0, 1, 0]),
    ("softsign", "float64", [INF, -2.0], None, [0, 0.1111111111111111]),
    ("tan", "float64", [1.0, 1.5], None, [3.42551882081476, 199.85004452649244]),
    # erf and erfinv use MXNet's float32 sqrt(pi): 2 / 1.7724539 and 0.5 * 1.7724539
    ("erf", "float64", [0.0, 1.0, 30.0], None, [1.1283791331978021, 0.41510748495032396, 0]),
    ("sqrt", "float64", [-1.0, 0.0, 1.0, 2.0], None, [NAN, INF, 0.5, 0.35355339059327373]),
    ("rsqrt", "float64", [-1.0, 0.0, 1.0, 2.0], None, [NAN, -INF, -0.5, -0.17677669529663687]),
    ("cbrt", "float64", [-1.0, 0.0, 1.0, 2.0], None,
     [0.3333333333333333, INF, 0.3333333333333333, 0.20998684164914547]),
    ("rcbrt", "float64", [-1.0, 0.0, 1.0, 2.0], None,
     [-0.3333333333333333, -INF, -0.3333333333333333, -0.13228342099734994]),
    ("reciprocal", "float64", [-1.0, 0.0, 1.0, 2.0], None, [-1, -INF, -1, -0.25]),
    ("log", "float64", [-1.0, 0.0, 1.0, 2.0], None, [-1, INF, 1, 0.5]),
    ("erfinv", "float64", [-1.0, 0.0, 1.0, 2.0], None, [INF, 0.8862269520759583, INF, NAN]),
    ("arccosh", "float64", [-1.0, 0.0, 1.0, 2.0], None, [INF, NAN, INF, 0.5773502691896258]),
    ("arctanh", "float64", [-1.0, 0.0, 1.0, 2.0], None, [INF, 1, INF, -0.3333333333333333]),
    ("arcsin", "float64", [-1.0, 0.0, 1.0, 2.0], None, [INF, 1, INF, NAN]),
    # the float32 constants 180/pi and pi/180, rounded to the dtype
    ("degrees", "float64", [1.0], None, [57.2957763671875]),
    ("radians", "float64", [1.0], None, [0.01745329238474369]),
    ("degrees", "float16", [1.0], None, [57.28125]),
])
def test_gradient_edge_values_match_oracle(op, dtype, values, head, expected):
    assert_same(backward(op, values, dtype, head), expected, dtype)


GAMMA_X = [-3.0, -2.0, -1.5, -0.0, 0.0, 1e-30, 0.5, 3.0, INF, -INF, NAN]


@pytest.mark.parametrize("op, dtype, expected", [
    # psi is cephes': MAXNUM at 0, -1, -2, ... and -inf (inf once rounded to float32)
    ("gammaln", "float64", [1.7976931348623157e+308, 1.7976931348623157e+308,
                            0.7031567248971711, 1.7976931348623157e+308,
                            1.7976931348623157e+308, -9.999999999999999e+29, -1.963509941769495,
                            0.9227843350984671, INF, 1.7976931348623157e+308, NAN]),
    ("gammaln", "float32", [INF, INF, 0.7031567692756653, INF, INF, -1.0000000150474662e+30,
                            -1.9635107517242432, 0.9227843284606934, INF, INF, NAN]),
    ("gamma", "float64", [NAN, NAN, 1.661750459778802, -INF, INF, -9.999999999999998e+59,
                          -3.4802307575806073, 1.8455686701969343, INF, NAN, NAN]),
    ("gamma", "float32", [NAN, NAN, 1.6617505550384521, -INF, INF, -INF, -3.480232000350952,
                          1.8455688953399658, INF, NAN, NAN]),
])
def test_gamma_gradients_match_oracle(op, dtype, expected):
    # MXNet's cephes psi takes the log of its asymptotic series in float precision (errors
    # up to ~1e-7 relative, even for float64; float32 works in float throughout, ~4e-7);
    # symnet computes the exact digamma in double and rounds it to the dtype.
    got = backward(op, GAMMA_X, dtype)
    rtol = 2e-7 if dtype == "float64" else 1e-6
    np.testing.assert_allclose(got, np.array(expected, dtype=dtype), rtol=rtol, atol=0,
                               equal_nan=True)


def test_gammaln_gradient_far_out():
    # oracle: gammaln'(1e6) = 13.81551024981681 (cephes' float64 psi loses 7 digits there);
    # symnet gives the exact digamma, log(1e6) - 1/(2e6) - ...
    got = backward("gammaln", [1e6])[0]
    assert abs(got - 13.81551024981681) < 2e-7
    assert got == pytest.approx(math.log(1e6) - 0.5e-6 - 1 / 12e12, rel=1e-15)


def test_cast_gradient_is_cast_back():
    # oracle: cast float32 -> float16, head [0.1, 1e5] (float16): x's gradient is float32
    # [0.0999755859375, inf]; float64 -> int32 with head [3, -7]: [3.0, -7.0]
    got = backward("cast", [1.0, 2.0], "float32", [0.1, 1e5], dtype="float16")
    assert got.tolist() == [0.0999755859375, INF]
    got = backward("cast", [1.0, 2.0], "float64", [0.1, 1e5], dtype="float16")
    assert got.tolist() == [0.0999755859375, INF]
    assert backward("cast", [1.5, 2.0], "float64", [3, -7], dtype="int32").tolist() == [3, -7]
    sym = mx.sym.cast(mx.sym.var("x"), dtype="float16").gradient("x")
    assert sym.infer_type(x="float32")[1] == [np.float32]


def test_copy_passes_and_blockgrad_stops_the_gradient():
    # oracle: identity -> ones; BlockGrad -> zeros (into a zero-filled buffer)
    assert backward("identity", [1.0, -2.0]).tolist() == [1.0, 1.0]
    assert find_op("BlockGrad").gradient is None
    assert backward("BlockGrad", [1.0, -2.0]).tolist() == [0.0, 0.0]


ZERO_GRAD = ("sign", "round", "rint", "ceil", "floor", "fix", "trunc")


@pytest.mark.parametrize("op", ZERO_GRAD)
def test_zero_gradient_ops(op):
    # oracle: each gives [0, 0, 0, 0] for x = [-1, 0, 1, 2]; MXNet registers them with
    # MakeZeroGradNodes, symnet with no rule: Symbol.gradient gives zeros_like(x)
    assert find_op(op).gradient is None
    x = mx.sym.var("x")
    grad = (getattr(mx.sym, op)(x) + x).gradient("x")
    assert grad.eval(x=mx.nd.array([-1.0, 0.5, 1.0, 2.0]))[0].asnumpy().tolist() == [1] * 4
    assert getattr(mx.sym, op)(x).gradient("x").eval(
        x=mx.nd.array([1.5, 2.0]))[0].asnumpy().tolist() == [0, 0]


def test_write_request_without_gradient_writes_zeros():
    # oracle: sign(x) with args_grad prefilled [5, 5]: 'write' -> [0, 0], 'add' -> [5, 5]
    x = mx.nd.array([1.0, 2.0])
    grad = mx.nd.array([5.0, 5.0])
    exe = mx.sym.sign(mx.sym.var("x")).bind(mx.cpu(), {"x": x}, args_grad={"x": grad})
    exe.forward(is_train=True)
    exe.backward([mx.nd.ones((2,))])
    assert grad.asnumpy().tolist() == [0.0, 0.0]


def test_add_request_without_gradient_keeps_the_buffer():
    x = mx.nd.array([1.0, 2.0])
    grad = mx.nd.array([5.0, 5.0])
    exe = mx.sym.sign(mx.sym.var("x")).bind(mx.cpu(), {"x": x}, args_grad={"x": grad},
                                            grad_req="add")
    exe.forward(is_train=True)
    exe.backward([mx.nd.ones((2,))])
    assert grad.asnumpy().tolist() == [5.0, 5.0]


# ---- gradient rules build differentiable graphs --------------------------------------------------
DIFFERENTIABLE = sorted({
    "abs", "square", "sqrt", "rsqrt", "cbrt", "rcbrt", "reciprocal", "exp", "expm1", "log",
    "log2", "log10", "log1p", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh",
    "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "sigmoid", "relu", "softsign", "erf",
    "erfinv", "gamma", "gammaln", "negative", "degrees", "radians", "_copy", "Cast", "clip"})


@pytest.mark.parametrize("op", DIFFERENTIABLE)
def test_every_differentiable_op_has_a_rule(op):
    assert find_op(op).gradient is not None


# Second derivatives f''(x) of sum(f(x)) against the analytic formula: op -> (x range, f'').
def _psi(v):
    return special.psi(v)


def _trigamma(v):
    return special.polygamma(1, v)


SQRT_PI32 = float(np.sqrt(np.float32(math.pi)))  # MXNet's sqrt(PI), PI and sqrt in float


SECOND = {
    "abs": ((-2, 2), lambda x: 0 * x),
    "square": ((-2, 2), lambda x: 2 + 0 * x),
    "sqrt": ((0.2, 3), lambda x: -0.25 * x ** -1.5),
    "rsqrt": ((0.2, 3), lambda x: 0.75 * x ** -2.5),
    "cbrt": ((0.2, 3), lambda x: -2 / 9 * x ** (-5 / 3)),
    "rcbrt": ((0.2, 3), lambda x: 4 / 9 * x ** (-7 / 3)),
    "reciprocal": ((0.5, 2), lambda x: 2 / x ** 3),
    "exp": ((-2, 2), np.exp), "expm1": ((-2, 2), np.exp),
    "log": ((0.2, 3), lambda x: -1 / x ** 2),
    "log2": ((0.2, 3), lambda x: -1 / (x ** 2 * math.log(2))),
    "log10": ((0.2, 3), lambda x: -1 / (x ** 2 * math.log(10))),
    "log1p": ((-0.5, 2), lambda x: -1 / (1 + x) ** 2),
    "sin": ((-3, 3), lambda x: -np.sin(x)), "cos": ((-3, 3), lambda x: -np.cos(x)),
    "tan": ((-1.2, 1.2), lambda x: 2 * np.tan(x) / np.cos(x) ** 2),
    "arcsin": ((-0.9, 0.9), lambda x: x * (1 - x * x) ** -1.5),
    "arccos": ((-0.9, 0.9), lambda x: -x * (1 - x * x) ** -1.5),
    "arctan": ((-3, 3), lambda x: -2 * x / (1 + x * x) ** 2),
    "sinh": ((-2, 2), np.sinh), "cosh": ((-2, 2), np.cosh),
    "tanh": ((-2, 2), lambda x: -2 * np.tanh(x) / np.cosh(x) ** 2),
    "arcsinh": ((-3, 3), lambda x: -x * (1 + x * x) ** -1.5),
    "arccosh": ((1.1, 3), lambda x: -x * (x * x - 1) ** -1.5),
    "arctanh": ((-0.9, 0.9), lambda x: 2 * x / (1 - x * x) ** 2),
    "sigmoid": ((-3, 3), lambda x: (lambda s: s * (1 - s) * (1 - 2 * s))(1 / (1 + np.exp(-x)))),
    "relu": ((-2, 2), lambda x: 0 * x),
    "softsign": ((-3, 3), lambda x: -2 * np.sign(x) / (1 + np.abs(x)) ** 3),
    "erf": ((-2, 2), lambda x: -4 * x / SQRT_PI32 * np.exp(-x * x)),
    "erfinv": ((-0.9, 0.9), lambda x: (lambda y: SQRT_PI32 ** 2 / 2 * y * np.exp(2 * y * y))(
        special.erfinv(x))),
    "gamma": ((0.5, 4), lambda x: special.gamma(x) * (_psi(x) ** 2 + _trigamma(x))),
    "gammaln": ((0.5, 4), _trigamma),
    "negative": ((-2, 2), lambda x: 0 * x), "degrees": ((-2, 2), lambda x: 0 * x),
    "radians": ((-2, 2), lambda x: 0 * x), "_copy": ((-2, 2), lambda x: 0 * x),
}


@pytest.mark.parametrize("op", sorted(SECOND))
def test_second_derivative(op):
    (low, high), expected = SECOND[op]
    x = np.random.default_rng(5).uniform(low, high, (2, 3))
    fn = getattr(mx.sym, op) if hasattr(mx.sym, op) else getattr(mx.sym._internal, op)
    v = mx.sym.var("x")
    second = fn(v).gradient("x").gradient("x")
    got = second.eval(x=mx.nd.array(x, dtype="float64"))[0].asnumpy()
    np.testing.assert_allclose(got, expected(x), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("op, attrs, values", [
    ("clip", {"a_min": -0.5, "a_max": 0.7}, [-1.0, 0.0, 0.5, 1.0]),
    ("relu", {}, [-1.0, 0.5, 2.0]),
    ("Cast", {"dtype": "float64"}, [-1.0, 0.5, 2.0]),
])
def test_piecewise_linear_gradients_pass_the_head_gradient_on(op, attrs, values):
    # d/dx of sum(tanh(f(x))) goes through f's backward op with a head gradient that depends
    # on x; its second derivative is f'(x)^2 tanh''(f(x)) (f'' = 0)
    v = mx.sym.var("x")
    sym = mx.sym.tanh(getattr(mx.sym, op)(v, **attrs))
    x = np.array(values)
    got = sym.gradient("x").gradient("x").eval(x=mx.nd.array(x, dtype="float64"))[0].asnumpy()
    f = {"clip": lambda a: np.clip(a, -0.5, np.float32(0.7)), "relu": lambda a: np.maximum(a, 0),
         "Cast": lambda a: a}[op](x)
    slope = {"clip": ((x >= -0.5) & (x <= np.float32(0.7))), "relu": x > 0,
             "Cast": np.ones_like(x)}[op]
    np.testing.assert_allclose(got, slope * (-2 * np.tanh(f) / np.cosh(f) ** 2), rtol=1e-12)
