"""Internal markers kept in the settings table (keys starting with ``_``): data version, cursors,
facts built. Below :mod:`core.settings` so that low-level modules (``core.facts``) can read and
write them without importing the settings module."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from core.models.admin import Setting


def get_meta(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else row.value


def set_meta(session: Session, key: str, value: Any) -> None:
    now = dt.datetime.now(dt.UTC)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value, updated_at=now))
    else:
        row.value = value
        row.updated_at = now
