"""The package layout holds: no import circle anywhere in src/, layers import only downwards,
and services/ keeps its features in packages (DESIGN.md §3)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "tiegraph"

# What each layer may import of tiegraph (its own modules always). The interfaces sit on top.
ALLOWED = {
    "formats": {"formats", "errors"},
    "core": {"core", "errors"},
    "store": {"store", "core", "errors"},
    "connectors": {"connectors", "errors"},
    "demo": {"demo", "core", "formats", "errors"},
    "services": {"services", "store", "core", "formats", "connectors", "demo", "errors"},
}
SERVICE_FEATURES = {"org", "contacts", "directory", "activity", "insights", "intros", "sync"}
MAX_SERVICE_MODULES = 8


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every tiegraph module `name` imports, at the top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in modules:
                    out.add(submodule)
                elif source in modules:
                    out.add(source)
    out.discard(name)
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        circles.append(sorted(component))
    return circles


def test_circles_are_found() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_src(graph: dict[str, set[str]]) -> None:
    assert _circles(graph) == []


def test_layers_import_only_downwards(graph: dict[str, set[str]]) -> None:
    wrong = []
    for name, imported in graph.items():
        layer = name.split(".")[1] if "." in name else ""
        allowed = ALLOWED.get(layer)
        if allowed is None:
            continue
        for target in imported:
            target_layer = target.split(".")[1] if "." in target else ""
            if target_layer and target_layer not in allowed:
                wrong.append(f"{name} -> {target}")
    assert wrong == []


def test_services_keep_features_in_packages() -> None:
    services = PACKAGE / "services"
    top_modules = [p.name for p in services.glob("*.py") if p.name != "__init__.py"]
    packages = {p.name for p in services.iterdir() if (p / "__init__.py").exists()}
    assert len(top_modules) <= MAX_SERVICE_MODULES, sorted(top_modules)
    assert packages >= SERVICE_FEATURES
    for package in packages:
        doc = ast.get_docstring(ast.parse((services / package / "__init__.py").read_text()))
        assert doc and "\n" not in doc.strip(), f"services/{package}: one line on what it owns"
