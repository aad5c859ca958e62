"""Ready workflows, each built on the message library's templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.engine.schema import (
    Rule,
    SplitPath,
    Step,
    Trigger,
    WorkflowDefinition,
    any_of,
    rule,
)
from core.errors import NotFound


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    build: Callable[[], WorkflowDefinition]


MARKETING_HOLDOUT_PCT = 10  # marketing presets keep 10% out so their impact can be measured


def still_active() -> Rule:
    """Leaves out cancelled and fully refunded orders (a partial refund of one item leaves
    the order ``delivered`` or ``fulfilled``, so its parcel emails still go): the entry filter
    and the "still true?" filter of the presets about an order, so a waiting enrolment exits
    before its next send once the order is cancelled or refunded."""
    return rule("order.status", "not_in", ["cancelled", "refunded"])


def _email(step_id: str, template: str, next_id: str | None = None) -> Step:
    return Step(id=step_id, type="send_email", params={"template": template}, next=next_id)


def order_confirmation() -> WorkflowDefinition:
    return WorkflowDefinition(
        name="Order confirmation",
        description="Confirm every order as soon as it is placed.",
        triggers=[Trigger(type="order_placed")],
        priority=10,
        entry=still_active(),
        still_true=still_active(),
        steps=[_email("confirm", "order_confirmation")],
    )


def shipping_update() -> WorkflowDefinition:
    return WorkflowDefinition(
        name="Shipping update",
        description="Tell customers when the parcel leaves and when it is out for delivery.",
        triggers=[Trigger(type="shipped"), Trigger(type="out_for_delivery")],
        priority=20,
        entry=still_active(),
        still_true=still_active(),
        allow_reentry=True,
        steps=[
            Step(
                id="which",
                type="branch",
                condition=rule("event.type", "eq", "shipped"),
                next="shipped",
                alt_next="out",
            ),
            _email("shipped", "shipped"),
            _email("out", "out_for_delivery"),
        ],
    )


def ready_for_pickup() -> WorkflowDefinition:
    return WorkflowDefinition(
        name="Ready for pickup",
        description="Tell click-and-collect customers their order waits "
        "in the store, with its address and hours.",
        triggers=[Trigger(type="ready_for_pickup")],
        priority=20,
        entry=still_active(),
        still_true=still_active(),
        steps=[_email("ready", "ready_for_pickup")],
    )


def order_cancelled() -> WorkflowDefinition:
    return WorkflowDefinition(
        name="Order cancelled",
        description="Tell the customer their order is cancelled and nothing will be shipped.",
        triggers=[Trigger(type="cancelled")],
        priority=10,
        steps=[_email("cancelled", "order_cancelled")],
    )


def refund_issued() -> WorkflowDefinition:
    return WorkflowDefinition(
        name="Refund issued",
        description="Confirm each refund (partial or full) with the total refunded so far.",
        triggers=[Trigger(type="refunded")],
        priority=10,
        allow_reentry=True,
        steps=[_email("refund", "refund_issued")],
    )


def delivery_delay_apology() -> WorkflowDefinition:
    return WorkflowDefinition(
        name="Delivery delay apology",
        description="Apologise when an order misses its promised delivery time.",
        triggers=[Trigger(type="delivery_promise_missed", params={"grace_hours": 2})],
        priority=30,
        entry=still_active(),
        still_true=still_active(),
        steps=[_email("apology", "delivery_delayed")],
    )


def review_request() -> WorkflowDefinition:
    return WorkflowDefinition(
        name="Review request",
        holdout_pct=MARKETING_HOLDOUT_PCT,
        description="Ask for a review 7 days after delivery or pickup, "
        "remind once 5 days later if no review came.",
        triggers=[Trigger(type="delivered"), Trigger(type="picked_up")],
        priority=50,
        entry=still_active(),
        still_true=still_active(),
        exit=rule("order.refunded", "eq", True),
        steps=[
            Step(id="wait7", type="wait", params={"days": 7}, next="time"),
            Step(
                id="time",
                type="wait_until",
                params={"time": "10:00", "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat"]},
                next="ask",
            ),
            _email("ask", "review_request", "await"),
            Step(
                id="await",
                type="wait_event",
                params={"event": "review_submitted", "scope": "order", "timeout_days": 5},
                alt_next="remind",
            ),
            _email("remind", "review_reminder"),
        ],
    )


def referral_invitation() -> WorkflowDefinition:
    return WorkflowDefinition(
        name="Referral invitation",
        holdout_pct=MARKETING_HOLDOUT_PCT,
        description="Invite happy reviewers (4-5 stars) to refer friends with their own code.",
        triggers=[Trigger(type="review_submitted")],
        priority=60,
        entry=rule("event.rating", "ge", 4),
        steps=[
            Step(
                id="code",
                type="create_referral",
                params={"prefix": "FRIEND", "reward_value": 10},
                next="invite",
            ),
            _email("invite", "referral_invitation"),
        ],
    )


def second_order_thank_you() -> WorkflowDefinition:
    return WorkflowDefinition(
        name="Second order thank-you",
        holdout_pct=MARKETING_HOLDOUT_PCT,
        description="Thank customers for their second order with a unique coupon.",
        triggers=[Trigger(type="nth_order", params={"n": 2})],
        priority=40,
        entry=still_active(),
        still_true=still_active(),
        exit=any_of(rule("order.cancelled", "eq", True), rule("order.refunded", "eq", True)),
        steps=[
            Step(id="wait1", type="wait", params={"days": 1}, next="coupon"),
            Step(
                id="coupon",
                type="issue_coupon",
                params={"prefix": "THANKS", "kind": "percent", "value": 10, "expiry_days": 30},
                next="thanks",
            ),
            _email("thanks", "thank_you_coupon"),
        ],
    )


def win_back() -> WorkflowDefinition:
    return WorkflowDefinition(
        name="Win-back",
        holdout_pct=MARKETING_HOLDOUT_PCT,
        description="Bring back customers with no order for 90 days, with a "
        "coupon; half get it at once, half a week later.",
        triggers=[Trigger(type="no_order_for_days", params={"days": 90})],
        priority=70,
        exit=rule("customer.orders_since_entry", "gt", 0),
        steps=[
            Step(
                id="split",
                type="split",
                paths=[
                    SplitPath(name="now", weight=50, next="coupon"),
                    SplitPath(name="later", weight=50, next="wait7"),
                ],
            ),
            Step(id="wait7", type="wait", params={"days": 7}, next="coupon"),
            Step(
                id="coupon",
                type="issue_coupon",
                params={"prefix": "COMEBACK", "kind": "percent", "value": 15, "expiry_days": 21},
                next="send",
            ),
            _email("send", "win_back"),
        ],
    )


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("order_confirmation", "Confirm each order when it is placed.", order_confirmation),
        Preset("shipping_update", "Shipped and out-for-delivery notices.", shipping_update),
        Preset("ready_for_pickup", "Tell pickup customers their order is ready.", ready_for_pickup),
        Preset("order_cancelled", "Confirm a cancellation to the customer.", order_cancelled),
        Preset("refund_issued", "Confirm each refund to the customer.", refund_issued),
        Preset(
            "delivery_delay_apology",
            "Apologise when a delivery promise is missed.",
            delivery_delay_apology,
        ),
        Preset(
            "review_request",
            "Ask for a review 7 days after delivery, remind 5 days later.",
            review_request,
        ),
        Preset(
            "referral_invitation",
            "Invite 4-5 star reviewers to refer friends.",
            referral_invitation,
        ),
        Preset(
            "second_order_thank_you",
            "Thank second-time buyers with a coupon.",
            second_order_thank_you,
        ),
        Preset("win_back", "Win back customers silent for 90 days, with a coupon.", win_back),
    )
}


def preset(name: str) -> WorkflowDefinition:
    if name not in PRESETS:
        raise NotFound(f"No preset {name!r}.", hint=f"Presets: {', '.join(PRESETS)}.")
    return PRESETS[name].build()
