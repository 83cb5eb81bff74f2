"""The operator registry and every operator definition (symnet's single source of truth)."""
from . import defs  # noqa: F401  (registers every operator)
from .registry import OpDef, find_op, get_op, list_ops, register

__all__ = ["OpDef", "find_op", "get_op", "list_ops", "register"]
