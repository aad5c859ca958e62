"""Build the MIME message of a rendered template with the standard library's ``email`` package.

``build_email(rendered, *, to, settings, marketing, unsubscribe_url, message_id=None)``
returns a ``multipart/alternative`` message (text first, then HTML) with ``From`` (sender name
and address from the settings), ``Reply-To`` when set, ``Date``, a ``Message-ID`` (made with
``email.utils.make_msgid`` unless given) and, on marketing messages, ``List-Unsubscribe`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058).

Bodies are always content: nothing here ever opens a file, so a body that happens to equal a
path on the server is sent as that text (unlike yagmail's ``contents``).
"""

from __future__ import annotations

import datetime as dt
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from core.errors import ValidationError
from core.messaging.headers import CachedHeaderRegistry
from core.messaging.render import RenderedMessage
from core.settings import StoreSettings

ONE_CLICK = "List-Unsubscribe=One-Click"
POLICY = policy.SMTP.clone(max_line_length=998, header_factory=CachedHeaderRegistry())
"""CRLF line ends, and long unbreakable values (the List-Unsubscribe URL) kept verbatim instead
of being turned into RFC 2047 encoded words that mail clients would not read as a URL."""


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1] if "@" in address else "orderflow.local"


def new_message_id(settings: StoreSettings) -> str:
    return make_msgid(domain=_domain(settings.sender_email))


def _single_line(value: str) -> str:
    return " ".join(value.split())


def build_email(
    rendered: RenderedMessage,
    *,
    to: str,
    settings: StoreSettings,
    marketing: bool,
    unsubscribe_url: str | None,
    message_id: str | None = None,
    now: dt.datetime | None = None,
) -> EmailMessage:
    """The message to hand to a transport (see the module docstring)."""
    if not to or "@" not in to:
        raise ValidationError(f"{to!r} is not an email address.", field="to")
    if marketing and not unsubscribe_url:
        raise ValidationError(
            "A marketing message needs an unsubscribe link.", field="unsubscribe_url"
        )
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = _single_line(rendered.subject)
    msg["From"] = formataddr((_single_line(settings.sender_name), settings.sender_email))
    try:
        msg["To"] = Address(addr_spec=to.strip())
    except (ValueError, IndexError) as exc:
        raise ValidationError(f"{to!r} is not an email address.", field="to") from exc
    if settings.reply_to:
        msg["Reply-To"] = settings.reply_to
    msg["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
    msg["Message-ID"] = message_id or new_message_id(settings)
    if rendered.template_name:
        msg["X-Orderflow-Template"] = rendered.template_name
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        if marketing:
            msg["List-Unsubscribe-Post"] = ONE_CLICK
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    msg["Content-Language"] = rendered.locale.replace("_", "-")
    return msg


def headers_of(msg: EmailMessage) -> dict[str, str]:
    """The top-level headers as a plain dict (stored on the Message row)."""
    return {key: str(value) for key, value in msg.items() if key != "Content-Type"}
