"""Dashboard users, the audit log and store settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Str32, Str64, Str255, Timestamps, UTCTimestamp


class User(Timestamps, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[Str255]
    role: Mapped[Str32]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[UTCTimestamp | None]


class UserSession(Base):
    """A server-side login session. The cookie carries a random token; only its SHA-256 is
    stored. Every script run reloads it with its user, so logout, a password reset or a
    deactivation (which delete the rows) and a role change act at once."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[UTCTimestamp]
    last_seen_at: Mapped[UTCTimestamp]
    address: Mapped[Str64 | None]


class LoginAttempt(Base):
    """One login attempt (per account and per address throttling)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[UTCTimestamp]
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[Str64]
    ok: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[UTCTimestamp]
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[Str64]
    target: Mapped[Str255 | None]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Setting(Base):
    """One store setting; the typed view is ``core.settings.StoreSettings``."""

    __tablename__ = "settings"

    key: Mapped[Str64] = mapped_column(primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[UTCTimestamp]


class Erasure(Base):
    """A keyed tombstone of an erased customer: the HMAC (with the store's secret key) of an
    email or external id, so a later import or webhook naming them is recognised and not let
    back in, while the tombstone itself holds no personal data."""

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[Str32]  # email | external_id
    customer_id: Mapped[int | None]  # the anonymised row that stays for the KPIs
    erased_at: Mapped[UTCTimestamp]
