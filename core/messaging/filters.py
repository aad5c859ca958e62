"""Template filters: locale-aware ``money`` and ``date`` (Babel), a forgiving ``default``, and the
whitelist of Jinja's own filters that message templates may use.

Values in the context carry their locale (see :mod:`core.messaging.values`), so
``{{ order.total }}`` and ``{{ order.total|money }}`` both print ``1.234,56 €`` for a German
customer and ``€1,234.56`` for an Irish one. ``{{ 12.5|money('EUR') }}`` formats a bare number
in the message's locale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency, format_decimal
from jinja2 import filters as jf
from jinja2 import pass_context
from jinja2.runtime import Context, Undefined

from core.messaging.values import DateValue, MoneyValue, is_empty

DATE_STYLES = ("short", "medium", "long", "full")


def _locale(context: Context) -> str:
    value = context.get("locale")
    return str(value) if value else "en"


@pass_context
def money(context: Context, value: Any, currency: str | None = None) -> str:
    """``order.total|money`` or ``12.5|money('EUR')``: the amount in the customer's locale."""
    if isinstance(value, MoneyValue):
        if currency is None or currency == value.currency:
            return str(value)
        value = value.amount
    if is_empty(value):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if currency is None:
        return format_decimal(amount, format="#,##0.00", locale=_locale(context))
    return format_currency(amount, currency, locale=_locale(context))


@pass_context
def date(context: Context, value: Any, style: str = "medium") -> str:
    """``order.date|date`` or ``|date('long')``, or a Babel pattern such as ``|date('d MMMM')``."""
    if isinstance(value, DateValue):
        return value.format(style)
    if isinstance(value, dt.datetime):
        return format_datetime(value, _style_or_pattern(style), locale=_locale(context))
    if isinstance(value, dt.date):
        return format_date(value, _style_or_pattern(style), locale=_locale(context))
    return "" if is_empty(value) else str(value)


@pass_context
def datetime(context: Context, value: Any, style: str = "medium") -> str:
    """Date and time, in the customer's time zone when the value carries one."""
    if isinstance(value, DateValue):
        return value.format_datetime(style)
    return date(context, value, style)


@pass_context
def time(context: Context, value: Any, style: str = "short") -> str:
    if isinstance(value, DateValue):
        return value.format_time(style)
    if isinstance(value, dt.datetime | dt.time):
        return format_time(value, _style_or_pattern(style), locale=_locale(context))
    return "" if is_empty(value) else str(value)


def _style_or_pattern(style: str) -> str:
    return style if style in DATE_STYLES or len(style) <= 40 else "medium"


def default(value: Any, fallback: Any = "", boolean: bool = True) -> Any:
    """``x|default('there')``: the fallback when ``x`` is missing *or empty* (None, "", [])."""
    if isinstance(value, Undefined) or (boolean and is_empty(value)):
        return fallback
    return value


SAFE_JINJA_FILTERS = [
    "abs",
    "capitalize",
    "count",
    "dictsort",
    "e",
    "escape",
    "first",
    "float",
    "groupby",
    "int",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "rejectattr",
    "reverse",
    "round",
    "select",
    "selectattr",
    "slice",
    "sort",
    "string",
    "striptags",
    "title",
    "trim",
    "truncate",
    "unique",
    "upper",
    "wordcount",
    "batch",
    "items",
]


def _sum_numbers(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    if not isinstance(start, int | float | Decimal):
        raise TypeError("sum() adds numbers only")
    return jf.sync_do_sum(environment, iterable, attribute, start)


_sum_numbers.jinja_pass_arg = jf.sync_do_sum.jinja_pass_arg  # type: ignore[attr-defined]


def all_filters() -> dict[str, Callable[..., Any]]:
    """The filters a message template may use (Jinja's ``safe``, ``format``, ``replace``,
    ``center``, ``indent``, ``wordwrap``, ``urlize``, ``xmlattr``, ``tojson``, ``pprint``,
    ``attr`` and ``random`` are left out)."""
    chosen: dict[str, Callable[..., Any]] = {n: jf.FILTERS[n] for n in SAFE_JINJA_FILTERS}
    chosen.update(
        money=money,
        date=date,
        datetime=datetime,
        time=time,
        default=default,
        d=default,
        sum=_sum_numbers,
    )
    return chosen
