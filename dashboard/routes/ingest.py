"""Live data routes: Shopify and WooCommerce webhooks and the event API.

Every body is read raw (at most ``MAX_BODY`` bytes, else 413) and its signature or token checked
before it is parsed. Answers are JSON: 200 ``{"status": "stored" | "duplicate" | "ignored"}``,
401 for a bad signature, token or unknown shop (logged), 400 naming what is malformed, 422 when a
verified delivery could not be applied yet (logged ``failed`` with its body for a replay; the
platform retries). Never a traceback. After a stored delivery the embedded worker is woken, so
the first email leaves within seconds.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError as PydanticError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core import db
from core.engine import worker
from core.errors import AuthError, OrderflowError
from core.ingest import api, receive, sources, telemetry
from core.ingest.normal import PayloadError
from core.models import Source

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024
UNAUTHORIZED = "The signature does not match a connected shop's secret."


class TooLarge(Exception):
    pass


def error(status: int, message: str, field: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if field:
        body["field"] = field
    return JSONResponse(body, status_code=status)


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The raw body, refusing more than ``limit`` bytes without reading them all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> JSONResponse:
    return error(413, f"The body is larger than {MAX_BODY // 1024} KiB.")


def _unauthorized(
    kind: str, reason: str, source_id: int | None, topic: str, hook: str | None
) -> JSONResponse:
    telemetry.REJECTED.labels(kind, reason).inc()
    log.warning("%s delivery refused: %s", kind, reason)
    if source_id is not None:
        receive.log_rejection(db.default_engine(), source_id, topic, hook, reason)
    return error(401, UNAUTHORIZED)  # one answer for every case: it reveals no connected shop


async def _webhook(
    request: Request,
    kind: str,
    source: Source | None,
    topic: str,
    hook: str | None,
    signature: str | None,
) -> JSONResponse:
    try:
        body = await read_body(request)
    except TooLarge:
        telemetry.REJECTED.labels(kind, "too_large").inc()
        return _too_large()
    if source is None:
        return await run_in_threadpool(_unauthorized, kind, "unknown source", None, topic, hook)
    try:
        ok = sources.verify_signature(source, body, signature)
    except AuthError:
        ok = False
    if not ok:
        return await run_in_threadpool(_unauthorized, kind, "bad signature", source.id, topic, hook)
    return await run_in_threadpool(_store, kind, source.id, topic, hook, body)


def _store(kind: str, source_id: int, topic: str, hook: str | None, body: bytes) -> JSONResponse:
    engine = db.default_engine()
    try:
        receipt = receive.receive_webhook(engine, source_id, topic, hook, body)
    except PayloadError as exc:
        reason = "mapping_failed" if isinstance(exc, receive.MappingError) else "malformed"
        telemetry.REJECTED.labels(kind, reason).inc()
        receive.log_rejection(engine, source_id, topic, hook, f"malformed: {exc.message}")
        return error(400, exc.message, exc.field)
    telemetry.RECEIVED.labels(kind, receipt.status).inc()
    if receipt.status == "failed":
        return JSONResponse({"status": "failed", "error": receipt.reason}, status_code=422)
    if receipt.status == "stored":
        worker.wake()
    return JSONResponse({"status": receipt.status})


def _lookup_shopify(domain: str | None) -> Source | None:
    with db.transaction(db.default_engine()) as session:
        return sources.shopify_source(session, domain)


def _lookup_named(kind: str, name: str) -> Source | None:
    with db.transaction(db.default_engine()) as session:
        return sources.named_source(session, kind, name)


async def shopify_webhook(request: Request) -> JSONResponse:
    h = request.headers
    source = await run_in_threadpool(_lookup_shopify, h.get("x-shopify-shop-domain"))
    return await _webhook(
        request,
        "shopify",
        source,
        h.get("x-shopify-topic", ""),
        h.get("x-shopify-webhook-id"),
        h.get("x-shopify-hmac-sha256"),
    )


async def woocommerce_webhook(request: Request) -> JSONResponse:
    h = request.headers
    name = str(request.path_params["name"])
    signature = h.get("x-wc-webhook-signature")
    if not signature:
        try:
            body = await read_body(request, 4096)
        except TooLarge:
            body = b""
        if body.startswith(b"webhook_id=") and body[11:].isdigit():
            return JSONResponse({"status": "ignored"})  # WooCommerce's unsigned setup ping
        telemetry.REJECTED.labels("woocommerce", "missing_signature").inc()
        return error(401, "The signature is missing.")
    source = await run_in_threadpool(_lookup_named, "woocommerce", name)
    return await _webhook(
        request,
        "woocommerce",
        source,
        h.get("x-wc-webhook-topic", ""),
        h.get("x-wc-webhook-delivery-id"),
        signature,
    )


def _token_source(authorization: str | None) -> int | None:
    with db.transaction(db.default_engine()) as session:
        source = sources.token_source(session, authorization)
        return source.id if source else None


def _apply_batch(source_id: int, batch: api.EventBatch) -> JSONResponse:
    try:
        accepted, duplicates = receive.receive_events(db.default_engine(), source_id, batch)
    except PayloadError as exc:
        telemetry.REJECTED.labels("api", "invalid").inc()
        return error(400, exc.message, exc.field)
    telemetry.RECEIVED.labels("api", "stored").inc(accepted)
    telemetry.RECEIVED.labels("api", "duplicate").inc(duplicates)
    if accepted:
        worker.wake()
    return JSONResponse({"accepted": accepted, "duplicates": duplicates})


async def events(request: Request) -> JSONResponse:
    source_id = await run_in_threadpool(_token_source, request.headers.get("authorization"))
    if source_id is None:
        telemetry.REJECTED.labels("api", "bad_token").inc()
        log.warning("api request refused: missing or unknown bearer token")
        return error(401, "A valid bearer token is required.")
    try:
        body = await read_body(request)
    except TooLarge:
        telemetry.REJECTED.labels("api", "too_large").inc()
        return _too_large()
    try:
        batch = api.EventBatch.model_validate_json(body)
    except PydanticError as exc:
        telemetry.REJECTED.labels("api", "invalid").inc()
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        return error(400, f"{where}: {first['msg']}", where)
    except ValueError as exc:  # a number pydantic's Decimal parser itself chokes on
        telemetry.REJECTED.labels("api", "invalid").inc()
        return error(400, f"The body is not a valid event batch: {exc}.", "body")
    return await run_in_threadpool(_apply_batch, source_id, batch)


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(api.openapi())


def _safe(handler: Any) -> Any:
    """Unexpected errors answer a JSON 500 (logged), never a traceback."""

    async def run(request: Request) -> Any:
        try:
            return await handler(request)
        except OrderflowError as exc:
            return error(400, exc.message, exc.field)
        except Exception:
            log.exception("unexpected error in %s", request.url.path)
            return error(500, "Internal error; it was logged.")

    return run


ROUTES = [
    Route("/webhooks/shopify", _safe(shopify_webhook), methods=["POST"]),
    Route("/webhooks/woocommerce/{name}", _safe(woocommerce_webhook), methods=["POST"]),
    Route("/api/v1/events", _safe(events), methods=["POST"]),
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
]
