"""GDPR: everything about a customer (export) and the right to erasure.

:func:`export_customer` gathers ``profile, orders, messages, reviews, consents, preferences,
run_log`` for every customer with an email. :func:`erase_customer` anonymises each of them
everywhere personal data lives: the customer row (email, names, time zone, tags; the external id
becomes a keyed pseudonym), the orders' address, postcode and note (amounts, dates, countries
and statuses stay, so every KPI is unchanged), message recipients, subjects and bodies (pending
messages are cancelled), reviews' comments, webhook call bodies (pending calls cancelled),
received shop webhooks (ingest log) that name the email; active enrolments exit. A keyed
tombstone (HMAC of the email and of the external id with the store's secret key) makes a later
import or shop webhook naming the person land on the anonymised row without its personal data.
The audit log refers to customers by id only, so it stays append-only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core import audit, facts, security
from core.auth import Action, Actor, require
from core.errors import NotFound
from core.models import (
    ConsentEvent,
    Customer,
    Delivery,
    Enrolment,
    Erasure,
    Message,
    Order,
    PreferenceChange,
    Review,
    StepRun,
    WebhookCall,
)

KEYS = ("profile", "orders", "messages", "reviews", "consents", "preferences", "run_log")
ERASED = "[erased]"
PENDING_MESSAGES = ("queued", "deferred", "sending")


def _hash(kind: str, value: str, key: bytes | None = None) -> str:
    key = key or security._ensure_key().encode("utf-8")
    return hmac.new(key, f"{kind}:{value.strip().lower()}".encode(), hashlib.sha256).hexdigest()


def pseudonym(external_id: str) -> str:
    """The external id an erased customer keeps (the same for the same original id)."""
    return "erased-" + _hash("pseudonym", external_id)[:40]


def erased_hashes(session: Session, kind: str, values: Iterable[str]) -> dict[str, str]:
    """Of ``values``, those with a tombstone: value -> its hash."""
    if session.scalar(select(Erasure.id).limit(1)) is None:
        return {}  # no tombstone at all: nothing to hash (an import of 1M rows hashes none)
    key = security._ensure_key().encode("utf-8")  # read once, not once per value
    hashed = {v: _hash(kind, v, key) for v in values if v}
    if not hashed:
        return {}
    found: set[str] = set()
    items = list(hashed.values())
    for start in range(0, len(items), 500):
        found |= set(
            session.scalars(
                select(Erasure.key_hash).where(Erasure.key_hash.in_(items[start : start + 500]))
            )
        )
    return {v: h for v, h in hashed.items() if h in found}


def is_erased(
    session: Session, *, email: str | None = None, external_id: str | None = None
) -> bool:
    return bool(
        (email and erased_hashes(session, "email", [email]))
        or (external_id and erased_hashes(session, "external_id", [external_id]))
    )


def _customers(session: Session, email: str) -> list[Customer]:
    found = list(
        session.scalars(
            select(Customer)
            .where(func.lower(Customer.email) == email.strip().lower())
            .order_by(Customer.id)
        )
    )
    if not found:
        raise NotFound(f"No customer with email {email!r}.", hint="Check the spelling.")
    return found


def _rows(session: Session, stmt: Any) -> list[dict[str, Any]]:
    return [
        {k: (v.isoformat() if isinstance(v, dt.datetime | dt.date) else v) for k, v in r.items()}
        for r in session.execute(stmt).mappings()
    ]


def export_customer(session: Session, actor: Actor, email: str) -> dict[str, list[dict[str, Any]]]:
    """Everything stored about the customers with ``email``, by :data:`KEYS`."""
    require(actor, Action.EXPORT_DATA)
    from core.engine.runlog import run_log

    customers = _customers(session, email)
    ids = [c.id for c in customers]
    c, o, m, r = Customer.__table__, Order.__table__, Message.__table__, Review.__table__
    out: dict[str, list[dict[str, Any]]] = {
        "profile": _rows(session, select(c).where(c.c.id.in_(ids))),
        "orders": _rows(session, select(o).where(o.c.customer_id.in_(ids))),
        "messages": _rows(
            session,
            select(
                m.c.id,
                m.c.template_name,
                m.c.to_address,
                m.c.subject,
                m.c.state,
                m.c.queued_at,
                m.c.sent_at,
                m.c.text,
            ).where(m.c.customer_id.in_(ids)),
        ),
        "reviews": _rows(session, select(r).where(r.c.customer_id.in_(ids))),
        "consents": _rows(
            session,
            select(ConsentEvent.__table__).where(ConsentEvent.__table__.c.customer_id.in_(ids)),
        ),
        "preferences": _rows(
            session,
            select(PreferenceChange.__table__).where(
                PreferenceChange.__table__.c.customer_id.in_(ids)
            ),
        ),
        "run_log": [],
    }
    for cid in ids:
        frame = run_log(session, customer_id=cid)
        for record in frame.to_dict("records"):
            out["run_log"].append(
                {
                    str(k): (v.isoformat() if hasattr(v, "isoformat") else v)
                    for k, v in record.items()
                }
            )
    audit.record(session, actor.name, "customer.export", ",".join(map(str, ids)))
    return out


@dataclass
class ErasureSummary:
    customers: list[int] = field(default_factory=list)
    messages_cancelled: int = 0
    webhooks_cancelled: int = 0
    enrolments_exited: int = 0


def _tombstone(
    session: Session, kind: str, value: str | None, customer_id: int, now: dt.datetime
) -> None:
    if not value:
        return
    key = _hash(kind, value)
    if session.scalar(select(Erasure.id).where(Erasure.key_hash == key)) is None:
        session.add(Erasure(key_hash=key, kind=kind, customer_id=customer_id, erased_at=now))


def erase_customer(
    session: Session, actor: Actor, email: str, now: dt.datetime | None = None
) -> ErasureSummary:
    """Anonymise every customer with ``email`` (see the module docstring)."""
    require(actor, Action.ERASE_CUSTOMER)
    return _erase(session, actor, _customers(session, email), now or dt.datetime.now(dt.UTC))


def _erase(
    session: Session, actor: Actor, customers: list[Customer], now: dt.datetime
) -> ErasureSummary:
    summary = ErasureSummary()
    for customer in customers:
        cid = customer.id
        email = customer.email or ""
        summary.customers.append(cid)
        _tombstone(session, "email", customer.email, cid, now)
        _tombstone(session, "external_id", customer.external_id, cid, now)
        customer.external_id = pseudonym(customer.external_id)
        customer.email = customer.first_name = customer.last_name = None
        customer.time_zone, customer.tags = None, []
        customer.marketing_consent, customer.consent_source = False, "erased"
        customer.unsubscribed_at = customer.unsubscribed_at or now
        _erase_related(session, cid, email, now, summary)
        facts.touch(session, [cid])  # orders stay (anonymised); their facts are checked again
        audit.record(session, actor.name, "customer.erase", str(cid))
    session.flush()
    return summary


def _erase_related(
    session: Session, cid: int, email: str, now: dt.datetime, summary: ErasureSummary
) -> None:
    session.execute(
        update(Order)
        .where(Order.customer_id == cid)
        .values(shipping_address=None, shipping_postcode=None, note=None),
        execution_options={"synchronize_session": False},
    )
    cancelled = session.execute(
        update(Message)
        .where(Message.customer_id == cid, Message.state.in_(PENDING_MESSAGES))
        .values(state="suppressed", suppression_reason="erased", suppressed_at=now),
        execution_options={"synchronize_session": False},
    )
    summary.messages_cancelled += int(getattr(cancelled, "rowcount", 0) or 0)
    session.execute(
        update(Message)
        .where(Message.customer_id == cid)
        .values(to_address=None, subject=ERASED, html=None, text=None, headers={}),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(Review).where(Review.customer_id == cid).values(comment=None),
        execution_options={"synchronize_session": False},
    )
    hooks = session.execute(
        update(WebhookCall)
        .where(WebhookCall.customer_id == cid, WebhookCall.state.in_(("queued", "sending")))
        .values(state="failed", last_error="customer erased", failed_at=now),
        execution_options={"synchronize_session": False},
    )
    summary.webhooks_cancelled += int(getattr(hooks, "rowcount", 0) or 0)
    session.execute(
        update(WebhookCall).where(WebhookCall.customer_id == cid).values(body="{}"),
        execution_options={"synchronize_session": False},
    )
    exited = session.execute(
        update(Enrolment)
        .where(Enrolment.customer_id == cid, Enrolment.status == "active")
        .values(status="exited", exit_reason="customer erased", completed_at=now, next_due_at=None),
        execution_options={"synchronize_session": False},
    )
    summary.enrolments_exited += int(getattr(exited, "rowcount", 0) or 0)
    needle = email.strip().lower()
    if not needle:  # nothing to look for (an empty needle would match every row)
        return
    session.execute(
        update(StepRun)
        .where(
            StepRun.enrolment_id.in_(select(Enrolment.id).where(Enrolment.customer_id == cid)),
            StepRun.detail.contains(needle),
        )
        .values(detail=ERASED),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(Delivery)
        .where(func.lower(Delivery.body).contains(needle))
        .values(body=None, changes={}),
        execution_options={"synchronize_session": False},
    )


def inactive_customers(session: Session, years: int, now: dt.datetime) -> list[Customer]:
    """Customers with personal data whose last order is ``years`` years old (without orders:
    created that long ago)."""
    cutoff = now - dt.timedelta(days=round(365.25 * years))
    last_order = (
        select(Order.customer_id, func.max(Order.placed_at).label("last"))
        .group_by(Order.customer_id)
        .subquery()
    )
    stmt = (
        select(Customer)
        .outerjoin(last_order, last_order.c.customer_id == Customer.id)
        .where(
            Customer.email.is_not(None),
            (last_order.c.last < cutoff)
            | (last_order.c.last.is_(None) & (Customer.created_at < cutoff)),
        )
        .order_by(Customer.id)
    )
    return list(session.scalars(stmt))


def apply_retention(
    session: Session, actor: Actor, now: dt.datetime | None = None, *, dry_run: bool = False
) -> list[int]:
    """Anonymise customers inactive for the ``retention_years`` setting (0: off); their ids."""
    require(actor, Action.ERASE_CUSTOMER)
    from core import settings as store_settings

    years = store_settings.load(session).retention_years
    if years <= 0:
        return []
    now = now or dt.datetime.now(dt.UTC)
    found = inactive_customers(session, years, now)
    if not dry_run and found:
        _erase(session, actor, found, now)
        audit.record(
            session, actor.name, "customer.retention", None, {"years": years, "count": len(found)}
        )
    return [c.id for c in found]
