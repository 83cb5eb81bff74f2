"""``Executor.debug_str``: the bound graph, one node per block, with storage assignments."""
from __future__ import annotations

from .compile import Compiled

__all__ = ["executor_debug_str"]


def executor_debug_str(compiled: Compiled) -> str:
    idx, plan = compiled.graph.idx, compiled.plan
    lines = ["Symbol Outputs:"]
    for k, e in enumerate(idx.heads[:compiled.graph.num_outputs]):
        lines.append(f"\toutput[{k}]={_entry_name(idx, e)}")
    for nid, node in enumerate(idx.nodes):
        lo, hi = idx.row_ptr[nid], idx.row_ptr[nid + 1]
        if node.is_variable:
            lines.append(f"Variable:{node.name}")
            continue
        lines += ["-" * 20, f"Op:{node.op.name}, Name={node.name}", "Inputs:"]
        for i, e in enumerate(idx.input_entries[nid]):
            lines.append(f"\targ[{i}]={_entry_name(idx, e)}")
        lines.append("Outputs:")
        granted = dict((j, i) for i, j in plan.inplace.get(nid, []))
        for j, e in enumerate(range(lo, hi)):
            sid = plan.storage[e]
            where = "external" if sid < 0 else f"storage {sid} ({plan.sizes[sid]} bytes)"
            note = f", in place of arg[{granted[j]}]" if j in granted else ""
            shape = "x".join(map(str, compiled.shapes[e]))
            lines.append(f"\tout[{j}] {shape} {compiled.dtypes[e].name}: {where}{note}")
        if node.attrs:
            lines.append("Attrs:")
            lines += [f"\t{k}={v}" for k, v in sorted(node.attrs.items())]
    return "\n".join(lines) + "\n"


def _entry_name(idx, e: int) -> str:
    nid = max(i for i in range(len(idx.nodes)) if idx.row_ptr[i] <= e)
    return f"{idx.nodes[nid].name}({e - idx.row_ptr[nid]})"
