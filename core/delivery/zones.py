"""The time zone a delivery's times are written in.

The rule: time slots (and a pickup store's opening hours) are the local time of the place, so
a destination's times are in the destination country's zone: its only zone in the time zone
database's country table (``zone.tab``), or the one it marks as the country's mainland or "most
of" it (Portugal: Europe/Lisbon, Spain: Europe/Madrid, Germany: Europe/Berlin). A country with
several clocks and no main one (the US, Canada, Australia, Russia, Brazil...) or one the table
does not know uses the store's zone. Cut-offs and dispatch stay in the store's zone.

``zone.tab`` is read from the system's zoneinfo directories (``zoneinfo.TZPATH``) or from the
``tzdata`` package when that is installed; without either, every country uses the store's zone.
"""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

_MAIN = re.compile(r"\bmainland\b|\bmost of\b", re.IGNORECASE)


def _table_text() -> str:
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / "zone.tab"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return ""


def parse_table(text: str) -> dict[str, str]:
    """Country code -> its zone name, by the rule above (countries without one are left out)."""
    rows: dict[str, list[tuple[str, str]]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        rows.setdefault(parts[0].upper(), []).append((parts[2], parts[3] if len(parts) > 3 else ""))
    out: dict[str, str] = {}
    for country, zones in rows.items():
        main = [name for name, comment in zones if _MAIN.search(comment)]
        if len(zones) == 1:
            out[country] = zones[0][0]
        elif len(main) == 1:
            out[country] = main[0]
    return out


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    return parse_table(_table_text())


@lru_cache(maxsize=512)
def country_zone(country: str) -> ZoneInfo | None:
    """The zone of ``country`` by the rule above; None when it has several clocks or is
    unknown."""
    name = _table().get((country or "").upper())
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def destination_zone(country: str | None, store_tz: ZoneInfo) -> ZoneInfo:
    """The zone a destination's delivery times are written in (the store's as a fallback)."""
    return country_zone(country or "") or store_tz
