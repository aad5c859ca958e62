"""Issue 11 defects 1 and 6, issue 9 item 10: what a merchant's template prints is sanitised
when it renders (not only when saved), a tag at the start of the body survives saving, the
whole template is checked, and render limits stop the work before memory or time is spent;
saving renders once on a sample order so such templates are refused at save."""

from __future__ import annotations

import tracemalloc

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.auth import Actor
from core.errors import TemplateError
from core.messaging.render import compile_parts, render_for, render_message
from core.messaging.templates import create_template, save_translation
from core.messaging.values import Record
from core.models import TemplateTranslation
from tests.core.messaging.conftest import add_customer, add_order

CLI = Actor.cli()


@pytest.fixture
def session(sqlite_engine: Engine) -> Session:
    s = Session(sqlite_engine, expire_on_commit=False)
    create_template(s, CLI, "hostile", "transactional")
    return s


def _save(session: Session, html: str, subject: str = "Hi") -> TemplateTranslation:
    return save_translation(
        session, CLI, "hostile", "en", subject=subject, preheader=None, html=html, text=None
    )


def test_leading_tag_kept_and_whole_template_checked(session: Session) -> None:
    row = _save(session, "{{ customer.first_name }}, hello")
    assert row.html_compiled == "{{ customer.first_name }}, hello"
    row = _save(session, "{% if order.number %}<p>Order {{ order.number }}</p>{% endif %}")
    assert row.html_compiled is not None and row.html_compiled.startswith("{% if order.number %}")
    anna = add_customer(session, "anna", "en_GB", first_name="Anna")
    order = add_order(session, anna, "1")
    _save(session, "{{ customer.first_name }}, hello")
    message = render_for(session, "hostile", customer_id=anna.id, order_id=order.id)
    assert "Anna, hello" in message.html and message.text.startswith("Anna, hello")


RAW_SCRIPT = (
    "<p>Hello</p>{% raw %}{{<script>alert(document.cookie)</script>}}"
    "<img src=x onerror=alert(1)>{% endraw %}"
)


def test_raw_block_script_removed_at_save_and_at_render(session: Session) -> None:
    row = _save(session, RAW_SCRIPT)
    assert "<script" not in (row.html_compiled or "") and "onerror" not in (row.html_compiled or "")
    anna = add_customer(session, "anna", "en_GB")
    message = render_for(session, "hostile", customer_id=anna.id, order_id=None)
    assert "<script" not in message.html and "onerror" not in message.html
    assert "Hello" in message.html


def test_rendered_output_is_sanitised_whatever_was_stored() -> None:
    """A template compiled from unsanitised HTML (as rows stored before the fix): what it
    prints is cleaned when it renders, so customers and previews never get the script."""
    compiled = compile_parts(
        "Hi",
        None,
        '{% raw %}<script>steal()</script><a href="javascript:steal()">x</a>{% endraw %}'
        '<p onclick="steal()">{{ store.name }}</p>',
        None,
    )
    message = render_message(compiled, {"store": Record(name="Anna")})
    assert "<script" not in message.html and "steal" not in message.html
    assert "<p>Anna</p>" in message.html


BOMBS = [
    '{{ (["a"*100000]*5000)|join }}',
    "{{ range(1000)|map('string')|map('upper')|map('lower')|map('upper')|map('lower')"
    "|map('upper')|map('lower')|map('upper')|map('lower')|map('upper')|map('lower')|join }}",
    "{{ ('a'*100000)|list|map('upper')|map('lower')|map('upper')|list|length }}",
    "{{ [1]|batch(1000000000, 'x')|list }}",
    "{{ ('ab'*50000)|list|select('eq','a')|select('eq','a')|select('eq','a')|list|length }}",
    "{% for i in range(1000) %}{% for j in range(1000) %}x{% endfor %}{% endfor %}",
    "{% set a = 'x'*100000 %}{% for i in range(1000) %}{{ a }}{% endfor %}",
]


@pytest.mark.parametrize("html", BOMBS)
def test_resource_bombs_refused_at_save_before_the_memory_is_spent(
    session: Session, html: str
) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(TemplateError):
            _save(session, html)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000, f"{peak / 1e6:.0f} MB used before the limit stopped it"
