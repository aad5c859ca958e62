"""Promised delivery: the dispatch day from the order time and the option's cut-off in the
origin country's working days, then the carrier's transit days in the destination country's
working days; pickup readiness from the store's opening hours and preparation time; and the
time slots of a scheduled option."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from core.delivery.calendar import (
    WEEKDAYS,
    add_working_days,
    is_holiday,
    is_working_day,
    next_working_day,
    parse_opening_hours,
    ready_at,
)
from core.models import DeliveryOption, PickupLocation

SLOT_HORIZON_DAYS = 14


@dataclass(frozen=True)
class Promise:
    earliest: dt.date
    latest: dt.date


def _cutoff(option: DeliveryOption) -> dt.time:
    hour, minute = (option.cutoff_time or "14:00").split(":")
    return dt.time(int(hour), int(minute))


def dispatch_day(option: DeliveryOption, placed: dt.datetime, origin: str) -> dt.date:
    """The day the parcel leaves: today before the cut-off on a working day, else the next
    working day of the origin country. ``placed`` is local time in the store's zone."""
    day = placed.date()
    if is_working_day(origin, day) and placed.time() < _cutoff(option):
        return day
    return next_working_day(origin, day + dt.timedelta(days=1))


def transit(option: DeliveryOption, country: str) -> tuple[int, int]:
    """The carrier's working days in transit to ``country`` (per-country, else the option's)."""
    days = (option.transit_days or {}).get(country.upper())
    if isinstance(days, list | tuple) and len(days) == 2:
        return int(days[0]), int(days[1])
    return option.lead_days_min, option.lead_days_max


def delivery_promise(
    option: DeliveryOption, placed: dt.datetime, origin: str, country: str
) -> Promise:
    ship = dispatch_day(option, placed, origin)
    low, high = transit(option, country)
    return Promise(add_working_days(country, ship, low), add_working_days(country, ship, high))


def pickup_ready(location: PickupLocation, placed: dt.datetime) -> dt.datetime:
    """When an order placed at ``placed`` (aware) is ready at ``location``."""
    hours = parse_opening_hours(location.opening_hours)
    return ready_at(placed, hours, location.country, location.preparation_hours)


def windows(option: DeliveryOption) -> list[tuple[dt.time, dt.time]]:
    out = []
    for text in option.time_slots:
        start, end = text.split("-")
        out.append((dt.time.fromisoformat(start), dt.time.fromisoformat(end)))
    return out


def slot_times(
    option: DeliveryOption,
    placed: dt.datetime,
    origin: str,
    country: str,
    tz: ZoneInfo,
    horizon_days: int = SLOT_HORIZON_DAYS,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The option's slots (UTC start, end) a customer may choose at ``placed``: from the
    earliest delivery day on, on the option's days that are not public holidays of
    ``country``, starting at least ``slot_cutoff_hours`` after ``placed``."""
    first = delivery_promise(option, placed, origin, country).earliest
    days = set(option.slot_days or WEEKDAYS[:6])
    latest_start = placed + dt.timedelta(hours=option.slot_cutoff_hours)
    out = []
    for offset in range(horizon_days):
        day = first + dt.timedelta(days=offset)
        if WEEKDAYS[day.weekday()] not in days or is_holiday(country, day):
            continue
        for opens, closes in windows(option):
            start = dt.datetime.combine(day, opens, tzinfo=tz)
            if start < latest_start:
                continue
            end = dt.datetime.combine(day, closes, tzinfo=tz)
            out.append((start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
    return out
