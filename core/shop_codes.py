"""Coupon codes reach the shop: Shopify's Admin API when configured, a CSV otherwise.

Shopify (REST Admin API, ``/admin/api/{version}``): every unredeemed, unexpired coupon not yet in
the shop is created as a discount code under the price rule the merchant names (setting
``shopify_price_rule``: its numeric id, or its title, looked up with ``GET price_rules.json``)::

    POST /admin/api/2024-10/price_rules/{price_rule_id}/discount_codes.json
    X-Shopify-Access-Token: <token>        {"discount_code": {"code": "THANKS-7F3K"}}
    201 {"discount_code": {"id": 1054381139, "price_rule_id": 507328175, "code": "THANKS-7F3K",
         "usage_count": 0, ...}}

The shop domain is the ``shopify_shop_domain`` setting; the token comes only from the
environment or the secrets file (``ORDERFLOW_SHOPIFY_ADMIN_TOKEN``), never from the database.
Every call goes through :mod:`core.outbound` (address checks, total deadline, no redirects)
and no database transaction is open during a call: pending codes are read in one short
transaction and each result is written in its own.

Referral codes (one per advocate, used by friends) are created the same way under a second price
rule, the friend's discount (setting ``shopify_referral_price_rule``), when it is set.

Answers: 201 records the shop's id (``shop_ref``) and ``shop_pushed_at``; 422 saying
the code is taken means it is in the shop already (recorded as pushed); 429 (after its
``Retry-After``, at most ``MAX_WAIT`` seconds), 5xx and network failures are retried up to
``ATTEMPTS`` times with backoff; 401/403 (token refused), 404 (no such price rule) and other
4xx stop the push with a :class:`ShopApiError` naming what to fix. The message never quotes the
shop's answer body.

With a token, the worker pushes new codes every cycle before it sends the emails that show them
(:func:`push_from_worker`). Without a token: :func:`unredeemed_codes` is the table the merchant uploads instead (code, type,
value, currency, expires_at, customer_email), from ``python -m core coupons export`` or the
Coupons page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from core import config, outbound
from core import settings as store_settings
from core.auth import Action, Actor, require
from core.engine.sqlutil import open_session
from core.errors import ConfigError, OrderflowError, OutboundError
from core.models import Coupon, Customer, ReferralCode

log = logging.getLogger(__name__)
TOKEN_KEY = "ORDERFLOW_SHOPIFY_ADMIN_TOKEN"
API_VERSION = "2024-10"
ATTEMPTS = 4
MAX_WAIT = 30.0
CSV_COLUMNS = ["code", "type", "value", "currency", "expires_at", "customer_email"]
Sleep = Callable[[float], None]


class ShopApiError(OrderflowError):
    """The shop refused the call in a way retrying cannot fix."""


@dataclass(frozen=True)
class AdminApi:
    """Where and how to call the Admin API. ``base_url`` is ``https://<shop domain>``."""

    base_url: str
    token: str
    price_rule: str
    allowed_hosts: tuple[str, ...] = ()
    deadline: float = 10.0
    version: str = API_VERSION
    referral_rule: str = ""
    """The price rule of the friend's discount; referral codes are created under it when set."""

    def url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}/admin/api/{self.version}/{path}"


@dataclass
class PushSummary:
    created: int = 0
    existing: int = 0
    failed: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)


def configured(engine: Engine) -> AdminApi | None:
    """The Admin API settings, or None when the token, shop domain or price rule is missing."""
    token = config.get_secret(TOKEN_KEY)
    with open_session(engine) as session:
        st = store_settings.load(session)
    if not (token and st.shopify_shop_domain and st.shopify_price_rule):
        return None
    hosts = tuple(outbound.parse_allowed_hosts(st.outbound_allowed_hosts))
    return AdminApi(
        f"https://{st.shopify_shop_domain}",
        token,
        st.shopify_price_rule,
        hosts,
        referral_rule=st.shopify_referral_price_rule,
    )


def _call(api: AdminApi, method: str, path: str, body: Any, sleep: Sleep, s: PushSummary) -> Any:
    """One API call with retries (see the module docstring); the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"X-Shopify-Access-Token": api.token, "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    for attempt in range(1, ATTEMPTS + 1):
        wait = min(2.0 ** (attempt - 1), MAX_WAIT)
        try:
            answer = outbound.request(
                method,
                api.url(path),
                body=data,
                headers=headers,
                allowed_hosts=api.allowed_hosts,
                deadline=api.deadline,
            )
        except OutboundError as exc:
            if exc.refused or attempt == ATTEMPTS:
                raise
            s.retries += 1
            sleep(wait)
            continue
        if answer.status == 429 or answer.status >= 500:
            if attempt == ATTEMPTS:
                raise ShopApiError(
                    f"The shop answered HTTP {answer.status} {ATTEMPTS} times.",
                    hint="Try again later.",
                )
            retry_after = answer.headers.get("retry-after", "")
            with contextlib.suppress(ValueError):
                wait = min(max(float(retry_after), 0.0), MAX_WAIT)
            s.retries += 1
            sleep(wait)
            continue
        return _checked(answer)
    raise AssertionError("unreachable")  # the loop returns or raises


def _checked(answer: outbound.Response) -> Any:
    if answer.status in (401, 403):
        raise ShopApiError(
            f"The shop refused the Admin API token (HTTP {answer.status}).",
            field=TOKEN_KEY,
            hint="Check the token and that the app has the write_price_rules scope.",
        )
    if answer.status == 404:
        raise ShopApiError(
            "The shop has no such price rule.",
            field="shopify_price_rule",
            hint="Name an existing price rule (its id or title) in Settings.",
        )
    if answer.status == 422:
        return {"_unprocessable": answer.json() if answer.body else {}}
    if not answer.ok:
        raise ShopApiError(f"The shop answered HTTP {answer.status}.")
    return answer.json() if answer.body else {}


def price_rule_id(
    api: AdminApi, sleep: Sleep = time.sleep, s: PushSummary | None = None, rule: str = ""
) -> int:
    """The price rule's id (``rule``, default the coupons' one): the setting itself when
    numeric, else looked up by title."""
    name = (rule or api.price_rule).strip()
    if name.isdigit():
        return int(name)
    found = _call(api, "GET", "price_rules.json?limit=250", None, sleep, s or PushSummary())
    wanted = name.casefold()
    for item in found.get("price_rules", []) if isinstance(found, dict) else []:
        if str(item.get("title", "")).strip().casefold() == wanted and item.get("id"):
            return int(item["id"])
    raise ShopApiError(
        f"The shop has no price rule titled {name!r}.",
        field="shopify_price_rule",
        hint="Create it in Shopify (Discounts) or name its id in Settings.",
    )


def _taken(answer: dict[str, Any]) -> bool:
    errors = answer.get("_unprocessable", {}).get("errors", {})
    text = json.dumps(errors).lower()
    return "code" in text and ("unique" in text or "taken" in text)


def create_code(
    api: AdminApi, rule_id: int, code: str, sleep: Sleep = time.sleep, s: PushSummary | None = None
) -> str | None:
    """Create one code under the price rule: the shop's id, or None when it existed already."""
    body = {"discount_code": {"code": code}}
    answer = _call(
        api, "POST", f"price_rules/{rule_id}/discount_codes.json", body, sleep, s or PushSummary()
    )
    if isinstance(answer, dict) and "_unprocessable" in answer:
        if _taken(answer):
            return None
        raise ShopApiError(f"The shop did not accept the code {code} (HTTP 422).")
    created = answer.get("discount_code", {}) if isinstance(answer, dict) else {}
    if not created.get("id"):
        raise ShopApiError("The shop's answer has no discount code id.")
    return str(created["id"])[:64]


def pending(engine: Engine, now: dt.datetime, limit: int = 250) -> list[tuple[int, str]]:
    """Coupons to create in the shop: not pushed, not redeemed, not expired."""
    with open_session(engine) as session:
        rows = session.execute(
            select(Coupon.id, Coupon.code)
            .where(
                Coupon.shop_pushed_at.is_(None),
                Coupon.redeemed_at.is_(None),
                (Coupon.expires_at.is_(None)) | (Coupon.expires_at > now),
            )
            .order_by(Coupon.id)
            .limit(limit)
        )
        return [(int(i), str(c)) for i, c in rows]


def pending_referrals(engine: Engine, limit: int = 250) -> list[tuple[int, str]]:
    """Referral codes to create in the shop (under the friend's discount price rule)."""
    with open_session(engine) as session:
        rows = session.execute(
            select(ReferralCode.id, ReferralCode.code)
            .where(ReferralCode.shop_pushed_at.is_(None))
            .order_by(ReferralCode.id)
            .limit(limit)
        )
        return [(int(i), str(c)) for i, c in rows]


def _push(
    engine: Engine,
    api: AdminApi,
    rule: str,
    model: type[Coupon | ReferralCode],
    todo: list[tuple[int, str]],
    now: dt.datetime,
    sleep: Sleep,
    summary: PushSummary,
) -> None:
    if not todo:
        return
    rule_id = price_rule_id(api, sleep, summary, rule)
    for row_id, code in todo:
        try:
            shop_id = create_code(api, rule_id, code, sleep, summary)
        except OutboundError as exc:
            summary.failed += 1
            summary.errors.append(f"{code}: {exc}")
            continue
        with open_session(engine) as session, session.begin():
            row = session.get(model, row_id)
            if isinstance(row, Coupon | ReferralCode):
                row.shop_ref = shop_id
                row.shop_pushed_at = now
        if shop_id is None:
            summary.existing += 1
        else:
            summary.created += 1


def push_pending(
    engine: Engine,
    actor: Actor,
    api: AdminApi,
    now: dt.datetime | None = None,
    sleep: Sleep = time.sleep,
    limit: int = 250,
) -> PushSummary:
    """Create every pending coupon code in the shop under the coupons' price rule, and every
    referral code under the referral price rule when one is set (module docstring)."""
    require(actor, Action.EDIT_WORKFLOWS)
    now = now or dt.datetime.now(dt.UTC)
    summary = PushSummary()
    _push(engine, api, api.price_rule, Coupon, pending(engine, now, limit), now, sleep, summary)
    if api.referral_rule:
        referrals = pending_referrals(engine, limit)
        _push(engine, api, api.referral_rule, ReferralCode, referrals, now, sleep, summary)
    return summary


def unredeemed_codes(engine: Engine, actor: Actor, now: dt.datetime | None = None) -> pd.DataFrame:
    """Unredeemed, unexpired codes to upload to the shop by hand (columns ``CSV_COLUMNS``)."""
    require(actor, Action.EXPORT_DATA)
    now = now or dt.datetime.now(dt.UTC)
    with open_session(engine) as session:
        rows = session.execute(
            select(
                Coupon.code,
                Coupon.kind,
                Coupon.value,
                Coupon.currency,
                Coupon.expires_at,
                Customer.email,
            )
            .outerjoin(Customer, Customer.id == Coupon.customer_id)
            .where(
                Coupon.redeemed_at.is_(None),
                (Coupon.expires_at.is_(None)) | (Coupon.expires_at > now),
            )
            .order_by(Coupon.issued_at, Coupon.id)
        ).all()
    frame = pd.DataFrame.from_records(rows, columns=CSV_COLUMNS)
    frame["value"] = pd.Series(
        [Decimal(v).quantize(Decimal("0.01")) for v in frame["value"]], dtype=object
    )
    frame["expires_at"] = [
        None if at is None else at.astimezone(dt.UTC).isoformat(timespec="seconds")
        for at in frame["expires_at"]
    ]
    return frame


def require_configured(engine: Engine) -> AdminApi:
    api = configured(engine)
    if api is None:
        raise ConfigError(
            "The Shopify Admin API is not configured.",
            hint=(
                f"Set {TOKEN_KEY} in the environment or .streamlit/secrets.toml, and the "
                "shopify_shop_domain and shopify_price_rule settings; or export the CSV."
            ),
        )
    return api


def push_from_worker(engine: Engine, now: dt.datetime) -> int:
    """The worker's push: codes created or found in the shop; 0 when not configured. A failure
    is logged (without the shop's words) and retried next cycle."""
    api = configured(engine)
    if api is None:
        return 0
    try:
        summary = push_pending(engine, Actor.system(), api, now)
    except OrderflowError as exc:
        log.warning("coupon codes not pushed to the shop: %s", exc)
        return 0
    return summary.created + summary.existing
