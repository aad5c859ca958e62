"""Webhook steps (issue 11, defects 3, 4, 5): the call is queued with the step and sent by the
worker outside any transaction, through core.outbound (private addresses refused unless the
owner allowed the host); failures are retried with backoff and logged without remote details;
each step signs with its own secret, kept out of the definition, shown once and rotatable."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from core import config, db, security
from core.engine import lifecycle, webhooks, worker
from core.engine.schema import Step, Trigger, WorkflowDefinition
from core.errors import WorkflowError
from core.models import Enrolment, Setting, StepRun, WebhookCall, WebhookSecret, Workflow
from tests.core.engine.conftest import CLI, START, Shop


class _Receiver(BaseHTTPRequestHandler):
    engine: Engine | None = None
    status = 200
    received: list[tuple[dict[str, str], bytes]] = []
    writes: list[str] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.received.append((dict(self.headers), body))
        if _Receiver.engine is not None:
            _Receiver.writes.append(_write_while_called(_Receiver.engine))
        answer = b'{"error": "stack trace from 10.0.0.7 db-internal"}'
        self.send_response(_Receiver.status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        return None


def _write_while_called(engine: Engine) -> str:
    """What an unsubscribe would meet while the webhook is being called: it must not wait
    for the worker (no write transaction, no row lock is held during the call)."""
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout = 300")
            else:
                conn.exec_driver_sql("SET lock_timeout = '300ms'")
            conn.execute(text("UPDATE enrolments SET claimed_by = claimed_by"))
            conn.execute(text("UPDATE customers SET tags = tags"))
            conn.commit()
        return "ok"
    except Exception as exc:  # the test reports what the write met
        return type(exc).__name__


@pytest.fixture
def receiver() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received, _Receiver.writes, _Receiver.status = [], [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    _Receiver.engine = None


def _allow(shop: Shop, hosts: str) -> None:
    with shop.session() as s:
        s.merge(Setting(key="outbound_allowed_hosts", value=hosts, updated_at=START))
        s.commit()


def _hook_workflow(shop: Shop, url: str, **params: Any) -> int:
    definition = WorkflowDefinition(
        name="hook",
        triggers=[Trigger(type="order_placed")],
        steps=[Step(id="hook", type="webhook", params={"url": url, **params})],
    )
    return shop.workflow(definition).id


def _log(shop: Shop) -> list[tuple[str, str, str]]:
    with shop.session() as s:
        return [
            (r.kind, r.outcome, r.detail or "")
            for r in s.scalars(
                select(StepRun).where(StepRun.step_id == "hook").order_by(StepRun.id)
            )
        ]


def _assert_not_stored_in_clear(engine: Engine, *plain: str) -> None:
    """No column of ``webhook_secrets`` holds a secret; each row decrypts to one of them."""
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text("SELECT * FROM webhook_secrets"))]
        stored = list(conn.execute(text("SELECT secret_encrypted FROM webhook_secrets")).scalars())
    assert rows and not [r for r in rows for p in plain if any(p in str(v) for v in r)]
    assert {security.decrypt_secret(s) for s in stored} <= set(plain)


def test_call_runs_outside_any_transaction_signed_with_the_steps_secret(
    shop: Shop, receiver: HTTPServer
) -> None:
    _allow(shop, "127.0.0.1")
    _Receiver.engine = shop.engine
    wf_id = _hook_workflow(shop, f"http://127.0.0.1:{receiver.server_port}/hook")
    with shop.session() as s:
        secret = webhooks.reveal(s, wf_id, "hook")  # what the Builder shows once
        s.commit()
    assert secret is not None and secret.startswith("whsec_")
    _assert_not_stored_in_clear(shop.engine, secret)
    order = shop.order(shop.customer("anna"))
    stats = worker.run_once(shop.engine, clock=shop.clock)
    assert stats.webhooks == {"claimed": 1, "sent": 1, "retried": 0, "failed": 0}
    assert _Receiver.writes == ["ok"]  # another writer went through during the call
    headers, body = _Receiver.received[0]
    with shop.session() as s:
        key = f"e{s.scalars(select(Enrolment.id)).one()}:hook"
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Orderflow-Signature"] == expected
    assert headers["X-Orderflow-Idempotency-Key"] == key
    master = str(config.get_secret(config.ENV_SECRET_KEY))
    assert expected != "sha256=" + hmac.new(master.encode(), body, hashlib.sha256).hexdigest()
    assert json.loads(body)["order_id"] == order.id
    assert _log(shop) == [
        ("webhook", "done", "webhook call queued"),
        ("webhook", "done", "webhook answered 200"),
    ]
    worker.run_once(shop.engine, clock=shop.clock)
    assert len(_Receiver.received) == 1  # sent once
    with shop.session() as s:
        exported = lifecycle.export_json(s, CLI, wf_id)
    assert secret not in exported and "secret" not in exported


def test_private_address_refused_at_save_and_after_dns_at_send(shop: Shop) -> None:
    with pytest.raises(WorkflowError, match="not allowed"):
        _hook_workflow(shop, "http://169.254.169.254/latest/meta-data/")
    _hook_workflow(shop, "http://localhost:5432/")  # a name: checked after resolving it
    shop.order(shop.customer("anna"))
    stats = worker.run_once(shop.engine, clock=shop.clock)
    assert stats.webhooks["failed"] == 1
    _kind, outcome, detail = _log(shop)[-1]
    assert outcome == "failed" and "not allowed" in detail and "127.0.0.1" not in detail


def test_failures_retried_with_backoff_then_failed_without_remote_details(
    shop: Shop, receiver: HTTPServer
) -> None:
    _allow(shop, f"127.0.0.1:{receiver.server_port}")
    _Receiver.status = 503
    _hook_workflow(shop, f"http://127.0.0.1:{receiver.server_port}/hook")
    shop.order(shop.customer("anna"))
    worker.run_once(shop.engine, clock=shop.clock)
    shop.clock.advance(minutes=1)
    worker.run_once(shop.engine, clock=shop.clock)
    assert len(_Receiver.received) == 1  # the retry waits 2 minutes
    shop.clock.advance(minutes=2)
    worker.run_once(shop.engine, clock=shop.clock)
    shop.clock.advance(minutes=4)
    worker.run_once(shop.engine, clock=shop.clock)
    shop.clock.advance(minutes=30)
    worker.run_once(shop.engine, clock=shop.clock)
    assert len(_Receiver.received) == 3
    with shop.session() as s:
        call = s.scalars(select(WebhookCall)).one()
    assert call.state == "failed" and call.attempts == 3 and call.status_code == 503
    details = [d for _, _, d in _log(shop)]
    assert details[-1] == "webhook failed after 3 attempts: HTTP 503"
    assert not any("10.0.0.7" in d or "stack trace" in d for d in details)


def test_client_error_is_not_retried(shop: Shop, receiver: HTTPServer) -> None:
    _allow(shop, "127.0.0.1")
    _Receiver.status = 404
    _hook_workflow(shop, f"http://127.0.0.1:{receiver.server_port}/hook")
    shop.order(shop.customer("anna"))
    worker.run_once(shop.engine, clock=shop.clock)
    with shop.session() as s:
        assert s.scalars(select(WebhookCall.state)).one() == "failed"


def test_secret_shown_once_rotatable_and_legacy_secret_moved_out(
    shop: Shop, receiver: HTTPServer
) -> None:
    _allow(shop, "127.0.0.1")
    url = f"http://127.0.0.1:{receiver.server_port}/hook"
    wf_id = _hook_workflow(shop, url, secret="legacy-s3")  # as older exports carried it
    with shop.session() as s:
        assert "legacy-s3" not in lifecycle.export_json(s, CLI, wf_id)
        assert webhooks.reveal(s, wf_id, "hook") is None  # its owner knows it already
        new = webhooks.rotate_secret(s, wf_id, "hook")
        s.commit()
    assert new.startswith("whsec_") and new != "legacy-s3"
    _assert_not_stored_in_clear(shop.engine, new)
    shop.order(shop.customer("anna"))
    worker.run_once(shop.engine, clock=shop.clock)
    headers, body = _Receiver.received[0]
    expected = "sha256=" + hmac.new(new.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Orderflow-Signature"] == expected
    other = _hook_workflow(shop, url)
    with shop.session() as s:
        first = webhooks.reveal(s, other, "hook")
        second = webhooks.reveal(s, other, "hook")
    assert first is not None and first.startswith("whsec_") and second is None


def test_a_secret_unreadable_with_the_current_key_is_replaced_and_shown_once(
    shop: Shop, receiver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _allow(shop, "127.0.0.1")
    wf_id = _hook_workflow(shop, f"http://127.0.0.1:{receiver.server_port}/hook")
    with shop.session() as s:
        old = webhooks.reveal(s, wf_id, "hook")
        row = s.scalars(select(WebhookSecret)).one()
        current = str(config.get_secret(config.ENV_SECRET_KEY))
        monkeypatch.setenv(config.ENV_SECRET_KEY, "an-older-secret-key-0123456789-abcdef")
        row.secret_encrypted = security.encrypt_secret("whsec_old")  # under a key since changed
        monkeypatch.setenv(config.ENV_SECRET_KEY, current)
        s.commit()
    shop.order(shop.customer("anna"))
    stats = worker.run_once(shop.engine, clock=shop.clock)
    assert stats.webhooks["sent"] == 1
    headers, body = _Receiver.received[0]
    with shop.session() as s:
        new = webhooks.reveal(s, wf_id, "hook")  # the Builder shows the new one once
        s.commit()
    assert new is not None and new not in (old, "whsec_old")
    expected = "sha256=" + hmac.new(new.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Orderflow-Signature"] == expected
    _assert_not_stored_in_clear(shop.engine, new)


def test_cli_shows_the_secret_once_and_rotates(
    use_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy.orm import Session as OrmSession

    from core.cli import main

    definition = WorkflowDefinition(
        name="hook",
        triggers=[Trigger(type="order_placed")],
        steps=[Step(id="hook", type="webhook", params={"url": "https://hooks.example/x"})],
    )
    with OrmSession(use_database) as s, s.begin():
        wf_id = lifecycle.create(s, CLI, definition).id
    assert main(["workflow", "webhook-secret", str(wf_id), "hook"]) == 0
    first = capsys.readouterr().out.strip()
    assert first.startswith("whsec_")
    assert main(["workflow", "webhook-secret", str(wf_id), "hook"]) == 0
    assert "shown already" in capsys.readouterr().out
    assert main(["workflow", "webhook-secret", str(wf_id), "hook", "--rotate"]) == 0
    rotated = capsys.readouterr().out.strip()
    assert rotated.startswith("whsec_") and rotated != first
    assert main(["workflow", "export", str(wf_id)]) == 0
    assert "whsec_" not in capsys.readouterr().out
    assert main(["workflow", "webhook-secret", str(wf_id), "nope"]) == 1


def test_migration_encrypts_existing_secrets_and_the_downgrade_decrypts_them(
    engine: Engine,
) -> None:
    db.downgrade(engine, "0013")
    with Session(engine) as s, s.begin():
        wf = Workflow(name="w", draft={})
        s.add(wf)
        s.flush()
        conn = s.connection()
        conn.execute(text(
            "INSERT INTO webhook_secrets (workflow_id, step_id, secret, created_at)"
            " VALUES (:wf, 'hook', 'whsec_old_clear_secret', :now)"
        ), {"wf": wf.id, "now": START})  # fmt: skip
    db.migrate(engine)
    _assert_not_stored_in_clear(engine, "whsec_old_clear_secret")
    db.downgrade(engine, "0013")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT secret FROM webhook_secrets")).scalar_one() == (
            "whsec_old_clear_secret"
        )
    db.migrate(engine)
