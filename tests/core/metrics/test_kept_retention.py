"""The Retention view read from the kept facts equals the pandas reference over every order,
figure for figure: on the hand-made shop, on a generated shop imported through the CSV
importer (facts merged from the import), for periods ending on the latest order, before it and
after it, with months still in progress; and on the real retail file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core import facts, importers
from core import settings as store_settings
from core.auth import Actor
from core.metrics import frames, kept_retention, views
from core.metrics.types import Filters, Period, RetentionView
from tests.core.metrics.conftest import build

RETAIL_MAP = {
    "InvoiceNo": "order_id",
    "InvoiceDate": "placed_at",
    "CustomerID": "customer_id",
    "TotalPrice": "total",
}


def _built(engine: Engine) -> None:
    with Session(engine) as s:
        facts.ensure(s)
        s.commit()


def _same(engine: Engine, period: Period, now: dt.datetime) -> RetentionView:
    kept = kept_retention.retention_view(engine, period, now)
    assert kept is not None
    reference = views.retention_view_from_orders(engine, period, Filters(), now)
    for name in ("cohorts", "repeat_by_month", "monthly_retention", "gaps"):
        pd.testing.assert_frame_equal(getattr(kept, name), getattr(reference, name), obj=name)
    pd.testing.assert_frame_equal(kept.segments, reference.segments, check_exact=False)
    assert kept.median_gap == reference.median_gap
    assert kept.repeat_rate == pytest.approx(reference.repeat_rate)
    return kept


def _periods(engine: Engine) -> list[tuple[Period, dt.datetime]]:
    """Periods ending on the latest order (today after it, or on it), before it (mid-month
    and on a month end), after it, and the whole history."""
    bounds = frames.date_range(engine)
    assert bounds is not None
    lo, hi = bounds
    after = dt.datetime.combine(hi + dt.timedelta(days=3), dt.time(12), dt.UTC)
    on = dt.datetime.combine(hi, dt.time(12), dt.UTC)
    middle = lo + (hi - lo) / 2
    month_end = middle.replace(day=1) - dt.timedelta(days=1)
    return [
        (Period(hi - dt.timedelta(days=29), hi), after),
        (Period(hi - dt.timedelta(days=29), hi), on),
        (Period(lo, hi), after),
        (Period(lo - dt.timedelta(days=5), hi + dt.timedelta(days=40)), after),
        (Period(middle - dt.timedelta(days=60), middle), after),
        (Period(lo, month_end), after),
        (Period(lo, lo), after),
    ]


def test_hand_made_shop(engine: Engine) -> None:
    build(engine)
    _built(engine)
    for period, now in _periods(engine):
        _same(engine, period, now)
    view = _same(engine, Period(dt.date(2024, 2, 1), dt.date(2024, 3, 31)), _at(2024, 4, 2))
    assert view.cohorts["customers"].tolist() == [2, 2]
    assert view.gaps.to_dict("list") == {"days": [22, 47], "count": [1, 1]}
    assert view.median_gap == 34.5


def _at(*day: int) -> dt.datetime:
    return dt.datetime(*day, 12, tzinfo=dt.UTC)


def _generated_csv(seed: int = 3, rows: int = 400) -> bytes:
    """Orders of 60 customers over 14 months: same-day orders, gaps of a day to a year,
    cancelled orders, two currencies."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2023-01-01T08:00")
    minutes = np.sort(rng.integers(0, 420 * 24 * 60, rows))
    lines = ["order_id,customer_id,placed_at,total,currency,status"]
    for i, minute in enumerate(minutes):
        customer = int(rng.zipf(1.6)) % 60
        at = str(start + np.timedelta64(int(minute), "m")).replace("T", " ")
        status = "cancelled" if rng.random() < 0.1 else "paid"
        currency = "PLN" if customer % 7 == 0 else "EUR"
        lines.append(f"G{i},C{customer},{at}:00,{10 + i % 50}.50,{currency},{status}")
    return ("\n".join(lines) + "\n").encode()


def test_generated_shop_imported_in_two_files(engine: Engine) -> None:
    build(engine)
    data = _generated_csv().decode().splitlines()
    half = len(data) // 2
    for part in (data[: half + 1], [data[0], *data[half + 1 :]]):
        with Session(engine) as s:
            importers.import_csv(s, Actor.cli(), ("\n".join(part) + "\n").encode())
            s.commit()
    with engine.connect() as conn:
        assert facts.check(conn) == []
    for period, now in _periods(engine):
        _same(engine, period, now)


def test_filters_and_missing_facts_take_the_reference(engine: Engine) -> None:
    build(engine)
    period = Period(dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    with Session(engine) as s:
        store_settings.set_meta(s, facts.FACTS_META_KEY, None)
        s.commit()
    assert kept_retention.retention_view(engine, period, _at(2024, 4, 2)) is None
    shown = views.retention_view(engine, period, Filters(channels=("mobile",)), _at(2024, 4, 2))
    assert shown.cohorts["customers"].tolist() == [1]


def test_real_retail_file(engine: Engine, shared_data: Path) -> None:
    data = (shared_data / "online_retail_invoices.csv").read_bytes()
    with Session(engine) as s:
        store_settings.update_settings(s, Actor.cli(), {"currency": "GBP"})
        importers.import_csv(s, Actor.cli(), data, mapping=RETAIL_MAP, currency="GBP")
        s.commit()
    for period, now in _periods(engine)[:5]:
        view = _same(engine, period, now)
    assert view.cohorts.loc["2010-12", "customers"] == 885


def test_empty_store(engine: Engine) -> None:
    _built(engine)
    view = _same(engine, Period(dt.date(2024, 1, 1), dt.date(2024, 1, 31)), _at(2024, 2, 2))
    assert view.cohorts.empty and view.gaps.empty and view.median_gap is None
