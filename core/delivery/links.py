"""The customer's delivery link and whether the order still allows a change (light: order
emails ask it for every message)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import security
from core.delivery import config as delivery_config
from core.errors import AuthError, NotFound, ValidationError
from core.models import Order, OrderEvent

PURPOSE = "delivery"
LINK_MAX_AGE = 30 * 24 * 3600
INVALID = "This link is not valid: it was changed or is incomplete."


def link_token(order_id: int, customer_id: int) -> str:
    return security.sign(PURPOSE, {"o": order_id, "c": customer_id})


def delivery_url(base_url: str, order_id: int, customer_id: int) -> str:
    return f"{base_url.rstrip('/')}/delivery/{link_token(order_id, customer_id)}"


def target(session: Session, token: str) -> Order:
    """The order a delivery link names; AuthError when changed or expired."""
    payload = security.unsign(PURPOSE, token, LINK_MAX_AGE)
    if not isinstance(payload, dict):
        raise AuthError(INVALID)
    order_id, customer_id = payload.get("o"), payload.get("c")
    if not isinstance(order_id, int) or not isinstance(customer_id, int):
        raise AuthError(INVALID)
    order = session.get(Order, order_id)
    if order is None or order.customer_id != customer_id:
        raise NotFound("The order of this delivery link no longer exists.")
    return order


def delivery_failed(
    session: Session, order: Order, reported: Callable[[], bool] | None = None
) -> bool:
    """The carrier reported a failed delivery and the order was not delivered since.
    ``reported`` answers whether a ``delivery_failed`` event exists instead of a query."""
    if any(s.delivered_at or s.picked_up_at for s in order.shipments):
        return False
    if reported is not None:
        return reported()
    found = session.scalar(
        select(OrderEvent.id).where(
            OrderEvent.order_id == order.id, OrderEvent.type == "delivery_failed"
        )
    )
    return found is not None


def blocked(
    session: Session,
    order: Order,
    now: dt.datetime,
    *,
    reported: Callable[[], bool] | None = None,
    config: Callable[[], delivery_config.DeliveryConfig] | None = None,
) -> str | None:
    """Why the order's delivery can no longer change (a text key), or None. ``reported`` (see
    :func:`delivery_failed`) and ``config`` answer instead of a query, when they are needed."""
    if order.status == "cancelled" or order.cancelled_at is not None:
        return "cancelled"
    if any(s.delivered_at or s.picked_up_at for s in order.shipments):
        return "done"
    failed = delivery_failed(session, order, reported)
    if any(s.shipped_at for s in order.shipments) and not failed:
        return "shipped"
    if failed:
        return None
    hours = (config() if config else delivery_config.load(session)).change_until_hours
    start = order.promised_delivery_start or order.promised_delivery_at
    if start is not None and now > start - dt.timedelta(hours=hours):
        return "too_late"
    return None


def allowed(session: Session, order: Order, now: dt.datetime) -> None:
    reason = blocked(session, order, now)
    if reason is not None:
        raise ValidationError(f"This delivery can no longer be changed ({reason}).", field=reason)
