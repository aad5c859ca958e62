"""Holdout lift drawn for reading: one chart per measure, the estimate and both ends of the 95%
range written on the chart, a dashed zero line (an interval crossing it reads "not proven yet")."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from core.metrics.impact import money_text
from core.metrics.lift import Interval, LiftResult

COLORS = {"positive": "#1a7f37", "negative": "#cf222e", "not proven yet": "#6e7781"}
VERDICTS = {
    "positive": "proven: higher with messages",
    "negative": "proven: lower with messages",
    "not proven yet": "not proven yet (the range includes zero)",
}


@dataclass(frozen=True)
class Measure:
    title: str
    interval: Interval
    text: Callable[[float], str]


def measures(result: LiftResult, currency: str) -> list[Measure]:
    """The three measures a merchant reads, each with its own unit."""

    def money(v: float) -> str:
        return money_text(v, currency, signed=True)

    def points(v: float) -> str:
        return f"{v:+.1f} pt"

    return [
        Measure("Revenue per customer", result.revenue_welch, money),
        Measure("Customers who ordered (percentage points)", result.conversion.scaled(100), points),
        Measure("Extra revenue over all messaged customers", result.incremental_revenue, money),
    ]


def interval_figure(measure: Measure) -> go.Figure:
    """One measure: a dot for the estimate, a bar for the 95% range, the numbers written."""
    iv = measure.interval
    colour = COLORS.get(iv.verdict, COLORS["not proven yet"])
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[iv.low, iv.high],
            y=[0, 0],
            mode="lines+text",
            line={"color": colour, "width": 6},
            text=[measure.text(iv.low), measure.text(iv.high)],
            textposition=["bottom left", "bottom right"],
            textfont={"size": 14},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[iv.estimate],
            y=[0],
            mode="markers+text",
            marker={"color": colour, "size": 18},
            text=[measure.text(iv.estimate)],
            textposition="top center",
            textfont={"size": 16, "color": colour},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    span = max(abs(iv.low), abs(iv.high), abs(iv.estimate), 1e-9)
    fig.add_vline(x=0, line_dash="dash", line_color="#57606a", annotation_text="no difference")
    fig.update_xaxes(range=[min(iv.low, 0) - span * 0.35, max(iv.high, 0) + span * 0.35])
    fig.update_yaxes(visible=False, range=[-1, 1])
    fig.update_layout(
        title={"text": f"{measure.title}: {VERDICTS.get(iv.verdict, iv.verdict)}", "x": 0},
        height=200,
        margin={"l": 20, "r": 20, "t": 50, "b": 30},
    )
    return fig


def lift_frame(result: LiftResult, currency: str) -> pd.DataFrame:
    """The statistical detail: every method's estimate and exact 95% bounds."""
    rows: list[tuple[str, str, Interval]] = [
        ("Conversion lift (percentage points)", "Newcombe hybrid score", result.conversion.scaled(100)),
        (f"Revenue per customer ({currency})", "Welch t interval", result.revenue_welch),
        (f"Revenue per customer ({currency})", "Bootstrap percentile, 2,000 resamples", result.revenue_bootstrap),
        (f"Extra revenue ({currency})", "Welch interval x messaged customers", result.incremental_revenue),
    ]  # fmt: skip
    return pd.DataFrame(
        [
            {
                "measure": name,
                "method": method,
                "estimate": round(i.estimate, 4),
                "95% low": round(i.low, 4),
                "95% high": round(i.high, 4),
                "verdict": i.verdict,
            }
            for name, method, i in rows
            if not math.isnan(i.low)
        ]
    )
