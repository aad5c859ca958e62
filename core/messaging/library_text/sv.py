"""Swedish texts of the template library."""

COMMON = {
    "hello_name": "Hej {name},",
    "hello": "Hej,",
    "order": "Order",
    "placed_on": "från",
    "subtotal": "Delsumma",
    "discount": "Rabatt",
    "shipping": "Frakt",
    "total": "Totalt",
    "delivery": "Leverans",
    "promised": "Beräknad leverans",
    "carrier": "Transportör",
    "tracking_number": "Spårningsnummer",
    "track": "Spåra ditt paket",
    "change_delivery": "Välj eller ändra leveranstid",
    "pickup_at": "Hämtas i",
    "opening_hours": "Öppettider",
    "recommendations": "Du kanske också gillar",
    "stars_label": "Hur många stjärnor ger du din beställning?",
    "code_label": "Din kod",
    "expires": "Gäller till och med {expires}.",
    "signoff": "Vänliga hälsningar,<br>teamet på {store}",
    "footer_transactional": "Du får detta mejl eftersom du har beställt hos {store}.",
    "footer_marketing": "Du får detta mejl eftersom du har godkänt utskick från {store}.",
    "unsubscribe": "Avregistrera",
    "preferences": "E-postinställningar",
}

TEMPLATES = {
    "order_confirmation": {
        "subject": "Tack för din beställning {number}",
        "preheader": "Vi har tagit emot din beställning och hör av oss när den skickas.",
        "heading": "Tack för din beställning!",
        "intro": "Vi har tagit emot din beställning {number} och gör i ordning den.",
    },
    "payment_received": {
        "subject": "Betalning mottagen för order {number}",
        "preheader": "Din betalning har kommit in: vi packar ditt paket.",
        "heading": "Vi har tagit emot din betalning",
        "intro": "Din betalning på {total} för order {number} har kommit in. "
        "Nu packar vi ditt paket.",
    },
    "shipped": {
        "subject": "Din order {number} är på väg",
        "preheader": "Ditt paket har lämnat vårt lager.",
        "heading": "Din order är på väg",
        "intro": "Goda nyheter: din order {number} har lämnat vårt lager.",
    },
    "out_for_delivery": {
        "subject": "Din order {number} kommer i dag",
        "preheader": "Ditt paket är ute för leverans.",
        "heading": "Ute för leverans i dag",
        "intro": "Ditt paket är hos budet och bör komma fram i dag.",
    },
    "ready_for_pickup": {
        "subject": "Din order {number} är redo att hämtas",
        "preheader": "Din order väntar på dig i butiken.",
        "heading": "Redo att hämtas",
        "intro": "Din order {number} väntar på dig i {pickup}.",
        "bring": "Ta med ditt ordernummer {number} när du kommer.",
    },
    "delivered": {
        "subject": "Din order {number} har levererats",
        "preheader": "Vi hoppas att du blir nöjd.",
        "heading": "Levererad!",
        "intro": "Din order {number} har levererats. Vi hoppas att du blir nöjd.",
        "help": "Om något inte stämmer kan du bara svara på detta mejl så hjälper vi dig.",
    },
    "delivery_delayed": {
        "subject": "Din order {number} är försenad: vi ber om ursäkt",
        "preheader": "Ditt paket tar längre tid än vi lovade.",
        "heading": "Vi ber om ursäkt för förseningen",
        "intro": "Din order {number} kommer tyvärr inte fram senast {promised} som vi lovade.",
        "intro_nodate": "Din order {number} tar tyvärr längre tid än vi lovade.",
        "body": "Vi gör allt vi kan för att den ska nå dig så snart som möjligt och håller dig "
        "informerad. Tack för ditt tålamod.",
    },
    "review_request": {
        "subject": "Vad tycker du om din order {number}?",
        "preheader": "Berätta med ett klick: det tar bara några sekunder.",
        "heading": "Hur var din beställning?",
        "intro": "Din order {number} kom fram nyligen. Vill du berätta vad du tycker? "
        "Det tar bara en minut.",
        "cta": "Skriv ett omdöme",
    },
    "review_reminder": {
        "subject": "Har du en minut för ett kort omdöme?",
        "preheader": "Din åsikt hjälper andra kunder.",
        "heading": "Din åsikt är viktig",
        "intro": "För några dagar sedan frågade vi vad du tycker om din order {number}. Om du har "
        "en minut hjälper ditt omdöme andra kunder och oss att bli bättre.",
        "cta": "Skriv ett omdöme",
    },
    "thank_you_coupon": {
        "subject": "Tack för att du kom tillbaka: en present till dig",
        "preheader": "En rabattkod till din nästa beställning.",
        "heading": "Tack för din nya beställning!",
        "intro": "Det betyder mycket för oss att du handlade hos {store} igen.",
        "coupon_intro": "Här är en rabattkod till din nästa beställning:",
    },
    "referral_invitation": {
        "subject": "Tipsa dina vänner om {store}",
        "preheader": "Med din personliga länk får dina vänner rabatt.",
        "heading": "Kul att du gillade det!",
        "intro": "Tack för ditt fina omdöme. Bjud in dina vänner: med din personliga länk får "
        "de rabatt på sin första beställning.",
        "reward": "Dina vänner får {reward}.",
        "cta": "Dela din länk",
    },
    "win_back": {
        "subject": "Vi saknar dig på {store}",
        "preheader": "En liten välkomstgåva.",
        "heading": "Det var ett tag sedan",
        "intro": "Det har gått ett tag sedan din senaste beställning. Vi har nya produkter som "
        "vi tror att du kommer att gilla.",
        "coupon_intro": "Kom tillbaka med den här koden:",
    },
    "order_cancelled": {
        "subject": "Din order {number} har avbrutits",
        "preheader": "Inget kommer att skickas för den här ordern.",
        "heading": "Din order har avbrutits",
        "intro": "Din order {number} har avbrutits, så inget kommer att skickas.",
        "help": "Om du redan har betalat får du tillbaka pengarna via ditt ursprungliga "
        "betalsätt. Frågor? Svara bara på detta mejl.",
    },
    "refund_issued": {
        "subject": "Återbetalning för din order {number}",
        "preheader": "Dina pengar är på väg tillbaka.",
        "heading": "Vi har skickat din återbetalning",
        "intro": "Vi har gjort en återbetalning för din order {number}.",
        "refunded_label": "Återbetalt totalt",
        "help": "Beroende på din bank eller ditt betalsätt kan det ta några dagar innan "
        "beloppet syns på ditt konto. Frågor? Svara bara på detta mejl.",
    },
}
