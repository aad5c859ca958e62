"""Customers, their consent and preference history, coupons and referral codes."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
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
    opted_out: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    """Marketing purposes the customer turned off (``core.preferences.PURPOSES``)."""
    email_frequency: Mapped[Str32] = mapped_column(default="normal", server_default="normal")
    preferred_pickup_id: Mapped[int | None] = mapped_column(
        ForeignKey("pickup_locations.id", ondelete="SET NULL")
    )
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class PreferenceChange(Base):
    """Every change made to a customer's email preferences: the field, old and new value,
    when, and where from (``preference_centre``, ``one_click``, ``cli``...)."""

    __tablename__ = "preference_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[Str32]
    old_value: Mapped[Str64 | None]
    new_value: Mapped[Str64 | None]
    source: Mapped[Str32]
    at: Mapped[UTCTimestamp]


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
    shop_ref: Mapped[Str64 | None]
    """The shop's id of the code once created there (Shopify Admin API)."""
    shop_pushed_at: Mapped[UTCTimestamp | None]
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
    shop_ref: Mapped[Str64 | None]
    """The shop's id of the code once created there (Shopify Admin API)."""
    shop_pushed_at: Mapped[UTCTimestamp | None]
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


REDEMPTION_FLAGS = ("expired", "other_customer", "repeat_use")


class CouponRedemption(Base):
    """One order that used a coupon's code. ``value`` is what the code took off that order
    (the order's discount when the shop reported it, else the coupon's value); ``flag`` marks
    a use past expiry, by a customer the code was not issued to, or a second use."""

    __tablename__ = "coupon_redemptions"
    __table_args__ = (
        UniqueConstraint("coupon_id", "order_id"),
        Index("ix_coupon_redemptions_workflow_at", "workflow_id", "redeemed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    workflow_id: Mapped[int | None] = mapped_column(ForeignKey("workflows.id", ondelete="SET NULL"))
    redeemed_at: Mapped[UTCTimestamp]
    value: Mapped[Money]
    currency: Mapped[Currency]
    flag: Mapped[Str32 | None]
    source: Mapped[Str32] = mapped_column(default="import")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


REFERRAL_STATUSES = ("accepted", "refused", "rewarded", "not_rewarded")
REFUSAL_REASONS = (
    "self_referral_customer",
    "self_referral_email",
    "self_referral_address",
    "friend_already_ordered",
    "repeat_use",
    "refunded",
    "cancelled",
)


class ReferralUse(Base):
    """One order placed with a referral code, and what came of it: ``accepted`` (the friend's
    first paid order; the reward waits for the refund window), ``rewarded`` (the advocate's
    coupon issued), ``refused`` or ``not_rewarded`` with ``reason``. ``flagged`` marks a code
    used unusually often."""

    __tablename__ = "referral_uses"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_code_id: Mapped[int] = mapped_column(
        ForeignKey("referral_codes.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    friend_customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[Str32]
    reason: Mapped[Str32 | None]
    friend_discount: Mapped[Money | None]
    currency: Mapped[Currency | None]
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    reward_coupon_id: Mapped[int | None] = mapped_column(
        ForeignKey("coupons.id", ondelete="SET NULL")
    )
    used_at: Mapped[UTCTimestamp]
    decided_at: Mapped[UTCTimestamp]
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
