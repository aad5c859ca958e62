"""Backtest over the history (vectorised) against a hand count, and the run log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.engine import backtest, runlog, worker
from core.engine.holdout import is_holdout
from core.engine.schema import SplitPath, Step, Trigger, WorkflowDefinition, all_of, rule
from tests.core.engine.conftest import CLI, Shop


def _definition() -> WorkflowDefinition:
    return WorkflowDefinition(
        name="review",
        triggers=[Trigger(type="delivered")],
        holdout_pct=20,
        entry=all_of(rule("order.total", "ge", 50), rule("order.country", "in", ["DE", "AT"])),
        steps=[
            Step(
                id="b",
                type="branch",
                condition=rule("order.total", "ge", 100),
                next="c",
                alt_next="mail",
            ),
            Step(id="c", type="issue_coupon", params={"kind": "fixed", "value": 5}, next="mail"),
            Step(id="mail", type="send_email", params={"template": "review_request"}, next="s"),
            Step(
                id="s",
                type="split",
                paths=[SplitPath(name="A", next=None), SplitPath(name="B", next=None)],
            ),
        ],
    )


def test_backtest_matches_a_hand_count(shop: Shop) -> None:
    now = shop.clock.now
    people = [
        shop.customer(f"p{i}", consent=i % 3 != 0, country="DE" if i % 2 else "AT")
        for i in range(24)
    ]
    expected, big = [], 0
    for i, c in enumerate(people):
        total = str(30 + 10 * i)
        country = "FR" if i % 5 == 0 else None
        at = now - dt.timedelta(days=10 + 12 * i)
        order = shop.order(c, at=at, total=total, country=country)
        shop.event(order, "delivered", at + dt.timedelta(days=2))
        if Decimal(total) >= 50 and (country or c.country) in ("DE", "AT") and i * 12 + 8 < 365:
            expected.append((order, c))
            big += Decimal(total) >= 100
    with shop.session() as s:
        report = backtest.backtest(s, _definition(), days=365, now=now, workflow_id=7)
    assert report.enrolled == len(expected) and report.triggered == 24
    assert int(report.by_week["enrolments"].sum()) == report.enrolled
    branches = {(r.step_id, r.path): r.count for r in report.branches.itertuples()}
    assert branches[("b", "yes")] == big
    assert branches[("b", "no")] == len(expected) - big
    assert branches[("s", "A")] + branches[("s", "B")] == len(expected)
    held = {c.id for _, c in expected if is_holdout(7, c.id, 20)}
    assert report.holdout == len(held)
    mail = report.messages.set_index("step_id").loc["mail"]
    consenting = [c for _, c in expected if c.id not in held and c.marketing_consent]
    assert int(mail["projected"]) == len(consenting)
    assert report.projected_issued_value == Decimal(5) * len(
        [1 for o, c in expected if o.total >= 100 and c.id not in held]
    )
    assert report.summary()["enrolled"] == report.enrolled
    with shop.session() as s:
        empty = backtest.backtest(s, _definition(), days=30, now=now - dt.timedelta(days=3000))
    assert (empty.enrolled, empty.triggered, int(empty.messages["projected"].sum())) == (0, 0, 0)


def test_run_log_for_customer_and_order(shop: Shop) -> None:
    anna = shop.customer("anna", consent=False)
    shop.workflow(
        WorkflowDefinition(
            name="ask",
            triggers=[Trigger(type="order_placed")],
            steps=[
                Step(id="w", type="wait", params={"hours": 1}, next="mail"),
                Step(id="mail", type="send_email", params={"template": "review_request"}),
            ],
        )
    )
    order = shop.order(anna)
    worker.run_once(shop.engine, clock=shop.clock)
    shop.clock.advance(hours=2)
    worker.run_once(shop.engine, clock=shop.clock)
    with shop.session() as s:
        by_customer = runlog.run_log(s, customer_id=runlog.find_customer(s, "ANNA@example.com").id)
        by_order = runlog.run_log(s, order_id=runlog.find_order(s, order.external_id).id)
    assert by_customer["kind"].iloc[0] == "entered"
    assert "message review_request" in set(by_customer["kind"])
    row = by_customer[by_customer["kind"] == "message review_request"].iloc[0]
    assert (row["outcome"], row["detail"]) == ("suppressed", "no_consent")
    assert {"waiting", "done"} <= set(by_customer["outcome"])
    assert by_order.equals(by_customer)


def test_sql_entry_matches_pandas_entry(shop: Shop) -> None:
    from core import settings as store_settings
    from core.engine.schema import any_of, none_of

    now = shop.clock.now
    with shop.session() as s:
        store_settings.update_settings(s, CLI, {"rate.PLN": "0.25"})
        s.commit()
    for i in range(30):
        c = shop.customer(
            f"q{i}",
            consent=i % 2 == 0,
            country=["DE", "AT", "FR"][i % 3],
            locale=["de", "en", ""][i % 3],
        )
        order = shop.order(
            c,
            at=now - dt.timedelta(days=3 * i, hours=i),
            total=str(20 + 7 * i),
            currency="PLN" if i % 4 == 0 else "EUR",
            country=None if i % 5 else "NL",
            channel=[None, "web", "App"][i % 3],
            discount_code=["", None, "SUMMER25"][i % 3],
        )
        shop.event(order, "delivered", now - dt.timedelta(days=3 * i - 1))
    entry = all_of(
        any_of(rule("order.total", "between", [40, 150]), rule("order.currency", "eq", "PLN")),
        rule("order.country", "not_in", ["FR"]),
        none_of(rule("order.channel", "eq", "web")),
        rule("order.discount_code", "ne", "summer25"),
        rule("customer.marketing_consent", "eq", True),
        rule("order.placed_at", "within_last_days", 60),
        rule("customer.locale", "is_empty"),
    )
    d = WorkflowDefinition(
        name="sql",
        triggers=[Trigger(type="delivered")],
        entry=entry,
        steps=[Step(id="t", type="add_tag", params={"tag": "x"})],
    )
    since = now - dt.timedelta(days=365)
    sizes = []
    with shop.session() as s:
        st = store_settings.load(s)
        for variant in (
            entry,
            entry.items[0],
            entry.items[1],
            entry.items[2],
            entry.items[3],
            entry.items[5],
            entry.items[6],
            rule("order.discount_code", "contains", "MMER"),
        ):
            d = d.model_copy(update={"entry": variant})
            by_sql, n_sql = backtest.entered(s, d, since, now, st, use_sql=True)
            by_pandas, n_pandas = backtest.entered(s, d, since, now, st, use_sql=False)
            assert sorted(by_sql["order_id"]) == sorted(by_pandas["order_id"]), variant
            assert n_sql == n_pandas == 29  # one delivery lies after now
            sizes.append(len(by_sql))
    assert len(set(sizes)) >= 4 and max(sizes) < 29  # the rules discriminate
