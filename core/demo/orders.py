"""Demo orders: when each customer orders (heavy-tailed repeat behaviour), what they buy, and
the money (integer cents: subtotal - discount + shipping = total, tax included in prices)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.demo import catalog
from core.demo.calendar import Calendar
from core.demo.frames import NONE
from core.demo.people import People

REPEAT_SHAPE = 0.45
"""Gamma shape of customers' order rates: small = few loyal customers place most repeat orders."""
CURRENCIES = ("EUR", "PLN", "SEK")
DELIVERY_CODES = tuple(d.code for d in catalog.DELIVERY_OPTIONS)
DELIVERY_SHARE = np.array([0.62, 0.15, 0.13, 0.10])  # standard, express, click_collect, scheduled


def schedule(
    rng: np.random.Generator, people: People, n_orders: int, cal: Calendar
) -> tuple[np.ndarray, np.ndarray]:
    """(customer index, placed_at) of every order: each customer's first order at acquisition,
    the rest spread over the remaining time with customer-specific, gamma-distributed rates."""
    n = len(people)
    if n_orders <= n:
        return np.arange(n_orders), people.acquired_at[:n_orders].copy()
    rate = rng.gamma(REPEAT_SHAPE, 1.0, n) * (cal.cutoff - people.acquired_at)
    counts = rng.multinomial(n_orders - n, rate / rate.sum())
    owner = np.repeat(np.arange(n), counts)
    later = cal.sample_times(rng, people.acquired_at[owner], cal.day_weights())
    return np.concatenate([np.arange(n), owner]), np.concatenate([people.acquired_at, later])


def in_time_order(
    customer: np.ndarray, placed: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Orders sorted by time (the id order), each one's rank among its customer's orders, and
    the permutation applied."""
    order = np.lexsort((customer, placed))
    customer, placed = customer[order], placed[order]
    by_customer = np.lexsort((placed, customer))
    starts = np.r_[True, customer[by_customer][1:] != customer[by_customer][:-1]]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(customer)), 0))
    seq = np.empty(len(customer), dtype=np.int64)
    seq[by_customer] = np.arange(len(customer)) - group_start + 1
    return customer, placed, seq, order


def currency_of_country() -> np.ndarray:
    return np.array([CURRENCIES.index(c.currency) for c in catalog.COUNTRIES])


def delivery_choice(rng: np.random.Generator, country: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(delivery option index, pickup store index or -1) per order, by what the country offers."""
    codes = [c.code for c in catalog.COUNTRIES]
    pickup_ok = np.isin(country, [codes.index(c) for c in catalog.PICKUP_COUNTRIES])
    slot_ok = np.isin(country, [codes.index(c) for c in catalog.SCHEDULED_COUNTRIES])
    share = np.tile(DELIVERY_SHARE, (len(country), 1))
    share[~pickup_ok, 0] += share[~pickup_ok, 2]
    share[~pickup_ok, 2] = 0
    share[~slot_ok, 0] += share[~slot_ok, 3]
    share[~slot_ok, 3] = 0
    u = rng.random(len(country))[:, None]
    option = (u > np.cumsum(share, axis=1)[:, :3]).sum(axis=1)
    at_vienna = country == codes.index("AT")
    store = np.where(at_vienna, 2, (rng.random(len(country)) < 0.4).astype(np.int64))
    return option, np.where(option == 2, store, -1)


@dataclass
class Lines:
    order: np.ndarray  # order index
    line_no: np.ndarray
    product: np.ndarray  # index into catalog.product_rows()
    quantity: np.ndarray
    unit_cents: np.ndarray


def product_prices() -> np.ndarray:
    """Unit price in cents of each product (rows) in EUR, PLN, SEK (columns)."""
    eur = np.array([round(p * 100) for _, _, _, p in catalog.product_rows()], dtype=np.int64)
    prices = [eur]
    for code in CURRENCIES[1:]:
        rate = float(catalog.RATES_TO_EUR[code])
        prices.append(np.ceil(eur / 100 / rate).astype(np.int64) * 100 - 1)
    return np.stack(prices, axis=1)


def lines(rng: np.random.Generator, currency: np.ndarray) -> Lines:
    n = len(currency)
    per_order = 1 + np.minimum(rng.poisson(0.75, n), 4)
    order = np.repeat(np.arange(n), per_order)
    first = np.r_[0, np.cumsum(per_order)[:-1]]
    line_no = np.arange(len(order)) - first[order] + 1
    rows = catalog.product_rows()
    popularity = rng.permutation(1.0 / np.arange(1, len(rows) + 1) ** 0.8)
    product = rng.choice(len(rows), size=len(order), p=popularity / popularity.sum())
    size = len(catalog.CATEGORIES[rows[0][2]])
    category = product[first[order]] // size
    same = (line_no > 1) & (rng.random(len(order)) < 0.5)
    product = np.where(same, category * size + rng.integers(0, size, len(order)), product)
    quantity = rng.choice([1, 2, 3], size=len(order), p=[0.82, 0.14, 0.04])
    unit = product_prices()[product, currency[order]]
    return Lines(order, line_no, product, quantity, unit)


@dataclass
class Money:
    subtotal: np.ndarray
    discount: np.ndarray
    discount_code: np.ndarray
    shipping: np.ndarray
    total: np.ndarray
    tax: np.ndarray


def money(
    rng: np.random.Generator,
    items: Lines,
    currency: np.ndarray,
    option: np.ndarray,
    country: np.ndarray,
    seq: np.ndarray,
    special_code: np.ndarray,
    special_pct: np.ndarray,
) -> Money:
    """``special_code``/``special_pct``: a referral or coupon code an order used (else None)."""
    n = len(currency)
    subtotal = np.bincount(items.order, weights=items.quantity * items.unit_cents, minlength=n)
    subtotal = np.round(subtotal).astype(np.int64)
    rate = np.array([float(catalog.RATES_TO_EUR[c]) for c in CURRENCIES])[currency]
    code, pct = _discounts(rng, seq, special_code, special_pct)
    discount = np.round(subtotal * pct).astype(np.int64)
    prices = np.array([[catalog.SHIPPING_PRICES[d][c] for c in CURRENCIES] for d in DELIVERY_CODES])
    shipping = prices[option, currency]
    free = (option == 0) & (subtotal * rate >= catalog.FREE_SHIPPING_FROM_EUR * 100)
    shipping = np.where(free, 0, shipping)
    total = subtotal - discount + shipping
    vat = np.array([c.vat for c in catalog.COUNTRIES])[country]
    tax = np.round(total * vat / (1 + vat)).astype(np.int64)
    return Money(subtotal, discount, code, shipping, total, tax)


def _discounts(
    rng: np.random.Generator, seq: np.ndarray, special_code: np.ndarray, special_pct: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = len(seq)
    codes = np.array([c for c, _ in catalog.DISCOUNT_CODES], dtype=object)
    rates = np.array([r for _, r in catalog.DISCOUNT_CODES])
    which = rng.integers(0, len(codes), n)
    seasonal = (seq > 1) & (rng.random(n) < 0.10)
    welcome = (seq == 1) & (rng.random(n) < 0.12)
    special = special_code != None  # noqa: E711 - element-wise on an object array
    code = np.where(seasonal, codes[which], NONE)
    code = np.where(welcome, catalog.WELCOME_CODE[0], code)
    code = np.where(special, special_code, code)
    pct = np.where(seasonal, rates[which], 0.0)
    pct = np.where(welcome, catalog.WELCOME_CODE[1], pct)
    pct = np.where(special, special_pct, pct)
    return code, pct
