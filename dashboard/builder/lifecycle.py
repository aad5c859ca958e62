"""Save draft, publish (with the choice for customers already in the workflow), activate,
pause, resume, duplicate, archive and discard, for the workflow open in the builder."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.auth import Action, Actor
from core.engine import lifecycle
from core.engine.validate import Problem
from core.errors import ConflictError, OrderflowError
from dashboard import resources
from dashboard.builder import state as builder_state
from dashboard.builder.header import PICKER
from dashboard.builder.state import Working
from dashboard.builder.values import unmatched_conditions
from dashboard.components.feedback import show_error
from dashboard.components.mdtext import md

FLASH = "builder.flash"
IN_FLIGHT_LABELS = {
    "finish": "Let them finish on the version they started",
    "move": "Move them to the new version (at the step with the same id; nothing is resent)",
    "exit": "Take them out of the workflow",
}


def flash(text: str) -> None:
    """A message kept until the merchant changes the workflow again (not for a few seconds: the
    runs the canvas asks for, or a slow machine, would hide it before it was read)."""
    st.session_state[FLASH] = text


def _save(s: Session, actor: Actor, work: Working) -> None:
    if work.dirty:
        wf = lifecycle.save_draft(s, actor, work.workflow_id, work.definition, work.revision)
        work.revision = wf.draft_revision


def run_action(work: Working, action: Callable[[Session], str]) -> None:
    """Run ``action`` in one transaction; reload the workflow and say what happened."""
    try:
        with resources.session() as s, s.begin():
            message = action(s)
    except ConflictError as exc:
        show_error(exc)
        st.session_state[f"{FLASH}.conflict"] = True
        return
    except OrderflowError as exc:
        show_error(exc)
        return
    work.dirty = False
    builder_state.forget(work.workflow_id)
    flash(message)
    st.rerun()


def _publish(actor: Actor, work: Working, blocking: Sequence[Problem]) -> None:
    key = work.key("publish")
    if blocking:
        st.error(
            f"Publishing is blocked: fix the {len(blocking)} problem(s) shown on the canvas "
            "and in the node editors first.",
            icon=":material/block:",
        )
    for text in unmatched_conditions(work.definition):
        st.warning(text, icon=":material/search_off:")
    in_flight = "finish"
    if work.published_version:
        in_flight = st.radio(
            "Customers already in the workflow",
            list(IN_FLIGHT_LABELS),
            format_func=IN_FLIGHT_LABELS.__getitem__,
            key=f"{key}.in_flight",
        )
    note = st.text_input("Note for the history (optional)", key=f"{key}.note")
    activate = work.status == "draft" and st.checkbox(
        "Activate now: start enrolling from new events", value=True, key=f"{key}.activate"
    )
    base_url = resources.settings().public_base_url
    if activate and store_settings.points_at_localhost(base_url):
        st.warning(
            store_settings.LOCAL_URL_WARNING.format(url=md(base_url)), icon=":material/link_off:"
        )
    if st.button(
        "Publish version",
        type="primary",
        key=f"{key}.go",
        disabled=bool(blocking),
        icon=":material/rocket_launch:",
    ):

        def act(s: Session) -> str:
            _save(s, actor, work)
            version = lifecycle.publish(s, actor, work.workflow_id, in_flight, note=note)
            if activate:
                lifecycle.activate(s, actor, work.workflow_id)
            return f"Published version {version.version}" + (" and activated." if activate else ".")

        run_action(work, act)


def _duplicate(actor: Actor, work: Working) -> None:
    try:
        with resources.session() as s, s.begin():
            _save(s, actor, work)
            copy = lifecycle.duplicate(s, actor, work.workflow_id)
            new_id, name = copy.id, copy.name
    except OrderflowError as exc:
        show_error(exc)
        return
    flash(f"Created '{name}' as a draft; you are editing the copy now.")
    st.query_params["id"] = str(new_id)
    st.session_state.pop(PICKER, None)
    st.rerun()


def lifecycle_bar(actor: Actor, work: Working, problems: Sequence[Problem], readonly: bool) -> None:
    """The row of lifecycle buttons (read-only roles see none)."""
    text = st.session_state.get(FLASH)
    if text and work.dirty:
        st.session_state.pop(FLASH, None)  # an edit since: the message is about an older state
    elif isinstance(text, str) and text:
        st.success(md(text), icon=":material/check_circle:")
    if readonly:
        return
    blocking = [p for p in problems if p.severity == "error"]
    can_publish = actor.can(Action.PUBLISH_WORKFLOWS)
    bar = st.container(horizontal=True, gap="small")
    cols = [bar] * 6
    if cols[0].button(
        "Save draft",
        key="builder.save",
        type="primary",
        disabled=not work.dirty,
        icon=":material/save:",
    ):

        def save(s: Session) -> str:
            _save(s, actor, work)
            return "Draft saved."

        run_action(work, save)
    with cols[1].popover(
        "Publish",
        icon=":material/rocket_launch:",
        disabled=not can_publish,
    ):
        _publish(actor, work, blocking)
    status_action = {"active": ("Pause", lifecycle.pause), "paused": ("Resume", lifecycle.resume)}
    if work.status in status_action:
        label, fn = status_action[work.status]
        if cols[2].button(
            label,
            key="builder.pause_resume",
            disabled=not can_publish,
            icon=":material/pause:" if label == "Pause" else ":material/play_arrow:",
        ):
            run_action(work, lambda s: (fn(s, actor, work.workflow_id), f"{label}d.")[1])
    if cols[3].button("Duplicate", key="builder.duplicate", icon=":material/content_copy:"):
        _duplicate(actor, work)
    with cols[4].popover(
        "Archive",
        icon=":material/archive:",
        disabled=not can_publish or work.status == "archived",
    ):
        st.write("Archiving stops the workflow for good; customers in it leave.")
        if st.button("Archive this workflow", key="builder.archive"):
            run_action(
                work, lambda s: (lifecycle.archive(s, actor, work.workflow_id), "Archived.")[1]
            )
    if cols[5].button(
        "Discard changes",
        key="builder.discard",
        disabled=not work.dirty,
        icon=":material/undo:",
        help="Reload the saved draft.",
    ):
        builder_state.forget(work.workflow_id)
        st.rerun()
    if st.session_state.pop(f"{FLASH}.conflict", False):
        st.info("Use 'Discard changes' to load the newer draft, then apply your edits again.")
