"""The simulation: one seeded ``numpy`` generator drives every draw, in a fixed order, so the
same seed, sizes and end date give the same shop. Nothing here touches the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core import orderstate
from core.demo import aftercare, catalog, flows, fulfilment, people, planted, workflow_tables
from core.demo import orders as order_sim
from core.demo.calendar import Calendar
from core.demo.frames import NULL
from core.demo.journeys import Journeys
from core.demo.planted import Plan

VIP_SHARE = 0.05
NEWSLETTER_SHARE = 0.6
CHANNEL_SHARE = np.array([0.64, 0.30, 0.06])


@dataclass
class Shop:
    """Every generated array, indexed by demo customer, order or line number (0-based)."""

    cal: Calendar
    people: people.People
    customer: np.ndarray  # per order
    placed: np.ndarray
    seq: np.ndarray
    currency: np.ndarray
    option: np.ndarray
    store: np.ndarray
    channel: np.ndarray
    timeline: fulfilment.Timeline
    lines: order_sim.Lines
    money: order_sim.Money
    refunds: aftercare.Refunds
    reviews: aftercare.Reviews
    referrals: aftercare.Referrals
    tags: np.ndarray  # per customer: JSON list
    tracking: np.ndarray  # per order: tracking number digits
    journeys: list[Journeys] = field(default_factory=list)
    """The demo workflows' enrolments (review_request, second_order_thank_you), when planned."""
    coupons: flows.Coupons | None = None
    planted: dict[str, Any] = field(default_factory=dict)
    is_planted: np.ndarray | None = None

    @property
    def order_country(self) -> np.ndarray:
        return np.asarray(self.people.country[self.customer])

    @property
    def status(self) -> np.ndarray:
        """The status :func:`core.orderstate.apply_event` gives after the order's events."""
        t = self.timeline
        return orderstate.statuses(
            cancelled=t.cancelled_at != NULL,
            fully_refunded=(self.refunds.at != NULL) & (self.refunds.amount >= self.money.total),
            delivered=t.done_at != NULL,
            shipped=(t.shipped_at != NULL) | (t.ready_at != NULL),
            paid=t.paid_at != NULL,
        )


def default_orders(customers: int) -> int:
    """About 3.4 orders per customer over two years (15-20k for the default 5,000)."""
    return round(customers * 3.4)


def generate(
    seed: int,
    customers: int,
    n_orders: int,
    until: dt.date,
    tz_name: str,
    now: dt.datetime,
    plan: Plan | None = None,
) -> Shop:
    """The whole shop; with a ``plan``, also the demo workflows' history and planted effect."""
    rng = np.random.default_rng(seed)
    cal = Calendar.build(until, tz_name, now)
    folks = people.generate(rng, customers, cal)
    customer, placed = order_sim.schedule(rng, folks, n_orders, cal)
    customer, placed, seq, _ = order_sim.in_time_order(customer, placed)
    is_planted = np.zeros(len(placed), dtype=bool)
    planted_figures: dict[str, Any] = {}
    if plan is not None:
        extra_c, extra_t, planted_figures = planted.plant(
            rng, cal, plan, customer, placed, seq, customers
        )
        flags = np.r_[is_planted, np.ones(len(extra_c), dtype=bool)]
        customer, placed, seq, perm = order_sim.in_time_order(
            np.r_[customer, extra_c], np.r_[placed, extra_t]
        )
        is_planted = flags[perm]
    country = folks.country[customer]
    currency = order_sim.currency_of_country()[country]
    option, store = order_sim.delivery_choice(rng, country)
    channel = rng.choice(len(CHANNEL_SHARE), size=len(placed), p=CHANNEL_SHARE)
    timeline = fulfilment.build(rng, cal, placed, option, country)
    done_at = timeline.done_at
    refs = aftercare.referrals(rng, cal, customer, seq, placed, done_at, folks.first_name)
    code = refs.order_code
    pct = np.where(code != None, catalog.REFERRAL_DISCOUNT, 0.0)  # noqa: E711
    thanks: tuple[Journeys, flows.Coupons] | None = None
    if plan is not None:
        thanks = flows.second_order_thank_you(
            rng, plan, customer, placed, seq, timeline.cancelled_at, cal.cutoff
        )
        used = workflow_tables.redeem(
            rng, thanks[1], thanks[0], customer, placed, is_planted, customers
        )
        pct = np.where(used != None, flows.COUPON_VALUE / 100, pct)  # noqa: E711
        code = np.where(used != None, used, code)  # noqa: E711
    items = order_sim.lines(rng, currency)
    money = order_sim.money(rng, items, currency, option, country, seq, code, pct)
    late = timeline.late
    refunds = aftercare.refunds(rng, cal, done_at, late, money.total)
    locale = folks.locale[customer]
    reviews = aftercare.reviews(rng, cal, done_at, late, refunds.amount > 0, locale)
    tags = _tags(rng, folks, customer, money.total, currency, timeline.cancelled_at)
    tracking = rng.integers(10**11, 10**12, len(placed))
    shop = Shop(
        cal, folks, customer, placed, seq, currency, option, store, channel, timeline,
        items, money, refunds, reviews, refs, tags, tracking,
    )  # fmt: skip
    if plan is not None and thanks is not None:
        review_at = np.full(len(placed), NULL, dtype=np.int64)
        review_at[reviews.order] = reviews.submitted_at
        inputs = flows.ReviewInputs(customer, folks.country, done_at, timeline.delivered_at != NULL,
                                    refunds.at, review_at)  # fmt: skip
        shop.journeys = [flows.review_request(rng, plan, inputs, cal.cutoff), thanks[0]]
        shop.coupons = thanks[1]
        shop.planted = planted_figures
        shop.is_planted = is_planted
    return shop


def _tags(
    rng: np.random.Generator,
    folks: people.People,
    customer: np.ndarray,
    total: np.ndarray,
    currency: np.ndarray,
    cancelled_at: np.ndarray,
) -> np.ndarray:
    """JSON tag lists: ``vip`` for the top spenders (in EUR), ``newsletter`` for many of the
    customers who consented."""
    n = len(folks)
    rates = np.array([float(catalog.RATES_TO_EUR[c]) for c in order_sim.CURRENCIES])
    spend = np.bincount(
        customer, weights=np.where(cancelled_at == NULL, total, 0) * rates[currency], minlength=n
    )
    vip = spend >= np.quantile(spend, 1 - VIP_SHARE) if n else np.zeros(0, dtype=bool)
    newsletter = folks.consent & (rng.random(n) < NEWSLETTER_SHARE)
    labels = np.array(["[]", '["vip"]', '["newsletter"]', '["vip", "newsletter"]'], dtype=object)
    return np.asarray(labels[vip.astype(np.int64) + 2 * newsletter.astype(np.int64)])
