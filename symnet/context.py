"""Device contexts: ``mx.cpu()``, ``mx.gpu()``, ``mx.Context`` and the current default."""
from __future__ import annotations

import threading
import warnings

from .base import MXNetError

__all__ = ["Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus",
           "gpu_memory_info"]


class _ContextMeta(type):
    """Gives ``Context`` its deprecated class property ``default_ctx`` (as MXNet's has)."""

    @property
    def default_ctx(cls) -> "Context":
        warnings.warn("Context.default_ctx has been deprecated. "
                      "Please use Context.current_context() instead. "
                      "Please use test_utils.set_default_context to set a default context",
                      DeprecationWarning, stacklevel=2)
        return current_context()

    @default_ctx.setter
    def default_ctx(cls, value: "Context") -> None:
        warnings.warn("Context.default_ctx has been deprecated. "
                      "Please use Context.current_context() instead. "
                      "Please use test_utils.set_default_context to set a default context",
                      DeprecationWarning, stacklevel=2)
        cls._default_ctx.value = value


class Context(metaclass=_ContextMeta):
    """A device and its id, e.g. ``cpu(0)``: ``Context('cpu', 0)``, ``Context(other_ctx)``.

    A ``Context`` can be used in a ``with`` block to make it the default for array creation.
    symnet computes on the CPU with NumPy; GPU contexts can be created and compared, but
    putting data on one raises :class:`MXNetError` (see :meth:`require_cpu`). An unknown
    device name raises KeyError, as in MXNet. symnet also accepts a device type id
    (``Context(1, 0)`` is ``cpu(0)``), as the NDArray file format stores it.
    """

    devtype2str = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
    devstr2type = {"cpu": 1, "gpu": 2, "cpu_pinned": 3, "cpu_shared": 5}
    #: Thread-local default context (``_default_ctx.value``), as in MXNet.
    _default_ctx = threading.local()

    def __init__(self, device_type, device_id: int = 0):
        if isinstance(device_type, Context):
            self.device_typeid = device_type.device_typeid
            self.device_id = device_type.device_id
        else:
            if isinstance(device_type, int) and not isinstance(device_type, bool):
                if device_type not in Context.devtype2str:
                    raise KeyError(device_type)
                self.device_typeid = device_type
            else:
                self.device_typeid = Context.devstr2type[device_type]
            self.device_id = int(device_id)
        self._old_ctx = None
        self._saved: list = []

    @property
    def device_type(self) -> str:
        """The device name: ``'cpu'``, ``'gpu'``, ``'cpu_pinned'`` or ``'cpu_shared'``."""
        return Context.devtype2str[self.device_typeid]

    def __hash__(self) -> int:
        return hash((self.device_typeid, self.device_id))

    def __eq__(self, other) -> bool:
        return (isinstance(other, Context) and self.device_typeid == other.device_typeid
                and self.device_id == other.device_id)

    def __str__(self) -> str:
        return f"{self.device_type}({self.device_id})"

    __repr__ = __str__

    def __enter__(self) -> "Context":
        self._old_ctx = current_context()
        self._saved.append(self._old_ctx)
        Context._default_ctx.value = self
        return self

    def __exit__(self, *exc) -> None:
        Context._default_ctx.value = self._saved.pop()
        self._old_ctx = self._saved[-1] if self._saved else None

    def __getstate__(self) -> dict:
        return {"device_typeid": self.device_typeid, "device_id": self.device_id}

    def __setstate__(self, state: dict) -> None:
        self.device_typeid = state["device_typeid"]
        self.device_id = state["device_id"]
        self._old_ctx = None
        self._saved = []

    def empty_cache(self) -> None:
        """Release cached memory of this device: nothing to do for NumPy memory."""
        self.require_cpu("an operation")

    def require_cpu(self, what: str = "an array") -> None:
        """Raise :class:`MXNetError` unless data can live on this context."""
        if self.device_typeid == 2:
            raise MXNetError(
                f"Cannot place {what} on {self}: symnet has no GPU backend; "
                "use mx.cpu() (MXNet code that names mx.gpu() must be changed to mx.cpu())")


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


def gpu_memory_info(device_id: int = 0) -> tuple:
    """(free, total) bytes of a GPU: symnet has no GPU, so this raises MXNetError."""
    raise MXNetError(f"gpu_memory_info: no GPU {device_id}: symnet has no GPU backend")


def current_context() -> Context:
    """The innermost context entered with ``with ctx:`` in this thread, or ``cpu(0)``."""
    local = Context._default_ctx
    if not hasattr(local, "value"):
        local.value = Context("cpu", 0)
    return local.value
