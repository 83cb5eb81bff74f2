"""MXNet's ``Reshape`` shape codes (0, -1, -2, -3, -4 and ``reverse``), shared by the
``Reshape`` operator and ``NDArray.reshape``."""
from __future__ import annotations

from ..registry import InferError, fmt_shape

__all__ = ["reshape_target"]


def _prod(dims) -> int | None:
    out = 1
    for d in dims:
        if d is None:
            return None
        out *= d
    return out


def reshape_target(src: tuple, spec: tuple, reverse: bool = False) -> tuple:
    """The output shape of reshaping ``src`` by MXNet's ``shape`` spec.

    ``src`` may contain ``None`` (unknown) dims; then dims that depend on them are ``None``.
    Raises InferError for an invalid spec.
    """
    if reverse:
        return tuple(reversed(reshape_target(tuple(reversed(src)),
                                             _reverse_spec(spec), False)))
    out: list = []
    infer_at = -1
    i = 0  # cursor into src
    k = 0
    while k < len(spec):
        code = spec[k]
        if code > 0:
            out.append(code)
            i += 1
        elif code == 0:
            if i >= len(src):
                raise InferError(f"Reshape: 0 code has no matching input dim in "
                                 f"{fmt_shape(src)} for shape {spec}")
            out.append(src[i])
            i += 1
        elif code == -1:
            if infer_at >= 0:
                raise InferError("One and only one dim can be inferred")
            infer_at = len(out)
            out.append(None)
            i += 1
        elif code == -2:
            out.extend(src[i:])
            i = len(src)
        elif code == -3:
            if i + 1 >= len(src):
                raise InferError(f"Reshape: -3 needs two input dims at {i} of {fmt_shape(src)}")
            a, b = src[i], src[i + 1]
            out.append(None if a is None or b is None else a * b)
            i += 2
        elif code == -4:
            if k + 2 >= len(spec) or i >= len(src):
                raise InferError(f"Reshape: -4 needs two following values and an input dim, "
                                 f"shape={spec}")
            d, a, b = src[i], spec[k + 1], spec[k + 2]
            if a == -1 and b == -1:
                raise InferError("Reshape: -4 split can infer only one of the two dims")
            if d is not None:
                a = d // b if a == -1 else a
                b = d // a if b == -1 else b
                if a * b != d:
                    raise InferError(f"Reshape: cannot split dim {d} into {a} x {b}")
            out.extend([None if a == -1 else a, None if b == -1 else b])
            i += 1
            k += 2
        else:
            raise InferError(f"Reshape: invalid shape code {code} in {spec}")
        k += 1
    if infer_at >= 0:
        total = _prod(src)
        rest = _prod(d for j, d in enumerate(out) if j != infer_at)
        if total is not None and rest is not None:
            out[infer_at] = total // rest if rest else 0
    return tuple(out)


def _reverse_spec(spec: tuple) -> tuple:
    """Reverse a spec, keeping each ``-4, a, b`` group in reading order (as ``-4, b, a``)."""
    groups = []
    k = 0
    while k < len(spec):
        if spec[k] == -4:
            groups.append((-4, spec[k + 2], spec[k + 1]) if k + 2 < len(spec) else spec[k:])
            k += 3
        else:
            groups.append((spec[k],))
            k += 1
    return tuple(c for g in reversed(groups) for c in g)
