"""Settings: the store, email sending (read-only, from the environment), live data sources
with their deliveries, and users."""

import streamlit as st

from core import auth
from core import settings as store_settings
from core.auth import Action
from dashboard import resources
from dashboard.auth_ui import current_actor
from dashboard.components.feedback import errors_shown
from dashboard.components.mdtext import md
from dashboard.components.settings_form import settings_form, smtp_panel, users_panel
from dashboard.components.sources_panel import sources_panel

actor = current_actor()
st.title("Settings")
can_edit = actor.can(Action.EDIT_SETTINGS)
if not can_edit:
    st.caption("Your role can read the settings; ask the owner or a merchant to change them.")

current = resources.settings()
if store_settings.points_at_localhost(current.public_base_url):
    st.warning(
        store_settings.LOCAL_URL_WARNING.format(url=md(current.public_base_url)),
        icon=":material/link_off:",
    )
changes = settings_form(current, disabled=not can_edit)
if changes is not None:
    with errors_shown():
        with resources.session() as s, s.begin():
            store_settings.update_settings(s, actor, changes)
        st.success("Settings saved.")
        st.rerun()

smtp_panel()
if actor.can(Action.MANAGE_SOURCES):
    sources_panel(actor)
if actor.can(Action.MANAGE_USERS):
    users_panel(actor)

st.caption("Roles: " + "; ".join(f"**{r.value}**: {d}" for r, d in auth.ROLE_DESCRIPTIONS.items()))
