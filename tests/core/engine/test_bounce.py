"""A permanent SMTP refusal (5xx) marks the address bounced: the next message to it is
suppressed with reason ``bounced`` and never reaches the server."""

from __future__ import annotations

from core.engine import worker
from core.engine.dispatch import smtp_to
from core.engine.schema import Step, Trigger, WorkflowDefinition
from core.models import Customer
from tests.core.engine.conftest import Shop


def _mail(template: str) -> WorkflowDefinition:
    return WorkflowDefinition(
        name=f"mail {template}",
        triggers=[Trigger(type="order_placed")],
        steps=[Step(id="mail", type="send_email", params={"template": template})],
    )


def test_5xx_bounces_the_address(shop: Shop, smtp_server_factory) -> None:  # type: ignore[no-untyped-def]
    server = smtp_server_factory(["550 5.1.1 No such user here"])
    anna = shop.customer("anna", consent=False)
    shop.workflow(_mail("order_confirmation"))
    shop.order(anna)
    worker.run_once(shop.engine, clock=shop.clock, smtp=smtp_to("127.0.0.1", server.port))
    with shop.session() as s:
        customer = s.get(Customer, anna.id)
        assert customer is not None and customer.bounced_at == shop.clock.now
    shop.order(anna)
    worker.run_once(shop.engine, clock=shop.clock, smtp=smtp_to("127.0.0.1", server.port))
    states = sorted((m.state, m.suppression_reason or "") for m in shop.messages())
    assert states == [("failed", ""), ("suppressed", "bounced")]
    assert server.attempts == 1 and server.messages == []


def test_4xx_does_not_bounce(shop: Shop, smtp_server_factory) -> None:  # type: ignore[no-untyped-def]
    server = smtp_server_factory(["451 4.3.0 Try again later"])
    anna = shop.customer("anna", consent=False)
    shop.workflow(_mail("order_confirmation"))
    shop.order(anna)
    worker.run_once(shop.engine, clock=shop.clock, smtp=smtp_to("127.0.0.1", server.port))
    with shop.session() as s:
        customer = s.get(Customer, anna.id)
        assert customer is not None and customer.bounced_at is None
