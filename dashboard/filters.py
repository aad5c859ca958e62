"""The global KPI filters: date range, country, delivery option, channel, customer segment.

They live in the sidebar, are stored in ``st.session_state[state.FILTERS]`` so that every KPI
page opens with the same choice, and return ``(Period, Filters)``. The default period is the 30
days ending on the latest order's date (history imported from years ago still shows). Channels
and shipping countries are offered from the latest 50,000 orders written (see
``frames.filter_options``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from core.metrics import frames
from core.metrics.types import SEGMENTS, Filters, Period
from dashboard import resources, state

DEFAULT_DAYS = 30
LISTS = {
    "countries": "Country",
    "delivery_options": "Delivery option",
    "channels": "Channel",
    "segments": "Customer segment (RFM)",
}
KEY = "filters."


@st.cache_data(show_spinner=False)
def _options(version: int) -> tuple[dict[str, list[str]], tuple[dt.date, dt.date] | None]:
    engine = resources.engine()
    options = frames.filter_options(engine)
    options["segments"] = list(SEGMENTS)
    return options, frames.date_range(engine)


def default_period(bounds: tuple[dt.date, dt.date] | None) -> Period:
    end = bounds[1] if bounds else dt.date.today()
    return Period(end - dt.timedelta(days=DEFAULT_DAYS - 1), end)


def _stored(bounds: tuple[dt.date, dt.date] | None) -> dict[str, Any]:
    stored = st.session_state.get(state.FILTERS)
    if not isinstance(stored, dict):
        period = default_period(bounds)
        stored = {"start": period.start, "end": period.end, **{name: [] for name in LISTS}}
        st.session_state[state.FILTERS] = stored
    return stored


def _seed(key: str, value: Any) -> None:
    """Give a widget its stored value when it is (re)created on another page."""
    if key not in st.session_state:
        st.session_state[key] = value


def global_filters() -> tuple[Period, Filters]:
    """Draw the filters in the sidebar and return the chosen period and filters."""
    options, bounds = _options(resources.data_version())
    stored = _stored(bounds)
    with st.sidebar:
        st.subheader("Filters")
        _seed(KEY + "dates", (stored["start"], stored["end"]))
        picked = st.date_input(
            "Period (store time zone, inclusive)",
            key=KEY + "dates",
            format="YYYY-MM-DD",
            help="KPIs compare this period with the previous period of equal length.",
        )
        dates = list(picked) if isinstance(picked, tuple | list) else [picked]
        if len(dates) == 2 and dates[0] is not None and dates[1] is not None:
            stored["start"], stored["end"] = min(dates), max(dates)
        for name, label in LISTS.items():
            choices = options.get(name, [])
            _seed(KEY + name, [v for v in stored[name] if v in choices])
            stored[name] = st.multiselect(label, choices, key=KEY + name, placeholder="All")
        if bounds:
            st.caption(f"Orders from {bounds[0]} to {bounds[1]}.")
    st.session_state[state.FILTERS] = stored
    filters = Filters(**{name: tuple(stored[name]) for name in LISTS})
    return Period(stored["start"], stored["end"]), filters
