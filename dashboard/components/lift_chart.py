"""Lift intervals drawn so that one crossing zero reads "not proven yet"."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.metrics.lift import Interval, LiftResult

COLORS = {"positive": "#1a7f37", "negative": "#cf222e", "not proven yet": "#8c959f"}


def lift_frame(result: LiftResult) -> pd.DataFrame:
    """One row per measure: estimate, 95% interval and verdict."""
    rows: list[tuple[str, Interval]] = [
        ("Conversion lift (percentage points)", result.conversion.scaled(100)),
        ("Revenue per customer (Welch)", result.revenue_welch),
        ("Revenue per customer (bootstrap)", result.revenue_bootstrap),
        ("Incremental revenue", result.incremental_revenue),
    ]
    frame = pd.DataFrame(
        [
            {"measure": name, "estimate": i.estimate, "low": i.low, "high": i.high}
            | {"verdict": i.verdict}
            for name, i in rows
        ]
    )
    return frame.assign(
        treated=result.treated, control=result.control, window_days=result.window_days
    )


def lift_figure(frame: pd.DataFrame) -> go.Figure:
    """One row per measure, each on its own scale with a dashed zero line: a dot for the
    estimate, a bar for the 95% interval, green above zero, red below, grey across it."""
    fig = make_subplots(
        rows=len(frame),
        cols=1,
        vertical_spacing=0.3 / max(1, len(frame)),
        subplot_titles=[
            f"{m}: {v}" for m, v in zip(frame["measure"], frame["verdict"], strict=True)
        ],
    )
    for i, row in enumerate(frame.to_dict("records"), start=1):
        estimate, low, high = float(row["estimate"]), float(row["low"]), float(row["high"])
        colour = COLORS.get(str(row["verdict"]), COLORS["not proven yet"])
        fig.add_trace(
            go.Scatter(
                x=[estimate],
                y=[""],
                mode="markers",
                marker={"color": colour, "size": 14},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [high - estimate],
                    "arrayminus": [estimate - low],
                    "color": colour,
                    "thickness": 4,
                },
                showlegend=False,
                hovertemplate=f"{estimate:.2f} [{low:.2f}, {high:.2f}]<extra></extra>",
            ),
            row=i,
            col=1,
        )
        fig.add_vline(x=0, line_dash="dash", line_color="#57606a", row=i, col=1)
    fig.update_layout(height=140 * len(frame), margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig
