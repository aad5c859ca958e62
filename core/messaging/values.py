"""The plain, read-only values a template sees: records, money and dates that know their locale.

Templates never see ORM objects: only :class:`Record` (attribute access to a fixed mapping),
:class:`MoneyValue`, :class:`DateValue`, strings, numbers and lists of those.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_interval, format_time
from babel.numbers import format_currency


@lru_cache(maxsize=64)
def babel_locale(code: str | None) -> str:
    """A locale Babel knows (``de_AT``, ``en_IE``...), falling back to its language, then ``en``."""
    text = (code or "en").replace("-", "_")
    for candidate in (text, text.split("_")[0]):
        try:
            return str(Locale.parse(candidate))
        except (UnknownLocaleError, ValueError):
            continue
    return "en"


class Record:
    """A read-only record: ``rec.name`` and ``rec['name']``; a missing key is an AttributeError
    (Jinja turns it into an undefined value, printed as nothing)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None, **fields: Any) -> None:
        object.__setattr__(self, "_data", {**(data or {}), **fields})

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._data[name]

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("records are read-only")

    def __contains__(self, name: object) -> bool:
        return name in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __bool__(self) -> bool:
        return any(not is_empty(v) for v in self._data.values())

    def __str__(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"Record({sorted(self._data)})"

    def get(self, name: str, default: Any = None) -> Any:
        return self._data.get(name, default)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._data)


class MoneyValue:
    """An amount with its currency, printed in the customer's locale (``1.234,56 €`` in de)."""

    __slots__ = ("_text", "amount", "currency", "locale")

    def __init__(self, amount: Decimal, currency: str, locale: str) -> None:
        self.amount = amount
        self.currency = currency
        self.locale = locale
        self._text: str | None = None

    def __str__(self) -> str:
        if self._text is None:
            self._text = _money_text(str(self.amount), self.currency, self.locale)
        return self._text

    __html__ = __str__

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MoneyValue):
            return (self.amount, self.currency) == (other.amount, other.currency)
        return bool(self.amount == other)

    def __lt__(self, other: object) -> bool:
        return bool(self.amount < _amount(other))

    def __gt__(self, other: object) -> bool:
        return bool(self.amount > _amount(other))

    def __hash__(self) -> int:
        return hash((self.amount, self.currency))


def _amount(other: object) -> Decimal:
    if isinstance(other, MoneyValue):
        return other.amount
    if isinstance(other, int | float | Decimal):
        return Decimal(str(other))
    raise TypeError("money can only be compared with money or numbers")


class DateValue:
    """A moment shown in the customer's time zone and locale (``|date('long')`` etc.)."""

    __slots__ = ("locale", "moment", "tz")

    def __init__(self, moment: dt.datetime, tz: ZoneInfo, locale: str) -> None:
        self.moment = moment.astimezone(tz)
        self.tz = tz
        self.locale = locale

    def format(self, style: str = "medium") -> str:
        return _date_text(self.moment.date(), style, self.locale)

    def format_datetime(self, style: str = "medium") -> str:
        return format_datetime(self.moment, style, tzinfo=self.tz, locale=self.locale)

    def format_time(self, style: str = "short") -> str:
        return format_time(self.moment, style, tzinfo=self.tz, locale=self.locale)

    def __str__(self) -> str:
        return self.format("medium")

    __html__ = __str__

    def __bool__(self) -> bool:
        return True

    def __lt__(self, other: object) -> bool:
        return isinstance(other, DateValue) and self.moment < other.moment


def date_window(start: DateValue | None, end: DateValue | None) -> str:
    """``12–14 March 2025`` style interval in the customer's locale, or the single date."""
    if end is None:
        return "" if start is None else start.format("long")
    if start is None or start.moment.date() == end.moment.date():
        return end.format("long")
    return _interval_text(start.moment.date(), end.moment.date(), end.locale)


# Babel's formatting costs 0.1-0.2 ms a call and a batch of emails shows the same amounts and
# dates many times: the texts are kept (they depend only on these arguments).
@lru_cache(maxsize=4096)
def _money_text(amount: str, currency: str, locale: str) -> str:
    return format_currency(Decimal(amount), currency, locale=locale)


@lru_cache(maxsize=4096)
def _date_text(day: dt.date, style: str, locale: str) -> str:
    return format_date(day, style, locale=locale)


@lru_cache(maxsize=1024)
def _interval_text(start: dt.date, end: dt.date, locale: str) -> str:
    return format_interval(start, end, skeleton="yMMMMd", locale=locale)


def is_empty(value: Any) -> bool:
    """None, blank text, an empty list or an undefined value."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return len(value) == 0
    if isinstance(value, Record):
        return not value
    return type(value).__name__.endswith("Undefined")
