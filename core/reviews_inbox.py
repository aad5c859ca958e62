"""The reviews inbox: the latest reviews with the order's products, delivery option and
punctuality, filters, low ratings flagged as needing a reply, and the notify-merchant action.

Punctuality follows :mod:`core.metrics.delivery`: an order arrived when its last shipment was
delivered (or ready for pickup); it was ``on_time`` when that moment is at or before the
promised delivery time, ``late`` after it, and unknown without a promise or a delivery.

A review with a rating of ``LOW_RATING`` or less needs a reply until the merchant was notified.
``notify_merchant`` queues one email per such review to the store's sender address (the outbox
sends it; demo reviews go to the Mailbox) and records ``Review.merchant_notified_at``; a review
is notified once (the message's idempotency key is ``review-reply:<review id>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.auth import Action, Actor, require
from core.models import Customer, Message, Order, OrderLine, Review, Shipment

LOW_RATING = 2
PUNCTUALITY = ("on_time", "late")
COLUMNS = [
    "review_id",
    "submitted_at",
    "rating",
    "nps",
    "comment",
    "order",
    "customer_email",
    "products",
    "delivery_option",
    "punctuality",
    "needs_reply",
    "merchant_notified_at",
]


@dataclass(frozen=True)
class InboxFilter:
    ratings: tuple[int, ...] = ()
    product: str = ""
    delivery_option: str = ""
    punctuality: str = ""
    needs_reply_only: bool = False


def options(session: Session) -> tuple[list[str], list[str]]:
    """Products (names) and delivery options that reviewed orders have, for the filters."""
    reviewed = select(Review.order_id)
    products = session.scalars(
        select(OrderLine.name)
        .where(OrderLine.order_id.in_(reviewed))
        .distinct()
        .order_by(OrderLine.name)
    ).all()
    delivery = session.scalars(
        select(Order.delivery_option)
        .where(Order.id.in_(reviewed), Order.delivery_option.is_not(None))
        .distinct()
        .order_by(Order.delivery_option)
    ).all()
    return [str(p) for p in products], [str(d) for d in delivery]


def _punctuality(arrived: dt.datetime | None, promised: dt.datetime | None) -> str | None:
    if arrived is None or promised is None:
        return None
    return "on_time" if arrived <= promised else "late"


def inbox(session: Session, wanted: InboxFilter | None = None, limit: int = 500) -> pd.DataFrame:
    """The latest reviews matching ``wanted``, newest first (columns ``COLUMNS``)."""
    wanted = wanted or InboxFilter()
    arrived = (
        select(
            Shipment.order_id,
            func.max(func.coalesce(Shipment.delivered_at, Shipment.ready_for_pickup_at)).label(
                "at"
            ),
        )
        .group_by(Shipment.order_id)
        .subquery()
    )
    stmt = (
        select(
            Review.id,
            Review.submitted_at,
            Review.rating,
            Review.nps,
            Review.comment,
            Order.id,
            Order.number,
            Customer.email,
            Order.delivery_option,
            arrived.c.at,
            Order.promised_delivery_at,
            Review.merchant_notified_at,
        )
        .join(Order, Order.id == Review.order_id)
        .join(Customer, Customer.id == Review.customer_id)
        .outerjoin(arrived, arrived.c.order_id == Order.id)
        .order_by(Review.submitted_at.desc(), Review.id.desc())
    )
    if wanted.ratings:
        stmt = stmt.where(Review.rating.in_(wanted.ratings))
    if wanted.delivery_option:
        stmt = stmt.where(Order.delivery_option == wanted.delivery_option)
    if wanted.product:
        stmt = stmt.where(
            Order.id.in_(select(OrderLine.order_id).where(OrderLine.name == wanted.product))
        )
    if wanted.needs_reply_only:
        stmt = stmt.where(Review.rating <= LOW_RATING, Review.merchant_notified_at.is_(None))
    rows = []
    for r in session.execute(stmt):
        punctual = _punctuality(r[9], r[10])
        if wanted.punctuality and punctual != wanted.punctuality:
            continue
        rows.append([r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], punctual, r[11]])
        if len(rows) >= limit:
            break
    names = _products(session, [row[5] for row in rows])
    out = [
        [
            rid,
            at,
            rating,
            nps,
            comment,
            number,
            email,
            names.get(order_id, ""),
            option,
            punctual,
            rating <= LOW_RATING and notified is None,
            notified,
        ]
        for rid, at, rating, nps, comment, order_id, number, email, option, punctual, notified in rows
    ]
    return pd.DataFrame(out, columns=COLUMNS)


def _products(session: Session, order_ids: Sequence[int]) -> dict[int, str]:
    names: dict[int, list[str]] = {}
    for start in range(0, len(order_ids), 500):
        chunk = list(order_ids[start : start + 500])
        for order_id, name in session.execute(
            select(OrderLine.order_id, OrderLine.name)
            .where(OrderLine.order_id.in_(chunk))
            .order_by(OrderLine.order_id, OrderLine.line_no)
        ):
            names.setdefault(int(order_id), []).append(str(name))
    return {k: ", ".join(v) for k, v in names.items()}


def _body(review: Review, order: Order, customer: Customer) -> str:
    stars = "★" * review.rating + "☆" * (5 - review.rating)
    return (
        f"A customer rated order {order.number or order.external_id} {stars} "
        f"({review.rating}/5).\n\n"
        f"Customer: {customer.email or '(no email)'}\n"
        f"Submitted: {review.submitted_at.isoformat(timespec='minutes')}\n"
        f"Comment: {review.comment or '(none)'}\n\n"
        "Reply to the customer and mark it done in the Reviews inbox."
    )


def notify_merchant(
    session: Session, actor: Actor, review_ids: Sequence[int], now: dt.datetime | None = None
) -> int:
    """Queue a "needs a reply" email to the store for each low review not notified yet."""
    require(actor, Action.MANAGE_OUTBOX)
    now = now or dt.datetime.now(dt.UTC)
    st = store_settings.load(session)
    count = 0
    rows = session.execute(
        select(Review, Order, Customer)
        .join(Order, Order.id == Review.order_id)
        .join(Customer, Customer.id == Review.customer_id)
        .where(
            Review.id.in_(list(review_ids)),
            Review.rating <= LOW_RATING,
            Review.merchant_notified_at.is_(None),
        )
    ).all()
    for review, order, customer in rows:
        session.add(
            Message(
                idempotency_key=f"review-reply:{review.id}",
                order_id=order.id,
                category="transactional",
                template_name=None,
                locale=st.default_locale,
                to_address=st.sender_email,
                subject=f"Review needs a reply: {review.rating}/5 for order {order.number}",
                text=_body(review, order, customer),
                headers={},
                state="queued",
                is_demo=review.is_demo,
                due_at=now,
                queued_at=now,
            )
        )
        review.merchant_notified_at = now
        count += 1
    if count:
        store_settings.bump_data_version(session)
    session.flush()
    return count
