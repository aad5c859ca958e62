"""The typed value input of one condition rule: money with currency, numbers, dates, yes/no,
known values from the store's data, lists, ranges and "within the last N days"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st

from core.builder import conditions as cond
from core.builder.values import date_of, money_parts, money_value, number_of
from core.engine.registry import OPERATORS
from core.engine.schema import Rule, WorkflowDefinition
from dashboard import resources
from dashboard.builder import state as builder_state
from dashboard.builder.labels import choice_label
from dashboard.builder.vocabulary import WORKFLOW, Vocabulary
from dashboard.components.mdtext import md

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


KNOWN_SETS = ("countries", "currencies", "delivery_options", "locales", "templates", "tags")
"""Sources whose values are picked from a set, never typed ("Germany" would match no order)."""
NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}
HISTORY_SOURCES = WORKFLOW.history_sources
"""Sources read from the order history: a value outside it matches no order yet."""


def known_set(
    source: str | None, choices: Callable[[str | None], list[str]] = builder_state.choices
) -> list[str]:
    """Every value a known-set field can take: the store's data, plus for countries and
    currencies every ISO code (a shop may target a market it has not sold to yet)."""
    found = choices(source)
    if source == "countries":
        from babel import Locale

        found = found + sorted(
            c
            for c in map(str, Locale("en").territories)
            if len(c) == 2 and c.isalpha() and c not in NOT_COUNTRIES
        )
    elif source == "currencies":
        from babel.numbers import list_currencies

        found = found + _currencies() + sorted(list_currencies())
    return list(dict.fromkeys(found))


def _options(rule: Rule, vocab: Vocabulary = WORKFLOW) -> list[str]:
    spec = vocab.fields[rule.field]
    if spec.choices:
        options = list(spec.choices)
    elif spec.choices_source in KNOWN_SETS:
        options = known_set(spec.choices_source, vocab.choices)
    else:
        options = vocab.choices(spec.choices_source)
    current = rule.value if isinstance(rule.value, list) else [rule.value]
    return options + [str(v) for v in current if v not in (None, "") and str(v) not in options]


def unseen_values(rule: Rule, vocab: Vocabulary = WORKFLOW) -> list[str]:
    """Values of the rule that no order in the history has (the condition would match none)."""
    spec = vocab.fields.get(rule.field)
    if spec is None or spec.choices_source not in vocab.history_sources:
        return []
    if rule.op not in ("eq", "in", "contains"):  # "is not" a missing value matches everyone
        return []
    seen = set(vocab.choices(spec.choices_source))
    values = rule.value if isinstance(rule.value, list) else [rule.value]
    return [str(v) for v in values if v not in (None, "") and str(v) not in seen]


def unseen_text(rule: Rule, vocab: Vocabulary = WORKFLOW) -> str:
    """The warning under a rule with a value no order has ("" if there is none)."""
    unseen = unseen_values(rule, vocab)
    if not unseen:
        return ""
    spec = vocab.fields[rule.field]
    names = md(", ".join(choice_label(spec.choices_source, v) for v in unseen))
    return (
        f"No order in the history has {names} as {spec.label.lower()}: "
        "this condition matches no order yet."
    )


CONDITION_PLACES = {"entry": "Who enters", "still_true": "Still true?", "exit": "Leave when"}


def unmatched_conditions(definition: WorkflowDefinition) -> list[str]:
    """Every "matches no order yet" warning of the workflow, each saying where its rule is."""
    places = [(label, getattr(definition, slot)) for slot, label in CONDITION_PLACES.items()]
    places += [(f"Step {md(s.id)}", s.condition) for s in definition.steps if s.condition]
    found = []
    for place, node in places:
        for _, item in cond.walk(cond.as_group(node)):
            text = unseen_text(item) if isinstance(item, Rule) else ""
            if text:
                found.append(f"{place}: {text}")
    return found


def _free(spec_source: str | None) -> bool:
    return spec_source not in KNOWN_SETS


def _single(
    rule: Rule,
    label: str,
    value: Any,
    key: str,
    readonly: bool,
    on: Setter,
    vocab: Vocabulary = WORKFLOW,
) -> None:
    spec = vocab.fields[rule.field]
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
        options = _options(rule, vocab)
        st.selectbox(
            label,
            options,
            index=options.index(value) if value in options else None,
            key=key,
            disabled=readonly,
            accept_new_options=_free(spec.choices_source),
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


def value_input(
    rule: Rule, key: str, readonly: bool, on: Setter, vocab: Vocabulary = WORKFLOW
) -> None:
    """Draw the rule's value input; ``on(value)`` stores a changed value. ``vocab`` holds the
    rule's field (the workflow fields unless told)."""
    spec = vocab.fields[rule.field]
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
        options = _options(rule, vocab)
        st.multiselect(
            "Values",
            options,
            default=[str(v) for v in rule.value or []],
            key=key,
            disabled=readonly,
            accept_new_options=_free(spec.choices_source),
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
            _single(rule, "From", pair[0], f"{key}.lo", readonly, put(0), vocab)
        with hi:
            _single(rule, "To", pair[1], f"{key}.hi", readonly, put(1), vocab)
    else:
        _single(rule, "Value", rule.value, key, readonly, on, vocab)
