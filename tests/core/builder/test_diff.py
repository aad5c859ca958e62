"""Readable diffs between versions, matched by stable step ids."""

from __future__ import annotations

from core.builder import edit
from core.builder.diff import diff, diff_lines
from core.engine.schema import rule
from tests.core.builder.conftest import review_request


def test_diff_reads_like_sentences() -> None:
    old = review_request()
    new = edit.update_step(old, "wait_1", params={"days": 10})
    new = new.model_copy(update={"holdout_pct": 20, "exit": rule("order.cancelled", "eq", True)})
    new, tag = edit.add_step(new, "send_email_1", "next", "add_tag")
    new = edit.add_trigger(new, "picked_up")
    lines = diff_lines(old, new)
    assert "settings: Holdout (%) 10 -> 20" in lines
    assert "step wait_1: 'Wait 7 days' -> 'Wait 10 days'" in lines
    assert f"step {tag}: Add a customer tag: Add tag: (no tag)" in lines
    assert "trigger: Picked up" in lines
    assert any(
        line.startswith("conditions: Exit conditions: 'Order refunded = yes'") for line in lines
    )
    assert any(line.startswith("step send_email_1: paths") for line in lines)
    assert {c.kind for c in diff(old, new)} == {"changed", "added"}


def test_same_behaviour_and_first_version() -> None:
    d = review_request()
    assert diff_lines(d, d.model_copy(deep=True)) == ["no change in behaviour"]
    assert diff_lines(None, d) == ["first version"]
    removed = edit.delete_step(d, "send_email_1")
    assert "step send_email_1: Send email: Send email: review_request" in diff_lines(d, removed)
