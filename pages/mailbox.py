"""Mailbox: messages kept locally (no SMTP configured, demo customers, tests), as received."""

import streamlit as st

from core.messaging import mailbox
from core.messaging.transport import smtp_config
from dashboard import resources
from dashboard.components.feedback import errors_shown
from dashboard.components.mdtext import md
from dashboard.components.msg_preview import message_frame, width_picker
from dashboard.components.readable import local_time

st.title("Mailbox")
with errors_shown():
    configured = smtp_config()
    st.caption(
        f"SMTP is configured ({configured.describe()}): only demo customers' messages land here."
        if configured
        else "No SMTP server is configured: every message is delivered here instead."
    )

with resources.session() as s:
    names = mailbox.mailbox_templates(s)
search_col, template_col = st.columns([2, 1])
query = search_col.text_input("Search recipient or subject", key="mailbox_query")
template = template_col.selectbox("Template", ["(all)", *names], key="mailbox_template")
with resources.session() as s:
    rows = mailbox.list_mailbox(s, query=query, template=None if template == "(all)" else template)

tz = resources.settings().tz
if not rows:
    st.info("The mailbox is empty." if not query else "No message matches.")
    st.stop()
st.dataframe(
    [
        {
            "id": r.id,
            "delivered": local_time(r.sent_at, tz),
            "to": r.to,
            "subject": r.subject,
            "template": r.template,
            "language": r.locale,
            "test": r.is_test,
        }
        for r in rows
    ],
    hide_index=True,
    width="stretch",
    key="mailbox_table",
)
labels = {r.id: f"#{r.id} · {r.to} · {r.subject}" for r in rows}
picked = st.selectbox(
    "Open message", list(labels), key="mailbox_open", format_func=lambda i: labels[i]
)
with errors_shown(), resources.session() as s:
    message = mailbox.open_message(s, int(picked or rows[0].id))
    st.subheader(md(message.subject) if message.subject else "(no subject)")
    st.caption(f"To {md(message.to_address)} · {local_time(message.sent_at, tz)}")
    html_tab, text_tab, headers_tab = st.tabs(["HTML", "Text", "Headers"])
    with html_tab:
        message_frame(message.html or "", width_picker("mailbox_width"))
    with text_tab:
        st.code(message.text or "", language=None, wrap_lines=True)
    with headers_tab:
        st.dataframe(
            [{"header": k, "value": v} for k, v in (message.headers or {}).items()],
            hide_index=True,
            width="stretch",
        )
