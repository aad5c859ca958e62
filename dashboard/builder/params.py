"""One typed input per registry parameter kind: number, money, text, url, choice, multi, date,
bool, days, time and weekdays. Each widget writes back through ``on_change``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st

from core.builder.values import date_of, number_of
from core.engine.registry import WEEKDAYS, ParamSpec
from dashboard.builder import state as builder_state
from dashboard.builder.labels import choice_label

Setter = Callable[[Any], None]
NEW_OPTION_SOURCES = ("tags",)


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _number(spec: ParamSpec, value: Any, key: str, disabled: bool, on: Setter) -> None:
    whole = spec.kind == "days" or spec.key in ("n", "days", "hours", "minutes", "expiry_days")
    current = number_of(value, number_of(spec.default))
    kwargs: dict[str, Any] = {"min_value": spec.minimum, "max_value": spec.maximum}
    if whole:
        kwargs = {k: int(v) for k, v in kwargs.items() if v is not None}
        st.number_input(
            spec.label,
            value=int(current),
            step=1,
            key=key,
            disabled=disabled,
            help=spec.help or None,
            on_change=lambda: on(int(st.session_state[key])),
            **kwargs,
        )
        return
    kwargs = {k: float(v) for k, v in kwargs.items() if v is not None}
    optional = not spec.required and spec.default is None and value in (None, "")
    fmt = "%.2f" if spec.kind == "money" else None
    label = f"{spec.label} ({builder_state_currency()})" if spec.kind == "money" else spec.label
    st.number_input(
        label,
        value=None if optional else float(current),
        step=1.0,
        format=fmt,
        key=key,
        disabled=disabled,
        help=spec.help or None,
        placeholder="none" if optional else None,
        on_change=lambda: on(_optional_number(st.session_state[key])),
        **kwargs,
    )


def _optional_number(value: float | None) -> int | float | None:
    return None if value is None else _whole(value)


def builder_state_currency() -> str:
    from dashboard import resources

    return resources.settings().currency


def _options(spec: ParamSpec, value: Any) -> list[str]:
    options = list(spec.choices) or builder_state.choices(spec.choices_source)
    extra = value if isinstance(value, list) else [value]
    return options + [v for v in extra if v not in (None, "") and v not in options]


def _choice(spec: ParamSpec, value: Any, key: str, disabled: bool, on: Setter) -> None:
    options = _options(spec, value)
    index = options.index(value) if value in options else None
    st.selectbox(
        spec.label,
        options,
        index=index,
        key=key,
        disabled=disabled,
        help=spec.help or None,
        format_func=lambda v: choice_label(spec.choices_source, v),
        accept_new_options=spec.choices_source in NEW_OPTION_SOURCES,
        placeholder="Choose...",
        on_change=lambda: on(st.session_state[key]),
    )


def _multi(spec: ParamSpec, value: Any, key: str, disabled: bool, on: Setter) -> None:
    options = list(WEEKDAYS) if spec.kind == "weekdays" else _options(spec, value)
    st.multiselect(
        spec.label,
        options,
        default=[v for v in (value or []) if v in options],
        key=key,
        disabled=disabled,
        help=spec.help or None,
        format_func=lambda v: choice_label(
            "weekdays" if spec.kind == "weekdays" else spec.choices_source, v
        ),
        on_change=lambda: on(list(st.session_state[key])),
    )


def _text(spec: ParamSpec, value: Any, key: str, disabled: bool, on: Setter) -> None:
    placeholder = "https://..." if spec.kind == "url" else None
    st.text_input(
        spec.label,
        value="" if value is None else str(value),
        key=key,
        disabled=disabled,
        help=spec.help or None,
        placeholder=placeholder,
        on_change=lambda: on(st.session_state[key]),
    )


def _bool(spec: ParamSpec, value: Any, key: str, disabled: bool, on: Setter) -> None:
    st.toggle(
        spec.label,
        value=bool(value),
        key=key,
        disabled=disabled,
        help=spec.help or None,
        on_change=lambda: on(bool(st.session_state[key])),
    )


def _date(spec: ParamSpec, value: Any, key: str, disabled: bool, on: Setter) -> None:
    st.date_input(
        spec.label,
        value=date_of(value, dt.date.today()),
        key=key,
        disabled=disabled,
        on_change=lambda: on(st.session_state[key].isoformat()),
    )


def _time(spec: ParamSpec, value: Any, key: str, disabled: bool, on: Setter) -> None:
    try:
        current = dt.time.fromisoformat(str(value or spec.default or "10:00"))
    except ValueError:
        current = dt.time(10, 0)
    st.time_input(
        spec.label,
        value=current,
        step=900,
        key=key,
        disabled=disabled,
        on_change=lambda: on(st.session_state[key].strftime("%H:%M")),
    )


_INPUTS: dict[str, Callable[[ParamSpec, Any, str, bool, Setter], None]] = {
    "number": _number,
    "money": _number,
    "days": _number,
    "text": _text,
    "url": _text,
    "choice": _choice,
    "multi": _multi,
    "weekdays": _multi,
    "bool": _bool,
    "date": _date,
    "time": _time,
}


def drawn_guard(key: str, on: Setter) -> tuple[Setter, Callable[[], None]]:
    """``on`` for the widget ``key``, except for a call that brings back the value the widget was
    drawn with: Streamlit calls the callback of a widget a run removed (another step selected)
    when the browser's next request still carries its value, as if it had changed (see
    ``conditions._item_edit``), and that would store the old value again. Call the second
    function right after drawing the widget."""
    drawn: list[Any] = []

    def changed(new: Any) -> None:
        if drawn and st.session_state.get(key) == drawn[0]:
            return
        on(new)

    return changed, lambda: drawn.append(st.session_state.get(key))


def param_input(spec: ParamSpec, value: Any, key: str, disabled: bool, on: Setter) -> None:
    """The input for one parameter; ``on(new_value)`` runs when the merchant changes it."""
    changed, drawn = drawn_guard(key, on)
    _INPUTS.get(spec.kind, _text)(spec, value, key, disabled, changed)
    drawn()
