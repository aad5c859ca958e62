"""The typed value input of one condition rule: money with currency, numbers, dates, yes/no,
known values from the store's data, lists, ranges and "within the last N days"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st

from core.builder.values import date_of, money_parts, money_value, number_of
from core.engine.registry import FIELDS, OPERATORS
from core.engine.schema import Rule
from dashboard import resources
from dashboard.builder import state as builder_state
from dashboard.builder.labels import choice_label

Setter = Callable[[Any], None]


def _currencies() -> list[str]:
    settings = resources.settings()
    found = [settings.currency, *sorted(settings.exchange_rates)]
    found += builder_state.choices("currencies")
    return list(dict.fromkeys(c for c in found if c))


def _money(label: str, value: Any, key: str, readonly: bool, on: Setter) -> None:
    amount, currency = money_parts(value, resources.settings().currency)
    currencies = _currencies()
    if currency not in currencies:
        currencies.append(currency)
    left, right = st.columns([3, 2], gap="small")

    def changed() -> None:
        on(money_value(st.session_state[f"{key}.amount"], st.session_state[f"{key}.currency"]))

    left.number_input(
        label,
        value=float(amount),
        min_value=0.0,
        step=1.0,
        format="%.2f",
        key=f"{key}.amount",
        disabled=readonly,
        on_change=changed,
    )
    right.selectbox(
        "Currency",
        currencies,
        index=currencies.index(currency),
        key=f"{key}.currency",
        disabled=readonly,
        on_change=changed,
    )


def _options(rule: Rule) -> list[str]:
    spec = FIELDS[rule.field]
    options = list(spec.choices) or builder_state.choices(spec.choices_source)
    current = rule.value if isinstance(rule.value, list) else [rule.value]
    return options + [str(v) for v in current if v not in (None, "") and str(v) not in options]


def _single(rule: Rule, label: str, value: Any, key: str, readonly: bool, on: Setter) -> None:
    spec = FIELDS[rule.field]
    if spec.kind == "money":
        _money(label, value, key, readonly, on)
    elif spec.kind in ("number", "days"):
        st.number_input(
            label,
            value=number_of(value),
            step=1.0,
            key=key,
            disabled=readonly,
            on_change=lambda: on(_whole(st.session_state[key])),
        )
    elif spec.kind == "date":
        st.date_input(
            label,
            value=date_of(value, dt.date.today()),
            key=key,
            disabled=readonly,
            on_change=lambda: on(st.session_state[key].isoformat()),
        )
    elif spec.kind == "bool":
        st.selectbox(
            label,
            [True, False],
            index=0 if value is not False else 1,
            key=key,
            format_func=lambda v: "yes" if v else "no",
            disabled=readonly,
            on_change=lambda: on(bool(st.session_state[key])),
        )
    elif spec.kind in ("choice", "multi"):
        options = _options(rule)
        st.selectbox(
            label,
            options,
            index=options.index(value) if value in options else None,
            key=key,
            disabled=readonly,
            accept_new_options=True,
            placeholder="Choose...",
            format_func=lambda v: choice_label(spec.choices_source, v),
            on_change=lambda: on(st.session_state[key]),
        )
    else:
        st.text_input(
            label,
            value="" if value is None else str(value),
            key=key,
            disabled=readonly,
            on_change=lambda: on(st.session_state[key]),
        )


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def value_input(rule: Rule, key: str, readonly: bool, on: Setter) -> None:
    """Draw the rule's value input; ``on(value)`` stores a changed value."""
    spec = FIELDS[rule.field]
    shape = OPERATORS[rule.op].value
    if shape == "none":
        st.caption("(no value needed)")
    elif shape == "days":
        st.number_input(
            "Days",
            value=int(number_of(rule.value, 30)),
            min_value=0,
            step=1,
            key=key,
            disabled=readonly,
            on_change=lambda: on(int(st.session_state[key])),
        )
    elif shape == "list":
        options = _options(rule)
        st.multiselect(
            "Values",
            options,
            default=[str(v) for v in rule.value or []],
            key=key,
            disabled=readonly,
            accept_new_options=True,
            format_func=lambda v: choice_label(spec.choices_source, v),
            on_change=lambda: on(list(st.session_state[key])),
        )
    elif shape == "pair":
        pair = rule.value if isinstance(rule.value, list) and len(rule.value) == 2 else [None, None]
        lo, hi = st.columns(2, gap="small")

        def put(index: int) -> Setter:
            def setter(v: Any) -> None:
                new = list(pair)
                new[index] = v
                on(new)

            return setter

        with lo:
            _single(rule, "From", pair[0], f"{key}.lo", readonly, put(0))
        with hi:
            _single(rule, "To", pair[1], f"{key}.hi", readonly, put(1))
    else:
        _single(rule, "Value", rule.value, key, readonly, on)
