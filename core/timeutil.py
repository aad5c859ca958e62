"""Time zones and parsing of timestamps and dates read from files and forms.

A timestamp or date without an offset is read in the store's time zone; everything is stored
as aware UTC. Local calendar columns (date, ``YYYY-MM`` month) are computed in the store's zone.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from core.errors import ValidationError

_YYYYMMDD = re.compile(r"^\d{8}$")


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name, or a ValidationError naming the field."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            f"Unknown time zone {name!r}.",
            field="timezone",
            hint="Use an IANA name such as Europe/Berlin or Europe/Warsaw.",
        ) from exc


@lru_cache(maxsize=1)
def all_zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


EARLIEST = dt.datetime(1970, 1, 1)
LATEST = dt.datetime(2100, 1, 1)
OUT_OF_RANGE = "is outside the years 1970 to 2099: check the date"


def parse_timestamp(value: str, tz: ZoneInfo) -> dt.datetime:
    """Parse an ISO timestamp, ISO date or ``YYYYMMDD`` into an aware UTC datetime.

    Values without an offset are local times in ``tz``; a bare date means local midnight.
    Raises ``ValueError`` with a short reason on anything else.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty date")
    if _YYYYMMDD.match(text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Shopify writes "2024-03-31 10:00:00 +0200": drop the space before the offset.
    text = re.sub(r"\s([+-]\d{2}):?(\d{2})$", r"\1:\2", text)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("not a date: use YYYY-MM-DD, YYYYMMDD or an ISO timestamp") from None
    if not EARLIEST.year <= parsed.year < LATEST.year:
        raise ValueError(OUT_OF_RANGE)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(dt.UTC)


def parse_date(value: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` or ``YYYYMMDD`` into a date (ValueError otherwise)."""
    text = value.strip()
    if _YYYYMMDD.match(text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD)") from None


def local_date(moment: dt.datetime, tz: ZoneInfo) -> dt.date:
    return moment.astimezone(tz).date()


def local_month(moment: dt.datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m")


def day_bounds(start: dt.date, end: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """UTC instants of local midnight at ``start`` and at the day after ``end`` (inclusive range)."""
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz).astimezone(dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz).astimezone(dt.UTC)
    return lo, hi
