"""`coupons match|export|push` and `referrals settle` from the command line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.cli import main
from core.models import Coupon
from tests.core.messaging.conftest import add_customer, add_order


def test_match_export_and_push_without_configuration(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    with Session(use_database) as session:
        anna = add_customer(session, "anna", "de_DE")
        for code in ("THANKS-A", "THANKS-B"):
            session.add(
                Coupon(
                    code=code,
                    customer_id=anna.id,
                    kind="fixed",
                    value=Decimal("5.5"),
                    currency="EUR",
                    issued_at=dt.datetime.now(dt.UTC),
                    expires_at=future,
                )
            )
        add_order(session, anna, "1", discount_code="thanks-b")
        session.commit()
    assert main(["coupons", "match", "--json"]) == 0
    assert '"redemptions": 1' in capsys.readouterr().out
    out = tmp_path / "codes.csv"
    assert main(["coupons", "export", "--out", str(out), "--delimiter", ";", "--decimal", ","]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "code;type;value;currency;expires_at;customer_email"
    assert lines[1].startswith("THANKS-A;fixed;5,50;EUR;") and lines[1].endswith(
        ";anna@example.org"
    )
    assert len(lines) == 2  # THANKS-B was redeemed
    capsys.readouterr()
    assert main(["coupons", "push"]) == 1
    assert "ORDERFLOW_SHOPIFY_ADMIN_TOKEN" in capsys.readouterr().err
    assert main(["referrals", "settle", "--json"]) == 0
    assert '"rewarded": 0' in capsys.readouterr().out
