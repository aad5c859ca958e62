"""Inputs and results of the KPI functions: a period, the global filters, result records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from core.errors import ValidationError

SEGMENTS = (
    "Champions",
    "Loyal",
    "Potential loyalists",
    "New",
    "Need attention",
    "At risk",
    "Hibernating",
)
"""RFM segment names (see :func:`core.metrics.retention.rfm`), usable as a customer filter."""


@dataclass(frozen=True)
class Period:
    """Inclusive local dates in the store's time zone."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValidationError(
                f"The period starts ({self.start}) after it ends ({self.end}).",
                field="period",
                hint="Pick a start date on or before the end date.",
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length that ends the day before this one starts."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def dates(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end, freq="D")

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True)
class Filters:
    """The global filters; an empty tuple means "all". Countries are ISO codes (the order's
    shipping country, else the customer's), segments are RFM segment names."""

    countries: tuple[str, ...] = ()
    delivery_options: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [s for s in self.segments if s not in SEGMENTS]
        if unknown:
            raise ValidationError(
                f"Unknown customer segment {unknown[0]!r}.",
                field="segments",
                hint=f"Use one of: {', '.join(SEGMENTS)}.",
            )

    @property
    def active(self) -> bool:
        return bool(self.countries or self.delivery_options or self.channels or self.segments)


NO_FILTERS = Filters()

KPI_LABELS: dict[str, str] = {
    "orders": "Orders",
    "customers": "Customers",
    "gross_revenue": "Gross revenue",
    "net_revenue": "Net revenue",
    "aov": "AOV (gross)",
    "repeat_rate": "Repeat purchase rate",
    "avg_rating": "Average rating",
    "csat": "CSAT (% 4-5 stars)",
    "nps": "NPS",
    "on_time_rate": "On-time delivery rate",
}
"""The Overview's KPIs, in display order."""


@dataclass(frozen=True)
class SalesSummary:
    """Order KPIs of one window; amounts in the store currency (floats, rounded at display)."""

    orders: int
    customers: int
    repeat_customers: int
    gross_revenue: float
    discounts: float
    refunds: float
    coupon_cost: float

    @property
    def net_revenue(self) -> float:
        """Gross revenue - refunds: discounts and coupon cost are already inside the order
        totals, so they are reported beside it, never subtracted again."""
        return self.gross_revenue - self.refunds

    @property
    def aov(self) -> float | None:
        """Gross AOV: gross revenue / orders (None without orders)."""
        return self.gross_revenue / self.orders if self.orders else None

    @property
    def net_aov(self) -> float | None:
        return self.net_revenue / self.orders if self.orders else None

    @property
    def purchase_frequency(self) -> float | None:
        return self.orders / self.customers if self.customers else None

    @property
    def repeat_purchase_rate(self) -> float | None:
        return self.repeat_customers / self.customers if self.customers else None


@dataclass(frozen=True)
class RatingSummary:
    """Counts behind the satisfaction KPIs: reviews (1-5 stars) and NPS answers (0-10)."""

    reviews: int = 0
    rating_sum: int = 0
    satisfied: int = 0
    nps_answers: int = 0
    promoters: int = 0
    detractors: int = 0

    @property
    def avg_rating(self) -> float | None:
        return self.rating_sum / self.reviews if self.reviews else None

    @property
    def csat(self) -> float | None:
        """100 x share of 4-5 star ratings."""
        return 100.0 * self.satisfied / self.reviews if self.reviews else None

    @property
    def nps(self) -> float | None:
        """100 x (share 9-10 - share 0-6); passives stay in the denominator."""
        if not self.nps_answers:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.nps_answers


@dataclass(frozen=True)
class OverviewResult:
    """KPI values for the period and the previous period of equal length, and daily series
    (one row per local date of the period, columns named as in :data:`KPI_LABELS`)."""

    period: Period
    previous_period: Period
    currency: str
    current: dict[str, float | None]
    previous: dict[str, float | None]
    daily: pd.DataFrame = field(repr=False)

    def delta(self, kpi: str) -> float | None:
        """Current minus previous value (None when either is missing)."""
        now, before = self.current.get(kpi), self.previous.get(kpi)
        if now is None or before is None:
            return None
        return now - before


@dataclass(frozen=True)
class RetentionView:
    """What the Retention page shows (:func:`core.metrics.views.retention_view`). ``gaps``
    counts the gaps between a customer's order days by length (``days, count``)."""

    cohorts: pd.DataFrame
    repeat_by_month: pd.DataFrame
    monthly_retention: pd.DataFrame
    gaps: pd.DataFrame
    median_gap: float | None
    repeat_rate: float | None
    segments: pd.DataFrame
