"""The two demo workflows step by step: ``review_request`` and ``second_order_thank_you``
(the engine presets' steps, ids and outcomes), vectorised over all enrolments."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from core.demo.calendar import DAY
from core.demo.frames import NONE, NULL, iso
from core.demo.journeys import EXIT, Journeys, next_send_time, start
from core.demo.planted import Plan, second_orders

REMINDER_DAYS = 5
COUPON_VALUE = 10
COUPON_DAYS = 30
COUPON_PREFIX = "THANKS"
WOKEN_AFTER = 60
"""Seconds between a review and the worker waking the enrolment waiting for it."""


def _by(moment: np.ndarray, when: np.ndarray) -> np.ndarray:
    return np.asarray((moment != NULL) & (moment <= when))


def _state(parts: list[tuple[np.ndarray, str, np.ndarray]], n: int) -> np.ndarray:
    """JSON ``Enrolment.state`` from (mask, key, values) parts; ``done`` lists are lists."""
    states: list[dict[str, object]] = [{} for _ in range(n)]
    done: list[list[object]] = [[] for _ in range(n)]
    for mask, key, values in parts:
        for i in np.flatnonzero(mask).tolist():
            if key == "done":
                done[i].append(values[i])
                states[i]["done"] = done[i]
            else:
                states[i][key] = values[i]
    return np.array([json.dumps(s) for s in states], dtype=object)


def review_request(
    rng: np.random.Generator, plan: Plan, shop_arrays: ReviewInputs, cutoff: int
) -> Journeys:
    a = shop_arrays
    idx = np.flatnonzero((a.done_at != NULL) & (a.done_at >= plan.activated_at))
    n = len(idx)
    cust = a.customer[idx]
    country = a.country[cust]
    enter = a.done_at[idx] + rng.integers(60, 300, n)
    trigger = np.where(a.delivered[idx], "delivered", "picked_up").astype(object)
    hold = plan.holdout(plan.review_id, plan.customer_base + cust)
    j = start(
        "review_request", plan.review_id, idx, cust, trigger, a.done_at[idx], enter, hold, "wait7"
    )
    x = enter + 7 * DAY
    y = next_send_time(x, country)
    z = y + REMINDER_DAYS * DAY
    refunded, review = a.refunded_at[idx], a.review_at[idx]
    iso_x, iso_y, iso_z = iso(x), iso(y), iso(z)
    everyone = np.ones(n, dtype=bool)

    j.run(everyone, "wait7", "wait", "waiting", "waiting until " + iso_x, enter)
    j.wait(everyone, "wait7", x)
    at_x = x < cutoff
    j.run(at_x, "wait7", "wait", "done", "waited until " + iso_x, x)
    exit_x = at_x & _by(refunded, x)
    j.run(exit_x, "time", "wait_until", "exited", EXIT, x)
    j.finish(exit_x, "exited", x, "time")
    go_x = at_x & ~exit_x
    j.run(go_x, "time", "wait_until", "waiting", "waiting until " + iso_y, x)
    j.wait(go_x, "time", y)
    at_y = go_x & (y < cutoff)
    j.run(at_y, "time", "wait_until", "done", "waited until " + iso_y, y)
    exit_y = at_y & _by(refunded, y)
    j.send(exit_y, "ask", "review_request", y, "exit_condition")
    j.run(exit_y, "ask", "send_email", "exited", EXIT, y)
    j.finish(exit_y, "exited", y, "ask")
    ask = at_y & ~exit_y
    part = j.send(ask, "ask", "review_request", y, np.where(hold, "holdout", NONE))
    detail = np.where(
        hold, "review_request: suppressed (holdout)", "review_request queued (message {m})"
    )
    j.run(ask, "ask", "send_email", np.where(hold, "skipped", "done"), detail, y, part)

    reviewed = ask & _by(review, y)
    j.run(reviewed, "await", "wait_event", "done", "review_submitted happened", y)
    j.finish(reviewed, "completed", y)
    waiting = ask & ~reviewed
    j.run(
        waiting, "await", "wait_event", "waiting", "waiting for review_submitted until " + iso_z, y
    )
    j.wait(waiting, "await", z, "review_submitted")
    woken_at = review + WOKEN_AFTER
    woken = waiting & _by(review, z) & (woken_at < cutoff)
    j.run(woken, "await", "wait_event", "done", "review_submitted happened", woken_at)
    j.finish(woken, "completed", woken_at)
    timeout = waiting & ~_by(review, z) & (z < cutoff)
    j.run(
        timeout,
        "await",
        "wait_event",
        "done",
        "no review_submitted by " + iso_z + ": timeout path",
        z,
    )
    exit_z = timeout & _by(refunded, z)
    j.send(exit_z, "remind", "review_reminder", z, "exit_condition")
    j.run(exit_z, "remind", "send_email", "exited", EXIT, z)
    j.finish(exit_z, "exited", z, "remind")
    remind = timeout & ~exit_z
    part = j.send(remind, "remind", "review_reminder", z, np.where(hold, "holdout", NONE))
    detail = np.where(
        hold, "review_reminder: suppressed (holdout)", "review_reminder queued (message {m})"
    )
    j.run(remind, "remind", "send_email", np.where(hold, "skipped", "done"), detail, z, part)
    j.finish(remind, "completed", z)

    j.state = _state(
        [
            (everyone, "wait:wait7", iso_x),
            (go_x, "wait:time", iso_y),
            (ask, "done", np.full(n, "ask", dtype=object)),
            (
                ask,  # the wait is started (and its window stored) before the review is checked
                "wait:await",
                np.array(
                    [{"since": s, "until": u} for s, u in zip(iso_y, iso_z, strict=True)],
                    dtype=object,
                ),
            ),
            (remind, "done", np.full(n, "remind", dtype=object)),
        ],
        n,
    )
    return j


@dataclass
class ReviewInputs:
    customer: np.ndarray  # per order
    country: np.ndarray  # per customer
    done_at: np.ndarray
    delivered: np.ndarray  # bool: home delivery (else pickup)
    refunded_at: np.ndarray
    review_at: np.ndarray


@dataclass
class Coupons:
    enrolment: np.ndarray  # index of the enrolment that issued it
    code: np.ndarray
    issued_at: np.ndarray
    expires_at: np.ndarray
    redeemed_order: np.ndarray  # order index or NULL


def coupon_codes(n: int, salt: int) -> np.ndarray:
    """Unique ``THANKS-XXXXXXXX`` codes: an odd multiplier makes the mapping one-to-one."""
    mixed = (
        np.arange(n, dtype=np.uint64) * np.uint64(2_654_435_761) + np.uint64(salt)
    ) % np.uint64(2**32)
    return np.array([f"{COUPON_PREFIX}-{v:08X}" for v in mixed.tolist()], dtype=object)


def second_order_thank_you(
    rng: np.random.Generator,
    plan: Plan,
    customer: np.ndarray,
    placed: np.ndarray,
    seq: np.ndarray,
    cancelled_at: np.ndarray,
    cutoff: int,
) -> tuple[Journeys, Coupons]:
    idx = second_orders(seq, placed, plan.activated_at)
    n = len(idx)
    cust = customer[idx]
    enter = placed[idx] + rng.integers(60, 300, n)
    hold = plan.holdout(plan.thanks_id, plan.customer_base + cust)
    trigger = np.full(n, "placed", dtype=object)
    j = start(
        "second_order_thank_you",
        plan.thanks_id,
        idx,
        cust,
        trigger,
        placed[idx],
        enter,
        hold,
        "wait1",
    )
    x = enter + DAY
    iso_x = iso(x)
    everyone = np.ones(n, dtype=bool)
    j.run(everyone, "wait1", "wait", "waiting", "waiting until " + iso_x, enter)
    j.wait(everyone, "wait1", x)
    at_x = x < cutoff
    j.run(at_x, "wait1", "wait", "done", "waited until " + iso_x, x)
    exit_x = at_x & _by(cancelled_at[idx], x)
    j.run(exit_x, "coupon", "issue_coupon", "exited", EXIT, x)
    j.finish(exit_x, "exited", x, "coupon")
    go = at_x & ~exit_x
    issued = go & ~hold
    codes = coupon_codes(n, int(rng.integers(0, 2**32)))
    expires = x + COUPON_DAYS * DAY
    expiry_dates = np.array([s[:10] if s else "" for s in iso(expires).tolist()], dtype=object)
    detail = np.array(
        [
            f"coupon {c} ({COUPON_VALUE} percent), expires {d}"
            for c, d in zip(codes, expiry_dates, strict=True)
        ],
        dtype=object,
    )
    j.run(
        go,
        "coupon",
        "issue_coupon",
        np.where(hold, "skipped", "done"),
        np.where(hold, "holdout", detail),
        x,
    )
    part = j.send(go, "thanks", "thank_you_coupon", x, np.where(hold, "holdout", NONE))
    detail = np.where(
        hold, "thank_you_coupon: suppressed (holdout)", "thank_you_coupon queued (message {m})"
    )
    j.run(go, "thanks", "send_email", np.where(hold, "skipped", "done"), detail, x, part)
    j.finish(go, "completed", x)
    j.state = _state(
        [(everyone, "wait:wait1", iso_x), (issued, "done", np.full(n, "coupon", dtype=object)),
         (issued, "coupon_code", codes), (go, "done", np.full(n, "thanks", dtype=object))],
        n,
    )  # fmt: skip
    mine = np.flatnonzero(issued)
    coupons = Coupons(
        mine, codes[mine], x[mine], expires[mine], np.full(len(mine), NULL, dtype=np.int64)
    )
    return j, coupons
