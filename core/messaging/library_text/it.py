"""Italian texts of the template library."""

COMMON = {
    "hello_name": "Ciao {name},",
    "hello": "Buongiorno,",
    "order": "Ordine",
    "placed_on": "del",
    "subtotal": "Subtotale",
    "discount": "Sconto",
    "shipping": "Spedizione",
    "total": "Totale",
    "delivery": "Consegna",
    "promised": "Consegna prevista",
    "carrier": "Corriere",
    "tracking_number": "Numero di tracciamento",
    "track": "Traccia il pacco",
    "change_delivery": "Scegli o cambia l'orario di consegna",
    "pickup_at": "Ritiro presso",
    "opening_hours": "Orari di apertura",
    "recommendations": "Potrebbe piacerti anche",
    "stars_label": "Quante stelle daresti al tuo ordine?",
    "code_label": "Il tuo codice",
    "expires": "Valido fino al {expires}.",
    "signoff": "Cordiali saluti,<br>il team di {store}",
    "footer_transactional": "Ricevi questa email perché hai effettuato un ordine su {store}.",
    "footer_marketing": "Ricevi questa email perché hai accettato di ricevere notizie da {store}.",
    "unsubscribe": "Annulla l'iscrizione",
    "preferences": "Impostazioni email",
}

TEMPLATES = {
    "order_confirmation": {
        "subject": "Grazie per il tuo ordine {number}",
        "preheader": "Abbiamo ricevuto il tuo ordine e ti avviseremo alla spedizione.",
        "heading": "Grazie per il tuo ordine!",
        "intro": "Abbiamo ricevuto il tuo ordine {number} e lo stiamo preparando.",
    },
    "payment_received": {
        "subject": "Pagamento ricevuto per l'ordine {number}",
        "preheader": "Il tuo pagamento è arrivato: stiamo preparando il pacco.",
        "heading": "Abbiamo ricevuto il tuo pagamento",
        "intro": "Il tuo pagamento di {total} per l'ordine {number} è arrivato. "
        "Ora stiamo preparando il tuo pacco.",
    },
    "shipped": {
        "subject": "Il tuo ordine {number} è in viaggio",
        "preheader": "Il tuo pacco ha lasciato il nostro magazzino.",
        "heading": "Il tuo ordine è in viaggio",
        "intro": "Buone notizie: il tuo ordine {number} ha lasciato il nostro magazzino.",
    },
    "out_for_delivery": {
        "subject": "Il tuo ordine {number} arriva oggi",
        "preheader": "Il tuo pacco è in consegna.",
        "heading": "In consegna oggi",
        "intro": "Il tuo pacco è con il corriere e dovrebbe arrivare oggi.",
    },
    "ready_for_pickup": {
        "subject": "Il tuo ordine {number} è pronto per il ritiro",
        "preheader": "Il tuo ordine ti aspetta in negozio.",
        "heading": "Pronto per il ritiro",
        "intro": "Il tuo ordine {number} ti aspetta presso {pickup}.",
        "bring": "Porta con te il numero d'ordine {number}.",
    },
    "delivered": {
        "subject": "Il tuo ordine {number} è stato consegnato",
        "preheader": "Speriamo che ti piaccia.",
        "heading": "Consegnato!",
        "intro": "Il tuo ordine {number} è stato consegnato. Speriamo che ti piaccia.",
        "help": "Se qualcosa non va, rispondi semplicemente a questa email: ti aiuteremo.",
    },
    "delivery_delayed": {
        "subject": "Il tuo ordine {number} è in ritardo: ci dispiace",
        "preheader": "Il tuo pacco richiede più tempo del previsto.",
        "heading": "Ci scusiamo per il ritardo",
        "intro": "Il tuo ordine {number} non arriverà entro il {promised} come promesso.",
        "intro_nodate": "Il tuo ordine {number} sta richiedendo più tempo del promesso.",
        "body": "Stiamo facendo il possibile per consegnartelo al più presto e ti terremo "
        "aggiornato. Grazie per la pazienza.",
    },
    "review_request": {
        "subject": "Ti piace il tuo ordine {number}?",
        "preheader": "Diccelo con un clic: bastano pochi secondi.",
        "heading": "Com'è andato il tuo ordine?",
        "intro": "Il tuo ordine {number} è arrivato da poco. Ci dici cosa ne pensi? "
        "Ci vuole solo un minuto.",
        "cta": "Scrivi una recensione",
    },
    "review_reminder": {
        "subject": "Un minuto per una breve recensione?",
        "preheader": "La tua opinione aiuta altri clienti.",
        "heading": "La tua opinione conta",
        "intro": "Qualche giorno fa ti abbiamo chiesto cosa pensi del tuo ordine {number}. Se hai "
        "un minuto, la tua recensione aiuta altri clienti e ci aiuta a migliorare.",
        "cta": "Scrivi una recensione",
    },
    "thank_you_coupon": {
        "subject": "Grazie per essere tornato: un regalo per te",
        "preheader": "Un buono per il tuo prossimo ordine.",
        "heading": "Grazie per il tuo nuovo ordine!",
        "intro": "Siamo felici che tu abbia scelto di nuovo {store}.",
        "coupon_intro": "Ecco un buono per il tuo prossimo ordine:",
    },
    "referral_invitation": {
        "subject": "Condividi {store} con i tuoi amici",
        "preheader": "Con il tuo link personale i tuoi amici ricevono uno sconto.",
        "heading": "Siamo felici che ti sia piaciuto!",
        "intro": "Grazie per la tua ottima recensione. Invita i tuoi amici: con il tuo link "
        "personale ricevono uno sconto sul loro primo ordine.",
        "reward": "I tuoi amici ricevono {reward}.",
        "cta": "Condividi il link",
    },
    "win_back": {
        "subject": "Ci manchi su {store}",
        "preheader": "Un piccolo pensiero per il tuo ritorno.",
        "heading": "È passato un po' di tempo",
        "intro": "Il tuo ultimo ordine risale a qualche tempo fa. Abbiamo nuovi prodotti che "
        "potrebbero piacerti.",
        "coupon_intro": "Torna a trovarci con questo codice:",
    },
    "order_cancelled": {
        "subject": "Il tuo ordine {number} è stato annullato",
        "preheader": "Per questo ordine non verrà spedito nulla.",
        "heading": "Il tuo ordine è stato annullato",
        "intro": "Il tuo ordine {number} è stato annullato, quindi non verrà spedito nulla.",
        "help": "Se hai già pagato, l'importo ti verrà rimborsato sul metodo di pagamento "
        "originale. Domande? Rispondi semplicemente a questa email.",
    },
    "refund_issued": {
        "subject": "Rimborso per il tuo ordine {number}",
        "preheader": "I tuoi soldi stanno tornando da te.",
        "heading": "Abbiamo emesso il tuo rimborso",
        "intro": "Abbiamo emesso un rimborso per il tuo ordine {number}.",
        "refunded_label": "Totale rimborsato",
        "help": "A seconda della banca o del metodo di pagamento, potrebbero servire alcuni "
        "giorni prima che compaia sul tuo conto. Domande? Rispondi semplicemente a questa email.",
    },
}
