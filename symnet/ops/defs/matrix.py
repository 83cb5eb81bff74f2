"""Operator family matrix (being written)."""
