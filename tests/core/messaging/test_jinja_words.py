"""Template mistakes explained as a merchant reads them: line, what is wrong, how to fix."""

from __future__ import annotations

import pytest

from core.errors import TemplateError
from core.messaging.render import check_parts

CASES = [
    (
        "<p>Hello</p>\n<p>{{ customer.first_name </p>",
        'Line 2 ("<p>{{ customer.first_name </p>"): a placeholder {{ ... }} or a command',
        "end placeholders with }}",
    ),
    ("{% if customer.first_name %}Hi", "the {% if %} block is never closed", "add {% endif %}"),
    ("{% for x in order.lines %}{% endif %}", "does not match the open {% for %}", "{% endfor %}"),
    ("{{ customer first_name }}", "has more than one name in it", "one name per placeholder"),
    ("{% iff x %}", "{% iff %} is not a command templates know", "check the spelling"),
]


@pytest.mark.parametrize(("html", "what", "fix"), CASES)
def test_syntax_errors_in_merchant_words(html: str, what: str, fix: str) -> None:
    with pytest.raises(TemplateError) as caught:
        check_parts("Hi", None, html, None)
    text = str(caught.value)
    assert text.startswith("HTML body: Line ") and what in text
    assert "To fix:" in text and fix in text.split("To fix:")[1]
    for jargon in ("expected token", "end of print statement", "Jinja", "innermost block"):
        assert jargon not in text
