"""The generated mx.nd functions bind arrays as MXNet's do (values recorded from MXNet 1.9.1):

    x, w = mx.nd.ones((3, 2)), mx.nd.ones((4, 2))
    mx.nd.FullyConnected(x, w, None, num_hidden=4, no_bias=True).shape     # (3, 4)
    mx.nd.FullyConnected(x, w, mx.nd.ones(4), num_hidden=4, no_bias=True)  # num_inputs 3 vs 2
    mx.nd.FullyConnected(x, num_hidden=4)                                   # 1 vs. 3
    mx.nd.FullyConnected(data=x, bias=b, weight=w, num_hidden=4)            # keywords: [3 3 3 3]
"""
import numpy as np
import pytest

import symnet as mx


def test_arrays_fill_the_actual_inputs_in_order():
    x, w = mx.nd.ones((3, 2)), mx.nd.ones((4, 2))
    assert mx.nd.FullyConnected(x, w, None, num_hidden=4, no_bias=True).shape == (3, 4)
    assert mx.nd.FullyConnected(x, w, num_hidden=4, no_bias=True).shape == (3, 4)
    out = mx.nd.FullyConnected(data=x, bias=mx.nd.ones(4), weight=w, num_hidden=4)
    np.testing.assert_array_equal(out.asnumpy()[0], [3, 3, 3, 3])


def test_wrong_number_of_arrays_names_the_inputs():
    x, w = mx.nd.ones((3, 2)), mx.nd.ones((4, 2))
    with pytest.raises(mx.MXNetError, match=r"expects 2 inputs \['data', 'weight'\], got 3"):
        mx.nd.FullyConnected(x, w, mx.nd.ones(4), num_hidden=4, no_bias=True)
    with pytest.raises(mx.MXNetError, match="expects 3 inputs"):
        mx.nd.FullyConnected(x, num_hidden=4)


def test_optional_input_passed_in_a_skipped_slot():
    """A GRU has no state_cell: the 4th positional array is the sequence length, as in MXNet."""
    T, N, I, H = 3, 2, 3, 4
    data = mx.nd.ones((T, N, I))
    params = mx.nd.ones((3 * H * (I + H) + 6 * H,)) * 0.01
    state = mx.nd.zeros((1, N, H))
    lengths = mx.nd.array([3, 2])
    out = mx.nd.RNN(data, params, state, lengths, state_size=H, num_layers=1, mode="gru",
                    use_sequence_length=True)
    same = mx.nd.RNN(data, params, state, sequence_length=lengths, state_size=H, num_layers=1,
                     mode="gru", use_sequence_length=True)
    np.testing.assert_array_equal(out.asnumpy(), same.asnumpy())
    assert out.shape == (T, N, H)
