"""NDArray creation helpers (being written)."""
__all__: list = []
