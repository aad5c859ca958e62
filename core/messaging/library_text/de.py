"""German texts of the template library."""

COMMON = {
    "hello_name": "Hallo {name},",
    "hello": "Guten Tag,",
    "order": "Bestellung",
    "placed_on": "vom",
    "subtotal": "Zwischensumme",
    "discount": "Rabatt",
    "shipping": "Versand",
    "total": "Gesamt",
    "delivery": "Lieferung",
    "promised": "Voraussichtliche Zustellung",
    "carrier": "Versanddienstleister",
    "tracking_number": "Sendungsnummer",
    "track": "Sendung verfolgen",
    "change_delivery": "Lieferzeit wählen oder ändern",
    "pickup_at": "Abholung in",
    "opening_hours": "Öffnungszeiten",
    "recommendations": "Das könnte Ihnen auch gefallen",
    "stars_label": "Wie viele Sterne geben Sie Ihrer Bestellung?",
    "code_label": "Ihr Code",
    "expires": "Gültig bis {expires}.",
    "signoff": "Viele Grüße<br>Ihr Team von {store}",
    "footer_transactional": "Sie erhalten diese E-Mail, weil Sie bei {store} bestellt haben.",
    "footer_marketing": "Sie erhalten diese E-Mail, weil Sie Nachrichten von {store} "
    "zugestimmt haben.",
    "unsubscribe": "Abmelden",
    "preferences": "E-Mail-Einstellungen",
}

TEMPLATES = {
    "order_confirmation": {
        "subject": "Vielen Dank für Ihre Bestellung {number}",
        "preheader": "Wir haben Ihre Bestellung erhalten und melden uns, sobald sie versandt ist.",
        "heading": "Vielen Dank für Ihre Bestellung!",
        "intro": "Wir haben Ihre Bestellung {number} erhalten und bereiten sie vor.",
    },
    "payment_received": {
        "subject": "Zahlung für Bestellung {number} erhalten",
        "preheader": "Ihre Zahlung ist eingegangen: wir packen Ihr Paket.",
        "heading": "Ihre Zahlung ist eingegangen",
        "intro": "Ihre Zahlung über {total} für die Bestellung {number} ist bei uns eingegangen. "
        "Wir bereiten Ihr Paket jetzt vor.",
    },
    "shipped": {
        "subject": "Ihre Bestellung {number} ist unterwegs",
        "preheader": "Ihr Paket hat unser Lager verlassen.",
        "heading": "Ihre Bestellung ist unterwegs",
        "intro": "Gute Nachrichten: Ihre Bestellung {number} hat unser Lager verlassen.",
    },
    "out_for_delivery": {
        "subject": "Ihre Bestellung {number} kommt heute",
        "preheader": "Ihr Paket ist in der Zustellung.",
        "heading": "Heute in der Zustellung",
        "intro": "Ihr Paket ist beim Zusteller und sollte heute bei Ihnen ankommen.",
    },
    "ready_for_pickup": {
        "subject": "Ihre Bestellung {number} ist abholbereit",
        "preheader": "Ihre Bestellung wartet im Geschäft auf Sie.",
        "heading": "Abholbereit",
        "intro": "Ihre Bestellung {number} liegt für Sie in {pickup} bereit.",
        "bring": "Bitte bringen Sie Ihre Bestellnummer {number} mit.",
    },
    "delivered": {
        "subject": "Ihre Bestellung {number} wurde zugestellt",
        "preheader": "Wir wünschen Ihnen viel Freude damit.",
        "heading": "Zugestellt!",
        "intro": "Ihre Bestellung {number} wurde zugestellt. Wir wünschen Ihnen viel Freude damit.",
        "help": "Falls etwas nicht stimmt, antworten Sie einfach auf diese E-Mail: "
        "wir helfen gern.",
    },
    "delivery_delayed": {
        "subject": "Ihre Bestellung {number} verspätet sich: das tut uns leid",
        "preheader": "Ihr Paket braucht länger als versprochen.",
        "heading": "Entschuldigen Sie die Verspätung",
        "intro": "Ihre Bestellung {number} wird leider nicht wie versprochen bis {promised} "
        "ankommen.",
        "intro_nodate": "Ihre Bestellung {number} braucht leider länger als versprochen.",
        "body": "Wir tun alles, damit sie so schnell wie möglich bei Ihnen ist, und halten Sie "
        "auf dem Laufenden. Vielen Dank für Ihre Geduld.",
    },
    "review_request": {
        "subject": "Wie gefällt Ihnen Ihre Bestellung {number}?",
        "preheader": "Sagen Sie es uns mit einem Klick: es dauert nur Sekunden.",
        "heading": "Wie war Ihre Bestellung?",
        "intro": "Ihre Bestellung {number} ist vor Kurzem angekommen. Verraten Sie uns, wie sie "
        "Ihnen gefällt? Es dauert nur eine Minute.",
        "cta": "Bewertung schreiben",
    },
    "review_reminder": {
        "subject": "Eine Minute für eine kurze Bewertung?",
        "preheader": "Ihre Meinung hilft anderen Kunden.",
        "heading": "Ihre Meinung zählt",
        "intro": "Vor ein paar Tagen haben wir gefragt, wie Ihnen Ihre Bestellung {number} "
        "gefällt. Wenn Sie eine Minute haben: Ihre Bewertung hilft anderen Kunden und uns.",
        "cta": "Bewertung schreiben",
    },
    "thank_you_coupon": {
        "subject": "Danke, dass Sie wieder da sind: ein Geschenk für Sie",
        "preheader": "Ein Gutschein für Ihre nächste Bestellung.",
        "heading": "Danke für Ihre erneute Bestellung!",
        "intro": "Es freut uns sehr, dass Sie wieder bei {store} eingekauft haben.",
        "coupon_intro": "Hier ist ein Gutschein für Ihre nächste Bestellung:",
    },
    "referral_invitation": {
        "subject": "Empfehlen Sie {store} Ihren Freunden",
        "preheader": "Mit Ihrem persönlichen Link erhalten Ihre Freunde einen Rabatt.",
        "heading": "Schön, dass es Ihnen gefallen hat!",
        "intro": "Vielen Dank für Ihre tolle Bewertung. Laden Sie Ihre Freunde ein: mit Ihrem "
        "persönlichen Link erhalten sie einen Rabatt auf ihre erste Bestellung.",
        "reward": "Ihre Freunde erhalten {reward}.",
        "cta": "Link teilen",
    },
    "win_back": {
        "subject": "Wir vermissen Sie bei {store}",
        "preheader": "Eine kleine Aufmerksamkeit zum Wiedersehen.",
        "heading": "Lange nicht gesehen",
        "intro": "Ihre letzte Bestellung ist schon eine Weile her. Wir haben neue Produkte, die "
        "Ihnen gefallen könnten.",
        "coupon_intro": "Kommen Sie mit diesem Code zurück:",
    },
    "order_cancelled": {
        "subject": "Ihre Bestellung {number} wurde storniert",
        "preheader": "Für diese Bestellung wird nichts versendet.",
        "heading": "Ihre Bestellung wurde storniert",
        "intro": "Ihre Bestellung {number} wurde storniert, es wird also nichts versendet.",
        "help": "Falls Sie bereits bezahlt haben, erstatten wir den Betrag über Ihre "
        "ursprüngliche Zahlungsart. Fragen? Antworten Sie einfach auf diese E-Mail.",
    },
    "refund_issued": {
        "subject": "Erstattung für Ihre Bestellung {number}",
        "preheader": "Ihr Geld ist auf dem Weg zurück.",
        "heading": "Wir haben Ihnen Geld erstattet",
        "intro": "Wir haben eine Erstattung für Ihre Bestellung {number} veranlasst.",
        "refunded_label": "Insgesamt erstattet",
        "help": "Je nach Bank oder Zahlungsart kann es einige Tage dauern, bis der Betrag auf "
        "Ihrem Konto erscheint. Fragen? Antworten Sie einfach auf diese E-Mail.",
    },
}
