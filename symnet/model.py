"""Model checkpoints in MXNet's format: ``prefix-symbol.json`` + ``prefix-%04d.params``.

``save_checkpoint`` writes the symbol's JSON and an ``nd.save`` dict whose keys are
``arg:<name>`` and ``aux:<name>``; ``load_checkpoint`` reads both back. Files are byte-identical
to MXNet 1.9.1's for the same content.
"""
from __future__ import annotations

import logging

from .ndarray import load as nd_load, save as nd_save
from .ndarray.ndarray import NDArray
from .context import cpu

__all__ = ["save_checkpoint", "load_checkpoint", "load_params"]

_log = logging.getLogger("symnet")


def save_checkpoint(prefix: str, epoch: int, symbol, arg_params: dict, aux_params: dict,
                    remove_amp_cast: bool = True) -> None:
    """Save ``symbol`` to ``prefix-symbol.json`` and the parameters to ``prefix-%04d.params``.

    ``symbol`` may be None to save parameters only. Arrays are saved from CPU copies.
    """
    if symbol is not None:
        symbol.save(f"{prefix}-symbol.json")
    params = {f"arg:{k}": _on_cpu(v) for k, v in arg_params.items()}
    params.update({f"aux:{k}": _on_cpu(v) for k, v in aux_params.items()})
    name = "%s-%04d.params" % (prefix, epoch)
    nd_save(name, params)
    _log.info('Saved checkpoint to "%s"', name)


def _on_cpu(array: NDArray) -> NDArray:
    return array.as_in_context(cpu()) if array.context.device_type != "cpu" else array


def load_params(prefix: str, epoch: int) -> tuple[dict, dict]:
    """``(arg_params, aux_params)`` from ``prefix-%04d.params``.

    Keys are split once on the first ``:``; prefixes other than ``arg``/``aux`` are dropped
    (as MXNet does), and an empty file gives two empty dicts with a warning.
    """
    loaded = nd_load("%s-%04d.params" % (prefix, epoch))
    arg_params: dict = {}
    aux_params: dict = {}
    if not loaded:
        _log.warning("Params file '%s' is empty", "%s-%04d.params" % (prefix, epoch))
        return arg_params, aux_params
    if not isinstance(loaded, dict):
        return arg_params, aux_params
    for key, value in loaded.items():
        kind, _, name = key.partition(":")
        if kind == "arg":
            arg_params[name] = value
        elif kind == "aux":
            aux_params[name] = value
    return arg_params, aux_params


def load_checkpoint(prefix: str, epoch: int):
    """``(symbol, arg_params, aux_params)`` saved by :func:`save_checkpoint` (or MXNet)."""
    from .symbol import load as sym_load
    symbol = sym_load(f"{prefix}-symbol.json")
    arg_params, aux_params = load_params(prefix, epoch)
    return symbol, arg_params, aux_params
