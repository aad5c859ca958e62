"""Text from the database (names, subjects, emails, codes, messages that quote them) shown inside
Markdown: every Markdown, HTML and Streamlit special character is escaped and line breaks become
spaces, so a name cannot become a link, an image, markup, a LaTeX formula, a colour or an icon
(an email address may still show as a mail link to itself)."""

from __future__ import annotations

import re

_SPECIAL = frozenset("\\`*_{}[]()#+-.!<>|~&:@$=^")
_AUTOLINK = re.compile(r"(?i)(https?|ftp|www)(?=:|\.)")
"""GFM turns a bare ``http://``, ``https://`` or ``www.`` into a link even when escaped: a
zero-width space after the word stops it (the text reads the same)."""


def md(text: object) -> str:
    """``text`` as literal Markdown on one line (a subject may contain * or _, a name
    [x](javascript:..), a code $x$)."""
    flat = _AUTOLINK.sub("\\1\u200b", " ".join(str(text).splitlines()))
    return "".join("\\" + c if c in _SPECIAL else c for c in flat)


def md_code(text: object) -> str:
    """Like :func:`md`, but `code` spans stay code (an error's hint naming a command): their
    content is shown literally anyway. Only when every backtick stands alone and they pair up;
    otherwise everything is escaped."""
    flat = " ".join(str(text).splitlines())
    parts = flat.split("`")
    if len(parts) % 2 == 0 or "``" in flat:  # single backticks pair in order, as CommonMark does
        return md(flat)
    return "`".join(part if i % 2 else md(part) for i, part in enumerate(parts))
