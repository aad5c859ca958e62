"""Satisfaction KPIs: average rating (with n), rating distribution, CSAT, NPS, review rate, and
ratings by delivery option and by on-time vs late delivery.

One review per order (the latest; the table keeps one). CSAT = 100 x share of 4-5 star ratings.
NPS = 100 x (share 9-10 - share 0-6) over answers that carry an NPS score; passives stay in the
denominator. Reviews count on their local submission date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.metrics.types import Period, RatingSummary

PUNCTUALITY = {1.0: "on time", 0.0: "late"}


def rating_summary(reviews: pd.DataFrame) -> RatingSummary:
    """Counts behind average rating, CSAT and NPS, from a reviews frame."""
    nps = reviews["nps"].dropna()
    return RatingSummary(
        reviews=len(reviews),
        rating_sum=int(reviews["rating"].sum()),
        satisfied=int((reviews["rating"] >= 4).sum()),
        nps_answers=len(nps),
        promoters=int((nps >= 9).sum()),
        detractors=int((nps <= 6).sum()),
    )


def summary_from_counts(counts: pd.DataFrame) -> RatingSummary:
    """The same summary from SQL day counts (``experience.review_counts``)."""
    total = counts.drop(columns="day").sum()
    return RatingSummary(**{k: int(total.get(k, 0)) for k in RatingSummary.__dataclass_fields__})


def distribution(reviews: pd.DataFrame) -> pd.DataFrame:
    """Reviews and share per star rating 1-5 (every rating present, 0 when none)."""
    counts = reviews["rating"].value_counts().reindex(range(1, 6), fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame(
        {
            "rating": range(1, 6),
            "reviews": counts.to_numpy().astype("int64"),
            "share": counts.to_numpy() / total if total else np.full(5, np.nan),
        }
    )


def review_rate(orders: pd.DataFrame, reviewed_order_ids: pd.Series) -> float | None:
    """Orders of the window with a review (submitted at any time) / orders of the window."""
    if orders.empty:
        return None
    return float(orders["order_id"].isin(reviewed_order_ids).mean())


def _group(reviews: pd.DataFrame, key: pd.Series, name: str) -> pd.DataFrame:
    rows = []
    for value, part in reviews.groupby(key, sort=True):
        s = rating_summary(part)
        rows.append(
            {
                name: value,
                "reviews": s.reviews,
                "avg_rating": s.avg_rating,
                "csat": s.csat,
                "nps": s.nps,
            }
        )
    columns = [name, "reviews", "avg_rating", "csat", "nps"]
    return pd.DataFrame(rows, columns=columns)


def by_delivery_option(reviews: pd.DataFrame) -> pd.DataFrame:
    """Reviews, average rating, CSAT and NPS per delivery option."""
    return _group(reviews, reviews["delivery_option"], "delivery_option")


def by_punctuality(reviews: pd.DataFrame) -> pd.DataFrame:
    """The same split by on time vs late (orders delivered without a promise are left out)."""
    known = reviews[reviews["on_time"].notna()]
    return _group(known, known["on_time"].map(PUNCTUALITY), "punctuality")


def daily(counts: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per local date of the period, from SQL day counts: reviews, average rating, CSAT, NPS."""
    index = pd.DatetimeIndex(period.dates(), name="day")
    c = counts.set_index("day").reindex(index, fill_value=0)
    reviews = c["reviews"].astype("float64")
    answers = c["nps_answers"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame(
            {
                "reviews": c["reviews"].astype("int64"),
                "avg_rating": (c["rating_sum"] / reviews).where(reviews > 0),
                "csat": (100 * c["satisfied"] / reviews).where(reviews > 0),
                "nps": (100 * (c["promoters"] - c["detractors"]) / answers).where(answers > 0),
            },
            index=index,
        )


def latest_comments(reviews: pd.DataFrame, limit: int = 20) -> pd.DataFrame:
    """The newest reviews with a non-empty comment."""
    if "comment" not in reviews:
        raise ValueError("read the reviews frame with comments=True")
    has = reviews[reviews["comment"].astype("string").fillna("").str.strip() != ""]
    cols = ["submitted_at", "rating", "nps", "delivery_option", "comment"]
    return has.sort_values("submitted_at", ascending=False).head(limit)[cols].reset_index(drop=True)
