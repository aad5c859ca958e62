"""History: published versions with author, time and a readable diff; unpublished changes of
the draft; rollback to any earlier version."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from core.auth import Action, Actor
from core.builder import versions
from dashboard import resources
from dashboard.builder.lifecycle import IN_FLIGHT_LABELS, run_action
from dashboard.builder.state import Working
from dashboard.components.mdtext import md


def history_panel(actor: Actor, work: Working, readonly: bool) -> None:
    currency = resources.settings().currency
    with resources.session() as s:
        rows = versions.history(s, actor, work.workflow_id, currency)
        pending = versions.unpublished_changes(
            s, actor, work.workflow_id, work.definition, currency
        )
    if pending:
        st.markdown("**Not published yet** (draft" + (", unsaved" if work.dirty else "") + "):")
        st.markdown("\n".join(f"- {md(line)}" for line in pending))
    if not rows:
        st.info("No version is published yet.", icon=":material/history:")
        return
    frame = pd.DataFrame(
        [
            {
                "version": f"v{r.version}" + (" (running)" if r.published else ""),
                "published at (UTC)": r.created_at.strftime("%Y-%m-%d %H:%M"),
                "by": r.created_by,
                "note": r.note,
                "changes": "; ".join(r.changes),
            }
            for r in rows
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch", key="builder.history_table")
    older = [r.version for r in rows if not r.published]
    if readonly or not actor.can(Action.PUBLISH_WORKFLOWS) or not older:
        return
    st.markdown("##### Roll back")
    pick, choice = st.columns(2)
    target = pick.selectbox(
        "Version to restore", older, format_func=lambda v: f"v{v}", key="builder.rollback_version"
    )
    in_flight = choice.selectbox(
        "Customers already in the workflow",
        list(IN_FLIGHT_LABELS),
        format_func=IN_FLIGHT_LABELS.__getitem__,
        key="builder.rollback_in_flight",
    )
    st.caption(
        "Rolling back publishes a new version equal to the chosen one; the draft becomes "
        "that version too (unsaved edits are dropped)."
    )
    if st.button(f"Roll back to v{target}", key="builder.rollback", icon=":material/restore:"):

        def act(s: Session) -> str:
            new = versions.rollback(s, actor, work.workflow_id, int(target), in_flight)
            return f"Published version {new.version}, equal to version {target}."

        run_action(work, act)
