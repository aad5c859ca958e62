"""Text from the database inside Markdown (dashboard/components/mdtext.py)."""

from __future__ import annotations

from dashboard.components.mdtext import md, md_code
from tests.pages.conftest import HOSTILE


def test_md_escapes_markup_math_colours_and_line_breaks() -> None:
    assert md(HOSTILE) == (
        r"\*\*bold\*\* \[link\]\(http" + "\u200b" + r"\://evil\.example\) \<b\>x\</b\> \$x\$"
    )
    assert md(":red[x] :smile:\n# title") == r"\:red\[x\] \:smile\: \# title"


def test_md_code_keeps_code_spans_and_escapes_the_rest() -> None:
    assert md_code("Run `python -m core source list` [x](y).") == (
        r"Run `python -m core source list` \[x\]\(y\)\."
    )
    assert md_code("an odd ` one **b**") == md("an odd ` one **b**")
    assert md_code("``x`` **b**") == md("``x`` **b**")  # double runs: everything escaped


def test_bare_addresses_do_not_become_links() -> None:
    shown = md("see https://evil.example, HTTP://x.example or www.evil.example")
    assert "https:" not in shown.replace("\\", "") and "www." not in shown.replace("\\", "")
    assert shown.replace("\u200b", "").replace("\\", "") == (
        "see https://evil.example, HTTP://x.example or www.evil.example"
    )
