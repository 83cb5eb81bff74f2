"""mx.model checkpoints against a checkpoint written by MXNet 1.9.1
(tests/fixtures/make_checkpoint_fixture.py)."""
from __future__ import annotations

import logging
import os

import numpy as np
import pytest

import symnet as mx

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "checkpoint")
PREFIX = os.path.join(FIXTURES, "mlp")


def test_mxnet_checkpoint_loads_and_predicts_like_mxnet():
    sym, arg, aux = mx.model.load_checkpoint(PREFIX, 3)
    assert sorted(arg) == ["bn1_beta", "bn1_gamma", "fc1_bias", "fc1_weight", "fc2_bias",
                           "fc2_weight"]
    assert sorted(aux) == ["bn1_moving_mean", "bn1_moving_var"]
    x = np.load(os.path.join(FIXTURES, "mlp_input.npy"))
    args = dict(arg, data=mx.nd.array(x), softmax_label=mx.nd.zeros(2))
    out = sym.bind(mx.cpu(), args, aux_states=aux, grad_req="null").forward()[0]
    np.testing.assert_allclose(out.asnumpy(), np.load(os.path.join(FIXTURES, "mlp_output.npy")),
                               rtol=1e-5, atol=1e-6)


def test_save_checkpoint_is_byte_identical_to_mxnet(tmp_path, caplog):
    sym, arg, aux = mx.model.load_checkpoint(PREFIX, 3)
    prefix = str(tmp_path / "copy")
    with caplog.at_level(logging.INFO, logger="symnet"):
        mx.model.save_checkpoint(prefix, 3, sym, arg, aux)
    assert "Saved checkpoint to" in caplog.text
    for suffix in ("-symbol.json", "-0003.params"):
        with open(PREFIX + suffix, "rb") as a, open(prefix + suffix, "rb") as b:
            assert a.read() == b.read(), suffix


def test_load_params_drops_unknown_prefixes_and_handles_empty(tmp_path, caplog):
    prefix = str(tmp_path / "p")
    mx.nd.save(prefix + "-0001.params", {"arg:w": mx.nd.ones(2), "aux:m": mx.nd.zeros(1),
                                         "other:x": mx.nd.ones(1), "arg:a:b": mx.nd.ones(3)})
    arg, aux = mx.model.load_params(prefix, 1)
    assert sorted(arg) == ["a:b", "w"] and list(aux) == ["m"]
    mx.nd.save(prefix + "-0002.params", [])
    with caplog.at_level(logging.WARNING, logger="symnet"):
        assert mx.model.load_params(prefix, 2) == ({}, {})
    assert "empty" in caplog.text


def test_missing_checkpoint_raises_clear_error(tmp_path):
    with pytest.raises(mx.MXNetError):
        mx.model.load_checkpoint(str(tmp_path / "nothing"), 0)
