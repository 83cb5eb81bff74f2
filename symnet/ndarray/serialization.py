"""nd.save / nd.load (being written)."""
__all__: list = []
