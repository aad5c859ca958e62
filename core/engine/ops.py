"""Operator actions outside a workflow's definition: raising an order event by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from core import audit, events, orderstate
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
    *,
    ref: str = "",
    amount: Decimal | None = None,
) -> tuple[Order, orderstate.Applied]:
    """Apply ``event_type`` to an order (by id or number) now or at ``at`` through
    :func:`core.orderstate.apply_event`; the worker enrols on it like any imported event. An
    event already logged under the same key changes nothing (``Applied.created`` is False)."""
    require(actor, Action.RAISE_EVENTS)
    events.check_type(event_type)
    order = find_order(session, order_ref)
    moment = at or dt.datetime.now(dt.UTC)
    applied = orderstate.apply_event(
        session, order, event_type, moment, source=source, ref=ref, amount=amount
    )
    if not applied.created:
        return order, applied
    store_settings.bump_data_version(session)
    detail: dict[str, str] = {"type": event_type, "at": moment.isoformat()}
    if ref:
        detail["ref"] = ref
    if event_type == "refunded":
        detail["amount"] = str(applied.event.payload.get("amount"))
    audit.record(session, actor.name, "event.raise", order.external_id, detail)
    return order, applied
