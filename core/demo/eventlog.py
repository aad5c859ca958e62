"""The demo's order event log (``source="demo"``), sorted by time, as a frame.

The rows have the shape :func:`core.events.event_row` gives; they are written in bulk with the
other demo frames (the demo's orders are new, so no event can already exist)."""

from __future__ import annotations

import json

import numpy as np

from core import events
from core.demo import orders
from core.demo.frames import NULL, Frame
from core.demo.generator import Shop
from core.models import OrderEvent

SOURCE = "demo"


def _parts(shop: Shop) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray | None]]:
    """(type, order indexes, instants, payloads or None) per event type."""
    t = shop.timeline
    n = len(shop.placed)
    every = np.arange(n)
    parts: list[tuple[str, np.ndarray, np.ndarray, np.ndarray | None]] = [
        ("placed", every, shop.placed, None)
    ]
    for name, at in (
        ("paid", t.paid_at),
        ("shipped", t.shipped_at),
        ("out_for_delivery", t.out_for_delivery_at),
        ("delivered", t.delivered_at),
        ("ready_for_pickup", t.ready_at),
        ("picked_up", t.picked_up_at),
        ("cancelled", t.cancelled_at),
    ):
        idx = np.flatnonzero(at != NULL)
        parts.append((name, idx, at[idx], None))
    refunded = np.flatnonzero(shop.refunds.at != NULL)
    currency = np.array(orders.CURRENCIES, dtype=object)[shop.currency[refunded]]
    payload = np.array(
        [
            json.dumps({"amount": f"{a / 100:.2f}", "currency": c, "full": bool(f)})
            for a, c, f in zip(
                shop.refunds.amount[refunded].tolist(),
                currency.tolist(),
                shop.refunds.full[refunded].tolist(),
                strict=True,
            )
        ],
        dtype=object,
    )
    parts.append(("refunded", refunded, shop.refunds.at[refunded], payload))
    r = shop.reviews
    ratings = np.array([f'{{"rating": {v}}}' for v in r.rating.tolist()], dtype=object)
    parts.append(("review_submitted", r.order, r.submitted_at, ratings))
    return parts


def frame(shop: Shop) -> Frame:
    parts = _parts(shop)
    for name, *_ in parts:
        events.check_type(name)
    kind = np.concatenate([np.full(len(p[1]), p[0], dtype=object) for p in parts])
    order = np.concatenate([p[1] for p in parts]).astype(np.int64)
    at = np.concatenate([p[2] for p in parts]).astype(np.int64)
    payload = np.concatenate(
        [p[3] if p[3] is not None else np.full(len(p[1]), "{}", dtype=object) for p in parts]
    )
    by_time = np.lexsort((order, at))
    return Frame(
        OrderEvent.__table__,  # type: ignore[arg-type]
        {
            "order_id": order[by_time],
            "customer_id": shop.customer[order[by_time]],
            "type": kind[by_time],
            "occurred_at": at[by_time],
            "recorded_at": at[by_time],
            "source": np.full(len(order), SOURCE, dtype=object),
            "payload": payload[by_time],
        },
        offsets={"order_id": "orders", "customer_id": "customers"},
    )
