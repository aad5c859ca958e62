"""The page behind every link of a test email (``/test-link/{token}``, see
:mod:`core.messaging.testlinks`): GET, and POST for a mail client's one-click unsubscribe, answer in
the email's language that this link comes from a test email and nothing was changed. A tampered
or expired token answers 400, also without changing anything."""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from core.errors import AuthError
from core.messaging.testlinks import read_token
from dashboard.routes.public_page import every_language, page

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "This is a link from a test email",
        "body": "Nothing was changed: test emails only show how a message looks.",
        "invalid": "This link is not valid. Nothing was changed.",
    },
    "de": {
        "title": "Dies ist ein Link aus einer Test-E-Mail",
        "body": "Es wurde nichts geändert: Test-E-Mails zeigen nur, wie eine Nachricht aussieht.",
        "invalid": "Dieser Link ist ungültig. Es wurde nichts geändert.",
    },
    "fr": {
        "title": "Ce lien provient d'un e-mail de test",
        "body": "Rien n'a été modifié : un e-mail de test montre seulement l'aspect d'un message.",
        "invalid": "Ce lien n'est pas valide. Rien n'a été modifié.",
    },
    "nl": {
        "title": "Dit is een link uit een testmail",
        "body": "Er is niets gewijzigd: een testmail laat alleen zien hoe een bericht eruitziet.",
        "invalid": "Deze link is niet geldig. Er is niets gewijzigd.",
    },
    "es": {
        "title": "Este enlace viene de un correo de prueba",
        "body": "No se ha cambiado nada: un correo de prueba solo muestra cómo se ve un mensaje.",
        "invalid": "Este enlace no es válido. No se ha cambiado nada.",
    },
    "it": {
        "title": "Questo link proviene da un'email di prova",
        "body": "Non è stato modificato nulla: un'email di prova mostra solo l'aspetto di un "
        "messaggio.",
        "invalid": "Questo link non è valido. Non è stato modificato nulla.",
    },
    "pl": {
        "title": "To jest link z testowej wiadomości e-mail",
        "body": "Nic nie zostało zmienione: wiadomość testowa pokazuje tylko wygląd wiadomości.",
        "invalid": "Ten link jest nieprawidłowy. Nic nie zostało zmienione.",
    },
    "sv": {
        "title": "Det här är en länk från ett testmejl",
        "body": "Inget har ändrats: ett testmejl visar bara hur ett meddelande ser ut.",
        "invalid": "Den här länken är inte giltig. Inget har ändrats.",
    },
}


def answer(request: Request) -> HTMLResponse:
    try:
        link = read_token(request.path_params["token"])
    except AuthError:
        return every_language(TEXTS, "invalid", 400)
    t = TEXTS[link.lang]
    body = f"<h1>{escape(t['title'])}</h1><p>{escape(t['body'])}</p>"
    return page(t["title"], body, lang=link.lang)


ROUTES: list[Route] = [
    Route("/test-link/{token}", answer, methods=["GET", "POST"], name="test_link"),
]
