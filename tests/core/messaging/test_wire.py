"""``wire_bytes`` writes what ``as_bytes`` writes (same boundary given), also the second time
a shared header is written (folded once, kept); a boundary that a part contains is drawn again."""

from __future__ import annotations

import datetime as dt
import email
import random
from email.message import EmailMessage

import pytest

from core.messaging import wire
from core.messaging.email import build_email
from core.messaging.render import RenderedMessage
from core.settings import StoreSettings

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
LONG_URL = "https://shop.example/u/" + "a1B2c3" * 30


def _email(subject: str, text: str, marketing: bool) -> EmailMessage:
    rendered = RenderedMessage(
        subject=subject,
        preheader="",
        html="<p>Grüße, Ihre Bestellung über 45,00 €</p>\n" * 40,
        text=text,
        locale="de_DE",
        template_name="order_confirmation",
        category="marketing" if marketing else "transactional",
    )
    return build_email(
        rendered,
        to="anna@example.org",
        settings=StoreSettings(),
        marketing=marketing,
        unsubscribe_url=LONG_URL if marketing else None,
        message_id="<orderflow.1.e1-mail@shop.example>",
        now=NOW,
    )


@pytest.mark.parametrize("marketing", [False, True])
@pytest.mark.parametrize(
    "subject", ["Ihre Bestellung #1001", "Grüße zu Ihrer Bestellung über 45,00 € – danke! " * 3]
)
def test_wire_bytes_are_what_as_bytes_writes(subject: str, marketing: bool) -> None:
    text = "Hallo Anna,\nIhre Bestellung über 45,00 € ist unterwegs.\n" * 20
    for _ in range(3):  # the later rounds reuse the folded shared headers
        fast, plain = _email(subject, text, marketing), _email(subject, text, marketing)
        policy = fast.policy.clone(linesep="\r\n")
        written = wire.wire_bytes(fast, policy)
        plain.set_boundary(str(fast.get_boundary()))
        assert written == plain.as_bytes(policy=policy)


def test_a_boundary_found_in_a_part_is_drawn_again() -> None:
    random.seed(7)
    first = wire._boundary()
    random.seed(7)  # the same boundary is drawn first
    msg = _email("Hi", f"--{first}\nthe text holds the boundary line\n", False)
    written = wire.wire_bytes(msg, msg.policy.clone(linesep="\r\n"))
    assert msg.get_boundary() != first
    back = email.message_from_bytes(written, policy=email.policy.default)
    assert isinstance(back, EmailMessage)
    parts = list(back.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert str(parts[0].get_content()).startswith(f"--{first}")
