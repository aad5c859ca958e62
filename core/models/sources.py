"""Live sources of order data (a Shopify shop, a WooCommerce store, an API client) and the log
of what they delivered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Str32, Str64, Timestamps, UTCTimestamp

SOURCE_KINDS = ("shopify", "woocommerce", "api")
DELIVERY_STATUSES = ("stored", "ignored", "rejected", "failed", "replayed")


class Source(Timestamps, Base):
    """One connected shop or API client. The webhook secret is kept encrypted (it must be read
    back to verify signatures); an API token only as its SHA-256 (it is shown once)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[Str32]
    name: Mapped[Str64] = mapped_column(unique=True)
    shop_domain: Mapped[str | None] = mapped_column(String(255), unique=True)
    secret_encrypted: Mapped[str | None] = mapped_column(Text)
    secret_hint: Mapped[Str32 | None]
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_hint: Mapped[Str32 | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_received_at: Mapped[UTCTimestamp | None]


class Delivery(Base):
    """One received webhook or API event: verified or why not, what it changed, and (for a
    verified one) its body, kept so a failed one can be replayed. ``delivery_key`` (the
    platform's webhook id or the event id) is set once processed, unique per source."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("source_id", "delivery_key"),
        Index("ix_deliveries_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    received_at: Mapped[UTCTimestamp]
    topic: Mapped[Str64]
    webhook_id: Mapped[str | None] = mapped_column(String(160))
    delivery_key: Mapped[str | None] = mapped_column(String(160))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[Str32]
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[UTCTimestamp | None]
