"""Coupon codes reach the shop: the Shopify Admin API called on a local Starlette server (on
loopback) that answers in the documented shape — request shape, 201/422/401/404, 429 with
Retry-After and 5xx retried — and the CSV of unredeemed codes without a token."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core import shop_codes
from core.auth import Actor, Role
from core.errors import ConfigError, OutboundError, PermissionDenied
from core.models import Coupon
from core.settings import update_settings
from tests.core.messaging.conftest import add_customer

TOKEN = "shpat_test_token"
RULE_ID = 507328175
REFERRAL_RULE_ID = 507328176
NOW = dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC)
CLI = Actor.cli()


@dataclass
class FakeShop:
    """The part of Shopify's Admin API that coupons use, with scripted failures."""

    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    async def price_rules(self, request: Request) -> JSONResponse:
        self._log(request, None)
        if request.headers.get("x-shopify-access-token") != TOKEN:
            return JSONResponse({"errors": "[API] Invalid API key or access token"}, 401)
        rules = [
            {"id": 1, "title": "Summer"},
            {"id": RULE_ID, "title": "Orderflow thanks"},
            {"id": REFERRAL_RULE_ID, "title": "Friend's discount"},
        ]
        return JSONResponse({"price_rules": rules})

    async def create(self, request: Request) -> JSONResponse:
        body = await request.json()
        self._log(request, body)
        if self.script:
            status, headers = self.script.pop(0)
            return JSONResponse({"errors": "try later"}, status, headers=headers)
        if request.headers.get("x-shopify-access-token") != TOKEN:
            return JSONResponse({"errors": "[API] Invalid API key or access token"}, 401)
        if int(request.path_params["rule"]) not in (RULE_ID, REFERRAL_RULE_ID):
            return JSONResponse({"errors": "Not Found"}, 404)
        code = body["discount_code"]["code"]
        if code in self.codes:
            return JSONResponse({"errors": {"code": ["must be unique"]}}, 422)
        self.codes[code] = 1054381139 + len(self.codes)
        created = {
            "id": self.codes[code],
            "price_rule_id": int(request.path_params["rule"]),
            "code": code,
            "usage_count": 0,
            "created_at": "2025-03-10T13:00:00+01:00",
            "updated_at": "2025-03-10T13:00:00+01:00",
        }
        return JSONResponse({"discount_code": created}, 201)

    def _log(self, request: Request, body: Any) -> None:
        self.requests.append(
            {
                "method": request.method,
                "path": request.url.path,
                "token": request.headers.get("x-shopify-access-token"),
                "type": request.headers.get("content-type"),
                "body": body,
            }
        )

    def api(
        self, rule: str = str(RULE_ID), token: str = TOKEN, referral_rule: str = ""
    ) -> shop_codes.AdminApi:
        return shop_codes.AdminApi(
            f"http://127.0.0.1:{self.port}",
            token,
            rule,
            allowed_hosts=("127.0.0.1",),
            referral_rule=referral_rule,
        )


@pytest.fixture
def fake_shop() -> Iterator[FakeShop]:
    shop = FakeShop()
    app = Starlette(
        routes=[
            Route("/admin/api/2024-10/price_rules.json", shop.price_rules),
            Route(
                "/admin/api/2024-10/price_rules/{rule}/discount_codes.json",
                shop.create,
                methods=["POST"],
            ),
        ]
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    shop.port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield shop
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def _coupons(session: Session) -> dict[str, Coupon]:
    anna = add_customer(session, "anna", "de_DE")
    rows = {
        "THANKS-A": {},
        "THANKS-B": {},
        "THANKS-OLD": {"expires_at": NOW - dt.timedelta(days=1)},
        "THANKS-USED": {"redeemed_at": NOW - dt.timedelta(days=2)},
    }
    out = {}
    for code, extra in rows.items():
        values: dict[str, Any] = {
            "code": code,
            "customer_id": anna.id,
            "kind": "percent",
            "value": Decimal("10"),
            "currency": "EUR",
            "issued_at": NOW - dt.timedelta(days=3),
            "expires_at": NOW + dt.timedelta(days=30),
        }
        values.update(extra)
        out[code] = Coupon(**values)
        session.add(out[code])
    session.commit()
    return out


def _pushed(session: Session) -> dict[str, str | None]:
    session.expire_all()
    rows = session.execute(
        select(Coupon.code, Coupon.shop_ref).where(Coupon.shop_pushed_at.is_not(None))
    )
    return dict(rows.all())


def test_codes_are_created_under_the_price_rule(
    engine: Engine, session: Session, fake_shop: FakeShop
) -> None:
    _coupons(session)
    sleeps: list[float] = []
    summary = shop_codes.push_pending(engine, CLI, fake_shop.api(), NOW, sleeps.append)
    assert (summary.created, summary.existing, summary.failed) == (2, 0, 0)
    assert _pushed(session) == {"THANKS-A": "1054381139", "THANKS-B": "1054381140"}
    first = fake_shop.requests[0]
    assert first == {
        "method": "POST",
        "path": f"/admin/api/2024-10/price_rules/{RULE_ID}/discount_codes.json",
        "token": TOKEN,
        "type": "application/json",
        "body": {"discount_code": {"code": "THANKS-A"}},
    }
    again = shop_codes.push_pending(engine, CLI, fake_shop.api(), NOW, sleeps.append)
    assert (again.created, len(fake_shop.requests), sleeps) == (0, 2, [])


def test_rate_limit_and_server_errors_are_retried(
    engine: Engine, session: Session, fake_shop: FakeShop
) -> None:
    _coupons(session)
    fake_shop.script = [(429, {"Retry-After": "3.0"}), (503, {})]
    sleeps: list[float] = []
    summary = shop_codes.push_pending(engine, CLI, fake_shop.api(), NOW, sleeps.append)
    assert sleeps == [3.0, 2.0]  # Retry-After, then the backoff of the second attempt
    assert (summary.created, summary.retries) == (2, 2)
    assert [r["body"]["discount_code"]["code"] for r in fake_shop.requests] == [
        "THANKS-A",
        "THANKS-A",
        "THANKS-A",
        "THANKS-B",
    ]


def test_a_code_already_in_the_shop_counts_as_pushed(
    engine: Engine, session: Session, fake_shop: FakeShop
) -> None:
    _coupons(session)
    fake_shop.codes["THANKS-A"] = 1
    summary = shop_codes.push_pending(engine, CLI, fake_shop.api(), NOW, lambda _s: None)
    assert (summary.created, summary.existing) == (1, 1)
    assert _pushed(session) == {"THANKS-A": None, "THANKS-B": "1054381140"}


def test_refused_token_unknown_rule_and_persistent_failure_stop_with_a_message(
    engine: Engine, session: Session, fake_shop: FakeShop
) -> None:
    _coupons(session)
    with pytest.raises(shop_codes.ShopApiError, match="token") as refused:
        shop_codes.push_pending(engine, CLI, fake_shop.api(token="wrong"), NOW, lambda _s: None)
    assert "Invalid API key" not in str(refused.value)  # the shop's words are not repeated
    with pytest.raises(shop_codes.ShopApiError, match="price rule"):
        shop_codes.push_pending(engine, CLI, fake_shop.api(rule="42"), NOW, lambda _s: None)
    fake_shop.script = [(500, {})] * shop_codes.ATTEMPTS
    with pytest.raises(shop_codes.ShopApiError, match="500"):
        shop_codes.push_pending(engine, CLI, fake_shop.api(), NOW, lambda _s: None)
    assert _pushed(session) == {}


def test_price_rule_named_by_title(fake_shop: FakeShop) -> None:
    assert (
        shop_codes.price_rule_id(fake_shop.api(rule="orderflow THANKS"), lambda _s: None) == RULE_ID
    )
    assert fake_shop.requests[0]["path"] == "/admin/api/2024-10/price_rules.json"
    with pytest.raises(shop_codes.ShopApiError, match="no price rule titled"):
        shop_codes.price_rule_id(fake_shop.api(rule="Winter"), lambda _s: None)


def test_loopback_is_refused_unless_allowed(fake_shop: FakeShop) -> None:
    api = shop_codes.AdminApi(f"http://127.0.0.1:{fake_shop.port}", TOKEN, str(RULE_ID))
    with pytest.raises(OutboundError):
        shop_codes.create_code(api, RULE_ID, "X-1", lambda _s: None)
    assert fake_shop.requests == []


def test_configuration_from_secrets_and_settings(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert shop_codes.configured(engine) is None
    with pytest.raises(ConfigError, match="not configured"):
        shop_codes.require_configured(engine)
    update_settings(
        session,
        CLI,
        {
            "shopify_shop_domain": "https://Alpen-Outfitters.myshopify.com/",
            "shopify_price_rule": "Thanks",
        },
    )
    session.commit()
    monkeypatch.setenv(shop_codes.TOKEN_KEY, TOKEN)
    api = shop_codes.configured(engine)
    assert api is not None
    assert (api.base_url, api.token, api.price_rule) == (
        "https://alpen-outfitters.myshopify.com",
        TOKEN,
        "Thanks",
    )


def test_csv_of_unredeemed_codes(engine: Engine, session: Session) -> None:
    _coupons(session)
    frame = shop_codes.unredeemed_codes(engine, CLI, NOW)
    assert list(frame.columns) == shop_codes.CSV_COLUMNS
    assert frame.to_dict("records") == [
        {
            "code": code,
            "type": "percent",
            "value": Decimal("10"),
            "currency": "EUR",
            "expires_at": "2025-04-09T12:00:00+00:00",
            "customer_email": "anna@example.org",
        }
        for code in ("THANKS-A", "THANKS-B")
    ]
    with pytest.raises(PermissionDenied):
        shop_codes.unredeemed_codes(engine, Actor("m@example.org", Role.MANAGER), NOW)


def test_the_worker_pushes_new_codes_each_cycle(
    engine: Engine, session: Session, fake_shop: FakeShop, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.engine import worker

    _coupons(session)
    monkeypatch.setattr(shop_codes, "configured", lambda _engine: fake_shop.api())
    stats = worker.run_once(engine, clock=lambda: NOW)
    assert stats.codes_to_shop == 2
    assert sorted(fake_shop.codes) == ["THANKS-A", "THANKS-B"]
    assert worker.run_once(engine, clock=lambda: NOW).codes_to_shop == 0  # nothing pending
    monkeypatch.setattr(shop_codes, "configured", lambda _engine: fake_shop.api(token="bad"))
    session.add(
        Coupon(code="THANKS-C", kind="fixed", value=Decimal("5"), currency="EUR", issued_at=NOW)
    )
    session.commit()
    assert worker.run_once(engine, clock=lambda: NOW).codes_to_shop == 0  # refused: logged
    assert "THANKS-C" not in _pushed(session)


def test_referral_codes_go_under_the_friends_discount_rule(
    engine: Engine, session: Session, fake_shop: FakeShop
) -> None:
    from core.models import ReferralCode

    coupons = _coupons(session)
    session.add(ReferralCode(code="ANNA-K2P9", customer_id=coupons["THANKS-A"].customer_id))
    session.commit()
    api = fake_shop.api(referral_rule="friend's DISCOUNT")
    summary = shop_codes.push_pending(engine, CLI, api, NOW, lambda _s: None)
    assert summary.created == 3
    paths = [r["path"] for r in fake_shop.requests if r["method"] == "POST"]
    assert paths[-1] == f"/admin/api/2024-10/price_rules/{REFERRAL_RULE_ID}/discount_codes.json"
    assert fake_shop.requests[-1]["body"] == {"discount_code": {"code": "ANNA-K2P9"}}
    session.expire_all()
    assert session.scalar(select(ReferralCode.shop_ref)) == "1054381141"
    assert shop_codes.push_pending(engine, CLI, api, NOW, lambda _s: None).created == 0
