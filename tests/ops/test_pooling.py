"""Pooling and _backward_Pooling: shape rules, errors, workspace, JSON and values recorded
from MXNet 1.9.1 (the MKLDNN pip build used as the oracle).

Recorded values come from this oracle snippet (``data``/``head`` as defined below)::

    x = mx.nd.array(data(shape), dtype=dt); x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Pooling(x, **attrs)
    y.backward(mx.nd.array(head(y.shape), dtype=dt))
    print(y.asnumpy().tolist(), x.grad.asnumpy().tolist())   # rounded to 7 decimals
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import symnet as mx
from symnet.base import MXNetError
from symnet.ops.kernel import OpContext
from symnet.ops.registry import get_op
from symnet.test_utils import check_numeric_gradient

from .cases_pooling import pool_backward_ref, pool_ref


def data(shape):
    """Distinct multiples of 0.1, centred on 0 (the oracle's inputs)."""
    n = int(np.prod(shape))
    return (((np.arange(n) * 37) % n) - n // 2).reshape(shape) / 10.0


def head(shape):
    n = int(np.prod(shape))
    return (((np.arange(n) * 5) % 7) - 3).reshape(shape) / 2.0


CONFIGS = [  # (name, data shape, attributes, dtype)
    ("max_pad", (1, 2, 5, 5), dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1)), "float32"),
    ("avg_pad", (1, 2, 5, 5),
     dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="avg"), "float32"),
    ("avg_pad_nocount", (1, 2, 5, 5),
     dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="avg", count_include_pad=False),
          "float32"),
    ("avg_full", (1, 1, 4, 4),
     dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="avg", pooling_convention="full"),
          "float64"),
    ("avg_full_nocount", (1, 1, 4, 4),
     dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="avg", pooling_convention="full",
          count_include_pad=False), "float32"),
    ("sum_pad", (1, 2, 4, 5),
     dict(kernel=(2, 3), stride=(2, 2), pad=(1, 1), pool_type="sum"), "float32"),
    ("lp1", (1, 1, 4, 4), dict(kernel=(2, 2), pad=(1, 1), pool_type="lp", p_value=1), "float32"),
    ("lp2", (1, 1, 4, 4), dict(kernel=(2, 2), pad=(1, 1), pool_type="lp", p_value=2), "float32"),
    ("lp3", (1, 1, 4, 4),
     dict(kernel=(2, 2), stride=(2, 2), pool_type="lp", p_value=3), "float32"),
    ("max_full_edge", (1, 1, 5),
     dict(kernel=(2,), stride=(3,), pad=(1,), pooling_convention="full"), "float32"),
    ("avg_full_edge", (1, 1, 5),
     dict(kernel=(2,), stride=(3,), pad=(1,), pooling_convention="full", pool_type="avg",
          count_include_pad=False), "float64"),
    ("max_same_1d", (1, 2, 7),
     dict(kernel=(3,), stride=(2,), pad=(0, 0, 0), pooling_convention="same"), "float64"),
    ("avg_same_1d", (1, 2, 7),
     dict(kernel=(3,), stride=(2,), pad=(0, 0, 0), pooling_convention="same", pool_type="avg"),
          "float64"),
    ("max_1d", (2, 2, 6), dict(kernel=(3,), stride=(1,), pad=(1,)), "float32"),
    ("avg_3d", (1, 2, 3, 4, 4),
     dict(kernel=(2, 3, 3), stride=(1, 2, 2), pad=(0, 1, 1), pool_type="avg"), "float32"),
    ("max_3d", (1, 1, 3, 4, 4), dict(kernel=(2, 2, 2), stride=(1, 2, 2)), "float32"),
    ("global_avg", (2, 3, 3, 4), dict(global_pool=True, pool_type="avg"), "float32"),
    ("global_max", (2, 3, 3, 4), dict(global_pool=True, kernel=(2, 2)), "float32"),
    ("global_lp2", (1, 2, 3, 3), dict(global_pool=True, pool_type="lp", p_value=2), "float32"),
    ("max_nhwc", (1, 4, 5, 2), dict(kernel=(2, 2), stride=(2, 2), layout="NHWC"), "float32"),
    ("avg_nwc", (1, 5, 2),
     dict(kernel=(3,), stride=(2,), pad=(1,), pool_type="avg", layout="NWC"), "float32"),
    ("max_negpad", (1, 1, 4, 4), dict(kernel=(2, 2), pad=(-1, 0)), "float64"),
    ("max_allpad", (1, 1, 3, 3), dict(kernel=(2, 2), stride=(2, 2), pad=(2, 2)), "float64"),
    ("avg_allpad", (1, 1, 3, 3),
     dict(kernel=(2, 2), stride=(2, 2), pad=(2, 2), pool_type="avg", count_include_pad=False),
          "float64"),
]

# oracle: the snippet in the module docstring, for each entry of CONFIGS
RECORDED = {  # name: (output, data gradient)
    'max_pad':
    ([[[[1.2, 2.0999999, 2.3], [1.7, 2.0999999, 2.0999999], [1.7, 1.7, 1.3]],
       [[2.2, 2.4000001, 1.1], [2.2, 2.2, 1.8], [0.5, 1.6, 1.6]]]],
     [[[[0.0, -1.5, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, -3.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0]],
       [[0.0, 0.0, -1.0, 1.5, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, -1.5],
        [1.0, 0.0, 0.0, -1.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]]]]),
    'avg_pad':
    ([[[[-0.0666667, -0.0111111, 0.4222222], [-0.2111111, 0.2333333, -0.0333333],
        [0.1555556, -0.2333333, -0.4666666]],
       [[-0.0666667, 0.5444445, -0.1333333], [0.3444445, -0.0444445, -0.0333333],
        [-0.4, -0.2333333, 0.0888889]]]],
     [[[[-0.1666667, -0.0555556, 0.1111111, 0.1111111, 0.0],
        [-0.2777778, 0.0, 0.2777778, 0.3333333, 0.0555556],
        [-0.1111111, 0.0555556, 0.1666667, 0.2222222, 0.0555556],
        [-0.1666667, -0.1666667, 0.0, 0.1666667, 0.1666667],
        [-0.0555556, -0.2222222, -0.1666667, -0.0555556, 0.1111111]],
       [[0.0, -0.1111111, -0.1111111, 0.0555556, 0.1666667],
        [0.0555556, -0.1111111, -0.1666667, -0.1666667, 0.0],
        [0.0555556, 0.0, -0.0555556, -0.2222222, -0.1666667],
        [0.1666667, 0.1111111, -0.0555556, -0.3333333, -0.2777778],
        [0.1111111, 0.1111111, 0.0, -0.1111111, -0.1111111]]]]),
    'avg_pad_nocount':
    ([[[[-0.15, -0.0166667, 0.95], [-0.3166666, 0.2333333, -0.05], [0.35, -0.35, -1.05]],
       [[-0.15, 0.8166668, -0.3], [0.5166667, -0.0444445, -0.05], [-0.9, -0.35, 0.2]]]],
     [[[[-0.375, -0.2083333, 0.1666667, 0.1666667, 0.0],
        [-0.5416667, -0.2083333, 0.3333333, 0.4166667, 0.0833333],
        [-0.1666667, 0.0, 0.1666667, 0.25, 0.0833333],
        [-0.2916667, -0.375, -0.0833333, 0.25, 0.3333333], [-0.125, -0.375, -0.25, 0.0, 0.25]],
       [[0.0, -0.1666667, -0.1666667, 0.2083333, 0.375],
        [0.0833333, -0.1388889, -0.2222222, -0.0972222, 0.125],
        [0.0833333, 0.0277778, -0.0555556, -0.3055556, -0.25],
        [0.3333333, 0.2777778, -0.0555556, -0.5555556, -0.5], [0.25, 0.25, 0.0, -0.25, -0.25]]]]),
    'avg_full':
    ([[[[-0.1555556, 0.0888889, 0.0333333], [-0.0111111, -0.0666667, -0.05],
        [-0.05, -0.1, 0.075]]]],
     [[[[-0.1666667, -0.0555556, 0.1111111, 0.1111111], [-0.2777778, 0.0, 0.2777778, 0.3611111],
        [-0.1111111, 0.0555556, 0.1666667, 0.25], [-0.1944444, -0.2777778, -0.0833333, 0.25]]]]),
    'avg_full_nocount':
    ([[[[-0.35, 0.1333333, 0.1], [-0.0166667, -0.0666667, -0.1], [-0.15, -0.2, 0.3]]]],
     [[[[-0.375, -0.2083333, 0.1666667, 0.1666667], [-0.5416667, -0.2083333, 0.3333333, 0.5],
        [-0.1666667, 0.0, 0.1666667, 0.3333333], [-0.4166667, -0.75, -0.3333333, 0.8333334]]]]),
    'sum_pad':
    ([[[[-0.3, 4.1999998, 1.9000001], [-1.5999999, -5.0999999, -1.2], [2.7, 2.6999998, 0.9]],
       [[-0.3, -1.8, -2.0999999], [-1.5999999, 2.9000001, 2.8], [-1.3, -3.3000002, -3.0999999]]]],
     [[[[-1.5, -0.5, 1.0, 1.0, 0.0], [-1.0, 0.5, 1.5, 2.0, 0.5], [-1.0, 0.5, 1.5, 2.0, 0.5],
        [-0.5, -2.0, -1.5, -0.5, 1.0]],
       [[0.0, -1.0, -1.0, 0.5, 1.5], [0.5, 0.0, -0.5, -2.0, -1.5], [0.5, 0.0, -0.5, -2.0, -1.5],
        [1.0, 1.0, 0.0, -1.0, -1.0]]]]),
    'lp1':
    ([[[[-0.8, -1.1, -0.1, 0.9, 0.7], [-1.2, -1.4, 0.6, 1.0, 0.2], [-0.4, 0.2, 0.6, -0.6, -0.6],
        [0.4, 0.2, -1.0, -0.6, 0.2], [0.4, -0.3, -0.9, 0.1, 0.3]]]],
     [[[[-0.5, -1.0, -1.5, 1.5], [0.5, 0.0, -0.5, -1.0], [1.5, 1.0, 0.5, 0.0],
        [-1.0, -1.5, 1.5, 1.0]]]]),
    'lp2':
    ([[[[0.8, 0.8544004, 0.3605551, 0.728011, 0.7],
        [0.8944272, 0.9486833, 0.7071068, 1.0677078, 0.8602325],
        [0.4, 0.6480741, 0.9899495, 0.9899495, 0.5099019],
        [0.4, 0.9486833, 1.0677078, 0.7071068, 0.3162278],
        [0.4, 0.8062258, 0.728011, 0.3605551, 0.3]]]],
     [[[[0.5380943, 0.4433866, -0.511668, 1.1940861], [0.0613917, 0.017126, -0.7108408, 1.2551162],
        [0.0, 0.9415202, -0.7108408, -0.0255641],
        [-0.2442084, 0.9964507, -0.511668, 0.1107378]]]]),
    'lp3':
    ([[[[-0.8443688, 0.7617412], [-0.5360108, -0.5828477]]]],
     [[[[-1.3465015, -0.1893518, 0.0689358, 0.8444641],
        [-0.3366254, -0.0210391, 0.6204227, 0.4308491], [0.0, 0.0, -1.0597233, -0.0294368],
        [0.0, 0.0, -0.117747, -0.2649308]]]]),
    'max_full_edge':
    ([[[-0.2, 0.2, -3.4028234663852886e+38]]], [[[-1.5, 0.0, 1.0, 0.0, 0.0]]]),
    'avg_full_edge':
    ([[[-0.2, 0.05, 0.0]]], [[[-1.5, 0.0, 0.5, 0.5, 0.0]]]),
    'max_same_1d':
    ([[[0.2, 0.6, 0.5, 0.5], [0.4, 0.4, 0.3, -0.2]]],
     [[[0.0, -1.5, 0.0, 1.0, 0.0, 0.0, -1.0], [0.0, 0.0, 2.0, 0.0, 0.0, -0.5, -1.5]]]),
    'avg_same_1d':
    ([[[-0.2666667, 0.1333333, 0.0666667, 0.5], [-0.0333333, -0.1, -0.1666667, -0.2]]],
     [[[-0.5, -0.5, -0.1666667, 0.3333333, 0.3333333, 0.0, -1.0],
       [0.5, 0.5, 0.6666667, 0.1666667, 0.0, -0.1666667, -1.6666667]]]),
    'max_1d':
    ([[[0.1, 0.1, 0.3, 0.3, 0.5, 0.5], [0.7, 0.7, 0.9, 0.9, 1.1, 1.1]],
      [[0.0, 0.2, 0.2, 0.4, 0.4, 0.4], [0.6, 0.8, 0.8, 1.0, 1.0, 1.0]]],
     [[[0.0, -0.5, 0.0, -1.0, 0.0, 2.0], [0.0, -2.0, 0.0, 1.0, 0.0, 0.5]],
      [[0.5, 0.0, -2.0, 0.0, 0.0, 0.0], [1.5, 0.0, 0.0, 0.0, -0.5, 0.0]]]),
    'avg_3d':
    ([[[[[-0.3333334, 0.2666666], [-0.3666667, -0.0666666]],
        [[-0.1555556, -0.2666667], [0.1666667, -0.6]]],
       [[[-0.3333334, 0.2666667], [-0.3666666, 0.4666666]],
        [[-0.1555556, 0.2666667], [0.1666667, -0.0666667]]]]],
     [[[[[-0.0833333, -0.0277778, 0.0555556, 0.0555556], [-0.0833333, -0.0833333, 0.0, 0.0],
         [0.0, -0.0555556, -0.0555556, -0.0555556], [0.0, -0.0555556, -0.0555556, -0.0555556]],
        [[0.0, 0.0833333, 0.0833333, 0.0833333], [-0.0277778, -0.0833333, -0.0555556, -0.0555556],
         [-0.0277778, -0.1666667, -0.1388889, -0.1388889],
         [-0.0277778, -0.1666667, -0.1388889, -0.1388889]],
        [[0.0833333, 0.1111111, 0.0277778, 0.0277778], [0.0555556, -0.0, -0.0555556, -0.0555556],
         [-0.0277778, -0.1111111, -0.0833333, -0.0833333],
         [-0.0277778, -0.1111111, -0.0833333, -0.0833333]]],
       [[[0.0555556, 0.0555556, 0.0, 0.0], [0.0, 0.0833333, 0.0833333, 0.0833333],
         [-0.0555556, 0.0277778, 0.0833333, 0.0833333],
         [-0.0555556, 0.0277778, 0.0833333, 0.0833333]],
        [[0.0833333, 0.0555556, -0.0277778, -0.0277778],
         [-0.0555556, 0.0555556, 0.1111111, 0.1111111], [-0.1388889, 0.0, 0.1388889, 0.1388889],
         [-0.1388889, 0.0, 0.1388889, 0.1388889]],
        [[0.0277778, 0.0, -0.0277778, -0.0277778], [-0.0555556, -0.0277778, 0.0277778, 0.0277778],
         [-0.0833333, -0.0277778, 0.0555556, 0.0555556],
         [-0.0833333, -0.0277778, 0.0555556, 0.0555556]]]]]),
    'max_3d':
    ([[[[[1.7, 2.2], [2.0999999, 1.9]], [[1.2, 2.3], [2.0, 1.9]]]]],
     [[[[[0.0, 0.0, 0.0, 0.0], [0.0, -1.5, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]],
        [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, -2.5]],
        [[0.0, 0.0, 0.0, 0.5], [1.5, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0],
         [-0.5, 0.0, 0.0, 0.0]]]]]),
    'global_avg':
    ([[[[-1.25]], [[-0.05]], [[1.15]]], [[[-1.2499999]], [[-0.05]], [[1.15]]]],
     [[[[-0.125, -0.125, -0.125, -0.125], [-0.125, -0.125, -0.125, -0.125],
        [-0.125, -0.125, -0.125, -0.125]],
       [[0.0833333, 0.0833333, 0.0833333, 0.0833333], [0.0833333, 0.0833333, 0.0833333, 0.0833333],
        [0.0833333, 0.0833333, 0.0833333, 0.0833333]],
       [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]],
      [[[-0.0833333, -0.0833333, -0.0833333, -0.0833333],
        [-0.0833333, -0.0833333, -0.0833333, -0.0833333],
        [-0.0833333, -0.0833333, -0.0833333, -0.0833333]],
       [[0.125, 0.125, 0.125, 0.125], [0.125, 0.125, 0.125, 0.125], [0.125, 0.125, 0.125, 0.125]],
       [[0.0416667, 0.0416667, 0.0416667, 0.0416667], [0.0416667, 0.0416667, 0.0416667, 0.0416667],
        [0.0416667, 0.0416667, 0.0416667, 0.0416667]]]]),
    'global_max':
    ([[[[1.1]], [[2.3]], [[3.5]]], [[[1.0]], [[2.2]], [[3.4000001]]]],
     [[[[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, -1.5]],
       [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
       [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]],
      [[[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, -1.0, 0.0]],
       [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.5, 0.0]],
       [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.5, 0.0]]]]),
    'global_lp2':
    ([[[[1.6881944]], [[1.4282857]]]],
     [[[[0.7996709, 0.7108186, 0.6219662], [0.533114, 0.4442617, 0.3554093],
        [0.266557, 0.1777046, 0.0888523]],
       [[0.0, 0.070014, 0.140028], [0.210042, 0.280056, 0.35007],
        [0.420084, 0.490098, 0.560112]]]]),
    'max_nhwc':
    ([[[[1.4, 1.7], [1.8, 1.5]], [[1.0, 0.7], [-0.2, 1.9]]]],
     [[[[0.0, 1.0], [-1.5, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]],
       [[0.0, 0.0], [0.0, 0.0], [0.0, -1.0], [0.0, 0.0], [0.0, 0.0]],
       [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, -1.5], [0.0, 0.0]],
       [[1.5, 0.5], [0.0, 0.0], [-0.5, 0.0], [0.0, 0.0], [0.0, 0.0]]]]),
    'avg_nwc':
    ([[[-0.2, -0.0666667], [-0.0333333, 0.0], [-0.0666667, 0.0666667]]],
     [[[-0.5, 0.3333333], [-0.5, 0.0], [0.0, -0.3333333], [0.5, -0.1666667], [0.5, 0.1666667]]]),
    'max_negpad':
    ([[[[0.5, 0.6, 0.6]]]],
     [[[[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, -1.5, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]]),
    'max_allpad':
    ([[[[-1.7976931348623157e+308, -1.7976931348623157e+308, -1.7976931348623157e+308],
        [-1.7976931348623157e+308, 0.0, 0.1], [-1.7976931348623157e+308, 0.3, 0.4]]]],
     [[[[0.0, 0.0, 0.0], [0.0, 1.5, 0.5], [0.0, -1.5, 1.0]]]]),
    'avg_allpad':
    ([[[[0.0, 0.0, 0.0], [0.0, -0.2, -0.05], [0.0, 0.25, 0.4]]]],
     [[[[0.375, 0.375, 0.25], [0.375, 0.375, 0.25], [-0.75, -0.75, 1.0]]]]),
}


def _bind_run(attrs: dict, x: np.ndarray, h: np.ndarray | None = None, is_train=True):
    """Forward (and backward with head ``h``) through a bound executor."""
    sym = mx.sym.Pooling(mx.sym.Variable("x"), **attrs)
    grad = mx.nd.zeros(x.shape, dtype=x.dtype)
    exe = sym.bind(mx.cpu(), {"x": mx.nd.array(x, dtype=x.dtype)}, args_grad={"x": grad})
    out = exe.forward(is_train=is_train)[0].asnumpy()
    if h is not None:
        exe.backward([mx.nd.array(h, dtype=x.dtype)])
    return out, grad.asnumpy()


@pytest.mark.parametrize("name, shape, attrs, dtype", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_recorded_forward_and_backward(name, shape, attrs, dtype):
    x = data(shape).astype(dtype)
    expected_out, expected_grad = (np.array(v) for v in RECORDED[name])
    tol = dict(rtol=1e-6, atol=1e-6)
    imperative = mx.nd.Pooling(mx.nd.array(x, dtype=dtype), **attrs).asnumpy()
    np.testing.assert_allclose(imperative, expected_out, **tol)
    out, grad = _bind_run(attrs, x, head(expected_out.shape))
    np.testing.assert_allclose(out, expected_out, **tol)
    np.testing.assert_allclose(grad, expected_grad, **tol)
    # the naive references of cases_pooling.py agree with the oracle too
    np.testing.assert_allclose(pool_ref(x, **attrs), expected_out, **tol)
    ref_grad = pool_backward_ref(head(out.shape).astype(dtype), x, out, **attrs)
    np.testing.assert_allclose(ref_grad, expected_grad, **tol)


def test_avg_full_count_include_pad_float32_gradient_matches_the_forward_pass():
    """The oracle's float32 (MKLDNN) backward divides clipped 'full' windows by the whole
    kernel size (0.2222 at [0,3] below) though its forward pass divided by 6; its float64
    and float16 paths, and symnet in every dtype, differentiate the forward pass."""
    attrs = dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="avg",
                 pooling_convention="full")
    x = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)
    out, grad = _bind_run(attrs, x, np.ones((1, 1, 3, 3), np.float32))
    # oracle (float32 and float64 agree): forward of arange(1, 17)
    np.testing.assert_allclose(out[0, 0], [[1.5555556, 3.3333335, 2.], [6.333333, 11., 6.],
                                           [4.5, 7.5, 4.]], rtol=1e-6)
    # oracle, float64: x.grad with a head of ones (float32 gives 2/9, 4/9 ... instead)
    np.testing.assert_allclose(grad[0, 0, :, 3], [0.277778, 0.555556, 0.277778, 0.694444],
                               rtol=1e-5)


# ---- max ties, Lp near zero (oracle) ------------------------------------------------------------
TIES = np.array([[1, 3, 3, 2], [3, 0, 3, 1], [2, 2, 1, 1], [2, 2, 0, 2]], np.float32)


@pytest.mark.parametrize("attrs, expected", [
    # oracle: x.grad after Pooling(x, **attrs).backward(ones) on TIES
    (dict(kernel=(2, 2), stride=(2, 2)), [[0, 1, 1, 0], [0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]),
    (dict(kernel=(2, 2)), [[0, 2, 1, 0], [1, 0, 2, 0], [1, 1, 0, 0], [0, 0, 0, 1]]),
    (dict(kernel=(3, 3), pad=(1, 1)), [[0, 6, 2, 0], [2, 0, 2, 0], [2, 1, 0, 0], [0, 0, 0, 1]]),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_ties_send_the_gradient_to_the_first_maximum(attrs, expected, dtype):
    x = TIES.astype(dtype).reshape(1, 1, 4, 4)
    out = mx.nd.Pooling(mx.nd.array(x, dtype=dtype), **attrs)
    _, grad = _bind_run(attrs, x, np.ones(out.shape, dtype))
    np.testing.assert_array_equal(grad[0, 0], expected)


def test_max_padding_loses_to_data_and_ties_pick_the_first_data_element():
    # oracle: zeros (and -1s) 3x3, kernel 2, pad 1: every window's first data element wins
    for value in (0.0, -1.0):
        x = np.full((1, 1, 3, 3), value, np.float32)
        out, grad = _bind_run(dict(kernel=(2, 2), pad=(1, 1)), x, np.ones((1, 1, 4, 4)))
        np.testing.assert_array_equal(out, np.full((1, 1, 4, 4), value))
        np.testing.assert_array_equal(grad[0, 0], [[4, 2, 2], [2, 1, 1], [2, 1, 1]])


LP_ZERO = np.array([[0, 0, 3], [0, 0, -6], [7, -8, 9]], np.float32).reshape(1, 1, 3, 3)


@pytest.mark.parametrize("p_value, out, grad", [
    # oracle: Pooling(LP_ZERO, kernel=(2,2), pool_type='lp', p_value=p), backward(ones)
    (1, [[0, -3], [-1, -5]], [[1, 2, 1], [2, 4, 2], [1, 2, 1]]),
    (2, [[0, 6.708204], [10.630146, 13.453624]],
     [[0, 0, 0.4472136], [0, 0, -1.3404037], [0.6585046, -1.3472121, 0.66896474]]),
    (3, [[0, -5.7387934], [-5.5287747, 1]],
     [[0, 0, 0.27327588], [0, 0, 37.093105], [1.6030174, 66.093735, 81]]),
])
def test_lp_gradient_is_zero_where_the_window_norm_is_zero(p_value, out, grad):
    attrs = dict(kernel=(2, 2), pool_type="lp", p_value=p_value)
    got_out, got_grad = _bind_run(attrs, LP_ZERO, np.ones((1, 1, 2, 2), np.float32))
    np.testing.assert_allclose(got_out[0, 0], out, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got_grad[0, 0], grad, rtol=1e-6, atol=1e-6)


def test_lp3_signed_cube_root_and_zero_sum():
    # oracle: [1,-1,2,3], kernel 2 stride 2, p=3 -> out [0, cbrt(35)], grad [0,0,.3738,.8411]
    x = np.array([1., -1, 2, 3], np.float32).reshape(1, 1, 4)
    out, grad = _bind_run(dict(kernel=(2,), stride=(2,), pool_type="lp", p_value=3), x,
                          np.ones((1, 1, 2), np.float32))
    np.testing.assert_allclose(out.ravel(), [0, 3.271066], rtol=1e-6)
    np.testing.assert_allclose(grad.ravel(), [0, 0, 0.373836, 0.841131], rtol=1e-5)


# ---- shapes -------------------------------------------------------------------------------------
def infer(shapes, outs=None, op="Pooling", **attrs):
    opdef = get_op(op)
    params = opdef.parse(attrs)
    outs = outs if outs is not None else [None] * opdef.num_outputs(params)
    return opdef.shapes(params, shapes, outs, "pool")


@pytest.mark.parametrize("shape, attrs, expected", [
    # spec 5.2 examples and oracle: mx.sym.Pooling(data, **attrs).infer_shape(data=shape)
    ((2, 3, 10, 10), dict(kernel=(3, 3), stride=(2, 2)), (2, 3, 4, 4)),
    ((2, 3, 10, 10), dict(kernel=(3, 3), stride=(2, 2), pooling_convention="full"), (2, 3, 5, 5)),
    ((2, 3, 7, 7), dict(kernel=(2, 2), stride=(2, 2)), (2, 3, 3, 3)),
    ((2, 3, 7, 7), dict(kernel=(2, 2), stride=(2, 2), pooling_convention="full"), (2, 3, 4, 4)),
    ((2, 3, 10, 10), dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1)), (2, 3, 5, 5)),
    ((2, 3, 10, 10), dict(kernel=(2, 2)), (2, 3, 9, 9)),
    ((2, 3, 10, 10), dict(global_pool=True), (2, 3, 1, 1)),
    ((2, 3, 10), dict(global_pool=True), (2, 3, 1)),
    ((2, 3, 4, 5, 6), dict(global_pool=True), (2, 3, 1, 1, 1)),
    ((2, 3, 10, 10), dict(global_pool=True, kernel=(3,)), (2, 3, 1, 1)),
    ((2, 3, 10, 10), dict(global_pool=True, kernel=(3, 3), stride=(2, 2), pad=(1, 1)),
     (2, 3, 1, 1)),
    ((2, 3, 10, 10), dict(global_pool=True, layout="NCW"), (2, 3, 1, 1)),
    ((2, 10, 3, 4), dict(global_pool=True, layout="NHWC"), (2, 1, 1, 4)),
    ((2, 3, 3, 3), dict(kernel=(5, 5), pad=(1, 1)), (2, 3, 1, 1)),
    ((2, 3, 3, 3), dict(kernel=(2, 2), pad=(3, 3)), (2, 3, 8, 8)),
    ((2, 3, 10, 10), dict(kernel=(3, 3), pad=(-1, 0)), (2, 3, 6, 8)),
    ((2, 3, 5, 5), dict(kernel=(3, 3), stride=(3, 3), pooling_convention="full"), (2, 3, 2, 2)),
    ((2, 3, 10, 10), dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1), pooling_convention="full"),
     (2, 3, 6, 6)),
    ((1, 1, 7), dict(kernel=(3,), stride=(2, 2)), (1, 1, 3)),
    ((1, 1, 7, 7), dict(kernel=(3, 3), pad=(1, 1, 1)), (1, 1, 7, 7)),
    ((2, 3, 10), dict(kernel=(3,), stride=(2,), pad=(0, 0, 0), pooling_convention="same"),
     (2, 3, 5)),
    ((2, 3, 9), dict(kernel=(3,), stride=(3,), pad=(0, 0, 0), pooling_convention="same"),
     (2, 3, 3)),
    ((2, 10, 3), dict(kernel=(3,), stride=(2,), pad=(0, 0, 0), pooling_convention="same",
                      layout="NWC"), (2, 5, 3)),
    ((2, 3, 10, 10), dict(kernel=(3, 3), layout="NHWC"), (2, 1, 8, 10)),
    ((2, 10, 10, 3), dict(kernel=(3, 3), stride=(2, 2), layout="NHWC"), (2, 4, 4, 3)),
    ((2, 10, 3), dict(kernel=(3,), stride=(2,), layout="NWC"), (2, 4, 3)),
    ((2, 10, 3, 4, 4), dict(kernel=(3, 2, 2), stride=(2, 1, 1), layout="NDHWC"), (2, 4, 2, 3, 4)),
])
def test_output_shapes(shape, attrs, expected):
    assert infer([shape], **attrs)[1][0] == expected
    assert mx.sym.Pooling(mx.sym.Variable("d"), **attrs).infer_shape(d=shape)[1] == [expected]


def test_partial_shapes_and_hidden_workspace():
    assert infer([(None, 3, 10, 10)], kernel=(3, 3), stride=(2, 2))[1] == \
        [(None, 3, 4, 4), (None, 3, 4, 4)]
    assert infer([(2, 3, None, 10)], kernel=(3, 3), pool_type="avg")[1] == [(2, 3, None, 8)]
    assert infer([None], kernel=(3, 3))[1] == [None, None]
    # _backward_Pooling: ograd/output/workspace from the data, the gradient is the data's shape
    ins, outs = infer([None, (2, 3, 6, 6), None, None], op="_backward_Pooling", kernel=(2, 2),
                      stride=(2, 2))
    assert ins == [(2, 3, 3, 3), (2, 3, 6, 6), (2, 3, 3, 3), (2, 3, 3, 3)]
    assert outs == [(2, 3, 6, 6)]


@pytest.mark.parametrize("shape, attrs, message", [
    # oracle: the last line of MXNet's message for infer_shape(data=shape)
    ((2, 3, 3, 3), dict(kernel=(5, 5)), "Check failed: param.kernel[0] <= dshape_nchw[2] + 2 * "
     "param.pad[0]: kernel size (5) exceeds input (3 padded to 3)"),
    ((2, 3, 3, 3), dict(kernel=(3, 5)), "Check failed: param.kernel[1] <= dshape_nchw[3] + 2 * "
     "param.pad[1]: kernel size (5) exceeds input (3 padded to 3)"),
    ((2, 3, 3, 3), dict(kernel=(5, 5), pooling_convention="full"), "kernel size (5) exceeds "
     "input (3 padded to 3)"),
    ((2, 4, 3), dict(kernel=(5,), layout="NWC"), "Check failed: param.kernel[0] <= "
     "dshape_ncw[2] + 2 * param.pad[0]: kernel size (5) exceeds input (3 padded to 4)"),
    ((2, 4, 4, 3), dict(kernel=(3, 5), layout="NHWC"), "kernel size (5) exceeds input (4 "
     "padded to 4)"),
    ((2, 3, 4, 4, 4), dict(kernel=(3, 3, 5)), "Check failed: param.kernel[2] <= dshape_ncdhw[4] "
     "+ 2 * param.pad[2] (5 vs. 4) : kernel size exceeds input"),
    ((2, 3, 2), dict(kernel=(3,), pad=(0, 0, 0), pooling_convention="same"),
     "kernel size (3) exceeds input (2 padded to 2)"),
    ((2, 3, 10), dict(kernel=(3, 3)), "Check failed: dshape.ndim() == 4U (3 vs. 4) : Pooling: "
     "Input data should be 4D in (batch, channel, y, x)"),
    ((2, 3, 10, 10), dict(kernel=(3,)), "Check failed: dshape.ndim() == 3U (4 vs. 3) : "
     "Pooling: Input data should be 3D in (batch, channel, x)"),
    ((2, 3, 10, 10), dict(kernel=(3, 3, 3)), "Check failed: dshape.ndim() == 5U (4 vs. 5) : "
     "Pooling: Input data should be 5D in (batch, channel, d, y, x)"),
    ((2, 3, 4, 5, 6, 7), dict(global_pool=True), "Check failed: dshape.ndim() <= 5 (6 vs. 5) : "
     "Pooling: Input data should be  3D in (batch, channel, x) Or 4D in (batch, channel, y, x) "
     " Or 5D in (batch, channel, d, y, x)"),
    ((2, 3), dict(global_pool=True), "Check failed: dshape.ndim() >= 3 (2 vs. 3)"),
    ((2, 10, 3), dict(kernel=(3,), layout="NCHW"), "Check failed: layout == mshadow::kNCW || "
     "layout == mshadow::kNWC: Need 1D layout"),
    ((2, 3, 10, 10), dict(kernel=(3, 3), layout="NCW"), "Check failed: layout == "
     "mshadow::kNCHW || layout == mshadow::kNHWC: Need 2D layout"),
    ((2, 3, 10, 10, 10), dict(kernel=(3, 3, 3), layout="NCHW"), "Need 3D layout"),
    ((1, 1, 7, 7), dict(kernel=(3, 3), pooling_convention="same"), "Check failed: "
     "dshape.ndim() == 3U (4 vs. 3) : Pooling: Input data should be 3D in (batch, channel, x). "
     "Currently 'same' supports Max Pooling 1-D"),
    ((1, 1, 7), dict(kernel=(3,), pooling_convention="same"),
     "Check failed: i >= 0 && i < ndim(): index = 1 must be in range [0, 1)"),
    ((1, 1, 7), dict(kernel=(3,), pad=(1,), pooling_convention="same"), "Check failed: "
     "param.pad[0] == 0 && param.pad[1] == 0 && param.pad[2] == 0: Same pooling convention "
     "disables the use of pad parameter."),
    ((1, 1, 7, 7), dict(kernel=(3, 3), stride=(2,)),
     "Check failed: i >= 0 && i < ndim(): index = 1 must be in range [0, 1)"),
    ((1, 1, 7, 7), dict(kernel=(3, 3), pool_type="lp"),
     "Check failed: param.p_value.has_value(): "),
])
def test_shape_errors(shape, attrs, message):
    with pytest.raises(MXNetError) as err:
        mx.sym.Pooling(mx.sym.Variable("d"), name="pool", **attrs).infer_shape(d=shape)
    assert message in str(err.value)
    assert "Error in operator pool" in str(err.value)
    with pytest.raises(MXNetError, match="Check failed|Unexpected"):
        mx.nd.Pooling(mx.nd.ones(shape), **attrs)


@pytest.mark.parametrize("attrs, message", [
    # oracle: mx.sym.Pooling(d, **attrs) raises at creation
    (dict(kernel=(2, 2), stride=(0, 1)), "value [0,1]for Parameter stride is invalid, the input "
     "shape must be nonzero in all dimensions"),
    (dict(kernel=(0, 0)), "value [0,0]for Parameter kernel is invalid"),
    (dict(kernel=(2, 2), pool_type="foo"), "Invalid Input: 'foo', valid values are: {'avg', "
     "'lp', 'max', 'sum'}"),
    (dict(kernel="(2,2,"), "Invalid Parameter format for kernel expect Shape(tuple) but "
     "value='(2,2,'"),
    (dict(kernel=(2, 2), p_value="x"), "Invalid Parameter format for p_value expect int or None "
     "but value='x'"),
    (dict(), "Check failed: param.kernel.ndim() == 3U (0 vs. 3) : 0D pooling not supported"),
    (dict(kernel=(3, 3, 3, 3)), "Unexpected input data dim 6\nPooling: Input data should be  3D "
     "in (batch, channel, x),  or 4D in (batch, channel, y, x),  or 5D in (batch, channel, d, "
     "y, x).\n"),
])
def test_parameter_errors(attrs, message):
    with pytest.raises(MXNetError) as err:
        mx.sym.Pooling(mx.sym.Variable("d"), **attrs)
    assert message in str(err.value)


def test_types_and_runtime_errors():
    op = get_op("Pooling")
    params = op.parse({"kernel": (2, 2)})
    # oracle: infer_type accepts integer data; the hidden workspace is symnet's int32
    assert op.types(params, [np.dtype("int32")], [None, None])[1] == \
        [np.dtype("int32"), np.dtype("int32")]
    for dtype, text in (("int32", "floating point types, not int32"),
                        ("int8", "floating point types not int8")):
        # oracle: mx.nd.Pooling(mx.nd.ones((1,1,4,4), dtype=dtype), kernel=(2,2)).asnumpy()
        with pytest.raises(MXNetError, match=f"This operation only support {text}"):
            mx.nd.Pooling(mx.nd.ones((1, 1, 4, 4), dtype=dtype), kernel=(2, 2))
    with pytest.raises(MXNetError, match=r"p value of 4 is not supported yet\.\.\."):
        mx.nd.Pooling(mx.nd.ones((1, 1, 4, 4)), kernel=(2, 2), pool_type="lp", p_value=4)


@pytest.mark.parametrize("attrs, message", [
    # oracle: MKLDNN (float32 max/avg) refuses these; float64 computes them (RECORDED)
    (dict(kernel=(2, 2), pad=(2, 2), stride=(2, 2)), r"Check failed: pad_l\[0\] < kernel\[0\] "
     r"\(2 vs. 2\) :"),
    (dict(kernel=(2, 2), pad=(-1, 0), pool_type="avg"), "could not create a descriptor for a "
     "pooling forward propagation primitive"),
])
def test_float32_mkldnn_padding_limits(attrs, message):
    with pytest.raises(MXNetError, match=message):
        mx.nd.Pooling(mx.nd.ones((1, 1, 4, 4)), **attrs)
    assert mx.nd.Pooling(mx.nd.ones((1, 1, 4, 4), dtype="float64"), **attrs).shape[:2] == (1, 1)
    if attrs.get("pool_type") != "avg":   # oracle: sum and lp are computed in float32 too
        mx.nd.Pooling(mx.nd.ones((1, 1, 4, 4)), pool_type="sum", **attrs)


# ---- symbol, JSON, workspace ---------------------------------------------------------------------
def test_json_and_outputs_of_max_pooling():
    """Spec 1.5/3.3/3.4: max pooling has two rows (MKLDNN workspace), one visible output."""
    pool = mx.sym.Pooling(mx.sym.Variable("data"), kernel=(2, 2), stride=(2, 2),
                          pool_type="max", name="pool1")
    # oracle: pool.tojson()
    assert json.loads(pool.tojson()) == {
        "nodes": [{"op": "null", "name": "data", "inputs": []},
                  {"op": "Pooling", "name": "pool1",
                   "attrs": {"kernel": "(2, 2)", "pool_type": "max", "stride": "(2, 2)"},
                   "inputs": [[0, 0, 0]]}],
        "arg_nodes": [0], "node_row_ptr": [0, 1, 3], "heads": [[1, 0, 0]],
        "attrs": {"mxnet_version": ["int", 10901]}}
    assert pool.list_outputs() == ["pool1_output"]
    assert pool.get_internals().list_outputs() == ["data", "pool1_output"]
    assert len(pool) == 1
    assert mx.sym.load_json(pool.tojson()).tojson() == pool.tojson()


@pytest.mark.parametrize("attrs, rows", [
    # oracle: node_row_ptr of Pooling(data, name='pool1', **attrs)
    (dict(kernel=(2, 2), pool_type="avg"), 1), (dict(kernel=(2, 2), pool_type="sum"), 1),
    (dict(kernel=(2, 2), pool_type="lp", p_value=2), 1), (dict(global_pool=True), 1),
    (dict(global_pool=True, kernel=(2, 2)), 2), (dict(kernel=(2,)), 2), (dict(kernel=(2, 2, 2)), 2),
    (dict(kernel=(2, 2), pooling_convention="full"), 2), (dict(kernel=(2, 2), layout="NHWC"), 1),
    (dict(kernel=(2, 2), layout="NCHW"), 2), (dict(kernel=(2,), layout="NWC"), 1),
])
def test_workspace_rows(attrs, rows):
    pool = mx.sym.Pooling(mx.sym.Variable("data"), name="pool1", **attrs)
    assert json.loads(pool.tojson())["node_row_ptr"] == [0, 1, 1 + rows]
    assert pool.list_outputs() == ["pool1_output"]
    assert mx.sym.Pooling(mx.sym.Variable("data"), **attrs).name.startswith("pooling")


def _kernel_run(op_name, attrs, ins, is_train, n_out):
    op = get_op(op_name)
    params = op.parse(attrs)
    shapes = op.shapes(params, [a.shape for a in ins], [None] * n_out)[1]
    types = op.types(params, [a.dtype for a in ins], [None] * n_out)[1]
    outs = [np.zeros(s, t) for s, t in zip(shapes, types)]
    op.forward(params, OpContext(is_train=is_train), ins, ["write"] * n_out, outs)
    return outs


def test_workspace_holds_first_maximum_offsets_in_training():
    attrs = dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1))
    x = TIES.reshape(1, 1, 4, 4)
    out, ws = _kernel_run("Pooling", attrs, [x], True, 2)
    # window (0,0) covers rows/cols -1..1: its first 3 is data (0,1) = offset (1,2) -> 5;
    # window (1,1) covers rows/cols 1..3: its first 3 is data (1,2) = offset (0,1) -> 1
    np.testing.assert_array_equal(ws[0, 0], [[5, 3], [1, 1]])
    assert ws.dtype == np.int32
    _, unset = _kernel_run("Pooling", attrs, [x], False, 2)
    np.testing.assert_array_equal(unset, -1)       # inference does not search
    og = head(out.shape).astype(np.float32)
    with_ws = _kernel_run("_backward_Pooling", attrs, [og, x, out, ws], False, 1)[0]
    searched = _kernel_run("_backward_Pooling", attrs, [og, x, out, unset], False, 1)[0]
    np.testing.assert_array_equal(with_ws, searched)
    np.testing.assert_array_equal(with_ws, pool_backward_ref(og, x, out, ws, **attrs))


def test_backward_after_inference_forward_and_add_request():
    attrs = dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1))
    x = data((2, 2, 5, 5)).astype(np.float32)
    sym = mx.sym.Pooling(mx.sym.Variable("x"), **attrs)
    grad = mx.nd.ones(x.shape)
    exe = sym.bind(mx.cpu(), {"x": mx.nd.array(x)}, args_grad={"x": grad}, grad_req="add")
    out = exe.forward(is_train=False)[0].asnumpy()
    exe.backward([mx.nd.array(head(out.shape))])
    expected = 1 + pool_backward_ref(head(out.shape), x, out, **attrs)
    np.testing.assert_allclose(grad.asnumpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("attrs", [
    dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="avg"),
    dict(kernel=(2, 2), pool_type="sum", pooling_convention="full", stride=(2, 2)),
    dict(kernel=(2, 2), pool_type="lp", p_value=1),
], ids=str)
def test_avg_and_sum_second_derivative(attrs):
    x = mx.sym.Variable("x")
    y = mx.sym.Pooling(x, **attrs)
    grad_x = mx.sym.elemwise_mul(y, y).gradient("x")
    location = {"x": np.random.default_rng(0).uniform(-1, 1, (1, 2, 5, 5))}
    check_numeric_gradient(grad_x, location, dtype=np.float64)


def test_lenet_sized_pooling_is_fast():
    """Vectorised kernels: a LeNet-sized forward+backward stays well under a second."""
    import time
    x = np.random.default_rng(0).standard_normal((64, 20, 24, 24)).astype(np.float32)
    start = time.perf_counter()
    out, grad = _bind_run(dict(kernel=(2, 2), stride=(2, 2)), x, np.ones((64, 20, 12, 12)))
    assert time.perf_counter() - start < 1.0
    assert grad.sum() == out.size
