"""Hostile-input properties (issue 11): any workflow JSON and any template source give success
or a clear OrderflowError, never an unhandled exception; rendering stays within its limits."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from core.engine import validate
from core.errors import OrderflowError
from core.messaging.render import compile_parts, render_message
from core.messaging.sandbox import MAX_OUTPUT
from core.messaging.values import Record

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=25,
)
_step = st.fixed_dictionaries(
    {
        "id": st.text(max_size=8) | st.sampled_from(["a", "b", "hook"]),
        "type": st.sampled_from(["wait", "send_email", "webhook", "branch", "nope", ""])
        | st.text(max_size=6),
        "params": st.dictionaries(
            st.sampled_from(["days", "url", "template", "secret"]), _json, max_size=3
        ),
        "next": st.none() | st.sampled_from(["a", "b", "zzz"]),
    }
)
_workflow = (
    st.fixed_dictionaries(
        {
            "name": st.text(max_size=30),
            "triggers": st.lists(
                st.fixed_dictionaries({"type": st.text(max_size=12) | st.just("order_placed")}),
                max_size=2,
            ),
            "steps": st.lists(_step, max_size=4),
        }
    )
    | _json
)


@settings(max_examples=150, deadline=None)
@given(data=_workflow)
def test_any_workflow_json_validates_or_lists_problems(data: Any) -> None:
    text = json.dumps(data)
    problems = validate.validate(text, None)
    assert all(str(p) for p in problems)
    blocking = validate.errors(problems)
    if blocking:
        try:
            validate.check(text, None)
        except OrderflowError as exc:
            assert str(exc)
        else:
            raise AssertionError("problems were found, yet the definition was accepted")
    else:
        assert validate.check(text, None) is not None


_template = st.lists(
    st.sampled_from(
        [
            "{{",
            "}}",
            "{%",
            "%}",
            " if ",
            " for x in ",
            " endfor ",
            " endif ",
            "customer.first_name",
            "|join",
            "|upper",
            "*",
            "1000",
            "'a'",
            "range(",
            ")",
            "~",
            "<script>",
            "<p>",
            "</p>",
            "{% raw %}",
            "{% endraw %}",
            "[",
            "]",
            ",",
            "store.name",
            "|default('x')",
            "\n",
        ]
    )
    | st.text(max_size=5),
    max_size=25,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(source=_template)
def test_any_template_source_compiles_and_renders_or_says_why(source: str) -> None:
    try:
        compiled = compile_parts("Hi", None, source or "x", None)
        message = render_message(
            compiled, {"customer": Record(first_name="Ann"), "store": Record(name="Shop")}
        )
    except OrderflowError:
        return
    assert "<script" not in message.html.lower()
    assert len(message.html) < MAX_OUTPUT + 10_000
