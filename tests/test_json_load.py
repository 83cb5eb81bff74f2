"""Loading MXNet symbol JSON: oracle round trips, upgrades of old files, validation, fuzzing.

``tests/fixtures/json`` holds files recorded with MXNet 1.9.1 by ``make_json_fixtures.py``:
``<name>.json`` (what is loaded), ``<name>-resaved.json`` (MXNet's ``load(f).tojson()``) and
``manifest.json`` (MXNet's argument/output/aux lists, and its errors for malformed files).
Fixtures whose operators are not registered yet are skipped.
"""
from __future__ import annotations

import json
import logging
import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import symnet as mx
from symnet.base import MXNetError
from symnet.graph.json_load import from_json
from symnet.ops import registry
from symnet.ops.fields import Int
from symnet.ops.rules import elemwise_shape
from symnet.symbol.construct import create

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "json")
with open(os.path.join(HERE, "manifest.json"), encoding="utf-8") as _f:
    MANIFEST = json.load(_f)
GRAPHS = MANIFEST["graphs"]


def _text(name: str) -> str:
    with open(os.path.join(HERE, f"{name}.json"), encoding="utf-8") as f:
        return f.read()


def _need_ops(ops) -> None:
    missing = [op for op in ops if registry.find_op(op) is None]
    if missing:
        pytest.skip(f"operators not registered yet: {missing}")


def _graph(nodes, heads, version=10901, arg_nodes=None, **extra) -> str:
    """A JSON text from node dicts (``attrs`` optional)."""
    data = {"nodes": nodes, "heads": heads,
            "arg_nodes": arg_nodes if arg_nodes is not None
            else [i for i, n in enumerate(nodes) if n.get("op") == "null"]}
    if version is not None:
        data["attrs"] = {"mxnet_version": ["int", version]}
    data.update(extra)
    return json.dumps(data)


def _var(name, **attrs):
    node = {"op": "null", "name": name, "inputs": []}
    if attrs:
        node["attrs"] = attrs
    return node


def _op(op, name, inputs, **attrs):
    node = {"op": op, "name": name, "inputs": inputs}
    if attrs:
        node["attrs"] = attrs
    return node


def _nodes(sym) -> list[dict]:
    return json.loads(sym.tojson())["nodes"]


# ---- oracle round trips -------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_round_trip_matches_mxnet(name):
    info = GRAPHS[name]
    _need_ops(info["ops"])
    sym = mx.sym.load(os.path.join(HERE, f"{name}.json"))
    with open(os.path.join(HERE, f"{name}-resaved.json"), "rb") as f:
        resaved = f.read().decode("utf-8")
    assert sym.tojson() == resaved
    assert sym.list_arguments() == info["arguments"]
    assert sym.list_outputs() == info["outputs"]
    assert sym.list_auxiliary_states() == info["aux"]
    assert sym.list_inputs() == info["inputs"]
    assert mx.sym.load_json(resaved).tojson() == resaved  # current format: a fixed point


def test_attribute_strings_are_kept_verbatim():
    text = _graph([_var("x", __shape__="(2,3)"),
                   _op("_plus_scalar", "p", [[0, 0, 0]], scalar="  1.50")], [[1, 0, 0]])
    nodes = _nodes(mx.sym.load_json(text))
    assert nodes[0]["attrs"] == {"__shape__": "(2,3)"}
    assert nodes[1]["attrs"] == {"scalar": "  1.50"}


def test_alias_op_name_loads_as_the_operator():
    text = _graph([_var("a"), _var("b"), _op("_Plus", "p", [[0, 0], [1, 0]])], [[2, 0]])
    sym = mx.sym.load_json(text)
    assert _nodes(sym)[2]["op"] == "elemwise_add"
    assert sym.list_outputs() == ["p_output"]


def test_unreachable_nodes_are_dropped_and_key_order_is_free():
    nodes = [_var("a"), _var("unused"), _op("_mul_scalar", "m", [[0, 0, 0]], scalar="2")]
    data = json.loads(_graph(nodes, [[2, 0, 0]]))
    text = json.dumps(dict(reversed(list(data.items()))), separators=(",", ":"))
    sym = mx.sym.load_json(text)
    assert sym.list_arguments() == ["a"]
    assert [n["name"] for n in _nodes(sym)] == ["a", "m"]


def test_group_heads_and_multi_output_entries():
    text = _graph([_var("d"), _op("SliceChannel", "s", [[0, 0, 0]], num_outputs="3")],
                  [[1, 2, 0], [0, 0, 0], [1, 0, 0]])
    sym = mx.sym.load_json(text)
    assert sym.list_outputs() == ["s_output2", "d", "s_output0"]
    assert sym.name is None


def test_empty_graph():
    sym = mx.sym.load_json('{"nodes": [], "arg_nodes": [], "heads": []}')
    assert sym.list_outputs() == [] and sym.list_arguments() == []
    assert '"node_row_ptr": [0]' in sym.tojson()


def test_control_deps_are_checked_then_dropped():
    nodes = [_var("a"), _op("_mul_scalar", "m", [[0, 0, 0]], scalar="2")]
    nodes[1]["control_deps"] = [0]
    assert "control_deps" not in mx.sym.load_json(_graph(nodes, [[1, 0, 0]])).tojson()
    nodes[1]["control_deps"] = [1]
    with pytest.raises(MXNetError, match="control_deps"):
        mx.sym.load_json(_graph(nodes, [[1, 0, 0]]))


# ---- upgrades of old files -------------------------------------------------------------------
def test_upgrade_logs_and_future_version_warns(caplog):
    text = _graph([_var("a")], [[0, 0]], version=None)
    with caplog.at_level(logging.INFO, logger="symnet"):
        mx.sym.load_json(text)
    messages = [r.getMessage() for r in caplog.records if r.name == "symnet"]
    assert messages == ["Loading symbol saved by previous version v0.8.0. Attempting to "
                        "upgrade...", "Symbol successfully upgraded!"]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="symnet"):
        mx.sym.load_json(_graph([_var("a")], [[0, 0]], version=20000))
        mx.sym.load_json(_graph([_var("a")], [[0, 0]], version=10901))
    records = [r for r in caplog.records if r.name == "symnet"]
    assert len(records) == 1 and records[0].levelno == logging.WARNING
    assert "saved by MXNet version 20000 with lower version of MXNet v10901" in \
        records[0].getMessage()


@pytest.mark.parametrize("version, upgraded", [(None, True), (10900, True), (10901, False)])
def test_hidden_keys(version, upgraded):
    nodes = [_var("a", lr_mult="2"), _var("b"),
             _op("elemwise_add", "add", [[0, 0], [1, 0]], ctx_group="g", rhs_wd_mult="0.5")]
    text = _graph(nodes, [[2, 0]], version=version)
    if not upgraded:
        with pytest.raises(MXNetError, match="Cannot find argument 'ctx_group'"):
            mx.sym.load_json(text)
        return
    got = _nodes(mx.sym.load_json(text))
    assert got[0]["attrs"] == {"__lr_mult__": "2"}
    assert got[1]["attrs"] == {"__wd_mult__": "0.5"}
    assert got[2]["attrs"] == {"__ctx_group__": "g"}


@pytest.mark.parametrize("key", ["foo_lr_mult", "lr_mult_x", "xlr_mult", "_lr_mult"])
def test_hidden_key_without_matching_variable_is_an_error(key):
    """Oracle: these stay on the op, where they are unknown arguments."""
    nodes = [_var("a"), _var("b"), _op("elemwise_add", "add", [[0, 0], [1, 0]], **{key: "2"})]
    with pytest.raises(MXNetError, match=f"Cannot find argument '{key}'"):
        mx.sym.load_json(_graph(nodes, [[2, 0]], version=800))


def test_hidden_keys_stay_on_variables_when_prefixed():
    nodes = [_var("a", weight_lr_mult="2", lr_mult="1")]
    got = _nodes(mx.sym.load_json(_graph(nodes, [[0, 0]], version=800)))
    assert got[0]["attrs"] == {"__lr_mult__": "1", "weight_lr_mult": "2"}


def test_renamed_hidden_key_overrides_existing_one():
    nodes = [_var("a", lr_mult="3", __lr_mult__="4")]
    got = _nodes(mx.sym.load_json(_graph(nodes, [[0, 0]], version=800)))
    assert got[0]["attrs"] == {"__lr_mult__": "3"}


@pytest.mark.parametrize("version, removed", [(904, True), (905, False)])
def test_argmax_axis_minus_one(version, removed):
    _need_ops(["argmax", "argmin"])
    nodes = [_var("x"), _op("argmax", "am", [[0, 0, 0]], axis="-1"),
             _op("argmin", "an", [[0, 0, 0]], axis=" -1"),
             _op("argmax", "ak", [[0, 0, 0]], axis="-1", keepdims="True")]
    got = _nodes(mx.sym.load_json(_graph(nodes, [[1, 0], [2, 0], [3, 0]], version=version)))
    assert got[1].get("attrs") == (None if removed else {"axis": "-1"})
    assert got[2]["attrs"] == {"axis": " -1"}  # only the exact string "-1"
    assert got[3]["attrs"] == ({"keepdims": "True"} if removed
                               else {"axis": "-1", "keepdims": "True"})


# ---- a test-only operator with an aux state, two hidden outputs and an attr hook -------------
TEST_OP = "_test_json_load_aux_op"


def _aux_hook(params, i):
    return {"__init__": f'["constant", {{"value": {params.k}}}]'} if i == 2 else {}


@pytest.fixture(scope="module")
def aux_op():
    """Registered for this module only, so the op-contract coverage test never sees it."""
    op = registry.find_op(TEST_OP)
    added = op is None
    if added:
        op = registry.register(
            TEST_OP, inputs=["data", "w", "state"], aux=[2], outputs=3, visible_outputs=1,
            fields=[Int("k", 1)], infer_shape=elemwise_shape, attr_hook=_aux_hook,
            forward=lambda p, ctx, ins, req, outs: None)
    yield op
    if added:
        registry._REGISTRY.pop(TEST_OP, None)


def _aux_graph(version, n_inputs=2, **state_attrs):
    nodes = [_var("x"), _var("t_w"), _var("t_state", **state_attrs)]
    group = {"ctx_group" if version < 10901 else "__ctx_group__": "c"}
    op = _op(TEST_OP, "t", [[0, 0], [1, 0], [2, 0, 1]][:n_inputs], k="5", **group)
    return _graph(nodes[:n_inputs] + [op], [[n_inputs, 0]], version=version,
                  arg_nodes=list(range(n_inputs)))


def test_old_file_gets_missing_aux_variables(aux_op):
    sym = mx.sym.load_json(_aux_graph(899))
    assert sym.list_arguments() == ["x", "t_w"]
    assert sym.list_auxiliary_states() == ["t_state"]
    nodes = _nodes(sym)
    assert nodes[2] == {"op": "null", "name": "t_state", "inputs": [], "attrs": {
        "__ctx_group__": "c", "__init__": '["constant", {"value": 5}]', "k": "5"}}
    assert nodes[3]["inputs"] == [[0, 0, 0], [1, 0, 0], [2, 0, 0]]  # version 0, not 1
    assert "__init__" not in nodes[1].get("attrs", {})


def test_aux_inputs_are_required_from_0_9_on(aux_op):
    with pytest.raises(MXNetError, match="takes 3 inputs"):
        mx.sym.load_json(_aux_graph(900))


@pytest.mark.parametrize("version, hooked", [(903, True), (904, False)])
def test_attr_hook_runs_before_0_9_4(aux_op, version, hooked):
    nodes = _nodes(mx.sym.load_json(_aux_graph(version, 3)))
    assert ("__init__" in nodes[2].get("attrs", {})) == hooked
    assert nodes[3]["inputs"][2] == [2, 0, 1]
    kept = _nodes(mx.sym.load_json(_aux_graph(version, 3, __init__="mine")))
    assert kept[2]["attrs"]["__init__"] == "mine"  # the hook only fills a missing value


def test_loaded_variable_versions_restart(aux_op):
    """As in MXNet, composing a loaded aux variable again records version 1 (not 2)."""
    loaded = mx.sym.load_json(_aux_graph(10901, 3))
    state = loaded.get_internals()["t_state"]
    again = create(aux_op, {"data": loaded, "state": state}, {"k": 1}, "t2", None, "t")
    assert _nodes(again)[-1]["inputs"][2][2] == 1


def test_heads_may_not_name_hidden_outputs(aux_op):
    text = _aux_graph(10901, 3)
    data = json.loads(text)
    data["heads"] = [[3, 2, 0]]
    with pytest.raises(MXNetError, match="hidden output"):
        mx.sym.load_json(json.dumps(data))
    data["nodes"].append(_op("elemwise_add", "u", [[3, 1, 0], [3, 2, 0]]))
    data["heads"] = [[4, 0, 0]]
    assert mx.sym.load_json(json.dumps(data)).list_outputs() == ["u_output"]


# ---- malformed files -----------------------------------------------------------------------
#: manifest error case -> the phrase symnet's message must contain
ERROR_PHRASES = {
    "missing_arg_nodes": 'Missing field "arg_nodes"',
    "missing_heads": 'Missing field "heads"',
    "unknown_op": "Failed loading Op relu1 of type NoSuchOp",
    "unknown_attr": "Cannot find argument 'bogus', Possible Arguments:",
    "bad_attr_value": "Invalid Parameter format for num_hidden expect int but value='(3,3)'",
    "number_attr": "must be a string",
    "arg_node_is_op": "not a variable",
    "forward_input": "must come before",       # MXNet accepts this one; symnet is stricter
    "out_of_range_input": "must come before",
    "unknown_field": "Unknown field extra, candidates are",
    "unknown_node_field": "Unknown field extra, candidates are",
    "not_object": "expect an object",
}
#: the cases whose phrase is MXNet's own wording (checked against the recorded error)
MXNET_WORDING = {"missing_arg_nodes", "missing_heads", "unknown_op", "unknown_attr",
                 "bad_attr_value", "unknown_field", "unknown_node_field"}


@pytest.mark.parametrize("name", sorted(MANIFEST["errors"]))
def test_malformed_files_match_mxnet(name):
    _need_ops(["FullyConnected", "Activation", "SoftmaxOutput"])
    case = MANIFEST["errors"][name]
    with pytest.raises(MXNetError) as err:
        mx.sym.load_json(case["text"])
    assert ERROR_PHRASES[name] in str(err.value)
    if name == "unknown_op":
        assert "Operator NoSuchOp is not registered" in str(err.value)
    if name in MXNET_WORDING:
        assert ERROR_PHRASES[name] in case["error"]
    if name == "forward_input":
        assert case["error"] is None  # MXNet accepts an acyclic forward reference


def _edit(path, value):
    """A valid two-variable graph with the value at ``path`` replaced (None: deleted)."""
    data = json.loads(_graph([_var("a"), _var("b"), _op("elemwise_add", "p",
                                                           [[0, 0, 0], [1, 0, 0]])],
                             [[2, 0, 0]]))
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(data)


_DELETE = object()
BAD = [
    (("nodes",), {}, '"nodes" must be an array'),
    (("nodes", 0), [], "node 0 must be an object"),
    (("nodes", 0, "name"), _DELETE, 'node 0: Missing field "name"'),
    (("nodes", 0, "name"), 5, '"name" must be a string'),
    (("nodes", 0, "name"), "\ud800", "lone surrogate"),
    (("nodes", 0, "op"), None, '"op" must be a string'),
    (("nodes", 1, "inputs"), [[0, 0, 0]], "a variable"),
    (("nodes", 0, "attrs"), {"x": 1}, "must be a string"),
    (("nodes", 0, "attrs"), None, "must be an object of strings"),
    (("nodes", 0, "param"), ["x"], "must be an object of strings"),
    (("nodes", 0, "backward_source_id"), "x", "backward_source_id"),
    (("nodes", 2, "subgraphs"), [{}], "subgraphs"),
    (("nodes", 2, "op"), "", "Failed loading Op p of type : Operator  is not registered"),
    (("nodes", 2, "inputs"), {}, '"inputs" must be an array'),
    (("nodes", 2, "inputs", 0), [0], "must be an entry"),
    (("nodes", 2, "inputs", 0), [0, 0, 0, 0], "must be an entry"),
    (("nodes", 2, "inputs", 0), ["0", 0, 0], "must be an integer"),
    (("nodes", 2, "inputs", 0), [0.0, 0, 0], "must be an integer"),
    (("nodes", 2, "inputs", 0), [True, 0, 0], "must be an integer"),
    (("nodes", 2, "inputs", 0), [-1, 0, 0], "must be an integer"),
    (("nodes", 2, "inputs", 0), [0, 0, -1], "must be an integer"),
    (("nodes", 2, "inputs", 0), [0, 0, 2 ** 32], "must be an integer"),
    (("nodes", 2, "inputs", 0), [2, 0, 0], "must come before"),
    (("nodes", 2, "inputs", 0), [0, 1, 0], "which has 1 output(s)"),
    (("nodes", 2, "inputs"), [[0, 0, 0]], "takes 2 inputs"),
    (("nodes", 2, "attrs"), {"bogus": "1"}, "Cannot find argument 'bogus'"),
    (("arg_nodes",), [0, 2], "not a variable"),
    (("arg_nodes",), [3], "out of range"),
    (("arg_nodes",), [0.5], "must be an integer"),
    (("heads",), [[3, 0, 0]], "the graph has 3 nodes"),
    (("heads",), [[2, 1, 0]], "which has 1 output(s)"),
    (("heads",), [2, 0, 0], "must be an entry"),
    (("heads",), "x", '"heads" must be an array'),
    (("node_row_ptr",), ["a"], "node_row_ptr"),
    (("attrs",), [], '"attrs" must be an object'),
    (("attrs", "mxnet_version"), ["foo", 1], "Typename foo has not been registered"),
    (("attrs", "mxnet_version"), ["int", "1"], "is not of type int"),
    (("attrs", "mxnet_version"), ["int", 99999999999], "is not of type int"),
    (("attrs", "mxnet_version"), ["str", "x"], "mxnet_version"),
    (("attrs", "mxnet_version"), 5, "must be [type_name, value]"),
    (("attrs", "x"), ["list_shape", [[1], 2]], "is not of type list_shape"),
]


@pytest.mark.parametrize("path, value, phrase", BAD, ids=[str(b[0]) + str(i)
                                                           for i, b in enumerate(BAD)])
def test_invalid_fields_raise_mxnet_error(path, value, phrase):
    with pytest.raises(MXNetError) as err:
        mx.sym.load_json(_edit(path, value))
    assert phrase in str(err.value)


def test_other_graph_attrs_and_row_pointers_are_accepted():
    text = _edit(("attrs",), {"mxnet_version": ["int", 10901], "is_np_shape": ["int", 1],
                              "s": ["str", "x"], "li": ["list_int", [1]],
                              "ls": ["list_str", ["a"]], "sh": ["list_shape", [[1, 2]]]})
    assert mx.sym.load_json(text).list_arguments() == ["a", "b"]
    assert mx.sym.load_json(_edit(("node_row_ptr",), [0, 9])).list_arguments() == ["a", "b"]


@pytest.mark.parametrize("text", ["", "{", "nul", '{"nodes": [] ', "[" * 100000,
                                  "[" * 100000 + "]" * 100000, '{"a": ' * 100000,
                                  '{"nodes": [], "arg_nodes": [NaN], "heads": []}',
                                  '{"nodes": [], "arg_nodes": [Infinity], "heads": []}',
                                  '{"nodes": [], "arg_nodes": [1e999], "heads": []}',
                                  '{"nodes": [], "arg_nodes": [' + "9" * 5000 + '], "heads": []}',
                                  '{"nodes": [], "arg_nodes": [], "heads": []} x'])
def test_unparseable_text(text):
    with pytest.raises(MXNetError):
        from_json(text)


def test_hostile_counts_fail_fast():
    huge = str(10 ** 9)
    cat = _graph([_var("a"), _op("Concat", "c", [[0, 0, 0]], num_args=huge)], [[1, 0, 0]])
    with pytest.raises(MXNetError, match="num_args"):
        mx.sym.load_json(cat)
    sl = _graph([_var("a"), _op("SliceChannel", "s", [[0, 0, 0]], num_outputs=huge)],
                [[1, 123456789, 0]])
    assert mx.sym.load_json(sl).list_arguments() == ["a"]
    deep_attr = _graph([_var("a"), _op("SliceChannel", "s", [[0, 0, 0]],
                                       num_outputs="(" * 5000 + ")" * 5000)], [[1, 0, 0]])
    with pytest.raises(MXNetError, match="num_outputs"):
        mx.sym.load_json(deep_attr)


def test_attribute_overflowing_pythons_parser():
    _need_ops(["sum"])
    for text in ("-" * 100000 + "1", "not " * 50000 + "1"):  # MemoryError in ast parsing
        with pytest.raises(MXNetError, match="operator sum"):
            mx.sym.load_json(_graph([_var("a"), _op("sum", "s", [[0, 0, 0]], axis=text)],
                                    [[1, 0, 0]]))


def test_wrong_argument_types_and_bad_files(tmp_path):
    with pytest.raises(MXNetError):
        from_json(b"{}")
    with pytest.raises(TypeError):
        mx.sym.load_json(b"{}")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"nodes": [{"op": "null", "name": "\xff", "inputs": []}]}')
    with pytest.raises(MXNetError, match="UTF-8"):
        mx.sym.load(str(bad))
    with pytest.raises(MXNetError, match="Cannot open"):
        mx.sym.load(str(tmp_path / "missing.json"))


# ---- fuzzing: only MXNetError (or a valid Symbol) may come out -------------------------------
FUZZ_BASES = [n for n in ("slice_group", "binary_scalar", "v080_binary", "concat_many",
                          "mlp")
              if all(registry.find_op(op) for op in GRAPHS[n]["ops"])]
FUZZ_TEXTS = [_text(n) for n in FUZZ_BASES]
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _survives(text: str) -> None:
    try:
        sym = mx.sym.load_json(text)
    except MXNetError as err:
        assert "unexpected" not in str(err), err  # the loader's last-resort net
        return
    sym.tojson()
    sym.list_arguments()
    sym.list_auxiliary_states()


@FUZZ
@given(st.sampled_from(FUZZ_TEXTS), st.floats(0, 1))
def test_fuzz_truncation(text, frac):
    _survives(text[:int(len(text) * frac)])


@FUZZ
@given(st.sampled_from(FUZZ_TEXTS), st.lists(st.tuples(st.floats(0, 1), st.sampled_from(
    list('{}[]",:0123456789-.eE ntfrux\\') + ["\n", "é", "\ud800", "99999999999"])),
    min_size=1, max_size=4))
def test_fuzz_char_flips(text, flips):
    chars = list(text)
    for where, char in flips:
        chars[min(int(len(chars) * where), len(chars) - 1)] = char
    _survives("".join(chars))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) | st.sampled_from(
        [0, 1, 2, 3, -1, 2 ** 31, 2 ** 32, 2 ** 64])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8) | st.sampled_from(["null", "3", "(2, 3)", "-1", "True", "relu"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["op", "name", "attrs", "inputs", "axis", "scalar", "x"]), inner,
        max_size=3),
    max_leaves=8)


def _paths(value, prefix=()):
    """Every (path) inside a JSON value."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from _paths(item, prefix + (k,))


@FUZZ
@given(st.sampled_from(FUZZ_TEXTS), st.data())
def test_fuzz_wrong_types_everywhere(text, data):
    doc = json.loads(text)
    paths = [p for p in _paths(doc) if p]
    path = data.draw(st.sampled_from(paths))
    value = data.draw(JSON_VALUES | st.just(_DELETE))
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    _survives(json.dumps(doc, allow_nan=False))


@pytest.mark.parametrize("wrap", ['{"nodes": %s, "arg_nodes": [], "heads": []}',
                                  '{"nodes": [], "arg_nodes": [], "heads": [%s]}',
                                  '{"nodes": [{"op": "null", "name": "a", "inputs": [], '
                                  '"attrs": {"x": %s}}], "arg_nodes": [0], "heads": [[0,0]]}'])
def test_deep_nesting_inside_fields(wrap):
    for deep in ("[" * 100000 + "]" * 100000, '{"a":' * 50000 + "1" + "}" * 50000):
        with pytest.raises(MXNetError):
            from_json(wrap % deep)
