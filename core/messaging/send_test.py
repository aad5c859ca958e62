"""Send a test of a template for an order to any address (the merchant's own inbox).

``send_test(session, actor, template_name, *, order_id, to, locale=None, settings=None,
transport=None) -> Message``: renders the template for the order's customer, builds the email
with links marked as tests that change nothing (:mod:`core.messaging.testlinks`: unsubscribe, also
in ``List-Unsubscribe``, preferences, review, referral), marks the subject ``[TEST]`` and sends it
through the configured transport (the local mailbox when no SMTP is configured). The attempt is
recorded as a ``Message`` with ``is_test=True`` (state sent or failed, with the server's reply).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from sqlalchemy.orm import Session

from core import audit
from core import settings as store_settings
from core.auth import Action, Actor, check_email, require
from core.errors import DeliveryError, NotFound
from core.messaging.email import build_email, headers_of
from core.messaging.render import render_for
from core.messaging.testlinks import link_for_test_email
from core.messaging.transport import Transport, open_transport
from core.models import Message, Order
from core.settings import StoreSettings

TEST_PREFIX = "[TEST] "


def send_test(
    session: Session,
    actor: Actor,
    template_name: str,
    *,
    order_id: int,
    to: str,
    locale: str | None = None,
    settings: StoreSettings | None = None,
    transport: Transport | None = None,
) -> Message:
    """See the module docstring. A delivery failure is recorded on the returned Message
    (``state="failed"``, ``last_error``) rather than raised, so it is kept."""
    require(actor, Action.SEND_TEST)
    to = check_email(to, field="to")
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"No order with id {order_id}.")
    settings = settings or store_settings.load(session)
    now = dt.datetime.now(dt.UTC)
    message = Message(
        idempotency_key=f"test:{uuid.uuid4().hex}",
        customer_id=order.customer_id,
        order_id=order.id,
        template_name=template_name,
        to_address=to,
        is_test=True,
        due_at=now,
        queued_at=now,
        state="sending",
        sending_at=now,
        attempts=1,
    )
    session.add(message)
    session.flush()
    rendered = render_for(
        session,
        template_name,
        customer_id=order.customer_id,
        order_id=order.id,
        locale=locale,
        extra={"message_id": message.id, "test_links": True},
    )
    rendered = replace(rendered, subject=TEST_PREFIX + rendered.subject)
    marketing = rendered.category == "marketing"
    url = link_for_test_email(settings, "unsubscribe", rendered.locale)
    email = build_email(
        rendered, to=to, settings=settings, marketing=marketing, unsubscribe_url=url
    )
    message.subject, message.html, message.text = rendered.subject, rendered.html, rendered.text
    message.locale, message.category = rendered.locale, rendered.category
    message.headers = headers_of(email)
    chosen = transport or open_transport(settings)
    message.transport = chosen.name
    audit.record(session, actor.name, "template.send_test", template_name, {"to": to})
    try:
        with chosen as active:
            message.smtp_message_id = active.send(email)
    except DeliveryError as exc:
        message.state, message.failed_at = "failed", dt.datetime.now(dt.UTC)
        message.last_error = str(exc)
        session.flush()
        return message
    message.state, message.sent_at = "sent", dt.datetime.now(dt.UTC)
    session.flush()
    return message
