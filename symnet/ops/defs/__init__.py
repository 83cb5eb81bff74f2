"""Operator definitions, one module per family. Importing this package registers them all."""
from . import binary  # noqa: F401

FAMILIES = ("binary",)
