"""Widgets of the Settings page."""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlalchemy import select

from core import accounts, auth, config
from core.auth import Actor
from core.errors import OrderflowError
from core.models import User
from core.settings import LABELS, SUPPORTED_LOCALES, StoreSettings
from core.timeutil import all_zones
from dashboard import resources
from dashboard.components.feedback import errors_shown, show_error
from dashboard.components.mdtext import md

SMTP_KEYS = ("HOST", "PORT", "USER", "SECURITY", "FROM")


def _rates_text(rates: dict[str, Any]) -> str:
    return ", ".join(f"{code}={rate}" for code, rate in sorted(rates.items()))


def settings_form(current: StoreSettings, disabled: bool) -> dict[str, Any] | None:
    """The store settings form; returns the changed values when submitted."""
    with st.form("store_settings"):
        st.subheader("Store")
        a, b, c = st.columns(3)
        values: dict[str, Any] = {
            "name": a.text_input(LABELS["name"], current.name, key="s_name"),
            "currency": b.text_input(LABELS["currency"], current.currency, key="s_currency"),
            "timezone": c.selectbox(
                LABELS["timezone"],
                all_zones(),
                index=all_zones().index(current.timezone),
                key="s_tz",
            ),
        }
        a, b = st.columns([1, 2])
        locales = list(SUPPORTED_LOCALES)
        values["default_locale"] = a.selectbox(
            LABELS["default_locale"],
            locales,
            index=locales.index(current.default_locale.split("_")[0]),
            key="s_locale",
        )
        values["exchange_rates"] = b.text_input(
            LABELS["exchange_rates"],
            _rates_text(current.exchange_rates),
            help="Value of one unit in the store currency, e.g. PLN=0.23, SEK=0.087",
            key="s_rates",
        )
        st.subheader("Messages")
        a, b, c = st.columns(3)
        values["sender_name"] = a.text_input(
            LABELS["sender_name"], current.sender_name, key="s_from_name"
        )
        values["sender_email"] = b.text_input(
            LABELS["sender_email"], current.sender_email, key="s_from"
        )
        values["reply_to"] = c.text_input(LABELS["reply_to"], current.reply_to, key="s_reply")
        a, b, c, d = st.columns(4)
        values["quiet_hours_start"] = a.text_input(
            LABELS["quiet_hours_start"], current.quiet_hours_start, key="s_qs"
        )
        values["quiet_hours_end"] = b.text_input(
            LABELS["quiet_hours_end"], current.quiet_hours_end, key="s_qe"
        )
        values["frequency_cap_count"] = c.number_input(
            LABELS["frequency_cap_count"], 0, 100, current.frequency_cap_count, key="s_cap"
        )
        values["frequency_cap_days"] = d.number_input(
            LABELS["frequency_cap_days"], 1, 365, current.frequency_cap_days, key="s_cap_days"
        )
        a, b = st.columns([2, 1])
        values["public_base_url"] = a.text_input(
            LABELS["public_base_url"], current.public_base_url, key="s_url"
        )
        values["attribution_window_days"] = b.number_input(
            LABELS["attribution_window_days"], 1, 90, current.attribution_window_days, key="s_attr"
        )
        st.subheader("Outgoing calls")
        values["outbound_allowed_hosts"] = st.text_input(
            LABELS["outbound_allowed_hosts"],
            current.outbound_allowed_hosts,
            help="Webhook steps may only call public addresses. List here, comma separated, the "
            "hosts on your own network they may call anyway (e.g. hooks.internal, 10.0.0.5:8080).",
            key="s_outbound",
        )
        st.subheader("Privacy")
        values["retention_years"] = st.number_input(
            LABELS["retention_years"],
            0,
            30,
            current.retention_years,
            help="Customers whose last order is older are anonymised by "
            "`python -m core customer retention --yes` (run it daily, e.g. from cron).",
            key="s_retention",
        )
        st.markdown("**Referrals and coupons**")
        a, b, c = st.columns(3)
        values["referral_reward_days"] = a.number_input(
            LABELS["referral_reward_days"], 0, 365, current.referral_reward_days, key="s_ref_days"
        )
        values["referral_reward_amount"] = b.number_input(
            LABELS["referral_reward_amount"],
            1,
            100000,
            current.referral_reward_amount,
            key="s_ref_amount",
        )
        values["referral_flag_uses"] = c.number_input(
            LABELS["referral_flag_uses"], 1, 10000, current.referral_flag_uses, key="s_ref_flag"
        )
        a, b, c = st.columns(3)
        values["shopify_shop_domain"] = a.text_input(
            LABELS["shopify_shop_domain"], current.shopify_shop_domain, key="s_shop_domain"
        )
        values["shopify_price_rule"] = b.text_input(
            LABELS["shopify_price_rule"],
            current.shopify_price_rule,
            key="s_price_rule",
            help="Coupon codes are created under it when ORDERFLOW_SHOPIFY_ADMIN_TOKEN is set.",
        )
        values["shopify_referral_price_rule"] = c.text_input(
            LABELS["shopify_referral_price_rule"],
            current.shopify_referral_price_rule,
            key="s_referral_rule",
            help="Referral codes are created under it: the discount a friend gets.",
        )
        submitted = st.form_submit_button("Save settings", type="primary", disabled=disabled)
    if not submitted:
        return None
    before = current.__dict__
    return {
        k: v
        for k, v in values.items()
        if (_rates_text(before[k]) if k == "exchange_rates" else str(before[k])) != str(v)
    }


def smtp_panel() -> None:
    st.subheader("Email sending")
    host = config.get_secret("ORDERFLOW_SMTP_HOST")
    if not host:
        st.info(
            "No SMTP server is configured: messages go to the local Mailbox page. Set "
            "ORDERFLOW_SMTP_HOST (and PORT, USER, PASSWORD, SECURITY, FROM) in the environment "
            "or in .streamlit/secrets.toml to send real email. Demo customers always use the Mailbox.",
            icon=":material/inbox:",
        )
        return
    rows = [
        {"setting": f"ORDERFLOW_SMTP_{k}", "value": config.get_secret(f"ORDERFLOW_SMTP_{k}") or ""}
        for k in SMTP_KEYS
    ]
    rows.append(
        {
            "setting": "ORDERFLOW_SMTP_PASSWORD",
            "value": "(set)" if config.get_secret("ORDERFLOW_SMTP_PASSWORD") else "",
        }
    )
    st.dataframe(rows, hide_index=True, key="smtp_table")
    st.caption("Read-only here: change these in the environment or .streamlit/secrets.toml.")


USER_ADDED = "settings.user_added"
USER_FIELDS = ("u_email", "u_pw")


def _users_table() -> list[str]:
    with resources.session() as s:
        users = [
            {"email": u.email, "role": u.role, "active": u.active, "last login": u.last_login_at}
            for u in s.scalars(select(User).order_by(User.email))
        ]
    st.dataframe(
        users,
        hide_index=True,
        key="users_table",
        column_config={"last login": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
    )
    return [str(u["email"]) for u in users]


def _add_user(actor: Actor) -> None:
    """Form callback: add the user; on success clear the form and say so on the next run; on an
    error keep what was typed and the chosen role (no silent reset to more rights)."""
    email = str(st.session_state.get("u_email", ""))
    role = str(st.session_state.get("u_role", auth.Role.ANALYST.value))
    try:
        with resources.session() as s, s.begin():
            auth.add_user(
                s, actor, email, str(st.session_state.get("u_pw", "")), auth.parse_role(role)
            )
    except OrderflowError as exc:
        st.session_state[USER_ADDED] = exc
        return
    st.session_state[USER_ADDED] = f"Added {email.strip()} as {role}."
    for key in USER_FIELDS:
        st.session_state[key] = ""


def users_panel(actor: Actor) -> None:
    st.subheader("Users")
    outcome = st.session_state.pop(USER_ADDED, None)
    emails = _users_table()
    roles = [r.value for r in auth.Role]
    with st.form("add_user", clear_on_submit=False):
        a, b, c = st.columns(3)
        a.text_input("Email", key="u_email")
        b.selectbox(
            "Role",
            roles,
            index=roles.index(auth.Role.ANALYST.value),
            key="u_role",
            help="Starts at the role with the fewest rights; pick a higher one on purpose.",
        )
        c.text_input("Initial password", type="password", key="u_pw")
        st.form_submit_button("Add user", on_click=_add_user, args=(actor,))
    if isinstance(outcome, OrderflowError):
        show_error(outcome)
    elif outcome:
        st.success(md(outcome), icon=":material/person_add:")
    if emails:
        manage_user_form(actor, emails)


def manage_user_form(actor: Actor, emails: list[str]) -> None:
    """Deactivate or reactivate a user, change a role, reset a password (owner only, audited;
    sessions end at once, a role change applies to the user's next click)."""
    with st.form("manage_user", clear_on_submit=True):
        st.markdown("**Change a user**")
        a, b, c = st.columns(3)
        email = a.selectbox("User", emails, key="m_email")
        change = b.selectbox(
            "Change",
            ["Deactivate", "Reactivate", "Change role", "Reset password"],
            key="m_change",
        )
        role = c.selectbox("New role", [r.value for r in auth.Role], key="m_role")
        password = c.text_input("New password", type="password", key="m_pw")
        applied = st.form_submit_button("Apply")
    if not applied or not email:
        return
    with errors_shown():
        with resources.session() as s, s.begin():
            if change == "Deactivate":
                accounts.set_active(s, actor, email, False)
                done = f"Deactivated {email}: their sessions ended."
            elif change == "Reactivate":
                accounts.set_active(s, actor, email, True)
                done = f"{email} can log in again."
            elif change == "Change role":
                accounts.change_role(s, actor, email, role)
                done = f"{email} is now {role}."
            else:
                accounts.reset_password(s, actor, email, password)
                done = f"New password set for {email}: their sessions ended."
        st.session_state[USER_ADDED] = done
        st.rerun()  # the users table above shows the change at once
