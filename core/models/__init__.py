"""All tables of the domain. Import models from here."""

from core.models.admin import AuditEntry, Erasure, LoginAttempt, Setting, User, UserSession
from core.models.base import Base, utcnow
from core.models.customers import (
    REDEMPTION_FLAGS,
    REFERRAL_STATUSES,
    REFUSAL_REASONS,
    ConsentEvent,
    Coupon,
    CouponRedemption,
    Customer,
    PreferenceChange,
    ReferralCode,
    ReferralUse,
)
from core.models.facts import CurrencyTotal, CustomerDay, CustomerFact, FactCount, RfmCell
from core.models.messaging import (
    MESSAGE_STATES,
    NOTICE_CATEGORY,
    SUPPRESSION_REASONS,
    Message,
    MessageTemplate,
    TemplateTranslation,
)
from core.models.orders import (
    EVENT_TYPES,
    ORDER_STATUSES,
    DeliveryOption,
    DeliverySlot,
    Order,
    OrderEvent,
    OrderLine,
    PickupLocation,
    Product,
    Review,
    Shipment,
    SlotReservation,
)
from core.models.sources import DELIVERY_STATUSES, SOURCE_KINDS, Delivery, Source
from core.models.webhooks import WEBHOOK_STATES, WebhookCall, WebhookSecret
from core.models.workflows import (
    WORKFLOW_STATUSES,
    Enrolment,
    StepRun,
    TriggerMark,
    Workflow,
    WorkflowVersion,
)

__all__ = [
    "DELIVERY_STATUSES",
    "EVENT_TYPES",
    "MESSAGE_STATES",
    "NOTICE_CATEGORY",
    "ORDER_STATUSES",
    "REDEMPTION_FLAGS",
    "REFERRAL_STATUSES",
    "REFUSAL_REASONS",
    "SOURCE_KINDS",
    "SUPPRESSION_REASONS",
    "WEBHOOK_STATES",
    "WORKFLOW_STATUSES",
    "AuditEntry",
    "Base",
    "ConsentEvent",
    "Coupon",
    "CouponRedemption",
    "CurrencyTotal",
    "Customer",
    "CustomerDay",
    "CustomerFact",
    "Delivery",
    "DeliveryOption",
    "DeliverySlot",
    "Enrolment",
    "Erasure",
    "FactCount",
    "LoginAttempt",
    "Message",
    "MessageTemplate",
    "Order",
    "OrderEvent",
    "OrderLine",
    "PickupLocation",
    "PreferenceChange",
    "Product",
    "ReferralCode",
    "ReferralUse",
    "Review",
    "RfmCell",
    "Setting",
    "Shipment",
    "SlotReservation",
    "Source",
    "StepRun",
    "TemplateTranslation",
    "TriggerMark",
    "User",
    "UserSession",
    "WebhookCall",
    "WebhookSecret",
    "Workflow",
    "WorkflowVersion",
    "utcnow",
]

# Registers the session listeners that keep the per-customer facts up to date on every write
# (imported last: it needs the models above).
import core.facts  # noqa: F401
