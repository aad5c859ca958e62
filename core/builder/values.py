"""Typed rule values as the builder stores them in a definition, and their readable text.

The conventions are the engine's (``core.engine.conditions.compile_rule``): ``between`` holds two
values, ``in``/``not_in`` a list, ``is_empty`` nothing, ``within_last_days`` a number of days;
money is ``{"amount": "50", "currency": "EUR"}``; dates are ISO ``YYYY-MM-DD``; yes/no are bools.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from core.engine.registry import FIELDS, OPERATORS, FieldSpec

NUMERIC_KINDS = ("number", "days")


def money_value(amount: Decimal | float | int | str, currency: str) -> dict[str, str]:
    """A money value for a rule: the amount as a decimal string and its currency code."""
    try:
        number = Decimal(str(amount))
    except InvalidOperation:
        number = Decimal(0)
    return {"amount": format(number.normalize(), "f"), "currency": currency.upper()}


def money_parts(value: Any, store_currency: str) -> tuple[Decimal, str]:
    """``(amount, currency)`` of a stored money value (a mapping or a bare store amount)."""
    if isinstance(value, Mapping):
        raw, currency = value.get("amount", 0), str(value.get("currency") or store_currency)
    else:
        raw, currency = value, store_currency
    try:
        return Decimal(str(raw if raw not in (None, "") else 0)), currency.upper()
    except InvalidOperation:
        return Decimal(0), currency.upper()


def number_of(value: Any, default: float = 0) -> float:
    """A stored number (int, float or decimal string) as a float for a number input."""
    if isinstance(value, bool) or value in (None, ""):
        return default
    try:
        return float(Decimal(str(value)))
    except InvalidOperation:
        return default


def date_of(value: Any, default: dt.date) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return default


def _single(spec: FieldSpec, store_currency: str, today: dt.date, choices: list[str]) -> Any:
    if spec.kind == "money":
        return money_value(0, store_currency)
    if spec.kind in NUMERIC_KINDS:
        return 0
    if spec.kind == "date":
        return today.isoformat()
    if spec.kind == "bool":
        return True
    if spec.kind == "choice" and choices:
        return choices[0]
    return ""


def default_value(
    field: str,
    op: str,
    *,
    store_currency: str = "EUR",
    today: dt.date | None = None,
    choices: list[str] | None = None,
    fields: Mapping[str, FieldSpec] = FIELDS,
) -> Any:
    """A sensible starting value for ``field`` ``op`` (what a new rule shows); ``fields`` is
    the registry the field comes from (the workflow fields unless told)."""
    spec = fields[field]
    shape = OPERATORS[op].value
    day = today or dt.date.today()
    if shape == "none":
        return None
    if shape == "days":
        return 30
    if shape == "list":
        return []
    one = _single(spec, store_currency, day, choices or [])
    if shape == "pair":
        if spec.kind == "date":
            return [(day - dt.timedelta(days=30)).isoformat(), day.isoformat()]
        if spec.kind == "money":
            return [money_value(0, store_currency), money_value(100, store_currency)]
        return [0, 100]
    return one


def value_fits(field: str, op: str, value: Any, fields: Mapping[str, FieldSpec] = FIELDS) -> bool:
    """Whether ``value`` has the shape ``op`` needs (used to reset a value when the op changes)."""
    shape = OPERATORS[op].value
    kind = fields[field].kind
    if shape == "none":
        return value is None
    if shape == "days":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if shape == "list":
        return isinstance(value, list)
    if shape == "pair":
        return isinstance(value, list) and len(value) == 2
    if kind == "money":
        return isinstance(value, Mapping) or (isinstance(value, int | float | str) and value != "")
    if kind == "bool":
        return isinstance(value, bool)
    if kind in NUMERIC_KINDS:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str)


def value_text(
    field: str,
    op: str,
    value: Any,
    store_currency: str = "EUR",
    fields: Mapping[str, FieldSpec] = FIELDS,
) -> str:
    """A rule value in words: ``50 EUR``, ``DE, AT``, ``yes``, ``2024-01-01 and 2024-02-01``."""
    kind = fields[field].kind if field in fields else "text"
    shape = OPERATORS[op].value if op in OPERATORS else "one"
    if shape == "none":
        return ""
    if shape == "days":
        return f"{_plain(value)} days"
    if shape == "pair" and isinstance(value, list) and len(value) == 2:
        return " and ".join(_one(kind, v, store_currency) for v in value)
    if isinstance(value, list):
        return ", ".join(_one(kind, v, store_currency) for v in value) or "(nothing chosen)"
    return _one(kind, value, store_currency)


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _one(kind: str, value: Any, store_currency: str) -> str:
    if kind == "money":
        amount, currency = money_parts(value, store_currency)
        return f"{format(amount.normalize(), 'f')} {currency}"
    if kind == "bool":
        return "yes" if value is True else "no" if value is False else str(value)
    if value in (None, ""):
        return "(empty)"
    return _plain(value)
