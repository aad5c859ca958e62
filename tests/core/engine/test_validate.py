"""Validation messages a merchant understands, each naming its step or condition path; the
registry is complete and self-describing; definitions round-trip through JSON."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from core.engine import registry, steps, validate
from core.engine.presets import PRESETS
from core.engine.schema import SplitPath, Step, Trigger, WorkflowDefinition, all_of, rule
from core.errors import WorkflowError

TRIG = [Trigger(type="delivered")]


def _messages(d: WorkflowDefinition, session: Session | None = None) -> list[str]:
    return [str(p) for p in validate.validate(d, session)]


def test_contradictions_unknown_fields_and_types() -> None:
    d = WorkflowDefinition(
        name="x",
        triggers=TRIG,
        entry=all_of(
            rule("order.total", "gt", 100),
            rule("order.total", "lt", 50),
            rule("order.country", "in", ["DE"]),
            rule("order.country", "eq", "FR"),
            rule("order.totl", "eq", 1),
            rule("customer.order_count", "ge", "many"),
        ),
        steps=[Step(id="tag", type="add_tag", params={"tag": "a"})],
    )
    found = _messages(d)
    assert any("Order total > 100 and < 50 can never all be true" in m for m in found)
    assert any("Shipping country is one of ['DE'] and = FR" in m for m in found)
    assert "entry.4: Unknown field 'order.totl'. Pick a field from the list." in found
    assert any(
        m.startswith("entry.5: Customer's number of orders: 'many' is not a number") for m in found
    )


def test_graph_problems() -> None:
    d = WorkflowDefinition(
        name="x",
        triggers=TRIG,
        steps=[
            Step(id="a", type="send_email", next="b"),
            Step(id="b", type="wait_event", params={"event": "delivered"}, next="a"),
            Step(id="c", type="branch", condition=rule("order.total", "gt", 1)),
            Step(id="d", type="split", paths=[SplitPath(name="A", weight=0, next="a")]),
            Step(id="e", type="add_tag", params={"tag": "x"}, next="ghost"),
        ],
    )
    found = _messages(d)
    assert "step 'a': The email step has no template. Choose a template to send." in found
    assert any(m.startswith("step 'b': Missing timeout path") for m in found)
    assert any(m.startswith("step 'b': Cycle: this step leads back to 'a'") for m in found)
    assert any(m.startswith("step 'c': Both paths of the branch are empty") for m in found)
    assert any(m.startswith("step 'c': This step is unreachable") for m in found)
    assert "step 'd': A split needs at least two paths." in found
    assert any("Leads to a step 'ghost' that does not exist" in m for m in found)


def test_unreachable_branch_path_and_empty_workflow() -> None:
    d = WorkflowDefinition(
        name="x",
        triggers=[],
        steps=[
            Step(
                id="b",
                type="branch",
                condition=all_of(rule("order.total", "gt", 9), rule("order.total", "lt", 2)),
                next=None,
                alt_next=None,
            )
        ],
    )
    found = _messages(d)
    assert any("'yes' path is unreachable" in m for m in found)
    assert any("The workflow has no trigger" in m for m in found)
    empty = WorkflowDefinition(name="y", triggers=TRIG)
    assert any("has no steps" in m for m in _messages(empty))


def test_unknown_template_needs_the_database(session: Session) -> None:
    d = WorkflowDefinition(
        name="x",
        triggers=TRIG,
        steps=[Step(id="m", type="send_email", params={"template": "nope"})],
    )
    assert "step 'm': Unknown template 'nope'." in " ".join(_messages(d, session))
    with pytest.raises(WorkflowError) as caught:
        validate.check(d, session)
    assert caught.value.problems and "nope" in str(caught.value)


def test_schema_errors_from_json() -> None:
    problems = validate.validate('{"name": "x", "steps": [{"id": "bad id!", "type": "wait"}]}')
    assert problems and problems[0].path.startswith("steps.0.id")
    assert validate.validate("{not json")[0].severity == "error"


def test_presets_valid_and_json_round_trip() -> None:
    for name, preset in PRESETS.items():
        d = preset.build()
        assert validate.errors(validate.validate(d)) == [], name
        assert WorkflowDefinition.from_json(d.to_json()) == d
        assert preset.description
    templates = {t for p in PRESETS.values() for t in p.build().template_names()}
    assert templates == {
        "order_confirmation",
        "shipped",
        "out_for_delivery",
        "ready_for_pickup",
        "delivery_delayed",
        "review_request",
        "review_reminder",
        "referral_invitation",
        "thank_you_coupon",
        "win_back",
        "order_cancelled",
        "refund_issued",
    }


def test_registry_complete_and_self_describing(session: Session) -> None:
    assert set(registry.STEP_TYPES) == set(steps.HANDLERS) == set(validate.STEP_CHECKS)
    assert set(registry.ACTIONS) <= set(registry.STEP_TYPES)
    for spec in registry.FIELDS.values():
        assert spec.label and spec.kind in registry.KINDS
        assert set(spec.operators) <= set(registry.OPERATORS)
        if spec.choices_source:
            assert spec.choices_source in registry.CHOICE_SOURCES
    for source in registry.CHOICE_SOURCES:
        assert isinstance(registry.choice_values(session, source), list)
    assert set(registry.TRIGGERS) >= {
        "order_placed",
        "nth_order",
        "no_order_for_days",
        "delivery_promise_missed",
        "first_order",
    }
    described = json.loads(json.dumps(registry.describe()))
    assert described["fields"]["order.total"]["kind"] == "money"


def test_marketing_presets_keep_a_tenth_out_and_zero_warns(session: Session) -> None:
    from core.auth import Actor, Role
    from core.messaging import library

    library.ensure_library(session, Actor("owner@example.com", Role.OWNER))
    marketing = {"review_request", "referral_invitation", "second_order_thank_you", "win_back"}
    for name, preset in PRESETS.items():
        d = preset.build()
        assert d.holdout_pct == (10 if name in marketing else 0), name
        assert not any(p.path == "holdout_pct" for p in validate.validate(d, session)), name
    zero = PRESETS["win_back"].build().model_copy(update={"holdout_pct": 0})
    warned = [p for p in validate.validate(zero, session) if p.path == "holdout_pct"]
    assert [(p.severity, p.message) for p in warned] == [("warning", validate.NO_HOLDOUT)]
    validate.check(zero, session)  # a warning: the merchant may still publish with 0
