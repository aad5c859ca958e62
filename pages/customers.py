"""Customers (GDPR): find a customer, see everything stored about them (profile, orders,
messages, reviews, consents, preferences, run log), download it, or erase them."""

import json

import pandas as pd
import streamlit as st

from core import gdpr
from core.auth import Action
from dashboard import resources
from dashboard.auth_ui import current_actor
from dashboard.components.feedback import errors_shown
from dashboard.components.mdtext import md

actor = current_actor()
st.title("Customers")
st.caption(
    "Everything stored about a customer, for access requests; erasing anonymises them "
    "everywhere while orders keep their amounts, dates and countries (KPIs do not change)."
)
email = st.text_input("Customer email", key="cust_email", placeholder="anna@example.com")
if email.strip():
    with errors_shown():
        with resources.session() as s, s.begin():
            data = gdpr.export_customer(s, actor, email)
        profile = data["profile"]
        st.subheader(md(", ".join(str(p.get("email")) for p in profile)))
        tabs = st.tabs([key.replace("_", " ").title() for key in gdpr.KEYS])
        for tab, key in zip(tabs, gdpr.KEYS, strict=True):
            with tab:
                frame = pd.DataFrame(data[key])
                if frame.empty:
                    st.caption("Nothing stored.")
                else:
                    st.dataframe(frame, hide_index=True, width="stretch", key=f"cust_{key}")
        st.download_button(
            "Download everything (JSON)",
            data=json.dumps(data, indent=2, ensure_ascii=False, default=str),
            file_name="customer_export.json",
            mime="application/json",
            key="cust_export",
            icon=":material/download:",
            on_click="ignore",
        )
        if actor.can(Action.ERASE_CUSTOMER):
            with st.form("erase_customer"):
                st.markdown("**Erase this customer** (cannot be undone)")
                typed = st.text_input("Type the email again to confirm", key="cust_confirm")
                erase = st.form_submit_button("Erase", type="primary")
            if erase:
                if typed.strip().lower() != email.strip().lower():
                    st.error("The confirmation does not match the email; nothing was erased.")
                else:
                    with resources.session() as s, s.begin():
                        done = gdpr.erase_customer(s, actor, email)
                    st.success(
                        f"Erased {len(done.customers)} customer record(s); "
                        f"{done.messages_cancelled} pending message(s) cancelled."
                    )
