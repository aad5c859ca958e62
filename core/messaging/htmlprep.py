"""HTML work done once, when a template is saved: CSS inlining (css-inline), sanitising (nh3),
and the plain-text body generated from the HTML.

Jinja tags are swapped for HTML comments (``<!--ofj:N-->``) while the HTML is parsed, so the
parser never moves them (text inside a ``<table>`` would be foster-parented), then put back. A
fragment is parsed inside ``<body>``, so a tag at its very start is kept (a leading comment
would otherwise land before ``<html>`` and be lost). The text of a ``{% raw %}`` block is
literal output, so it is NOT hidden from the sanitiser. ``@media`` rules stay in a ``<style>``
block for responsive layouts; every other rule is inlined.

Saving sanitises the template; :mod:`core.messaging.render` sanitises every rendered body
again (:func:`sanitize`), since what a template prints is only known when it renders.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import css_inline
import nh3

_JINJA = re.compile(
    r"(?P<open>\{%-?\s*raw\s*-?%\})(?P<raw>.*?)(?P<close>\{%-?\s*endraw\s*-?%\})"
    r"|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}",
    re.DOTALL,
)
_DOCUMENT = re.compile(r"<(html|body)[\s>]", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"<!--ofj:(\d+)-->|&lt;!--ofj:(\d+)--&gt;")
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_HEAD_STYLE = re.compile(r"<head[^>]*>.*?(<style[^>]*>.*?</style>).*?</head>", re.DOTALL | re.I)

TAGS = set(nh3.ALLOWED_TAGS) | {"style", "font", "tfoot", "caption", "section", "main"}
_GENERIC = {
    "style",
    "class",
    "id",
    "align",
    "valign",
    "width",
    "height",
    "dir",
    "lang",
    "bgcolor",
    "title",
    "role",
    "border",
    "cellpadding",
    "cellspacing",
    "color",
    "face",
    "size",
}
ATTRIBUTES: dict[str, set[str]] = {k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()}
ATTRIBUTES["*"] = _GENERIC
ATTRIBUTES["img"] = ATTRIBUTES.get("img", set()) | {"src", "alt"}
ATTRIBUTES["a"] = ATTRIBUTES.get("a", set()) | {"href", "target"}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_cleaner = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags={"script"},
    attributes=ATTRIBUTES,
    strip_comments=False,
    url_schemes=URL_SCHEMES,
)
_output_cleaner = nh3.Cleaner(
    tags=TAGS | {"html", "head", "body", "meta", "title"},
    clean_content_tags={"script"},
    attributes={**ATTRIBUTES, "meta": {"charset", "name", "content"}, "html": {"lang", "dir"}},
    strip_comments=True,
    url_schemes=URL_SCHEMES,
)
_inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def protect(source: str) -> tuple[str, list[str]]:
    """Replace every Jinja tag with a numbered HTML comment."""
    tags: list[str] = []

    def hide(tag: str) -> str:
        tags.append(tag)
        return f"<!--ofj:{len(tags) - 1}-->"

    def swap(match: re.Match[str]) -> str:
        if match.group("open") is not None:  # literal text: the sanitiser must see it
            return hide(match.group("open")) + match.group("raw") + hide(match.group("close"))
        return hide(match.group(0))

    return _JINJA.sub(swap, source), tags


def restore(html: str, tags: list[str]) -> str:
    return _PLACEHOLDER.sub(lambda m: tags[int(m.group(1) or m.group(2))], html)


def sanitize(html: str) -> str:
    """A fragment of HTML with scripts, event handlers and unsafe URLs removed (a no-break
    space stays the character: the serialiser would write it as ``&nbsp;``)."""
    return _cleaner.clean(html).replace("&nbsp;", "\xa0")


def sanitize_document(html: str) -> str:
    """A whole rendered message made safe to show in the dashboard (preview, mailbox)."""
    return _output_cleaner.clean(html)


def prepare_html(source: str) -> str:
    """The stored ``html_compiled``: CSS inlined, sanitised, Jinja tags untouched."""
    protected, tags = protect(source)
    if not _DOCUMENT.search(protected):
        protected = f"<html><head></head><body>{protected}</body></html>"
    try:
        inlined = _inliner.inline(protected)
    except (ValueError, css_inline.InlineError):
        inlined = protected
    body_match = _BODY.search(inlined)
    body = body_match.group(1) if body_match else inlined
    style_match = _HEAD_STYLE.search(inlined)
    media = style_match.group(1) if style_match and "@" in style_match.group(1) else ""
    return restore(sanitize(media + body.strip()), tags)


_BLOCKS = {"p", "div", "table", "section", "header", "footer", "ul", "ol", "blockquote", "hr"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP = {"style", "script", "head", "title"}


class _TextWriter(HTMLParser):
    def __init__(self, tags: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.tags = tags
        self.out: list[str] = []
        self.links: list[str | None] = []
        self.skip = 0
        self.cells = 0
        self.cell_text = False  # the row's cells so far wrote something

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCKS or tag in _HEADINGS or tag == "tr":
            self.out.append("\n\n" if tag in _HEADINGS or tag == "p" else "\n")
            self.cells, self.cell_text = 0, False
        elif tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in {"td", "th"}:
            self.out.append("  " if self.cells and self.cell_text else "")
            self.cells += 1
        elif tag == "img" and values.get("alt"):
            self.out.append(restore(values["alt"] or "", self.tags))
        if tag == "a":
            self.links.append(values.get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _HEADINGS or tag == "p":
            self.out.append("\n\n")
        elif tag in _BLOCKS or tag == "tr":
            self.out.append("\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href and not href.startswith("mailto:"):
                self.out.append(f" ({restore(href, self.tags)})")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(re.sub(r"\s+", " ", data))
            self.cell_text = self.cell_text or bool(data.strip())

    def handle_comment(self, data: str) -> None:
        match = re.fullmatch(r"ofj:(\d+)", data)
        if match and not self.skip:
            tag = self.tags[int(match.group(1))]
            self.out.append(tag)
            self.cell_text = self.cell_text or tag.startswith("{{")


def html_to_text(source: str) -> str:
    """A plain-text template from an HTML template (Jinja tags kept, links written out)."""
    protected, tags = protect(source)
    writer = _TextWriter(tags)
    writer.feed(protected)
    writer.close()
    lines = [line.strip() for line in "".join(writer.out).splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    # Text parts render with trim_blocks, which drops the newline right after a block tag: a
    # line break written there (a <br> after "{% if %}") would join two lines. Double it.
    return re.sub(r"((?<!-)%\})\n", r"\1\n\n", text)


def tidy_text(text: str) -> str:
    """A rendered plain-text part made readable: no trailing spaces, at most one empty line in
    a row (conditions that printed nothing leave none), no empty lines at either end."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
