"""Receive one verified delivery: deduplicate, map, apply, log, all in one transaction.

``receive_webhook`` is called after the signature was checked. A delivery already processed
(same source and webhook id) answers ``duplicate`` and changes nothing; an unhandled topic is
logged ``ignored``; a body that cannot be read raises :class:`PayloadError` (nothing stored
but a ``rejected`` line in the log); a processing failure (an update for an order not received
yet, a database error) rolls everything back and logs the delivery ``failed`` with its body, so
it can be replayed from Settings. Rejections are logged without the body, and only the last
``REJECTED_KEPT`` per source are kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.auth import Action, Actor, require
from core.engine import wakeup
from core.errors import NotFound, OrderflowError
from core.ingest import api, shopify, woocommerce
from core.ingest.apply import RefundTooLarge, UnknownOrder, apply_order
from core.ingest.normal import OrderIn, PayloadError
from core.models import Delivery, Source

log = logging.getLogger(__name__)
REJECTED_KEPT = 100
Mapper = Callable[[str, Mapping[str, Any]], OrderIn]
MAPPERS: dict[str, tuple[Callable[[str], bool], Mapper]] = {
    "shopify": (shopify.handled, shopify.parse),
    "woocommerce": (woocommerce.handled, woocommerce.parse),
}


@dataclass
class Receipt:
    status: str  # stored | duplicate | ignored | failed
    delivery_id: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def body_key(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()[:56]


def parse_json(body: bytes) -> Mapping[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise PayloadError("The body is not UTF-8 text.", field="body") from None
    except ValueError as exc:
        raise PayloadError(f"The body is not JSON: {exc}.", field="body") from None
    if not isinstance(data, Mapping):
        raise PayloadError("The body must be a JSON object.", field="body")
    return data


class MappingError(PayloadError):
    """A verified body the platform mapper could not read (a field of an unexpected shape)."""


def map_body(mapper: Mapper, topic: str, body: bytes) -> OrderIn:
    """``body`` mapped to an order; any failure to read it is a :class:`PayloadError` naming the
    topic (answered 400 and logged), never an unhandled error."""
    data = parse_json(body)
    try:
        return mapper(topic, data)
    except PayloadError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("%s payload could not be mapped: %s", topic, type(exc).__name__)
        raise MappingError(
            f"The {topic} payload has a field of an unexpected shape ({type(exc).__name__}).",
            field="body",
        ) from None


def _duplicate(session: Session, source_id: int, key: str) -> bool:
    found = session.scalar(
        select(Delivery.id).where(Delivery.source_id == source_id, Delivery.delivery_key == key)
    )
    return found is not None


def _process(session: Session, source: Source, topic: str, body: bytes) -> dict[str, Any]:
    _, mapper = MAPPERS[source.kind]
    order = map_body(mapper, topic, body)
    changes = apply_order(session, order, source.kind)
    store_settings.bump_data_version(session)
    wakeup.announce(session)
    return changes


def receive_webhook(
    engine: Engine,
    source_id: int,
    topic: str,
    webhook_id: str | None,
    body: bytes,
    now: dt.datetime | None = None,
) -> Receipt:
    """Process a verified webhook delivery of a shop source (see the module docstring)."""
    now = now or now_utc()
    key = (webhook_id or "").strip()[:160] or body_key(body)
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            receipt = _receive(session, source_id, topic, key, body, now)
    except IntegrityError:
        return Receipt("duplicate")  # the same delivery, processed concurrently: rolled back
    if receipt.status == "stored":
        changed(engine)
    return receipt


def _receive(
    session: Session, source_id: int, topic: str, key: str, body: bytes, now: dt.datetime
) -> Receipt:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound("The source was removed.")
    if _duplicate(session, source_id, key):
        return Receipt("duplicate")
    handled, mapper = MAPPERS[source.kind]
    source.last_received_at = now
    row = Delivery(
        source_id=source_id,
        received_at=now,
        topic=topic[:64],
        webhook_id=key,
        delivery_key=key,
        verified=True,
        status="ignored",
        changes={},
    )
    session.add(row)
    if not handled(topic):
        return _finish(session, row, now)
    order = map_body(mapper, topic, body)  # PayloadError: rolled back, answered 400
    try:
        with session.begin_nested():
            row.changes = apply_order(session, order, source.kind, now)
    except (UnknownOrder, OrderflowError, SQLAlchemyError) as exc:
        row.status, row.delivery_key, row.reason = "failed", None, _why(exc)
        row.body = body.decode("utf-8")
        return _finish(session, row, now)
    row.status = "stored"
    return _finish(session, row, now)


def changed(engine: Engine) -> None:
    """After a delivery committed: a new data version for the dashboards' caches and, on
    PostgreSQL, a NOTIFY for the workers. A short transaction of its own, so concurrent
    deliveries do not queue on the version row for the length of their own transactions."""
    with Session(engine) as session, session.begin():
        store_settings.bump_data_version(session)
        wakeup.announce(session)


def _why(exc: Exception) -> str:
    if isinstance(exc, SQLAlchemyError):
        log.warning("delivery failed in the database: %s", type(exc).__name__)
        return "the database refused the change; replay it once the cause is fixed"
    return str(exc)


def _finish(session: Session, row: Delivery, now: dt.datetime) -> Receipt:
    row.processed_at = now
    session.flush()
    return Receipt(row.status, row.id, dict(row.changes), row.reason)


def log_rejection(
    engine: Engine, source_id: int, topic: str, webhook_id: str | None, reason: str
) -> None:
    """Log a delivery refused before processing (bad signature, unreadable body), without its
    body; only the last ``REJECTED_KEPT`` per source are kept."""
    with Session(engine) as session, session.begin():
        session.add(
            Delivery(
                source_id=source_id,
                received_at=now_utc(),
                topic=topic[:64],
                webhook_id=(webhook_id or "")[:160] or None,
                verified=False,
                status="rejected",
                reason=reason[:500],
                changes={},
            )
        )
        session.flush()
        keep = (
            select(Delivery.id)
            .where(Delivery.source_id == source_id, Delivery.status == "rejected")
            .order_by(Delivery.id.desc())
            .limit(REJECTED_KEPT)
        )
        session.execute(
            delete(Delivery).where(
                Delivery.source_id == source_id,
                Delivery.status == "rejected",
                Delivery.id.not_in(keep.scalar_subquery()),
            )
        )


def receive_events(
    engine: Engine, source_id: int, batch: api.EventBatch, now: dt.datetime | None = None
) -> tuple[int, int]:
    """Apply an API batch in one transaction: (accepted, duplicates). Raises PayloadError
    naming the event when one cannot be applied; then nothing is stored."""
    now = now or now_utc()
    accepted = duplicates = 0
    with Session(engine, expire_on_commit=False) as session, session.begin():
        source = session.get(Source, source_id)
        if source is None:
            raise NotFound("The source was removed.")
        source.last_received_at = now
        seen: set[str] = set()
        for index, event in enumerate(batch.events):
            if event.id in seen or _duplicate(session, source_id, event.id):
                duplicates += 1
                continue
            seen.add(event.id)
            try:
                changes = apply_order(session, api.to_order(event), "api", now)
            except UnknownOrder as exc:
                raise PayloadError(
                    f"events[{index}] (id {event.id}): {exc}; send its placed event first "
                    "or give order.placed_at.",
                    field=f"events[{index}].order.number",
                ) from None
            except RefundTooLarge as exc:
                raise PayloadError(
                    f"events[{index}] (id {event.id}): {exc}; send the amount actually refunded.",
                    field=f"events[{index}].amount",
                ) from None
            session.add(
                Delivery(
                    source_id=source_id,
                    received_at=now,
                    topic=event.type,
                    webhook_id=event.id,
                    delivery_key=event.id,
                    verified=True,
                    status="stored",
                    changes=changes,
                    processed_at=now,
                )
            )
            accepted += 1
    if accepted:
        changed(engine)
    return accepted, duplicates


def replay(engine: Engine, actor: Actor, delivery_id: int) -> Receipt:
    """Process a ``failed`` delivery again from its kept body (Settings' replay button)."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        require(actor, Action.MANAGE_SOURCES)
        row = session.get(Delivery, delivery_id)
        if row is None or row.status != "failed" or row.body is None or row.source_id is None:
            raise NotFound("Only a failed delivery with its body can be replayed.")
        source = session.get(Source, row.source_id)
        assert source is not None
        key = row.webhook_id
        if key and _duplicate(session, source.id, key):
            row.status, row.reason, row.body = "replayed", "already received again", None
            return Receipt("duplicate", row.id)
        try:
            with session.begin_nested():
                row.changes = _process(session, source, row.topic, row.body.encode("utf-8"))
        except (UnknownOrder, OrderflowError, SQLAlchemyError) as exc:
            row.reason = _why(exc)
            return Receipt("failed", row.id, reason=row.reason)
        row.status, row.delivery_key, row.body = "stored", key, None
        row.reason = f"replayed by {actor.name}"
        row.processed_at = now_utc()
        return Receipt("stored", row.id, dict(row.changes))


def recent(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    """The last deliveries, newest first, for the Settings page."""
    rows = session.execute(
        select(Delivery, Source.name)
        .join(Source, Source.id == Delivery.source_id)
        .order_by(Delivery.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "id": d.id,
            "received": d.received_at,
            "source": name,
            "topic": d.topic,
            "verified": "yes" if d.verified else f"no: {d.reason or ''}",
            "status": d.status,
            "changed": _describe(d.changes),
            "reason": d.reason or "",
        }
        for d, name in rows
    ]


def _describe(changes: Mapping[str, Any]) -> str:
    if not changes:
        return ""
    parts = [str(changes.get("order", ""))]
    if changes.get("created"):
        parts.append("new order")
    if changes.get("events"):
        parts.append("events: " + ", ".join(changes["events"]))
    if changes.get("consent"):
        parts.append(f"consent {changes['consent']}")
    if changes.get("stale"):
        parts.append("older than stored, not applied")
    if changes.get("skipped"):
        parts.extend(str(x) for x in changes["skipped"])
    return "; ".join(p for p in parts if p)
