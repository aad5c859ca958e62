"""The HTML shell of the public pages customers open from emails (review, referral): one
small, self-contained page with inline CSS, no script, and headers that keep it out of caches,
search engines and referrers. Every value put into a page is escaped by the caller."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from starlette.responses import HTMLResponse

LANGUAGES = ("en", "de", "fr", "nl", "es", "it", "pl", "sv")
CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CSP,
}
STYLE = (
    "*{box-sizing:border-box}"
    "body{font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif;background:#f3f4f6;"
    "color:#111827;margin:0;padding:16px;line-height:1.5}"
    "main{max-width:520px;margin:32px auto;background:#fff;padding:28px 24px;border-radius:12px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.08),0 8px 24px rgba(0,0,0,.04)}"
    ".store{font-size:13px;font-weight:600;letter-spacing:.06em;text-transform:uppercase;"
    "color:#6b7280;margin:0 0 8px}"
    "h1{font-size:22px;line-height:1.3;margin:0 0 16px}"
    "p{margin:0 0 12px}.muted{color:#6b7280;font-size:14px}"
    ".error{background:#fef2f2;border:1px solid #fecaca;color:#991b1b;padding:10px 12px;"
    "border-radius:8px;margin:0 0 16px}"
    ".note{background:#eff6ff;border:1px solid #bfdbfe;color:#1e3a8a;padding:10px 12px;"
    "border-radius:8px;margin:0 0 16px;font-size:14px}"
    "button{background:#1d4ed8;color:#fff;border:0;padding:13px 22px;border-radius:8px;"
    "font-size:16px;font-weight:600;cursor:pointer;width:100%}"
    "button:hover{background:#1e40af}"
    "button:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}"
    "ul.langs{list-style:none;padding:0;margin:16px 0 0;color:#4b5563;font-size:14px}"
    "ul.langs li{padding:4px 0;border-top:1px solid #f3f4f6}"
)


def language(locale: str | None) -> str:
    """The page language of a customer locale (``de_AT`` -> ``de``), English otherwise."""
    lang = (locale or "en").replace("-", "_").split("_")[0].lower()
    return lang if lang in LANGUAGES else "en"


def page(
    title: str, body: str, *, status: int = 200, lang: str = "en", style: str = ""
) -> HTMLResponse:
    """A complete page; ``body`` is HTML the caller has escaped, ``title`` is plain text."""
    html = (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{STYLE}{style}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def every_language(texts: Mapping[str, Mapping[str, str]], key: str, status: int) -> HTMLResponse:
    """A page for a visitor whose language is unknown: the English sentence as the heading,
    the same sentence in every other language below it."""
    english = texts["en"][key]
    others = "".join(
        f'<li lang="{lang}">{escape(texts[lang][key])}</li>' for lang in LANGUAGES if lang != "en"
    )
    return page(
        english, f'<h1>{escape(english)}</h1><ul class="langs">{others}</ul>', status=status
    )
