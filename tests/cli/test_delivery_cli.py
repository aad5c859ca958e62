"""`python -m core delivery quote --basket FILE [--at ISO] --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.cli import main
from core.models import DeliverySlot
from tests.core.delivery.conftest import option, product, store

BASKET = {
    "country": "DE",
    "postcode": "10115",
    "currency": "EUR",
    "lines": [{"sku": "MUG", "quantity": 2, "price": "12.50", "grams": 350}],
}


def _setup(engine: Engine) -> None:
    with Session(engine) as s:
        product(s, "MUG", grams=350)
        option(s, code="standard", price="4.90", lead_days_min=2, lead_days_max=4)
        option(s, code="express", kind="express", price="9.90", lead_days_min=1, lead_days_max=1)
        option(s, code="collect", kind="pickup", price="0")
        option(
            s, code="slot", kind="scheduled", price="6.90", time_slots="08:00-12:00, 14:00-18:00"
        )
        store(s)
        s.commit()


def _write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "basket.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_quote_json_cheapest_first(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(use_database)
    args = ["delivery", "quote", "--basket", _write(tmp_path, BASKET)]
    assert main([*args, "--at", "2026-05-22T18:30", "--json"]) == 0
    options = json.loads(capsys.readouterr().out)["options"]
    assert [o["code"] for o in options] == ["collect", "standard", "slot", "express"]
    assert [o["price"] for o in options] == ["0.00", "4.90", "6.90", "9.90"]
    for o in options:
        assert set(o) >= {"code", "name", "kind", "price", "currency", "promise", "slots"}
        assert o["currency"] == "EUR"
    express = options[-1]
    assert express["promise"] == {"earliest": "2026-05-27", "latest": "2026-05-27"}
    slot = options[2]["slots"][0]
    assert set(slot) == {"start", "end", "remaining"} and slot["remaining"] == 10
    assert options[0]["pickup"]["locations"][0]["ready_at"] == "2026-05-23T11:30:00+02:00"
    with Session(use_database) as s:  # the quote held nothing
        assert s.scalar(select(func.count()).select_from(DeliverySlot)) == 0
    assert main(args) == 0
    assert "express" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("basket", "message"),
    [
        ({**BASKET, "country": "Germany"}, "country: 'Germany' is not a country code"),
        ({**BASKET, "lines": []}, "lines: the basket has no lines"),
        ({**BASKET, "lines": [{"sku": "MUG", "quantity": 0, "price": "1"}]}, "lines[0].quantity"),
        ({**BASKET, "lines": [{"sku": "MUG", "quantity": 1, "price": "x"}]}, "lines[0].price"),
        ({**BASKET, "currency": "EURO"}, "currency"),
        ([1, 2], "The basket is not a JSON object"),
    ],
)
def test_bad_basket_exits_1_with_a_clear_message(
    use_database: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    basket: object,
    message: str,
) -> None:
    assert main(["delivery", "quote", "--basket", _write(tmp_path, basket), "--json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_unreadable_or_broken_file(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "b.json"
    broken.write_text("{nope", encoding="utf-8")
    assert main(["delivery", "quote", "--basket", str(broken)]) == 1
    assert "is not JSON (line 1" in capsys.readouterr().err
    assert main(["delivery", "quote", "--basket", str(tmp_path / "missing.json")]) == 1
    assert "Cannot read" in capsys.readouterr().err
    ok = _write(tmp_path, BASKET)
    assert main(["delivery", "quote", "--basket", ok, "--at", "yesterday"]) == 1
    assert "--at: not a date" in capsys.readouterr().err
