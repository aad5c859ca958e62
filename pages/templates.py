"""Templates: pick or create a message, edit it per language, preview it as a real customer."""

import streamlit as st

from core.auth import Action
from core.errors import TemplateError
from core.messaging import templates as tpl
from core.messaging.stored import get_template
from dashboard import resources
from dashboard.auth_ui import current_actor
from dashboard.components import msg_editor
from dashboard.components.feedback import errors_shown
from dashboard.components.mdtext import md
from dashboard.components.msg_preview import rendered_preview

actor = current_actor()
can_edit = actor.can(Action.EDIT_TEMPLATES)
st.title("Templates")
st.caption(
    "Messages in every language, previewed exactly as a customer of yours receives them. "
    "Variables without a fallback that are empty for the chosen order are flagged."
)
with resources.session() as s:
    summaries = tpl.list_templates(s)
if can_edit:
    msg_editor.create_panel(actor, {t.name for t in summaries})
if not summaries:
    st.info("No templates yet." + (" Add them from the library above." if can_edit else ""))
    st.stop()
if not can_edit:
    st.info("Read-only: your role may view templates but not change them.")

by_name = {t.name: t for t in summaries}
name = st.selectbox(
    "Template", list(by_name), key="tpl_name", format_func=lambda n: f"{n} ({by_name[n].category})"
)
summary = by_name[str(name)]
if summary.category == "marketing":
    msg_editor.purpose_picker(actor, str(name), can_edit)
pick_col, order_col = st.columns([1, 2])
with pick_col:
    locale = msg_editor.locale_picker(summary.locales, can_edit)
with order_col:
    choice = msg_editor.order_picker()

with resources.session() as s:
    template = get_template(s, str(name))
    existing = next((t for t in template.translations if t.locale == locale), None)

edit_col, preview_col = st.columns(2, gap="large")
with edit_col:
    draft = msg_editor.editor(str(name), locale, existing, readonly=not can_edit)
    saved = can_edit and st.button("Save", key="tpl_save", type="primary", icon=":material/save:")
    if saved and msg_editor.save(actor, str(name), locale, draft):
        st.success(f"Saved {md(name)} ({md(locale)}).")
with preview_col:
    if choice is None:
        st.stop()
    try:
        with resources.session() as s:
            rendered = tpl.preview(
                s,
                subject=draft.subject,
                preheader=draft.preheader,
                html=draft.html,
                text=draft.text,
                customer_id=choice.customer_id,
                order_id=choice.order_id,
                locale=locale,
                name=str(name),
                category=summary.category,
            )
    except TemplateError as exc:
        draft.show_error(exc)
        st.warning("Fix the error on the left to see the preview.")
    else:
        with errors_shown():
            rendered_preview(rendered, key="tpl_preview")
        if actor.can(Action.SEND_TEST) and existing is not None:
            msg_editor.send_test_form(actor, str(name), locale, choice.order_id)
