"""Dashboard users, the audit log and store settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Index, String
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
