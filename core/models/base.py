"""Declarative base and the reusable column types of the domain."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import JSON, MetaData, Numeric, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.db import UTCDateTime

Money = Annotated[Decimal, "money"]
"""An amount with two decimals; its currency lives in a sibling ``currency`` column."""
Rate = Annotated[Decimal, "rate"]
UTCTimestamp = Annotated[dt.datetime, "utc"]
Currency = Annotated[str, "currency"]
Str32 = Annotated[str, 32]
Str64 = Annotated[str, 64]
Str255 = Annotated[str, 255]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        Money: Numeric(14, 2, asdecimal=True),
        Rate: Numeric(18, 8, asdecimal=True),
        UTCTimestamp: UTCDateTime(),
        Currency: String(3),
        Str32: String(32),
        Str64: String(64),
        Str255: String(255),
        dict[str, Any]: JSON(),
        dict[str, str]: JSON(),
        list[Any]: JSON(),
        list[str]: JSON(),
    }


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Timestamps:
    """``created_at`` and ``updated_at``, set by callables, never evaluated once at import."""

    created_at: Mapped[UTCTimestamp] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[UTCTimestamp] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )
