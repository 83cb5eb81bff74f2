"""``Executor``: a symbol bound to arrays, compiled once, run many times (MXNet 1.x API)."""
from __future__ import annotations

import bisect
from typing import Callable

import numpy as np

from .. import config
from ..base import MXNetError
from ..context import Context
from ..ndarray.ndarray import NDArray
from .compile import Compiled, compile_graph, full_graph
from .slices import sliced_forward

__all__ = ["Executor"]

_MIB = 1 << 20


class Executor:
    """Runs ``forward`` and ``backward`` over memory planned at bind time.

    Build one with :meth:`Symbol.bind` or :meth:`Symbol.simple_bind`. ``arg_arrays``,
    ``grad_arrays`` and ``aux_arrays`` are the bound NDArrays (the very objects given to
    ``bind``); ``outputs`` are views of the planned output buffers.
    """

    def __init__(self, symbol, ctx: Context, args: list[NDArray], args_grad: list | None,
                 grad_reqs: list[str], aux_states: list[NDArray], group2ctx=None,
                 grads_given: bool = True):
        self._symbol = symbol
        self._ctx = ctx
        self.arg_arrays = list(args)
        self.grad_arrays = list(args_grad) if grads_given else None
        self.aux_arrays = list(aux_states)
        self._grad_reqs = [r if args_grad[i] is not None else "null"
                           for i, r in enumerate(grad_reqs)]
        self._group2ctx = group2ctx
        graph = full_graph(symbol._outputs, self._grad_reqs)
        bound = {nid: a._data for nid, a in zip(graph.arg_nids, self.arg_arrays)}
        bound.update({nid: a._data for nid, a in zip(graph.aux_nids, self.aux_arrays)})
        self._head_grads = self._allocate_head_grads(graph, symbol, bound)
        bound.update({nid: a for nid, a in self._head_grads.items()})
        grads = [None if g is None else g._data for g in args_grad]
        self._compiled: Compiled = compile_graph(graph, bound, grads, self._grad_reqs,
                                                 memory_plan=config.memory_plan)
        heads = graph.idx.heads[:graph.num_outputs]
        self._output_arrays = [self._compiled.arrays[e] for e in heads]
        self._output_ctx = _output_contexts(graph.idx, graph.num_outputs, ctx, group2ctx)
        self.outputs = self._wrap_outputs()
        self._required_heads = self._find_required_heads(graph)
        self._last_forward: tuple | None = None
        self._backward_done = False
        self._monitor_heads: Callable | None = None
        self._monitor: tuple | None = None  # (callback, monitor_all)
        self._sliced: tuple | None = None   # (settings it was built for, SlicedForward or None)

    # ---- construction helpers ------------------------------------------------------------
    @staticmethod
    def _allocate_head_grads(graph, symbol, bound) -> dict[int, np.ndarray]:
        from ..graph.infer import infer_shapes, infer_types
        from ..graph.node import IndexedGraph
        fwd = IndexedGraph(symbol._outputs)
        ks = {fwd.entry_id(fwd.node_id[id(graph.idx.nodes[n])]): a.shape
              for n, a in bound.items()}
        kt = {fwd.entry_id(fwd.node_id[id(graph.idx.nodes[n])]): a.dtype
              for n, a in bound.items()}
        shapes, types = infer_shapes(fwd, ks), infer_types(fwd, kt)
        out = {}
        for k, nid in enumerate(graph.head_grad_nids):
            if nid is not None:
                shape, dtype = shapes[fwd.heads[k]], types[fwd.heads[k]]
                if shape is None or any(d is None for d in shape) or dtype is None:
                    raise MXNetError(f"Cannot infer the shape of output {k} of the symbol")
                out[nid] = np.zeros(shape, dtype)
        return out

    def _wrap_outputs(self) -> list[NDArray]:
        """Fresh NDArray objects over the same output buffers (MXNet refreshes ``outputs``)."""
        return [NDArray(a, c) for a, c in zip(self._output_arrays, self._output_ctx)]

    def _find_required_heads(self, graph) -> list[int]:
        """Outputs whose head gradient some backward node reads (loss heads need none)."""
        idx = graph.idx
        read = {e for ins in idx.input_entries for e in ins}
        return [k for k, nid in enumerate(graph.head_grad_nids)
                if nid is not None and idx.entry_id(nid) in read]

    # ---- running ---------------------------------------------------------------------------
    def forward(self, is_train: bool = False, **kwargs) -> list[NDArray]:
        """Copy ``kwargs`` into the arguments, then run the forward pass."""
        arg_dict = self.arg_dict if kwargs else None
        for name, value in kwargs.items():
            if not isinstance(value, (NDArray, np.ndarray)):
                raise ValueError("only accept keyword argument of NDArrays and numpy.ndarray")
            if name not in arg_dict:
                raise TypeError(f"Unknown argument {name}")
            target = arg_dict[name]
            if tuple(target.shape) != tuple(value.shape):
                raise ValueError(f"Shape not match! Argument {name}, need: {target.shape}, "
                                 f"received: {tuple(value.shape)}")
            target[:] = value
        self._run_forward(bool(is_train), _rng())
        self.outputs = self._wrap_outputs()
        return self.outputs

    def _run_forward(self, is_train: bool, rng: np.random.Generator) -> None:
        program = self._compiled.program
        # Remember how this forward pass was run, so a repeated backward can replay it (the
        # generator's state only matters when some operator draws random numbers).
        state = rng.bit_generator.state if program.uses_rng else None
        self._last_forward = (is_train, state)
        program.ctx.is_train = is_train
        program.ctx.rng = rng
        sliced = None if is_train or self._monitor is not None else self._sliced_forward()
        if sliced is None or not sliced.run(rng):
            program.run(0, program.num_forward)
        self._backward_done = False

    def _sliced_forward(self):
        """The slice programs of inference passes (``slices.py``), built on first use for the
        current thread count, or None."""
        settings = (config.num_threads, config.memory_plan)
        if self._sliced is None or self._sliced[0] != settings:
            self._sliced = (settings, sliced_forward(self._compiled))
        return self._sliced[1]

    def backward(self, out_grads=None, is_train: bool = True) -> None:
        """Run the backward pass; ``out_grads`` are the head gradients (NDArray, list, dict)."""
        program = self._compiled.program
        out_grads = self._head_grad_list(out_grads)
        if program.num_forward == len(program.steps):
            return
        self._set_head_grads(out_grads)
        if self._backward_done and self._last_forward is not None:
            # The memory plan lets backward reuse buffers of forward values after their last
            # read, so a second backward first recomputes them (same random draws).
            train, state = self._last_forward
            rng = _rng()
            if state is not None:
                rng = np.random.Generator(type(rng.bit_generator)())
                rng.bit_generator.state = state
            self._run_forward(train, rng)
        program.ctx.is_train = bool(is_train)
        if self._monitor_heads is not None:
            self._monitor_heads()
        program.run(program.num_forward, len(program.steps))
        self._backward_done = True

    def _head_grad_list(self, out_grads) -> list[NDArray]:
        """``out_grads`` in MXNet's forms: None, an NDArray, a list, or a dict holding every
        output name (KeyError otherwise)."""
        if out_grads is None:
            out_grads = []
        elif isinstance(out_grads, NDArray):
            out_grads = [out_grads]
        elif isinstance(out_grads, dict):
            out_grads = [out_grads[k] for k in self._names("outputs")]
        out_grads = list(out_grads)
        for value in out_grads:
            if not isinstance(value, NDArray):
                raise TypeError("inputs must be NDArray")
        return out_grads

    def _set_head_grads(self, out_grads: list[NDArray]) -> None:
        """Copy the head gradients that some backward node reads into their buffers."""
        graph = self._compiled.graph
        for k in self._required_heads:
            if k >= len(out_grads):
                raise MXNetError(
                    "Because the last operator is not Loss function, head_gradient is required "
                    "when calling backward. If you are attempting to minimize the output as an "
                    "objective, please modify your network and pass it through the make_loss "
                    "symbol.")
            target = self._head_grads[graph.head_grad_nids[k]]
            data = out_grads[k]._data
            if data.shape != target.shape:
                raise MXNetError(f"operands shape mismatch from.shape = "
                                 f"[{','.join(map(str, data.shape))}] to.shape="
                                 f"[{','.join(map(str, target.shape))}]")
            np.copyto(target, data, casting="unsafe")

    # ---- dictionaries ---------------------------------------------------------------------
    @staticmethod
    def _as_dict(names: list[str], arrays: list) -> dict:
        if len(set(names)) != len(names):
            raise ValueError(f"Duplicate names detected, {names}")
        return dict(zip(names, arrays))

    def _names(self, kind: str) -> list[str]:
        """The symbol's argument/aux/output names, computed once (the graph never changes)."""
        cache = self.__dict__.setdefault("_name_cache", {})
        if kind not in cache:
            cache[kind] = getattr(self._symbol, f"list_{kind}")()
        return cache[kind]

    @property
    def arg_dict(self) -> dict[str, NDArray]:
        return self._as_dict(self._names("arguments"), self.arg_arrays)

    @property
    def grad_dict(self) -> dict[str, NDArray | None]:
        if self.grad_arrays is None:
            raise TypeError("'NoneType' object is not iterable")
        return self._as_dict(self._names("arguments"), self.grad_arrays)

    @property
    def aux_dict(self) -> dict[str, NDArray]:
        return self._as_dict(self._names("auxiliary_states"), self.aux_arrays)

    @property
    def output_dict(self) -> dict[str, NDArray]:
        return self._as_dict(self._names("outputs"), self.outputs)

    # ---- parameters, monitoring, reshaping --------------------------------------------------
    def copy_params_from(self, arg_params: dict, aux_params: dict | None = None,
                         allow_extra_params: bool = False) -> None:
        """Copy values (cast to each array's dtype) into the bound arguments and aux states."""
        args = self.arg_dict
        for name, array in arg_params.items():
            if name in args:
                _copy_into(args[name], array)
            elif not allow_extra_params:
                raise ValueError(f'Find name "{name}" that is not in the arguments')
        aux = self.aux_dict if aux_params else {}
        for name, array in (aux_params or {}).items():
            if name in aux:
                _copy_into(aux[name], array)
            elif not allow_extra_params:
                raise ValueError(f"Find name {name} that is not in the auxiliary states")

    def set_monitor_callback(self, callback: Callable, monitor_all: bool = False) -> None:
        """Call ``callback(name, array)`` after every operator with each of its outputs
        (``b'fc1_output'``); with ``monitor_all`` first with its inputs too: a variable input
        under the variable's name, then every input as ``b'<node>_<input>'``.

        As in MXNet the name is ``bytes``; the array is an NDArray (MXNet passes a raw handle).
        """
        ctx = self._ctx
        self._monitor = (callback, monitor_all)
        # Outputs nobody reads are normally skipped ('null'); a monitor reports them, so they
        # are computed from now on. Their planned buffers are free right after the step.
        for step in self._compiled.program.steps:
            step.req[:] = ["write" if r == "null" else r for r in step.req]

        def report(name: str, array: np.ndarray) -> None:
            callback(name.encode(), NDArray(np.ascontiguousarray(array), ctx))

        def monitor(step) -> None:
            node = step.node
            for name, array in zip(node.op.list_outputs(node.params), step.outs):
                report(f"{node.name}_{name}", array)

        def monitor_inputs(step) -> None:
            node = step.node
            names = node.op.input_names(node.params)
            for entry, name, array in zip(node.inputs, names, step.ins):
                if entry.node.is_variable:
                    report(entry.node.name, array)
                report(f"{node.name}_{name}", array)

        def monitor_heads() -> None:
            # MXNet's gradient graph starts with one `_head_grad_<k>_id` node per head grad.
            graph = self._compiled.graph
            for k in self._required_heads:
                head = self._head_grads[graph.head_grad_nids[k]]
                if monitor_all:
                    report(f"_head_grad_{k}", head)
                    report(f"_head_grad_{k}_id_lhs", head)
                    report(f"_head_grad_{k}_id_rhs", self._output_arrays[k])
                report(f"_head_grad_{k}_id_output", head)

        program = self._compiled.program
        program.monitor = monitor
        program.monitor_inputs = monitor_inputs if monitor_all else None
        self._monitor_heads = monitor_heads

    def reshape(self, partial_shaping: bool = False, allow_up_sizing: bool = False,
                **kwargs) -> "Executor":
        """A new executor for new input shapes, sharing this one's memory where it fits."""
        from .reshape import reshape_executor
        return reshape_executor(self, partial_shaping, allow_up_sizing, kwargs)

    # ---- introspection -------------------------------------------------------------------
    @property
    def planned_bytes(self) -> int:
        """Bytes of the memory pool for intermediate results (arguments not included)."""
        return self._compiled.plan.total_bytes

    def debug_str(self) -> str:
        """The executor graph with each entry's storage, then MXNet's allocation summary."""
        from .debug import executor_debug_str
        sliced = "" if self._sliced is None or self._sliced[1] is None else \
            self._sliced[1].describe()
        return executor_debug_str(self._compiled) + \
            f"Total {self.planned_bytes // _MIB} MB allocated\n" \
            "Total 11 TempSpace resource requested\n" + sliced


def _copy_into(target: NDArray, value) -> None:
    """MXNet's ``value.astype(target.dtype).copyto(target)`` (a wrong shape is an MXNetError)."""
    if not isinstance(value, NDArray):
        value = NDArray(np.ascontiguousarray(value), target.context)
    value.astype(target.dtype).copyto(target)


def _output_contexts(idx, num_outputs: int, ctx: Context, group2ctx) -> list[Context]:
    """The context of each output: its node's ``__ctx_group__`` mapped by ``group2ctx``, or
    else inherited from the first placed input (MXNet's device placement), or else ``ctx``."""
    if not group2ctx:
        return [ctx] * num_outputs
    placed: dict[int, Context] = {}
    for nid, node in enumerate(idx.nodes):
        where = group2ctx.get(node.attrs.get("__ctx_group__"))
        if where is None and not node.is_variable:
            where = next((placed[idx.node_id[id(e.node)]] for e in node.inputs
                          if idx.node_id[id(e.node)] in placed), None)
        if where is not None:
            placed[nid] = where
    owner = [bisect.bisect_right(idx.row_ptr, e) - 1 for e in idx.heads[:num_outputs]]
    return [placed.get(nid, ctx) for nid in owner]


def _rng():
    from .. import random
    return random.generator()
