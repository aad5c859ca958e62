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
