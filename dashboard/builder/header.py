"""Which workflow the builder shows (``?id=`` or the picker) and its title line."""

from __future__ import annotations

import streamlit as st

from core.auth import Actor
from core.builder import overview
from dashboard import resources
from dashboard.builder import state as builder_state
from dashboard.builder.links import link
from dashboard.builder.state import Working
from dashboard.components.mdtext import md

PICKER = "builder.workflow"
STATUS_BADGES = {
    "draft": ("Draft", "gray"),
    "active": ("Active", "green"),
    "paused": ("Paused", "orange"),
    "archived": ("Archived", "gray"),
}


def _chosen_id(choices: list[tuple[int, str, str]]) -> int | None:
    ids = [wid for wid, _, _ in choices]
    raw = st.query_params.get("id")
    wanted = int(raw) if raw and str(raw).isdigit() and int(raw) in ids else None
    if wanted is not None and st.session_state.get(PICKER) != wanted:
        st.session_state[PICKER] = wanted
    if st.session_state.get(PICKER) not in ids:
        st.session_state[PICKER] = ids[0] if ids else None
    # labels must not change with the status: the selectbox keeps its choice by label
    labels = {wid: f"{name} (#{wid})" for wid, name, _ in choices}
    chosen = st.selectbox(
        "Workflow", ids, key=PICKER, format_func=labels.__getitem__, on_change=_sync_query
    )
    if chosen is not None and st.query_params.get("id") != str(chosen):
        st.query_params["id"] = str(chosen)
    return chosen


def _sync_query() -> None:
    st.query_params["id"] = str(st.session_state[PICKER])


def _load(actor: Actor, workflow_id: int) -> Working:
    with resources.session() as s:
        info = overview.load_workflow(s, actor, workflow_id)
    work = builder_state.working(workflow_id)
    if work is None:
        work = Working(info.id, info.definition, info.revision, info.status, info.published_version)
    elif not work.dirty and work.revision != info.revision:
        work.replace(info.definition, info.revision)
    work.status, work.published_version = info.status, info.published_version
    work.extra["updated"] = (info.updated_at, info.updated_by)
    return builder_state.keep(work)


def open_workflow(actor: Actor) -> Working | None:
    """The working copy of the chosen workflow, after drawing the title; None if there is none."""
    with resources.session() as s:
        choices = overview.workflow_choices(s, actor)
    if not choices:
        st.title("Builder")
        st.info(
            "There is no workflow yet: create one on the Workflows page.", icon=":material/info:"
        )
        link("workflows", "Go to Workflows", ":material/account_tree:")
        return None
    top, pick = st.columns([3, 2], vertical_alignment="bottom")
    with pick:
        workflow_id = _chosen_id(choices)
    if workflow_id is None:
        return None
    work = _load(actor, workflow_id)
    label, color = STATUS_BADGES.get(work.status, (work.status, "gray"))
    with top:
        st.title(md(work.definition.name), anchor=False)
    version = (
        f"published v{work.published_version}" if work.published_version else "never published"
    )
    updated_at, updated_by = work.extra.get("updated", (None, None))
    when = (
        f" · saved {updated_at:%Y-%m-%d %H:%M} UTC by {md(updated_by)}"
        if updated_at and updated_by
        else ""
    )
    unsaved = " · :orange-badge[Unsaved changes]" if work.dirty else ""
    st.markdown(
        f":{color}-badge[{label}] · {version} · draft revision {work.revision}{when}{unsaved}"
    )
    return work
