"""The import direction of docs/architecture.md, enforced.

Each layer may import only the layers below it (module-level and function-level imports
alike). Lazy imports that reach upwards are listed explicitly with their reason.
"""
from __future__ import annotations

import ast
import os

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "symnet")

# layer -> the symnet packages/modules it may import
BASE = {"base", "context", "dtype", "random", "config", "parallel", "name", "attribute"}
ALLOWED = {
    "ops": BASE | {"ops"},
    "graph": BASE | {"ops", "graph"},
    "ndarray": BASE | {"ops", "ndarray"},
    "executor": BASE | {"ops", "graph", "ndarray", "executor"},
    "symbol": BASE | {"ops", "graph", "ndarray", "executor", "symbol"},
}
# Upward imports that are deliberate and lazy (inside a function), with the reason.
EXCEPTIONS = {
    ("random", "ndarray"): "mx.random.uniform etc. forward lazily to mx.nd.random",
}


def _symnet_imports(path: str, module: str) -> set[str]:
    """Every symnet module ``path`` imports, relative to ``symnet.`` (e.g. ``graph.node``)."""
    is_package = os.path.basename(path) == "__init__.py"
    parts = module.split(".")
    tree = ast.parse(open(path, encoding="utf-8").read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            keep = len(parts) - node.level + (1 if is_package else 0)
            base = parts[:keep] + (node.module.split(".") if node.module else [])
            names = [".".join(base)] if node.module else \
                [".".join(base + [a.name]) for a in node.names]
            found.update(n[len("symnet."):] for n in names if n.startswith("symnet."))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("symnet."):
            found.add(node.module[len("symnet."):])
        elif isinstance(node, ast.Import):
            found.update(a.name[len("symnet."):] for a in node.names
                         if a.name.startswith("symnet."))
    return found


def _layer_of(module: str) -> str:
    return module.split(".")[0]


def test_layers_import_only_downwards():
    problems = []
    for folder in ALLOWED:
        for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
            for fname in files:
                if not fname.endswith(".py"):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, fname), ROOT)[:-3].replace(os.sep, ".")
                module = "symnet." + rel.removesuffix(".__init__")
                for target in _symnet_imports(os.path.join(dirpath, fname), module):
                    layer = _layer_of(target)
                    if layer in ALLOWED or layer in BASE:
                        if layer not in ALLOWED[folder] and not any(
                                folder == a and target.startswith(b) for a, b in EXCEPTIONS):
                            problems.append(f"{module} imports symnet.{target}")
    assert not problems, "\n".join(problems)


def test_base_modules_import_nothing_above_them():
    for name in ("base", "context", "dtype", "config", "parallel", "random", "name", "attribute"):
        imports = _symnet_imports(os.path.join(ROOT, f"{name}.py"), f"symnet.{name}")
        upward = {_layer_of(t) for t in imports} - BASE
        allowed = {b for a, b in EXCEPTIONS if a == name}
        if name == "attribute":  # AttrScope renames hidden keys listed by the registry
            allowed.add("ops")
        assert upward <= allowed, (name, imports)
