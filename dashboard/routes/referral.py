"""Public referral landing page (no login): ``GET /ref/{code}``, the link a referral invitation
carries. In the referrer's language: "{first name} invites you to {store}: use code {CODE} for
{reward} on your first order". Only the referrer's first name is shown, never the email. An
unknown code answers 404 in every language. Opening the page changes nothing."""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from core import db, referrals
from core.errors import NotFound
from dashboard.routes.public_page import every_language, language, page

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "invite": "{name} invites you to {store}",
        "invite_anonymous": "You are invited to {store}",
        "offer": "Use code {code} for {reward} on your first order.",
        "discount": "a discount",
        "code": "Your code",
        "howto": "Enter the code at checkout.",
        "not_found": "This referral code does not exist.",
    },
    "de": {
        "invite": "{name} lädt Sie zu {store} ein",
        "invite_anonymous": "Sie sind zu {store} eingeladen",
        "offer": "Mit dem Code {code} erhalten Sie {reward} auf Ihre erste Bestellung.",
        "discount": "einen Rabatt",
        "code": "Ihr Code",
        "howto": "Geben Sie den Code an der Kasse ein.",
        "not_found": "Diesen Empfehlungscode gibt es nicht.",
    },
    "fr": {
        "invite": "{name} vous invite chez {store}",
        "invite_anonymous": "Vous êtes invité chez {store}",
        "offer": "Utilisez le code {code} pour obtenir {reward} sur votre première commande.",
        "discount": "une réduction",
        "code": "Votre code",
        "howto": "Saisissez le code au moment du paiement.",
        "not_found": "Ce code de parrainage n'existe pas.",
    },
    "nl": {
        "invite": "{name} nodigt je uit bij {store}",
        "invite_anonymous": "Je bent uitgenodigd bij {store}",
        "offer": "Gebruik code {code} voor {reward} op je eerste bestelling.",
        "discount": "korting",
        "code": "Jouw code",
        "howto": "Vul de code in bij het afrekenen.",
        "not_found": "Deze verwijzingscode bestaat niet.",
    },
    "es": {
        "invite": "{name} te invita a {store}",
        "invite_anonymous": "Tienes una invitación de {store}",
        "offer": "Usa el código {code} y obtén {reward} en tu primer pedido.",
        "discount": "un descuento",
        "code": "Tu código",
        "howto": "Introduce el código al pagar.",
        "not_found": "Este código de recomendación no existe.",
    },
    "it": {
        "invite": "{name} ti invita a scoprire {store}",
        "invite_anonymous": "Sei invitato a scoprire {store}",
        "offer": "Usa il codice {code} per avere {reward} sul tuo primo ordine.",
        "discount": "uno sconto",
        "code": "Il tuo codice",
        "howto": "Inserisci il codice al momento del pagamento.",
        "not_found": "Questo codice invito non esiste.",
    },
    "pl": {
        "invite": "{name} zaprasza Cię do sklepu {store}",
        "invite_anonymous": "Zaproszenie do sklepu {store}",
        "offer": "Użyj kodu {code}, aby otrzymać {reward} przy pierwszym zamówieniu.",
        "discount": "rabat",
        "code": "Twój kod",
        "howto": "Wpisz kod podczas składania zamówienia.",
        "not_found": "Taki kod polecający nie istnieje.",
    },
    "sv": {
        "invite": "{name} bjuder in dig till {store}",
        "invite_anonymous": "Du är inbjuden till {store}",
        "offer": "Använd koden {code} för att få {reward} på din första beställning.",
        "discount": "rabatt",
        "code": "Din kod",
        "howto": "Ange koden i kassan.",
        "not_found": "Den här värvningskoden finns inte.",
    },
}
STYLE = (
    ".code{font:700 26px/1.2 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.08em;"
    "text-align:center;border:2px dashed #1d4ed8;border-radius:10px;background:#eff6ff;"
    "color:#1e3a8a;padding:16px;margin:8px 0 12px;user-select:all;word-break:break-all}"
    ".label{font-size:13px;color:#6b7280;text-align:center;margin:16px 0 0}"
)


def _fill(template: str, **values: str) -> str:
    """Escape a sentence, then fill its placeholders with values the caller made safe."""
    return escape(template).format(**values)


def landing(request: Request) -> HTMLResponse:
    try:
        with db.transaction(db.default_engine()) as session:
            view = referrals.referral_landing(session, request.path_params["code"])
    except NotFound:
        return every_language(TEXTS, "not_found", 404)
    lang = language(view.locale)
    t = TEXTS[lang]
    key = "invite" if view.first_name else "invite_anonymous"
    names = {"name": view.first_name or "", "store": view.store}
    heading = _fill(t[key], **{k: escape(v) for k, v in names.items()})
    offer = _fill(
        t["offer"],
        code=f"<strong>{escape(view.code)}</strong>",
        reward=escape(view.reward or t["discount"]),
    )
    body = (
        f'<p class="store">{escape(view.store)}</p><h1>{heading}</h1><p>{offer}</p>'
        f'<p class="label">{escape(t["code"])}</p><div class="code">{escape(view.code)}</div>'
        f'<p class="muted">{escape(t["howto"])}</p>'
    )
    return page(t[key].format(**names), body, lang=lang, style=STYLE)


ROUTES: list[Route] = [Route("/ref/{code}", landing, methods=["GET"], name="referral_page")]
