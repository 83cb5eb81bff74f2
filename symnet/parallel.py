"""Batch parallelism inside kernels: whole samples on each CPU core.

NumPy runs every call on one core; only its matrix products (OpenBLAS) use them all. For a
convolution that split is poor: the padding, im2col copies and col2im scatters run on one core
while the others wait, and each product's threads read data another core just wrote. Splitting
the batch instead, a slice of samples a thread with OpenBLAS held at one thread, keeps every
step of a slice on one core. NumPy releases the GIL inside copies, ufuncs and products, so
Python threads suffice.

Two pieces:

* :func:`split` runs ``work(lo, hi)`` over slices of a batch on worker threads. It runs
  serially when ``config.num_threads`` is 1, when the work is too small to pay for the
  hand-off (a thread wake-up costs 40-100 microseconds on a virtual machine), when OpenBLAS's
  thread count cannot be set (another BLAS, or no ``/proc``: splitting against a multi-threaded
  BLAS is slower), and when another thread is already inside a split.
* :func:`hold_blas` / :func:`release_blas` keep OpenBLAS at one thread across a whole forward
  or backward pass. Between two splits OpenBLAS's idle threads would otherwise spin for a
  while after any multi-threaded product and take a core from the workers: CIFAR ResNet-20
  training ran 20% slower split than serial until the executor held BLAS for the whole pass.

Results are deterministic for a given thread count; gradients summed over the batch may round
differently for different thread counts.
"""
from __future__ import annotations

import ctypes
import functools
import os
import threading
from typing import Callable, Sequence, TypeVar

import numpy as np

from . import config

__all__ = ["split", "split_held", "split_flat", "run_tasks", "total", "bounds", "hold_blas",
           "release_blas", "blas_held", "blas_threads_settable"]

T = TypeVar("T")

#: Smallest work (multiply-adds) worth a thread: about 0.2 ms, twice the hand-off.
MIN_WORK_PER_THREAD = 16 << 20
#: What one element of a memory-bound pass (a copy, a ufunc) counts for in a ``cost``:
#: 0.7 ns against 0.01 ns for a multiply-add in a one-thread product.
PER_ELEMENT = 64


class _OpenBLAS:
    """The thread-count functions of every OpenBLAS loaded in this process (NumPy's own, as
    ``libscipy_openblas64_`` or plain ``libopenblas``), found through ``/proc/self/maps``."""

    _NAMES = ("scipy_openblas_{}64_", "openblas_{}64_", "openblas_{}", "scipy_openblas_{}")

    def __init__(self) -> None:
        self.setters: list = []
        self.getters: list = []
        try:
            with open("/proc/self/maps") as maps:
                paths = {line.split(maxsplit=5)[-1].strip() for line in maps if "blas" in line}
        except OSError:
            return
        for path in sorted(p for p in paths if "openblas" in os.path.basename(p).lower()):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for name in self._NAMES:
                setter = getattr(lib, name.format("set_num_threads"), None)
                getter = getattr(lib, name.format("get_num_threads"), None)
                if setter is not None and getter is not None:
                    setter.argtypes, setter.restype = [ctypes.c_int], None
                    getter.argtypes, getter.restype = [], ctypes.c_int
                    self.setters.append(setter)
                    self.getters.append(getter)
                    break

    def get(self) -> list[int]:
        return [getter() for getter in self.getters]

    def set(self, counts: list[int]) -> None:
        for setter, count in zip(self.setters, counts):
            setter(count)


_blas: _OpenBLAS | None = None


def _openblas() -> _OpenBLAS:
    global _blas
    if _blas is None:
        import numpy  # noqa: F401  (NumPy's BLAS is loaded before the search)
        _blas = _OpenBLAS()
    return _blas


def blas_threads_settable() -> bool:
    """Whether symnet found NumPy's OpenBLAS and can hold it at one thread."""
    return bool(_openblas().setters)


# ---- holding BLAS at one thread (reference counted: executors may run in several threads) ---
_hold_lock = threading.Lock()
_holders = 0
_saved: list[int] = []


def hold_blas() -> bool:
    """Keep OpenBLAS at one thread until the matching :func:`release_blas`; False (and nothing
    held) where kernels do not split (one thread configured, or BLAS not settable)."""
    global _holders, _saved
    if config.num_threads <= 1 or not blas_threads_settable():
        return False
    with _hold_lock:
        if _holders == 0:
            blas = _openblas()
            _saved = blas.get()
            blas.set([1] * len(_saved))
        _holders += 1
    return True


def blas_held() -> bool:
    """Whether BLAS is held at one thread now (kernels that could use BLAS's threads split
    their batch instead)."""
    return _holders > 0


def release_blas(held: bool) -> None:
    """End a :func:`hold_blas` that returned ``held``; the last one restores BLAS's threads."""
    global _holders
    if not held:
        return
    with _hold_lock:
        _holders -= 1
        if _holders == 0:
            _openblas().set(_saved)


# ---- worker threads ---------------------------------------------------------------------------
class _Worker:
    """A daemon thread that runs one task at a time, handed over through two locks (cheaper
    than a queue)."""

    def __init__(self) -> None:
        self._go, self._done = threading.Lock(), threading.Lock()
        self._go.acquire()
        self._done.acquire()
        self._task: Callable[[], object] | None = None
        self._result: object = None
        self._error: BaseException | None = None
        threading.Thread(target=self._loop, name="symnet-kernel", daemon=True).start()

    def _loop(self) -> None:
        while True:
            self._go.acquire()
            try:
                self._result = self._task()
            except BaseException as err:  # handed to the caller by result()
                self._error = err
            self._task = None
            self._done.release()

    def start(self, task: Callable[[], object]) -> None:
        self._task, self._result, self._error = task, None, None
        self._go.release()

    def result(self) -> object:
        self._done.acquire()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self._result


_workers: list[_Worker] = []
_section = threading.Lock()  # one split at a time; others run serially


def _forget_threads() -> None:
    """In a forked child: none of the parent's threads exist there."""
    global _section, _hold_lock, _holders
    _workers.clear()
    _section, _hold_lock, _holders = threading.Lock(), threading.Lock(), 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_threads)


def bounds(n: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous slices of ``range(n)``, sizes differing by at most one."""
    step, extra = divmod(n, parts)
    edges = [0]
    for i in range(parts):
        edges.append(edges[-1] + step + (i < extra))
    return list(zip(edges[:-1], edges[1:]))


def split(n: int, work: Callable[[int, int], T], cost: float) -> list[T]:
    """``[work(lo, hi) ...]`` over contiguous slices covering ``range(n)``, in order.

    ``cost`` estimates the total work in multiply-adds and decides how many threads are worth
    it; ``work`` must write only to its own slice of the outputs. Exceptions propagate after
    every slice has finished.
    """
    parts = min(config.num_threads, n, int(cost // MIN_WORK_PER_THREAD))
    if parts > 1:
        results = run_tasks([functools.partial(work, lo, hi) for lo, hi in bounds(n, parts)])
        if results is not None:
            return results
    return [work(0, n)]


def run_tasks(tasks: Sequence[Callable[[], T]]) -> list[T] | None:
    """Run ``tasks`` at once, the first on this thread and the others on worker threads, with
    BLAS held at one thread; their results in order. Exceptions propagate after every task has
    finished. None, with nothing run, where tasks cannot run in parallel: OpenBLAS's thread
    count cannot be set, or another thread is inside a split (one at a time; a kernel inside a
    task therefore runs serially)."""
    if not blas_threads_settable() or not _section.acquire(blocking=False):
        return None
    held = hold_blas()
    try:
        while len(_workers) < len(tasks) - 1:
            _workers.append(_Worker())
        for worker, task in zip(_workers, tasks[1:]):
            worker.start(task)
        results: list = [None] * len(tasks)
        errors = []
        try:
            results[0] = tasks[0]()
        except BaseException as err:
            errors.append(err)
        for i, worker in enumerate(_workers[:len(tasks) - 1], 1):
            try:  # every task finishes before anything is raised
                results[i] = worker.result()
            except BaseException as err:
                errors.append(err)
        if errors:
            raise errors[0]
        return results
    finally:
        release_blas(held)
        _section.release()


def total(parts: list[np.ndarray]) -> np.ndarray:
    """The sum of :func:`split`'s partial results, in slice order (into the first one)."""
    result = parts[0]
    for part in parts[1:]:
        result += part
    return result


def split_held(n: int, work: Callable[[int, int], T], cost: float) -> list[T]:
    """:func:`split` inside a pass that holds BLAS at one thread (a program of batch-splitting
    kernels), ``[work(0, n)]`` elsewhere: there OpenBLAS's threads are the better use of the
    cores for products, and may be spinning idle, which slows the workers of a split."""
    if _holders > 0:
        return split(n, work, cost)
    return [work(0, n)]


def split_flat(fn: Callable, ins: Sequence[np.ndarray], out: np.ndarray) -> None:
    """``fn(*ins, out)`` for an elementwise ``fn`` (``out`` may be one of ``ins``), split over
    flat ranges by :func:`split_held` when every array is C-contiguous with ``out``'s shape."""
    if (_holders > 0 and out.flags.c_contiguous
            and all(a.shape == out.shape and a.flags.c_contiguous for a in ins)):
        flat, o = [a.reshape(-1) for a in ins], out.reshape(-1)
        split(o.size, lambda lo, hi: fn(*(a[lo:hi] for a in flat), o[lo:hi]),
              o.size * PER_ELEMENT)
    else:
        fn(*ins, out)
