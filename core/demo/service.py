"""Load, clear and detect the demo shop.

Loading happens in one transaction: store settings (only where the merchant has not set them),
delivery options and pickup stores, then every generated table in bulk. Demo rows carry
``is_demo``, ``DEMO-`` external ids and example-domain emails; :func:`clear` removes exactly
them, children first, and leaves every row the merchant imported.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from core import audit, db, facts
from core import settings as store_settings
from core.auth import Action, Actor, require
from core.demo import catalog, eventlog, frames, generator, tables, workflows
from core.errors import ConflictError, ValidationError
from core.models import Customer, DeliveryOption, PickupLocation, Setting

MAX_CUSTOMERS = 5_000_000
MAX_ORDERS = 20_000_000


@dataclass(frozen=True)
class DemoOptions:
    customers: int = 5000
    orders: int | None = None
    """Default: about 3.4 per customer."""
    seed: int = 7
    until: dt.date | None = None
    """Last day of the 24 months; default today in the store's time zone."""
    reset: bool = False
    """Clear the demo data first (otherwise loading refuses when demo data is present)."""
    workflows: bool = True
    """Also create the demo workflows with their history and planted effect."""


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    until: dt.date
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        c = self.counts
        return (
            f"{c.get('customers', 0):,} customers, {c.get('orders', 0):,} orders, "
            f"{c.get('reviews', 0):,} reviews over the 24 months to {self.until} "
            f"(seed {self.seed}, {self.seconds:.1f} s)"
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["until"] = self.until.isoformat()
        return data


def is_demo_loaded(session: Session) -> bool:
    """True when demo rows are present (the dashboard shows a banner)."""
    found = session.scalar(select(Customer.id).where(Customer.is_demo).limit(1))
    return (
        found is not None
        or store_settings.get_meta(session, store_settings.DEMO_META_KEY) is not None
    )


def _check(options: DemoOptions, today: dt.date) -> dt.date:
    if not 1 <= options.customers <= MAX_CUSTOMERS:
        raise ValidationError(f"must be between 1 and {MAX_CUSTOMERS:,}.", field="customers")
    if options.orders is not None and not 1 <= options.orders <= MAX_ORDERS:
        raise ValidationError(f"must be between 1 and {MAX_ORDERS:,}.", field="orders")
    until = options.until or today
    if until > today:
        raise ValidationError(
            f"{until} is in the future.", field="until", hint="Use today or an earlier date."
        )
    if until.year < 2002:
        raise ValidationError(
            f"{until} is too early.", field="until", hint="Use a date after 2002."
        )
    return until


def load(
    engine: Engine,
    options: DemoOptions | None = None,
    actor: Actor | None = None,
    now: dt.datetime | None = None,
) -> DemoSummary:
    """Generate and write the demo shop. Raises ConflictError when demo data is already loaded
    (unless ``options.reset``)."""
    options = options or DemoOptions()
    actor = actor or Actor.system()
    require(actor, Action.MANAGE_DEMO)
    now = now or dt.datetime.now(dt.UTC)
    began = time.perf_counter()
    with Session(engine) as session:  # bad options must not clear anything first
        _check(options, now.astimezone(store_settings.load(session).tz).date())
    if options.reset:
        clear(engine, actor)
    with db.transaction(engine) as session:
        if is_demo_loaded(session):
            raise ConflictError(
                "The demo shop is loaded already.",
                hint="Clear it first, or load again with --reset to replace it.",
            )
        written = _write_settings(session, actor)
        current = store_settings.load(session)
        until = _check(options, now.astimezone(current.tz).date())
        n_orders = options.orders or generator.default_orders(options.customers)
        extra: dict[str, Any] = {}
        plan = None
        customer_base = reserve_ids(session, "customers", options.customers)
        if options.workflows:
            activated = workflows.activation(until, current.timezone)
            wf_ids, live = workflows.create(session, actor, activated)
            plan = workflows.plan(wf_ids, activated, customer_base)
        shop = generator.generate(
            options.seed, options.customers, n_orders, until, current.timezone, now, plan
        )
        counts = _write(session, shop, customer_base, current.name)
        _match_codes(session, now)
        stats = _stats(shop)
        if options.workflows:
            workflows.skip_engine_cursor(session)
            workflows.render_newest(session)
            extra = workflows.metadata(shop, wf_ids, activated, live)
            stats["planted_effect"] = extra["planted_effect"]
        summary = DemoSummary(
            options.seed, until, round(time.perf_counter() - began, 2), counts, stats
        )
        store_settings.set_meta(
            session,
            store_settings.DEMO_META_KEY,
            {
                "seed": options.seed,
                "until": until.isoformat(),
                "loaded_at": now.isoformat(),
                "counts": counts,
                "stats": stats,
                "settings_written": written,
                **extra,
            },
        )
        facts.touch_demo(session)
        store_settings.bump_data_version(session)
        audit.record(session, actor.name, "demo.load", None, {"seed": options.seed, **counts})
    return summary


def _match_codes(session: Session, now: dt.datetime) -> None:
    """The coupon redemptions and referral uses of the demo orders' codes, as after an import,
    and the advocates' rewards whose refund window has passed."""
    from core import coupons, referral_program

    coupons.match_orders(session, source="demo")
    referral_program.match_orders(session, now=now)
    referral_program.settle_rewards(session, now)


def _write_settings(session: Session, actor: Actor) -> dict[str, Any]:
    """Store settings of the demo shop where none are set; otherwise only the missing exchange
    rates for PLN and SEK (when the store sells in EUR). Returns what was written."""
    configured = session.get(Setting, "name") is not None
    if not configured:
        changes: dict[str, Any] = dict(catalog.STORE_SETTINGS)
    else:
        current = store_settings.load(session)
        if current.currency != "EUR":
            return {}
        missing = {k: v for k, v in catalog.DEMO_RATES.items() if k not in current.exchange_rates}
        if not missing:
            return {}
        changes = {
            "exchange_rates": {**{k: str(v) for k, v in current.exchange_rates.items()}, **missing}
        }
    store_settings.update_settings(session, actor, changes)
    session.flush()
    return {key: session.get(Setting, key).value for key in changes}  # type: ignore[union-attr]


def _small_tables(session: Session) -> np.ndarray:
    """Delivery options (those the store lacks) and pickup stores; the stores' ids in order."""
    have = set(session.scalars(select(DeliveryOption.code)))
    for d in catalog.DELIVERY_OPTIONS:
        if d.code not in have:
            session.add(
                DeliveryOption(
                    code=d.code, name=d.name, kind=d.kind, price=d.price, currency="EUR",
                    lead_days_min=d.lead_min, lead_days_max=d.lead_max, is_demo=True,
                    countries=list(_countries(d.code)),
                    time_slots=list(catalog.TIME_SLOTS) if d.code == "scheduled" else [],
                    prices=_prices(d.code), free_above=_free_above(d.code),
                    carrier="DHL" if d.kind in ("standard", "express") else None,
                )
            )  # fmt: skip
    ids = []
    for s in catalog.PICKUP_STORES:
        found = session.scalar(select(PickupLocation).where(PickupLocation.code == s.code))
        if found is None:
            found = PickupLocation(
                code=s.code, name=s.name, address=s.address, city=s.city, postcode=s.postcode,
                country=s.country, opening_hours=s.opening_hours, is_demo=True,
            )  # fmt: skip
            session.add(found)
            session.flush()
        ids.append(found.id)
    return np.array(ids, dtype=np.int64)


def _prices(code: str) -> dict[str, str]:
    """The option's price in the demo's other currencies (major units)."""
    minor = catalog.SHIPPING_PRICES[code]
    return {c: str(Decimal(minor[c]) / 100) for c in ("PLN", "SEK")}


def _free_above(code: str) -> dict[str, str]:
    """Standard delivery is free from 60 EUR (the same value in PLN and SEK)."""
    if code != "standard":
        return {}
    eur = Decimal(catalog.FREE_SHIPPING_FROM_EUR)
    return {
        c: str((eur / catalog.RATES_TO_EUR[c]).quantize(Decimal("1")))
        for c in ("EUR", "PLN", "SEK")
    }


def _countries(code: str) -> tuple[str, ...]:
    if code == "click_collect":
        return catalog.PICKUP_COUNTRIES
    if code == "scheduled":
        return catalog.SCHEDULED_COUNTRIES
    return tuple(c.code for c in catalog.COUNTRIES)


def reserve_ids(session: Session, table: str, n: int) -> int:
    """The first of ``n`` consecutive free ids of ``table``. On PostgreSQL the block is taken
    from the table's sequence, so concurrent inserts never collide with it."""
    top = session.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one()
    if session.get_bind().dialect.name != "postgresql":
        return int(top) + 1
    seq = f"pg_get_serial_sequence('{table}', 'id')"
    start = max(int(session.execute(text(f"SELECT nextval({seq})")).scalar_one()), int(top) + 1)
    session.execute(text(f"SELECT setval({seq}, :last)"), {"last": start + max(n, 1) - 1})
    return start


def _write(
    session: Session, shop: generator.Shop, customer_base: int, store_name: str
) -> dict[str, int]:
    pickup_ids = _small_tables(session)
    session.flush()
    n_messages = sum(len(part) for j in shop.journeys for part in j.sends.enrolment)
    bases: dict[str, int | np.ndarray] = {
        "customers": customer_base,
        "orders": reserve_ids(session, "orders", len(shop.placed)),
        "enrolments": reserve_ids(session, "enrolments", sum(len(j) for j in shop.journeys)),
        "messages": reserve_ids(session, "messages", n_messages),
        "pickup": pickup_ids,
    }
    conn = session.connection()
    counts: dict[str, int] = {}
    start = int(shop.cal.midnights[0])
    for frame in (
        tables.products(start),
        tables.customers(shop),
        tables.consent_events(shop),
        tables.order_frame(shop),
        tables.line_frame(shop),
        tables.shipment_frame(shop),
        eventlog.frame(shop),
        tables.review_frame(shop),
        tables.referral_frame(shop),
    ):
        counts[frame.table.name] = frames.write(conn, frame, bases)
    if shop.journeys:
        counts.update(workflows.write(conn, shop, bases, store_name))
    return counts


def _stats(shop: generator.Shop) -> dict[str, Any]:
    late = shop.timeline.late[shop.reviews.order]
    rating = shop.reviews.rating

    def mean(mask: np.ndarray) -> float | None:
        return round(float(rating[mask].mean()), 3) if mask.any() else None

    done = shop.timeline.done_at != frames.NULL
    totals = {
        cur: int(shop.money.total[shop.currency == i].sum())
        for i, cur in enumerate(("EUR", "PLN", "SEK"))
    }
    return {
        "late_share": round(float(shop.timeline.late[done].mean()), 4) if done.any() else None,
        "mean_rating_on_time": mean(~late),
        "mean_rating_late": mean(late),
        "totals_cents": totals,
        "window_start": shop.cal.start.isoformat(),
    }


def clear(engine: Engine, actor: Actor) -> int:
    """Remove every demo row (and the demo's settings the merchant has not changed since);
    returns how many rows were deleted."""
    return sum(clear_report(engine, actor).values())


def clear_report(engine: Engine, actor: Actor) -> dict[str, int]:
    """As :func:`clear`, returning the rows removed per table."""
    require(actor, Action.MANAGE_DEMO)
    from core.demo.cleanup import delete_demo_rows

    with db.transaction(engine) as session:
        facts.touch_demo(session)
        removed = delete_demo_rows(session)
        total = sum(removed.values())
        meta = store_settings.get_meta(session, store_settings.DEMO_META_KEY) or {}
        for key, value in (meta.get("settings_written") or {}).items():
            row = session.get(Setting, key)
            if row is not None and row.value == value:
                session.delete(row)
        row = session.get(Setting, store_settings.DEMO_META_KEY)
        if row is not None:
            session.delete(row)
        store_settings.bump_data_version(session)
        audit.record(session, actor.name, "demo.clear", None, {"rows": total})
    return removed
