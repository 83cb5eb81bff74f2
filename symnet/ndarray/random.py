"""mx.nd.random (being written)."""
__all__: list = []
