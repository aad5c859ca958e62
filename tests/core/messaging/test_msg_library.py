"""Every library template renders in every locale for the orders it applies to, with no error
and no empty variable lacking a fallback; money and dates are Babel's formatting."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from sqlalchemy.orm import Session

from core.auth import Actor, Role
from core.errors import PermissionDenied
from core.messaging import library
from core.messaging.library_text import LOCALES
from core.messaging.render import render_for
from core.messaging.templates import list_templates
from core.models import Order
from tests.core.messaging.conftest import Shop


def test_ensure_library_installs_every_template_in_every_locale_once(session: Session) -> None:
    added = library.ensure_library(session, Actor.cli())
    assert added == len(library.LIBRARY) * len(LOCALES) == 14 * 8
    assert library.ensure_library(session, Actor.cli()) == 0
    summaries = {t.name: t for t in list_templates(session)}
    assert set(summaries) == {t.name for t in library.LIBRARY}
    assert all(sorted(t.locales) == sorted(LOCALES) for t in summaries.values())
    assert summaries["review_request"].category == "marketing"
    assert summaries["shipped"].category == "transactional"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ANALYST])
def test_read_only_roles_may_not_install_the_library(session: Session, role: Role) -> None:
    with pytest.raises(PermissionDenied):
        library.ensure_library(session, Actor("x@example.com", role))


def _extra(spec: library.LibraryTemplate, shop: Shop) -> dict[str, object]:
    return {"coupon_code": shop.coupon, "referral_code": shop.referral, "message_id": 7}


def test_every_template_every_locale_renders_without_gaps(session: Session, shop: Shop) -> None:
    library.ensure_library(session, Actor.cli())
    rendered_count = 0
    for customer_locale, customer in shop.customers.items():
        orders = [o for k, o in shop.orders.items() if k.split(":")[0] == customer_locale]
        for spec in library.LIBRARY:
            applicable = [o for o in orders if spec.applies_to(session.get(Order, o.id))]
            assert applicable, f"no order for {spec.name}"
            for order in applicable:
                msg = render_for(
                    session,
                    spec.name,
                    customer_id=customer.id,
                    order_id=order.id,
                    extra=_extra(spec, shop),
                )
                assert msg.empty_variables == [], (spec.name, customer_locale, msg.empty_variables)
                assert msg.subject and msg.text.strip() and "<html" in msg.html
                assert "{{" not in msg.html + msg.text + msg.subject
                assert msg.locale == customer_locale
                rendered_count += 1
    assert rendered_count >= 14 * 8


def test_money_and_dates_follow_babel_for_the_customer_locale(session: Session, shop: Shop) -> None:
    library.ensure_library(session, Actor.cli())
    for locale, customer in shop.customers.items():
        order = shop.orders[locale]
        msg = render_for(session, "order_confirmation", customer_id=customer.id, order_id=order.id)
        price = format_currency(order.lines[0].unit_price, order.currency, locale=locale)
        placed = format_date(order.placed_at.date(), "long", locale=locale)
        assert price in msg.html and price in msg.text, (locale, price)
        assert placed in msg.html, (locale, placed)
    de = render_for(
        session,
        "order_confirmation",
        customer_id=shop.customers["de_DE"].id,
        order_id=shop.orders["de_DE"].id,
    )
    ie = render_for(
        session,
        "order_confirmation",
        customer_id=shop.customers["en_IE"].id,
        order_id=shop.orders["en_IE"].id,
    )
    assert "1.234,56\xa0€" in de.text and "Bestellung" in de.subject
    assert "€1,234.56" in ie.text and "Thank you" in ie.subject


def test_pickup_template_shows_store_address_and_hours(session: Session, shop: Shop) -> None:
    library.ensure_library(session, Actor.cli())
    order = shop.orders["fr_FR:pickup"]
    msg = render_for(session, "ready_for_pickup", customer_id=order.customer_id, order_id=order.id)
    assert "Berlin Mitte" in msg.text and "Torstraße 1, 10119 Berlin" in msg.text
    assert "Mo-Sa 10:00-19:00" in msg.html and "Horaires d'ouverture" in msg.text


def test_review_request_has_five_signed_star_links(session: Session, shop: Shop) -> None:
    library.ensure_library(session, Actor.cli())
    order = shop.orders["nl_NL"]
    msg = render_for(session, "review_request", customer_id=order.customer_id, order_id=order.id)
    for rating in range(1, 6):
        assert f"?rating={rating}" in msg.html
    assert "https://shop.example/review/" in msg.text
    assert "https://shop.example/u/" in msg.html


def test_order_emails_carry_the_delivery_link_while_a_change_is_allowed(
    session: Session, shop: Shop
) -> None:
    library.ensure_library(session, Actor.cli())
    order = shop.orders["de_DE"]
    msg = render_for(
        session, "order_confirmation", customer_id=order.customer_id, order_id=order.id
    )
    assert "/delivery/" not in msg.html  # shipped and delivered already: no change
    order.shipments.clear()
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
    order.promised_delivery_start, order.promised_delivery_at = soon, soon + dt.timedelta(days=1)
    session.commit()
    msg = render_for(
        session, "order_confirmation", customer_id=order.customer_id, order_id=order.id
    )
    assert "https://shop.example/delivery/" in msg.html and "Lieferzeit wählen" in msg.html
    order.status = "cancelled"
    session.commit()
    msg = render_for(
        session, "order_confirmation", customer_id=order.customer_id, order_id=order.id
    )
    assert "/delivery/" not in msg.html and "Lieferzeit wählen" not in msg.html
