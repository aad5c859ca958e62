"""Signed unsubscribe links and the withdrawal they record.

API used by the engine and the public routes:

- ``unsubscribe_url(settings, message_id, customer_id) -> str``: ``{public_base_url}/u/{token}``,
  the token signed (``core.security.sign``, purpose ``unsubscribe``) over the message and the
  recipient; ``message_id`` 0 means "not tied to a message" (previews, tests).
- ``read_token(token) -> UnsubscribeToken``: AuthError when tampered or expired.
- ``unsubscribe(session, token, source) -> UnsubscribeResult``: records a ``ConsentEvent``
  (purpose marketing, granted False, ``source`` e.g. ``link`` or ``one_click``), sets
  ``Customer.unsubscribed_at`` and ``marketing_consent=False``. A second use changes nothing
  more. A tampered token raises AuthError before anything is read or written.

The link itself is the authority (it can only come from an email we sent), so these functions
take no dashboard actor; the change is audited as actor ``system``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from core import audit, security
from core.errors import AuthError, NotFound
from core.models import ConsentEvent, Customer, Message
from core.settings import StoreSettings

PURPOSE = "unsubscribe"
SOURCES = ("link", "one_click", "cli")


@dataclass(frozen=True)
class UnsubscribeToken:
    message_id: int
    customer_id: int


@dataclass(frozen=True)
class UnsubscribeResult:
    customer_id: int
    email: str | None
    already: bool
    at: dt.datetime


def make_token(message_id: int, customer_id: int) -> str:
    return security.sign(PURPOSE, {"m": int(message_id), "c": int(customer_id)})


def unsubscribe_url(settings: StoreSettings, message_id: int, customer_id: int) -> str:
    """The signed link for one message and recipient."""
    base = settings.public_base_url.rstrip("/")
    return f"{base}/u/{make_token(message_id, customer_id)}"


def read_token(token: str) -> UnsubscribeToken:
    """The message and customer a token names; AuthError when it is not one we signed."""
    payload = security.unsign(PURPOSE, token, max_age=security.LINK_MAX_AGE)
    if not isinstance(payload, dict) or not isinstance(payload.get("c"), int):
        raise AuthError("This link is not valid: it was changed or is incomplete.")
    message_id = payload.get("m")
    return UnsubscribeToken(int(message_id) if isinstance(message_id, int) else 0, payload["c"])


def customer_for(session: Session, token: str) -> Customer:
    """The customer a valid token belongs to (read only)."""
    parsed = read_token(token)
    customer = session.get(Customer, parsed.customer_id)
    if customer is None:
        raise NotFound("This subscriber no longer exists.")
    return customer


def unsubscribe(
    session: Session, token: str, source: str, now: dt.datetime | None = None
) -> UnsubscribeResult:
    """Withdraw marketing consent for the token's customer (see the module docstring)."""
    parsed = read_token(token)
    customer = session.get(Customer, parsed.customer_id)
    if customer is None:
        raise NotFound("This subscriber no longer exists.")
    at = now or dt.datetime.now(dt.UTC)
    if customer.unsubscribed_at is not None and not customer.marketing_consent:
        return UnsubscribeResult(customer.id, customer.email, True, customer.unsubscribed_at)
    message = session.get(Message, parsed.message_id) if parsed.message_id else None
    detail = f"message {message.id} ({message.template_name})" if message else None
    session.add(
        ConsentEvent(
            customer_id=customer.id,
            purpose="marketing",
            granted=False,
            source=(source if source in SOURCES else "link")[:64],
            detail=detail,
            at=at,
        )
    )
    customer.marketing_consent = False
    customer.unsubscribed_at = at
    customer.consent_source = f"unsubscribe:{source}"[:32]
    customer.consent_at = at
    audit.record(session, "system", "customer.unsubscribe", str(customer.id), {"source": source})
    session.flush()
    return UnsubscribeResult(customer.id, customer.email, False, at)
