"""Live data and the Shopify CSV export meet on the same keys (order ``Name``, customer email):
history imported first, then webhooks, gives no duplicate; the shop's export imported after the
webhooks catches up without a second order, customer or shipment event."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from core import importers
from core.auth import Actor
from core.models import Customer, Order, OrderEvent
from tests.test_ingest_routes import client, fixture, shopify  # noqa: F401 - the fixture

HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Currency,Total,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name\n"
)
EXPORT = HEADER + (
    "#9999,jon@example.com,paid,2026-11-30 10:15:00 +0100,fulfilled,2026-11-30 15:00:00 +0100,"
    "EUR,387.90,2026-11-30 10:15:00 +0100,1,IPod Nano - 8GB - Pink,199.00,IPOD2008PINK,Jon Snow\n"
    "#9999,,,,,,,,,1,IPod Nano - 8GB - Black,199.00,IPOD2008BLACK,\n"
)
HISTORY = HEADER + (
    "#9000,jon@example.com,paid,2026-10-01 10:00:00 +0200,,,EUR,20.00,2026-10-01 10:00:00 +0200,"
    "1,Case,20.00,CASE,Jon Snow\n"
)


def import_export(engine: Engine, data: str) -> None:
    with Session(engine) as s, s.begin():
        importers.import_csv(s, Actor.cli(), data.encode(), fmt="shopify")


def tally(engine: Engine) -> tuple[int, int, list[str]]:
    with Session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Order)) or 0,
            s.scalar(select(func.count()).select_from(Customer)) or 0,
            sorted(s.scalars(select(OrderEvent.type).join(Order).where(Order.number == "#9999"))),
        )


def test_history_then_webhooks_then_export(
    client: TestClient,  # noqa: F811
    use_database: Engine,
) -> None:
    import_export(use_database, HISTORY)
    assert tally(use_database)[:2] == (1, 1)
    shopify(client, "orders/create", fixture("shopify_order.json"), "w-1")
    shopify(client, "fulfillments/create", fixture("shopify_fulfillment.json"), "w-2")
    orders, customers, events = tally(use_database)
    assert (orders, customers) == (2, 1)  # the same customer, found by email
    assert events == ["paid", "placed", "shipped"]
    import_export(use_database, EXPORT)
    assert tally(use_database) == (2, 1, ["paid", "placed", "shipped"])
