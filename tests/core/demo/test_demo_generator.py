"""The simulation alone (no database): determinism, Europe, money, timelines, punctuality."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from core.demo import catalog, generator
from core.demo.calendar import Calendar, window_start
from core.demo.frames import NULL

UNTIL = dt.date(2025, 3, 31)
NOW = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
TZ = "Europe/Berlin"


@pytest.fixture(scope="module")
def shop() -> generator.Shop:
    return generator.generate(11, 2_000, 7_000, UNTIL, TZ, NOW)


def test_same_seed_same_shop_other_seed_other_shop(shop: generator.Shop) -> None:
    again = generator.generate(11, 2_000, 7_000, UNTIL, TZ, NOW)
    other = generator.generate(12, 2_000, 7_000, UNTIL, TZ, NOW)
    assert np.array_equal(again.placed, shop.placed)
    assert np.array_equal(again.money.total, shop.money.total)
    assert np.array_equal(again.reviews.rating, shop.reviews.rating)
    assert list(again.people.email) == list(shop.people.email)
    assert not np.array_equal(other.money.total, shop.money.total)


def test_exact_sizes_and_heavy_tailed_repeat_behaviour(shop: generator.Shop) -> None:
    assert len(shop.people) == 2_000 and len(shop.placed) == 7_000
    per_customer = np.bincount(shop.customer, minlength=2_000)
    assert per_customer.min() == 1  # every customer ordered at least once
    assert 0.3 < (per_customer == 1).mean() < 0.7  # many one-time buyers...
    assert per_customer.max() >= 15  # ...and a few very loyal ones
    assert np.array_equal(np.sort(shop.seq[shop.customer == 0]), np.arange(1, per_customer[0] + 1))


def test_countries_locales_time_zones_and_currencies(shop: generator.Shop) -> None:
    countries = {catalog.COUNTRIES[i].code for i in np.unique(shop.people.country)}
    assert len(countries) >= 8
    locales = {list(catalog.FIRST_NAMES)[i] for i in np.unique(shop.people.locale)}
    assert {"de", "fr", "nl", "es", "it", "pl", "sv", "en"} <= locales
    for c_index, country in enumerate(catalog.COUNTRIES):
        mine = shop.people.locale[shop.people.country == c_index]
        assert {list(catalog.FIRST_NAMES)[i] for i in np.unique(mine)} <= set(country.locales)
        orders = shop.currency[shop.order_country == c_index]
        assert {("EUR", "PLN", "SEK")[i] for i in np.unique(orders)} == {country.currency}


def test_emails_use_reserved_example_domains_and_ids_are_prefixed(shop: generator.Shop) -> None:
    domains = {e.rsplit("@", 1)[1] for e in shop.people.email}
    assert domains == set(catalog.EMAIL_DOMAINS)
    assert len(set(shop.people.email)) == len(shop.people)
    assert all(e.startswith("DEMO-") for e in shop.people.external_id)
    assert all(code.startswith("DEMO-") for code in shop.referrals.code)


def test_money_adds_up_in_cents(shop: generator.Shop) -> None:
    m = shop.money
    assert np.array_equal(m.total, m.subtotal - m.discount + m.shipping)
    line_sums = np.bincount(shop.lines.order, weights=shop.lines.quantity * shop.lines.unit_cents)
    assert np.array_equal(line_sums.astype(np.int64), m.subtotal)
    assert (m.discount >= 0).all() and (m.discount <= m.subtotal).all()
    assert ((m.tax > 0) & (m.tax < m.total)).mean() > 0.99
    assert (shop.refunds.amount <= m.total).all()
    assert (shop.refunds.amount[shop.refunds.full] == m.total[shop.refunds.full]).all()


def test_cancellation_and_refund_rates(shop: generator.Shop) -> None:
    cancelled = (shop.timeline.cancelled_at != NULL).mean()
    assert 0.015 < cancelled < 0.05
    done = shop.timeline.done_at != NULL
    refunded = (shop.refunds.amount[done] > 0).mean()
    assert 0.02 < refunded < 0.07
    assert shop.refunds.full.any() and ((shop.refunds.amount > 0) & ~shop.refunds.full).any()


def test_timelines_are_ordered_and_end_before_the_cutoff(shop: generator.Shop) -> None:
    t = shop.timeline
    steps = [shop.placed, t.paid_at, t.shipped_at, t.out_for_delivery_at, t.delivered_at]
    for earlier, later in itertools.pairwise(steps):
        both = (earlier != NULL) & (later != NULL)
        assert (earlier[both] <= later[both]).all()
    both = (t.ready_at != NULL) & (t.picked_up_at != NULL)
    assert both.any() and (t.ready_at[both] < t.picked_up_at[both]).all()
    for column in (
        t.paid_at,
        t.delivered_at,
        t.picked_up_at,
        shop.refunds.at,
        shop.reviews.submitted_at,
    ):
        assert (column[column != NULL] < shop.cal.cutoff).all()
    assert (shop.placed >= shop.cal.midnights[0]).all()


def test_late_deliveries_are_rated_about_two_stars_lower(shop: generator.Shop) -> None:
    late = shop.timeline.late
    assert 0.05 < late[shop.timeline.done_at != NULL].mean() < 0.2
    ratings = shop.reviews.rating
    reviewed_late = late[shop.reviews.order]
    gap = ratings[~reviewed_late].mean() - ratings[reviewed_late].mean()
    assert gap > 1.0
    done = (shop.timeline.done_at != NULL).sum()
    assert 0.25 < len(ratings) / done < 0.45


def test_local_dates_follow_the_store_time_zone() -> None:
    cal = Calendar.build(dt.date(2025, 3, 31), TZ, NOW)
    # 2025-03-29 23:30 UTC is 00:30 on the 30th in Berlin (still CET); 03-30 22:30 UTC is
    # 00:30 on the 31st (CEST since that night).
    moments = pd.to_datetime(["2025-03-29 23:30", "2025-03-30 22:30"], utc=True)
    seconds = moments.as_unit("s").asi8
    days = cal.epoch_days(seconds).astype("datetime64[D]")
    local = [m.astimezone(ZoneInfo(TZ)).date() for m in moments.to_pydatetime()]
    assert [np.datetime64(d, "D") for d in local] == list(days)
    assert list(cal.month(seconds)) == ["2025-03", "2025-03"]
    assert window_start(dt.date(2025, 3, 31)) == dt.date(2023, 4, 1)
    assert window_start(dt.date(2024, 2, 29)) == dt.date(2022, 3, 1)


def test_fewer_orders_than_customers_and_a_cutoff_of_now() -> None:
    now = dt.datetime(2025, 3, 31, 9, 0, tzinfo=dt.UTC)
    small = generator.generate(3, 50, 20, UNTIL, TZ, now)
    assert len(small.placed) == 20
    assert (small.placed < now.timestamp()).all()
