"""Step and trigger parameter inputs (``dashboard/builder/params.py``): a change reaches the
definition; a call bringing back the value a widget was drawn with changes nothing."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    from core.engine.registry import ParamSpec
    from dashboard.builder.params import drawn_guard, param_input

    calls = st.session_state.setdefault("calls", [])
    spec = ParamSpec("days", "Wait (days)", "days", default=3, minimum=0)
    param_input(spec, st.session_state.get("stored", 3), "p", False, calls.append)
    stale, drawn = drawn_guard("q", calls.append)
    st.number_input("Other", value=7, key="q", on_change=lambda: stale(st.session_state["q"]))
    drawn()
    if st.session_state.get("replay"):
        stale(7)  # what a removed widget's late callback does: its own drawn value again


def test_a_change_is_applied_and_a_stale_call_is_not() -> None:
    at = AppTest.from_function(_script, default_timeout=30)
    at.run()
    assert not at.exception and at.session_state["calls"] == []
    at.number_input(key="p").set_value(5).run()
    assert at.session_state["calls"] == [5]
    at.session_state["replay"] = True
    at.run()
    assert at.session_state["calls"] == [5]
    at.number_input(key="q").set_value(8).run()
    assert at.session_state["calls"] == [5, 8]
