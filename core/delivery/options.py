"""Delivery options and pickup locations: listing, validating and saving them.

Options are offered by rules (countries, minimum basket, an eligibility condition); the engine's
conditions and the KPI pages refer to them by ``code``. Validation names every invalid field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.auth import Action, Actor, require
from core.delivery.calendar import WEEKDAYS, parse_opening_hours
from core.delivery.rules import parse_rules
from core.errors import ValidationError
from core.models import DeliveryOption, PickupLocation
from core.money import check_currency, parse_amount
from core.settings import bump_data_version

KINDS = ("standard", "express", "pickup", "scheduled")
_CODE = re.compile(r"^[a-z0-9_\-]{1,32}$")
_OPTION_CODE = re.compile(r"^[a-z0-9_]{1,32}$")
"""Letters, digits and _ only: a shop's shipping line code maps back to it unchanged."""
_SLOT = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_DAYS = re.compile(r"^(\d{1,2})(?:\s*-\s*(\d{1,2}))?$")


@dataclass(frozen=True)
class OptionInput:
    code: str
    name: str
    kind: str
    price: str
    currency: str
    lead_days_min: int
    lead_days_max: int
    countries: str = ""
    min_basket: str = ""
    time_slots: str = ""
    active: bool = True
    prices: str = ""
    """Prices in other currencies: ``PLN 19.99, SEK 59``."""
    free_above: str = ""
    """Free from this basket total, per currency: ``EUR 60, PLN 250``."""
    cutoff_time: str = "14:00"
    transit_days: str = ""
    """Per destination country, working days: ``DE 1-2, AT 2-3``."""
    carrier: str = ""
    slot_days: str = ""
    slot_capacity: int = 10
    slot_cutoff_hours: int = 12
    rules: Any = None
    """An eligibility condition (workflow condition schema over :data:`rules.FIELDS`)."""


class FormErrors(ValidationError):
    """Several invalid fields at once: ``errors`` maps each field to what is wrong."""

    def __init__(self, prefix: str, errors: dict[str, str]):
        text = "; ".join(f"{field}: {message}" for field, message in errors.items())
        super().__init__(f"{prefix}{text}", field=next(iter(errors)))
        self.errors = errors


def list_options(session: Session) -> list[DeliveryOption]:
    return list(session.scalars(select(DeliveryOption).order_by(DeliveryOption.code)))


def list_locations(session: Session) -> list[PickupLocation]:
    return list(session.scalars(select(PickupLocation).order_by(PickupLocation.code)))


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;\s]+", text or "") if p.strip()]


def _pairs(text: str) -> list[tuple[str, str]]:
    """``PLN 19.99, SEK 59`` -> [("PLN", "19.99"), ("SEK", "59")]."""
    out = []
    for part in (p.strip() for p in re.split(r"[;,](?=\s*[A-Za-z])", text or "")):
        if part:
            head, _, tail = part.partition(" ")
            out.append((head.strip(), tail.strip()))
    return out


def _amounts(text: str, field: str, errors: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, amount in _pairs(text):
        try:
            currency = check_currency(code, field=field)
            value = parse_amount(amount)
        except (ValueError, ValidationError):
            errors[field] = f"{code} {amount}".strip() + " is not a currency and an amount."
            errors[field] += " Write e.g. PLN 19.99, SEK 59."
            return {}
        if value < 0:
            errors[field] = f"{code} {amount} is negative."
            return {}
        out[currency] = str(value)
    return out


def _transit(text: str, errors: dict[str, str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for country, days in _pairs(text):
        match = _DAYS.match(days)
        if not _COUNTRY.match(country.upper()) or match is None:
            errors["transit_days"] = f"{country} {days}".strip() + " is not a country and days."
            errors["transit_days"] += " Write e.g. DE 1-2, AT 2-3."
            return {}
        low, high = int(match.group(1)), int(match.group(2) or match.group(1))
        if not 0 <= low <= high <= 60:
            errors["transit_days"] = f"{country} {days}: days must satisfy 0 <= min <= max <= 60."
            return {}
        out[country.upper()] = [low, high]
    return out


def _slot_days(text: str, errors: dict[str, str]) -> list[str]:
    days: list[str] = []
    for part in _split(text.replace("-", " - ")):
        if part == "-":
            days.append("-")
            continue
        name = part[:3].lower()
        if name not in WEEKDAYS:
            errors["slot_days"] = f"{part!r} is not a weekday. Write e.g. mon-fri, sat."
            return []
        days.append(name)
    out: list[str] = []
    for i, day in enumerate(days):
        if day == "-":
            continue
        if i >= 2 and days[i - 1] == "-":
            first = WEEKDAYS.index(days[i - 2])
            out.extend(WEEKDAYS[first + 1 : WEEKDAYS.index(day) + 1])
        else:
            out.append(day)
    return sorted(set(out), key=WEEKDAYS.index)


def clean_option(row: int | None, data: OptionInput) -> dict[str, Any]:
    """The validated column values of one option; every invalid field is named (with the row
    when given) in one FormErrors."""
    errors: dict[str, str] = {}
    code = data.code.strip().lower()
    if not _OPTION_CODE.match(code):
        errors["code"] = f"{data.code!r} is not a code. Use lowercase letters, digits or _."
    if not data.name.strip():
        errors["name"] = "the name is empty."
    if data.kind not in KINDS:
        errors["kind"] = f"{data.kind!r} is not a kind. Use one of {', '.join(KINDS)}."
    price = Decimal(0)
    try:
        price = parse_amount(str(data.price) or "0")
        if price < 0:
            errors["price"] = "the price is negative."
    except ValueError as exc:
        errors["price"] = str(exc)
    currency = ""
    try:
        currency = check_currency(data.currency or "", field="currency")
    except ValidationError as exc:
        errors["currency"] = exc.message
    if not 0 <= data.lead_days_min <= data.lead_days_max <= 60:
        errors["lead_days"] = "lead days must satisfy 0 <= min <= max <= 60."
    countries = [c.upper() for c in _split(data.countries)]
    bad = [c for c in countries if not _COUNTRY.match(c)]
    if bad:
        errors["countries"] = f"{', '.join(bad)} are not country codes. Use DE, AT, FR..."
    slots = _split(data.time_slots)
    bad = [s for s in slots if not _SLOT.match(s)]
    if bad:
        errors["time_slots"] = f"{', '.join(bad)} are not time slots. Write them as 08:00-12:00."
    elif data.kind == "scheduled" and not slots:
        errors["time_slots"] = "a scheduled option needs at least one time slot."
    min_basket: Decimal | None = None
    if str(data.min_basket).strip():
        try:
            min_basket = parse_amount(str(data.min_basket))
        except ValueError as exc:
            errors["min_basket"] = str(exc)
    cutoff = str(data.cutoff_time or "").strip()
    if not _HHMM.match(cutoff):
        errors["cutoff_time"] = f"{cutoff!r} is not a time. Use HH:MM, e.g. 14:00."
    if not 1 <= int(data.slot_capacity) <= 10_000:
        errors["slot_capacity"] = "must be between 1 and 10000."
    if not 0 <= int(data.slot_cutoff_hours) <= 336:
        errors["slot_cutoff_hours"] = "must be between 0 and 336 hours."
    values: dict[str, Any] = {
        "prices": _amounts(data.prices, "prices", errors),
        "free_above": _amounts(data.free_above, "free_above", errors),
        "transit_days": _transit(data.transit_days, errors),
        "slot_days": _slot_days(data.slot_days, errors),
    }
    try:
        node = parse_rules(data.rules)
        values["rules"] = None if node is None else node.model_dump(mode="json")
    except ValidationError as exc:
        errors["rules"] = exc.message
    if errors:
        raise FormErrors(f"row {row}: " if row is not None else "", errors)
    return {
        "code": code,
        "name": data.name.strip(),
        "kind": data.kind,
        "price": price,
        "currency": currency,
        "lead_days_min": int(data.lead_days_min),
        "lead_days_max": int(data.lead_days_max),
        "countries": countries,
        "min_basket": min_basket,
        "time_slots": slots,
        "active": bool(data.active),
        "cutoff_time": cutoff,
        "carrier": data.carrier.strip() or None,
        "slot_capacity": int(data.slot_capacity),
        "slot_cutoff_hours": int(data.slot_cutoff_hours),
        **values,
    }


def save_option(
    session: Session, actor: Actor, data: OptionInput, original: str | None = None
) -> DeliveryOption:
    """Create an option, or update the one whose code was ``original`` (its code may change
    only to one not in use)."""
    require(actor, Action.EDIT_DELIVERY)
    values = clean_option(None, data)
    existing = {o.code: o for o in list_options(session)}
    option = existing.get(original or values["code"])
    clash = existing.get(values["code"])
    if clash is not None and clash is not option:
        raise FormErrors("", {"code": f"the code {values['code']!r} is already used."})
    if option is None:
        option = DeliveryOption(**values)
        session.add(option)
    else:
        for key, value in values.items():
            setattr(option, key, value)
    session.flush()
    audit.record(session, actor.name, "delivery.save", None, {"codes": [values["code"]]})
    bump_data_version(session)
    return option


def option_inputs(options: Sequence[DeliveryOption]) -> list[Mapping[str, Any]]:
    """Rows for an editable table."""
    return [
        {
            "code": o.code,
            "name": o.name,
            "kind": o.kind,
            "price": str(o.price),
            "currency": o.currency,
            "lead_days_min": o.lead_days_min,
            "lead_days_max": o.lead_days_max,
            "countries": ", ".join(o.countries),
            "min_basket": "" if o.min_basket is None else str(o.min_basket),
            "time_slots": ", ".join(o.time_slots),
            "active": o.active,
            "prices": ", ".join(f"{c} {a}" for c, a in (o.prices or {}).items()),
            "free_above": ", ".join(f"{c} {a}" for c, a in (o.free_above or {}).items()),
            "cutoff_time": o.cutoff_time,
            "transit_days": ", ".join(
                f"{c} {lo}-{hi}" for c, (lo, hi) in (o.transit_days or {}).items()
            ),
            "carrier": o.carrier or "",
            "slot_days": ", ".join(o.slot_days or []),
            "slot_capacity": o.slot_capacity,
            "slot_cutoff_hours": o.slot_cutoff_hours,
            "rules": o.rules,
        }
        for o in options
    ]


@dataclass(frozen=True)
class LocationInput:
    code: str
    name: str
    address: str
    city: str
    country: str
    postcode: str = ""
    opening_hours: str = ""
    preparation_hours: int = 2


def save_locations(session: Session, actor: Actor, rows: Sequence[LocationInput]) -> int:
    """Create or update pickup locations (by code); every row is validated first."""
    require(actor, Action.EDIT_DELIVERY)
    cleaned: list[dict[str, Any]] = []
    for row, data in enumerate(rows, start=1):
        code = data.code.strip().lower()
        if not _CODE.match(code):
            raise ValidationError(f"row {row}: {data.code!r} is not a code.", field="code")
        for field in ("name", "address", "city"):
            if not str(getattr(data, field)).strip():
                raise ValidationError(f"row {row}: the {field} is empty.", field=field)
        country = data.country.strip().upper()
        if not _COUNTRY.match(country):
            raise ValidationError(
                f"row {row}: {data.country!r} is not a country code.", field="country"
            )
        try:
            parse_opening_hours(data.opening_hours)
        except ValidationError as exc:
            raise ValidationError(f"row {row}: {exc}", field="opening_hours") from None
        if not 0 <= int(data.preparation_hours) <= 336:
            raise ValidationError(
                f"row {row}: preparation hours must be between 0 and 336.",
                field="preparation_hours",
            )
        cleaned.append(
            {
                "preparation_hours": int(data.preparation_hours),
                "code": code,
                "name": data.name.strip(),
                "address": data.address.strip(),
                "city": data.city.strip(),
                "country": country,
                "postcode": data.postcode.strip() or None,
                "opening_hours": data.opening_hours.strip() or None,
            }
        )
    existing = {loc.code: loc for loc in list_locations(session)}
    for values in cleaned:
        location = existing.get(values["code"])
        if location is None:
            session.add(PickupLocation(**values))
        else:
            for key, value in values.items():
                setattr(location, key, value)
    audit.record(session, actor.name, "pickup.save", None, {"codes": [c["code"] for c in cleaned]})
    bump_data_version(session)
    return len(cleaned)
