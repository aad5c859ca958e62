"""`python -m core kpis`: the hand-computed shop, a workflow report, and the real data set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.cli import main
from core.models import Enrolment, Message, Workflow
from tests.core.metrics.conftest import build, utc

KEYS = {
    "orders",
    "customers",
    "gross_revenue",
    "net_revenue",
    "aov",
    "purchase_frequency",
    "repeat_purchase_rate",
    "median_days_between_orders",
    "avg_rating",
    "csat",
    "nps",
    "review_count",
    "on_time_delivery_rate",
    "cohort_retention",
    "revenue_by_currency",
}


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    assert main(["kpis", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_all_data_and_a_period(use_database: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    build(use_database)
    data = _json(capsys, "--json")
    assert set(data) >= KEYS
    assert (data["orders"], data["customers"], data["currency"]) == (7, 4, "EUR")
    assert (data["gross_revenue"], data["net_revenue"], data["aov"]) == (400.0, 350.0, 57.14)
    assert data["repeat_purchase_rate"] == 0.5 and data["median_days_between_orders"] == 34.5
    assert (data["avg_rating"], data["csat"], data["nps"], data["review_count"]) == (
        3.5,
        50.0,
        0.0,
        4,
    )
    assert data["on_time_delivery_rate"] == 0.5
    assert data["cohort_retention"] == {"2024-01": [1.0, 0.5, 0.5], "2024-02": [1.0, 0.0]}
    assert data["revenue_by_currency"]["PLN"] == {
        "orders": 2,
        "amount": 600.0,
        "in_store_currency": 150.0,
    }
    feb = _json(capsys, "--since", "2024-02-01", "--until", "2024-02-29", "--json")
    assert (feb["orders"], feb["net_revenue"], feb["refunds"]) == (4, 100.0, 50.0)
    assert main(["kpis"]) == 0
    assert "repeat_purchase_rate" in capsys.readouterr().out


def test_bad_dates(use_database: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kpis", "--since", "2024-13-01"]) == 1
    assert "--since" in capsys.readouterr().err
    assert main(["kpis", "--since", "2024-03-01", "--until", "2024-02-01"]) == 1
    assert main(["kpis", "--workflow", "42", "--json"]) == 1
    assert "42" in capsys.readouterr().err


def test_workflow_report(use_database: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    shop = build(use_database)
    with Session(use_database) as s:
        wf = Workflow(name="Win back", draft={})
        s.add(wf)
        s.flush()
        for key, customer, holdout in (("a", "A", False), ("b", "B", True)):
            s.add(
                Enrolment(
                    dedupe_key=key,
                    workflow_id=wf.id,
                    version=1,
                    customer_id=shop.ids[customer],
                    trigger="placed",
                    trigger_at=utc(2024, 1, 1),
                    is_holdout=holdout,
                    entered_at=utc(2024, 1, 1),
                    variant=None,
                )
            )
        s.add(
            Message(
                idempotency_key="m",
                workflow_id=wf.id,
                customer_id=shop.ids["A"],
                step_id="mail",
                state="sent",
                due_at=utc(2024, 1, 8),
                queued_at=utc(2024, 1, 8),
                sent_at=utc(2024, 1, 8),
                variant="short",
            )
        )
        s.commit()
        wf_id = wf.id
    data = _json(capsys, "--workflow", str(wf_id), "--json", "--lift-window", "30")
    assert data["name"] == "Win back"
    assert data["funnel"]["enrolled"] == 2 and data["funnel"]["sent"] == 1
    assert (
        data["funnel"]["attributed_revenue"] == 100.0
    )  # order 1: its 10 EUR discount is inside the total
    assert data["steps"][0]["step_id"] == "mail" and data["branches"][0]["variant"] == "short"
    assert data["lift"]["treated"] == 1 and data["lift"]["control"] == 1


@pytest.mark.slow
def test_real_data_reproduces_readme_facts(
    use_database: Engine, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["settings", "set", "currency", "GBP"]) == 0
    mapping = "InvoiceNo=order_id,InvoiceDate=placed_at,CustomerID=customer_id,TotalPrice=total"
    file = str(shared_data / "online_retail_invoices.csv")
    assert main(["import", file, "--kind", "orders", "--map", mapping, "--currency", "GBP"]) == 0
    capsys.readouterr()
    data = _json(capsys, "--json")
    assert (data["customers"], data["orders"], data["currency"]) == (4338, 18532, "GBP")
    assert data["repeat_purchase_rate"] == pytest.approx(0.6558, abs=5e-5)
    assert data["aov"] == pytest.approx(480.87, abs=0.005)
    assert data["cohort_sizes"]["2010-12"] == 885
    assert data["cohort_retention"]["2010-12"][1] == pytest.approx(0.3661, abs=5e-5)
    assert list(data["revenue_by_currency"]) == ["GBP"]
