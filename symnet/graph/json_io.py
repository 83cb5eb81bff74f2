"""Writing graphs as MXNet 1.9.1 writes them: JSON text byte for byte, and ``debug_str``.

Layout rules (dmlc's JSON writer): a container is multi-line or single-line. Multi-line: every
item goes on a new line indented 2 spaces per open container, items after the first are
preceded by ``", "`` before that newline, and the closing bracket goes on its own line. The
top-level object, ``nodes``, every node, string maps with more than one entry and integer or
entry arrays with more than 10 items are multi-line. Only ``" \\ LF CR TAB`` are escaped.
"""
from __future__ import annotations

from typing import Sequence

from .node import Entry, IndexedGraph

__all__ = ["to_json", "debug_str", "MXNET_VERSION"]

MXNET_VERSION = 10901
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _string(text: str) -> str:
    return '"' + "".join(_ESCAPES.get(c, c) for c in text) + '"'


def _block(items: list[str], depth: int, brackets: str) -> str:
    """A multi-line container whose items are already rendered."""
    if not items:
        return brackets
    pad = "\n" + "  " * depth
    return brackets[0] + ", ".join(pad + item for item in items) + "\n" + \
        "  " * (depth - 1) + brackets[1]


def _int_array(values: Sequence, depth: int) -> str:
    rendered = [_entry(v) if isinstance(v, (list, tuple)) else str(v) for v in values]
    if len(rendered) > 10:
        return _block(rendered, depth, "[]")
    return "[" + ", ".join(rendered) + "]"


def _entry(triple) -> str:
    return "[" + ", ".join(str(x) for x in triple) + "]"


def _string_map(mapping: dict[str, str], depth: int) -> str:
    items = [f"{_string(k)}: {_string(v)}" for k, v in sorted(mapping.items(),
                                                              key=lambda kv: kv[0].encode())]
    if len(items) > 1:
        return _block(items, depth, "{}")
    return "{" + ", ".join(items) + "}"


def _node(idx: IndexedGraph, nid: int, depth: int) -> str:
    node = idx.nodes[nid]
    members = [f'"op": {_string(node.op.name if node.op else "null")}',
               f'"name": {_string(node.name)}']
    if node.attrs:
        members.append(f'"attrs": {_string_map(node.attrs, depth + 1)}')
    inputs = [(idx.node_id[id(e.node)], e.index, e.version) for e in node.inputs]
    members.append(f'"inputs": {_int_array(inputs, depth + 1)}')
    return _block(members, depth, "{}")


def to_json(heads: Sequence[Entry]) -> str:
    """The MXNet 1.9.1 JSON text of the graph under ``heads``."""
    idx = IndexedGraph(heads)
    nodes = [_node(idx, nid, 3) for nid in range(len(idx.nodes))]
    head_entries = [(idx.node_id[id(e.node)], e.index, e.version) for e in heads]
    members = [
        f'"nodes": {_block(nodes, 2, "[]")}',
        f'"arg_nodes": {_int_array(idx.variable_ids(), 2)}',
        f'"node_row_ptr": {_int_array(idx.row_ptr, 2)}',
        f'"heads": {_int_array(head_entries, 2)}',
        f'"attrs": {{"mxnet_version": ["int", {MXNET_VERSION}]}}',
    ]
    return _block(members, 1, "{}")


def debug_str(heads: Sequence[Entry]) -> str:
    """MXNet's ``Symbol.debug_str()`` text."""
    idx = IndexedGraph(heads)
    lines = []
    if not (len(heads) == 1 and heads[0].node.is_variable):  # a lone variable: just its line
        lines = ["Symbol Outputs:"]
        lines += [f"\toutput[{i}]={e.node.name}({e.index})" for i, e in enumerate(heads)]
    for node in idx.nodes:
        if node.is_variable:
            lines.append(f"Variable:{node.name}")
            continue
        lines += ["-" * 20, f"Op:{node.op.name}, Name={node.name}", "Inputs:"]
        for i, e in enumerate(node.inputs):
            suffix = f" version={e.version}" if e.node.is_variable else ""
            lines.append(f"\targ[{i}]={e.node.name}({e.index}){suffix}")
        if node.attrs:
            lines.append("Attrs:")
            lines += [f"\t{k}={v}" for k, v in sorted(node.attrs.items())]
    return "\n".join(lines) + "\n"
