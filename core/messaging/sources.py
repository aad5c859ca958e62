"""Where a template context's data comes from.

:func:`core.messaging.context.build_context` asks a :class:`ContextSource` for the rows it
needs beyond the customer and the order (the order's lines and shipments are its
relationships). :class:`SessionSource` runs one small query per lookup, which suits one
message (a preview, a test send); :class:`core.messaging.batch.BatchSource` answers the same
questions for a whole batch of messages from a handful of ``IN (...)`` queries.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.delivery import config as delivery_config
from core.delivery.config import DeliveryConfig
from core.messaging.recommend import Recommendation, recommend
from core.models import (
    Coupon,
    DeliveryOption,
    Order,
    OrderEvent,
    PickupLocation,
    Product,
    ReferralCode,
)


class ContextSource(Protocol):
    def order_count(self, customer_id: int) -> int: ...

    def products(self, skus: Collection[str]) -> Mapping[str, Product]: ...

    def delivery_option(self, code: str) -> DeliveryOption | None: ...

    def pickup(self, location_id: int) -> PickupLocation | None: ...

    def coupon(self, code: str) -> Coupon | None: ...

    def referral(self, customer_id: int, code: str | None) -> ReferralCode | None: ...

    def recommendations(self, customer_id: int) -> list[Recommendation]: ...

    def delivery_failed_reported(self, order_id: int) -> bool: ...

    def delivery_settings(self) -> DeliveryConfig: ...


@dataclass(frozen=True)
class SessionSource:
    """One query per lookup."""

    session: Session

    def order_count(self, customer_id: int) -> int:
        stmt = select(func.count()).where(Order.customer_id == customer_id)
        return int(self.session.scalar(stmt) or 0)

    def products(self, skus: Collection[str]) -> Mapping[str, Product]:
        if not skus:
            return {}
        stmt = select(Product).where(Product.sku.in_(list(skus)))
        return {p.sku: p for p in self.session.scalars(stmt)}

    def delivery_option(self, code: str) -> DeliveryOption | None:
        return self.session.scalar(select(DeliveryOption).where(DeliveryOption.code == code))

    def pickup(self, location_id: int) -> PickupLocation | None:
        return self.session.get(PickupLocation, location_id)

    def coupon(self, code: str) -> Coupon | None:
        return self.session.scalar(select(Coupon).where(Coupon.code == code))

    def referral(self, customer_id: int, code: str | None) -> ReferralCode | None:
        """The customer's referral code ``code``, or their latest one when no code is given."""
        stmt = select(ReferralCode).where(ReferralCode.customer_id == customer_id)
        stmt = stmt.where(ReferralCode.code == code) if code else stmt
        return self.session.scalars(stmt.order_by(ReferralCode.id.desc()).limit(1)).first()

    def recommendations(self, customer_id: int) -> list[Recommendation]:
        return recommend(self.session, customer_id)

    def delivery_failed_reported(self, order_id: int) -> bool:
        """Has the carrier reported a failed delivery for the order (ever)?"""
        stmt = select(OrderEvent.id).where(
            OrderEvent.order_id == order_id, OrderEvent.type == "delivery_failed"
        )
        return self.session.scalar(stmt.limit(1)) is not None

    def delivery_settings(self) -> DeliveryConfig:
        return delivery_config.load(self.session)
