"""Condition trees compiled to SQL, for backtests over large histories.

Covers the fields that are plain columns of an order, its customer or its event; a tree using
any other field (items, aggregates, delivery, reviews) is not compiled (``None``) and the
backtest evaluates it with pandas instead. The semantics are those of
:mod:`core.engine.conditions`: every rule yields a definite true/false (``CASE``), missing values
make comparisons false except ``ne``/``not_in``; text compares lower-cased (ASCII on SQLite);
money is converted to the store currency with the store's rates; dates compare as UTC instants.

Speed: a rule under no ``not`` (directly in the WHERE clause, or in ``all``/``any`` groups up
to it) is written as its bare condition. A comparison with a missing value is then NULL
instead of false, which a WHERE clause rejects alike, and AND/OR never turn a NULL into true
where a false would not be; only under ``not`` is every rule wrapped in ``CASE`` to make it
definite. SQLite evaluates such plain terms faster and checks the ones on the order alone
before it looks up the order's event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from core.engine.conditions import Compiled, EvalContext, compile_rule
from core.engine.schema import Node, Rule

COLUMNS: dict[str, str] = {
    "order.currency": "o.currency",
    "order.country": "COALESCE(o.shipping_country, c.country)",
    "order.channel": "o.channel",
    "order.delivery_option": "o.delivery_option",
    "order.status": "o.status",
    "order.discount_code": "o.discount_code",
    "order.placed_at": "o.placed_at",
    "order.promised_delivery_at": "o.promised_delivery_at",
    "order.refunded": "(o.refunded_amount > 0 OR o.refunded_at IS NOT NULL)",
    "order.cancelled": "(o.cancelled_at IS NOT NULL)",
    "customer.locale": "c.locale",
    "customer.country": "c.country",
    "customer.marketing_consent": "c.marketing_consent",
    "event.type": "e.type",
    "event.occurred_at": "e.occurred_at",
}
MONEY = {"order.total": "o.total", "order.subtotal": "o.subtotal"}
SQLITE_COUNTRY = (
    "COALESCE(o.shipping_country, "
    "(SELECT cx.country FROM customers cx WHERE cx.id = o.customer_id))"
)
"""On SQLite the customer's country is looked up only for orders without a shipping country
(a ``COALESCE`` stops at its first value), so a rule on it is checked with the order's own
columns, before the event lookup, and needs no join."""


@dataclass
class SqlBuilder:
    """Collects bind parameters while compiling (``:q0``, ``:q1``...)."""

    ctx: EvalContext
    dialect: str
    params: dict[str, Any] = field(default_factory=dict)

    def bind(self, value: Any) -> str:
        name = f"q{len(self.params)}"
        if isinstance(value, pd.Timestamp):
            moment = value.to_pydatetime().astimezone(dt.UTC)
            value = (
                moment.replace(tzinfo=None).isoformat(" ", "microseconds")
                if self.dialect == "sqlite"
                else moment
            )
        self.params[name] = value
        return f":{name}"

    def expr(self, name: str) -> str:
        if name == "order.country" and self.dialect == "sqlite":
            return SQLITE_COUNTRY
        if name in MONEY:
            rates = {self.ctx.store_currency: 1.0}
            rates.update({k: float(v) for k, v in self.ctx.rates.items()})
            cases = " ".join(f"WHEN {self.bind(k)} THEN {self.bind(v)}" for k, v in rates.items())
            return f"({MONEY[name]} * CASE o.currency {cases} ELSE NULL END)"
        return COLUMNS[name]


def supported(name: str) -> bool:
    return name in COLUMNS or name in MONEY


def _truth(condition: str) -> str:
    return f"(CASE WHEN {condition} THEN 1 ELSE 0 END = 1)"


def _guarded(c: Compiled, plain: bool) -> bool:
    """Whether a comparison needs "not empty" before it: always in a definite rule; in a
    plain one only where an empty text could compare true ('' in the values, or an order)."""
    if not plain:
        return True
    if c.kind not in ("text", "choice"):
        return False  # NULL fails the comparison already
    values = c.value if isinstance(c.value, list | tuple) else [c.value]
    return c.op not in ("in", "eq", "contains") or any(v in ("", None) for v in values)


def _rule(c: Compiled, b: SqlBuilder, plain: bool = False) -> str:
    """The rule as a definite true/false, or with ``plain`` as a condition that may be NULL
    where the definite form is false (see the module docstring)."""
    x = b.expr(c.field)
    if c.kind == "bool":
        x = f"(CASE WHEN {x} THEN 1 WHEN {x} IS NULL THEN NULL ELSE 0 END)"
    empty = f"({x} IS NULL OR {x} = '')" if c.kind in ("text", "choice") else f"({x} IS NULL)"
    present = f"NOT {empty} AND " if _guarded(c, plain) else ""
    truth = (lambda cond: f"({cond})") if plain else _truth
    if c.op == "is_empty":
        return truth(empty)
    value_x = f"LOWER({x})" if c.kind == "text" else x
    if c.op in ("in", "not_in"):
        listed = ", ".join(b.bind(v) for v in c.value)
        hit = f"{value_x} IN ({listed})"
        return truth(f"{empty} OR NOT ({hit})") if c.op == "not_in" else truth(f"{present}{hit}")
    if c.op == "ne":
        return truth(f"{empty} OR {value_x} <> {b.bind(c.value)}")
    if c.op == "contains":
        finder = "INSTR" if b.dialect == "sqlite" else "STRPOS"
        return truth(f"{present}{finder}({value_x}, {b.bind(str(c.value))}) > 0")
    if c.op == "within_last_days":
        now = pd.Timestamp(b.ctx.now)
        lo, hi = b.bind(now - pd.Timedelta(days=c.value)), b.bind(now)
        return truth(f"{present}{x} >= {lo} AND {x} <= {hi}")
    if c.op == "between":
        lo, hi = c.value
        upper = "<" if c.kind == "date" else "<="
        return truth(f"{present}{value_x} >= {b.bind(lo)} AND {value_x} {upper} {b.bind(hi)}")
    op = {"eq": "=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[c.op]
    if c.kind == "date":
        op = {"<=": "<", ">": ">="}.get(op, op)  # date bounds are next-day starts
    value = int(c.value) if c.kind == "bool" else c.value
    return truth(f"{present}{value_x} {op} {b.bind(value)}")


def compile_sql(node: Node | None, b: SqlBuilder, plain: bool = True) -> str | None:
    """SQL for the tree, or None when a field cannot be compiled. ``plain``: the tree is not
    under a ``not`` (its rules may be plain conditions, see the module docstring)."""
    if node is None:
        return "1 = 1"
    if isinstance(node, Rule):
        if not supported(node.field):
            return None
        return _rule(compile_rule(node, b.ctx), b, plain)
    inner = plain and node.mode != "not"
    parts = [compile_sql(item, b, inner) for item in node.items]
    if any(p is None for p in parts):
        return None
    if not parts:
        return "1 = 0" if node.mode == "any" else "1 = 1"
    joined = (" AND " if node.mode == "all" else " OR ").join(f"({p})" for p in parts)
    return f"NOT ({joined})" if node.mode == "not" else f"({joined})"
