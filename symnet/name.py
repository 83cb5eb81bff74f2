"""Automatic names for operators: ``mx.name.NameManager`` and ``mx.name.Prefix``.

The current manager lives in a thread-local; ``with NameManager():`` installs a fresh one
(counters restart at 0) and restores the previous one, whose counters carry on, at exit.
"""
from __future__ import annotations

import threading

__all__ = ["NameManager", "Prefix", "current"]


class _CurrentDescriptor:
    def __get__(self, obj, owner) -> "NameManager":
        return current()


class NameManager:
    """Gives unnamed operators ``<hint><n>`` names with one counter per hint."""

    _local = threading.local()
    current = _CurrentDescriptor()

    def __init__(self) -> None:
        self._counter: dict[str, int] = {}
        self._old_manager: NameManager | None = None

    def get(self, name: str | None, hint: str) -> str:
        """Return ``name`` if given, else ``hint`` followed by that hint's next number."""
        if name:
            return name
        n = self._counter.get(hint, 0)
        self._counter[hint] = n + 1
        return f"{hint}{n}"

    def __enter__(self) -> "NameManager":
        self._old_manager = current()
        NameManager._local.value = self
        return self

    def __exit__(self, *exc) -> None:
        NameManager._local.value = self._old_manager


class Prefix(NameManager):
    """Adds ``prefix`` to every operator name, given or generated (not to Variables)."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix

    def get(self, name: str | None, hint: str) -> str:
        return self._prefix + super().get(name, hint)


def current() -> NameManager:
    """The NameManager in effect in this thread."""
    local = NameManager._local
    if getattr(local, "value", None) is None:
        local.value = NameManager()
    return local.value
