"""Customers, their consent history and referral codes."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Currency, Money, Str32, Str64, Str255, Timestamps, UTCTimestamp


class Customer(Timestamps, Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[Str64] = mapped_column(unique=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    locale: Mapped[str | None] = mapped_column(String(10))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_source: Mapped[Str32 | None]
    consent_at: Mapped[UTCTimestamp | None]
    unsubscribed_at: Mapped[UTCTimestamp | None]
    bounced_at: Mapped[UTCTimestamp | None]
    """Set when the mail server refused the address for good (5xx): never mailed again."""
    tags: Mapped[list[str]] = mapped_column(default=list)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class ConsentEvent(Base):
    """Every grant or withdrawal of consent, per purpose, with its time and source."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[Str32] = mapped_column(default="marketing")
    granted: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[Str64]
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[UTCTimestamp]


class ReferralCode(Timestamps, Base):
    """A unique code a customer shares; ``uses`` counts orders placed with it."""

    __tablename__ = "referral_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[Str32] = mapped_column(unique=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    workflow_id: Mapped[int | None] = mapped_column(ForeignKey("workflows.id", ondelete="SET NULL"))
    reward_value: Mapped[Money | None]
    reward_currency: Mapped[Currency | None]
    uses: Mapped[int] = mapped_column(default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class Coupon(Timestamps, Base):
    """A unique discount code issued to one customer, usually by a workflow step."""

    __tablename__ = "coupons"
    __table_args__ = (Index("ix_coupons_workflow_issued", "workflow_id", "issued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[Str32] = mapped_column(unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    workflow_id: Mapped[int | None] = mapped_column(ForeignKey("workflows.id", ondelete="SET NULL"))
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id", ondelete="SET NULL")
    )
    kind: Mapped[Str32] = mapped_column(default="percent")  # percent | fixed
    value: Mapped[Decimal] = mapped_column(default=Decimal("10"))
    currency: Mapped[Currency | None]
    issued_at: Mapped[UTCTimestamp]
    expires_at: Mapped[UTCTimestamp | None]
    redeemed_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL")
    )
    redeemed_at: Mapped[UTCTimestamp | None]
    cost: Mapped[Money | None]
    note: Mapped[Str255 | None]
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
