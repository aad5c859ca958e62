"""Public unsubscribe routes (no login), served beside the dashboard by the ``st.App``.

- ``GET /u/{token}``: a small page in the customer's language asking to confirm, with a button
  that POSTs to the same address, and a link to the email settings (``/p/{token}``) to keep
  some emails instead. Opening the link changes nothing by itself, so link scanners and mail
  previews cannot unsubscribe anyone (RFC 8058, section 4).
- ``POST /u/{token}``: records the withdrawal (``core.messaging.unsubscribe.unsubscribe``) with
  source ``one_click`` for mail clients (body ``List-Unsubscribe=One-Click``, RFC 8058) or
  ``link`` for the page's button, and confirms it.
- A tampered or expired token answers 400 with "not valid, nothing was changed".
"""

from __future__ import annotations

import contextlib
from html import escape
from urllib.parse import parse_qs

from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from core import db, preferences
from core import settings as store_settings
from core.errors import AuthError, NotFound
from core.messaging import unsubscribe as unsub
from core.messaging import withdrawals
from dashboard.routes import public_page
from dashboard.routes.preferences_texts import TEXTS as PREFERENCE_TEXTS
from dashboard.routes.public_page import language

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "ask": "Stop marketing emails from {store} to {email}?",
        "button": "Unsubscribe",
        "done": "You are unsubscribed. {store} will not send marketing emails to {email} any more.",
        "note": "Order and delivery updates still arrive.",
        "invalid": "This link is not valid. Nothing was changed.",
    },
    "de": {
        "ask": "Keine Werbe-E-Mails mehr von {store} an {email}?",
        "button": "Abmelden",
        "done": "Sie sind abgemeldet. {store} sendet keine Werbe-E-Mails mehr an {email}.",
        "note": "Informationen zu Bestellung und Lieferung erhalten Sie weiterhin.",
        "invalid": "Dieser Link ist ungültig. Es wurde nichts geändert.",
    },
    "fr": {
        "ask": "Ne plus recevoir les e-mails promotionnels de {store} sur {email} ?",
        "button": "Se désabonner",
        "done": "Vous êtes désabonné. {store} n'enverra plus d'e-mails promotionnels à {email}.",
        "note": "Vous recevrez toujours les informations sur vos commandes et livraisons.",
        "invalid": "Ce lien n'est pas valide. Rien n'a été modifié.",
    },
    "nl": {
        "ask": "Geen marketingmails meer van {store} naar {email}?",
        "button": "Afmelden",
        "done": "Je bent afgemeld. {store} stuurt geen marketingmails meer naar {email}.",
        "note": "Berichten over bestellingen en bezorging blijf je ontvangen.",
        "invalid": "Deze link is niet geldig. Er is niets gewijzigd.",
    },
    "es": {
        "ask": "¿Dejar de recibir correos promocionales de {store} en {email}?",
        "button": "Darse de baja",
        "done": "Te has dado de baja. {store} ya no enviará correos promocionales a {email}.",
        "note": "Seguirás recibiendo la información de tus pedidos y entregas.",
        "invalid": "Este enlace no es válido. No se ha cambiado nada.",
    },
    "it": {
        "ask": "Non ricevere più email promozionali da {store} su {email}?",
        "button": "Annulla l'iscrizione",
        "done": "Iscrizione annullata. {store} non invierà più email promozionali a {email}.",
        "note": "Continuerai a ricevere gli aggiornamenti su ordini e consegne.",
        "invalid": "Questo link non è valido. Non è stato modificato nulla.",
    },
    "pl": {
        "ask": "Czy zrezygnować z wiadomości marketingowych od {store} na {email}?",
        "button": "Wypisz się",
        "done": "Wypisano. {store} nie będzie już wysyłać wiadomości marketingowych na {email}.",
        "note": "Informacje o zamówieniach i dostawach nadal będą przychodzić.",
        "invalid": "Ten link jest nieprawidłowy. Nic nie zostało zmienione.",
    },
    "sv": {
        "ask": "Sluta ta emot marknadsföringsmejl från {store} till {email}?",
        "button": "Avregistrera",
        "done": "Du är avregistrerad. {store} skickar inte längre marknadsföringsmejl till {email}.",
        "note": "Meddelanden om beställningar och leveranser kommer fortfarande.",
        "invalid": "Den här länken är inte giltig. Inget har ändrats.",
    },
}
HEADERS = dict(public_page.HEADERS)  # no-store, no-referrer, noindex, nosniff and the CSP
STYLE = (
    "body{font-family:Arial,Helvetica,sans-serif;background:#f4f4f5;color:#1f2937;margin:0}"
    "main{max-width:480px;margin:48px auto;background:#fff;padding:28px;border-radius:8px}"
    "button{background:#1d4ed8;color:#fff;border:0;padding:12px 22px;border-radius:6px;"
    "font-size:15px;cursor:pointer}p{line-height:1.5}.muted{color:#6b7280;font-size:13px}"
)


def _texts(locale: str | None) -> dict[str, str]:
    return TEXTS.get((locale or "en").replace("-", "_").split("_")[0].lower(), TEXTS["en"])


def _mask(email: str | None) -> str:
    if not email or "@" not in email:
        return "you"
    name, domain = email.split("@", 1)
    return f"{name[:2]}***@{domain}"


def _page(title: str, body: str, status: int = 200, lang: str = "en") -> HTMLResponse:
    html = (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _invalid() -> HTMLResponse:
    text = TEXTS["en"]["invalid"]
    return _page(text, f"<h1>{escape(text)}</h1>", 400)


def show(request: Request) -> HTMLResponse:
    token = request.path_params["token"]
    try:
        with db.transaction(db.default_engine()) as session:
            customer = unsub.customer_for(session, token)
            store = store_settings.load(session).name
            t = _texts(customer.locale)
            fields = {"store": escape(store), "email": escape(_mask(customer.email))}
            settings_link = _settings_link(customer.id, customer.locale)
            if customer.unsubscribed_at is not None and not customer.marketing_consent:
                body = (
                    f"<h1>{t['done'].format(**fields)}</h1><p class='muted'>{escape(t['note'])}</p>"
                )
                return _page(t["button"], body, lang=customer.locale or "en")
    except (AuthError, NotFound):
        return _invalid()
    body = (
        f"<h1>{t['ask'].format(**fields)}</h1>"
        f'<form method="post" action="/u/{escape(token)}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<input type="hidden" name="source" value="page">'
        f'<button type="submit">{escape(t["button"])}</button></form>'
        f"<p class='muted'>{escape(t['note'])}</p>{settings_link}"
    )
    return _page(t["button"], body, lang=customer.locale or "en")


def _settings_link(customer_id: int, locale: str | None) -> str:
    """The preference centre, to keep some emails rather than none."""
    title = PREFERENCE_TEXTS[language(locale)]["title"]
    href = f"/p/{escape(preferences.make_token(customer_id))}"
    return f'<p class="muted"><a href="{href}">{escape(title)}</a></p>'


async def confirm(request: Request) -> HTMLResponse:
    token = request.path_params["token"]
    form = parse_qs((await request.body())[:2048].decode("utf-8", "replace"))
    source = "link" if form.get("source") == ["page"] else "one_click"
    return await _run_sync(token, source)


async def _run_sync(token: str, source: str) -> HTMLResponse:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_unsubscribe, token, source)


def _unsubscribe(token: str, source: str) -> HTMLResponse:
    """Record the withdrawal (or spool it while the database is busy: never lost)."""
    engine = db.default_engine()
    try:
        done = withdrawals.withdraw(engine, token, source)
    except (AuthError, NotFound):
        return _invalid()
    store, locale, email = "", "en", done.email
    with contextlib.suppress(DBAPIError), db.transaction(engine) as session:
        customer = unsub.customer_for(session, token)
        store, locale, email = (
            store_settings.load(session).name,
            customer.locale or "en",
            customer.email,
        )
    t = _texts(locale)
    fields = {"store": escape(store or "the shop"), "email": escape(_mask(email))}
    body = f"<h1>{t['done'].format(**fields)}</h1><p class='muted'>{escape(t['note'])}</p>"
    return _page(t["button"], body, lang=locale)


ROUTES: list[Route] = [
    Route("/u/{token}", show, methods=["GET"], name="unsubscribe_page"),
    Route("/u/{token}", confirm, methods=["POST"], name="unsubscribe_one_click"),
]
