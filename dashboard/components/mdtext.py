"""Text from the database (names, subjects, emails) shown inside Markdown: every Markdown and
HTML special character is escaped, so a name cannot become a link, an image or markup."""

from __future__ import annotations

_SPECIAL = frozenset("\\`*_{}[]()#+-.!<>|~&:@")


def md(text: object) -> str:
    """``text`` as literal Markdown (a subject may contain * or _, a name [x](javascript:..))."""
    return "".join("\\" + c if c in _SPECIAL else c for c in str(text))
