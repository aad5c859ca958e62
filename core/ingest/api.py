"""The event API's request body (``POST /api/v1/events``), validated with pydantic, and its
mapping to ``OrderIn``. The JSON schema of :class:`EventBatch` is the OpenAPI description."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from core.ingest.normal import CustomerIn, LineIn, OrderIn, RefundIn, ShipmentIn

MAX_EVENTS = 500
NO_NUL = r"^[^\x00]*$"
Text64 = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]
Text100 = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
Text255 = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NO_NUL)]
Url = Annotated[str, StringConstraints(max_length=500, pattern=r"^https?://[^\x00\s]+$")]
Email = Annotated[
    str, StringConstraints(max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$")
]
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Moment = AwareDatetime
EventType = Literal[
    "placed",
    "paid",
    "shipped",
    "out_for_delivery",
    "delivered",
    "ready_for_pickup",
    "picked_up",
    "cancelled",
    "refunded",
]
SHIPMENT_FIELDS = {
    "shipped": "shipped_at",
    "out_for_delivery": "out_for_delivery_at",
    "delivered": "delivered_at",
    "ready_for_pickup": "ready_for_pickup_at",
    "picked_up": "picked_up_at",
}


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("is out of range") from None


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CustomerModel(_Model):
    email: Email | None = None
    first_name: Text100 | None = None
    last_name: Text100 | None = None
    locale: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}([-_][A-Za-z]{2})?$")] | None = (
        None
    )
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None
    marketing_consent: bool | None = None
    consent_at: Moment | None = None

    _utc_consent = field_validator("consent_at")(_utc)


class LineModel(_Model):
    name: Text255
    sku: Text64 | None = None
    quantity: int = Field(default=1, ge=0, le=1_000_000)
    unit_price: Amount


class ShipmentModel(_Model):
    ref: Text64 | None = None
    carrier: Text64 | None = None
    tracking_number: Text64 | None = None
    tracking_url: Url | None = None


class OrderModel(_Model):
    number: Text64
    placed_at: Moment | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    total: Amount | None = None
    subtotal: Amount | None = None
    discount_amount: Amount | None = None
    shipping_amount: Amount | None = None
    tax_amount: Amount | None = None
    discount_code: Text64 | None = None
    delivery_option: Text64 | None = None
    pickup_location: Text255 | None = None
    shipping_country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None
    customer: CustomerModel | None = None
    lines: list[LineModel] | None = Field(default=None, max_length=1000)

    _utc_placed = field_validator("placed_at")(_utc)


class EventModel(_Model):
    id: Annotated[str, StringConstraints(min_length=1, max_length=160, pattern=NO_NUL)]
    type: EventType
    occurred_at: Moment
    order: OrderModel
    shipment: ShipmentModel | None = None
    amount: Amount | None = Field(default=None, description="refunded amount (type refunded)")

    _utc_occurred = field_validator("occurred_at")(_utc)


class EventBatch(_Model):
    events: list[EventModel] = Field(min_length=1, max_length=MAX_EVENTS)


def to_order(event: EventModel) -> OrderIn:
    o = event.order
    c = o.customer
    out = OrderIn(
        number=o.number.strip() or o.number,
        placed_at=o.placed_at or (event.occurred_at if event.type == "placed" else None),
        currency=o.currency,
        subtotal=o.subtotal,
        discount_amount=o.discount_amount,
        shipping_amount=o.shipping_amount,
        tax_amount=o.tax_amount,
        total=o.total,
        discount_code=o.discount_code,
        delivery_option=o.delivery_option,
        pickup_location=o.pickup_location,
        shipping_country=o.shipping_country.upper() if o.shipping_country else None,
        customer=CustomerIn(
            email=c.email.lower(),
            first_name=c.first_name,
            last_name=c.last_name,
            locale=c.locale.replace("_", "-") if c.locale else None,
            country=c.country.upper() if c.country else None,
            consent=c.marketing_consent,
            consent_at=c.consent_at,
        )
        if c is not None and c.email
        else None,
        lines=[LineIn(x.name, x.sku, x.quantity, x.unit_price) for x in o.lines]
        if o.lines
        else None,
    )
    at = event.occurred_at
    if event.type == "paid":
        out.paid_at = at
    elif event.type == "cancelled":
        out.cancelled_at = at
    elif event.type == "refunded":
        # no amount: the whole order (its total when given); "0.00": no money, skipped
        amount = event.amount if event.amount is not None else o.total
        out.refunds = [RefundIn(ref=event.id[:64], at=at, amount=amount, exact=True)]
    elif event.type in SHIPMENT_FIELDS:
        s = event.shipment or ShipmentModel()
        shipment = ShipmentIn(
            ref=s.ref or s.tracking_number or f"api:{o.number}"[:64],
            carrier=s.carrier,
            tracking_number=s.tracking_number,
            tracking_url=s.tracking_url,
        )
        setattr(shipment, SHIPMENT_FIELDS[event.type], at)
        out.shipments = [shipment]
    return out


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 description of the event API."""
    schema = EventBatch.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    error = {
        "type": "object",
        "properties": {"error": {"type": "string"}, "field": {"type": "string"}},
        "required": ["error"],
    }

    def answer(description: str, ref: str) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
        }

    return {
        "openapi": "3.1.0",
        "info": {"title": "Orderflow event API", "version": "1"},
        "paths": {
            "/api/v1/events": {
                "post": {
                    "summary": "Send a batch of order events (idempotent by event id)",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/EventBatch"}
                            }
                        },
                    },
                    "responses": {
                        "200": answer("accepted", "Accepted"),
                        "400": answer("an invalid event; nothing was stored", "Error"),
                        "401": answer("missing or wrong bearer token", "Error"),
                        "413": answer("body over the limit", "Error"),
                    },
                }
            }
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                **defs,
                "EventBatch": schema,
                "Accepted": {
                    "type": "object",
                    "properties": {
                        "accepted": {"type": "integer"},
                        "duplicates": {"type": "integer"},
                    },
                    "required": ["accepted", "duplicates"],
                },
                "Error": error,
            },
        },
    }
