"""The public preference centre's reads and writes, for ``/p/{token}``: the link is the
authority (it can only come from an email we sent), so these take no dashboard actor; a
tampered or expired token raises AuthError before anything is read or written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.errors import NotFound, ValidationError
from core.models import Customer, PickupLocation
from core.preferences import PURPOSES, Preferences, current, read_token, save


@dataclass(frozen=True)
class CentreView:
    """What the public page shows: the customer, their preferences and the pickup stores."""

    customer_id: int
    email: str | None
    store: str
    preferences: Preferences
    pickups: list[tuple[int, str]]


def centre_view(session: Session, token: str) -> CentreView:
    """The page of a valid link (AuthError when tampered or expired, NotFound when erased)."""
    customer = session.get(Customer, read_token(token))
    if customer is None:
        raise NotFound("This customer no longer exists.")
    stores = session.execute(
        select(PickupLocation.id, PickupLocation.name, PickupLocation.city).order_by(
            PickupLocation.name
        )
    )
    return CentreView(
        customer.id,
        customer.email,
        store_settings.load(session).name,
        current(customer),
        [(int(i), f"{name}, {city}") for i, name, city in stores],
    )


def from_form(fields: dict[str, list[str]]) -> Preferences:
    """The submitted form (``purpose_<name>=on``, ``all_off``, ``frequency``, ``language``,
    ``pickup``) as preferences; unchecked boxes are absent, as browsers send them."""

    def one(name: str) -> str:
        return (fields.get(name) or [""])[0].strip()

    pickup = one("pickup")
    if pickup and not pickup.isdigit():
        raise ValidationError("Choose a pickup store from the list.", field="pickup_store")
    return Preferences(
        purposes={p: one(f"purpose_{p}") == "on" for p in PURPOSES},
        all_marketing_off=one("all_off") == "on",
        frequency=one("frequency") or "normal",
        locale=one("language") or "en",
        pickup_id=int(pickup) if pickup else None,
    )


def submit(
    session: Session, token: str, fields: dict[str, list[str]], now: dt.datetime | None = None
) -> list[str]:
    """Save the preference centre's form for the link's customer; the changed fields."""
    customer = session.get(Customer, read_token(token))
    if customer is None:
        raise NotFound("This customer no longer exists.")
    return save(session, customer, from_form(fields), "preference_centre", now)
