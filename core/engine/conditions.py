"""Evaluate a condition tree on one record, or vectorised on a pandas DataFrame: the same
semantics, no ``eval``.

A record maps field keys (``order.total``) to values; a frame has one column per field key.
Missing values (None, NaN, NaT, "" and []) make every comparison false, except ``ne`` and
``not_in`` (true) and ``is_empty`` (true). Dates in rules are local calendar dates in the store's
time zone: ``le 2024-05-01`` means "before the end of that day". Money values are amounts in the
store currency, or ``{"amount": "50", "currency": "PLN"}`` converted with the store's rates.
Text comparisons ignore case; choices compare exactly.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from core.engine.registry import FIELDS, OPERATORS, FieldSpec
from core.engine.schema import Group, Node, Rule


@dataclass(frozen=True)
class EvalContext:
    """What a rule needs besides the record: the clock and the store's zone and rates."""

    now: dt.datetime
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    store_currency: str = "EUR"
    rates: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Compiled:
    field: str
    kind: str
    op: str
    value: Any  # normalized: float | str | list[str] | bool | Timestamp bounds | None


def _number(value: Any, ctx: EvalContext, money: bool) -> float:
    if money and isinstance(value, Mapping):
        amount = Decimal(str(value.get("amount")))
        currency = str(value.get("currency") or ctx.store_currency).upper()
        if currency != ctx.store_currency:
            if currency not in ctx.rates:
                raise ValueError(f"no exchange rate for {currency}")
            amount = amount * Decimal(ctx.rates[currency])
        return float(amount)
    if isinstance(value, bool):
        raise ValueError("expected a number")
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a number")
    return float(number)


def _day_start(value: Any, ctx: EvalContext) -> pd.Timestamp:
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=ctx.tz)
        return pd.Timestamp(moment.astimezone(dt.UTC))
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    local = dt.datetime.combine(day, dt.time.min, tzinfo=ctx.tz)
    return pd.Timestamp(local.astimezone(dt.UTC))


def _next_day(start: pd.Timestamp, ctx: EvalContext) -> pd.Timestamp:
    local = start.tz_convert(ctx.tz).date() + dt.timedelta(days=1)
    return _day_start(local, ctx)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple | set):
        return list(value)
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    raise ValueError("expected a list of values")


def _scalar(kind: str, value: Any, ctx: EvalContext) -> Any:
    if kind in ("number", "money", "days"):
        return _number(value, ctx, kind == "money")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise ValueError(f"{value!r} is not yes/no")
    if kind == "date":
        return _day_start(value, ctx)
    if value is None or isinstance(value, list | dict):
        raise ValueError("expected a single value")
    text = str(value)
    return text.casefold() if kind == "text" else text


def compile_rule(
    rule: Rule, ctx: EvalContext, fields: Mapping[str, FieldSpec] = FIELDS
) -> Compiled:
    """Check and normalize a rule's value; ValueError/KeyError say what is wrong. ``fields`` is
    the registry the rule's field comes from (the workflow fields unless told)."""
    spec = fields[rule.field]
    if rule.op not in OPERATORS:
        raise KeyError(rule.op)
    if rule.op not in spec.operators:
        raise ValueError(f"'{OPERATORS[rule.op].label}' does not apply to {spec.label}")
    kind, op, raw = spec.kind, rule.op, rule.value
    value: Any
    if op == "is_empty":
        value = None
    elif op == "within_last_days":
        value = _number(raw, ctx, False)
    elif op == "between":
        pair = _as_list(raw)
        if len(pair) != 2:
            raise ValueError("'between' needs two values")
        lo, hi = (_scalar(kind, v, ctx) for v in pair)
        value = (lo, _next_day(hi, ctx)) if kind == "date" else (lo, hi)
    elif op in ("in", "not_in"):
        items = [_scalar("text" if kind == "text" else "choice", v, ctx) for v in _as_list(raw)]
        if not items:
            raise ValueError("give at least one value")
        value = items
    elif kind == "multi":
        value = _scalar("choice", raw, ctx)
    else:
        value = _scalar(kind, raw, ctx)
        if kind == "date" and op in ("le", "gt"):
            value = _next_day(value, ctx)
    return Compiled(rule.field, kind, op, value)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str | list | tuple) and len(value) == 0


def _record_value(kind: str, raw: Any) -> Any:
    if kind in ("number", "money", "days"):
        return float(raw)
    if kind == "date":
        return (
            pd.Timestamp(raw).tz_convert("UTC")
            if pd.Timestamp(raw).tzinfo
            else pd.Timestamp(raw, tz="UTC")
        )
    if kind == "text":
        return str(raw).casefold()
    if kind == "multi":
        return [str(v) for v in raw]
    return raw if kind == "bool" else str(raw)


_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: bool(a == b),
    "lt": lambda a, b: bool(a < b),
    "le": lambda a, b: bool(a <= b),
    "gt": lambda a, b: bool(a > b),
    "ge": lambda a, b: bool(a >= b),
}
_DATE_OPS = {"le": "lt", "gt": "ge"}  # date bounds are already moved to the next day


def _test_record(c: Compiled, raw: Any, ctx: EvalContext) -> bool:
    if c.op == "is_empty":
        return _missing(raw)
    if _missing(raw):
        return c.op in ("ne", "not_in")
    value = _record_value(c.kind, raw)
    if c.kind == "multi":
        members = set(value)
        if c.op == "contains":
            return c.value in members
        hit = bool(members.intersection(c.value))
        return hit if c.op == "in" else not hit
    if c.op == "within_last_days":
        now = pd.Timestamp(ctx.now)
        return bool(now - pd.Timedelta(days=c.value) <= value <= now)
    if c.op == "between":
        lo, hi = c.value
        return bool(lo <= value < hi) if c.kind == "date" else bool(lo <= value <= hi)
    if c.op == "contains":
        return str(c.value) in str(value)
    if c.op in ("in", "not_in"):
        return (value in c.value) == (c.op == "in")
    if c.op == "ne":
        return bool(value != c.value)
    op = _DATE_OPS.get(c.op, c.op) if c.kind == "date" else c.op
    return _CMP[op](value, c.value)


def evaluate(
    node: Node | None,
    record: Mapping[str, Any],
    ctx: EvalContext,
    fields: Mapping[str, FieldSpec] = FIELDS,
) -> bool:
    """The condition's truth for one record (an absent condition is true)."""
    if node is None:
        return True
    if isinstance(node, Rule):
        return _test_record(compile_rule(node, ctx, fields), record.get(node.field), ctx)
    results = (evaluate(item, record, ctx, fields) for item in node.items)
    if node.mode == "all":
        return all(results)
    if node.mode == "any":
        return any(results)
    return not any(results)


def _missing_mask(series: pd.Series, kind: str) -> pd.Series:
    mask = series.isna()
    if kind in ("text", "choice"):
        mask = mask | (series == "")
    elif kind == "multi":
        mask = mask | (series.str.len() == 0)
    return mask.astype(bool)


def _multi_hits(series: pd.Series, values: Sequence[str]) -> pd.Series:
    exploded = series.explode()
    hit = exploded.isin(list(values))
    return hit.groupby(level=0).any().reindex(series.index, fill_value=False).astype(bool)


def _test_frame(c: Compiled, frame: pd.DataFrame, ctx: EvalContext) -> pd.Series:
    index = frame.index
    if c.field not in frame.columns:
        raw = pd.Series([None] * len(index), index=index, dtype=object)
    else:
        raw = frame[c.field]
    missing = _missing_mask(raw, c.kind)
    if c.op == "is_empty":
        return missing
    if c.kind == "multi":
        hits = _multi_hits(raw.where(~missing, None), [c.value] if c.op == "contains" else c.value)
        result = hits if c.op != "not_in" else ~hits
    else:
        result = _compare_series(c, raw, ctx)
    default = c.op in ("ne", "not_in")
    return pd.Series(
        np.where(missing.to_numpy(), default, result.to_numpy(dtype=bool)), index=index, dtype=bool
    )


def _compare_series(c: Compiled, raw: pd.Series, ctx: EvalContext) -> pd.Series:
    if c.kind in ("number", "money", "days"):
        values: pd.Series = pd.to_numeric(raw, errors="coerce").astype("float64")
    elif c.kind == "date":
        values = pd.to_datetime(raw, utc=True)
    elif c.kind == "text":
        values = raw.astype(object).str.casefold()
    elif c.kind == "bool":
        values = raw.astype("boolean")
    elif isinstance(raw.dtype, pd.CategoricalDtype):
        values = raw  # codes compare fast
    else:
        values = raw.astype(object)  # compared as Python strings: no conversion needed
    if c.op == "within_last_days":
        now = pd.Timestamp(ctx.now)
        out = (values >= now - pd.Timedelta(days=c.value)) & (values <= now)
    elif c.op == "between":
        lo, hi = c.value
        out = (values >= lo) & ((values < hi) if c.kind == "date" else (values <= hi))
    elif c.op == "contains":
        out = values.str.contains(str(c.value), regex=False)
    elif c.op in ("in", "not_in"):
        out = values.isin(c.value)
        out = out if c.op == "in" else ~out
    elif c.op == "ne":
        out = values != c.value
    else:
        op = _DATE_OPS.get(c.op, c.op) if c.kind == "date" else c.op
        out = _SERIES_CMP[op](values, c.value)
    return pd.Series(out, index=raw.index).fillna(False).astype(bool)


_SERIES_CMP: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def evaluate_frame(
    node: Node | None,
    frame: pd.DataFrame,
    ctx: EvalContext,
    memo: dict[str, pd.Series] | None = None,
) -> pd.Series:
    """The condition's truth for every row of ``frame`` (a boolean Series on its index).
    ``memo`` (for one frame and context) keeps each rule's and group's result, so conditions
    shared by several workflows are evaluated once."""
    if node is None:
        return pd.Series(True, index=frame.index, dtype=bool)
    key = node.model_dump_json() if memo is not None else ""
    if memo is not None and key in memo:
        return memo[key]
    if isinstance(node, Rule):
        result = _test_frame(compile_rule(node, ctx), frame, ctx)
    else:
        parts = [evaluate_frame(item, frame, ctx, memo) for item in node.items]
        if not parts:
            result = pd.Series(node.mode != "any", index=frame.index, dtype=bool)
        else:
            combined = parts[0].copy()
            for part in parts[1:]:
                combined = combined & part if node.mode == "all" else combined | part
            result = ~combined if node.mode == "not" else combined
    if memo is not None:
        memo[key] = result
    return result


def fields_used(node: Node | None) -> set[str]:
    if node is None:
        return set()
    if isinstance(node, Rule):
        return {node.field}
    out: set[str] = set()
    for item in node.items:
        out |= fields_used(item)
    return out


def rules_of(node: Node | None, path: str = "") -> list[tuple[str, Rule]]:
    """Every rule with its path (``entry.0.1``-style positions inside groups)."""
    if node is None:
        return []
    if isinstance(node, Rule):
        return [(path, node)]
    out: list[tuple[str, Rule]] = []
    for i, item in enumerate(node.items):
        out.extend(rules_of(item, f"{path}.{i}" if path else str(i)))
    return out


def is_group(node: Node | None) -> bool:
    return isinstance(node, Group)
