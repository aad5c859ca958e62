"""Store settings: typed, validated, stored one row per key, with a data version.

``data_version`` changes on every import, event or demo load; the dashboard keys its caches on
it so new data shows without a restart.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import audit
from core.auth import Action, Actor, check_email, require
from core.errors import FIELD_LABELS, ValidationError
from core.meta import get_meta as get_meta  # re-exported: store_settings.get_meta
from core.meta import set_meta as set_meta
from core.models import Setting
from core.money import check_currency
from core.timeutil import zone

SUPPORTED_LOCALES = ("en", "de", "fr", "nl", "es", "it", "pl", "sv")
DATA_VERSION_KEY = "_data_version"
DEMO_META_KEY = "_demo"
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class StoreSettings:
    name: str = "My shop"
    currency: str = "EUR"
    timezone: str = "Europe/Berlin"
    default_locale: str = "en"
    exchange_rates: dict[str, Decimal] = field(default_factory=dict)
    sender_name: str = "My shop"
    sender_email: str = "shop@example.com"
    reply_to: str = ""
    quiet_hours_start: str = "21:00"
    quiet_hours_end: str = "08:00"
    frequency_cap_count: int = 3
    frequency_cap_days: int = 7
    public_base_url: str = "http://localhost:8501"
    attribution_window_days: int = 5
    referral_reward_days: int = 14
    referral_reward_amount: int = 10
    referral_flag_uses: int = 5
    shopify_shop_domain: str = ""
    shopify_price_rule: str = ""
    shopify_referral_price_rule: str = ""
    outbound_allowed_hosts: str = ""
    retention_years: int = 0

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def rate(self, currency: str) -> Decimal:
        """Value of one unit of ``currency`` in the store currency."""
        if currency == self.currency:
            return Decimal(1)
        from core.money import convert

        return convert(Decimal(1), currency, self.currency, self.exchange_rates)


LABELS: dict[str, str] = {
    "name": "Store name",
    "currency": "Store currency",
    "timezone": "Time zone",
    "default_locale": "Default language",
    "exchange_rates": "Exchange rates to the store currency",
    "sender_name": "Sender name",
    "sender_email": "Sender address",
    "reply_to": "Reply-to address",
    "quiet_hours_start": "Quiet hours start (customer's local time)",
    "quiet_hours_end": "Quiet hours end",
    "frequency_cap_count": "Marketing messages per customer at most",
    "frequency_cap_days": "... within this many days",
    "public_base_url": "Public base URL (links in emails)",
    "attribution_window_days": "Attribution window (days)",
    "referral_reward_days": "Referral reward after this many days without refund",
    "referral_reward_amount": "Referral reward when the code names none (store currency)",
    "referral_flag_uses": "Flag a referral code used this often within 7 days",
    "shopify_shop_domain": "Shopify shop domain (e.g. my-shop.myshopify.com)",
    "shopify_price_rule": "Shopify price rule for coupon codes (id or title)",
    "shopify_referral_price_rule": "Shopify price rule of the friend's referral discount",
    "outbound_allowed_hosts": "Hosts on a private network that webhooks may call",
    "retention_years": "Anonymise customers inactive for this many years (0: never)",
}
FIELD_LABELS.update(LABELS)


def _text(key: str, value: str) -> str:
    value = str(value).strip()
    if not value:
        raise ValidationError("must not be empty.", field=key)
    if len(value) > 200:
        raise ValidationError("is longer than 200 characters.", field=key)
    return value


def _int_between(lo: int, hi: int) -> Callable[[str, Any], int]:
    def check(key: str, value: Any) -> int:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValidationError(f"{value!r} is not a whole number.", field=key) from None
        if not lo <= number <= hi:
            raise ValidationError(f"must be between {lo} and {hi}.", field=key)
        return number

    return check


def _hhmm(key: str, value: Any) -> str:
    text = str(value).strip()
    if not _HHMM.match(text):
        raise ValidationError(f"{text!r} is not a time.", field=key, hint="Use HH:MM, e.g. 21:00.")
    return text


def _locale(key: str, value: Any) -> str:
    text = str(value).strip().replace("-", "_")
    try:
        Locale.parse(text)
    except (UnknownLocaleError, ValueError):
        raise ValidationError(f"Unknown language {text!r}.", field=key) from None
    if text.split("_")[0] not in SUPPORTED_LOCALES:
        raise ValidationError(
            f"{text!r} has no templates.",
            field=key,
            hint=f"Use one of {', '.join(SUPPORTED_LOCALES)}.",
        )
    return text


def _url(key: str, value: Any) -> str:
    text = str(value).strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", text):
        raise ValidationError(
            f"{text!r} is not a web address.", field=key, hint="Use https://shop.example."
        )
    return text


def _rates(key: str, value: Any) -> dict[str, Decimal]:
    if isinstance(value, str):
        pairs = [p for p in re.split(r"[,\s]+", value.strip()) if p]
        value = {code: rate for code, _, rate in (p.partition("=") for p in pairs)}
    if not isinstance(value, dict):
        raise ValidationError("must map currencies to rates, e.g. PLN=0.23,SEK=0.087.", field=key)
    rates: dict[str, Decimal] = {}
    for code, raw in value.items():
        cur = check_currency(str(code), field=f"{key}.{code}")
        try:
            rate = Decimal(str(raw).replace(",", "."))
        except InvalidOperation:
            raise ValidationError(f"{raw!r} is not a number.", field=f"{key}.{cur}") from None
        if not rate.is_finite() or rate <= 0:
            raise ValidationError("must be a positive number.", field=f"{key}.{cur}")
        rates[cur] = rate
    return rates


def _shop_domain(key: str, value: Any) -> str:
    text = str(value).strip().lower().removeprefix("https://").rstrip("/")
    if text and not re.match(r"^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$", text):
        raise ValidationError(
            f"{text!r} is not a shop domain.", field=key, hint="Use my-shop.myshopify.com."
        )
    return text


def _short_text(key: str, value: Any) -> str:
    text = str(value).strip()
    if len(text) > 255:
        raise ValidationError("is longer than 255 characters.", field=key)
    return text


def _hosts(key: str, value: Any) -> str:
    """Comma-separated host names, IP addresses or host:port that outgoing calls may reach
    although they resolve to private, local or reserved addresses (core.outbound)."""
    items = value if isinstance(value, list | tuple) else re.split(r"[,\s]+", str(value))
    hosts: list[str] = []
    for raw in items:
        item = str(raw).strip().lower().rstrip(".")
        if not item:
            continue
        if not re.fullmatch(r"(\[[0-9a-f:.]+\]|[a-z0-9._:-]+)(:\d{1,5})?", item) or "/" in item:
            raise ValidationError(
                f"{raw!r} is not a host name.",
                field=key,
                hint="Use names like hooks.internal or 10.0.0.5:8080, separated by commas.",
            )
        hosts.append(item)
    return ", ".join(dict.fromkeys(hosts))


def _email_or_empty(key: str, value: Any) -> str:
    text = str(value).strip()
    return check_email(text, field=key) if text else ""


VALIDATORS: dict[str, Callable[[str, Any], Any]] = {
    "name": _text,
    "currency": lambda k, v: check_currency(str(v), field=k),
    "timezone": lambda k, v: zone(str(v).strip()).key,
    "default_locale": _locale,
    "exchange_rates": _rates,
    "sender_name": _text,
    "sender_email": lambda k, v: check_email(str(v), field=k),
    "reply_to": _email_or_empty,
    "quiet_hours_start": _hhmm,
    "quiet_hours_end": _hhmm,
    "frequency_cap_count": _int_between(0, 100),
    "frequency_cap_days": _int_between(1, 365),
    "public_base_url": _url,
    "attribution_window_days": _int_between(1, 90),
    "referral_reward_days": _int_between(0, 365),
    "referral_reward_amount": _int_between(1, 100000),
    "referral_flag_uses": _int_between(1, 10000),
    "shopify_shop_domain": _shop_domain,
    "shopify_price_rule": _short_text,
    "shopify_referral_price_rule": _short_text,
    "outbound_allowed_hosts": _hosts,
    "retention_years": _int_between(0, 30),
}


def _to_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items()}
    return value


def load(session: Session) -> StoreSettings:
    """The store settings, defaults filled in."""
    rows = {s.key: s.value for s in session.scalars(select(Setting))}
    values: dict[str, Any] = {}
    for f in dataclasses.fields(StoreSettings):
        if f.name in rows:
            raw = rows[f.name]
            values[f.name] = (
                {k: Decimal(v) for k, v in raw.items()} if f.name == "exchange_rates" else raw
            )
    return StoreSettings(**values)


def validate(key: str, value: Any) -> Any:
    """The cleaned value of one setting, or a ValidationError naming it."""
    if key.startswith("rate."):
        return _rates("exchange_rates", {key[5:]: value})
    if key not in VALIDATORS:
        raise ValidationError(
            f"Unknown setting {key!r}.", field=key, hint=f"Known settings: {', '.join(VALIDATORS)}."
        )
    return VALIDATORS[key](key, value)


LOCAL_URL_WARNING = (
    "Links in emails (reviews, referrals, unsubscribe) point to {url}, which only works on this "
    "computer: customers cannot open them. Set the public address of this dashboard on the "
    "Settings page."
)


def points_at_localhost(url: str) -> bool:
    """True when ``url`` names this machine (customers could not open links to it)."""
    host = re.sub(r"^https?://", "", url.strip().lower()).split("/")[0]
    host = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    return (
        host in ("localhost", "0.0.0.0", "[::1]")
        or host.endswith(".localhost")
        or host.startswith("127.")
    )


def update_settings(session: Session, actor: Actor, changes: dict[str, Any]) -> StoreSettings:
    """Validate every change first, then write them all (or none). ``rate.XXX`` keys merge
    into the exchange rates. Changing the time zone recomputes the local date columns."""
    require(actor, Action.EDIT_SETTINGS)
    current = load(session)
    cleaned: dict[str, Any] = {}
    problems: list[ValidationError] = []
    for key, value in changes.items():
        try:
            clean = validate(key, value)
        except ValidationError as exc:
            problems.append(exc)
            continue
        if key.startswith("rate."):
            merged = dict(cleaned.get("exchange_rates", current.exchange_rates))
            merged.update(clean)
            cleaned["exchange_rates"] = merged
        else:
            cleaned[key] = clean
    if problems:
        raise ValidationError("; ".join(str(p) for p in problems), field=problems[0].field)
    now = dt.datetime.now(dt.UTC)
    for key, value in cleaned.items():
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=_to_json(value), updated_at=now))
        else:
            row.value = _to_json(value)
            row.updated_at = now
    session.flush()
    new = load(session)
    if new.timezone != current.timezone:
        recompute_local_dates(session, new.tz)
    audit.record(
        session, actor.name, "settings.update", None, {k: str(v) for k, v in cleaned.items()}
    )
    bump_data_version(session)
    return new


def recompute_local_dates(session: Session, tz: ZoneInfo) -> None:
    """Rewrite the local date/month columns after a time-zone change (and so every customer's
    facts, whose days are local days)."""
    from core import facts
    from core.models import Order, Review

    facts.touch_all(session)
    orders = session.execute(select(Order.id, Order.placed_at)).all()
    if orders:
        session.execute(
            update(Order),
            [
                {
                    "id": oid,
                    "placed_date": at.astimezone(tz).date(),
                    "placed_month": at.astimezone(tz).strftime("%Y-%m"),
                }
                for oid, at in orders
            ],
        )
    reviews = session.execute(select(Review.id, Review.submitted_at)).all()
    if reviews:
        session.execute(
            update(Review),
            [{"id": rid, "submitted_date": at.astimezone(tz).date()} for rid, at in reviews],
        )


def data_version(session: Session) -> int:
    return int(get_meta(session, DATA_VERSION_KEY, 0))


def bump_data_version(session: Session) -> int:
    """Mark the data as changed (imports, events, demo); returns the new version."""
    version = data_version(session) + 1
    set_meta(session, DATA_VERSION_KEY, version)
    return version
