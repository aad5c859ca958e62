"""Data: import orders (with a column mapping and a row-error report), demo data, exports."""

import streamlit as st

from core import demo as demo_data
from core import exporting
from core.auth import Action
from dashboard import resources
from dashboard.auth_ui import current_actor
from dashboard.components.download import csv_download
from dashboard.components.feedback import errors_shown
from dashboard.components.import_form import import_section

actor = current_actor()
st.title("Data")
st.caption("Bring your orders in, load or clear the demo shop, and export any table as CSV.")

tab_names = [
    name
    for name, needs in (
        ("Import", Action.IMPORT_DATA),
        ("Demo data", Action.MANAGE_DEMO),
        ("Export", Action.EXPORT_DATA),
    )
    if actor.can(needs)
]
for name, tab in zip(tab_names, st.tabs(tab_names), strict=True):
    with tab, errors_shown():
        if name == "Import":
            import_section(actor)
        elif name == "Demo data":
            with resources.session() as s:
                loaded = demo_data.is_demo_loaded(s)
            st.write("The demo shop is **loaded**." if loaded else "No demo data is loaded.")
            left, right = st.columns(2)
            if left.button("Load demo data", key="demo_load", disabled=loaded, type="primary"):
                with st.spinner("Generating the demo shop..."):
                    summary = demo_data.load(
                        resources.engine(), demo_data.DemoOptions(), actor=actor
                    )
                st.success(f"Demo shop loaded: {summary}")
                st.rerun()
            if right.button("Clear demo data", key="demo_clear", disabled=not loaded):
                removed = demo_data.clear(resources.engine(), actor)
                st.success(f"Removed {removed:,} demo rows; your own data is untouched.")
                st.rerun()
        else:
            table = st.selectbox("Table", exporting.TABLES, key="export_table")
            with resources.session() as s:
                frame = exporting.export_table(s, actor, table)
            st.caption(f"{len(frame):,} rows")
            st.dataframe(frame.head(1000), hide_index=True, width="stretch", key="export_preview")
            csv_download(frame, f"orderflow-{table}", key="export_csv")
