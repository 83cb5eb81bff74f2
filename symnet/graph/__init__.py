"""The graph IR (nodes, entries, a dense index) and the passes over it."""
from .node import Entry, IndexedGraph, Node, post_order

__all__ = ["Entry", "IndexedGraph", "Node", "post_order"]
