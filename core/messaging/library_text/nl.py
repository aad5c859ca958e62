"""Dutch texts of the template library."""

COMMON = {
    "hello_name": "Hoi {name},",
    "hello": "Beste klant,",
    "order": "Bestelling",
    "placed_on": "van",
    "subtotal": "Subtotaal",
    "discount": "Korting",
    "shipping": "Verzending",
    "total": "Totaal",
    "delivery": "Bezorging",
    "promised": "Verwachte bezorging",
    "carrier": "Vervoerder",
    "tracking_number": "Trackingnummer",
    "track": "Volg je pakket",
    "change_delivery": "Kies of wijzig je levertijd",
    "pickup_at": "Afhalen bij",
    "opening_hours": "Openingstijden",
    "recommendations": "Misschien vind je dit ook leuk",
    "stars_label": "Hoeveel sterren geef je je bestelling?",
    "code_label": "Je code",
    "expires": "Geldig tot {expires}.",
    "signoff": "Met vriendelijke groet,<br>het team van {store}",
    "footer_transactional": "Je ontvangt deze e-mail omdat je een bestelling hebt geplaatst "
    "bij {store}.",
    "footer_marketing": "Je ontvangt deze e-mail omdat je hebt aangegeven berichten van "
    "{store} te willen ontvangen.",
    "unsubscribe": "Afmelden",
    "preferences": "E-mailinstellingen",
}

TEMPLATES = {
    "order_confirmation": {
        "subject": "Bedankt voor je bestelling {number}",
        "preheader": "We hebben je bestelling ontvangen en laten het weten zodra ze verzonden is.",
        "heading": "Bedankt voor je bestelling!",
        "intro": "We hebben je bestelling {number} ontvangen en maken haar klaar.",
    },
    "payment_received": {
        "subject": "Betaling ontvangen voor bestelling {number}",
        "preheader": "Je betaling is binnen: we pakken je pakket in.",
        "heading": "We hebben je betaling ontvangen",
        "intro": "Je betaling van {total} voor bestelling {number} is binnen. "
        "We maken je pakket nu klaar.",
    },
    "shipped": {
        "subject": "Je bestelling {number} is onderweg",
        "preheader": "Je pakket heeft ons magazijn verlaten.",
        "heading": "Je bestelling is onderweg",
        "intro": "Goed nieuws: je bestelling {number} heeft ons magazijn verlaten.",
    },
    "out_for_delivery": {
        "subject": "Je bestelling {number} komt vandaag",
        "preheader": "Je pakket is bij de bezorger.",
        "heading": "Vandaag onderweg naar jou",
        "intro": "Je pakket is bij de bezorger en komt naar verwachting vandaag aan.",
    },
    "ready_for_pickup": {
        "subject": "Je bestelling {number} ligt klaar om af te halen",
        "preheader": "Je bestelling wacht op je in de winkel.",
        "heading": "Klaar om af te halen",
        "intro": "Je bestelling {number} ligt voor je klaar bij {pickup}.",
        "bring": "Neem je bestelnummer {number} mee als je komt.",
    },
    "delivered": {
        "subject": "Je bestelling {number} is bezorgd",
        "preheader": "We hopen dat je er blij mee bent.",
        "heading": "Bezorgd!",
        "intro": "Je bestelling {number} is bezorgd. We hopen dat je er blij mee bent.",
        "help": "Klopt er iets niet? Beantwoord dan gewoon deze e-mail, dan helpen we je.",
    },
    "delivery_delayed": {
        "subject": "Je bestelling {number} is vertraagd: het spijt ons",
        "preheader": "Je pakket doet er langer over dan beloofd.",
        "heading": "Sorry voor de vertraging",
        "intro": "Je bestelling {number} komt helaas niet zoals beloofd uiterlijk {promised} aan.",
        "intro_nodate": "Je bestelling {number} doet er helaas langer over dan beloofd.",
        "body": "We doen er alles aan om haar zo snel mogelijk bij je te bezorgen en houden je "
        "op de hoogte. Bedankt voor je geduld.",
    },
    "review_request": {
        "subject": "Hoe bevalt je bestelling {number}?",
        "preheader": "Laat het ons weten met één klik: het kost maar een paar seconden.",
        "heading": "Hoe was je bestelling?",
        "intro": "Je bestelling {number} is onlangs aangekomen. Wil je ons vertellen hoe ze je "
        "bevalt? Het kost maar een minuutje.",
        "cta": "Schrijf een review",
    },
    "review_reminder": {
        "subject": "Heb je een minuutje voor een korte review?",
        "preheader": "Jouw mening helpt andere klanten.",
        "heading": "Jouw mening telt",
        "intro": "Een paar dagen geleden vroegen we hoe je bestelling {number} je bevalt. Als je "
        "een minuutje hebt: je review helpt andere klanten en helpt ons beter te worden.",
        "cta": "Schrijf een review",
    },
    "thank_you_coupon": {
        "subject": "Bedankt dat je terug bent: een cadeautje voor jou",
        "preheader": "Een kortingscode voor je volgende bestelling.",
        "heading": "Bedankt voor je nieuwe bestelling!",
        "intro": "We vinden het geweldig dat je opnieuw bij {store} hebt besteld.",
        "coupon_intro": "Hier is een kortingscode voor je volgende bestelling:",
    },
    "referral_invitation": {
        "subject": "Deel {store} met je vrienden",
        "preheader": "Met jouw persoonlijke link krijgen je vrienden korting.",
        "heading": "Fijn dat je tevreden bent!",
        "intro": "Bedankt voor je mooie review. Nodig je vrienden uit: met jouw persoonlijke "
        "link krijgen ze korting op hun eerste bestelling.",
        "reward": "Je vrienden krijgen {reward}.",
        "cta": "Deel je link",
    },
    "win_back": {
        "subject": "We missen je bij {store}",
        "preheader": "Een kleine attentie om je terug te verwelkomen.",
        "heading": "Het is alweer even geleden",
        "intro": "Je laatste bestelling is al een tijdje geleden. We hebben nieuwe producten "
        "die je misschien leuk vindt.",
        "coupon_intro": "Kom terug met deze code:",
    },
    "order_cancelled": {
        "subject": "Je bestelling {number} is geannuleerd",
        "preheader": "Er wordt niets verzonden voor deze bestelling.",
        "heading": "Je bestelling is geannuleerd",
        "intro": "Je bestelling {number} is geannuleerd, er wordt dus niets verzonden.",
        "help": "Heb je al betaald? Dan krijg je het bedrag terug via je oorspronkelijke "
        "betaalmethode. Vragen? Beantwoord dan gewoon deze e-mail.",
    },
    "refund_issued": {
        "subject": "Terugbetaling voor je bestelling {number}",
        "preheader": "Je geld is onderweg terug.",
        "heading": "We hebben je geld teruggestort",
        "intro": "We hebben een terugbetaling gedaan voor je bestelling {number}.",
        "refunded_label": "Totaal terugbetaald",
        "help": "Afhankelijk van je bank of betaalmethode kan het een paar dagen duren voordat "
        "het op je rekening staat. Vragen? Beantwoord dan gewoon deze e-mail.",
    },
}
