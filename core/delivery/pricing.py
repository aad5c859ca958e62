"""What a customer's delivery change costs: the new option's price for the order against what
its delivery costs now, in the order's currency.

Orderflow cannot charge or refund a card, so the difference is shown to the customer before
they confirm, recorded on the change's event (``price``, ``price_difference``, ``currency``),
reported to the merchant's URL and listed on the merchant's bookings. A change that costs more
is refused unless the merchant lets the shop charge it (``dearer_changes`` in
:mod:`core.delivery.config`); a cheaper one tells the customer the shop refunds the difference.

"What the delivery costs now" is the price recorded by the order's last change, else the
shipping the order paid (``shipping_amount``): standard (4.90) -> express (9.90) is +5.00,
then express -> pickup (0) is -9.90.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.delivery.config import SHOP_CHARGES, DeliveryConfig
from core.errors import ValidationError
from core.models import Order, OrderEvent
from core.money import round_to_currency

CHANGE_EVENTS = ("slot_booked", "delivery_rescheduled", "switched_to_pickup")
DEARER_REFUSED = "This choice costs more than the current delivery and cannot be made online."


class DearerRefused(ValidationError):
    """The change costs more and the merchant does not let customers make such changes."""


@dataclass(frozen=True)
class PriceChange:
    price: Decimal
    difference: Decimal
    currency: str

    @property
    def dearer(self) -> bool:
        return self.difference > 0

    def payload(self) -> dict[str, Any]:
        """What the event and the merchant's report record."""
        return {
            "price": str(self.price),
            "price_difference": str(self.difference),
            "currency": self.currency,
        }


def current_price(session: Session, order: Order) -> Decimal:
    """What the order's delivery costs now (see the module docstring)."""
    rows = session.scalars(
        select(OrderEvent.payload)
        .where(OrderEvent.order_id == order.id, OrderEvent.type.in_(CHANGE_EVENTS))
        .order_by(OrderEvent.occurred_at.desc(), OrderEvent.id.desc())
    )
    for payload in rows:
        if (payload or {}).get("currency") == order.currency and "price" in payload:
            return Decimal(str(payload["price"]))
    return Decimal(order.shipping_amount or 0)


def price_change(session: Session, order: Order, price: Decimal | str) -> PriceChange:
    new = round_to_currency(Decimal(str(price)), order.currency)
    now = current_price(session, order)
    return PriceChange(new, round_to_currency(new - now, order.currency), order.currency)


def allowed(change: PriceChange, config: DeliveryConfig) -> bool:
    return not change.dearer or config.dearer_changes == SHOP_CHARGES


def check(change: PriceChange, config: DeliveryConfig) -> None:
    """Raise :class:`DearerRefused` for a dearer change the merchant does not allow."""
    if not allowed(change, config):
        raise DearerRefused(DEARER_REFUSED, field="slot", hint="Contact the shop to change it.")
