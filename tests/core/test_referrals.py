"""Referral codes: the public landing view and crediting the orders that used a code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import referrals
from core.auth import Actor
from core.cli import main
from core.errors import NotFound
from core.models import Customer, ReferralCode, ReferralUse
from core.settings import data_version, update_settings
from tests.core.messaging.conftest import add_customer, add_order


def _code(
    session: Session,
    customer: Customer,
    code: str,
    reward: str | None = "10",
    currency: str = "EUR",
) -> ReferralCode:
    referral = ReferralCode(
        code=code,
        customer_id=customer.id,
        reward_value=None if reward is None else Decimal(reward),
        reward_currency=currency if reward is not None else None,
    )
    session.add(referral)
    session.flush()
    return referral


def test_landing_shows_first_name_and_reward_in_the_referrers_locale(session: Session) -> None:
    update_settings(session, Actor.cli(), {"name": "Alpen Outfitters"})
    anna = add_customer(session, "anna", "de_DE", first_name=" Anna ")
    _code(session, anna, "ANNA-K2P9", "1234.5")
    session.commit()
    view = referrals.referral_landing(session, "  anna-k2p9 ")
    assert (view.code, view.first_name, view.store) == ("ANNA-K2P9", "Anna", "Alpen Outfitters")
    assert view.reward == "1.234,50\xa0€" and view.locale == "de_DE"
    assert "anna@example.org" not in repr(view)


def test_landing_without_reward_or_name_falls_back(session: Session) -> None:
    update_settings(session, Actor.cli(), {"default_locale": "sv"})
    nobody = add_customer(session, "nobody", "sv_SE", first_name=None)
    nobody.locale = None
    _code(session, nobody, "FRIEND-1", reward=None)
    session.commit()
    view = referrals.referral_landing(session, "FRIEND-1")
    assert view.first_name is None and view.reward is None and view.locale == "sv"


def test_unknown_code_is_not_found(session: Session) -> None:
    _code(session, add_customer(session, "anna", "de_DE"), "ANNA-K2P9")
    session.commit()
    for code in ("NOPE-0000", "ANNA-K2P", "", "x" * 200):
        with pytest.raises(NotFound):
            referrals.referral_landing(session, code)


def test_uses_count_conversions_case_insensitively(session: Session) -> None:
    anna = add_customer(session, "anna", "de_DE")
    ben = add_customer(session, "ben", "en_IE")
    used = _code(session, anna, "ANNA-K2P9")
    unused = _code(session, ben, "BEN-7Q1X")
    unused.uses = 3  # stale: no order used it
    add_order(session, ben, "1", discount_code="anna-k2p9")
    add_order(session, ben, "2", discount_code=" ANNA-K2P9 ")
    add_order(session, ben, "3", discount_code="ANNA-K2P9", status="cancelled")
    add_order(
        session,
        ben,
        "4",
        discount_code="ANNA-K2P9",
        cancelled_at=dt.datetime(2025, 3, 12, tzinfo=dt.UTC),
    )
    add_order(session, ben, "5", discount_code="SUMMER10")
    add_order(session, ben, "6")
    session.commit()
    before = data_version(session)
    assert referrals.count_referral_uses(session) == 1  # ben's second order is a repeat use
    session.commit()
    session.expire_all()
    assert (used.uses, unused.uses) == (1, 0)
    reasons = session.scalars(select(ReferralUse.reason).order_by(ReferralUse.order_id)).all()
    assert reasons == [None, "repeat_use", "repeat_use", "repeat_use"]
    assert data_version(session) == before + 1
    assert referrals.count_referral_uses(session) == 1
    assert data_version(session) == before + 1  # nothing changed, nothing bumped


def test_cli_refresh_credits_imported_orders(
    use_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session(use_database, expire_on_commit=False) as session:
        anna = add_customer(session, "anna", "de_DE")
        _code(session, anna, "ANNA-K2P9")
        add_order(session, add_customer(session, "ben", "en_IE"), "1", discount_code="Anna-K2P9")
        session.commit()
    assert main(["referrals", "refresh", "--json"]) == 0
    assert '"uses": 1' in capsys.readouterr().out
    with Session(use_database) as session:
        assert session.scalar(select(ReferralCode.uses)) == 1
    assert main(["referrals", "refresh"]) == 0
    assert "1 use(s)" in capsys.readouterr().out
