"""The Data page's demo tab: load the demo shop; clear it only after confirming what goes, then
say what was removed."""

from __future__ import annotations

import streamlit as st

from core import demo as demo_data
from core.auth import Actor
from dashboard import resources

CLEARED = "data.demo_cleared"
CONFIRM = "demo_clear_confirm"


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {table.replace('_', ' ')}" for table, n in counts.items() if n)


def _clear(actor: Actor) -> None:
    removed = demo_data.clear_report(resources.engine(), actor)
    st.session_state[CLEARED] = removed
    st.session_state[CONFIRM] = False


def demo_panel(actor: Actor) -> None:
    removed = st.session_state.pop(CLEARED, None)
    if removed is not None:
        st.success(
            f"Removed {sum(removed.values()):,} demo rows ({_counts_text(removed)}); "
            "your own data is untouched.",
            icon=":material/delete_sweep:",
        )
    with resources.session() as s:
        loaded = demo_data.is_demo_loaded(s)
        counts = demo_data.demo_counts(s) if loaded else {}
    if not loaded:
        st.write("No demo data is loaded.")
        if st.button("Load demo data", key="demo_load", type="primary"):
            with st.spinner("Generating the demo shop..."):
                summary = demo_data.load(resources.engine(), demo_data.DemoOptions(), actor=actor)
            st.success(f"Demo shop loaded: {summary}")
            st.rerun()
        return
    st.write(f"The demo shop is **loaded**: {_counts_text(counts)}.")
    confirmed = st.checkbox(
        "Yes, remove all demo orders, customers, workflows, messages and reviews",
        key=CONFIRM,
        help="Only rows marked as demo go; orders you imported and your settings stay.",
    )
    st.button(
        "Clear demo data",
        key="demo_clear",
        disabled=not confirmed,
        icon=":material/delete:",
        on_click=_clear,
        args=(actor,),
    )
