"""The Outbox page: counts, filters, retry of failed messages, the run log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.auth import Role
from core.models import Customer, Enrolment, Message, Order, StepRun, Workflow

NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def _seed(engine: Engine) -> None:
    with Session(engine) as s:
        c = Customer(external_id="C1", email="eva@example.com")
        o = Order(
            external_id="ORD-9",
            customer=c,
            placed_at=NOW,
            placed_date=NOW.date(),
            placed_month="2025-03",
            currency="EUR",
            total=10,
        )
        wf = Workflow(name="Ask for reviews", status="active")
        s.add_all([o, wf])
        s.flush()
        e = Enrolment(
            dedupe_key="k",
            workflow_id=wf.id,
            version=1,
            customer_id=c.id,
            order_id=o.id,
            trigger="delivered",
            trigger_at=NOW,
            entered_at=NOW,
            status="completed",
        )
        s.add(e)
        s.flush()
        s.add(
            StepRun(
                enrolment_id=e.id,
                step_id="mail",
                kind="send_email",
                outcome="done",
                detail="review_request queued",
                at=NOW,
            )
        )
        base = {
            "workflow_id": wf.id,
            "enrolment_id": e.id,
            "customer_id": c.id,
            "order_id": o.id,
            "to_address": "eva@example.com",
            "due_at": NOW,
            "queued_at": NOW,
            "template_name": "review_request",
        }
        s.add_all(
            [
                Message(
                    idempotency_key="a",
                    step_id="mail",
                    state="failed",
                    last_error="550 no",
                    failed_at=NOW,
                    **base,
                ),
                Message(
                    idempotency_key="b",
                    step_id="mail2",
                    state="suppressed",
                    suppression_reason="no_consent",
                    suppressed_at=NOW,
                    **base,
                ),
            ]
        )
        s.commit()


def test_outbox_filters_retry_and_run_log(run_page, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    _seed(app_db)
    at = run_page("outbox.py")
    assert not at.exception
    assert [m.value for m in at.metric][2:] == ["1", "1"]  # suppressed, failed
    at.multiselect(key="outbox_reasons").set_value(["no_consent"]).run()
    assert list(at.dataframe[0].value["State"]) == ["suppressed"]
    at.multiselect(key="outbox_reasons").set_value([]).run()
    at.button(key="outbox_retry").click().run()
    assert not at.exception and "queued again" in at.success[0].value
    with Session(app_db) as s:
        assert s.scalar(select(Message.state).where(Message.idempotency_key == "a")) == "queued"
    at.radio(key="runlog_kind").set_value("Order").run()
    at.text_input(key="runlog_ref").set_value("ORD-9").run()
    log = at.dataframe[-1].value
    assert {"entered", "send_email", "message review_request"} <= set(log["Kind"])
    assert not at.exception


def test_manager_sees_but_cannot_retry(run_page, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    _seed(app_db)
    at = run_page("outbox.py", role=Role.MANAGER)
    assert not at.exception
    assert not [b for b in at.button if b.key == "outbox_retry"]
    # issue 11 (12): no CSV download for a role that may not export
    assert not [d for d in at.get("download_button") if d.proto.id.endswith("outbox_csv")]
    owner = run_page("outbox.py", role=Role.OWNER)
    assert [d for d in owner.get("download_button") if "outbox_csv" in d.proto.id]
    at.radio(key="runlog_kind").set_value("Customer email").run()
    at.text_input(key="runlog_ref").set_value("nobody@example.com").run()
    assert "No customer" in at.error[0].value
    assert not at.exception


def test_times_are_shown_in_the_store_time_zone(run_page, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    from core import settings as store_settings
    from core.auth import Actor

    _seed(app_db)
    with Session(app_db) as s, s.begin():
        store_settings.update_settings(s, Actor.cli(), {"timezone": "Europe/Warsaw"})
    at = run_page("outbox.py")
    columns = list(at.dataframe[0].value.columns)
    timed = [c for c in columns if c.endswith("(Europe/Warsaw)")]
    assert timed, columns  # the *_at columns say which zone their times are in
