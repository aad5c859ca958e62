"""Referrals: each code's uses, conversions, rewards, refusals and flags, the revenue from
referred customers, and every use with its status and the recorded reason."""

import pandas as pd
import streamlit as st

from core import referral_reports
from core.models import REFERRAL_STATUSES
from dashboard import resources
from dashboard.auth_ui import current_actor
from dashboard.components.download import table_with_download
from dashboard.components.feedback import errors_shown

actor = current_actor()
st.title("Referrals")
st.caption(
    "A friend's first order with a code converts; the advocate's reward coupon is issued once "
    "that order is paid and not refunded within "
    f"{resources.settings().referral_reward_days} days. Self-referrals (same customer, same "
    "email once normalised, same shipping address), friends who ordered before and repeat uses "
    "are refused with their reason; codes used unusually often are flagged."
)


@st.cache_data(show_spinner=False)
def _codes(version: int) -> tuple[pd.DataFrame, referral_reports.ReferralTotals]:
    with resources.session() as s:
        frame = referral_reports.codes(s, resources.settings())
        return frame, referral_reports.totals(frame, s)


@st.cache_data(show_spinner=False)
def _uses(version: int, status: str) -> pd.DataFrame:
    with resources.session() as s:
        return referral_reports.uses(s, status or None)


version = resources.data_version()
with errors_shown():
    codes, totals = _codes(version)
    cards = st.columns([1, 1, 1, 1, 1.6])
    cards[0].metric("Codes", f"{totals.codes:,}", border=True)
    cards[1].metric("Conversions", f"{totals.conversions:,}", border=True)
    cards[2].metric("Rewards issued", f"{totals.rewards:,}", border=True)
    cards[3].metric("Refused", f"{sum(totals.refusals.values()):,}", border=True)
    cards[4].metric(
        "Referred revenue",
        f"{float(totals.revenue_from_referred):,.0f} {resources.settings().currency}",
        help="Net revenue of every order converted friends placed from their referred order on.",
        border=True,
    )
    if totals.flagged:
        st.warning(f"{totals.flagged} use(s) of codes used unusually often are flagged.")
    if totals.refusals:
        reasons = pd.DataFrame(
            {"reason": list(totals.refusals), "uses": list(totals.refusals.values())}
        )
        st.subheader("Refusals by reason")
        table_with_download(reasons, "referral-refusals", key="referrals_reasons", actor=actor)
    st.subheader("Codes")
    table_with_download(codes, "referral-codes", key="referrals_codes", actor=actor)
    st.subheader("Uses")
    status = st.selectbox(
        "Status",
        ["", *REFERRAL_STATUSES],
        format_func=lambda v: v.replace("_", " ") if v else "(all)",
        key="referrals_status",
    )
    table_with_download(_uses(version, status), "referral-uses", key="referrals_uses", actor=actor)
