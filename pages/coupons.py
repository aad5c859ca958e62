"""Coupons: per workflow the codes issued, used and flagged and the value of the redeemed
coupons; every use with its flag; the unredeemed codes for the shop (Shopify Admin API or CSV)."""

import pandas as pd
import streamlit as st

from core import coupon_reports, shop_codes
from core import settings as store_settings
from core.auth import Action, Actor
from dashboard import resources
from dashboard.auth_ui import current_actor
from dashboard.components.download import csv_download, table_with_download
from dashboard.components.feedback import errors_shown
from dashboard.components.mdtext import md

actor = current_actor()
st.title("Coupons")
st.caption(
    "A coupon is single use and belongs to the customer it was issued to until it expires. "
    "Every order that used a code counts; uses past expiry, by another customer or a second "
    "time are flagged. Value of redeemed coupons: what the codes took off those orders (store "
    "currency), the workflow's coupon cost, never subtracted from revenue."
)


@st.cache_data(show_spinner=False)
def _summary(version: int) -> pd.DataFrame:
    with resources.session() as s:
        return coupon_reports.workflow_summary(s, resources.settings())


@st.cache_data(show_spinner=False)
def _uses(version: int, flagged: bool) -> pd.DataFrame:
    with resources.session() as s:
        return coupon_reports.uses(s, flagged_only=flagged)


@st.cache_data(show_spinner=False)
def _unredeemed(version: int, _actor: Actor) -> pd.DataFrame:
    return shop_codes.unredeemed_codes(resources.engine(), _actor)


version = resources.data_version()
with errors_shown():
    summary = _summary(version)
    cards = st.columns(4)
    cards[0].metric("Issued", f"{int(summary['issued'].sum()):,}", border=True)
    cards[1].metric("Redeemed", f"{int(summary['redeemed'].sum()):,}", border=True)
    cards[2].metric("Flagged uses", f"{int(summary['flagged'].sum()):,}", border=True)
    total = float(summary["value_of_redeemed_coupons"].sum()) if len(summary) else 0.0
    cards[3].metric(
        "Redeemed value",
        f"{total:,.2f} {resources.settings().currency}",
        help="What the redeemed codes took off their orders: the coupon cost.",
        border=True,
    )
    st.subheader("Per workflow")
    table_with_download(summary, "coupons-per-workflow", key="coupons_summary", actor=actor)
    st.subheader("Uses")
    flagged = st.toggle("Flagged uses only", key="coupons_flagged")
    table_with_download(_uses(version, flagged), "coupon-uses", key="coupons_uses", actor=actor)

    st.subheader("Codes in the shop")
    api = shop_codes.configured(resources.engine())
    if api is None:
        st.info(
            "No Shopify Admin API token: upload the unredeemed codes to your shop as CSV, or set "
            f"{shop_codes.TOKEN_KEY} (environment or .streamlit/secrets.toml) and the Shopify "
            "shop domain and price rule in Settings to create them automatically.",
            icon=":material/info:",
        )
    elif actor.can(Action.EDIT_WORKFLOWS) and st.button(
        "Create pending codes in Shopify", key="coupons_push", type="primary"
    ):
        result = shop_codes.push_pending(resources.engine(), actor, api)
        with resources.session() as s, s.begin():
            store_settings.bump_data_version(s)
        st.success(
            f"{result.created} code(s) created, {result.existing} already in the shop, "
            f"{result.failed} failed."
        )
        for line in result.errors:
            st.warning(md(line))
    if actor.can(Action.EXPORT_DATA):
        codes = _unredeemed(version, actor)
        st.caption(f"{len(codes)} unredeemed, unexpired code(s).")
        csv_download(codes, "unredeemed-coupon-codes", key="coupons_codes_csv", actor=actor)
