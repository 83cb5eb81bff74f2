"""Device contexts: ``mx.cpu()``, ``mx.gpu()``, ``mx.Context`` and the current default."""
from __future__ import annotations

import threading

from .base import MXNetError

__all__ = ["Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus"]


class Context:
    """A device and its id, e.g. ``cpu(0)``.

    A ``Context`` can be used in a ``with`` block to make it the default for array creation.
    symnet computes on the CPU with NumPy; GPU contexts can be created and compared, but
    putting data on one raises :class:`MXNetError` (see :meth:`require_cpu`).
    """

    devtype2str = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
    devstr2type = {v: k for k, v in devtype2str.items()}
    _local = threading.local()

    def __init__(self, device_type, device_id: int = 0):
        if isinstance(device_type, Context):
            self.device_typeid = device_type.device_typeid
            self.device_id = device_type.device_id
            return
        if isinstance(device_type, int):
            if device_type not in self.devtype2str:
                raise MXNetError(f"Unknown device type id {device_type}")
            self.device_typeid = device_type
        else:
            if device_type not in self.devstr2type:
                raise MXNetError(f"Unknown device type {device_type!r}")
            self.device_typeid = self.devstr2type[device_type]
        self.device_id = int(device_id)

    @property
    def device_type(self) -> str:
        return self.devtype2str[self.device_typeid]

    def __hash__(self) -> int:
        return hash((self.device_typeid, self.device_id))

    def __eq__(self, other) -> bool:
        return (isinstance(other, Context) and self.device_typeid == other.device_typeid
                and self.device_id == other.device_id)

    def __repr__(self) -> str:
        return f"{self.device_type}({self.device_id})"

    __str__ = __repr__

    def __enter__(self) -> "Context":
        stack = _stack()
        stack.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _stack().pop()

    def require_cpu(self, what: str = "an array") -> None:
        """Raise :class:`MXNetError` unless data can live on this context."""
        if self.device_typeid == 2:
            raise MXNetError(
                f"Cannot place {what} on {self}: symnet has no GPU backend; "
                "use mx.cpu() (MXNet code that names mx.gpu() must be changed to mx.cpu())")

    @classmethod
    def default_ctx(cls) -> "Context":
        return current_context()


def _stack() -> list:
    local = Context._local
    if not hasattr(local, "stack"):
        local.stack = [Context("cpu", 0)]
    return local.stack


def cpu(device_id: int = 0) -> Context:
    """The CPU context. ``device_id`` only labels arrays; all CPU ids share main memory."""
    return Context("cpu", device_id)


def cpu_pinned(device_id: int = 0) -> Context:
    """Pinned CPU memory, treated as ordinary CPU memory."""
    return Context("cpu_pinned", device_id)


def gpu(device_id: int = 0) -> Context:
    """A GPU context. It can be created and compared; placing data on it raises MXNetError."""
    return Context("gpu", device_id)


def num_gpus() -> int:
    """The number of GPUs symnet can use: always 0."""
    return 0


def current_context() -> Context:
    """The innermost context entered with ``with ctx:``, or ``cpu(0)``."""
    return _stack()[-1]
