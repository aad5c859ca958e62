"""Operator actions outside a workflow's definition: raising an order event by hand."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from core import audit, events
from core import settings as store_settings
from core.auth import Action, Actor, require
from core.engine.runlog import find_order
from core.models import Order


def raise_event(
    session: Session,
    actor: Actor,
    order_ref: str,
    event_type: str,
    at: dt.datetime | None = None,
    source: str = "cli",
) -> Order:
    """Log ``event_type`` for an order (by id or number) now or at ``at``; the worker enrols
    on it like any imported event. A second event of the same type for the order is ignored."""
    require(actor, Action.RAISE_EVENTS)
    events.check_type(event_type)
    order = find_order(session, order_ref)
    moment = at or dt.datetime.now(dt.UTC)
    events.record(
        session, [events.event_row(order.id, order.customer_id, event_type, moment, source)]
    )
    store_settings.bump_data_version(session)
    audit.record(
        session,
        actor.name,
        "event.raise",
        order.external_id,
        {"type": event_type, "at": moment.isoformat()},
    )
    return order
