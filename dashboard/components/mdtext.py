"""Text from the database (names, subjects, emails, codes, messages that quote them) shown inside
Markdown: every Markdown, HTML and Streamlit special character is escaped and line breaks become
spaces, so a name cannot become a link, an image, markup, a LaTeX formula, a colour or an icon."""

from __future__ import annotations

_SPECIAL = frozenset("\\`*_{}[]()#+-.!<>|~&:@$=^")


def md(text: object) -> str:
    """``text`` as literal Markdown on one line (a subject may contain * or _, a name
    [x](javascript:..), a code $x$)."""
    flat = " ".join(str(text).splitlines())
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
