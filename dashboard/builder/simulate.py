"""Simulate on an order: pick a real order, see each condition's result, the path it takes and
the messages it would receive, rendered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import pandas as pd
import streamlit as st

from core.auth import Actor
from core.builder import simulate
from core.builder.sim_results import RuleResult
from core.builder.simulate import Simulation
from dashboard import resources
from dashboard.builder.state import Working
from dashboard.components.mdtext import md
from dashboard.components.msg_preview import message_frame

ORDER = "builder.sim_order"
RESULT = "builder.sim_result"


def _rules_table(rules: Sequence[RuleResult], key: str) -> None:
    if not rules:
        st.caption("No condition: always true.")
        return
    frame = pd.DataFrame(
        [
            {"": "✅" if r.passed else "❌", "condition": "\u2003" * r.depth + r.text,
             "this order": r.actual}
            for r in rules
        ]
    )  # fmt: skip
    st.dataframe(frame, hide_index=True, width="stretch", key=key)


def _show(sim: Simulation) -> None:
    verdict = "enters the workflow" if sim.enters else "does not enter"
    st.markdown(
        f"Order **{md(sim.order_ref)}** ({md(sim.customer_email or 'no email')}), "
        f"trigger **{md(sim.trigger)}** "
        f"at {sim.trigger_at:%Y-%m-%d %H:%M} UTC: **{verdict}**"
        + (" · in the holdout group" if sim.holdout else "")
    )
    st.markdown("**Entry conditions**")
    _rules_table(sim.entry, "builder.sim_entry")
    if sim.exit:
        st.markdown("**Exit conditions** (leave when true)")
        _rules_table(sim.exit, "builder.sim_exit")
    for note in sim.notes:
        st.info(md(note), icon=":material/info:")
    for i, step in enumerate(sim.steps, start=1):
        with st.container(border=True):
            st.markdown(
                f"**{i}. {md(step.title)}** · {md(step.summary)}  \n"
                f"{step.at:%Y-%m-%d %H:%M} UTC: {md(step.outcome)}"
            )
            if step.rules:
                _rules_table(step.rules, f"builder.sim_rules_{i}")
            if step.note:
                st.warning(md(step.note), icon=":material/block:")
            if step.subject:
                st.markdown(f"Subject: **{md(step.subject)}** · language {md(step.locale)}")
                message_frame(step.html, 640)  # sanitised, no script runs
                with st.expander("Text version"):
                    st.text(step.text)


def simulate_panel(actor: Actor, work: Working) -> None:
    with resources.session() as s:
        samples = simulate.sample_orders(s, actor, work.definition)
    refs = [ref for ref, _ in samples]
    labels = dict(samples)
    st.selectbox(
        "Order (recent orders with this workflow's trigger, or type an order id)", refs,
        index=0 if refs else None, key=ORDER, accept_new_options=True,
        format_func=lambda r: labels.get(r, r), placeholder="Order id or number",
    )  # fmt: skip
    if st.button(
        "Simulate",
        key="builder.simulate",
        icon=":material/play_circle:",
        disabled=not st.session_state.get(ORDER),
    ):
        with resources.session() as s:
            st.session_state[RESULT] = simulate.simulate(
                s,
                actor,
                work.definition,
                str(st.session_state[ORDER]),
                workflow_id=work.workflow_id,
            )
    result = st.session_state.get(RESULT)
    if hasattr(result, "entry") and hasattr(result, "steps"):  # by shape, see builder_state
        _show(cast(Simulation, result))
