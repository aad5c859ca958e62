"""Template syntax errors in words a merchant reads: the line (and its text), what is wrong and
how to fix it, instead of Jinja's parser vocabulary ("expected token 'end of print
statement'")."""

from __future__ import annotations

import re

from jinja2 import TemplateSyntaxError

_INNERMOST = re.compile(r"innermost block that needs to be closed is '(\w+)'")
_UNKNOWN_TAG = re.compile(r"unknown tag '(\w+)'")
_GOT = re.compile(r"got '([^']*)'")
_FILTER = re.compile(r"[Nn]o filter named '([^']+)'")


def _line_text(source: str, lineno: int) -> str:
    lines = source.splitlines()
    if not 1 <= lineno <= len(lines):
        return ""
    text = lines[lineno - 1].strip()
    return text if len(text) <= 80 else text[:77] + "..."


def _what_and_fix(message: str) -> tuple[str, str]:
    open_block = _INNERMOST.search(message)
    unknown = _UNKNOWN_TAG.search(message)
    if "Unexpected end of template" in message and open_block:
        tag = open_block[1]
        return (
            f"the {{% {tag} %}} block is never closed",
            f"add {{% end{tag} %}} where the {tag} part should end",
        )
    if unknown and open_block:
        return (
            f"{{% {unknown[1]} %}} does not match the open {{% {open_block[1]} %}} block",
            f"close {{% {open_block[1]} %}} first with {{% end{open_block[1]} %}}",
        )
    if unknown:
        return (
            f"{{% {unknown[1]} %}} is not a command templates know",
            "use if / elif / else / endif, for / endfor or set; check the spelling",
        )
    if "end of print statement" in message:
        got = _GOT.search(message)
        extra = f" ('{got[1]}')" if got else ""
        return (
            f"a placeholder {{{{ ... }}}} has more than one name in it{extra}",
            "write one name per placeholder, e.g. {{ customer.first_name }}, or add a filter "
            "with |, e.g. {{ order.total | money }}",
        )
    if "unexpected '}'" in message or "unexpected '/'" in message or "unexpected '<'" in message:
        return (
            "a placeholder {{ ... }} or a command {% ... %} is not closed",
            "end placeholders with }} and commands with %}",
        )
    if "unexpected end of template" in message.lower():
        return ("the template ends inside a placeholder or command", "close it with }} or %}")
    found = _FILTER.search(message)
    if found:
        return (
            f"there is no filter called '{found[1]}'",
            "pick a filter from the list beside the editor (e.g. money, date, upper)",
        )
    return (message.rstrip(".").lower(), "check the {{ }} and {% %} marks on that line")


def explain(exc: TemplateSyntaxError, source: str) -> str:
    """``Line 3 ("<p>{{ customer.first_name </p>"): a placeholder ... is not closed. To fix:
    end placeholders with }} and commands with %}.``"""
    lineno = exc.lineno or 1
    shown = _line_text(source, lineno)
    where = f'Line {lineno} ("{shown}")' if shown else f"Line {lineno}"
    what, fix = _what_and_fix(exc.message or str(exc))
    return f"{where}: {what}. To fix: {fix}."
