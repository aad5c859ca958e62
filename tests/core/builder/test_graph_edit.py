"""Canvas graph, layout and the structural edit operations."""

from __future__ import annotations

import pytest

from core.builder import edit, graph
from core.engine import validate
from core.engine.schema import Step, WorkflowDefinition, rule
from core.errors import NotFound, ValidationError
from tests.core.builder.conftest import review_request


def _blank() -> WorkflowDefinition:
    return WorkflowDefinition(name="t")


def test_canvas_draws_trigger_steps_and_labelled_edges() -> None:
    d = review_request()
    d, branch = edit.insert_branch(d, "wait_1", "next")
    c = graph.canvas(d, {"wait_1": ["boom"]})
    ids = [n.id for n in c.nodes]
    assert ids[:4] == ["trigger", "wait_1", "send_email_1", branch]
    assert c.node("wait_1").problems == ("boom",)  # type: ignore[union-attr]
    labels = {(e.source, e.target): e.label for e in c.edges}
    assert labels[(branch, "send_email_1")] == "yes"
    end = f"{graph.END_PREFIX}{branch}:alt_next"
    assert labels[(branch, end)] == "no" and c.node(end).kind == "end"  # type: ignore[union-attr]
    trigger = c.node("trigger")
    assert trigger is not None and trigger.detail == "Delivered"
    ys = {n.id: n.y for n in c.nodes}
    assert ys["trigger"] < ys["wait_1"] < ys[branch] < ys["send_email_1"]


def test_layout_keeps_nodes_apart_and_marks_unreachable() -> None:
    d = review_request()
    d = d.model_copy(update={"steps": [*d.steps, Step(id="lost", type="add_tag")]})
    c = graph.canvas(d)
    spots = {(n.x, n.y) for n in c.nodes}
    assert len(spots) == len(c.nodes)
    assert c.node("lost").reachable is False  # type: ignore[union-attr]


def test_add_step_after_trigger_step_and_each_branch_output() -> None:
    d, first = edit.add_step(_blank(), graph.TRIGGER_ID, "start", "wait")
    assert d.first_step_id() == first == "wait_1"
    d, email = edit.add_step(d, first, "next", "send_email")
    d, br = edit.add_step(d, first, "next", "branch")
    assert d.step(first).next == br and d.step(br).next == email  # type: ignore[union-attr]
    d, tag = edit.add_step(d, br, "alt_next", "add_tag")
    assert d.step(br).alt_next == tag  # type: ignore[union-attr]
    d, split = edit.add_step(d, tag, "next", "split")
    assert [p.name for p in d.step(split).paths] == ["A", "B"]  # type: ignore[union-attr]
    d, coupon = edit.add_step(d, split, "paths.1", "issue_coupon")
    assert d.step(split).paths[1].next == coupon  # type: ignore[union-attr]
    assert d.step(coupon).params["prefix"] == "THANKS"  # type: ignore[union-attr]
    assert len({s.id for s in d.steps}) == len(d.steps) == 6
    with pytest.raises(ValidationError):
        edit.add_step(d, first, "alt_next", "wait")
    with pytest.raises(ValidationError):
        edit.add_step(d, first, "next", "teleport")


def test_delete_step_reconnects_and_subtree_removes_only_owned_steps() -> None:
    d = review_request()
    d, br = edit.insert_branch(d, "wait_1", "next")
    d, tag = edit.add_step(d, br, "alt_next", "add_tag")
    assert graph.subtree(d, br) == [br, "send_email_1", tag]
    gone = edit.delete_subtree(d, br)
    assert [s.id for s in gone.steps] == ["wait_1"] and gone.step("wait_1").next is None  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        edit.delete_step(d, br)  # two used paths: needs the subtree delete
    single = edit.delete_step(d, "wait_1")
    assert single.first_step_id() == br
    whole = edit.delete_subtree(review_request(), "wait_1")
    assert whole.steps == [] and whole.start is None
    with pytest.raises(NotFound):
        edit.delete_step(d, "nope")


def test_move_step_detaches_and_reattaches() -> None:
    d = review_request()
    d, tag = edit.add_step(d, "send_email_1", "next", "add_tag")
    moved = edit.move_step(d, tag, graph.TRIGGER_ID, "start")
    assert graph.reachable(moved) == [tag, "wait_1", "send_email_1"]
    assert moved.step("send_email_1").next is None  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        edit.move_step(d, "wait_1", "send_email_1", "next")  # below itself
    assert [p.message for p in validate.errors(validate.validate(moved))] == ["The tag is missing."]


def test_split_paths_and_triggers() -> None:
    d, split = edit.add_step(_blank(), graph.TRIGGER_ID, "start", "split")
    d = edit.add_path(d, split)
    assert [p.name for p in d.step(split).paths] == ["A", "B", "C"]  # type: ignore[union-attr]
    d, tag = edit.add_step(d, split, "paths.2", "add_tag")
    d = edit.remove_path(d, split, 2)
    assert d.step(tag) is None and len(d.step(split).paths) == 2  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        edit.remove_path(d, split, 0)
    d = edit.add_trigger(d, "nth_order")
    assert d.triggers[0].params == {"n": 2}
    with pytest.raises(ValidationError):
        edit.add_trigger(d, "nth_order")
    d = edit.set_trigger_params(d, 0, {"n": 3})
    assert d.triggers[0].params["n"] == 3
    assert edit.remove_trigger(d, 0).triggers == []


def test_update_step_validates_and_problem_nodes() -> None:
    d = edit.update_step(review_request(), "wait_1", label="A week", params={"days": 7})
    assert d.step("wait_1").label == "A week"  # type: ignore[union-attr]
    d = edit.update_step(d, "wait_1", condition=rule("order.total", "gt", 1))
    assert d.step("wait_1").condition is not None  # type: ignore[union-attr]
    assert graph.problem_node("s1", "") == "s1"
    assert graph.problem_node(None, "entry.0.1") == graph.TRIGGER_ID
    assert graph.problem_node(None, "steps.ask.condition.0") == "ask"
