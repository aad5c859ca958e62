"""Delivery options and pickup locations: listing, validating and saving them.

Options are offered by rules (countries, minimum basket); the engine's conditions and the KPI
pages refer to them by ``code``.
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
from core.errors import ValidationError
from core.models import DeliveryOption, PickupLocation
from core.money import check_currency, parse_amount
from core.settings import bump_data_version

KINDS = ("standard", "express", "pickup", "scheduled")
_CODE = re.compile(r"^[a-z0-9_\-]{1,32}$")
_SLOT = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


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


def list_options(session: Session) -> list[DeliveryOption]:
    return list(session.scalars(select(DeliveryOption).order_by(DeliveryOption.code)))


def list_locations(session: Session) -> list[PickupLocation]:
    return list(session.scalars(select(PickupLocation).order_by(PickupLocation.code)))


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;\s]+", text or "") if p.strip()]


def clean_option(row: int, data: OptionInput) -> dict[str, Any]:
    """The validated column values of one option; errors name the row and field."""

    def fail(field: str, message: str, hint: str | None = None) -> ValidationError:
        return ValidationError(f"row {row}: {message}", field=field, hint=hint)

    code = data.code.strip().lower()
    if not _CODE.match(code):
        raise fail(
            "code", f"{data.code!r} is not a code.", "Use lowercase letters, digits, - or _."
        )
    if not data.name.strip():
        raise fail("name", "the name is empty.")
    if data.kind not in KINDS:
        raise fail("kind", f"{data.kind!r} is not a kind.", f"Use one of {', '.join(KINDS)}.")
    try:
        price = parse_amount(str(data.price) or "0")
    except ValueError as exc:
        raise fail("price", str(exc)) from None
    if price < 0:
        raise fail("price", "the price is negative.")
    if not 0 <= data.lead_days_min <= data.lead_days_max <= 60:
        raise fail("lead_days", "lead days must satisfy 0 <= min <= max <= 60.")
    countries = [c.upper() for c in _split(data.countries)]
    bad = [c for c in countries if not _COUNTRY.match(c)]
    if bad:
        raise fail("countries", f"{', '.join(bad)} are not country codes.", "Use DE, AT, FR...")
    slots = _split(data.time_slots)
    bad = [s for s in slots if not _SLOT.match(s)]
    if bad:
        raise fail(
            "time_slots", f"{', '.join(bad)} are not time slots.", "Write them as 08:00-12:00."
        )
    min_basket: Decimal | None = None
    if str(data.min_basket).strip():
        try:
            min_basket = parse_amount(str(data.min_basket))
        except ValueError as exc:
            raise fail("min_basket", str(exc)) from None
    return {
        "code": code,
        "name": data.name.strip(),
        "kind": data.kind,
        "price": price,
        "currency": check_currency(data.currency, field=f"row {row}: currency"),
        "lead_days_min": int(data.lead_days_min),
        "lead_days_max": int(data.lead_days_max),
        "countries": countries,
        "min_basket": min_basket,
        "time_slots": slots,
        "active": bool(data.active),
    }


def save_options(session: Session, actor: Actor, rows: Sequence[OptionInput]) -> int:
    """Replace the set of delivery options by ``rows`` in one transaction: every row is
    validated first; options no longer listed are deactivated (orders keep their code)."""
    require(actor, Action.EDIT_DELIVERY)
    cleaned = [clean_option(i, r) for i, r in enumerate(rows, start=1)]
    codes = [c["code"] for c in cleaned]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise ValidationError(f"The code {dupes[0]!r} is used twice.", field="code")
    existing = {o.code: o for o in list_options(session)}
    for values in cleaned:
        option = existing.get(values["code"])
        if option is None:
            session.add(DeliveryOption(**values))
        else:
            for key, value in values.items():
                setattr(option, key, value)
    for code, option in existing.items():
        if code not in codes:
            option.active = False
    audit.record(session, actor.name, "delivery.save", None, {"codes": codes})
    bump_data_version(session)
    return len(cleaned)


def offered_options(
    session: Session, country: str, basket: Decimal, options: Sequence[DeliveryOption] | None = None
) -> list[DeliveryOption]:
    """The active options offered to an order to ``country`` with this basket value."""
    out = []
    for option in options if options is not None else list_options(session):
        if not option.active:
            continue
        if option.countries and country.upper() not in option.countries:
            continue
        if option.min_basket is not None and basket < option.min_basket:
            continue
        out.append(option)
    return out


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
        cleaned.append(
            {
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
