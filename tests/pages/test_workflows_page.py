"""The Workflows page: the table with its period counts, CSV, create blank or from a preset,
open in the builder, and read-only roles."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.auth import Actor, Role
from core.engine import lifecycle
from core.engine.presets import PRESETS
from core.engine.schema import WorkflowDefinition
from core.models import Customer, Enrolment, Order, Workflow
from tests.pages.conftest import PageRunner

OWNER = Actor("owner@example.com", Role.OWNER)


def _seed(engine: Engine) -> int:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    with Session(engine) as s, s.begin():
        wid = lifecycle.create(s, OWNER, WorkflowDefinition(name="Thanks")).id
        c = Customer(external_id="C1", email="c1@example.com", country="DE")
        s.add(c)
        s.flush()
        o = Order(
            external_id="O1",
            customer_id=c.id,
            placed_at=now,
            placed_date=now.date(),
            placed_month=now.strftime("%Y-%m"),
            currency="EUR",
            total=50,
        )
        s.add(o)
        s.flush()
        s.add(
            Enrolment(
                dedupe_key="k",
                workflow_id=wid,
                version=1,
                customer_id=c.id,
                order_id=o.id,
                trigger="delivered",
                trigger_at=now,
                entered_at=now,
            )
        )
    return wid


def test_table_csv_and_open(run_page: PageRunner, app_db: Engine) -> None:
    wid = _seed(app_db)
    at = run_page("workflows.py")
    assert not at.exception
    table = at.dataframe[0].value
    row = table.set_index("Id").loc[str(wid)]
    assert (row["Name"], row["Status"], row["Enrolled"], row["Changed by"]) == (
        "Thanks",
        "draft",
        "1",
        OWNER.name,
    )
    assert [b.label for b in at.get("download_button")] == ["Download CSV"]
    at.button(key="workflows.open").click().run()
    assert at.query_params["id"] in (str(wid), [str(wid)])
    assert not at.exception


def test_create_from_every_preset_and_blank(run_page: PageRunner, app_db: Engine) -> None:
    at = run_page("workflows.py")
    start = at.selectbox(key="workflows.start")
    assert len(start.options) == len(PRESETS) + 1
    for name, preset in PRESETS.items():
        assert any(preset.description in option for option in start.options), name
    at.selectbox(key="workflows.start").select("review_request").run()
    at.button(key="workflows.create").click().run()
    at.selectbox(key="workflows.start").select("blank").run()
    at.text_input(key="workflows.name").input("My flow").run()
    at.button(key="workflows.create").click().run()
    assert not at.exception
    with Session(app_db) as s:
        rows = s.execute(select(Workflow.name, Workflow.preset, Workflow.status)).all()
    assert sorted(rows) == [
        ("My flow", None, "draft"),
        ("Review request", "review_request", "draft"),
    ]


def test_manager_reads_only(run_page: PageRunner, app_db: Engine) -> None:
    _seed(app_db)
    at = run_page("workflows.py", role=Role.MANAGER)
    assert not at.exception
    assert len(at.dataframe[0].value) == 1
    assert not [b for b in at.button if b.key == "workflows.create"]
    assert any("Your role can look at workflows" in c.value for c in at.caption)
