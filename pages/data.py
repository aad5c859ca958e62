"""Data: import orders (with a column mapping and a row-error report), demo data, exports."""

import streamlit as st

from core import exporting
from core.auth import Action
from dashboard import resources
from dashboard.auth_ui import current_actor
from dashboard.components.demo_panel import demo_panel
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
            demo_panel(actor)
        else:
            table = st.selectbox("Table", exporting.TABLES, key="export_table")
            with resources.session() as s:
                frame = exporting.export_table(s, actor, table)
            st.caption(f"{len(frame):,} rows")
            st.dataframe(frame.head(1000), hide_index=True, width="stretch", key="export_preview")
            csv_download(frame, f"orderflow-{table}", key="export_csv")
