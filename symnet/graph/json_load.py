"""Reading MXNet symbol JSON of every 1.x version into graph entries, safely.

The text is parsed with :mod:`json` (never evaluated) and every field is validated before a
graph is built, so a malformed or hostile file raises :class:`MXNetError` naming the node and
field, never ``KeyError``/``TypeError``/``RecursionError``. Old files are upgraded as MXNet
1.9.1 upgrades them (by ``attrs.mxnet_version``; absent means 0.8.0):

* ``< 10901``: hidden keys: ``lr_mult`` -> ``__lr_mult__``; an op's ``<input>_lr_mult`` moves
  to that input's variable as ``__lr_mult__`` (likewise ``ctx_group``, ``wd_mult``, ...);
* always: the op's attributes are parsed (unknown ones are an error);
* ``< 900``: missing inputs (old files did not store aux states) become variables
  ``<op name>_<input name>`` carrying a copy of the op's attributes, entry version 0;
* ``< 904``: the operators' set-input-variable-attribute hooks run (``__init__`` attrs);
* ``< 905``: ``argmax``/``argmin`` with ``axis="-1"`` lose the axis (global arg-reduce).

Attribute strings are kept verbatim, so re-saving keeps ``"(3,3)"``. Nodes not reachable from
the heads are validated and then dropped, as MXNet drops them.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from ..base import MXNetError
from ..ops.registry import HIDDEN_KEYS, OpDef, Params, find_op
from .json_io import MXNET_VERSION
from .node import Entry, Node

__all__ = ["from_json"]

logger = logging.getLogger("symnet")

_TOP_FIELDS = ("arg_nodes", "attrs", "heads", "node_row_ptr", "nodes")
_TOP_REQUIRED = ("arg_nodes", "heads", "nodes")
_NODE_FIELDS = ("attr", "attrs", "backward_source_id", "control_deps", "inputs", "name", "op",
                "param", "subgraphs")
_NODE_REQUIRED = ("inputs", "name", "op")
_ATTR_FIELDS = ("attrs", "attr", "param")
_DEFAULT_VERSION = 800          # files without a version were written by MXNet 0.8.0
_MAX_UINT32 = 2 ** 32 - 1
_INT32 = (-2 ** 31, 2 ** 31 - 1)


def from_json(text: str) -> list[Entry]:
    """The head entries of the graph stored in MXNet JSON ``text`` (any 1.x version).

    Raises :class:`MXNetError` for anything that is not a valid symbol file.
    """
    if not isinstance(text, str):
        raise MXNetError(f"Symbol JSON must be a str, got {type(text).__name__}")
    data = _decode(text)
    try:
        return _Loader(data).load()
    except MXNetError:
        raise
    except (RecursionError, MemoryError, OverflowError, ValueError, TypeError, KeyError,
            IndexError, AttributeError) as err:  # an operator rule choked on hostile values
        raise MXNetError(f"Invalid symbol JSON (unexpected {type(err).__name__}: "
                         f"{_clip(str(err))})") from None


# ---- text and field validation ------------------------------------------------------------
def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _decode(text: str) -> Any:
    """``json.loads`` with every failure (bad syntax, deep nesting, huge numbers) -> MXNetError."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise MXNetError("Invalid symbol JSON: nesting too deep") from None
    except (ValueError, MemoryError, OverflowError) as err:
        raise MXNetError(f"Invalid symbol JSON: {_clip(str(err))}") from None
    if not isinstance(data, dict):
        raise MXNetError(f"Invalid symbol JSON: expect an object at the top level, got "
                         f"{_kind(data)}")
    return data


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _kind(value: Any) -> str:
    """A short description of a JSON value for error messages."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "an integer", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _is_int(value: Any) -> bool:
    return type(value) is int  # bool is an int subclass: reject it


def _check_fields(obj: dict, allowed: tuple, required: tuple, where: str) -> None:
    """MXNet's JSONReader checks: unknown fields, then missing ones (in sorted order)."""
    for key in obj:
        if key not in allowed:
            raise MXNetError(f"{where}Unknown field {_clip(key, 80)}, candidates are: "
                             + ", ".join(f'"{k}"' for k in allowed))
    for key in required:
        if key not in obj:
            raise MXNetError(f'{where}Missing field "{key}"')


def _string(value: Any, what: str) -> str:
    """``value`` if it is a string that can be written back as UTF-8."""
    if not isinstance(value, str):
        raise MXNetError(f"{what} must be a string, got {_kind(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise MXNetError(f"{what} is not valid Unicode (lone surrogate escape)") from None
    return value


def _string_map(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise MXNetError(f"{what} must be an object of strings, got {_kind(value)}")
    return {_string(k, f"{what} key"): _string(v, f"{what}[{_clip(k, 60)!r}]")
            for k, v in value.items()}


def _int_list(value: Any, what: str, low: int = 0, high: int = _MAX_UINT32) -> list[int]:
    if not isinstance(value, list):
        raise MXNetError(f"{what} must be an array of integers, got {_kind(value)}")
    for k, item in enumerate(value):
        if not _is_int(item) or not low <= item <= high:
            raise MXNetError(f"{what}[{k}] must be an integer in [{low}, {high}], got "
                             f"{_clip(repr(item), 60)}")
    return value


def _entry(value: Any, what: str) -> tuple[int, int, int]:
    """A ``[node, index]`` or ``[node, index, version]`` entry as a checked triple."""
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise MXNetError(f"{what} must be an entry [node_id, output_index, version], got "
                         f"{_clip(repr(value), 80)}")
    _int_list(value, what)
    return (value[0], value[1], value[2] if len(value) == 3 else 0)


def _version(attrs: Any) -> int:
    """``attrs.mxnet_version`` (0.8.0 when absent); other graph attributes are checked only."""
    if attrs is None:
        return _DEFAULT_VERSION
    if not isinstance(attrs, dict):
        raise MXNetError(f'Field "attrs" must be an object, got {_kind(attrs)}')
    for key, value in attrs.items():
        _graph_attr(key, value)
    if "mxnet_version" not in attrs:
        return _DEFAULT_VERSION
    kind, version = attrs["mxnet_version"]
    if kind != "int":
        raise MXNetError(f'Graph attribute "mxnet_version" must be ["int", <version>], got '
                         f"{_clip(repr(attrs['mxnet_version']), 80)}")
    return version


def _graph_attr(key: str, value: Any) -> None:
    """A graph attribute is ``[type_name, value]`` with one of dmlc's registered types."""
    what = f"Graph attribute {_clip(key, 60)!r}"
    if not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], str):
        raise MXNetError(f"{what} must be [type_name, value], got {_clip(repr(value), 80)}")
    kind, item = value
    checks = {
        "int": lambda v: _is_int(v) and _INT32[0] <= v <= _INT32[1],
        "size_t": lambda v: _is_int(v) and 0 <= v < 2 ** 64,
        "str": lambda v: isinstance(v, str),
        "list_int": lambda v: isinstance(v, list) and all(map(_is_int, v)),
        "list_str": lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
        "list_shape": lambda v: isinstance(v, list) and all(
            isinstance(s, list) and all(map(_is_int, s)) for s in v),
    }
    if kind not in checks:
        raise MXNetError(f"{what}: Typename {_clip(kind, 60)} has not been registered")
    if not checks[kind](item):
        raise MXNetError(f"{what}: value {_clip(repr(item), 80)} is not of type {kind}")


def _version_text(version: int) -> str:
    """``v0.8.0`` for 800, printed as MXNet prints it (C integer division)."""
    def cdiv(a: int, b: int) -> int:
        return -(-a // b) if a < 0 else a // b

    def cmod(a: int, b: int) -> int:
        return a - b * cdiv(a, b)
    return f"v{cdiv(version, 10000)}.{cmod(cdiv(version, 100), 100)}.{cmod(version, 100)}"


# ---- the loader -----------------------------------------------------------------------
class _Loader:
    """Validates the decoded JSON, builds the nodes and runs the version upgrades."""

    def __init__(self, data: dict):
        _check_fields(data, _TOP_FIELDS, _TOP_REQUIRED, "")
        self.data = data
        self.version = _version(data.get("attrs"))
        self.nodes: list[Node] = []

    def load(self) -> list[Entry]:
        """Build, upgrade and check the graph; return its heads."""
        raw = self.data["nodes"]
        if not isinstance(raw, list):
            raise MXNetError(f'Field "nodes" must be an array, got {_kind(raw)}')
        if "node_row_ptr" in self.data:  # informational only: output counts vary by build
            _int_list(self.data["node_row_ptr"], 'Field "node_row_ptr"')
        for nid, obj in enumerate(raw):
            self.nodes.append(self._read_node(nid, obj))
        self._check_arg_nodes()
        heads = self._read_heads()
        self._upgrade()
        self._check_entries(heads)
        return heads

    # ---- reading ------------------------------------------------------------------------
    def _where(self, nid: int, name: str | None = None) -> str:
        if name is None and nid < len(self.nodes):
            name = self.nodes[nid].name
        return f"node {nid}" + ("" if name is None else f" ({_clip(name, 80)!r})")

    def _read_node(self, nid: int, obj: Any) -> Node:
        """One node object -> a Node whose ``params`` are filled in later (by ``_upgrade``)."""
        if not isinstance(obj, dict):
            raise MXNetError(f"Invalid symbol JSON: node {nid} must be an object, got "
                             f"{_kind(obj)}")
        _check_fields(obj, _NODE_FIELDS, _NODE_REQUIRED, f"Invalid symbol JSON: node {nid}: ")
        name = _string(obj["name"], f'node {nid}: field "name"')
        where = self._where(nid, name)
        op_name = _string(obj["op"], f'{where}: field "op"')
        attrs: dict[str, str] = {}
        for key in obj:
            if key in _ATTR_FIELDS:
                attrs.update(_string_map(obj[key], f'{where}: field "{key}"'))
        self._check_extras(obj, nid, where)
        inputs = self._read_inputs(obj["inputs"], nid, where)
        if op_name == "null":
            if inputs:
                raise MXNetError(f"{where}: a variable (op \"null\") cannot have inputs")
            return Node(None, name, attrs)
        op = find_op(op_name)
        if op is None:
            raise MXNetError(f"Failed loading Op {name} of type {op_name}: Operator "
                             f"{op_name} is not registered")
        return Node(op, name, attrs, inputs, params=Params())

    def _check_extras(self, obj: dict, nid: int, where: str) -> None:
        """``control_deps`` (checked, then dropped), ``backward_source_id``, ``subgraphs``."""
        if "control_deps" in obj:
            _int_list(obj["control_deps"], f'{where}: field "control_deps"', high=nid - 1)
        bsi = obj.get("backward_source_id", -1)
        if not _is_int(bsi) or not _INT32[0] <= bsi <= _INT32[1]:
            raise MXNetError(f'{where}: field "backward_source_id" must be an integer, got '
                             f"{_clip(repr(bsi), 60)}")
        subgraphs = obj.get("subgraphs", [])
        if not isinstance(subgraphs, list) or subgraphs:
            raise MXNetError(f"{where}: subgraphs (control-flow operators) are not supported")

    def _read_inputs(self, value: Any, nid: int, where: str) -> list[Entry]:
        if not isinstance(value, list):
            raise MXNetError(f'{where}: field "inputs" must be an array, got {_kind(value)}')
        entries = []
        for k, item in enumerate(value):
            src, index, version = _entry(item, f'{where}: "inputs"[{k}]')
            if src >= nid:
                raise MXNetError(f'{where}: "inputs"[{k}] refers to node {src}, but an input '
                                 f"must come before the node using it (index < {nid})")
            entries.append(Entry(self.nodes[src], index, version))
        return entries

    def _check_arg_nodes(self) -> None:
        arg_nodes = _int_list(self.data["arg_nodes"], 'Field "arg_nodes"')
        for k, nid in enumerate(arg_nodes):
            if nid >= len(self.nodes):
                raise MXNetError(f'"arg_nodes"[{k}] = {nid} is out of range: the graph has '
                                 f"{len(self.nodes)} nodes")
            if not self.nodes[nid].is_variable:
                raise MXNetError(f'"arg_nodes"[{k}] = {nid}: {self._where(nid)} is an operator '
                                 "node, not a variable")

    def _read_heads(self) -> list[Entry]:
        value = self.data["heads"]
        if not isinstance(value, list):
            raise MXNetError(f'Field "heads" must be an array, got {_kind(value)}')
        heads = []
        for k, item in enumerate(value):
            nid, index, version = _entry(item, f'"heads"[{k}]')
            if nid >= len(self.nodes):
                raise MXNetError(f'"heads"[{k}] refers to node {nid}, but the graph has '
                                 f"{len(self.nodes)} nodes")
            heads.append(Entry(self.nodes[nid], index, version))
        return heads

    # ---- upgrades ----------------------------------------------------------------------
    def _upgrade(self) -> None:
        """Parse every op's attributes, applying the upgrades the file's version needs."""
        version = self.version
        if version < MXNET_VERSION:
            logger.info("Loading symbol saved by previous version %s. Attempting to upgrade...",
                        _version_text(version))
        elif version > MXNET_VERSION:
            logger.warning("Warning: loading symbol saved by MXNet version %d with lower "
                           "version of MXNet v%d. May cause undefined behavior. Please update "
                           "MXNet if you encounter any issue", version, MXNET_VERSION)
        ops = [n for n in self.nodes if not n.is_variable]
        if version < 10901:
            for node in self.nodes:
                self._hidden_keys(node)
        for node in ops:
            node.params = _parse(node)
        for node in ops:
            self._complete_inputs(node, fill=version < 900)
        if version < 904:
            for node in ops:
                _run_attr_hook(node)
        if version < 905:
            for node in ops:
                if node.op.name in ("argmax", "argmin") and node.attrs.get("axis") == "-1":
                    del node.attrs["axis"]
                    node.params = _parse(node)
        if version < MXNET_VERSION:
            logger.info("Symbol successfully upgraded!")

    def _hidden_keys(self, node: Node) -> None:
        """``lr_mult`` -> ``__lr_mult__``; an op's ``weight_lr_mult`` -> its weight variable."""
        moves = {}
        for key in list(node.attrs):
            for hidden in HIDDEN_KEYS:
                if key == hidden:
                    node.attrs[f"__{hidden}__"] = node.attrs.pop(key)
                elif (not node.is_variable and key.endswith(hidden)
                      and len(key) - len(hidden) > 1):  # MXNet drops the char before
                    moves[key] = (key[:len(key) - len(hidden) - 1], hidden)
        if not moves:
            return
        base = {k: v for k, v in node.attrs.items() if k not in moves}
        names = _input_names(node, _parse(node, base))
        for key, (arg, hidden) in moves.items():
            targets = [e.node for e, n in zip(node.inputs, names)
                       if n == arg and e.node.is_variable]
            for target in targets:
                target.attrs[f"__{hidden}__"] = node.attrs[key]
            if targets:
                del node.attrs[key]

    def _complete_inputs(self, node: Node, fill: bool) -> None:
        """Check the input count; old files (``fill``) get variables for missing inputs."""
        names = _input_names(node, node.params)
        if fill and len(node.inputs) < len(names):
            for input_name in names[len(node.inputs):]:
                var_name = f"{node.name}_{input_name}" if node.name else input_name
                node.inputs.append(Entry(Node(None, var_name, dict(node.attrs))))
        if len(node.inputs) != len(names):
            raise MXNetError(f"Operator {node.op.name} ({_clip(node.name, 80)!r}) takes "
                             f"{len(names)} inputs {_clip(str(names), 120)} with these "
                             f"parameters, but the file gives it {len(node.inputs)}")

    def _check_entries(self, heads: list[Entry]) -> None:
        """Every input and head must name an existing output of its node."""
        for nid, node in enumerate(self.nodes):
            for k, entry in enumerate(node.inputs):
                _check_output(entry, f'{self._where(nid)}: "inputs"[{k}]')
        for k, entry in enumerate(heads):
            _check_output(entry, f'"heads"[{k}]')
            if entry.index >= entry.node.visible_outputs():
                raise MXNetError(f'"heads"[{k}] refers to output {entry.index} of '
                                 f"{_clip(entry.node.name, 80)!r}, a hidden output")


# ---- per-node helpers ---------------------------------------------------------------------
def _parse(node: Node, attrs: dict[str, str] | None = None) -> Params:
    """``op.parse`` with any failure (also a non-MXNetError one) reported as MXNetError."""
    attrs = node.attrs if attrs is None else attrs
    try:
        return node.op.parse(attrs, node.name)
    except MXNetError:
        raise
    except Exception as err:  # noqa: BLE001 - a field parser choked on a hostile string
        raise MXNetError(f"Invalid attribute value in operator {node.op.name} "
                         f"({_clip(node.name, 80)!r}): an attribute is too deeply nested or "
                         f"too large to parse ({type(err).__name__})") from None


def _input_names(node: Node, params: Params) -> list[str]:
    """The op's input names. A variadic op's count must match its inputs, and is checked
    before the list is built (a hostile ``num_args`` must not allocate a huge list)."""
    op: OpDef = node.op
    if op.num_args_key is not None:
        count = params.get(op.num_args_key)
        # The count is usually the number of inputs; some ops (bilinear UpSampling: num_args=1
        # with data and weight) take more. A small count is safe to expand and compare.
        fits = isinstance(count, int) and 0 <= count <= len(node.inputs) and \
            len(op.input_names(params)) == len(node.inputs)
        if count != len(node.inputs) and not fits:
            raise MXNetError(f"Operator {op.name} ({_clip(node.name, 80)!r}) has "
                             f"{op.num_args_key}={_clip(str(count), 40)} but the file gives "
                             f"it {len(node.inputs)} inputs")
    return list(op.input_names(params))


def _run_attr_hook(node: Node) -> None:
    """The op's set-input-variable-attribute hook (adds ``__init__`` where missing)."""
    hook = node.op.attr_hook
    if hook is None:
        return
    for i, entry in enumerate(node.inputs):
        if entry.node.is_variable:
            for key, text in hook(node.params, i).items():
                entry.node.attrs.setdefault(key, text)


def _check_output(entry: Entry, what: str) -> None:
    count = entry.node.num_outputs()
    if entry.index >= count:
        raise MXNetError(f"{what} refers to output {entry.index} of "
                         f"{_clip(entry.node.name, 80)!r}, "
                         f"which has {count} output(s)")
