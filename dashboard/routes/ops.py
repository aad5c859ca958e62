"""Operations routes: ``GET /healthz`` (the database answers) and ``GET /metrics`` (Prometheus
text), the latter only on loopback without a proxy in between, or with
``Authorization: Bearer $ORDERFLOW_METRICS_TOKEN``."""

from __future__ import annotations

import logging

from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import config, db, security
from core.ingest import telemetry

log = logging.getLogger(__name__)
METRICS_TOKEN = "ORDERFLOW_METRICS_TOKEN"
LOOPBACK = ("127.0.0.1", "::1")


def _database_ok() -> bool:
    try:
        with db.default_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        log.exception("health check: the database does not answer")
        return False


async def healthz(request: Request) -> JSONResponse:
    if await run_in_threadpool(_database_ok):
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "unavailable", "error": "database"}, status_code=503)


def allowed(request: Request) -> bool:
    token = config.get_secret(METRICS_TOKEN)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and security.same(given.strip(), token):
        return True
    forwarded = "x-forwarded-for" in request.headers or "forwarded" in request.headers
    host = request.client.host if request.client else ""
    return host in LOOPBACK and not forwarded


async def metrics(request: Request) -> Response:
    if not allowed(request):
        return JSONResponse(
            {"error": f"Metrics answer on loopback or with the {METRICS_TOKEN} bearer token."},
            status_code=401,
        )
    body = await run_in_threadpool(telemetry.render, db.default_engine())
    return Response(body, media_type=CONTENT_TYPE_LATEST)


ROUTES = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]
