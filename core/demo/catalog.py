"""The fixed facts of the demo shop: countries, names, products, stores, carriers, comments.

Everything here is invented. Emails use the reserved example domains (RFC 2606), links point at
``example.com``/``example.org``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

STORE_NAME = "Demo shop — Maison Nordlicht (demo data)"
DEMO_RATES = {"PLN": "0.2330", "SEK": "0.0870"}
STORE_SETTINGS: dict[str, object] = {
    "name": STORE_NAME,
    "currency": "EUR",
    "timezone": "Europe/Berlin",
    "default_locale": "en",
    "exchange_rates": DEMO_RATES,
    "sender_name": "Maison Nordlicht (demo)",
    "sender_email": "hello@nordlicht.example.com",
    "reply_to": "care@nordlicht.example.com",
}
RATES_TO_EUR = {"EUR": Decimal("1"), **{k: Decimal(v) for k, v in DEMO_RATES.items()}}
"""Value of one unit in EUR; also used to price PLN and SEK orders."""
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
PREFIX = "DEMO-"


@dataclass(frozen=True)
class Country:
    code: str
    weight: float
    locales: tuple[str, ...]
    time_zone: str
    currency: str
    vat: float
    carrier: str


COUNTRIES: tuple[Country, ...] = (
    Country("DE", 0.27, ("de",), "Europe/Berlin", "EUR", 0.19, "DHL"),
    Country("AT", 0.06, ("de",), "Europe/Vienna", "EUR", 0.20, "Österreichische Post"),
    Country("FR", 0.13, ("fr",), "Europe/Paris", "EUR", 0.20, "Colissimo"),
    Country("NL", 0.09, ("nl",), "Europe/Amsterdam", "EUR", 0.21, "PostNL"),
    Country("BE", 0.05, ("nl", "fr"), "Europe/Brussels", "EUR", 0.21, "bpost"),
    Country("ES", 0.09, ("es",), "Europe/Madrid", "EUR", 0.21, "Correos"),
    Country("IT", 0.10, ("it",), "Europe/Rome", "EUR", 0.22, "Poste Italiane"),
    Country("PL", 0.09, ("pl",), "Europe/Warsaw", "PLN", 0.23, "InPost"),
    Country("SE", 0.07, ("sv",), "Europe/Stockholm", "SEK", 0.25, "PostNord"),
    Country("IE", 0.05, ("en",), "Europe/Dublin", "EUR", 0.23, "An Post"),
)

# fmt: off
FIRST_NAMES: dict[str, tuple[str, ...]] = {
    'de': (
        'Anna', 'Lukas', 'Sophie', 'Jonas', 'Marie', 'Felix', 'Lena', 'Paul', 'Hannah',
        'Jürgen', 'Katrin', 'Maximilian', 'Lea', 'Tobias', 'Greta', 'Matthias',
    ),
    'fr': (
        'Camille', 'Louis', 'Chloé', 'Hugo', 'Léa', 'Gabriel', 'Manon', 'Jules', 'Inès',
        'Arthur', 'Élodie', 'Théo', 'Sarah', 'Nicolas', 'Juliette', 'Mathéo',
    ),
    'nl': (
        'Emma', 'Daan', 'Julia', 'Sem', 'Tess', 'Lucas', 'Sanne', 'Bram', 'Fleur', 'Thijs',
        'Noor', 'Ruben', 'Lotte', 'Jesse', 'Anouk', 'Joris',
    ),
    'es': (
        'Lucía', 'Hugo', 'Martina', 'Mateo', 'Sofía', 'Pablo', 'Paula', 'Álvaro', 'Carmen',
        'Javier', 'Elena', 'Diego', 'Marta', 'Sergio', 'Irene', 'Adrián',
    ),
    'it': (
        'Giulia', 'Leonardo', 'Sofia', 'Francesco', 'Aurora', 'Alessandro', 'Chiara',
        'Lorenzo', 'Martina', 'Matteo', 'Francesca', 'Andrea', 'Elisa', 'Davide', 'Sara',
        'Niccolò',
    ),
    'pl': (
        'Zofia', 'Jakub', 'Maja', 'Antoni', 'Hanna', 'Szymon', 'Julia', 'Kacper', 'Łucja',
        'Mikołaj', 'Natalia', 'Wojciech', 'Agnieszka', 'Paweł', 'Ewa', 'Tomasz',
    ),
    'sv': (
        'Alice', 'William', 'Maja', 'Oscar', 'Elsa', 'Lucas', 'Astrid', 'Hugo', 'Ebba', 'Erik',
        'Saga', 'Axel', 'Linnéa', 'Nils', 'Ingrid', 'Björn',
    ),
    'en': (
        'Aoife', 'Conor', 'Saoirse', 'Seán', 'Niamh', 'Jack', 'Ciara', 'Darragh', 'Emma',
        'Oisín', 'Sinéad', 'Cian', 'Róisín', 'Liam', 'Orla', 'Patrick',
    ),
}
LAST_NAMES: dict[str, tuple[str, ...]] = {
    'de': (
        'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker',
        'Hoffmann', 'Schäfer', 'Koch', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann',
    ),
    'fr': (
        'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand',
        'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'Fournier',
    ),
    'nl': (
        'de Jong', 'Jansen', 'de Vries', 'van den Berg', 'van Dijk', 'Bakker', 'Janssen',
        'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Vos', 'Peters',
    ),
    'es': (
        'García', 'Rodríguez', 'González', 'Fernández', 'López', 'Martínez', 'Sánchez',
        'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz', 'Hernández', 'Díaz', 'Moreno', 'Muñoz',
    ),
    'it': (
        'Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci',
        'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti', 'De Luca', 'Mancini', 'Costa',
    ),
    'pl': (
        'Nowak', 'Kowalska', 'Wiśniewski', 'Wójcik', 'Kowalczyk', 'Kamińska', 'Lewandowski',
        'Zielińska', 'Szymański', 'Woźniak', 'Dąbrowska', 'Kozłowski', 'Jankowska', 'Mazur',
        'Krawczyk', 'Piotrowski',
    ),
    'sv': (
        'Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson',
        'Persson', 'Svensson', 'Gustafsson', 'Pettersson', 'Jonsson', 'Jansson', 'Hansson',
        'Bengtsson', 'Lindqvist',
    ),
    'en': (
        'Murphy', 'Kelly', "O'Sullivan", 'Walsh', 'Smith', "O'Brien", 'Byrne', 'Ryan',
        "O'Connor", "O'Neill", 'Reilly', 'Doyle', 'McCarthy', 'Gallagher', 'Doherty',
        'Kennedy',
    ),
}
# fmt: on

# fmt: off
CATEGORIES: dict[str, tuple[tuple[str, float], ...]] = {
    'Coffee & tea': (
        ('Nordic Morning coffee beans 500 g', 14.9), ('Espresso Forte beans 1 kg', 24.5),
        ('Earl Grey loose tea 150 g', 8.9), ('Sencha green tea 100 g', 9.5),
        ('Rooibos vanilla tea 150 g', 7.9), ('Pour-over dripper, ceramic', 22.0),
        ('Glass coffee carafe 0.8 l', 19.9), ('Hand coffee grinder', 49.0),
        ('Milk frother, stainless', 29.9), ('Tea infuser set', 12.5),
    ),
    'Kitchen': (
        ('Oak cutting board', 34.0), ("Chef's knife 20 cm", 69.0), ('Linen apron, sage', 27.5),
        ('Cast-iron skillet 26 cm', 54.9), ('Enamel casserole 3 l', 89.0),
        ('Wooden spoon set', 16.9), ('Olive wood salad servers', 21.0),
        ('Herb scissors', 14.5), ('Copper measuring cups', 32.0),
        ('Pantry jar set of 3', 24.9),
    ),
    'Tableware': (
        ('Stoneware dinner plate', 18.0), ('Stoneware bowl', 14.0), ('Fjord mug 350 ml', 12.9),
        ('Handblown water glass set', 36.0), ('Linen napkins, set of 4', 29.0),
        ('Brass cutlery set 16 pcs', 119.0), ('Serving platter, oval', 42.0),
        ('Carafe with cork lid', 26.5), ('Egg cups, set of 2', 11.9),
        ('Butter dish, oak lid', 23.0),
    ),
    'Home textiles': (
        ('Wool throw, grey', 79.0), ('Linen bed set 155x220', 129.0),
        ('Cushion cover, rust', 24.0), ('Waffle bath towel', 32.0),
        ('Cotton tea towels, set of 3', 18.5), ('Merino blanket', 149.0),
        ('Linen curtain 140x250', 64.0), ('Jute rug 120x180', 99.0),
        ('Bath mat, cotton', 22.0), ('Alpaca socks', 19.9),
    ),
    'Candles & scents': (
        ('Birch candle 200 g', 24.0), ('Sea salt diffuser', 32.0),
        ('Pillar candles, set of 3', 19.5), ('Beeswax tapers, pair', 12.0),
        ('Room spray, cedar', 18.0), ('Matchbox, brass', 9.9),
        ('Candle holder, ceramic', 16.0), ('Scented sachets, lavender', 8.5),
        ('Tea lights, 50 pcs', 7.9), ('Essential oil, pine 10 ml', 11.0),
    ),
    'Stationery': (
        ('Linen notebook A5', 16.9), ('Fountain pen, matte black', 39.0),
        ('Desk planner 2025-2026', 22.0), ('Recycled paper set', 12.9),
        ('Brass paper clips', 6.9), ('Leather pencil case', 29.0),
        ('Greeting cards, set of 6', 14.5), ('Wooden desk organiser', 34.0),
        ('Washi tape, set of 4', 9.9), ('Ink bottle, blue-black', 13.5),
    ),
}
# fmt: on
IMAGE_BASE = "https://images.example.com/demo/products"


@dataclass(frozen=True)
class PickupStore:
    code: str
    name: str
    address: str
    city: str
    postcode: str
    country: str
    opening_hours: str


PICKUP_STORES: tuple[PickupStore, ...] = (
    PickupStore(
        "DEMO-BER",
        "Nordlicht Store Berlin Mitte",
        "Torstraße 112",
        "Berlin",
        "10119",
        "DE",
        "Mon-Fri 10:00-19:00, Sat 10:00-18:00",
    ),
    PickupStore(
        "DEMO-HAM",
        "Nordlicht Store Hamburg",
        "Lange Reihe 45",
        "Hamburg",
        "20099",
        "DE",
        "Mon-Fri 10:00-19:00, Sat 10:00-16:00",
    ),
    PickupStore(
        "DEMO-VIE",
        "Nordlicht Store Wien",
        "Neubaugasse 28",
        "Wien",
        "1070",
        "AT",
        "Mon-Fri 10:00-18:30, Sat 09:30-17:00",
    ),
)
PICKUP_COUNTRIES = ("DE", "AT")
SCHEDULED_COUNTRIES = ("DE", "AT", "NL", "BE")
TIME_SLOTS = ("08:00-12:00", "12:00-16:00", "16:00-20:00")


@dataclass(frozen=True)
class Delivery:
    code: str
    name: str
    kind: str
    price: str
    lead_min: int
    lead_max: int
    late_rate: float
    """Share of orders delivered (or ready) after the promised time."""


DELIVERY_OPTIONS: tuple[Delivery, ...] = (
    Delivery("standard", "Standard delivery (2-4 working days)", "standard", "4.90", 2, 4, 0.11),
    Delivery("express", "Express delivery (next day)", "express", "9.90", 1, 1, 0.08),
    Delivery("click_collect", "Click & collect in our stores", "pickup", "0.00", 1, 1, 0.04),
    Delivery(
        "scheduled", "Scheduled delivery (choose a time slot)", "scheduled", "6.90", 2, 5, 0.06
    ),
)
FREE_SHIPPING_FROM_EUR = 60
SHIPPING_PRICES = {  # per delivery code: EUR, PLN, SEK
    "standard": {"EUR": 490, "PLN": 1999, "SEK": 5900},
    "express": {"EUR": 990, "PLN": 3999, "SEK": 11900},
    "click_collect": {"EUR": 0, "PLN": 0, "SEK": 0},
    "scheduled": {"EUR": 690, "PLN": 2999, "SEK": 7900},
}
EXPRESS_CARRIER = "UPS Express"
DISCOUNT_CODES = (("SPRING15", 0.15), ("NORDLICHT10", 0.10), ("WINTER20", 0.20))
WELCOME_CODE = ("WELCOME10", 0.10)
REFERRAL_DISCOUNT = 0.10
CHANNELS = ("web", "mobile_app", "marketplace")

# fmt: off
COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    'en': {
        'good': (
            'Lovely quality, arrived quickly.', 'Exactly as described. Will order again!',
            'Beautiful packaging and fast delivery.',
        ),
        'mixed': (
            'Nice product, delivery took a bit long.',
            'Good, but the colour differs slightly.',
        ),
        'bad': (
            'Arrived days late, very disappointed.',
            'Late delivery and no update from the shop.',
        ),
    },
    'de': {
        'good': (
            'Tolle Qualität, schnelle Lieferung.', 'Genau wie beschrieben, gerne wieder!',
            'Schön verpackt und pünktlich angekommen.',
        ),
        'mixed': (
            'Schönes Produkt, Lieferung dauerte etwas.',
            'Gut, aber die Farbe weicht etwas ab.',
        ),
        'bad': (
            'Kam Tage zu spät, sehr enttäuscht.', 'Verspätet und keine Information vom Shop.',
        ),
    },
    'fr': {
        'good': (
            'Très belle qualité, livraison rapide.',
            'Conforme à la description, je recommande !',
            "Emballage soigné, arrivé à l'heure.",
        ),
        'mixed': (
            'Joli produit, mais la livraison a pris du temps.',
            'Bien, couleur un peu différente.',
        ),
        'bad': (
            'Livré avec plusieurs jours de retard, déçu.',
            'Retard de livraison et aucune nouvelle.',
        ),
    },
    'nl': {
        'good': (
            'Mooie kwaliteit, snel geleverd.', 'Precies zoals beschreven, zeker opnieuw!',
            'Prachtig verpakt en op tijd.',
        ),
        'mixed': (
            'Mooi product, levering duurde wat lang.', 'Goed, maar de kleur wijkt iets af.',
        ),
        'bad': (
            'Dagen te laat geleverd, erg teleurgesteld.',
            'Te laat en geen bericht van de winkel.',
        ),
    },
    'es': {
        'good': (
            'Calidad estupenda y envío rápido.', 'Tal como se describe, ¡repetiré!',
            'Bien empaquetado y llegó a tiempo.',
        ),
        'mixed': (
            'Buen producto, pero la entrega tardó.', 'Bien, aunque el color es algo distinto.',
        ),
        'bad': (
            'Llegó con días de retraso, muy decepcionado.', 'Retraso y ninguna información.',
        ),
    },
    'it': {
        'good': (
            'Qualità ottima, consegna veloce.', 'Esattamente come descritto, riordinerò!',
            'Confezione curata e arrivato puntuale.',
        ),
        'mixed': (
            'Bel prodotto, ma la consegna è stata lenta.',
            "Buono, il colore è un po' diverso.",
        ),
        'bad': (
            'Arrivato con giorni di ritardo, deluso.', 'Ritardo e nessun aggiornamento.',
        ),
    },
    'pl': {
        'good': (
            'Świetna jakość, szybka dostawa.', 'Dokładnie jak w opisie, polecam!',
            'Ładnie zapakowane i na czas.',
        ),
        'mixed': (
            'Fajny produkt, ale dostawa trwała długo.', 'Dobrze, kolor trochę inny.',
        ),
        'bad': (
            'Dostawa spóźniona o kilka dni, rozczarowanie.', 'Opóźnienie i brak informacji.',
        ),
    },
    'sv': {
        'good': (
            'Fin kvalitet och snabb leverans.', 'Precis som beskrivet, beställer igen!',
            'Snyggt förpackat och kom i tid.',
        ),
        'mixed': (
            'Bra produkt men leveransen tog tid.', 'Bra, men färgen skiljer sig lite.',
        ),
        'bad': (
            'Kom flera dagar för sent, besviken.', 'Försenad och ingen information.',
        ),
    },
}
# fmt: on

_ASCII = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "ß": "ss", "'": "", " ": ""})


def email_slug(name: str) -> str:
    """Lower-case ASCII letters of a name, for demo email addresses."""
    import unicodedata

    text = unicodedata.normalize("NFKD", name.translate(_ASCII))
    return "".join(c for c in text if c.isascii() and c.isalnum()).lower()


def product_rows() -> list[tuple[str, str, str, float]]:
    """(sku, name, category, price in EUR) of every product, grouped by category."""
    rows = []
    for c_index, (category, items) in enumerate(CATEGORIES.items(), start=1):
        for p_index, (name, price) in enumerate(items, start=1):
            rows.append((f"{PREFIX}P{c_index}{p_index:02d}", name, category, price))
    return rows


def image_url(sku: str, name: str) -> str:
    return f"{IMAGE_BASE}/{sku.lower()}-{email_slug(name)[:24]}.jpg"
