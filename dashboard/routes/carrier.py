"""Delivery quotes for shops and API clients.

- ``POST /carrier/shopify/{source}``: Shopify's CarrierService callback. Verified like Shopify
  webhooks: ``X-Shopify-Hmac-Sha256`` is the base64 HMAC-SHA256 of the raw body with the
  source's secret, and ``X-Shopify-Shop-Domain`` is the source's shop; else 401 before the body
  is parsed. Answers ``{"rates": [...]}`` (see :mod:`core.delivery.carrier`).
- ``POST /api/v1/delivery/quote``: the same quote for an API source's bearer token; the body is
  the basket of ``python -m core delivery quote``; answers ``{"options": [...]}``.

Bad input answers 400 naming the field; never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core import db
from core import settings as store_settings
from core.delivery import carrier
from core.delivery.basket import parse_basket
from core.delivery.quote import quote
from core.errors import AuthError, OrderflowError
from core.ingest import sources
from dashboard.routes.ingest import TooLarge, error, read_body

log = logging.getLogger(__name__)
MAX_BODY = 256 * 1024


def _verified(name: str, domain: str | None, signature: str | None, body: bytes) -> bool:
    with db.transaction(db.default_engine()) as session:
        source = sources.named_source(session, "shopify", name)
        if source is None or not domain:
            return False
        if (source.shop_domain or "") != domain.strip().lower():
            return False
        try:
            return sources.verify_signature(source, body, signature)
        except AuthError:
            return False


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise OrderflowError("The body is not JSON.", field="body") from None


def _shopify_rates(body: bytes) -> JSONResponse:
    basket = carrier.basket_from_shopify(_json(body))
    with db.transaction(db.default_engine()) as session:
        tz = store_settings.load(session).tz
        quoted = quote(session, basket, dt.datetime.now(dt.UTC))
    return JSONResponse(carrier.shopify_rates(quoted, tz))


def _api_quote(body: bytes) -> JSONResponse:
    basket = parse_basket(_json(body))
    with db.transaction(db.default_engine()) as session:
        return JSONResponse(quote(session, basket, dt.datetime.now(dt.UTC)))


def _token_ok(authorization: str | None) -> bool:
    with db.transaction(db.default_engine()) as session:
        return sources.token_source(session, authorization) is not None


async def shopify_callback(request: Request) -> JSONResponse:
    try:
        body = await read_body(request, MAX_BODY)
    except TooLarge:
        return error(413, f"The body is larger than {MAX_BODY // 1024} KiB.")
    h = request.headers
    name = str(request.path_params["source"])
    ok = await run_in_threadpool(
        _verified, name, h.get("x-shopify-shop-domain"), h.get("x-shopify-hmac-sha256"), body
    )
    if not ok:
        log.warning("carrier service request refused for source %r", name)
        return error(401, "The signature does not match.")
    return await run_in_threadpool(_shopify_rates, body)


async def api_quote(request: Request) -> JSONResponse:
    if not await run_in_threadpool(_token_ok, request.headers.get("authorization")):
        return error(401, "A valid bearer token is required.")
    try:
        body = await read_body(request, MAX_BODY)
    except TooLarge:
        return error(413, f"The body is larger than {MAX_BODY // 1024} KiB.")
    return await run_in_threadpool(_api_quote, body)


def _safe(handler: Any) -> Any:
    async def run(request: Request) -> Any:
        try:
            return await handler(request)
        except OrderflowError as exc:
            return error(400, str(exc), exc.field)
        except Exception:
            log.exception("unexpected error in %s", request.url.path)
            return error(500, "Internal error; it was logged.")

    return run


ROUTES = [
    Route("/carrier/shopify/{source}", _safe(shopify_callback), methods=["POST"]),
    Route("/api/v1/delivery/quote", _safe(api_quote), methods=["POST"]),
]
