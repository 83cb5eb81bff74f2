"""Gluon model-zoo exports made by MXNet 1.9.1 load and run in symnet as they do in MXNet.

The exports and MXNet's recorded results are megabytes, so they are not in the repository:
``tests/fixtures/make_modelzoo_fixtures.py`` writes them into ``$SYMNET_MODELZOO_DIR``
(default ``~/.cache/symnet-modelzoo``); each model whose files are absent is skipped. The small
committed fixture ``tests/fixtures/modelzoo/resnet18_v1-symbol.json`` (resnet18_v1's exported
graph cut after stage 2, no weights) checks loading and shape inference always.

Each model is run as the script runs it in MXNet, in float32 and in float64:
``load_checkpoint``, ``simple_bind`` with gradients of every argument, ``forward(is_train=False)``; then the train graph (Dropout p=0),
``forward(is_train=True)``, ``backward(out_grad)``. Errors are max |symnet - MXNet| divided by
the largest magnitude of MXNet's array (elementwise relative errors of values near zero mean
nothing). A gradient that is zero in exact arithmetic (a bias or beta whose every path ends in a
training-mode BatchNorm) is pure rounding noise on both sides, so gradient errors are divided by
at least ``FLOOR`` times the model's largest gradient norm.

Tolerances:

* float32 inference vs MXNet float32: 1e-4; also bound without gradients, with the recorded
  batch twice, so the pass runs in slices of the batch on two threads.
* float64 inference, training output, gradients (of the data, five parameters, and the norm of
  every argument's gradient) and moving statistics vs MXNet float64: 1e-9.
* float32 training vs the exact answer (MXNet float64): no worse than twice MXNet's own float32
  error of the same kind, and within 1e-4 (output, moving statistics) or 1e-3 (gradients)
  anyway. MXNet's float32 gradients are up to several percent off the exact ones on the deeper
  networks (a ReLU or max-pool decision flips on a value that rounds differently; BatchNorm's
  backward cancels), and so are symnet's, so float32 gradients cannot be compared tightly.
  The float32 training output and moving statistics are also within 2e-4 of MXNet's float32.
"""
from __future__ import annotations

import functools
import json
import os

import numpy as np
import pytest

import symnet as mx

MODELS = ["resnet18_v1", "resnet18_v2", "mobilenet0.25", "mobilenetv2_0.25", "squeezenet1.1",
          "densenet121", "vgg11_bn", "alexnet", "inceptionv3"]
ZOO = os.environ.get("SYMNET_MODELZOO_DIR",
                     os.path.join(os.path.expanduser("~"), ".cache", "symnet-modelzoo"))
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "modelzoo")
SUFFIXES = ("-symbol.json", "-0000.params", "-train-symbol.json", "-meta.json",
            "-record-float32.npz", "-record-float64.npz")
FLOOR = {"float32": 1e-4, "float64": 1e-6}


def _prefix(name: str) -> str:
    """The files' prefix for ``name``, or skip the test naming the script that makes them."""
    prefix = os.path.join(ZOO, name)
    missing = [name + s for s in SUFFIXES if not os.path.exists(prefix + s)]
    if missing:
        what = "no files" if len(missing) == len(SUFFIXES) else ", ".join(missing) + " missing"
        pytest.skip(f"{name}: {what} in {ZOO}; make them with 'oracle python "
                    "tests/fixtures/make_modelzoo_fixtures.py' (SYMNET_MODELZOO_DIR sets the "
                    "directory)")
    return prefix


@functools.lru_cache(maxsize=None)
def _meta(name: str) -> dict:
    with open(_prefix(name) + "-meta.json") as f:
        return json.load(f)


@functools.lru_cache(maxsize=None)
def _mxnet(name: str, dtype: str) -> dict:
    """MXNet's recorded arrays for ``name`` in ``dtype``."""
    with np.load(f"{_prefix(name)}-record-{dtype}.npz") as rec:
        return {k: rec[k] for k in rec.files}


def _bind(sym, arg: dict, aux: dict, shape: tuple, dtype: str):
    """simple_bind in ``dtype`` with gradients of every argument, parameters loaded."""
    types = {n: np.dtype(dtype) for n in sym.list_inputs()}
    exe = sym.simple_bind(mx.cpu(), data=tuple(shape), grad_req="write", type_dict=types)
    exe.copy_params_from({k: v.astype(dtype) for k, v in arg.items()},
                         {k: v.astype(dtype) for k, v in aux.items()})
    return exe


@functools.lru_cache(maxsize=None)
def _symnet(name: str, dtype: str) -> dict:
    """symnet's arrays for ``name`` in ``dtype``, keyed like MXNet's record."""
    prefix, meta, want = _prefix(name), _meta(name), _mxnet(name, dtype)
    shape = meta["data_shape"]
    data, out_grad = want["data"].astype(dtype), want["out_grad"].astype(dtype)
    sym, arg, aux = mx.model.load_checkpoint(prefix, 0)
    exe = _bind(sym, arg, aux, shape, dtype)
    got = {"infer": exe.forward(is_train=False, data=mx.nd.array(data, dtype=dtype))[0].asnumpy()}
    exe = _bind(mx.sym.load(prefix + "-train-symbol.json"), arg, aux, shape, dtype)
    got["train"] = exe.forward(is_train=True, data=mx.nd.array(data, dtype=dtype))[0].asnumpy()
    exe.backward([mx.nd.array(out_grad, dtype=dtype)])
    grads = exe.grad_dict
    for key in want:
        kind, _, arg_name = key.partition(":")
        if kind == "grad":
            got[key] = grads[arg_name].asnumpy()
        elif kind == "gradsq":
            got[key] = np.array(np.square(grads[arg_name].asnumpy().astype(np.float64)).sum())
        elif kind == "aux":
            got[key] = exe.aux_dict[arg_name].asnumpy()
    return got


def _errors(got: dict, want: dict, floor: float) -> dict:
    """Relative error of every key of ``got`` against ``want`` (see the module docstring)."""
    norm = max(float(np.sqrt(v)) for k, v in want.items() if k.startswith("gradsq:"))
    errors = {}
    for key, value in got.items():
        ref = want[key]
        assert value.shape == ref.shape and value.dtype == ref.dtype, (key, value.shape, ref.shape)
        diff = np.abs(value.astype(np.float64) - ref)
        if key.startswith("gradsq:"):  # compare norms
            diff, ref = np.abs(np.sqrt(value) - np.sqrt(ref)), np.sqrt(ref)
        scale = float(np.abs(ref).max())
        if key.startswith("grad"):
            scale = max(scale, floor * norm)
        errors[key] = float(diff.max()) / scale if scale else float(diff.max())
    return errors


def _worst(errors: dict) -> dict:
    """The largest error of each kind (infer, train, grad, gradsq, aux)."""
    worst: dict = {}
    for key, err in errors.items():
        kind = key.partition(":")[0]
        if err >= worst.get(kind, (-1.0, ""))[0]:
            worst[kind] = (err, key)
    return worst


def _assert_within(errors: dict, tol: float, name: str) -> None:
    bad = {k: f"{v:.3g}" for k, v in errors.items() if not v <= tol}
    assert not bad, f"{name}: errors above {tol:g}: {bad}"


def test_committed_resnet18_graph_loads_and_infers_shapes() -> None:
    """resnet18_v1's exported graph (no weights) loads; names and shapes are MXNet's."""
    sym = mx.sym.load(os.path.join(HERE, "resnet18_v1-symbol.json"))
    with open(os.path.join(HERE, "resnet18_v1-shapes.json")) as f:
        meta = json.load(f)
    _check_shapes(sym, meta)


def _check_shapes(sym, meta: dict) -> None:
    """Argument, output and auxiliary names and inferred shapes equal MXNet's."""
    arg_shapes, out_shapes, aux_shapes = sym.infer_shape(data=tuple(meta["data_shape"]))
    got = {"arguments": [[n, list(s)] for n, s in zip(sym.list_arguments(), arg_shapes)],
           "outputs": [[n, list(s)] for n, s in zip(sym.list_outputs(), out_shapes)],
           "aux": [[n, list(s)] for n, s in zip(sym.list_auxiliary_states(), aux_shapes)]}
    for key, value in got.items():
        assert value == meta[key], key


@pytest.mark.parametrize("name", MODELS)
def test_export_loads_and_infers_shapes(name: str) -> None:
    sym, arg, aux = mx.model.load_checkpoint(_prefix(name), 0)
    meta = _meta(name)
    _check_shapes(sym, meta)
    assert {k: list(v.shape) for k, v in arg.items()} == {
        n: s for n, s in meta["arguments"] if n != "data"}
    assert {k: list(v.shape) for k, v in aux.items()} == dict(map(tuple, meta["aux"]))


@pytest.mark.parametrize("name", MODELS)
def test_float32_inference_matches_mxnet(name: str) -> None:
    got, want = _symnet(name, "float32"), _mxnet(name, "float32")
    _assert_within(_errors({"infer": got["infer"]}, want, FLOOR["float32"]), 1e-4, name)


@pytest.mark.parametrize("name", MODELS)
def test_inference_in_slices_matches_mxnet(name: str, monkeypatch) -> None:
    """Bound without gradients, as for prediction, every network runs its inference passes in
    slices of the batch (one thread each, ``executor/slices.py``), with MXNet's outputs."""
    from symnet import config, parallel
    if not parallel.blas_threads_settable():
        pytest.skip("slices need OpenBLAS's thread count settable")
    monkeypatch.setattr(config, "num_threads", 2)
    monkeypatch.setattr(parallel, "MIN_WORK_PER_THREAD", 1)
    want = _mxnet(name, "float32")
    data = np.concatenate([want["data"]] * 2)  # the recorded batch twice: at least 2 samples
    sym, arg, aux = mx.model.load_checkpoint(_prefix(name), 0)
    exe = sym.simple_bind(mx.cpu(), data=data.shape, grad_req="null")
    exe.copy_params_from(arg, aux)
    got = exe.forward(is_train=False, data=mx.nd.array(data))[0].asnumpy()
    assert exe._sliced[1] is not None, f"{name}: inference was not sliced"
    for half in np.split(got, 2):
        _assert_within(_errors({"infer": half}, want, FLOOR["float32"]), 1e-4, name)


@pytest.mark.parametrize("name", MODELS)
def test_float64_inference_and_training_match_mxnet(name: str) -> None:
    errors = _errors(_symnet(name, "float64"), _mxnet(name, "float64"), FLOOR["float64"])
    _assert_within(errors, 1e-9, name)


def _as64(rec: dict) -> dict:
    return {k: v.astype(np.float64) for k, v in rec.items() if k not in ("data", "out_grad")}


@pytest.mark.parametrize("name", MODELS)
def test_float32_training_is_as_close_to_exact_as_mxnet(name: str) -> None:
    exact = _mxnet(name, "float64")
    ours = _worst(_errors(_as64(_symnet(name, "float32")), exact, FLOOR["float32"]))
    theirs = _worst(_errors(_as64(_mxnet(name, "float32")), exact, FLOOR["float32"]))
    direct = {k: v for k, v in _symnet(name, "float32").items()
              if k == "train" or k.startswith("aux:")}
    _assert_within(_errors(direct, _mxnet(name, "float32"), FLOOR["float32"]), 2e-4, name)
    base = {"infer": 1e-4, "train": 1e-4, "aux": 1e-4, "grad": 1e-3, "gradsq": 1e-3}
    for kind, (err, key) in ours.items():
        tol = max(base[kind], 2 * theirs[kind][0])
        assert err <= tol, f"{name}: {key} is {err:.3g} off float64, MXNet's float32 " \
                           f"{theirs[kind][0]:.3g} ({theirs[kind][1]})"
