"""Delivery quotes: the options a basket may choose, priced in its currency, with the promised
dates, the free time slots of scheduled options and the nearby stores of pickup options,
cheapest first. A quote only reads (it never holds a slot).

Times are local to their place (:mod:`core.delivery.zones`): slots in the destination's zone,
a store's ready time in the store's; each ISO timestamp carries its offset and each option
names its ``time_zone``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.delivery import config as delivery_config
from core.delivery import promise, rules, slots, zones
from core.delivery.basket import Basket
from core.delivery.config import DeliveryConfig
from core.engine.schema import Node
from core.models import DeliveryOption, PickupLocation
from core.money import round_to_currency
from core.settings import StoreSettings


@dataclass(frozen=True)
class Catalogue:
    """What every quote reads once: options, stores, settings."""

    options: list[DeliveryOption]
    locations: list[PickupLocation]
    settings: StoreSettings
    config: DeliveryConfig
    rules: dict[str, Node | None]


def catalogue(session: Session) -> Catalogue:
    options = list(
        session.scalars(
            select(DeliveryOption).where(DeliveryOption.active).order_by(DeliveryOption.code)
        )
    )
    locations = list(session.scalars(select(PickupLocation).order_by(PickupLocation.code)))
    return Catalogue(
        options,
        locations,
        store_settings.load(session),
        delivery_config.load(session),
        {o.code: rules.parse_rules(o.rules) for o in options},
    )


def _in_store_currency(amount: Decimal, currency: str, settings: StoreSettings) -> Decimal | None:
    if currency == settings.currency:
        return amount
    if currency not in settings.exchange_rates:
        return None
    return amount * settings.rate(currency)


def price_of(option: DeliveryOption, basket: Basket, settings: StoreSettings) -> Decimal | None:
    """The option's price in the basket's currency (its own price there, else its main price
    converted with the store's rates), zero above the free-above threshold; None when it has no
    price in that currency."""
    own = (option.prices or {}).get(basket.currency)
    price: Decimal | None
    if own is not None:
        price = Decimal(own)
    elif option.currency == basket.currency:
        price = Decimal(option.price)
    else:
        main = _in_store_currency(Decimal(option.price), option.currency, settings)
        to = _in_store_currency(Decimal(1), basket.currency, settings)
        price = None if main is None or not to else round_to_currency(main / to, basket.currency)
    threshold = (option.free_above or {}).get(basket.currency)
    if price is not None and threshold is not None and basket.total >= Decimal(threshold):
        return round_to_currency(Decimal(0), basket.currency)
    return price


def _passes_basics(option: DeliveryOption, basket: Basket, settings: StoreSettings) -> bool:
    if option.countries and basket.country not in option.countries:
        return False
    if option.min_basket is not None:
        total = _in_store_currency(basket.total, basket.currency, settings)
        minimum = _in_store_currency(Decimal(option.min_basket), option.currency, settings)
        if total is None or minimum is None or total < minimum:
            return False
    return True


def _nearby(locations: list[PickupLocation], basket: Basket) -> list[PickupLocation]:
    """Stores in the destination country: those sharing more of the postcode first, then
    those in the basket's city (when it names one), then by code."""

    def shared(code: str | None) -> int:
        n = 0
        ours = basket.postcode.replace(" ", "").upper()
        for a, b in zip((code or "").replace(" ", "").upper(), ours, strict=False):
            if a != b:
                break
            n += 1
        return n

    city = basket.city.strip().casefold()

    def elsewhere(name: str | None) -> bool:
        return not city or (name or "").strip().casefold() != city

    here = [loc for loc in locations if loc.country == basket.country]
    return sorted(here, key=lambda loc: (-shared(loc.postcode), elsewhere(loc.city), loc.code))


def _pickup(
    locations: list[PickupLocation], basket: Basket, local: dt.datetime, store_tz: ZoneInfo
) -> tuple[dict[str, Any], promise.Promise] | None:
    stores = []
    for loc in _nearby(locations, basket):
        there = zones.destination_zone(loc.country, store_tz)
        ready = promise.pickup_ready(loc, local.astimezone(there))
        stores.append((ready, loc))
    if not stores:
        return None
    first = min(ready for ready, _ in stores)
    info = {
        "locations": [
            {
                "code": loc.code,
                "name": loc.name,
                "address": loc.address,
                "postcode": loc.postcode,
                "city": loc.city,
                "country": loc.country,
                "opening_hours": loc.opening_hours,
                "preparation_hours": loc.preparation_hours,
                "ready_at": ready.isoformat(),
                "time_zone": str(ready.tzinfo),
            }
            for ready, loc in stores
        ]
    }
    return info, promise.Promise(first.date(), first.date())


def free_slots(
    session: Session,
    option: DeliveryOption,
    local: dt.datetime,
    origin: str,
    country: str,
    now: dt.datetime,
) -> list[dict[str, Any]]:
    tz = zones.destination_zone(country, local.tzinfo)  # type: ignore[arg-type]
    times = promise.slot_times(option, local, origin, country, tz)
    used = slots.usage(session, option.code, [s for s, _ in times], now)
    out = []
    for start, end in times:
        use = used.get(start)
        remaining = option.slot_capacity - (use.taken if use else 0)
        if remaining > 0:
            out.append(
                {
                    "start": start.astimezone(tz).isoformat(),
                    "end": end.astimezone(tz).isoformat(),
                    "remaining": remaining,
                }
            )
    return out


def quote_option(
    session: Session, cat: Catalogue, option: DeliveryOption, basket: Basket, at: dt.datetime
) -> dict[str, Any] | None:
    """One option's quote line, or None when it is not offered to this basket."""
    price = price_of(option, basket, cat.settings)
    if price is None:
        return None
    local = at.astimezone(cat.settings.tz)
    origin = cat.config.origin_country
    entry: dict[str, Any] = {
        "code": option.code,
        "name": option.name,
        "kind": option.kind,
        "price": str(round_to_currency(price, basket.currency)),
        "currency": basket.currency,
        "time_zone": str(zones.destination_zone(basket.country, cat.settings.tz)),
        "slots": [],
    }
    if option.kind == "pickup":
        found = _pickup(cat.locations, basket, local, cat.settings.tz)
        if found is None:
            return None
        entry["pickup"], window = found
    elif option.kind == "scheduled":
        entry["slots"] = free_slots(session, option, local, origin, basket.country, at)
        if not entry["slots"]:
            return None
        days = [dt.date.fromisoformat(s["start"][:10]) for s in entry["slots"]]
        window = promise.Promise(min(days), max(days))
    else:
        window = promise.delivery_promise(option, local, origin, basket.country)
    entry["promise"] = {
        "earliest": window.earliest.isoformat(),
        "latest": window.latest.isoformat(),
    }
    return entry


def quote(
    session: Session, basket: Basket, at: dt.datetime, cat: Catalogue | None = None
) -> dict[str, Any]:
    """``{"options": [...]}`` for ``basket`` at the aware moment ``at``, cheapest first."""
    cat = cat or catalogue(session)
    skus = sorted({line.sku for line in basket.lines})
    record = rules.basket_record(
        basket,
        rules.product_facts(session, skus),
        cat.settings,
        rules.customer_facts(session, basket.customer_email, at),
    )
    ctx = rules.context(cat.settings, at)
    offered = []
    for option in cat.options:
        if not _passes_basics(option, basket, cat.settings):
            continue
        if not rules.eligible(cat.rules[option.code], record, ctx):
            continue
        entry = quote_option(session, cat, option, basket, at)
        if entry is not None:
            offered.append(entry)
    offered.sort(key=lambda e: (Decimal(e["price"]), e["promise"]["earliest"], e["code"]))
    return {"options": offered}
