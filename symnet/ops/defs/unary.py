"""Operator family unary (being written)."""
