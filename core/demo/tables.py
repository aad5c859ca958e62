"""The generated shop as one :class:`Frame` per table, in insertion order."""

from __future__ import annotations

import json

import numpy as np

from core.demo import catalog, orders
from core.demo.frames import NONE, NULL, Frame
from core.demo.generator import Shop
from core.models import (
    ConsentEvent,
    Customer,
    Order,
    OrderLine,
    Product,
    ReferralCode,
    Review,
    Shipment,
)

OBJ = object


def _const(value: object, n: int) -> np.ndarray:
    return np.full(n, value, dtype=OBJ if isinstance(value, str) else None)


def _lookup(values: list[str], index: np.ndarray) -> np.ndarray:
    return np.asarray(np.array(values, dtype=OBJ)[index])


def products(start: int) -> Frame:
    rows = catalog.product_rows()
    n = len(rows)
    return Frame(
        Product.__table__,  # type: ignore[arg-type]
        {
            "sku": np.array([r[0] for r in rows], dtype=OBJ),
            "name": np.array([r[1] for r in rows], dtype=OBJ),
            "price": np.array([round(r[3] * 100) for r in rows], dtype=np.int64),
            "currency": _const("EUR", n),
            "image_url": np.array([catalog.image_url(r[0], r[1]) for r in rows], dtype=OBJ),
            "category": np.array([r[2] for r in rows], dtype=OBJ),
            "weight_grams": np.array(
                [_weight(i, r[2]) for i, r in enumerate(rows)], dtype=np.int64
            ),
            "tags": np.array([json.dumps(DEMO_TAGS.get(r[2], [])) for r in rows], dtype=OBJ),
            "is_demo": np.ones(n, dtype=bool),
            "created_at": np.full(n, start, dtype=np.int64),
            "updated_at": np.full(n, start, dtype=np.int64),
        },
    )


DEMO_WEIGHTS = {  # grams per item, by category (the i-th product adds a little)
    "Coffee & tea": 450,
    "Kitchen": 900,
    "Tableware": 700,
    "Home textiles": 1200,
    "Candles & scents": 400,
    "Stationery": 250,
}
DEMO_TAGS = {"Tableware": ["fragile"], "Candles & scents": ["fragile"], "Home textiles": ["bulky"]}
"""Product tags the delivery rules of the demo shop can use."""


def _weight(index: int, category: str) -> int:
    return DEMO_WEIGHTS.get(category, 500) + 10 * (index % 10)


def customers(shop: Shop) -> Frame:
    p = shop.people
    n = len(p)
    countries = catalog.COUNTRIES
    return Frame(
        Customer.__table__,  # type: ignore[arg-type]
        {
            "id": np.arange(n, dtype=np.int64),
            "external_id": p.external_id,
            "email": p.email,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "country": _lookup([c.code for c in countries], p.country),
            "locale": _lookup(list(catalog.FIRST_NAMES), p.locale),
            "time_zone": _lookup([c.time_zone for c in countries], p.country),
            "marketing_consent": p.consent,
            "consent_source": p.consent_source,
            "consent_at": p.consent_at,
            "unsubscribed_at": p.unsubscribed_at,
            "tags": shop.tags,
            "is_demo": np.ones(n, dtype=bool),
            "created_at": p.acquired_at,
            "updated_at": np.maximum(p.acquired_at, p.unsubscribed_at),
        },
        offsets={"id": "customers"},
    )


def consent_events(shop: Shop) -> Frame:
    p = shop.people
    granted = np.flatnonzero(p.consent_at != NULL)
    withdrawn = np.flatnonzero(p.unsubscribed_at != NULL)
    who = np.concatenate([granted, withdrawn])
    return Frame(
        ConsentEvent.__table__,  # type: ignore[arg-type]
        {
            "customer_id": who,
            "purpose": _const("marketing", len(who)),
            "granted": np.r_[np.ones(len(granted), bool), np.zeros(len(withdrawn), bool)],
            "source": np.concatenate(
                [p.consent_source[granted], _const("unsubscribe_link", len(withdrawn))]
            ),
            "detail": _const("demo data", len(who)),
            "at": np.concatenate([p.consent_at[granted], p.unsubscribed_at[withdrawn]]),
        },
        offsets={"customer_id": "customers"},
    )


def order_frame(shop: Shop) -> Frame:
    n = len(shop.placed)
    t, m = shop.timeline, shop.money
    last = np.max(
        np.stack([shop.placed, t.paid_at, t.cancelled_at, t.done_at, shop.refunds.at]), axis=0
    )
    return Frame(
        Order.__table__,  # type: ignore[arg-type]
        {
            "id": np.arange(n, dtype=np.int64),
            "external_id": np.array([f"{catalog.PREFIX}O{i + 1:08d}" for i in range(n)], dtype=OBJ),
            "number": np.array([f"MN-{100001 + i}" for i in range(n)], dtype=OBJ),
            "customer_id": shop.customer,
            "placed_at": shop.placed,
            "paid_at": t.paid_at,
            "cancelled_at": t.cancelled_at,
            "refunded_at": shop.refunds.at,
            "placed_date": shop.cal.epoch_days(shop.placed),
            "placed_month": shop.cal.month(shop.placed),
            "status": shop.status,
            "currency": _lookup(list(orders.CURRENCIES), shop.currency),
            "subtotal": m.subtotal,
            "discount_amount": m.discount,
            "shipping_amount": m.shipping,
            "tax_amount": m.tax,
            "total": m.total,
            "refunded_amount": shop.refunds.amount,
            "discount_code": m.discount_code,
            "channel": _lookup(list(catalog.CHANNELS), shop.channel),
            "delivery_option": _lookup(list(orders.DELIVERY_CODES), shop.option),
            "promised_delivery_start": t.promised_start,
            "promised_delivery_at": t.promised_at,
            "pickup_location_id": np.where(shop.store >= 0, shop.store, NULL),
            "shipping_country": _lookup([c.code for c in catalog.COUNTRIES], shop.order_country),
            "is_test": np.zeros(n, dtype=bool),
            "is_demo": np.ones(n, dtype=bool),
            "created_at": shop.placed,
            "updated_at": last,
        },
        offsets={"id": "orders", "customer_id": "customers", "pickup_location_id": "pickup"},
    )


def line_frame(shop: Shop) -> Frame:
    items = shop.lines
    rows = catalog.product_rows()
    return Frame(
        OrderLine.__table__,  # type: ignore[arg-type]
        {
            "order_id": items.order,
            "line_no": items.line_no,
            "sku": _lookup([r[0] for r in rows], items.product),
            "name": _lookup([r[1] for r in rows], items.product),
            "quantity": items.quantity,
            "unit_price": items.unit_cents,
        },
        offsets={"order_id": "orders"},
    )


def shipment_frame(shop: Shop) -> Frame:
    t = shop.timeline
    idx = np.flatnonzero((t.shipped_at != NULL) | (t.ready_at != NULL))
    pickup = t.ready_at[idx] != NULL
    express = shop.option[idx] == 1
    carriers = np.array([c.carrier for c in catalog.COUNTRIES], dtype=OBJ)[shop.order_country[idx]]
    carrier = np.where(
        pickup, "Nordlicht store", np.where(express, catalog.EXPRESS_CARRIER, carriers)
    )
    number = np.array([str(v) for v in shop.tracking[idx].tolist()], dtype=OBJ)
    slug = np.array([catalog.email_slug(str(c)) for c in carrier.tolist()], dtype=OBJ)
    url = np.array(
        [
            f"https://track.example.com/{s}/{num}"
            for s, num in zip(slug.tolist(), number.tolist(), strict=True)
        ],
        dtype=OBJ,
    )
    first = np.where(pickup, t.ready_at[idx], t.shipped_at[idx])
    return Frame(
        Shipment.__table__,  # type: ignore[arg-type]
        {
            "order_id": idx,
            "carrier": carrier,
            "tracking_number": np.where(pickup, NONE, number),
            "tracking_url": np.where(pickup, NONE, url),
            "shipped_at": t.shipped_at[idx],
            "out_for_delivery_at": t.out_for_delivery_at[idx],
            "delivered_at": t.delivered_at[idx],
            "ready_for_pickup_at": t.ready_at[idx],
            "picked_up_at": t.picked_up_at[idx],
            "created_at": first,
            "updated_at": np.maximum(first, t.done_at[idx]),
        },
        offsets={"order_id": "orders"},
    )


def review_frame(shop: Shop) -> Frame:
    r = shop.reviews
    n = len(r.order)
    return Frame(
        Review.__table__,  # type: ignore[arg-type]
        {
            "order_id": r.order,
            "customer_id": shop.customer[r.order],
            "rating": r.rating,
            "nps": r.nps,
            "comment": r.comment,
            "submitted_at": r.submitted_at,
            "submitted_date": shop.cal.epoch_days(r.submitted_at),
            "source": _const("demo", n),
            "is_demo": np.ones(n, dtype=bool),
            "created_at": r.submitted_at,
            "updated_at": r.submitted_at,
        },
        offsets={"order_id": "orders", "customer_id": "customers"},
    )


def referral_frame(shop: Shop) -> Frame:
    ref = shop.referrals
    n = len(ref.code)
    return Frame(
        ReferralCode.__table__,  # type: ignore[arg-type]
        {
            "code": ref.code,
            "customer_id": ref.customer,
            "reward_value": np.full(n, 1000, dtype=np.int64),
            "reward_currency": _const("EUR", n),
            "uses": ref.uses,
            "is_demo": np.ones(n, dtype=bool),
            "created_at": ref.created_at,
            "updated_at": ref.created_at,
        },
        offsets={"customer_id": "customers"},
    )
