"""Operator family index (being written)."""
