"""Working days per country (weekends and public holidays from the ``holidays`` package) and the
opening hours of pickup stores (``Mon-Fri 10:00-19:00, Sat 10:00-18:00``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import holidays

from core.errors import ValidationError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = r"(mon|tue|wed|thu|fri|sat|sun)[a-z]*"
_PART = re.compile(
    rf"^{_DAY}(?:\s*-\s*{_DAY})?\s+(\d{{1,2}})(?::(\d{{2}}))?\s*-\s*(\d{{1,2}})(?::(\d{{2}}))?$",
    re.IGNORECASE,
)


@lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> frozenset[dt.date]:
    try:
        found = holidays.country_holidays(country.upper(), years=year)
    except NotImplementedError:  # a country the library does not know: weekends only
        return frozenset()
    return frozenset(found.keys())


def is_holiday(country: str, day: dt.date) -> bool:
    return day in _holidays(country, day.year)


def is_working_day(country: str, day: dt.date) -> bool:
    """Monday to Friday and not a national public holiday of ``country``."""
    return day.weekday() < 5 and not is_holiday(country, day)


def next_working_day(country: str, day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the next one."""
    while not is_working_day(country, day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(country: str, day: dt.date, n: int) -> dt.date:
    """The working day ``n`` working days after ``day`` (``n = 0``: ``day`` moved to a working
    day)."""
    day = next_working_day(country, day)
    for _ in range(n):
        day = next_working_day(country, day + dt.timedelta(days=1))
    return day


@dataclass(frozen=True)
class OpeningHours:
    """Per weekday (0 = Monday) the opening and closing time; a missing day is closed."""

    days: dict[int, tuple[dt.time, dt.time]]

    def window(self, day: dt.date) -> tuple[dt.time, dt.time] | None:
        return self.days.get(day.weekday())


def _time(hour: str, minute: str | None, text: str) -> dt.time:
    h, m = int(hour), int(minute or 0)
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ValidationError(f"{text!r} has an impossible time.", field="opening_hours")
    return dt.time.max if h == 24 else dt.time(h, m)


def parse_opening_hours(text: str | None) -> OpeningHours:
    """``Mon-Fri 10:00-19:00, Sat 10-14`` -> OpeningHours; empty text means Mon-Sat 9-18."""
    if not (text or "").strip():
        return OpeningHours({d: (dt.time(9), dt.time(18)) for d in range(6)})
    days: dict[int, tuple[dt.time, dt.time]] = {}
    for part in (p.strip() for p in re.split(r"[,;]", text or "")):
        if not part:
            continue
        match = _PART.match(part)
        if match is None:
            raise ValidationError(
                f"{part!r} is not a day range with hours.",
                field="opening_hours",
                hint="Write e.g. Mon-Fri 10:00-19:00, Sat 10:00-14:00.",
            )
        first, last, h1, m1, h2, m2 = match.groups()
        start, end = WEEKDAYS.index(first[:3].lower()), WEEKDAYS.index((last or first)[:3].lower())
        opens, closes = _time(h1, m1, part), _time(h2, m2, part)
        if closes <= opens:
            raise ValidationError(f"{part!r} closes before it opens.", field="opening_hours")
        for day in range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]:
            days[day] = (opens, closes)
    return OpeningHours(days)


def ready_at(
    placed: dt.datetime, hours: OpeningHours, country: str, preparation_hours: int
) -> dt.datetime:
    """When a pickup order placed at local time ``placed`` is ready: ``preparation_hours`` of
    opening time later, counted only while the store is open (closed on public holidays)."""
    remaining = dt.timedelta(hours=preparation_hours)
    moment = placed
    for _ in range(400):
        day = moment.date()
        window = None if is_holiday(country, day) else hours.window(day)
        if window is not None:
            opens = dt.datetime.combine(day, window[0], tzinfo=placed.tzinfo)
            closes = dt.datetime.combine(day, window[1], tzinfo=placed.tzinfo)
            start = max(moment, opens)
            if start < closes:
                if start + remaining <= closes:
                    return start + remaining
                remaining -= closes - start
        moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=placed.tzinfo)
    raise ValidationError("The store has no opening hours in the next year.", field="opening_hours")
