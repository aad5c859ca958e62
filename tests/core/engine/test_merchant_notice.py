"""A merchant notice names the shop's order number (never Orderflow's internal id) and is never
counted as a customer message: not in the funnel, the A/B variants or the Workflows table."""

from __future__ import annotations

import datetime as dt

from core.auth import Actor
from core.builder.overview import workflow_table
from core.engine import worker
from core.engine.schema import Step, Trigger, WorkflowDefinition
from core.metrics import workflows
from core.metrics.types import Period
from core.settings import load
from tests.core.engine.conftest import Shop


def test_a_notice_names_the_order_number_and_counts_nowhere(shop: Shop) -> None:
    anna = shop.customer("anna", locale="en")
    wf = shop.workflow(
        WorkflowDefinition(
            name="vip",
            triggers=[Trigger(type="order_placed")],
            steps=[
                Step(
                    id="tell",
                    type="notify_merchant",
                    params={"subject": "Check order {order}", "message": "Order {order} is big"},
                    next="mail",
                ),
                Step(id="mail", type="send_email", params={"template": "order_confirmation"}),
            ],
        )
    )
    order = shop.order(anna)
    worker.run_once(shop.engine, clock=shop.clock)
    [notice] = shop.messages(step_id="tell")
    assert notice.state == "sent" and notice.category == "notice"
    assert order.number and str(order.id) != order.number
    assert notice.subject == f"Check order {order.number}"
    assert f"Order {order.number} is big" in (notice.text or "")
    assert f"Order: {order.number}" in (notice.text or "")
    assert f"id: {order.id}" not in (notice.text or "")
    report = workflows.report(shop.engine, wf.id)
    assert report.funnel["sent"] == 1  # the customer's confirmation only
    assert set(report.steps["step_id"]) == {"mail"}
    day = shop.clock.now.date()
    with shop.session() as s:
        st = load(s)
        table = workflow_table(
            s, Actor.cli(), Period(day - dt.timedelta(days=1), day + dt.timedelta(days=1)), st
        )
    row = table.set_index("id").loc[wf.id]
    assert int(row["sent"]) == 1, row
