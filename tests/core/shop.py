"""Small builders for post-purchase tests: orders placed at a given moment."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from core.models import Customer, Order
from tests.core.messaging.conftest import add_order


def order_at(
    session: Session, customer: Customer, number: str, at: dt.datetime, **kw: object
) -> Order:
    """``add_order`` placed at ``at`` (its local date columns follow)."""
    order = add_order(session, customer, number, **kw)
    order.placed_at = at
    order.placed_date = at.date()
    order.placed_month = at.strftime("%Y-%m")
    session.flush()
    return order
