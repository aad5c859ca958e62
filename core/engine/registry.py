"""Everything a workflow can use, self-described for the builder: triggers, condition fields,
operators, step types and actions, each with a label, a kind and its allowed values.

Kinds of values: ``number``, ``money`` (an amount in the store currency), ``text``, ``choice``
(one of ``choices_source``), ``multi`` (a list field, or several of ``choices_source``), ``date``
(ISO date), ``bool``, ``days``, ``time`` (``HH:MM``), ``weekdays``, ``url``, ``condition``.
``choices_source`` names a list the UI fills with :func:`choice_values`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import EVENT_TYPES, ORDER_STATUSES

KINDS = ("number", "money", "text", "choice", "multi", "date", "bool", "days")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RFM_SEGMENTS = ("champions", "loyal", "potential", "new", "at_risk", "hibernating", "lost")


@dataclass(frozen=True)
class ParamSpec:
    key: str
    label: str
    kind: str
    required: bool = False
    default: Any = None
    choices_source: str | None = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""


@dataclass(frozen=True)
class TriggerSpec:
    label: str
    kind: str  # event | sequence | time
    event: str | None
    description: str
    params: tuple[ParamSpec, ...] = ()


@dataclass(frozen=True)
class OperatorSpec:
    label: str
    value: str  # one | list | pair | none | days


@dataclass(frozen=True)
class FieldSpec:
    label: str
    kind: str
    group: str  # order | customer | event
    operators: tuple[str, ...]
    choices_source: str | None = None
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class StepSpec:
    label: str
    category: str  # wait | flow | action
    description: str
    params: tuple[ParamSpec, ...] = ()
    outputs: tuple[str, ...] = ("next",)
    output_labels: dict[str, str] = field(default_factory=dict)


def _event(label: str, event: str, description: str) -> TriggerSpec:
    return TriggerSpec(label, "event", event, description)


TRIGGERS: dict[str, TriggerSpec] = {
    "order_placed": _event("Order placed", "placed", "When an order is placed."),
    "order_paid": _event("Order paid", "paid", "When an order is paid."),
    "shipped": _event("Shipped", "shipped", "When an order is shipped."),
    "out_for_delivery": _event(
        "Out for delivery", "out_for_delivery", "When the carrier is out for delivery."
    ),
    "delivered": _event("Delivered", "delivered", "When an order is delivered."),
    "ready_for_pickup": _event(
        "Ready for pickup", "ready_for_pickup", "When a click-and-collect order is ready."
    ),
    "picked_up": _event("Picked up", "picked_up", "When a pickup order is collected."),
    "cancelled": _event("Cancelled", "cancelled", "When an order is cancelled."),
    "refunded": _event("Refunded", "refunded", "When an order is refunded."),
    "review_submitted": _event("Review submitted", "review_submitted", "When a review arrives."),
    "delivery_failed": _event(
        "Delivery failed", "delivery_failed", "When the carrier could not deliver."
    ),
    "slot_booked": _event(
        "Delivery slot booked", "slot_booked", "When a customer picks or changes a time slot."
    ),
    "switched_to_pickup": _event(
        "Switched to click-and-collect",
        "switched_to_pickup",
        "When a customer switches an order to pickup at a store.",
    ),
    "delivery_rescheduled": _event(
        "Delivery rescheduled",
        "delivery_rescheduled",
        "When a customer books a new slot after a failed delivery.",
    ),
    "first_order": TriggerSpec(
        "First order", "sequence", "placed", "When a customer places their first order."
    ),
    "nth_order": TriggerSpec(
        "Nth order",
        "sequence",
        "placed",
        "When a customer places their Nth order.",
        (ParamSpec("n", "Order number N", "number", True, 2, minimum=2, maximum=1000),),
    ),
    "no_order_for_days": TriggerSpec(
        "No order for N days (win-back)",
        "time",
        None,
        "When N days have passed since a customer's last order, once per last order.",
        (ParamSpec("days", "Days without an order", "days", True, 90, minimum=1, maximum=3650),),
    ),
    "delivery_promise_missed": TriggerSpec(
        "Delivery promise missed",
        "time",
        None,
        "When an order is not delivered or picked up by its promised time, once per order.",
        (ParamSpec("grace_hours", "Grace period (hours)", "number", False, 0, minimum=0),),
    ),
}

OPERATORS: dict[str, OperatorSpec] = {
    "eq": OperatorSpec("=", "one"),
    "ne": OperatorSpec("≠", "one"),
    "lt": OperatorSpec("<", "one"),
    "le": OperatorSpec("≤", "one"),
    "gt": OperatorSpec(">", "one"),
    "ge": OperatorSpec("≥", "one"),
    "between": OperatorSpec("between", "pair"),
    "in": OperatorSpec("is one of", "list"),
    "not_in": OperatorSpec("is none of", "list"),
    "contains": OperatorSpec("contains", "one"),
    "is_empty": OperatorSpec("is empty", "none"),
    "within_last_days": OperatorSpec("within the last N days", "days"),
}

NUMBER_OPS = ("eq", "ne", "lt", "le", "gt", "ge", "between", "is_empty")
TEXT_OPS = ("eq", "ne", "contains", "in", "not_in", "is_empty")
CHOICE_OPS = ("eq", "ne", "in", "not_in", "is_empty")
MULTI_OPS = ("contains", "in", "not_in", "is_empty")
DATE_OPS = ("lt", "le", "gt", "ge", "between", "within_last_days", "is_empty")
BOOL_OPS = ("eq",)
OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "number": NUMBER_OPS,
    "money": NUMBER_OPS,
    "days": NUMBER_OPS,
    "text": TEXT_OPS,
    "choice": CHOICE_OPS,
    "multi": MULTI_OPS,
    "date": DATE_OPS,
    "bool": BOOL_OPS,
}


def _f(label: str, kind: str, group: str, source: str | None = None, help: str = "") -> FieldSpec:
    return FieldSpec(label, kind, group, OPS_BY_KIND[kind], source, (), help)


FIELDS: dict[str, FieldSpec] = {
    "order.total": _f("Order total", "money", "order", help="In the store currency."),
    "order.subtotal": _f("Order subtotal", "money", "order", help="In the store currency."),
    "order.currency": _f("Order currency", "choice", "order", "currencies"),
    "order.country": _f("Shipping country", "choice", "order", "countries"),
    "order.channel": _f("Sales channel", "choice", "order", "channels"),
    "order.delivery_option": _f("Delivery option", "choice", "order", "delivery_options"),
    "order.status": _f("Order status", "choice", "order", "order_statuses"),
    "order.skus": _f("Item SKUs", "multi", "order", "products"),
    "order.item_names": _f("Item names", "multi", "order"),
    "order.categories": _f("Item categories", "multi", "order", "categories"),
    "order.item_count": _f("Number of items", "number", "order"),
    "order.discount_code": _f("Discount code", "text", "order"),
    "order.sequence": _f("Customer's order number (1 = first)", "number", "order"),
    "order.placed_at": _f("Order date", "date", "order"),
    "order.promised_delivery_at": _f("Promised delivery", "date", "order"),
    "order.delivered_at": _f("Delivered", "date", "order"),
    "order.delivery_delay_days": _f(
        "Days delivered after the promise", "days", "order", help="Negative when early."
    ),
    "order.delivered_on_time": _f("Delivered on time", "bool", "order"),
    "order.refunded": _f("Order refunded", "bool", "order"),
    "order.cancelled": _f("Order cancelled", "bool", "order"),
    "customer.order_count": _f("Customer's number of orders", "number", "customer"),
    "customer.total_spent": _f("Customer's total spent", "money", "customer"),
    "customer.first_order_at": _f("Customer's first order", "date", "customer"),
    "customer.last_order_at": _f("Customer's last order", "date", "customer"),
    "customer.days_since_last_order": _f("Days since last order", "days", "customer"),
    "customer.orders_since_entry": _f(
        "Orders placed since entering the workflow", "number", "customer"
    ),
    "customer.tags": _f("Customer tags", "multi", "customer", "tags"),
    "customer.locale": _f("Customer language", "choice", "customer", "locales"),
    "customer.country": _f("Customer country", "choice", "customer", "countries"),
    "customer.marketing_consent": _f("Marketing consent", "bool", "customer"),
    "customer.rfm_segment": _f(
        "RFM segment",
        "choice",
        "customer",
        "rfm_segments",
        help="From recency and number of orders: see core.engine.context.rfm_segment.",
    ),
    "event.type": _f("Event type", "choice", "event", "event_types"),
    "event.occurred_at": _f("Event time", "date", "event"),
    "event.rating": _f("Review rating (1-5)", "number", "event"),
    "event.nps": _f("Review NPS (0-10)", "number", "event"),
}

_TEMPLATE = ParamSpec("template", "Template", "choice", True, choices_source="templates")
STEP_TYPES: dict[str, StepSpec] = {
    "wait": StepSpec(
        "Wait",
        "wait",
        "Wait a duration.",
        (
            ParamSpec("days", "Days", "number", False, 0, minimum=0),
            ParamSpec("hours", "Hours", "number", False, 0, minimum=0),
            ParamSpec("minutes", "Minutes", "number", False, 0, minimum=0),
        ),
    ),
    "wait_until": StepSpec(
        "Wait until a time of day",
        "wait",
        "Wait until a local time on an allowed weekday, in the customer's time zone.",
        (
            ParamSpec("time", "Time of day", "time", True, "10:00"),
            ParamSpec(
                "weekdays",
                "Allowed weekdays",
                "weekdays",
                False,
                list(WEEKDAYS)[:5],
                choices=WEEKDAYS,
            ),
        ),
    ),
    "wait_event": StepSpec(
        "Wait for an event",
        "wait",
        "Wait until an event happens for this order (or customer), or a timeout passes.",
        (
            ParamSpec("event", "Event", "choice", True, "delivered", choices_source="event_types"),
            ParamSpec(
                "scope", "Whose event", "choice", False, "order", choices=("order", "customer")
            ),
            ParamSpec("timeout_days", "Give up after (days)", "days", True, 14, minimum=0),
        ),
        ("next", "alt_next"),
        {"next": "event happened", "alt_next": "timed out"},
    ),
    "branch": StepSpec(
        "Branch",
        "flow",
        "Go one way if a condition holds, the other way if not.",
        (ParamSpec("condition", "Condition", "condition", True),),
        ("next", "alt_next"),
        {"next": "yes", "alt_next": "no"},
    ),
    "split": StepSpec(
        "Random split (A/B)",
        "flow",
        "Send each customer down one path at random, by weight (fixed per enrolment).",
        (),
        ("paths",),
    ),
    "send_email": StepSpec(
        "Send email", "action", "Send a template in the customer's language.", (_TEMPLATE,)
    ),
    "issue_coupon": StepSpec(
        "Issue a unique coupon",
        "action",
        "Create a one-customer coupon code (usable in the next email as {{ coupon.code }}).",
        (
            ParamSpec("prefix", "Code prefix", "text", False, "THANKS"),
            ParamSpec(
                "kind", "Discount kind", "choice", False, "percent", choices=("percent", "fixed")
            ),
            ParamSpec("value", "Value (% or amount)", "number", True, 10, minimum=0),
            ParamSpec(
                "amounts",
                "Fixed amount per currency",
                "text",
                False,
                "",
                help="e.g. PLN=45, SEK=110: a fixed coupon for an order in that currency is worth "
                "this there; other orders get the value above in the store currency.",
            ),
            ParamSpec("expiry_days", "Valid for (days)", "days", False, 30, minimum=1),
            ParamSpec(
                "budget_cap",
                "Budget cap (store currency)",
                "money",
                False,
                None,
                minimum=0,
                help="Stop issuing once the value of the coupons this workflow issued would "
                "pass it. Then the 'not issued' path is taken (or, without one, the next step: "
                "an email that shows the coupon is suppressed as coupon_unavailable).",
            ),
        ),
        ("next", "alt_next"),
        {"next": "issued", "alt_next": "not issued"},
    ),
    "add_tag": StepSpec(
        "Add a customer tag",
        "action",
        "Tag the customer.",
        (ParamSpec("tag", "Tag", "choice", True, choices_source="tags"),),
    ),
    "remove_tag": StepSpec(
        "Remove a customer tag",
        "action",
        "Untag the customer.",
        (ParamSpec("tag", "Tag", "choice", True, choices_source="tags"),),
    ),
    "create_referral": StepSpec(
        "Create a referral code",
        "action",
        "Give the customer a unique referral code ({{ referral.code }} in the next email).",
        (
            ParamSpec("prefix", "Code prefix", "text", False, "FRIEND"),
            ParamSpec("reward_value", "Reward", "money", False, 10, minimum=0),
        ),
    ),
    "webhook": StepSpec(
        "Call a webhook",
        "action",
        "POST the enrolment as JSON, signed with HMAC-SHA256 in X-Orderflow-Signature with "
        "the step's own secret (shown once; `workflow webhook-secret` rotates it).",
        (ParamSpec("url", "URL", "url", True),),
    ),
    "notify_merchant": StepSpec(
        "Notify the merchant",
        "action",
        "Email the store's sender address (mailbox when SMTP is off).",
        (
            ParamSpec("subject", "Subject", "text", True, "Orderflow: {workflow}"),
            ParamSpec(
                "message",
                "Message",
                "text",
                False,
                "",
                help="{workflow}, {order} and {customer} are replaced.",
            ),
        ),
    ),
}
ACTIONS: dict[str, StepSpec] = {k: v for k, v in STEP_TYPES.items() if v.category == "action"}

STATIC_CHOICES: dict[str, tuple[str, ...]] = {
    "event_types": EVENT_TYPES,
    "order_statuses": ORDER_STATUSES,
    "rfm_segments": RFM_SEGMENTS,
    "weekdays": WEEKDAYS,
    "locales": ("en", "de", "fr", "nl", "es", "it", "pl", "sv"),
}
CHOICE_SOURCES = (
    "countries",
    "delivery_options",
    "templates",
    "tags",
    "locales",
    "products",
    "categories",
    "currencies",
    "channels",
    "rfm_segments",
    "event_types",
    "order_statuses",
    "weekdays",
)


def choice_values(session: Session, source: str) -> list[str]:
    """The allowed values of a ``choices_source``, read from the store's data."""
    from core.models import Customer, DeliveryOption, MessageTemplate, Order, Product

    if source in STATIC_CHOICES:
        return list(STATIC_CHOICES[source])
    columns: dict[str, Any] = {
        "countries": Customer.country,
        "delivery_options": DeliveryOption.code,
        "templates": MessageTemplate.name,
        "products": Product.sku,
        "categories": Product.category,
        "currencies": Order.currency,
        "channels": Order.channel,
    }
    if source == "tags":
        tags: set[str] = set()
        for row in session.scalars(select(Customer.tags).where(Customer.tags.is_not(None))):
            tags.update(str(t) for t in row or [])
        return sorted(tags)
    if source not in columns:
        raise KeyError(source)
    col = columns[source]
    found = _distinct(session, col)
    if source == "countries":
        found |= _distinct(session, Order.shipping_country)
    if source == "delivery_options":
        found |= _distinct(session, Order.delivery_option)
    return sorted(found)


def _distinct(session: Session, column: Any) -> set[str]:
    return {str(v) for v in session.scalars(select(column).where(column.is_not(None)).distinct())}


def describe() -> dict[str, Any]:
    """The whole registry as plain data (for JSON, the CLI and the builder)."""
    from dataclasses import asdict

    return {
        "triggers": {k: asdict(v) for k, v in TRIGGERS.items()},
        "fields": {k: asdict(v) for k, v in FIELDS.items()},
        "operators": {k: asdict(v) for k, v in OPERATORS.items()},
        "step_types": {k: asdict(v) for k, v in STEP_TYPES.items()},
    }
