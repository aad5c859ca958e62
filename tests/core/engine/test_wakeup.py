"""A stored live event wakes a waiting worker at once (in-process on SQLite, LISTEN/NOTIFY
across connections on PostgreSQL), long before its 60-second poll."""

from __future__ import annotations

import datetime as dt
import threading
import time

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.auth import Actor
from core.engine import lifecycle, worker
from core.engine.schema import Step, Trigger, WorkflowDefinition
from core.ingest import api, receive, sources
from core.models import Message
from tests.core.engine.conftest import install_templates

BOUND = 10.0  # seconds; the worker's own poll interval is 60


def _confirming_shop(engine: Engine, now: dt.datetime) -> int:
    """An active order-confirmation workflow and an API source; the source's id."""
    install_templates(engine, ("order_confirmation",))
    with Session(engine) as s, s.begin():
        definition = WorkflowDefinition(
            name="confirm",
            triggers=[Trigger(type="order_placed")],
            steps=[Step(id="mail", type="send_email", params={"template": "order_confirmation"})],
        )
        wf = lifecycle.create(s, Actor.cli(), definition)
        lifecycle.activate(s, Actor.cli(), wf.id, now=now - dt.timedelta(minutes=1))
        source, _ = sources.add(s, Actor.cli(), "api", "erp")
        return source.id


def _placed(event_id: str, number: str, email: str, now: dt.datetime) -> api.EventBatch:
    return api.EventBatch.model_validate(
        {"events": [{"id": event_id, "type": "placed", "occurred_at": now.isoformat(),
                     "order": {"number": number, "total": "5.00",
                               "customer": {"email": email}}}]}
    )  # fmt: skip


def _wait_for_a_message(engine: Engine, started: float, why: str) -> None:
    while True:
        with Session(engine) as s:
            if s.scalar(select(Message.id)) is not None:
                return
        assert time.monotonic() - started < BOUND, why
        time.sleep(0.05)


def _worker(engine: Engine, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(
        target=worker.run_forever, args=(engine, stop), kwargs={"interval": 60}
    )
    thread.start()
    return thread


def test_stored_event_wakes_the_worker(engine: Engine) -> None:
    now = dt.datetime.now(dt.UTC)
    source_id = _confirming_shop(engine, now)
    stop = threading.Event()
    thread = _worker(engine, stop)
    try:
        started = time.monotonic()
        assert receive.receive_events(
            engine, source_id, _placed("e1", "W-1", "w@example.com", now)
        ) == (1, 0)
        if engine.dialect.name == "sqlite":
            worker.wake()  # what the route does after a stored delivery; PostgreSQL: NOTIFY
        _wait_for_a_message(engine, started, "the worker was not woken")
    finally:
        stop.set()
        worker.wake()
        thread.join(90)
    assert not thread.is_alive()


def test_sqlite_worker_notices_an_event_stored_elsewhere(sqlite_engine: Engine) -> None:
    """Another process stores an event and wakes nobody: the worker's probe for new event ids
    starts a cycle long before its poll interval (60 s here)."""
    now = dt.datetime.now(dt.UTC)
    source_id = _confirming_shop(sqlite_engine, now)
    stop = threading.Event()
    thread = _worker(sqlite_engine, stop)
    try:
        time.sleep(1.0)  # the first cycle ran and found nothing; the worker waits
        started = time.monotonic()
        batch = _placed("e2", "W-2", "x@example.com", now)
        assert receive.receive_events(sqlite_engine, source_id, batch) == (1, 0)
        _wait_for_a_message(sqlite_engine, started, "the worker did not notice the event")
    finally:
        stop.set()
        worker.wake()
        thread.join(90)
    assert not thread.is_alive()


def test_probe_reads_the_enrolment_cursor_key() -> None:
    from core.engine import enrol, wakeup

    assert wakeup.CURSOR_KEY == enrol.CURSOR_KEY
