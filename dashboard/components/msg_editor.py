"""The Templates page's parts: create from the library, pick an order, edit one locale with
errors shown next to the field, and send a test."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.auth import Actor
from core.errors import OrderflowError, TemplateError
from core.messaging import library, lookup
from core.messaging import templates as tpl
from core.messaging.send_test import send_test
from core.messaging.stored import get_template
from core.models import TemplateTranslation
from core.settings import SUPPORTED_LOCALES
from dashboard import resources
from dashboard.components.feedback import errors_shown
from dashboard.components.mdtext import md, md_code

FIELDS = ("subject", "preheader", "html", "text")


@dataclass
class Draft:
    subject: str
    preheader: str
    html: str
    text: str
    slots: dict[str, st.delta_generator.DeltaGenerator]

    def show_error(self, exc: TemplateError) -> None:
        slot = self.slots.get(exc.field or "html", self.slots["html"])
        slot.error(md_code(exc), icon=":material/error:")


def create_panel(actor: Actor, installed: set[str]) -> None:
    """Install library templates or start a blank one."""
    missing = [t.name for t in library.LIBRARY if t.name not in installed]
    with st.expander("New template", expanded=not installed):
        left, right = st.columns(2)
        with left:
            st.markdown("**From the library** (8 languages each)")
            pick = st.selectbox(
                "Library template",
                missing or ["(all installed)"],
                key="tpl_lib_pick",
                format_func=lambda n: (
                    f"{n}: {library.BY_NAME[n].description}" if n in library.BY_NAME else n
                ),
            )
            if st.button("Add from library", key="tpl_lib_add", disabled=not missing):
                with errors_shown(), resources.session() as s, s.begin():
                    library.install(s, actor, str(pick))
                    st.session_state["tpl_name"] = pick
                if st.session_state.get("tpl_name") == pick:
                    st.rerun()
            if st.button("Add all library templates", key="tpl_lib_all", disabled=not missing):
                with errors_shown(), resources.session() as s, s.begin():
                    added = library.ensure_library(s, actor)
                st.success(f"Added {added} translations.")
        with right:
            st.markdown("**Blank**")
            name = st.text_input("Name", key="tpl_new_name", placeholder="spring_sale")
            category = st.selectbox("Category", tpl.CATEGORIES, key="tpl_new_category")
            if st.button("Create", key="tpl_new_create"):
                with errors_shown(), resources.session() as s, s.begin():
                    tpl.create_template(s, actor, name, category)
                    st.session_state["tpl_name"] = name.strip()
                if st.session_state.get("tpl_name") == name.strip():
                    st.rerun()


def order_picker() -> lookup.OrderChoice | None:
    """Search real orders by email or number and pick one to render with."""
    query = st.text_input(
        "Preview for (email or order number)",
        key="tpl_search",
        placeholder="anna@example.org or 1042",
    )
    with resources.session() as s:
        choices = lookup.search_orders(s, query)
    if not choices:
        st.info("No matching order. Import orders or load the demo on the Data page.")
        return None
    picked = st.selectbox(
        "Order", range(len(choices)), key="tpl_order", format_func=lambda i: choices[i].label
    )
    return choices[int(picked or 0)]


def locale_picker(locales: list[str], can_edit: bool) -> str:
    options = locales + [loc for loc in SUPPORTED_LOCALES if loc not in locales and can_edit]
    return str(
        st.selectbox(
            "Language",
            options,
            key="tpl_locale",
            format_func=lambda loc: loc if loc in locales else f"{loc} (new)",
        )
    )


def editor(name: str, locale: str, existing: TemplateTranslation | None, readonly: bool) -> Draft:
    """The four parts of one locale, each with a slot for its validation error."""
    source = existing or TemplateTranslation(subject="", preheader="", html="", text="")
    slots: dict[str, st.delta_generator.DeltaGenerator] = {}
    values: dict[str, str] = {}
    labels = {
        "subject": "Subject",
        "preheader": "Preheader (preview line in the inbox)",
        "html": "HTML body",
        "text": "Text body (leave empty to generate it from the HTML)",
    }
    for field in FIELDS:
        key = f"tpl_{field}_{name}_{locale}"
        default = getattr(source, field) or ""
        if field in {"subject", "preheader"}:
            values[field] = st.text_input(labels[field], value=default, key=key, disabled=readonly)
        else:
            height = 360 if field == "html" else 160
            values[field] = st.text_area(
                labels[field], value=default, key=key, height=height, disabled=readonly
            )
        slots[field] = st.empty()
    return Draft(slots=slots, **values)


def send_test_form(actor: Actor, name: str, locale: str, order_id: int) -> None:
    to = st.text_input("Send a test to", key="tpl_test_to", placeholder="you@shop.example")
    if st.button("Send test", key="tpl_test_send", icon=":material/send:"):
        with errors_shown(), resources.session() as s, s.begin():
            message = send_test(s, actor, name, order_id=order_id, to=to, locale=locale)
            if message.state == "sent":
                where = "the local Mailbox" if message.transport == "mailbox" else to
                st.success(f"Test sent to {md(where)}.")
            else:
                st.error(f"The test was not delivered: {md(message.last_error)}")


def save(actor: Actor, name: str, locale: str, draft: Draft) -> bool:
    try:
        with resources.session() as s, s.begin():
            tpl.save_translation(
                s,
                actor,
                name,
                locale,
                subject=draft.subject,
                preheader=draft.preheader,
                html=draft.html,
                text=draft.text,
            )
    except TemplateError as exc:
        draft.show_error(exc)
        return False
    except OrderflowError as exc:
        st.error(md_code(exc))
        return False
    return True


def purpose_picker(actor: Actor, name: str, can_edit: bool) -> None:
    """The consent purpose of a marketing template: customers who turned it off in the
    preference centre do not get it (suppressed as ``opted_out_<purpose>``)."""
    from core import preferences

    with resources.session() as s:
        current = get_template(s, name).purpose or preferences.DEFAULT_PURPOSE
    purposes = list(preferences.PURPOSES)
    picked = st.selectbox(
        "Consent purpose",
        purposes,
        index=purposes.index(current),
        format_func=preferences.PURPOSES.__getitem__,
        key=f"tpl_purpose_{name}",
        disabled=not can_edit,
        help="Customers who turned this purpose off in their email settings do not get it.",
    )
    if can_edit and picked != current:
        with errors_shown(), resources.session() as s, s.begin():
            preferences.set_template_purpose(s, actor, name, picked)
        st.success(f"{md(name)} now needs consent to: {preferences.PURPOSES[picked]}.")
