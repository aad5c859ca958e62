"""Human labels for registry keys and known values (countries and languages by name)."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale

from core.engine.registry import FIELDS, OPERATORS, STEP_TYPES, TRIGGERS

GROUPS = {"order": "Order", "customer": "Customer", "event": "Event"}
WEEKDAY_NAMES = {
    "mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday",
    "sat": "Saturday", "sun": "Sunday",
}  # fmt: skip


@lru_cache(maxsize=1)
def _english() -> Locale:
    return Locale("en")


def choice_label(source: str | None, value: object) -> str:
    """``Germany (DE)`` for a country, ``German (de)`` for a language, the value otherwise."""
    text = str(value)
    if source == "countries":
        name = _english().territories.get(text.upper())
        return f"{name} ({text})" if name else text
    if source == "locales":
        name = _english().languages.get(text)
        return f"{name} ({text})" if name else text
    if source == "weekdays":
        return WEEKDAY_NAMES.get(text, text)
    return (
        text.replace("_", " ")
        if source in ("event_types", "order_statuses", "rfm_segments")
        else text
    )


def field_label(key: str) -> str:
    spec = FIELDS.get(key)
    return f"{GROUPS.get(spec.group, spec.group)} · {spec.label}" if spec else key


def operator_label(key: str) -> str:
    return OPERATORS[key].label if key in OPERATORS else key


def trigger_label(key: str) -> str:
    return TRIGGERS[key].label if key in TRIGGERS else key


def step_type_label(key: str) -> str:
    return STEP_TYPES[key].label if key in STEP_TYPES else key
