"""The public preference centre (no login), linked as "email settings" from every email.

- ``GET /p/{token}``: the customer's choices in their language: a box per purpose (review
  requests, referral and coupon offers, newsletters and win-back), "unsubscribe from all
  marketing", email frequency, language and preferred pickup store. Opening it changes nothing.
- ``POST /p/{token}``: saves the form (:func:`core.preference_centre.submit`: every change recorded with
  its time and source ``preference_centre``) and shows the page again, in the language chosen.
- A tampered or expired token answers 400 "not valid, nothing was changed" in every language.
The RFC 8058 one-click unsubscribe stays on ``/u/{token}``.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from core import db, preference_centre, preferences
from core.errors import AuthError, NotFound, ValidationError
from dashboard.routes.preferences_texts import LANGUAGE_NAMES, TEXTS
from dashboard.routes.public_page import every_language, language, page

MAX_BODY = 16 * 1024
STYLE = (
    "fieldset{border:0;padding:0;margin:0 0 18px}"
    "legend,label.field{font-weight:600;margin:0 0 8px;display:block;padding:0}"
    "label.box{display:flex;gap:10px;align-items:flex-start;padding:6px 0}"
    "label.box input{width:18px;height:18px;margin-top:3px}"
    "select{width:100%;font:inherit;font-size:16px;padding:9px;border:1px solid #d1d5db;"
    "border-radius:8px;margin:0 0 16px;background:#fff}"
    ".all{border-top:1px solid #e5e7eb;margin-top:6px;padding-top:10px}"
)


def _mask(email: str | None) -> str:
    if not email or "@" not in email:
        return ""
    name, domain = email.split("@", 1)
    return f"{name[:2]}***@{domain}"


def _options(chosen: str, values: list[tuple[str, str]]) -> str:
    return "".join(
        f'<option value="{escape(v)}"{" selected" if v == chosen else ""}>{escape(label)}</option>'
        for v, label in values
    )


def _form(token: str, view: preference_centre.CentreView, note: str = "", error: str = "") -> str:
    prefs = view.preferences
    t = TEXTS[prefs.locale if prefs.locale in TEXTS else "en"]
    boxes = "".join(
        f'<label class="box"><input type="checkbox" name="purpose_{p}" id="purpose_{p}"'
        f"{' checked' if prefs.purposes.get(p, True) else ''}> {escape(t[p])}</label>"
        for p in preferences.PURPOSES
    )
    frequencies = [(f, t[f]) for f in preferences.FREQUENCIES]
    pickups = [("", t["no_pickup"]), *((str(i), name) for i, name in view.pickups)]
    pickup_field = (
        f'<label class="field" for="pickup">{escape(t["pickup"])}</label>'
        f'<select name="pickup" id="pickup">'
        f"{_options(str(prefs.pickup_id or ''), pickups)}</select>"
        if view.pickups
        else ""
    )
    intro = t["intro"].format(store=escape(view.store), email=escape(_mask(view.email)))
    return (
        f'<p class="store">{escape(view.store)}</p><h1>{escape(t["title"])}</h1>'
        + (f'<p class="note" role="status">{escape(note)}</p>' if note else "")
        + (f'<p class="error" role="alert">{escape(error)}</p>' if error else "")
        + f"<p>{intro}</p>"
        f'<form method="post" action="/p/{escape(token)}">'
        f"<fieldset><legend>{escape(t['topics'])}</legend>{boxes}"
        f'<label class="box all"><input type="checkbox" name="all_off" id="all_off"'
        f"{' checked' if prefs.all_marketing_off else ''}> {escape(t['all_off'])}</label>"
        f'<p class="muted">{escape(t["orders_note"])}</p></fieldset>'
        f'<label class="field" for="frequency">{escape(t["frequency"])}</label>'
        f'<select name="frequency" id="frequency">{_options(prefs.frequency, frequencies)}</select>'
        f'<label class="field" for="language">{escape(t["language"])}</label>'
        f'<select name="language" id="language">'
        f"{_options(prefs.locale, list(LANGUAGE_NAMES.items()))}</select>"
        f"{pickup_field}"
        f'<button type="submit">{escape(t["save"])}</button></form>'
    )


def _invalid() -> HTMLResponse:
    return every_language(TEXTS, "invalid", 400)


def _show(token: str, note_key: str = "", error: str = "", status: int = 200) -> HTMLResponse:
    try:
        with db.transaction(db.default_engine()) as session:
            view = preference_centre.centre_view(session, token)
    except (AuthError, NotFound):
        return _invalid()
    lang = language(view.preferences.locale)
    note = TEXTS[lang][note_key] if note_key else ""
    body = _form(token, view, note, error)
    return page(TEXTS[lang]["title"], body, status=status, lang=lang, style=STYLE)


def show(request: Request) -> HTMLResponse:
    return _show(request.path_params["token"])


def _save(token: str, fields: dict[str, list[str]]) -> HTMLResponse:
    try:
        with db.transaction(db.default_engine()) as session:
            preference_centre.submit(session, token, fields)
    except (AuthError, NotFound):
        return _invalid()
    except ValidationError as exc:
        return _show(token, error=str(exc), status=400)
    return _show(token, note_key="saved")


async def save(request: Request) -> HTMLResponse:
    token = request.path_params["token"]
    raw = (await request.body())[:MAX_BODY].decode("utf-8", "replace")
    return await run_in_threadpool(_save, token, parse_qs(raw))


ROUTES: list[Route] = [
    Route("/p/{token}", show, methods=["GET"], name="preferences_page"),
    Route("/p/{token}", save, methods=["POST"], name="preferences_save"),
]
