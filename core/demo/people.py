"""Demo customers: country, language, time zone, names, example-domain emails, consent."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.demo import catalog
from core.demo.calendar import DAY, Calendar
from core.demo.frames import NONE, NULL

LOCALES = tuple(catalog.FIRST_NAMES)
CONSENT_RATE = 0.70
UNSUBSCRIBE_RATE = 0.04
CONSENT_SOURCES = np.array(["checkout", "newsletter_form", "account_signup"], dtype=object)


@dataclass
class People:
    """One entry per customer (index = demo customer number - 1)."""

    country: np.ndarray  # index into catalog.COUNTRIES
    locale: np.ndarray  # index into LOCALES
    first_name: np.ndarray
    last_name: np.ndarray
    email: np.ndarray
    external_id: np.ndarray
    acquired_at: np.ndarray  # first order (or sign-up) instant
    consent: np.ndarray  # bool, current consent
    consent_source: np.ndarray
    consent_at: np.ndarray
    unsubscribed_at: np.ndarray

    def __len__(self) -> int:
        return len(self.country)


def _names(
    rng: np.random.Generator, locale: np.ndarray, table: dict[str, tuple[str, ...]]
) -> np.ndarray:
    flat = np.array([name for loc in LOCALES for name in table[loc]], dtype=object)
    sizes = np.array([len(table[loc]) for loc in LOCALES])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pick = (rng.random(len(locale)) * sizes[locale]).astype(np.int64)
    return np.asarray(flat[starts[locale] + pick])


def _locales(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    choices = [c.locales for c in catalog.COUNTRIES]
    first = np.array([LOCALES.index(c[0]) for c in choices])
    second = np.array([LOCALES.index(c[-1]) for c in choices])
    use_second = rng.random(len(country)) < 0.4
    return np.asarray(np.where(use_second, second[country], first[country]))


def generate(rng: np.random.Generator, n: int, cal: Calendar) -> People:
    weights = np.array([c.weight for c in catalog.COUNTRIES])
    country = rng.choice(len(weights), size=n, p=weights / weights.sum())
    locale = _locales(rng, country)
    first = _names(rng, locale, catalog.FIRST_NAMES)
    last = _names(rng, locale, catalog.LAST_NAMES)
    domains = catalog.EMAIL_DOMAINS
    slug = {name: catalog.email_slug(name) for name in set(first) | set(last)}
    email = np.array(
        [
            f"{slug[f]}.{slug[s]}.{i + 1}@{domains[i % 3]}"
            for i, (f, s) in enumerate(zip(first.tolist(), last.tolist(), strict=True))
        ],
        dtype=object,
    )
    external_id = np.array([f"{catalog.PREFIX}C{i + 1:07d}" for i in range(n)], dtype=object)
    weights_by_day = cal.day_weights(growth=1.2)
    acquired = cal.sample_times(rng, np.full(n, cal.midnights[0] - 600), weights_by_day)
    acquired = np.minimum(acquired, cal.cutoff - 7_200)
    consent = rng.random(n) < CONSENT_RATE
    source = np.where(consent, CONSENT_SOURCES[rng.integers(0, 3, n)], NONE)
    consent_at = np.where(consent, acquired - rng.integers(0, 600, n), NULL)
    unsub_at = consent_at + rng.integers(20, 500, n) * DAY + rng.integers(0, DAY, n)
    unsubscribed = consent & (rng.random(n) < UNSUBSCRIBE_RATE) & (unsub_at < cal.cutoff)
    return People(
        country=country,
        locale=locale,
        first_name=first,
        last_name=last,
        email=email,
        external_id=external_id,
        acquired_at=acquired,
        consent=consent & ~unsubscribed,
        consent_source=source,
        consent_at=consent_at,
        unsubscribed_at=np.where(unsubscribed, unsub_at, NULL),
    )
