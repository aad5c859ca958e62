"""Builder: one workflow on a canvas, with typed editors, checks, backtest, simulation,
lifecycle and history. The workflow comes from ``?id=`` or the picker."""

import streamlit as st

from core.auth import Action
from dashboard.auth_ui import current_actor
from dashboard.builder import state as builder_state
from dashboard.builder.header import open_workflow
from dashboard.builder.lifecycle import lifecycle_bar
from dashboard.builder.panels import panels
from dashboard.builder.workspace import workspace
from dashboard.components.feedback import errors_shown

actor = current_actor()
readonly = not actor.can(Action.EDIT_WORKFLOWS)
with errors_shown():
    work = open_workflow(actor)
    if work is None:
        st.stop()
    if readonly:
        st.caption("Your role can look at workflows; ask the owner or a merchant to change them.")
    problems = builder_state.problems(work.definition)
    lifecycle_bar(actor, work, problems, readonly)
    draw_canvas = workspace(work, problems, readonly)
    with errors_shown():  # a panel's error must not keep the canvas from being drawn
        panels(actor, work, readonly)
    draw_canvas()  # last: its report back to the app must carry every widget's current value
