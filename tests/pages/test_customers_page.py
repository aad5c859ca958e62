"""The Customers page (GDPR): see everything about a customer, and erase them after typing the
email again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.models import Customer, Order
from tests.pages.conftest import PageRunner, assert_escaped


def _anna(engine: Engine) -> int:
    with Session(engine) as s, s.begin():
        anna = Customer(external_id="C-A", email="anna@example.com", first_name="Anna",
                        country="DE", marketing_consent=True, tags=[])  # fmt: skip
        s.add(anna)
        s.flush()
        now = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
        s.add(Order(external_id="O-A", customer_id=anna.id, placed_at=now, placed_date=now.date(),
                    placed_month="2025-03", currency="EUR", total=12, shipping_country="DE",
                    shipping_address="Hauptstr. 1"))  # fmt: skip
        return anna.id


def test_profile_tabs_then_erase_with_confirmation(run_page: PageRunner, app_db: Engine) -> None:
    anna_id = _anna(app_db)
    at = run_page("customers.py")
    at.text_input(key="cust_email").set_value("anna@example.com").run()
    assert not at.exception
    assert at.dataframe[0].value["first_name"].tolist() == ["Anna"]
    at.text_input(key="cust_confirm").set_value("someone@else.com")
    at.button(key="FormSubmitter:erase_customer-Erase").click().run()
    assert any("does not match" in e.value for e in at.error)
    at.text_input(key="cust_confirm").set_value("anna@example.com")
    at.button(key="FormSubmitter:erase_customer-Erase").click().run()
    assert not at.exception
    with Session(app_db) as s:
        anna = s.get(Customer, anna_id)
        address = s.scalars(select(Order.shipping_address)).one()
    assert anna is not None and anna.email is None and address is None


def test_a_hostile_email_is_shown_literally(run_page: PageRunner, app_db: Engine) -> None:
    email = "$x$**b**@example.com"
    with Session(app_db) as s, s.begin():
        s.add(Customer(external_id="C-H", email=email, country="DE", tags=[]))
    at = run_page("customers.py")
    at.text_input(key="cust_email").set_value(email).run()
    assert not at.exception
    assert_escaped(at.subheader[0].value, email)
