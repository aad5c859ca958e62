"""The Builder page through its widgets (the canvas is opaque to AppTest): build the
review-request workflow, validate, save, publish, roll back and duplicate; every trigger, field,
operator, step and action of the engine's registry is offered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from core import events
from core.auth import Actor, Role
from core.builder import conditions as cond
from core.engine import lifecycle
from core.engine.registry import FIELDS, OPERATORS, STEP_TYPES, TRIGGERS
from core.engine.schema import Group, Rule, WorkflowDefinition
from core.models import Customer, Order, Workflow, WorkflowVersion
from dashboard import state
from dashboard.builder import conditions
from dashboard.builder.conditions import Slot
from dashboard.builder.state import Working
from dashboard.components.mdtext import md
from tests.pages.conftest import HOSTILE, PAGES, assert_escaped

OWNER = Actor("owner@example.com", Role.OWNER)


@pytest.fixture
def blank(app_db: Engine) -> Iterator[int]:
    """A blank workflow, the review_request template and customers in DE, AT and FR."""
    from core.messaging.library import install

    with Session(app_db) as s, s.begin():
        install(s, Actor.cli(), "review_request", ("en", "de"))
        day = dt.datetime.now(dt.UTC) - dt.timedelta(days=20)
        for i, (country, total) in enumerate((("DE", 80), ("AT", 30), ("FR", 90))):
            c = Customer(external_id=f"C{i}", email=f"c{i}@example.com", country=country)
            s.add(c)
            s.flush()
            o = Order(
                external_id=f"O{i}",
                customer_id=c.id,
                placed_at=day,
                total=total,
                placed_date=day.date(),
                placed_month=day.strftime("%Y-%m"),
                currency="EUR",
                shipping_country=country,
            )
            s.add(o)
            s.flush()
            events.record(s, [events.event_row(o.id, c.id, "delivered", day, "import")])
        wid = lifecycle.create(s, OWNER, WorkflowDefinition(name="Reviews")).id
    yield wid


def _open(wid: int, role: Role = Role.OWNER) -> AppTest:
    at = AppTest.from_file(str(PAGES / "builder.py"), default_timeout=30)
    at.session_state[state.ACTOR] = Actor(f"{role.value}@example.com", role)
    at.query_params["id"] = str(wid)
    return at.run()


def w(at: AppTest, kind: str, suffix: str) -> Any:
    """The widget of ``kind`` whose key ends with ``suffix`` (keys carry a generation)."""
    found = [x for x in getattr(at, kind) if x.key and x.key.endswith(suffix)]
    assert found, f"no {kind} ending with {suffix!r}: {[x.key for x in getattr(at, kind)]}"
    return found[-1]


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def build_review_request(at: AppTest) -> AppTest:
    w(at, "selectbox", "trigger.new").select("delivered").run()
    w(at, "button", "trigger.add_trigger").click().run()
    w(at, "button", "entry.root.add_rule").click().run()
    w(at, "selectbox", "entry.0.order.total.op").select("ge").run()
    w(at, "number_input", "entry.0.order.total.ge.amount").set_value(50.0).run()
    w(at, "button", "entry.root.add_group").click().run()
    w(at, "button", "entry.1.add_rule").click().run()
    w(at, "selectbox", "entry.1.0.field").select("order.country").run()
    w(at, "selectbox", "entry.1.0.order.country.op").select("in").run()
    w(at, "multiselect", "entry.1.0.order.country.in").select("DE").select("AT").run()
    w(at, "button", "exit.root.add_rule").click().run()
    w(at, "selectbox", "exit.0.field").select("order.refunded").run()
    w(at, "number_input", "wf.holdout").set_value(10).run()
    w(at, "selectbox", "node.trigger.add_type").select("wait").run()
    w(at, "button", "node.trigger.add").click().run()
    assert at.selectbox(key="builder.node").value == "wait_1"
    w(at, "number_input", "wait_1.days").set_value(7).run()
    w(at, "selectbox", "node.wait_1.add_type").select("send_email").run()
    w(at, "button", "node.wait_1.add").click().run()
    assert at.selectbox(key="builder.node").value == "send_email_1"
    assert md("The email step has no template. Choose a template to send.") in _errors(at)
    w(at, "selectbox", "send_email_1.template").select("review_request").run()
    return at


def _draft(engine: Engine, wid: int) -> tuple[WorkflowDefinition, Workflow]:
    with Session(engine) as s:
        wf = s.get(Workflow, wid)
        assert wf is not None
        return WorkflowDefinition.model_validate(wf.draft), wf


def test_build_validate_save_publish_rollback_duplicate(app_db: Engine, blank: int) -> None:
    at = _open(blank)
    assert md("The workflow has no trigger. Choose what starts it, e.g. 'Delivered'.") in _errors(
        at
    )
    assert w(at, "button", "publish.go").disabled
    at = build_review_request(at)
    assert not at.exception
    assert not [e for e in _errors(at) if "blocked" not in e], _errors(at)
    assert not w(at, "button", "publish.go").disabled
    at.button(key="builder.save").click().run()
    definition, wf = _draft(app_db, blank)
    assert wf.draft_revision == 2 and wf.updated_by == OWNER.name
    assert [t.type for t in definition.triggers] == ["delivered"]
    assert cond.describe(definition.entry) == (
        "Order total ≥ 50 EUR AND Shipping country is one of DE, AT"
    )
    assert cond.describe(definition.exit) == "Order refunded = yes"
    assert [(s.id, s.type, s.params) for s in definition.steps] == [
        ("wait_1", "wait", {"days": 7, "hours": 0, "minutes": 0}),
        ("send_email_1", "send_email", {"template": "review_request"}),
    ]
    assert definition.holdout_pct == 10 and definition.first_step_id() == "wait_1"
    at.button(key="builder.backtest_run").click().run()
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Trigger events"], metrics["Would enrol"]) == ("3", "1")
    w(at, "button", "publish.go").click().run()
    assert not at.exception and md("Published version 1 and activated.") in [
        s.value for s in at.success
    ]
    _, wf = _draft(app_db, blank)
    assert (wf.status, wf.published_version) == ("active", 1)
    at.selectbox(key="builder.node").set_value("trigger").run()
    w(at, "number_input", "wf.holdout").set_value(20).run()
    w(at, "radio", "publish.in_flight").set_value("move").run()
    w(at, "button", "publish.go").click().run()
    assert md("Published version 2.") in [s.value for s in at.success]
    assert at.radio(key="builder.panel").options == [
        "Backtest",
        "Simulate on an order",
        "History",
        "JSON",
    ]
    at.radio(key="builder.panel").set_value("History").run()
    history = at.dataframe[0].value
    assert list(history["version"]) == ["v2 (running)", "v1"]
    assert history.iloc[0]["changes"] == "settings: Holdout (%) 10 -> 20"
    at.selectbox(key="builder.rollback_version").select(1).run()
    at.button(key="builder.rollback").click().run()
    assert md("Published version 3, equal to version 1.") in [s.value for s in at.success]
    with Session(app_db) as s:
        defs = dict(
            s.execute(
                select(WorkflowVersion.version, WorkflowVersion.definition).where(
                    WorkflowVersion.workflow_id == blank
                )
            ).all()
        )
    assert defs[3] == defs[1] != defs[2]
    at.button(key="builder.duplicate").click().run()
    assert not at.exception
    with Session(app_db) as s:
        copy = s.scalar(select(Workflow).where(Workflow.name == "Reviews (copy)"))
        assert copy is not None and copy.status == "draft"
    assert at.query_params["id"] == [str(copy.id)] or at.query_params["id"] == str(copy.id)


def test_concurrent_save_is_refused_with_a_clear_message(app_db: Engine, blank: int) -> None:
    at = _open(blank)
    w(at, "number_input", "wf.holdout").set_value(5).run()
    with Session(app_db) as s, s.begin():
        other = Actor("merchant@example.com", Role.MERCHANT)
        lifecycle.save_draft(s, other, blank, WorkflowDefinition(name="Theirs"), 1)
    at.button(key="builder.save").click().run()
    assert any(
        md("merchant@example.com saved this workflow since you opened it") in e for e in _errors(at)
    )
    assert _draft(app_db, blank)[0].name == "Theirs"
    at.button(key="builder.discard").click().run()
    assert at.title[0].value == "Theirs" and not at.exception


def test_every_registry_entry_is_reachable(blank: int) -> None:
    at = _open(blank)
    assert w(at, "selectbox", "trigger.new").options == [str(TRIGGERS[k].label) for k in TRIGGERS]
    assert w(at, "selectbox", "node.trigger.add_type").options == [
        STEP_TYPES[k].label for k in STEP_TYPES
    ]
    w(at, "button", "entry.root.add_rule").click().run()
    field = w(at, "selectbox", "entry.0.field")
    assert len(field.options) == len(FIELDS)
    for key, spec in FIELDS.items():
        w(at, "selectbox", "entry.0.field").select(key).run()
        ops = w(at, "selectbox", f"entry.0.{key}.op")
        assert ops.options == [OPERATORS[o].label for o in spec.operators], key
    seen_kinds: set[tuple[str, str]] = set()
    for key, spec in FIELDS.items():
        for op in spec.operators:
            if (spec.kind, op) in seen_kinds:
                continue
            seen_kinds.add((spec.kind, op))
            w(at, "selectbox", "entry.0.field").select(key).run()
            w(at, "selectbox", f"entry.0.{key}.op").select(op).run()
            assert not at.exception, (key, op)
    assert {op for _, op in seen_kinds} == set(OPERATORS)
    for step_type, spec in STEP_TYPES.items():
        at.selectbox(key="builder.node").set_value("trigger").run()
        w(at, "selectbox", "node.trigger.add_type").select(step_type).run()
        w(at, "button", "node.trigger.add").click().run()
        assert not at.exception, step_type
        step_id = at.selectbox(key="builder.node").value
        labels = {
            x.label
            for kind in (
                "number_input",
                "text_input",
                "selectbox",
                "multiselect",
                "time_input",
                "toggle",
            )
            for x in getattr(at, kind)
        }
        for param in spec.params:
            if param.kind == "condition":
                assert w(at, "button", f"{step_id}.cond.root.add_rule")
            else:
                assert any(label.startswith(param.label) for label in labels), (step_type, param)


def test_structure_tools_delete_with_confirmation(blank: int) -> None:
    at = build_review_request(_open(blank))
    at.selectbox(key="builder.node").select("wait_1").run()
    w(at, "button", "node.wait_1.branch").click().run()
    branch = at.selectbox(key="builder.node").value
    assert branch == "branch_1"
    w(at, "button", f"{branch}.cond.root.add_rule").click().run()
    box = w(at, "checkbox", f"node.{branch}.confirm")
    assert (
        md("send_email_1") in box.label
        and w(at, "button", f"node.{branch}.delete_subtree").disabled
    )
    box.check().run()
    w(at, "button", f"node.{branch}.delete_subtree").click().run()
    options = at.selectbox(key="builder.node").options
    assert options[0] == "Trigger and audience" and len(options) == 2
    assert options[1].startswith("Wait") and options[1].endswith("(wait_1)")
    assert not at.exception


def test_manager_sees_the_workflow_read_only(blank: int) -> None:
    at = _open(blank, Role.MANAGER)
    assert not at.exception
    assert not [b for b in at.button if b.key == "builder.save"]
    assert all(x.disabled for x in at.text_input)
    assert "Your role can look at workflows" in at.caption[0].value


def test_json_import_and_export(app_db: Engine, blank: int) -> None:
    at = _open(blank)
    at.radio(key="builder.panel").set_value("JSON").run()
    from tests.core.builder.conftest import review_request

    at.text_area(key="builder.json_text").input(review_request().to_json()).run()
    at.button(key="builder.json_into").click().run()
    assert not at.exception and at.title[0].value == md("Review request (builder)")
    at.button(key="builder.save").click().run()
    assert _draft(app_db, blank)[0] == review_request()
    at.text_area(key="builder.json_text").input('{"name": ""}').run()
    at.button(key="builder.json_new").click().run()
    assert any(md("not a workflow") in e or md("at least 1 character") in e for e in _errors(at))


def test_known_sets_are_picked_and_an_unmatched_value_is_flagged(blank: int) -> None:
    at = _open(blank)
    w(at, "button", "entry.root.add_rule").click().run()
    w(at, "selectbox", "entry.0.field").select("order.country").run()
    w(at, "selectbox", "entry.0.order.country.op").select("in").run()
    picker = w(at, "multiselect", "entry.0.order.country.in")
    assert "Germany (DE)" in picker.options and "Japan (JP)" in picker.options  # all of ISO
    assert "Pseudo-Bidi (XB)" not in picker.options
    assert not picker.proto.accept_new_options  # no free text such as "Germany"
    picker.select("DE").run()
    assert not [x for x in at.warning if "matches no order" in x.value]
    w(at, "multiselect", "entry.0.order.country.in").select("JP").run()
    flagged = [x.value for x in at.warning if x.value.startswith("No order in the history")]
    assert flagged and md("Japan (JP)") in flagged[0] and "Germany" not in flagged[0]
    publish = _popover(at, "Publish")  # said again where the merchant publishes
    assert [x.value for x in publish.warning if "matches no order yet" in x.value] == [
        f"Who enters: {flagged[0]}"
    ]


def _popover(at: AppTest, label: str) -> Any:
    found = [b for b in at.get("popover") if b.proto.popover.label == label]
    assert found, f"no popover {label!r}"
    return found[0]


def test_node_list_label_follows_the_step(blank: int) -> None:
    at = _open(blank)
    w(at, "selectbox", "node.trigger.add_type").select("wait").run()
    w(at, "button", "node.trigger.add").click().run()
    w(at, "number_input", "wait_1.days").set_value(7).run()
    labels = list(at.selectbox(key="builder.node").options)
    assert any("7 days" in str(label) for label in labels), labels
    w(at, "number_input", "wait_1.days").set_value(3).run()
    labels = list(at.selectbox(key="builder.node").options)
    assert any("3 days" in str(label) for label in labels), labels


def test_a_hostile_workflow_name_is_shown_literally(app_db: Engine) -> None:
    with Session(app_db) as s, s.begin():
        wid = lifecycle.create(s, OWNER, WorkflowDefinition(name=HOSTILE)).id
    at = _open(wid)
    assert not at.exception
    assert_escaped(at.title[0].value)


def test_canvas_nodes_show_a_hostile_step_label_and_template_literally() -> None:
    from core.builder import graph
    from core.engine.schema import Step, Trigger
    from dashboard.builder.canvas import flow_state

    definition = WorkflowDefinition(
        name="w",
        triggers=[Trigger(type="delivered")],
        steps=[Step(id="mail", type="send_email", label=HOSTILE, params={"template": HOSTILE})],
    )
    state = flow_state(graph.canvas(definition), None)
    [node] = [n for n in state.nodes if n.id == "mail"]
    content = node.data["content"]
    assert_escaped(content.split("\n\n")[0].removeprefix("✉ "))
    assert_escaped(content.split("\n\n")[1])


def _entry_work(*items: Rule | Group) -> tuple[Working, Slot]:
    work = Working(
        1,
        WorkflowDefinition(name="w", entry=Group(mode="all", items=list(items))),
        1,
        "draft",
        None,
    )
    slot = Slot("entry", "entry", lambda d: d.entry, lambda d, n: d.model_copy(update={"entry": n}))
    return work, slot


def test_a_removed_value_input_called_again_keeps_the_comparison_picked() -> None:
    """Issue 14: Streamlit calls the callback of a widget a run removed when the browser's next
    request still carries its value; the "=" value input then stored "= AT" over "is one of"."""
    drawn = Rule(field="order.country", op="eq", value="AT")
    work, slot = _entry_work(drawn)
    _, _, value_changed = conditions._rule_edits(work, slot, (0,), drawn, "k", "k.op")
    picked = Rule(field="order.country", op="in", value=[])
    work.edit(work.definition.model_copy(update={"entry": Group(mode="all", items=[picked])}))
    value_changed("AT")  # the value it was drawn with
    value_changed("DE")  # a value for a comparison the rule no longer has
    assert cond.at(cond.as_group(work.definition.entry), (0,)) == picked
    _, _, value_changed = conditions._rule_edits(work, slot, (0,), picked, "k", "k.op")
    value_changed(["DE"])  # a real edit of the rule as drawn
    assert cond.at(cond.as_group(work.definition.entry), (0,)).value == ["DE"]


def test_a_button_of_a_replaced_layout_leaves_other_conditions_alone() -> None:
    first, second = (
        Rule(field="order.total", op="eq", value=1),
        Rule(field="order.total", op="eq", value=2),
    )
    work, slot = _entry_work(first, second)
    remove_second = conditions._structural(work, slot, (1,), second, lambda g: cond.remove(g, (1,)))
    conditions._structural(work, slot, (0,), first, lambda g: cond.remove(g, (0,)))()
    remove_second()  # drawn before the first was removed: (1,) no longer exists
    assert cond.as_group(work.definition.entry).items == [second]
    work.edit(work.definition, structural=True)
    remove_again = conditions._structural(work, slot, (0,), second, lambda g: cond.remove(g, (0,)))
    work.edit(work.definition, structural=True)  # renumbered, the same rule still at (0,)
    remove_again()
    assert work.definition.entry is None
