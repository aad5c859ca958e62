"""Layering rules: core never imports streamlit; pages stay thin; every planned page exists."""

from __future__ import annotations

import ast
from pathlib import Path

from dashboard.navigation import PAGES

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_streamlit() -> None:
    offenders = [p for p in (ROOT / "core").rglob("*.py") if "streamlit" in _imports(p)]
    assert offenders == []


def test_pages_do_not_touch_sql_directly() -> None:
    offenders = [p.name for p in (ROOT / "pages").glob("*.py") if "sqlalchemy" in _imports(p)]
    assert offenders == []


def test_every_navigation_page_exists() -> None:
    missing = [spec.file for spec in PAGES if not spec.path.exists()]
    assert missing == []


def test_no_numbered_or_emoji_page_names() -> None:
    names = [p.name for p in (ROOT / "pages").glob("*.py")]
    assert names and all(n[0].isalpha() and n.isascii() for n in names)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _internal_imports(path: Path, known: set[str]) -> set[str]:
    """Modules of ``known`` that ``path`` imports anywhere (top level or inside a function).

    ``from package import submodule`` counts as importing the submodule only: the package's
    ``__init__`` is its parent, not a peer it depends on."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            submodules = {f"{module}.{a.name}" for a in node.names} & known
            if submodules and len(submodules) == len(node.names):
                found |= submodules
            elif module in known:
                found.add(module)
                found |= submodules
    found.discard(name)
    return found


def _import_graph(packages: tuple[str, ...]) -> dict[str, set[str]]:
    paths = {_module_name(p): p for pkg in packages for p in (ROOT / pkg).rglob("*.py")}
    known = set(paths)
    return {name: _internal_imports(path, known) for name, path in paths.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_sees_a_cycle_through_a_function_level_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_imports_inside_core_and_dashboard_run_one_way() -> None:
    """No two modules import each other, directly or round a longer loop, even lazily."""
    assert _cycles(_import_graph(("core", "dashboard"))) == []


def test_builder_ui_has_its_own_package() -> None:
    components = [p.name for p in (ROOT / "dashboard" / "components").glob("builder_*.py")]
    assert components == []
    assert (ROOT / "dashboard" / "builder" / "workspace.py").exists()
