"""MIME structure, headers and both parts, through a real SMTP server (aiosmtpd on loopback);
delivery failures classified; a body equal to a file path is sent as text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from core.auth import Actor, Role
from core.errors import ConfigError, DeliveryError, PermissionDenied
from core.messaging import library
from core.messaging.email import build_email
from core.messaging.render import RenderedMessage, render_for
from core.messaging.send_test import send_test
from core.messaging.templates import create_template, save_translation
from core.messaging.transport import MailboxTransport, SmtpTransport, open_transport, smtp_config
from core.messaging.unsubscribe import unsubscribe_url
from core.models import Message
from core.settings import StoreSettings, load
from tests.core.messaging.conftest import Shop
from tests.smtp_server import LocalSmtp

SETTINGS = StoreSettings(
    name="Shop",
    sender_name="Alpen Outfitters",
    sender_email="hello@shop.example",
    reply_to="care@shop.example",
    public_base_url="https://shop.example",
)


def _rendered(
    text: str = "Hello Anna\n", html: str = "<html><body><p>Hello Anna</p></body></html>"
) -> RenderedMessage:
    return RenderedMessage(
        subject="Your order",
        preheader="",
        html=html,
        text=text,
        locale="de_DE",
        template_name="shipped",
        category="marketing",
    )


def test_marketing_email_has_both_parts_and_rfc8058_headers(smtp_server: LocalSmtp) -> None:
    url = unsubscribe_url(SETTINGS, 12, 34)
    msg = build_email(
        _rendered(), to="anna@example.org", settings=SETTINGS, marketing=True, unsubscribe_url=url
    )
    with open_transport(SETTINGS) as transport:
        assert transport.name == "smtp"
        message_id = transport.send(msg)
    [got] = smtp_server.messages
    assert got.get_content_type() == "multipart/alternative"
    parts = list(got.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert parts[0].get_content().strip() == "Hello Anna"
    assert "<p>Hello Anna</p>" in parts[1].get_content()
    assert got["Message-ID"] == message_id and message_id.endswith("@shop.example>")
    assert got["From"] == "Alpen Outfitters <hello@shop.example>"
    assert got["Reply-To"] == "care@shop.example"
    assert got["To"] == "anna@example.org"
    assert got["List-Unsubscribe"] == f"<{url}>"
    assert f"List-Unsubscribe: <{url}>\r\n".encode() in smtp_server.envelopes[0].original_content
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert got["Content-Language"] == "de-DE"
    assert smtp_server.envelopes[0].mail_from == "hello@shop.example"


def test_transactional_email_has_no_one_click_header() -> None:
    msg = build_email(
        _rendered(), to="a@example.org", settings=SETTINGS, marketing=False, unsubscribe_url=None
    )
    assert msg["List-Unsubscribe-Post"] is None and msg["List-Unsubscribe"] is None


def test_a_body_naming_an_existing_file_is_sent_as_text(
    smtp_server: LocalSmtp, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET CONTENT")
    rendered = _rendered(text=str(secret), html=str(secret))
    with open_transport(SETTINGS) as transport:
        transport.send(
            build_email(
                rendered,
                to="a@example.org",
                settings=SETTINGS,
                marketing=False,
                unsubscribe_url=None,
            )
        )
    [got] = smtp_server.messages
    raw = got.as_string()
    assert "TOP SECRET CONTENT" not in raw
    assert not any(part.get_filename() for part in got.walk())
    assert str(secret) in got.get_body(("plain",)).get_content()
    assert str(secret) in got.get_body(("html",)).get_content()


def test_template_whose_body_is_a_path_renders_that_path(
    session: Session, shop: Shop, smtp_server: LocalSmtp
) -> None:
    path = str(Path(__file__))
    create_template(session, Actor.cli(), "pathy", "transactional")
    save_translation(
        session, Actor.cli(), "pathy", "en", subject="x", preheader=None, html=path, text=None
    )
    order = shop.orders["en_IE"]
    message = send_test(session, Actor.cli(), "pathy", order_id=order.id, to="me@example.org")
    assert message.state == "sent" and message.is_test
    [got] = smtp_server.messages
    assert "import pytest" not in got.as_string()
    assert path in got.get_body(("plain",)).get_content()


def test_one_connection_serves_a_batch(smtp_server: LocalSmtp) -> None:
    with open_transport(SETTINGS) as transport:
        ids = {
            transport.send(
                build_email(
                    _rendered(),
                    to=f"c{i}@example.org",
                    settings=SETTINGS,
                    marketing=False,
                    unsubscribe_url=None,
                )
            )
            for i in range(5)
        }
    assert len(ids) == 5 and len(smtp_server.messages) == 5


def test_4xx_is_temporary_then_the_next_send_succeeds(
    smtp_server_factory: Callable[..., LocalSmtp],
) -> None:
    server = smtp_server_factory(["451 4.3.0 Try again later"])
    msg = build_email(
        _rendered(), to="a@example.org", settings=SETTINGS, marketing=False, unsubscribe_url=None
    )
    with open_transport(SETTINGS) as transport:
        with pytest.raises(DeliveryError) as info:
            transport.send(msg)
        assert not info.value.permanent and info.value.code == 451
        transport.send(msg)
    assert server.attempts == 2 and len(server.messages) == 1


def test_5xx_is_permanent_with_the_server_reply(
    smtp_server_factory: Callable[..., LocalSmtp],
) -> None:
    smtp_server_factory(["550 5.1.1 No such user here"])
    msg = build_email(
        _rendered(), to="a@example.org", settings=SETTINGS, marketing=False, unsubscribe_url=None
    )
    with open_transport(SETTINGS) as transport, pytest.raises(DeliveryError) as info:
        transport.send(msg)
    assert info.value.permanent and info.value.code == 550
    assert "No such user here" in str(info.value)


def test_connection_refused_is_temporary(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.smtp_server import free_port

    monkeypatch.setenv("ORDERFLOW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ORDERFLOW_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("ORDERFLOW_SMTP_SECURITY", "none")
    with pytest.raises(DeliveryError) as info, open_transport(SETTINGS):
        pass
    assert not info.value.permanent


def test_config_without_host_uses_the_mailbox_and_user_needs_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert smtp_config() is None
    assert isinstance(open_transport(SETTINGS), MailboxTransport)
    monkeypatch.setenv("ORDERFLOW_SMTP_HOST", "smtp.example")
    config = smtp_config()
    assert config is not None and config.port == 587 and config.user is None
    assert isinstance(open_transport(SETTINGS), SmtpTransport)
    assert isinstance(open_transport(SETTINGS, force_mailbox=True), MailboxTransport)
    monkeypatch.setenv("ORDERFLOW_SMTP_USER", "shop")
    with pytest.raises(ConfigError):
        smtp_config()
    monkeypatch.setenv("ORDERFLOW_SMTP_SECURITY", "tls-ish")
    monkeypatch.setenv("ORDERFLOW_SMTP_PASSWORD", "pw")
    with pytest.raises(ConfigError):
        smtp_config()


def test_send_test_goes_to_the_mailbox_without_smtp(session: Session, shop: Shop) -> None:
    library.ensure_library(session, Actor.cli())
    order = shop.orders["sv_SE"]
    message = send_test(
        session, Actor.cli(), "review_request", order_id=order.id, to="me@example.org"
    )
    stored = session.get(Message, message.id)
    assert stored is not None and stored.transport == "mailbox" and stored.state == "sent"
    assert stored.is_test and stored.subject and stored.subject.startswith("[TEST] ")
    assert stored.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Hej Anna" in (stored.text or "")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ANALYST])
def test_send_test_needs_the_role(session: Session, shop: Shop, role: Role) -> None:
    with pytest.raises(PermissionDenied):
        send_test(
            session,
            Actor("x@example.com", role),
            "review_request",
            order_id=shop.orders["en_IE"].id,
            to="me@example.org",
        )


def test_rendered_library_message_through_smtp(
    session: Session, shop: Shop, smtp_server: LocalSmtp
) -> None:
    library.ensure_library(session, Actor.cli())
    order = shop.orders["de_DE"]
    rendered = render_for(session, "shipped", customer_id=order.customer_id, order_id=order.id)
    msg = build_email(
        rendered,
        to="anna@example.org",
        settings=load(session),
        marketing=False,
        unsubscribe_url=None,
    )
    with open_transport(load(session)) as transport:
        transport.send(msg)
    [got] = smtp_server.messages
    assert got["Subject"] == "Ihre Bestellung 1010 ist unterwegs"
    assert "Sendung verfolgen (https://track.example/1)" in got.get_body(("plain",)).get_content()
