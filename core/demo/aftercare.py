"""After delivery: refunds (partial and full), reviews whose ratings follow punctuality, NPS,
comments in the customer's language, and referral codes with the first orders they brought."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.demo import catalog
from core.demo.calendar import DAY, HOUR, Calendar
from core.demo.frames import NULL
from core.demo.people import LOCALES

REFUND_RATE_ON_TIME = 0.035
REFUND_RATE_LATE = 0.08
FULL_REFUND_SHARE = 0.4
REVIEW_RATE = 0.35
RATING_ON_TIME = 4.55
RATING_LATE_PENALTY = 2.1
RATING_REFUND_PENALTY = 0.6
NPS_SHARE = 0.45
COMMENT_SHARE = 0.65
REFERRAL_CODE_SHARE = 0.15
REFERRED_SHARE = 0.08


@dataclass
class Refunds:
    amount: np.ndarray  # cents, 0 when none
    at: np.ndarray
    full: np.ndarray


def refunds(
    rng: np.random.Generator,
    cal: Calendar,
    done_at: np.ndarray,
    late: np.ndarray,
    total: np.ndarray,
) -> Refunds:
    n = len(total)
    at = done_at + rng.integers(2 * DAY, 20 * DAY, n)
    rate = np.where(late, REFUND_RATE_LATE, REFUND_RATE_ON_TIME)
    chosen = (done_at != NULL) & (rng.random(n) < rate) & (at < cal.cutoff) & (total > 0)
    full = chosen & (rng.random(n) < FULL_REFUND_SHARE)
    part = np.maximum(np.round(total * rng.uniform(0.2, 0.6, n)).astype(np.int64), 1)
    amount = np.where(full, total, np.where(chosen, np.minimum(part, total), 0))
    return Refunds(amount, np.where(chosen, at, NULL), full)


@dataclass
class Reviews:
    order: np.ndarray  # order index
    rating: np.ndarray
    nps: np.ndarray  # NULL when not asked
    comment: np.ndarray  # object, None when left empty
    submitted_at: np.ndarray


def reviews(
    rng: np.random.Generator,
    cal: Calendar,
    done_at: np.ndarray,
    late: np.ndarray,
    refunded: np.ndarray,
    locale: np.ndarray,
) -> Reviews:
    n = len(done_at)
    delay = DAY + np.minimum(rng.exponential(4 * DAY, n), 30 * DAY).astype(np.int64)
    submitted = done_at + delay
    wrote = (done_at != NULL) & (rng.random(n) < REVIEW_RATE) & (submitted < cal.cutoff)
    idx = np.flatnonzero(wrote)
    mean = RATING_ON_TIME - RATING_LATE_PENALTY * late[idx] - RATING_REFUND_PENALTY * refunded[idx]
    rating = np.clip(np.round(mean + rng.normal(0, 0.8, len(idx))), 1, 5).astype(np.int64)
    nps = np.clip(np.round(2 * rating - 0.5 + rng.normal(0, 1.2, len(idx))), 0, 10).astype(np.int64)
    nps = np.where(rng.random(len(idx)) < NPS_SHARE, nps, NULL)
    comment = _comments(rng, rating, locale[idx])
    return Reviews(idx, rating, nps, comment, submitted[idx])


def _comments(rng: np.random.Generator, rating: np.ndarray, locale: np.ndarray) -> np.ndarray:
    bucket = np.where(rating >= 4, "good", np.where(rating == 3, "mixed", "bad"))
    out = np.full(len(rating), None, dtype=object)
    written = rng.random(len(rating)) < COMMENT_SHARE
    pick = rng.integers(0, 1_000, len(rating))
    for li, loc in enumerate(LOCALES):
        for name, texts in catalog.COMMENTS[loc].items():
            mask = written & (locale == li) & (bucket == name)
            out[mask] = np.array(texts, dtype=object)[pick[mask] % len(texts)]
    return out


@dataclass
class Referrals:
    customer: np.ndarray  # customer index of each code's owner
    code: np.ndarray
    created_at: np.ndarray
    uses: np.ndarray
    order_code: np.ndarray  # per order: the referral code used, or None


def referrals(
    rng: np.random.Generator,
    cal: Calendar,
    customer: np.ndarray,
    seq: np.ndarray,
    placed: np.ndarray,
    done_at: np.ndarray,
    first_names: np.ndarray,
) -> Referrals:
    """Codes for some customers after their first order arrived; some later first orders of
    other customers use a code that existed by then."""
    first = np.flatnonzero(seq == 1)
    created = done_at[first] + rng.integers(HOUR, 10 * DAY, len(first))
    owns = (done_at[first] != NULL) & (rng.random(len(first)) < REFERRAL_CODE_SHARE)
    owns &= created < cal.cutoff
    owner_orders = first[owns]
    order_by_time = np.argsort(created[owns], kind="stable")
    owner = customer[owner_orders][order_by_time]
    created_at = created[owns][order_by_time]
    code = np.array(
        [
            f"{catalog.PREFIX}{catalog.email_slug(first_names[c])[:6].upper()}{c + 1:X}"
            for c in owner.tolist()
        ],
        dtype=object,
    )
    available = np.searchsorted(created_at, placed[first], side="left")
    referred = (available > 0) & (rng.random(len(first)) < REFERRED_SHARE)
    pick = (rng.random(len(first)) * available).astype(np.int64)
    order_code = np.full(len(seq), None, dtype=object)
    used = pick[referred]
    order_code[first[referred]] = code[used] if len(code) else []
    uses = np.bincount(used, minlength=len(code))
    return Referrals(owner, code, created_at, uses, order_code)
