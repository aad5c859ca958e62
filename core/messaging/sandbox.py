"""The hardened Jinja2 sandbox every message template runs in.

On top of Jinja2's ``SandboxedEnvironment`` (no underscore attributes, no internals):

- only plain data and a few harmless string/list methods are reachable: calling any other method
  (``str.format``, ``replace``, ``append``...) fails, and no global but a capped ``range`` exists
  (no ``cycler``, ``lipsum``, ``joiner``, ``namespace``, ``dict``);
- ``*``, ``**``, ``%`` and ``+`` are intercepted (:meth:`HardenedEnvironment.call_binop`), and
  ``~`` concatenation and every filter result are size-checked, so no value can grow past
  :data:`MAX_VALUE_LEN`;
- each render has a budget (:class:`Budget`): at most :data:`MAX_STEPS` loop iterations and calls
  in total, :data:`MAX_ITEMS` items passed along filter chains (``map``, ``select``...),
  :data:`MAX_OUTPUT` characters of output counted as it is produced, and :data:`MAX_SECONDS` of
  time, checked inside loops, filters, tests and filter chains while the work happens;
- limits are enforced BEFORE the work: a repetition (``*``) is refused by the total size it
  would have (a list of long strings counts its characters), ``join`` measures its items before
  joining, ``batch``/``slice`` are capped, so no render allocates a huge value first;
- ``include``, ``extends``, ``import``, ``macro``, ``call``, ``block``, ``filter`` and block
  ``set`` statements, ``autoescape`` switches and recursive loops are refused when compiled, and
  the loader refuses every name, so no file of the server can be read.

Violations raise :class:`jinja2.sandbox.SecurityError` (or :class:`BudgetExceeded`); the render
module turns them into :class:`core.errors.TemplateError`.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import BaseLoader, ChainableUndefined, TemplateNotFound, nodes, pass_eval_context
from jinja2.environment import Environment
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment, is_internal_attribute
from markupsafe import Markup

MAX_STEPS = 10_000
MAX_ITEMS = 200_000
MAX_RANGE = 1_000
MAX_VALUE_LEN = 100_000
MAX_OUTPUT = 500_000
MAX_SECONDS = 1.0
MAX_INT_BITS = 256

FORBIDDEN_NODES: dict[type[nodes.Node], str] = {
    nodes.Extends: "extends",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "from ... import",
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
    nodes.Block: "block",
    nodes.FilterBlock: "filter",
    nodes.AssignBlock: "set ... endset",
    nodes.ScopedEvalContextModifier: "autoescape",
    nodes.EvalContextModifier: "autoescape",
}

SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset({"upper", "lower", "title", "capitalize", "strip", "startswith", "endswith"}),
    Markup: frozenset({"upper", "lower", "title", "capitalize", "strip", "startswith", "endswith"}),
}


class BudgetExceeded(SecurityError):
    """A render used too many steps, too much output or too much time."""


class Budget:
    """What one render may still spend."""

    __slots__ = ("deadline", "items", "output", "steps")

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self.items = MAX_ITEMS
        self.output = MAX_OUTPUT
        self.deadline = time.monotonic() + MAX_SECONDS

    def tick(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise BudgetExceeded(f"the template repeats too much (more than {MAX_STEPS} steps)")
        if self.steps % 16 == 0:
            self.check_time()

    def item(self) -> None:
        """One item passed along a filter chain."""
        self.items -= 1
        if self.items < 0:
            raise BudgetExceeded(f"the template handles too many items (more than {MAX_ITEMS})")
        if self.items % 256 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(f"the template took longer than {MAX_SECONDS:g} s to render")

    def emit(self, size: int) -> None:
        self.output -= size
        if self.output < 0:
            raise BudgetExceeded(f"the message would be longer than {MAX_OUTPUT} characters")


_budget: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("budget", default=None)


def current_budget() -> Budget:
    budget = _budget.get()
    if budget is None:
        budget = Budget()
        _budget.set(budget)
    return budget


def render_limited(generator: Iterable[str]) -> str:
    """Join a template's output under a fresh :class:`Budget`."""
    token = _budget.set(Budget())
    try:
        budget = current_budget()
        parts: list[str] = []
        for chunk in generator:
            budget.emit(len(chunk))
            parts.append(chunk)
        return "".join(parts)
    finally:
        _budget.reset(token)


def check_size(value: Any) -> Any:
    """``value`` unchanged, or SecurityError when it is too big to be a message part."""
    if isinstance(value, str | list | tuple | dict) and len(value) > MAX_VALUE_LEN:
        raise SecurityError(f"a value would be longer than {MAX_VALUE_LEN} characters or items")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise SecurityError("a number would be too large")
    return value


def capped_range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise SecurityError(f"range() may produce at most {MAX_RANGE} numbers")
    return rng


def loop_guard(iterable: Iterable[Any]) -> Iterator[Any]:
    """Wraps every ``for`` loop: each iteration costs one step of the budget."""
    budget = current_budget()
    for item in iterable:
        budget.tick()
        yield item


@pass_eval_context
def concat_guard(eval_ctx: Any, values: list[Any]) -> str:
    """Replaces ``a ~ b``: the same join, size-checked."""
    joined = Markup("").join(values) if eval_ctx.autoescape else "".join(map(str, values))
    return str(check_size(joined)) if not eval_ctx.autoescape else check_size(joined)


def weight(value: Any) -> int | None:
    """The size a sequence stands for: its length plus, one level down, the lengths of the
    strings and sequences it holds (``["a" * 100000] * 5000`` weighs 500 million)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple):
        inner = sum(len(v) for v in value if isinstance(v, str | list | tuple | dict))
        return len(value) + inner
    return None


def _mul(left: Any, right: Any) -> Any:
    for seq, count in ((left, right), (right, left)):
        size = weight(seq)
        if size is not None and isinstance(count, int) and size * count > MAX_VALUE_LEN:
            raise SecurityError(f"a repeated value would exceed {MAX_VALUE_LEN} characters")
    both_int = isinstance(left, int) and isinstance(right, int)
    if both_int and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise SecurityError("a number would be too large")
    return check_size(left * right)


def _pow(left: Any, right: Any) -> Any:
    if not isinstance(right, int | float) or abs(right) > 64 or abs(left) > 10**9:
        raise SecurityError("** is limited to exponents up to 64 and bases up to 10^9")
    try:
        return check_size(left**right)
    except (OverflowError, ZeroDivisionError) as exc:
        raise SecurityError(f"** failed: {exc}") from None


def _mod(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        raise SecurityError("string formatting with % is not allowed; use ~ to join text")
    return left % right


def _add(left: Any, right: Any) -> Any:
    return check_size(left + right)


BINOPS: dict[str, Callable[[Any, Any], Any]] = {"*": _mul, "**": _pow, "%": _mod, "+": _add}


class RefusingLoader(BaseLoader):
    """Message templates are self-contained: every ``include``/``extends`` name is refused."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Any]:
        raise TemplateNotFound(template)


class HardenedEnvironment(SandboxedEnvironment):
    """See the module docstring."""

    intercepted_binops = frozenset(BINOPS)

    def __init__(self, *, autoescape: bool, filters: dict[str, Callable[..., Any]]) -> None:
        super().__init__(
            autoescape=autoescape,
            loader=RefusingLoader(),
            undefined=ChainableUndefined,
            finalize=_finalize,
            auto_reload=False,
        )
        self.globals.clear()
        self.globals["range"] = capped_range
        self.filters = {name: _size_checked(f) for name, f in filters.items()}
        for name, bounded in BOUNDED_FILTERS.items():
            if name in self.filters:
                self.filters[name] = _size_checked(bounded)
        self.filters["_of_loop"] = loop_guard
        self.filters["_of_concat"] = concat_guard
        tests: dict[str, Any] = dict(self.tests)
        self.tests = {name: _ticking(test) for name, test in tests.items()}

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        return BINOPS[operator](left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        current_budget().tick()
        return super().call(__context, __obj, *args, **kwargs)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_") or is_internal_attribute(obj, attr):
            return False
        if callable(value):
            return attr in SAFE_METHODS.get(type(obj), frozenset())
        return True

    def getattr(self, obj: Any, attribute: str) -> Any:
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        except Exception:
            return self.undefined(obj=obj, name=attribute)
        if self.is_safe_attribute(obj, attribute, value):
            return value
        return self.unsafe_undefined(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str):
            return self.getattr(obj, argument)
        try:
            return obj[argument]
        except (TypeError, LookupError):
            return self.undefined(obj=obj, name=argument)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        refuse_forbidden(tree)
        return guard_tree(tree)


def _finalize(value: Any) -> Any:
    return "" if value is None else check_size(value)


def _counted(items: Iterator[Any]) -> Iterator[Any]:
    """A lazy filter result (``map``, ``select``...): each item it yields costs one item of
    the budget, so a long chain stops when the budget or the deadline runs out."""
    budget = current_budget()
    for item in items:
        budget.item()
        yield item


def _copy_markers(func: Callable[..., Any], wrapper: Callable[..., Any]) -> None:
    for attr in ("jinja_pass_arg", "__name__", "__doc__"):
        if hasattr(func, attr):
            setattr(wrapper, attr, getattr(func, attr))


def _size_checked(func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that costs a step, counts the items it yields lazily and whose result is
    size-checked."""

    def checked(*args: Any, **kwargs: Any) -> Any:
        current_budget().tick()
        result = func(*args, **kwargs)
        if isinstance(result, Iterator) and not isinstance(result, str):
            return _counted(result)
        return check_size(result)

    _copy_markers(func, checked)
    return checked


def _ticking(func: Callable[..., Any]) -> Callable[..., Any]:
    """A test (``is eq``...) that costs one item of the budget."""

    def ticking(*args: Any, **kwargs: Any) -> Any:
        current_budget().item()
        return func(*args, **kwargs)

    _copy_markers(func, ticking)
    return ticking


@pass_eval_context
def bounded_join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
    """Jinja's ``join``, but the items are measured before anything is joined."""
    from jinja2 import filters as jf

    items: list[Any] = []
    total = 0
    budget = current_budget()
    for item in value if not isinstance(value, str) else list(value):
        budget.item()
        items.append(item)
        shown = item if isinstance(item, str) else None
        if shown is None and isinstance(item, list | tuple | dict):
            size = weight(list(item)) or 0
        else:
            size = len(shown) if shown is not None else len(str(item)[: MAX_VALUE_LEN + 1])
        total += size + len(str(d))
        if total > MAX_VALUE_LEN:
            raise SecurityError(f"a joined value would exceed {MAX_VALUE_LEN} characters")
    return str(jf.sync_do_join(eval_ctx, items, d, attribute))


def bounded_batch(value: Any, linecount: int, fill_with: Any = None) -> Any:
    from jinja2 import filters as jf

    if not isinstance(linecount, int) or not 0 < linecount <= MAX_RANGE:
        raise SecurityError(f"batch() takes a size from 1 to {MAX_RANGE}")
    return jf.do_batch(value, linecount, fill_with)


def bounded_slice(value: Any, slices: int, fill_with: Any = None) -> Any:
    from jinja2 import filters as jf

    if not isinstance(slices, int) or not 0 < slices <= MAX_RANGE:
        raise SecurityError(f"slice() takes a count from 1 to {MAX_RANGE}")
    return jf.sync_do_slice(value, slices, fill_with)


BOUNDED_FILTERS: dict[str, Callable[..., Any]] = {
    "join": bounded_join,
    "batch": bounded_batch,
    "slice": bounded_slice,
}


def refuse_forbidden(tree: nodes.Template) -> None:
    """SecurityError naming the first statement message templates may not use."""
    for node in tree.find_all(tuple(FORBIDDEN_NODES)):
        line = getattr(node, "lineno", "?")
        raise SecurityError(
            f"line {line}: '{FORBIDDEN_NODES[type(node)]}' is not allowed in message templates"
        )
    for loop in tree.find_all(nodes.For):
        if loop.recursive:
            raise SecurityError(f"line {loop.lineno}: recursive loops are not allowed")


def guard_tree(tree: nodes.Template) -> nodes.Template:
    """Wrap every loop's iterable in the step guard and every ``~`` in the size guard."""
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Filter(loop.iter, "_of_loop", [], [], None, None, lineno=loop.lineno)
    _replace_concat(tree)
    return tree


def _replace_concat(node: nodes.Node) -> None:
    for field in node.fields:
        value = getattr(node, field, None)
        if isinstance(value, nodes.Node):
            setattr(node, field, _guarded(value))
            _replace_concat(value)
        elif isinstance(value, list):
            value[:] = [_guarded(v) if isinstance(v, nodes.Node) else v for v in value]
            for item in value:
                if isinstance(item, nodes.Node):
                    _replace_concat(item)


def _guarded(node: nodes.Node) -> nodes.Node:
    if isinstance(node, nodes.Concat):
        items = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Filter(items, "_of_concat", [], [], None, None, lineno=node.lineno)
    return node


__all__ = [
    "MAX_ITEMS",
    "MAX_OUTPUT",
    "MAX_STEPS",
    "Budget",
    "BudgetExceeded",
    "HardenedEnvironment",
    "SecurityError",
    "check_size",
    "render_limited",
]
