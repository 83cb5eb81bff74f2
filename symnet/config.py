"""The only switches in symnet. Environment variables map onto them at import.

* ``memory_plan`` (``SYMNET_MEMORY_PLAN=0`` to disable): plan buffer reuse and in-place
  execution at bind time. Off, every entry gets its own buffer (for debugging).
* ``memory_pool`` (``SYMNET_MEMORY_POOL=0`` to disable): keep freed memory in the process for
  reuse, as MXNet's pooled CPU storage does (see :func:`retain_freed_memory`). True when it
  took effect.
* ``num_threads`` (``SYMNET_NUM_THREADS``, default: the CPUs this process may run on): threads
  a kernel may split its batch over (see :mod:`symnet.parallel`); 1 keeps every kernel on the
  calling thread.
"""
from __future__ import annotations

import ctypes
import os
import sys
import warnings

memory_plan: bool = os.environ.get("SYMNET_MEMORY_PLAN", "1") != "0"

# glibc's mallopt parameters
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def retain_freed_memory(mmap_below: int = 32 << 20, keep: int = 256 << 20) -> bool:
    """Ask the C allocator to serve blocks under ``mmap_below`` bytes from its heap and to keep
    up to ``keep`` free bytes there instead of returning them to the system.

    Kernels allocate megabyte-sized temporaries (im2col columns, normalisation scratch).
    glibc's defaults give such blocks back to the kernel when freed, so every step pays page
    faults and zeroing for fresh pages again: LeNet training ran about 25% slower and a CIFAR
    ResNet-20 about 8% slower on a 2-core machine. Only glibc (Linux) is adjusted; elsewhere
    this returns False and changes nothing. It affects the whole process (as MXNet's storage
    pool holds freed memory too); ``SYMNET_MEMORY_POOL=0`` turns it off.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, mmap_below) and mallopt(_M_TRIM_THRESHOLD, keep))


memory_pool: bool = os.environ.get("SYMNET_MEMORY_POOL", "1") != "0" and retain_freed_memory()


def _default_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _threads_from_environment() -> int:
    value = os.environ.get("SYMNET_NUM_THREADS", "").strip()
    if not value:
        return _default_threads()
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        warnings.warn(f"SYMNET_NUM_THREADS={value!r} is not a positive integer; using "
                      f"{_default_threads()}", RuntimeWarning, stacklevel=2)
        return _default_threads()
    return count


num_threads: int = _threads_from_environment()
