"""Polish texts of the template library."""

COMMON = {
    "hello_name": "Cześć {name},",
    "hello": "Dzień dobry,",
    "order": "Zamówienie",
    "placed_on": "z dnia",
    "subtotal": "Suma częściowa",
    "discount": "Rabat",
    "shipping": "Dostawa",
    "total": "Razem",
    "delivery": "Dostawa",
    "promised": "Przewidywana dostawa",
    "carrier": "Przewoźnik",
    "tracking_number": "Numer przesyłki",
    "track": "Śledź przesyłkę",
    "change_delivery": "Wybierz lub zmień termin dostawy",
    "pickup_at": "Odbiór w",
    "opening_hours": "Godziny otwarcia",
    "recommendations": "Może Ci się też spodobać",
    "stars_label": "Ile gwiazdek dasz swojemu zamówieniu?",
    "code_label": "Twój kod",
    "expires": "Ważny do {expires}.",
    "signoff": "Pozdrawiamy,<br>zespół {store}",
    "footer_transactional": "Otrzymujesz tę wiadomość, ponieważ złożyłeś zamówienie w {store}.",
    "footer_marketing": "Otrzymujesz tę wiadomość, ponieważ zgodziłeś się na wiadomości "
    "od {store}.",
    "unsubscribe": "Wypisz się",
    "preferences": "Ustawienia e-mail",
}

TEMPLATES = {
    "order_confirmation": {
        "subject": "Dziękujemy za zamówienie {number}",
        "preheader": "Otrzymaliśmy Twoje zamówienie i damy znać, gdy zostanie wysłane.",
        "heading": "Dziękujemy za zamówienie!",
        "intro": "Otrzymaliśmy Twoje zamówienie {number} i już je przygotowujemy.",
    },
    "payment_received": {
        "subject": "Otrzymaliśmy płatność za zamówienie {number}",
        "preheader": "Twoja płatność dotarła: przygotowujemy paczkę.",
        "heading": "Otrzymaliśmy Twoją płatność",
        "intro": "Twoja płatność w wysokości {total} za zamówienie {number} dotarła. "
        "Teraz przygotowujemy Twoją paczkę.",
    },
    "shipped": {
        "subject": "Twoje zamówienie {number} jest w drodze",
        "preheader": "Twoja paczka opuściła nasz magazyn.",
        "heading": "Twoje zamówienie jest w drodze",
        "intro": "Dobra wiadomość: Twoje zamówienie {number} opuściło nasz magazyn.",
    },
    "out_for_delivery": {
        "subject": "Twoje zamówienie {number} dotrze dzisiaj",
        "preheader": "Twoja paczka jest u kuriera.",
        "heading": "Dziś w doręczeniu",
        "intro": "Twoja paczka jest u kuriera i powinna dotrzeć dzisiaj.",
    },
    "ready_for_pickup": {
        "subject": "Twoje zamówienie {number} czeka na odbiór",
        "preheader": "Twoje zamówienie czeka na Ciebie w sklepie.",
        "heading": "Gotowe do odbioru",
        "intro": "Twoje zamówienie {number} czeka na Ciebie w {pickup}.",
        "bring": "Zabierz ze sobą numer zamówienia {number}.",
    },
    "delivered": {
        "subject": "Twoje zamówienie {number} zostało doręczone",
        "preheader": "Mamy nadzieję, że Ci się spodoba.",
        "heading": "Doręczone!",
        "intro": "Twoje zamówienie {number} zostało doręczone. Mamy nadzieję, że Ci się spodoba.",
        "help": "Jeśli coś jest nie tak, po prostu odpowiedz na tę wiadomość: pomożemy.",
    },
    "delivery_delayed": {
        "subject": "Twoje zamówienie {number} jest opóźnione: przepraszamy",
        "preheader": "Paczka idzie dłużej, niż obiecaliśmy.",
        "heading": "Przepraszamy za opóźnienie",
        "intro": "Twoje zamówienie {number} nie dotrze do {promised}, jak obiecaliśmy.",
        "intro_nodate": "Twoje zamówienie {number} idzie dłużej, niż obiecaliśmy.",
        "body": "Robimy wszystko, aby jak najszybciej do Ciebie dotarło, i będziemy Cię "
        "informować. Dziękujemy za cierpliwość.",
    },
    "review_request": {
        "subject": "Jak Ci się podoba zamówienie {number}?",
        "preheader": "Powiedz nam jednym kliknięciem: to zajmie kilka sekund.",
        "heading": "Jak oceniasz swoje zamówienie?",
        "intro": "Twoje zamówienie {number} niedawno dotarło. Powiesz nam, jak Ci się podoba? "
        "To zajmie tylko minutę.",
        "cta": "Napisz opinię",
    },
    "review_reminder": {
        "subject": "Minutka na krótką opinię?",
        "preheader": "Twoja opinia pomaga innym klientom.",
        "heading": "Twoja opinia jest ważna",
        "intro": "Kilka dni temu zapytaliśmy, jak oceniasz zamówienie {number}. Jeśli masz "
        "minutę, Twoja opinia pomoże innym klientom i nam.",
        "cta": "Napisz opinię",
    },
    "thank_you_coupon": {
        "subject": "Dziękujemy, że wracasz: prezent dla Ciebie",
        "preheader": "Kupon na kolejne zamówienie.",
        "heading": "Dziękujemy za kolejne zamówienie!",
        "intro": "Bardzo się cieszymy, że znów zrobiłeś zakupy w {store}.",
        "coupon_intro": "Oto kupon na Twoje następne zamówienie:",
    },
    "referral_invitation": {
        "subject": "Poleć {store} znajomym",
        "preheader": "Dzięki Twojemu linkowi znajomi dostaną rabat.",
        "heading": "Cieszymy się, że jesteś zadowolony!",
        "intro": "Dziękujemy za świetną opinię. Zaproś znajomych: dzięki Twojemu osobistemu "
        "linkowi otrzymają rabat na pierwsze zamówienie.",
        "reward": "Twoi znajomi otrzymają {reward}.",
        "cta": "Udostępnij link",
    },
    "win_back": {
        "subject": "Tęsknimy za Tobą w {store}",
        "preheader": "Mały upominek na powitanie.",
        "heading": "Dawno się nie widzieliśmy",
        "intro": "Od Twojego ostatniego zamówienia minęło trochę czasu. Mamy nowe produkty, "
        "które mogą Ci się spodobać.",
        "coupon_intro": "Wróć z tym kodem:",
    },
    "order_cancelled": {
        "subject": "Twoje zamówienie {number} zostało anulowane",
        "preheader": "Nic nie zostanie wysłane w ramach tego zamówienia.",
        "heading": "Twoje zamówienie zostało anulowane",
        "intro": "Twoje zamówienie {number} zostało anulowane, więc nic nie zostanie wysłane.",
        "help": "Jeśli płatność została już pobrana, zwrócimy pieniądze tą samą metodą płatności. "
        "Pytania? Po prostu odpowiedz na tę wiadomość.",
    },
    "refund_issued": {
        "subject": "Zwrot za zamówienie {number}",
        "preheader": "Twoje pieniądze są już w drodze.",
        "heading": "Zwróciliśmy Ci pieniądze",
        "intro": "Zleciliśmy zwrot za Twoje zamówienie {number}.",
        "refunded_label": "Zwrócono łącznie",
        "help": "W zależności od banku lub metody płatności pojawienie się środków na koncie "
        "może potrwać kilka dni. Pytania? Po prostu odpowiedz na tę wiadomość.",
    },
}
