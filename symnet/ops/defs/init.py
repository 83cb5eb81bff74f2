"""Operator family init (being written)."""
