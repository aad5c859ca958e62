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


def test_stored_event_wakes_the_worker(engine: Engine) -> None:
    install_templates(engine, ("order_confirmation",))
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as s, s.begin():
        definition = WorkflowDefinition(
            name="confirm",
            triggers=[Trigger(type="order_placed")],
            steps=[Step(id="mail", type="send_email", params={"template": "order_confirmation"})],
        )
        wf = lifecycle.create(s, Actor.cli(), definition)
        lifecycle.activate(s, Actor.cli(), wf.id, now=now - dt.timedelta(minutes=1))
        source, _ = sources.add(s, Actor.cli(), "api", "erp")
        source_id = source.id
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_forever, args=(engine, stop), kwargs={"interval": 60}
    )
    thread.start()
    try:
        batch = api.EventBatch.model_validate(
            {"events": [{"id": "e1", "type": "placed", "occurred_at": now.isoformat(),
                         "order": {"number": "W-1", "total": "5.00",
                                   "customer": {"email": "w@example.com"}}}]}
        )  # fmt: skip
        started = time.monotonic()
        assert receive.receive_events(engine, source_id, batch) == (1, 0)
        if engine.dialect.name == "sqlite":
            worker.wake()  # what the route does after a stored delivery; PostgreSQL: NOTIFY
        while True:
            with Session(engine) as s:
                if s.scalar(select(Message.id)) is not None:
                    break
            assert time.monotonic() - started < BOUND, "the worker was not woken"
            time.sleep(0.05)
    finally:
        stop.set()
        worker.wake()
        thread.join(90)
    assert not thread.is_alive()


def test_sqlite_worker_notices_an_event_stored_elsewhere(sqlite_engine: Engine) -> None:
    """Another process stores an event and wakes nobody: the worker's probe for new event ids
    starts a cycle long before its poll interval (60 s here)."""
    install_templates(sqlite_engine, ("order_confirmation",))
    now = dt.datetime.now(dt.UTC)
    with Session(sqlite_engine) as s, s.begin():
        definition = WorkflowDefinition(
            name="confirm",
            triggers=[Trigger(type="order_placed")],
            steps=[Step(id="mail", type="send_email", params={"template": "order_confirmation"})],
        )
        wf = lifecycle.create(s, Actor.cli(), definition)
        lifecycle.activate(s, Actor.cli(), wf.id, now=now - dt.timedelta(minutes=1))
        source, _ = sources.add(s, Actor.cli(), "api", "erp")
        source_id = source.id
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_forever, args=(sqlite_engine, stop), kwargs={"interval": 60}
    )
    thread.start()
    try:
        time.sleep(1.0)  # the first cycle ran and found nothing; the worker waits
        batch = api.EventBatch.model_validate(
            {"events": [{"id": "e2", "type": "placed", "occurred_at": now.isoformat(),
                         "order": {"number": "W-2", "total": "5.00",
                                   "customer": {"email": "x@example.com"}}}]}
        )  # fmt: skip
        started = time.monotonic()
        assert receive.receive_events(sqlite_engine, source_id, batch) == (1, 0)
        while True:
            with Session(sqlite_engine) as s:
                if s.scalar(select(Message.id)) is not None:
                    break
            assert time.monotonic() - started < BOUND, "the worker did not notice the event"
            time.sleep(0.05)
    finally:
        stop.set()
        worker.wake()
        thread.join(90)
    assert not thread.is_alive()
