"""The plain-text part of every library template in every locale, read as text, line by line:
labels of the delivery, tracking and pickup boxes start their own lines (never "Lieferung:
StandardVoraussichtliche Zustellung"), an order without lines shows no items and no subtotal,
and no line carries template syntax, leading or trailing blanks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from core.auth import Actor
from core.messaging.library import LIBRARY
from core.messaging.library import install as install_library
from core.messaging.library_text import LOCALES, texts
from core.messaging.render import render_for
from core.models import Order
from tests.core.messaging.conftest import Shop, add_order

BOX_LABELS = ("delivery", "promised", "carrier", "tracking_number", "pickup_at", "opening_hours")
CUSTOMER_LOCALE = {"en": "en_IE", "de": "de_DE", "fr": "fr_FR", "nl": "nl_NL", "es": "es_ES"}
CUSTOMER_LOCALE |= {"it": "it_IT", "pl": "pl_PL", "sv": "sv_SE"}


@pytest.fixture
def library(session: Session, shop: Shop) -> dict[str, Order]:
    for spec in LIBRARY:
        install_library(session, Actor.cli(), spec.name)
    empty = {}
    for lang, locale in CUSTOMER_LOCALE.items():
        order = add_order(session, shop.customers[locale], f"E-{lang}", lines=())
        order.total, order.subtotal = Decimal("30.00"), Decimal("0")
        empty[lang] = order
    session.commit()
    return empty


def _lines(session: Session, shop: Shop, name: str, lang: str, order: Order) -> list[str]:
    customer = shop.customers[CUSTOMER_LOCALE[lang]]
    extra = {"coupon_code": shop.coupon, "referral_code": shop.referral}
    rendered = render_for(
        session, name, customer_id=customer.id, order_id=order.id, locale=lang, extra=extra
    )
    text = rendered.text
    assert "\n\n\n" not in text and text == text.strip() + "\n"
    return text.splitlines()


@pytest.mark.parametrize("lang", LOCALES)
def test_every_text_part_reads_line_by_line(
    session: Session, shop: Shop, library: dict[str, Order], lang: str
) -> None:
    common, _ = texts(lang, "order_confirmation")
    labels = [common[k] for k in BOX_LABELS]
    locale = CUSTOMER_LOCALE[lang]
    orders = [shop.orders[locale], shop.orders[f"{locale}:pickup"], library[lang]]
    for spec in LIBRARY:
        for order in orders:
            lines = _lines(session, shop, spec.name, lang, order)
            where = f"{spec.name}/{lang}/{order.number}"
            for line in lines:
                assert line == line.strip(), (where, line)
                assert "{{" not in line and "{%" not in line, (where, line)
                for label in labels:  # a box label starts its line: nothing runs into it
                    at = line.find(label + ":")
                    assert at in (-1, 0), (where, line)
            if "items" not in spec.sections:
                continue
            if order is library[lang]:  # no lines: no items, no subtotal, still the total
                assert not any(line.startswith(common["subtotal"]) for line in lines), where
                assert any(line.startswith(common["total"]) for line in lines), where
            else:
                assert any(line.startswith(common["subtotal"] + "  ") for line in lines), where
                first = order.lines[0]
                assert first.name in lines, (where, lines)  # the item's name on a line of its own


def test_delivery_box_lines_in_german(
    session: Session, shop: Shop, library: dict[str, Order]
) -> None:
    lines = _lines(session, shop, "order_confirmation", "de", shop.orders["de_DE"])
    at = lines.index("Lieferung: Express")
    assert lines[at + 1].startswith("Voraussichtliche Zustellung: ")
    lines = _lines(session, shop, "order_confirmation", "de", library["de"])
    assert not [line for line in lines if "Zwischensumme" in line]
    assert any(line.startswith("Gesamt") and "30,00" in line for line in lines)
