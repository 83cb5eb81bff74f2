"""Graph nodes and entries, and the dense index every pass works on.

A :class:`Node` is a variable (``op is None``) or an operator application. Its ``attrs`` are
strings exactly as MXNet stores them in JSON (operator parameters as the user gave them, plus
``__hidden__`` keys); ``params`` is the parsed form the rules and kernels read. An
:class:`Entry` names one output of a node. Nodes are never shared between a Symbol and a
modified copy of it: composition builds new operator nodes (copy on write).
"""
from __future__ import annotations

from typing import Iterable, NamedTuple, Sequence

from ..ops.registry import OpDef, Params

__all__ = ["Node", "Entry", "post_order", "IndexedGraph"]


class Node:
    """One graph node: a variable or an operator application."""

    __slots__ = ("op", "name", "attrs", "params", "inputs", "version")

    def __init__(self, op: OpDef | None, name: str, attrs: dict[str, str] | None = None,
                 inputs: Sequence["Entry"] = (), params: Params | None = None):
        self.op = op
        self.name = name
        self.attrs = dict(attrs or {})
        self.params = params if params is not None or op is None else op.parse(self.attrs, name)
        self.inputs = list(inputs)
        self.version = 0  # variables: how many ops have mutated this aux state

    @property
    def is_variable(self) -> bool:
        return self.op is None

    def num_outputs(self) -> int:
        return 1 if self.op is None else self.op.num_outputs(self.params)

    def visible_outputs(self) -> int:
        return 1 if self.op is None else self.op.visible_outputs(self.params)

    def output_names(self) -> list[str]:
        """User-facing output names: ``data`` for a variable, ``fc1_output`` for an op."""
        if self.op is None:
            return [self.name]
        names = self.op.list_outputs(self.params)[:self.visible_outputs()]
        return [f"{self.name}_{n}" for n in names]

    def aux_indices(self) -> list[int]:
        return [] if self.op is None else list(self.op.aux_indices(self.params))

    def copy(self) -> "Node":
        node = Node(self.op, self.name, self.attrs, self.inputs, self.params)
        node.version = self.version
        return node

    def __repr__(self) -> str:
        return f"<Node {self.op.name if self.op else 'null'} {self.name}>"


class Entry(NamedTuple):
    """Output ``index`` of ``node``; ``version`` counts mutations of an aux-state variable."""

    node: Node
    index: int = 0
    version: int = 0


def post_order(heads: Iterable[Entry]) -> list[Node]:
    """Every node reachable from ``heads``, each once, inputs before users.

    Depth-first from each head in order, visiting a node's inputs in input order: MXNet's
    order for JSON nodes, ``list_arguments`` and ``get_internals``. Iterative, so deep graphs
    do not hit Python's recursion limit.
    """
    order: list[Node] = []
    seen: set[int] = set()
    for head in heads:
        if id(head.node) in seen:
            continue
        seen.add(id(head.node))
        stack = [(head.node, 0)]
        while stack:
            node, k = stack.pop()
            if k < len(node.inputs):
                stack.append((node, k + 1))
                child = node.inputs[k].node
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, 0))
            else:
                order.append(node)
    return order


class IndexedGraph:
    """A numbered view of a graph: nodes in post-order and dense output-entry ids.

    ``entry_id(nid, i) == row_ptr[nid] + i`` (MXNet's ``node_row_ptr``). Built once, never
    edited; passes return lists indexed by entry id.
    """

    def __init__(self, heads: Sequence[Entry]):
        self.nodes = post_order(heads)
        self.node_id = {id(n): i for i, n in enumerate(self.nodes)}
        self.row_ptr = [0]
        for node in self.nodes:
            self.row_ptr.append(self.row_ptr[-1] + node.num_outputs())
        self.input_entries = [[self.entry(e) for e in n.inputs] for n in self.nodes]
        self.heads = [self.entry(e) for e in heads]
        aux = set()
        for node in self.nodes:
            for i in node.aux_indices():
                src = node.inputs[i].node
                if src.is_variable:
                    aux.add(self.node_id[id(src)])
        self.aux_node_ids = aux

    @property
    def num_entries(self) -> int:
        return self.row_ptr[-1]

    def entry(self, e: Entry) -> int:
        return self.row_ptr[self.node_id[id(e.node)]] + e.index

    def entry_id(self, nid: int, index: int = 0) -> int:
        return self.row_ptr[nid] + index

    def reader_counts(self) -> list[int]:
        """How many node inputs read each entry (an entry read twice by one node counts
        twice)."""
        readers = [0] * self.num_entries
        for ins in self.input_entries:
            for e in ins:
                readers[e] += 1
        return readers

    def variable_ids(self) -> list[int]:
        return [i for i, n in enumerate(self.nodes) if n.is_variable]

    def argument_ids(self) -> list[int]:
        return [i for i in self.variable_ids() if i not in self.aux_node_ids]

    def aux_ids(self) -> list[int]:
        return [i for i in self.variable_ids() if i in self.aux_node_ids]
