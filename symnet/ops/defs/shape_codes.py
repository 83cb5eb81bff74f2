"""MXNet's ``Reshape`` shape codes (0, -1, -2, -3, -4 and ``reverse``), shared by the
``Reshape`` operator and ``NDArray.reshape``.

The rules follow MXNet 1.9.1 exactly, quirks included (checked against the real library):

* ``reverse=True`` reverses the input dims *and the spec literally* (a ``-4, a, b`` group is
  reversed too, so it reads ``b, a, -4``), applies the rules, and reverses the result.
* ``-1`` first stands for 1 and moves the input cursor on; at the end, the output dim *at the
  spec position of the -1* (not the output position) becomes ``size // product(others)``.
  After a ``-2`` or ``-4`` the two positions differ: ``(-2, -1)`` on ``(2, 3, 4)`` gives
  ``(2, 1, 4, 1)``. Integer division, no size check: ``(5, -1)`` on ``(2, 3, 4)`` gives ``(5, 4)``.
* The deprecated ``target_shape`` (0 = infer one dim) and ``keep_highest`` (keep input dim 0).
"""
from __future__ import annotations

from ..registry import InferError, fmt_shape
from ..rules import prod  # re-exported: shape.py imports it from here

__all__ = ["reshape_target", "reshape_output", "fill_one_unknown", "prod"]




def _spec_text(spec) -> str:
    return "(" + ",".join(str(c) for c in spec) + ")"


def _split(src: tuple, cursor: int, spec: tuple, k: int) -> list:
    """The two dims of a ``-4, d1, d2`` split of ``src[cursor]``."""
    if k + 2 >= len(spec):
        raise InferError(f"Check failed: i + 2 < params_len ({k + 2} vs. {len(spec)}) : "
                         f"Reshape: -4 needs two following values in shape={_spec_text(spec)}")
    if cursor >= len(src):
        raise InferError(f"Reshape: -4 has no input dim left to split in {fmt_shape(src)}, "
                         f"shape={_spec_text(spec)}")
    d0, d1, d2 = src[cursor], spec[k + 1], spec[k + 2]
    if d1 == -1 and d2 == -1:
        raise InferError("Check failed: d1 != -1 || d2 != -1: Split dims cannot both be -1.")
    if d0 is None:
        dims = [None if d == -1 else d for d in (d1, d2)]
        if any(d is not None and d < 0 for d in dims):
            raise InferError(f"shape dim size must be >= -1, while received {min(d1, d2)}")
        return dims
    if d1 == -1:
        d1 = d0 // d2 if d2 else -1
    if d2 == -1:
        d2 = d0 // d1 if d1 else -1
    if d1 < 0 or d2 < 0 or d1 * d2 != d0:
        raise InferError(f"Split dims {d1}, {d2} do not divide original dim {d0} "
                         f"(input {fmt_shape(src)}, shape={_spec_text(spec)})")
    return [d1, d2]


def _walk(src: tuple, spec: tuple) -> tuple[list, int]:
    """Apply the codes left to right; returns the dims and the spec index of ``-1`` (or -1)."""
    out: list = []
    infer_at, cursor, k = -1, 0, 0
    while k < len(spec):
        code = spec[k]
        if code == 0 or code == -3:
            need = 1 if code == 0 else 2
            if cursor + need > len(src):
                raise InferError(f"Check failed: src_idx < dshape_len ({cursor + need - 1} vs. "
                                 f"{len(src)}) : Reshape: code {code} has no input dim left in "
                                 f"{fmt_shape(src)}, shape={_spec_text(spec)}")
            out.append(src[cursor] if code == 0 else prod(src[cursor:cursor + 2]))
            cursor += need
        elif code == -1:
            if infer_at >= 0:
                raise InferError(f"Check failed: inf_idx < 0 ({infer_at} vs. 0) : One and only "
                                 f"one dim can be inferred, shape={_spec_text(spec)}")
            infer_at = k
            out.append(1)
            cursor += 1
        elif code == -2:
            out.extend(src[cursor:])
            cursor = len(src)
        elif code == -4:
            out.extend(_split(src, cursor, spec, k))
            cursor += 1
            k += 2
        elif code > 0:
            out.append(code)
            cursor += 1
        else:
            raise InferError(f"Check failed: dim_size >= -1 ({code} vs. -1) : shape dim size "
                             f"must be >= -1, while received {code}")
        k += 1
    return out, infer_at


def reshape_target(src: tuple, spec: tuple, reverse: bool = False) -> tuple:
    """The output shape of reshaping ``src`` by MXNet's ``shape`` spec (module docstring).

    ``src`` may contain ``None`` (unknown) dims; then dims that depend on them are ``None``.
    Raises InferError for an invalid spec.
    """
    src, spec = tuple(src), tuple(int(c) for c in spec)
    if reverse:
        src, spec = src[::-1], spec[::-1]
    out, infer_at = _walk(src, spec)
    if infer_at >= 0 and infer_at < len(out):
        total, rest = prod(src), prod(out)
        if total is None or rest is None:
            out[infer_at] = None
        elif rest == 0:
            raise InferError(f"Reshape: cannot infer the -1 dim of shape={_spec_text(spec)} "
                             f"for input {fmt_shape(src)}: the other dims have size 0")
        else:
            out[infer_at] = total // rest
    return tuple(out[::-1] if reverse else out)


def _from_target_shape(src: tuple, target: tuple, keep_highest: bool) -> tuple:
    """The deprecated ``target_shape`` rule: one 0 is inferred; ``keep_highest`` keeps dim 0."""
    out: list = list(target)
    if keep_highest and out:
        out[0] = src[0] if src else None
    zeros = [i for i, d in enumerate(out) if d == 0]
    for i in zeros:
        out[i] = None
    if len(zeros) == 1:
        total, rest = prod(src), prod(d for i, d in enumerate(out) if i != zeros[0])
        if total is not None and rest:
            out[zeros[0]] = total // rest
    return tuple(out)


def reshape_output(src: tuple, params) -> tuple | None:
    """The ``Reshape`` operator's output shape from its parameters (None: undecidable)."""
    if params.shape:
        return reshape_target(src, params.shape, bool(params.reverse))
    if params.target_shape:
        return _from_target_shape(src, tuple(params.target_shape), bool(params.keep_highest))
    return None


def fill_one_unknown(shape: tuple, total: int | None) -> tuple:
    """If ``shape`` has exactly one unknown dim and ``total`` is known, fill it in."""
    missing = [i for i, d in enumerate(shape) if d is None]
    if total is None or len(missing) != 1:
        return shape
    rest = prod(d for d in shape if d is not None)
    if not rest or total % rest:
        return shape
    out = list(shape)
    out[missing[0]] = total // rest
    return tuple(out)
