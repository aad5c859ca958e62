"""`python -m core event`: the event moves the order (issue 9, items 1 and 9)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.cli import main
from core.models import Order, OrderEvent, Shipment
from tests.cli.test_workflow_cli import _order


def _stored(engine: Engine, ref: str) -> Order:
    with Session(engine) as s:
        order = s.scalars(select(Order).where(Order.external_id == ref)).one()
        s.expunge(order)
        return order


def test_cancelled_and_refunded_change_the_order(
    use_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    _order(use_database, "ORD-1")
    _order(use_database, "ORD-2")
    assert main(["event", "ORD-1", "cancelled", "--at", "2026-01-05T10:00"]) == 0
    assert capsys.readouterr().out.strip() == "cancelled recorded for order ORD-1"
    cancelled = _stored(use_database, "ORD-1")
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert main(["event", "ORD-2", "refunded"]) == 0  # no --amount: a full refund
    refunded = _stored(use_database, "ORD-2")
    assert (refunded.status, refunded.refunded_amount) == ("refunded", Decimal("75.00"))
    assert refunded.refunded_at is not None


def test_partial_refunds_need_their_own_ref(
    use_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    _order(use_database, "ORD-1")
    assert main(["event", "ORD-1", "delivered"]) == 0
    assert main(["event", "ORD-1", "refunded", "--amount", "10,50", "--ref", "R1"]) == 0
    assert main(["event", "ORD-1", "refunded", "--amount", "4.50", "--ref", "R2"]) == 0
    capsys.readouterr()
    assert main(["event", "ORD-1", "refunded", "--amount", "4.50", "--ref", "R2"]) == 0
    assert "already recorded" in capsys.readouterr().out
    order = _stored(use_database, "ORD-1")
    assert (order.refunded_amount, order.status) == (Decimal("15.00"), "delivered")
    assert main(["event", "ORD-1", "refunded", "--amount", "99", "--ref", "R3"]) == 1
    assert "more than the 60.00 left" in capsys.readouterr().err
    assert main(["event", "ORD-1", "refunded", "--amount", "ten", "--ref", "R3"]) == 1
    assert "not an amount" in capsys.readouterr().err
    assert main(["event", "ORD-1", "paid", "--ref", "X"]) == 1
    assert "takes no reference" in capsys.readouterr().err


def test_delivered_by_cli_creates_the_shipment(use_database: Engine) -> None:
    _order(use_database, "ORD-1")
    assert main(["event", "ORD-1", "delivered", "--at", "2026-01-07T15:00"]) == 0
    with Session(use_database) as s:
        (shipment,) = s.scalars(select(Shipment)).all()
        assert shipment.delivered_at is not None
        assert shipment.delivered_at.isoformat().startswith("2026-01-07T14:00")  # Berlin
    assert _stored(use_database, "ORD-1").status == "delivered"


@pytest.mark.parametrize("kind", ["placed", "cancelled"])
def test_a_second_event_says_it_was_already_recorded(
    use_database: Engine, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    _order(use_database, "ORD-1")
    assert main(["event", "ORD-1", kind, "--at", "2026-01-05T10:00"]) == 0
    assert capsys.readouterr().out.strip() == f"{kind} recorded for order ORD-1"
    with Session(use_database) as s:
        recorded = s.scalars(select(OrderEvent.recorded_at)).one()
        iso = recorded.astimezone(store_settings.load(s).tz).isoformat(timespec="seconds")
    assert main(["event", "ORD-1", kind, "--at", "2026-01-06T10:00"]) == 0
    assert capsys.readouterr().out.strip() == f"{kind} already recorded for order ORD-1 at {iso}"
    with Session(use_database) as s:
        assert len(s.scalars(select(OrderEvent)).all()) == 1
