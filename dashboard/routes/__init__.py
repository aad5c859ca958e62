"""Starlette routes served beside the dashboard by the ``st.App``: session cookies and the
public links customers open (unsubscribe), live data (webhooks, the event API) and
operations (health, metrics). Handlers stay thin and call ``core``."""

from __future__ import annotations

from starlette.routing import BaseRoute


def all_routes() -> list[BaseRoute]:
    from dashboard.routes import (
        carrier,
        delivery,
        ingest,
        ops,
        preferences,
        referral,
        review,
        session,
        test_link,
        unsubscribe,
    )

    return [
        *session.ROUTES,
        *unsubscribe.ROUTES,
        *preferences.ROUTES,
        *review.ROUTES,
        *delivery.ROUTES,
        *carrier.ROUTES,
        *referral.ROUTES,
        *test_link.ROUTES,
        *ingest.ROUTES,
        *ops.ROUTES,
    ]
