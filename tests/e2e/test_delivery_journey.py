"""Delivery self-service in a real browser: two demo customers order; the order confirmation
workflow delivers their emails to the local mailbox; the first customer opens the delivery link
from their email on the Mailbox page, picks the last free place of a time slot and confirms;
the merchant's Delivery options page lists the booking; the second customer's page no longer
offers that slot, and posting it anyway answers that it is fully booked."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from core.auth import Actor
from core.delivery import config as delivery_config
from core.models import Customer, DeliveryOption, Order, OrderLine, SlotReservation
from dashboard.routes.delivery_texts import TEXTS
from tests.e2e.conftest import Server, screenshot, wait_idle

pytestmark = pytest.mark.e2e
LINK = re.compile(r"https?://[^\s)\"']+/delivery/[A-Za-z0-9_.\-]+")


def _prepare(server: Server) -> list[tuple[int, str, str]]:
    """Two new paid orders to Germany for English-speaking demo customers; the demo's scheduled
    option bookable from today with one place per slot, and the shop charging the difference of
    a dearer change (the orders paid no shipping). (order id, number, email) each."""
    engine = create_engine(server.database_url)
    now = dt.datetime.now(dt.UTC)
    out = []
    with Session(engine) as s, s.begin():
        s.execute(
            update(DeliveryOption)
            .where(DeliveryOption.code == "scheduled")
            .values(slot_capacity=1, slot_cutoff_hours=0, lead_days_min=0,
                    slot_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
        )  # fmt: skip
        config = delivery_config.load(s)
        delivery_config.save(
            s, Actor.cli(), replace(config, dearer_changes=delivery_config.SHOP_CHARGES)
        )
        customers = s.scalars(
            select(Customer).where(Customer.is_demo, Customer.email.is_not(None)).limit(2)
        ).all()
        for n, customer in enumerate(customers, start=1):
            customer.locale, customer.country = "en_IE", "DE"
            number = f"E2E-DLV-{now:%H%M%S}-{n}"  # unique when the journey is retried
            order = Order(
                external_id=number, number=number, customer_id=customer.id, placed_at=now,
                placed_date=now.date(), placed_month=f"{now:%Y-%m}", status="paid", paid_at=now,
                currency="EUR", total=Decimal("48.00"), delivery_option="standard",
                shipping_country="DE", is_demo=False,
                lines=[OrderLine(line_no=1, sku="E2E-MUG", name="Mug", quantity=2,
                                 unit_price=Decimal("24.00"))],
            )  # fmt: skip
            s.add(order)
            s.flush()
            out.append((order.id, number, str(customer.email)))
    engine.dispose()
    return out


def _run(server: Server, *args: str) -> str:
    result = server.cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _booked(server: Server) -> list[int]:
    engine = create_engine(server.database_url)
    with Session(engine) as s:
        found = list(s.scalars(select(SlotReservation.order_id).where(
            SlotReservation.state == "booked")))  # fmt: skip
    engine.dispose()
    return found


def _link_from_mailbox(page: Any, server: Server, email: str) -> str:
    page.goto(server.url)
    wait_idle(page)
    page.get_by_role("link", name="Mailbox", exact=True).click()
    wait_idle(page)
    page.get_by_label("Search recipient or subject").fill(email)
    page.keyboard.press("Enter")
    wait_idle(page)
    # Demo workflows may mail the same demo customer in the same cycle (a review request):
    # the order confirmation is the email that carries the delivery link.
    box = page.get_by_label("Template", exact=True)
    box.click()
    page.keyboard.type("order_confirmation")
    page.get_by_role("option", name="order_confirmation", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(rf"^To {re.escape(email)} "))).to_be_visible()
    page.get_by_role("tab", name="Text").click()
    text = page.locator("[data-testid=stCode]").first.inner_text()
    found = LINK.search(text)
    assert found, f"no delivery link in the email to {email}:\n{text[:2000]}"
    return found.group(0)


def test_customer_books_the_last_place_of_a_slot(owner_page: Any, server: Server) -> None:
    orders = _prepare(server)
    (first_id, first_no, first_email), (second_id, _, second_email) = orders
    _run(server, "workflow", "create", "--preset", "order_confirmation", "--activate")
    for _, number, _ in orders:
        _run(server, "event", number, "placed")
    _run(server, "worker", "--once")

    page = owner_page
    first_link = _link_from_mailbox(page, server, first_email)
    second_link = _link_from_mailbox(page, server, second_email)
    screenshot(page, "delivery-mailbox")

    t = TEXTS["en"]
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.goto(first_link).status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(t["heading"].format(number=first_no))
    choice = page.locator("input[name=slot]").first
    slot_value = str(choice.get_attribute("value"))
    choice.check()
    screenshot(page, "delivery-choose-slot")
    page.get_by_role("button", name=t["hold"]).click()
    expect(page.locator("p.price")).to_contain_text("will charge the difference")
    page.get_by_role("button", name=t["confirm"]).click()
    expect(page.locator("p.ok")).to_contain_text("Booked")
    screenshot(page, "delivery-booked")
    assert first_id in _booked(server)

    # The second customer: the full slot is not offered, and posting it anyway is refused.
    assert page.goto(second_link).status == 200
    offered = [page.locator("input[name=slot]").nth(i).get_attribute("value")
               for i in range(page.locator("input[name=slot]").count())]  # fmt: skip
    assert slot_value not in offered
    answer = page.request.post(f"{second_link}/hold", form={"slot": slot_value})
    assert answer.status == 409 and t["full"] in answer.text()
    assert first_id in _booked(server) and second_id not in _booked(server)

    # The merchant sees the booking on the Delivery options page.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(server.url)
    wait_idle(page)
    page.get_by_role("link", name="Delivery options", exact=True).click()
    wait_idle(page)
    page.get_by_role("tab", name="Slots and bookings").click()
    booked_row = page.locator("[data-testid=stTable]").get_by_text(first_no, exact=True)
    expect(booked_row).to_be_visible()
    expect(page.locator("[data-testid=stTable]")).to_contain_text(first_email)
    expect(page.locator("[data-testid=stTable]")).to_contain_text("+6.90 EUR")
    booked_row.scroll_into_view_if_needed()
    screenshot(page, "delivery-merchant-bookings")
