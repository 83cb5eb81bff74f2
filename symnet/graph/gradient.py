"""Symbolic differentiation (NNVM's ``Gradient`` pass): gradients are ordinary graph.

Input: the forward heads, the variables to differentiate with respect to, and one head-gradient
entry per head. Output: one gradient entry (or None when no path leads there) per variable.
Algorithm: walk the forward nodes in reverse post-order; for each node whose outputs received
gradient, call its operator's ``gradient`` rule with a :class:`GradBuilder`, which creates the
gradient nodes; several contributions to one entry are summed with ``add_n``. Because the
result is a graph of registered operators, it can be inferred, planned, printed, saved and
differentiated again.
"""
from __future__ import annotations

from typing import Sequence

from ..base import MXNetError
from ..ops.registry import get_op
from .node import Entry, Node, post_order

__all__ = ["GradBuilder", "build_gradient", "make_node", "UNTOUCHED"]


class _Untouched:
    """A gradient rule's answer for an input whose gradient array must be left as it is
    (MXNet's loss layers never write their labels' gradients)."""

    def __repr__(self) -> str:
        return "UNTOUCHED"


UNTOUCHED = _Untouched()


def make_node(op_name: str, name: str, inputs: Sequence[Entry], params: dict) -> Node:
    """An operator node from Python parameter values (formatted as MXNet attribute strings)."""
    op = get_op(op_name)
    attrs = op.format_attrs(params)
    node = Node(op, name, attrs)
    expected = len(op.input_names(node.params))
    if len(inputs) != expected:
        raise MXNetError(f"gradient node {name}: {op_name} takes {expected} inputs, "
                         f"got {len(inputs)}")
    node.inputs = list(inputs)
    return node


class GradBuilder:
    """What a gradient rule receives: the forward node and a way to add gradient nodes.

    ``g.input(i)`` / ``g.output(k)`` are the forward node's entries; ``g.op("exp", x)``
    creates a node and returns its output entry (a list for several visible outputs). A rule
    returns ``None`` for an input that gets no gradient (a bound gradient array receives
    zeros, as in MXNet) and ``g.untouched`` for one whose gradient array must not be written.
    """

    untouched = UNTOUCHED

    def __init__(self, node: Node):
        self.node = node
        self.params = node.params
        self._count = 0

    def input(self, i: int) -> Entry:
        return self.node.inputs[i]

    def output(self, k: int = 0) -> Entry:
        return Entry(self.node, k)

    def _name(self) -> str:
        suffix = "" if self._count == 0 else str(self._count)
        self._count += 1
        return f"{self.node.name}_backward{suffix}"

    def op(self, op_name: str, *inputs: Entry, **params):
        """Add ``op_name(*inputs, **params)``; return its output entry (or entries)."""
        node = make_node(op_name, self._name(), inputs, params)
        visible = node.visible_outputs()
        entries = [Entry(node, k) for k in range(node.num_outputs())]
        return entries[0] if visible == 1 else entries[:visible]

    def ops(self, op_name: str, *inputs: Entry, **params) -> list[Entry]:
        """Like :meth:`op` but always returns every output, hidden ones included."""
        node = make_node(op_name, self._name(), inputs, params)
        return [Entry(node, k) for k in range(node.num_outputs())]

    # shorthands for the most common compositions
    def mul(self, a: Entry, b: Entry) -> Entry:
        return self.op("elemwise_mul", a, b)

    def scale(self, a: Entry, scalar: float) -> Entry:
        return self.op("_mul_scalar", a, scalar=scalar)

    def sum_to(self, grad: Entry, like: Entry) -> Entry:
        """Sum a broadcast gradient down to the shape of ``like`` (for broadcast_* ops)."""
        return self.op("_reduce_sum_like", grad, like)

    def zeros_like(self, x: Entry) -> Entry:
        return self.op("zeros_like", x)


def _accumulate(contributions: list[Entry], name: str) -> Entry:
    if len(contributions) == 1:
        return contributions[0]
    node = make_node("add_n", name, contributions, {"num_args": len(contributions)})
    return Entry(node, 0)


def build_gradient(heads: Sequence[Entry], xs: Sequence[Node],
                   head_grads: Sequence[Entry | None]) -> list:
    """Gradient entries of ``sum(head_grad_i * head_i)`` with respect to each node in ``xs``.

    A head whose gradient entry is None contributes nothing. Nodes without a gradient rule
    stop the gradient (their inputs receive none), as MXNet's non-differentiable ops do.
    The result per x is an Entry, None (no gradient reaches it: zero) or UNTOUCHED (only
    rules that leave its gradient array alone reached it).
    """
    untouched: set[int] = set()
    grads: dict[tuple[int, int], list[Entry]] = {}
    for head, hg in zip(heads, head_grads):
        if hg is not None:
            grads.setdefault((id(head.node), head.index), []).append(hg)
    for node in reversed(post_order(heads)):
        if node.is_variable:
            continue
        ograds = [grads.get((id(node), k)) for k in range(node.num_outputs())]
        if all(g is None for g in ograds) or node.op.gradient is None:
            continue
        summed = [None if g is None else _accumulate(g, f"{node.name}_ograd{k}_sum")
                  for k, g in enumerate(ograds)]
        in_grads = node.op.gradient(GradBuilder(node), summed)
        if len(in_grads) != len(node.inputs):
            raise MXNetError(f"gradient of {node.op.name} returned {len(in_grads)} entries for "
                             f"{len(node.inputs)} inputs")
        for entry, grad in zip(node.inputs, in_grads):
            if grad is UNTOUCHED:
                untouched.add(id(entry.node))
            elif grad is not None:
                grads.setdefault((id(entry.node), entry.index), []).append(grad)
    result = []
    for x in xs:
        contributions = grads.get((id(x), 0))
        if contributions is not None:
            result.append(_accumulate(contributions, f"{x.name}_grad_sum"))
        else:
            result.append(UNTOUCHED if id(x) in untouched else None)
    return result
