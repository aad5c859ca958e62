from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import settings
from core.auth import Actor, Role
from core.errors import PermissionDenied, ValidationError
from core.models import Customer, Order

OWNER = Actor("o@example.com", Role.OWNER)


def test_defaults_and_update(session: Session) -> None:
    assert settings.load(session).currency == "EUR"
    new = settings.update_settings(session, OWNER, {"currency": "gbp", "rate.PLN": "0,23"})
    assert new.currency == "GBP"
    assert new.exchange_rates == {"PLN": Decimal("0.23")}
    assert new.rate("PLN") == Decimal("0.23")
    assert settings.data_version(session) == 1


def test_bad_values_name_the_field_and_write_nothing(session: Session) -> None:
    with pytest.raises(ValidationError) as info:
        settings.update_settings(
            session, OWNER, {"name": "Shop", "timezone": "Mars/Base", "quiet_hours_start": "25:00"}
        )
    assert "Time zone:" in str(info.value) and "Quiet hours start" in str(info.value)
    assert info.value.field == "timezone"  # the internal name stays on the error for code
    assert settings.load(session).name == "My shop"


def test_roles_that_may_not_edit(session: Session) -> None:
    for role in (Role.MANAGER, Role.ANALYST):
        with pytest.raises(PermissionDenied):
            settings.update_settings(session, Actor("x@example.com", role), {"name": "X"})
    settings.update_settings(session, Actor("m@example.com", Role.MERCHANT), {"name": "X"})


def test_timezone_change_recomputes_local_dates(session: Session) -> None:
    # 23:30 UTC on 31 January is 1 February in Berlin but still January in London.
    at = dt.datetime(2024, 1, 31, 23, 30, tzinfo=dt.UTC)
    session.add(
        Order(
            external_id="O-1",
            customer=Customer(external_id="C-1"),
            placed_at=at,
            placed_date=dt.date(2024, 2, 1),
            placed_month="2024-02",
            currency="EUR",
            total=Decimal("1"),
        )
    )
    session.flush()
    settings.update_settings(session, OWNER, {"timezone": "Europe/London"})
    assert session.execute(select(Order.placed_date, Order.placed_month)).one() == (
        dt.date(2024, 1, 31),
        "2024-01",
    )
