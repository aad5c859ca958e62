"""Reports of customers' delivery changes to the URL the merchant set: queued in the change's
transaction as a ``webhook_calls`` row (step ``delivery_report``), sent later by the worker
through :mod:`core.outbound` outside any transaction, signed with the delivery report secret
(``X-Orderflow-Signature: sha256=<HMAC of the body>``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from core.delivery import config as delivery_config
from core.engine.sqlutil import insert_ignore
from core.engine.webhooks import DELIVERY_REPORT_STEP
from core.models import Order, WebhookCall

STEP = DELIVERY_REPORT_STEP


def body(order: Order, event: str, ref: str, payload: dict[str, Any], now: dt.datetime) -> bytes:
    data = {
        "event": event,
        "ref": ref,
        "occurred_at": now.isoformat(),
        "order": {"id": order.external_id, "number": order.number},
        **payload,
    }
    return json.dumps(data, sort_keys=True).encode()


def queue(
    session: Session, order: Order, event: str, ref: str, payload: dict[str, Any], now: dt.datetime
) -> bool:
    """Queue the report when the merchant set a URL; False when there is none."""
    url = delivery_config.load(session).report_url
    if not url:
        return False
    row = {
        "idempotency_key": f"delivery:{order.id}:{event}:{ref}",
        "workflow_id": None,
        "enrolment_id": None,
        "step_id": STEP,
        "customer_id": order.customer_id,
        "url": url,
        "body": body(order, event, ref, payload, now).decode(),
        "state": "queued",
        "attempts": 0,
        "is_demo": order.is_demo,
        "due_at": now,
        "queued_at": now,
    }
    insert_ignore(session, WebhookCall, [row], ["idempotency_key"])
    return True
