"""``mx.AttrScope``: attributes attached to every symbol created inside a ``with`` block."""
from __future__ import annotations

import threading

from .base import MXNetError
from .ops.registry import HIDDEN_KEYS

__all__ = ["AttrScope", "current", "hidden_key"]


class _CurrentDescriptor:
    def __get__(self, obj, owner) -> "AttrScope":
        return current()


class AttrScope:
    """Attribute manager for scoping (``with mx.AttrScope(ctx_group='dev1'): ...``).

    Entering a scope merges the enclosing scope's attributes with its own (its own win).
    """

    _local = threading.local()
    current = _CurrentDescriptor()

    def __init__(self, **kwargs: str) -> None:
        for value in kwargs.values():
            if not isinstance(value, str):
                raise ValueError("Attributes need to be string")
        self._attr = dict(kwargs)
        self._old_scope: AttrScope | None = None

    def get(self, attr: dict | None) -> dict:
        """The scope's attributes updated with ``attr`` (the user's win)."""
        if not self._attr:
            return dict(attr) if attr else {}
        merged = dict(self._attr)
        if attr:
            merged.update(attr)
        return merged

    def __enter__(self) -> "AttrScope":
        self._old_scope = current()
        merged = dict(self._old_scope._attr)
        merged.update(self._attr)
        self._attr = merged
        AttrScope._local.value = self
        return self

    def __exit__(self, *exc) -> None:
        AttrScope._local.value = self._old_scope


def current() -> AttrScope:
    local = AttrScope._local
    if getattr(local, "value", None) is None:
        local.value = AttrScope()
    return local.value


def hidden_key(key: str, for_op: bool, value: str = "") -> str:
    """MXNet's renaming of hidden attribute keys (``lr_mult`` -> ``__lr_mult__``).

    On operators, a key like ``weight_lr_mult`` is rejected with MXNet's deprecation message.
    """
    if key in HIDDEN_KEYS:
        return f"__{key}__"
    if for_op and not (key.startswith("__") and key.endswith("__")):
        for hidden in HIDDEN_KEYS:
            if key.endswith("_" + hidden):
                raise MXNetError(
                    f"setting variable attributes with {key} is deprecated. please instead use"
                    f"\nw = Variable({hidden}={value})\nsym = YourSymbolName(weight=w)")
    return key
