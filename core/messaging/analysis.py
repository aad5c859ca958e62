"""Static checks of a parsed template: which catalogue variables it uses, whether each use has a
fallback, and which names are unknown.

A use has a fallback when it sits in ``|default(...)``, on the left of ``or``, in an ``is`` test,
inside an ``{% if %}`` (or ``x if y else z``) whose test names the same variable or one of its
parents, or is the list of a ``{% for %}`` with an ``{% else %}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import nodes

from core.messaging import catalogue
from core.messaging.sandbox import SAFE_METHODS
from core.messaging.values import MoneyValue, Record, is_empty

_SAFE_METHOD_NAMES = frozenset().union(*SAFE_METHODS.values())
_FALLBACK_FILTERS = {"default", "d"}
_GLOBALS = {"range"}


@dataclass
class Analysis:
    used: dict[str, bool] = field(default_factory=dict)
    """Each catalogue path used, and whether every one of its uses has a fallback."""
    problems: list[str] = field(default_factory=list)

    def record(self, path: str, fallback: bool) -> None:
        self.used[path] = self.used.get(path, True) and fallback

    def without_fallback(self) -> list[str]:
        return sorted(p for p, fb in self.used.items() if not fb)


Scope = dict[str, str | None]


class _Walker:
    def __init__(self) -> None:
        self.result = Analysis()

    def visit(self, node: nodes.Node, scope: Scope, guards: frozenset[str], fb: bool) -> None:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is not None:
            method(node, scope, guards, fb)
            return
        for child in node.iter_child_nodes():
            self.visit(child, scope, guards, fb)

    def visit_all(self, items: Iterable[nodes.Node], scope: Scope, guards: frozenset[str]) -> None:
        for item in items:
            self.visit(item, scope, guards, False)

    def visit_Name(self, node: nodes.Name, scope: Scope, guards: frozenset[str], fb: bool) -> None:
        self._use(node, node.name, scope, guards, fb)

    def visit_Getattr(self, node: Any, scope: Scope, guards: frozenset[str], fb: bool) -> None:
        self._chain(node, scope, guards, fb)

    def visit_Getitem(self, node: Any, scope: Scope, guards: frozenset[str], fb: bool) -> None:
        self._chain(node, scope, guards, fb)

    def visit_Call(self, node: nodes.Call, scope: Scope, guards: frozenset[str], fb: bool) -> None:
        target = node.node
        if isinstance(target, nodes.Getattr) and target.attr in _SAFE_METHOD_NAMES:
            self.visit(target.node, scope, guards, fb)
        else:
            self.visit(target, scope, guards, fb)
        self.visit_all([*node.args, *(kw.value for kw in node.kwargs)], scope, guards)

    def visit_Filter(
        self, node: nodes.Filter, scope: Scope, guards: frozenset[str], fb: bool
    ) -> None:
        if node.node is not None:
            self.visit(node.node, scope, guards, fb or node.name in _FALLBACK_FILTERS)
        self.visit_all([*node.args, *(kw.value for kw in node.kwargs)], scope, guards)

    def visit_Test(self, node: nodes.Test, scope: Scope, guards: frozenset[str], fb: bool) -> None:
        self.visit(node.node, scope, guards, True)
        self.visit_all(node.args, scope, guards)

    def visit_Or(self, node: nodes.Or, scope: Scope, guards: frozenset[str], fb: bool) -> None:
        self.visit(node.left, scope, guards, True)
        self.visit(node.right, scope, guards, fb)

    def visit_If(self, node: nodes.If, scope: Scope, guards: frozenset[str], fb: bool) -> None:
        self.visit(node.test, scope, guards, True)
        inner = guards | self._paths(node.test, scope)
        self.visit_all(node.body, scope, inner)
        for branch in node.elif_:
            self.visit_If(branch, scope, inner, fb)
        self.visit_all(node.else_, scope, inner)

    def visit_CondExpr(
        self, node: nodes.CondExpr, scope: Scope, guards: frozenset[str], fb: bool
    ) -> None:
        if node.test is None:
            self.visit(node.expr1, scope, guards, fb)
            return
        self.visit(node.test, scope, guards, True)
        inner = guards | self._paths(node.test, scope)
        self.visit(node.expr1, scope, inner, fb)
        if node.expr2 is not None:
            self.visit(node.expr2, scope, inner, fb)

    def visit_For(self, node: nodes.For, scope: Scope, guards: frozenset[str], fb: bool) -> None:
        iterable: nodes.Node = node.iter
        if isinstance(iterable, nodes.Filter) and iterable.name == "_of_loop" and iterable.node:
            iterable = iterable.node
        self.visit(iterable, scope, guards, bool(node.else_))
        source = self._resolve(iterable, scope)
        inner: Scope = dict(scope, loop=None)
        for target in (
            node.target.find_all(nodes.Name)
            if not isinstance(node.target, nodes.Name)
            else [node.target]
        ):
            inner[target.name] = None
        if isinstance(node.target, nodes.Name) and source and catalogue.is_known(source + "[]"):
            inner[node.target.name] = source + "[]"
        if node.test is not None:
            self.visit(node.test, inner, guards, True)
        self.visit_all(node.body, inner, guards)
        self.visit_all(node.else_, scope, guards)

    def visit_Assign(
        self, node: nodes.Assign, scope: Scope, guards: frozenset[str], fb: bool
    ) -> None:
        self.visit(node.node, scope, guards, fb)
        resolved = self._resolve(node.node, scope)
        for target in (
            node.target.find_all(nodes.Name)
            if not isinstance(node.target, nodes.Name)
            else [node.target]
        ):
            scope[target.name] = resolved if isinstance(node.target, nodes.Name) else None

    def visit_With(self, node: nodes.With, scope: Scope, guards: frozenset[str], fb: bool) -> None:
        inner = dict(scope)
        for target, value in zip(node.targets, node.values, strict=False):
            self.visit(value, scope, guards, fb)
            for name in (
                target.find_all(nodes.Name) if not isinstance(target, nodes.Name) else [target]
            ):
                inner[name.name] = (
                    self._resolve(value, scope) if isinstance(target, nodes.Name) else None
                )
        self.visit_all(node.body, inner, guards)

    def _paths(self, node: nodes.Node, scope: Scope) -> frozenset[str]:
        found = set()
        for item in [node, *node.find_all((nodes.Name, nodes.Getattr, nodes.Getitem))]:
            path = self._resolve(item, scope)
            if path:
                found.add(path)
        return frozenset(found)

    def _resolve(self, node: nodes.Node, scope: Scope) -> str | None:
        """The catalogue path an expression names, or None."""
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            return node.name if node.name in catalogue.roots() else None
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            base = self._resolve(node.node, scope)
            key = _key(node)
            if base is None or key is None:
                return None
            candidate = f"{base}[]" if isinstance(key, int) else f"{base}.{key}"
            return candidate if catalogue.is_known(candidate) else None
        return None

    def _chain(self, node: Any, scope: Scope, guards: frozenset[str], fb: bool) -> None:
        if isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Const):
            self.visit(node.arg, scope, guards, False)
        key = _key(node)
        if isinstance(key, str) and key.startswith("_"):
            self.result.problems.append(f"line {node.lineno}: '{key}' is not allowed")
            return
        base_path = self._resolve(node.node, scope)
        if base_path is None:
            self.visit(node.node, scope, guards, fb)
            return
        path = self._resolve(node, scope)
        if path is None:
            if key in catalogue.VALUE_ATTRIBUTES:
                self._record(base_path, guards, fb)
                return
            shown = f"{base_path}.{key}"
            hint = catalogue.suggest(shown)
            extra = f" (did you mean {hint}?)" if hint else ""
            self.result.problems.append(f"line {node.lineno}: unknown variable {shown}{extra}")
            return
        self._record(path, guards, fb)

    def _use(
        self, node: nodes.Name, name: str, scope: Scope, guards: frozenset[str], fb: bool
    ) -> None:
        if name in scope:
            if scope[name]:
                self._record(str(scope[name]), guards, fb)
            return
        if name in catalogue.roots():
            self._record(name, guards, fb)
        elif name not in _GLOBALS and node.ctx == "load":
            hint = catalogue.suggest(name)
            extra = f" (did you mean {hint}?)" if hint else ""
            self.result.problems.append(f"line {node.lineno}: unknown variable {name}{extra}")

    def _record(self, path: str, guards: frozenset[str], fb: bool) -> None:
        covered = any(path == g or path.startswith((g + ".", g + "[]")) for g in guards)
        self.result.record(path, fb or covered)


def _key(node: Any) -> str | int | None:
    if isinstance(node, nodes.Getattr):
        return str(node.attr)
    if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str | int):
        value: str | int = node.arg.value
        return value
    return None


def analyse(tree: nodes.Template) -> Analysis:
    walker = _Walker()
    walker.visit_all(tree.body, {}, frozenset())
    return walker.result


def values_at(context: Mapping[str, Any], path: str) -> list[Any]:
    """Every value a path reaches in a context (``[]`` expands lists)."""
    current: list[Any] = [context]
    for part in path.replace("[]", ".[]").split("."):
        following: list[Any] = []
        for value in current:
            if part == "[]":
                following.extend(value if isinstance(value, list | tuple) else [])
            elif isinstance(value, Mapping | Record):
                following.append(value.get(part))
            elif isinstance(value, MoneyValue) and part in catalogue.VALUE_ATTRIBUTES:
                following.append(getattr(value, part))
            else:
                following.append(None)
        current = following
    return current


def empty_paths(context: Mapping[str, Any], paths: Iterable[str]) -> list[str]:
    """The paths whose value (or any element's value) is empty in ``context``."""
    empty = []
    for path in paths:
        found = values_at(context, path)
        if ("[]" not in path and not found) or any(is_empty(v) for v in found):
            empty.append(path)
    return sorted(empty)
