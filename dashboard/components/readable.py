"""Numbers and names for reading: series and columns in words, thousands separators, the store
currency on amounts, rates as percentages, months as "Jan 2026", an empty cell as "–" (never
"None"). The CSV downloads keep the raw values (rounded, see :mod:`core.csvout`)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pandas as pd

from core.csvout import is_rate_name

WORDS = {
    "gross_revenue": "Gross revenue",
    "net_revenue": "Net revenue",
    "aov": "Average order value",
    "avg_rating": "Average rating",
    "punctuality": "Delivery",
    "on_time_rate": "On-time rate",
    "on_time": "On time",
    "delivery_option": "Delivery option",
    "repeat_rate": "Repeat purchase rate",
    "repeat_customers": "Repeat customers",
    "retention": "Retention",
    "churn": "Churn",
    "csat": "CSAT (%)",
    "nps": "NPS",
    "median_hours": "Median (hours)",
    "p90_hours": "90% within (hours)",
    "conversion_rate": "Conversion",
    "revenue_per_recipient": "Revenue per recipient",
    "attributed_revenue": "Attributed revenue",
    "coupon_cost": "Coupon cost",
    "step_id": "Step",
    "partial": "Partial period",
}
MONEY_WORDS = ("revenue", "aov", "amount", "total", "spent", "refund", "discount", "cost", "clv")
COUNT_LIKE = ("orders", "customers", "reviews", "delivered", "sent", "messages", "active")
EMPTY = "–"
CODE_COLUMNS = ("status", "reason", "flag", "state")  # values that are codes: shown as words
_HOVER_NAME = re.compile(r"\b([a-z][a-z0-9_]*)=")
_HOVER_VALUE = re.compile(r"=([a-z][a-z0-9]*_[a-z0-9_]*)(<|$)")


def words(name: object) -> str:
    """A column or series name in words (``gross_revenue`` -> ``Gross revenue``)."""
    text = str(name)
    if text in WORDS:
        return WORDS[text]
    spaced = text.replace("_", " ").strip()
    return spaced[:1].upper() + spaced[1:]


def is_money(name: str) -> bool:
    return any(w in name.lower() for w in MONEY_WORDS) and not is_rate(name)


def is_rate(name: str) -> bool:
    return name.lower() != "csat" and is_rate_name(name)


def month_label(value: object, partial: bool = False) -> str:
    """``2026-01`` -> ``Jan 2026`` (``Jan 2026 (partial)`` for a month not over)."""
    try:
        text = pd.Timestamp(f"{value}-01" if len(str(value)) == 7 else str(value)).strftime("%b %Y")
    except ValueError:
        text = str(value)
    return f"{text} (partial)" if partial else text


def _money(value: float, currency: str) -> str:
    return f"{value:,.2f} {currency}"


def _cell(column: str, value: Any, currency: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp | dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}" if (value.hour or value.minute) else f"{value:%Y-%m-%d}"
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = float(value)
        if is_rate(column):
            return f"{number:.1%}"
        if is_money(column):
            return _money(number, currency)
        if "hours" in column.lower():
            return f"{number:,.1f}"
        if number.is_integer():
            return f"{int(number):,}"
        return f"{number:,.2f}"
    if column in CODE_COLUMNS and isinstance(value, str):
        return value.replace("_", " ")
    return str(value)


def _local_times(frame: pd.DataFrame, tz: dt.tzinfo) -> pd.DataFrame:
    """Columns named ``*_at`` (UTC timestamps; naive ones are UTC) in the store's time zone."""
    out = frame.copy()
    for column in [c for c in out.columns if str(c).endswith("_at")]:
        values = pd.to_datetime(out[column], utc=True, errors="coerce")
        out[column] = values.dt.tz_convert(tz).dt.tz_localize(None)
    return out


def time_zone_name(tz: dt.tzinfo) -> str:
    return str(getattr(tz, "key", tz))


def local_time(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    """A UTC moment as the store's local time, e.g. ``2026-12-01 15:04 (Europe/Berlin)``."""
    if value is None:
        return EMPTY
    moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M} ({time_zone_name(tz)})"


def display_frame(frame: pd.DataFrame, currency: str, tz: dt.tzinfo | None = None) -> pd.DataFrame:
    """A copy for showing: formatted text cells, months in words, column names in words, and
    with ``tz`` the ``*_at`` times in the store's time zone (named in the column title)."""
    out = _local_times(frame, tz) if tz is not None else frame.copy()
    if "month" in out.columns:
        flags = out["partial"] if "partial" in out.columns else [False] * len(out)
        out["month"] = [month_label(m, bool(p)) for m, p in zip(out["month"], flags, strict=True)]
    if "partial" in out.columns and "month" in frame.columns:
        out = out.drop(columns="partial")
    for column in out.columns:
        if column == "month":
            continue
        out[column] = [_cell(str(column), v, currency) for v in out[column]]
    zone = f" ({time_zone_name(tz)})" if tz is not None else ""
    return out.rename(
        columns={c: words(c) + (zone if str(c).endswith("_at") else "") for c in out.columns}
    )


def readable_figure(fig: Any) -> Any:
    """A plotly figure whose series, axes and legend read as words."""
    if not hasattr(fig, "for_each_trace"):
        return fig
    fig.for_each_trace(lambda t: t.update(name=words(t.name)) if t.name else None)
    for trace in fig.data:
        template = getattr(trace, "hovertemplate", None)
        if template:
            template = _HOVER_NAME.sub(lambda m: f"{words(m[1])}=", template)
            template = _HOVER_VALUE.sub(lambda m: f"={words(m[1])}{m[2]}", template)
            trace.update(hovertemplate=template.replace("Variable=", "Series="))
    for axis in ("xaxis", "yaxis"):
        title = getattr(fig.layout, axis).title.text
        if title:
            fig.update_layout({axis: {"title": {"text": words(title)}}})
    legend = fig.layout.legend.title.text
    if legend in ("variable", "", None):
        fig.update_layout(legend_title_text="")
    fig.update_layout(separators=".,")  # 1,234.5 with thousands separators
    return fig
