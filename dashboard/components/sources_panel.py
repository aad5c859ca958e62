"""Settings: live sources (webhook URLs to paste into the shop's admin, secrets set or rotated,
API tokens created and revoked) and the log of the last received deliveries with a replay
button for a failed one. Everything goes through ``core.ingest``; secrets are never shown."""

from __future__ import annotations

import streamlit as st

from core.auth import Actor
from core.ingest import receive, sources
from core.models import SOURCE_KINDS
from dashboard import resources, state
from dashboard.components.feedback import errors_shown
from dashboard.components.mdtext import md

KIND_LABELS = {"shopify": "Shopify", "woocommerce": "WooCommerce", "api": "API client"}


def webhook_url(base: str, kind: str, name: str) -> str:
    base = base.rstrip("/")
    if kind == "shopify":
        return f"{base}/webhooks/shopify"
    if kind == "woocommerce":
        return f"{base}/webhooks/woocommerce/{name}"
    return f"{base}/api/v1/events"


def sources_panel(actor: Actor) -> None:
    st.subheader("Live data sources")
    base = resources.settings().public_base_url
    with resources.session() as s:
        rows = [
            {
                "name": v.name,
                "kind": KIND_LABELS[v.kind],
                "shop domain": v.shop_domain or "",
                "paste this URL in the shop": webhook_url(base, v.kind, v.name),
                "secret / token": v.secret or v.token or "",
                "last received": v.last_received_at or "never",
            }
            for v in map(sources.view, sources.all_sources(s))
        ]
    if rows:
        st.dataframe(rows, hide_index=True, key="sources_table")
    else:
        st.caption("No shop is connected yet: orders arrive only by CSV import.")
    _show_new_token()
    _add_form(actor)
    if rows:
        _manage(actor, [r["name"] for r in rows])
    _deliveries(actor)


def _show_new_token() -> None:
    shown = st.session_state.pop(state.NEW_TOKEN, None)
    if shown:
        name, token = shown
        st.warning(f"The bearer token of **{md(name)}**, shown only now: store it safely.")
        st.code(token, language=None)


def _add_form(actor: Actor) -> None:
    with st.form("add_source", clear_on_submit=True):
        st.markdown("**Connect a source**")
        a, b, c = st.columns(3)
        kind = a.selectbox(
            "Kind", SOURCE_KINDS, format_func=KIND_LABELS.__getitem__, key="src_kind"
        )
        name = b.text_input("Name (lower-case, used in URLs)", key="src_name")
        domain = c.text_input("Shopify domain (*.myshopify.com)", key="src_domain")
        secret = st.text_input(
            "Webhook signing secret (Shopify, WooCommerce)", type="password", key="src_secret"
        )
        added = st.form_submit_button("Connect")
    if not added:
        return
    with errors_shown():
        with resources.session() as s, s.begin():
            source, token = sources.add(
                s, actor, kind, name, shop_domain=domain or None, secret=secret or None
            )
            added_name = source.name
        if token:
            st.session_state[state.NEW_TOKEN] = (added_name, token)
        st.success(f"Connected {md(added_name)}.")
        st.rerun()


def _manage(actor: Actor, names: list[str]) -> None:
    with st.form("manage_source", clear_on_submit=True):
        st.markdown("**Rotate a secret or token, or remove a source**")
        a, b = st.columns([1, 2])
        name = a.selectbox("Source", names, key="src_pick")
        secret = b.text_input(
            "New webhook secret (leave empty for an API client: a new token is made)",
            type="password",
            key="src_new_secret",
        )
        confirm = st.checkbox("Yes, remove it and its delivery log", key="src_confirm")
        c, d = st.columns(2)
        rotate = c.form_submit_button("Rotate secret / token")
        remove = d.form_submit_button("Remove source")
    if not (rotate or remove):
        return
    with errors_shown():
        with resources.session() as s, s.begin():
            if remove:
                if not confirm:
                    st.error("Tick the box to confirm the removal.")
                    return
                sources.remove(s, actor, name)
                message = f"Removed {name}."
            else:
                token = sources.rotate(s, actor, name, secret or None)
                if token:
                    st.session_state[state.NEW_TOKEN] = (name, token)
                message = f"Rotated the {'token' if token else 'secret'} of {name}."
        st.success(md(message))
        st.rerun()


def _deliveries(actor: Actor) -> None:
    st.markdown("**Last received deliveries**")
    with resources.session() as s:
        rows = receive.recent(s, 50)
    if not rows:
        st.caption("Nothing received yet.")
        return
    st.dataframe(rows, hide_index=True, key="deliveries_table")
    failed = {
        r["id"]: f"#{r['id']} {r['topic']}: {r['reason']}" for r in rows if r["status"] == "failed"
    }
    if not failed:
        return
    a, b = st.columns([2, 1])
    chosen = a.selectbox(
        "A delivery that failed processing",
        list(failed),
        format_func=failed.__getitem__,
        key="delivery_pick",
    )
    if b.button("Replay it", key="delivery_replay"):
        with errors_shown():
            receipt = receive.replay(resources.engine(), actor, int(chosen))
            if receipt.status == "failed":
                st.error(f"It failed again: {md(receipt.reason)}")
            else:
                st.success(f"Replayed: {receipt.status}.")
                st.rerun()
