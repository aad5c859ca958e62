"""Reviews customers leave through the signed link in a review request.

- ``review_target(session, token) -> (order, customer)``: the order a review link names
  (``core.messaging.context.review_url`` signs ``{"o": order_id, "c": customer_id}`` with
  purpose ``review``); AuthError when the token was changed or has expired, NotFound when the
  order is gone or no longer that customer's.
- ``submit_review(...)``: one review per order, the latest wins; writes the
  ``review_submitted`` order event once per order and bumps the data version.

The link is the authority (it can only come from an email we sent), so these functions take no
dashboard actor, like :mod:`core.messaging.unsubscribe`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import orderstate, security
from core import settings as store_settings
from core.errors import AuthError, NotFound, ValidationError
from core.models import Customer, Order, Review

PURPOSE = "review"
MAX_COMMENT = 2_000
MAX_SOURCE = 32


def review_target(session: Session, token: str) -> tuple[Order, Customer]:
    """The order and customer a review link names (read only)."""
    payload = security.unsign(PURPOSE, token, security.LINK_MAX_AGE)
    if not isinstance(payload, dict):
        raise AuthError("This link is not valid: it was changed or is incomplete.")
    order_id, customer_id = payload.get("o"), payload.get("c")
    if not isinstance(order_id, int) or not isinstance(customer_id, int):
        raise AuthError("This link is not valid: it was changed or is incomplete.")
    order = session.get(Order, order_id)
    if order is None or order.customer_id != customer_id:
        raise NotFound("The order of this review link no longer exists.")
    return order, order.customer


def is_cancelled(order: Order) -> bool:
    return order.status == "cancelled" or order.cancelled_at is not None


def check_rating(rating: object) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError(
            f"{rating!r} is not a rating.", field="rating", hint="Choose 1 to 5 stars."
        )
    return rating


def check_nps(nps: object) -> int | None:
    if nps is None:
        return None
    if isinstance(nps, bool) or not isinstance(nps, int) or not 0 <= nps <= 10:
        raise ValidationError(
            f"{nps!r} is not a recommendation score.",
            field="nps",
            hint="Use a whole number from 0 to 10, or leave it empty.",
        )
    return nps


def check_comment(comment: str | None) -> str | None:
    """The comment without surrounding blanks (None when empty); NUL characters are dropped
    (PostgreSQL text cannot hold them)."""
    text = (comment or "").replace("\x00", "").strip()
    if len(text) > MAX_COMMENT:
        raise ValidationError(
            f"is {len(text):,} characters long.",
            field="comment",
            hint=f"Keep it to {MAX_COMMENT:,} characters at most.",
        )
    return text or None


def _check_source(source: str) -> str:
    text = source.strip()
    if not text or len(text) > MAX_SOURCE:
        raise ValidationError(
            f"{source!r} is not a review source.",
            field="source",
            hint=f"Use a short word such as link or import ({MAX_SOURCE} characters at most).",
        )
    return text


def _reviewable_order(session: Session, order_id: int, customer_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"Order {order_id} does not exist.")
    if order.customer_id != customer_id:
        raise ValidationError(
            f"order {order_id} belongs to another customer.",
            field="customer_id",
            hint="Only the customer who placed an order can review it.",
        )
    if is_cancelled(order):
        raise ValidationError(
            f"order {order.number or order.external_id} was cancelled.",
            field="order_id",
            hint="Only orders that were not cancelled can be reviewed.",
        )
    return order


def submit_review(
    session: Session,
    *,
    order_id: int,
    customer_id: int,
    rating: int,
    nps: int | None = None,
    comment: str | None = None,
    source: str = "link",
    now: dt.datetime | None = None,
) -> Review:
    """Record (or replace) the review of an order; every input is checked before anything is
    written. ``submitted_date`` is the local date in the store's time zone."""
    rating = check_rating(rating)
    nps = check_nps(nps)
    text = check_comment(comment)
    source = _check_source(source)
    order = _reviewable_order(session, order_id, customer_id)
    at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    tz = store_settings.load(session).tz
    review = session.scalar(select(Review).where(Review.order_id == order.id))
    if review is None:
        review = Review(order_id=order.id, customer_id=customer_id, is_demo=order.is_demo)
        session.add(review)
    review.customer_id = customer_id
    review.rating, review.nps, review.comment, review.source = rating, nps, text, source
    review.submitted_at, review.submitted_date = at, at.astimezone(tz).date()
    session.flush()
    orderstate.apply_event(
        session, order, "review_submitted", at, source=source, payload={"rating": rating}
    )
    store_settings.bump_data_version(session)
    return review
