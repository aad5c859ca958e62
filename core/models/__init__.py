"""All tables of the domain. Import models from here."""

from core.models.admin import AuditEntry, Setting, User
from core.models.base import Base, utcnow
from core.models.customers import ConsentEvent, Coupon, Customer, ReferralCode
from core.models.messaging import (
    MESSAGE_STATES,
    SUPPRESSION_REASONS,
    Message,
    MessageTemplate,
    TemplateTranslation,
)
from core.models.orders import (
    EVENT_TYPES,
    ORDER_STATUSES,
    DeliveryOption,
    Order,
    OrderEvent,
    OrderLine,
    PickupLocation,
    Product,
    Review,
    Shipment,
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
    "ORDER_STATUSES",
    "SOURCE_KINDS",
    "SUPPRESSION_REASONS",
    "WEBHOOK_STATES",
    "WORKFLOW_STATUSES",
    "AuditEntry",
    "Base",
    "ConsentEvent",
    "Coupon",
    "Customer",
    "Delivery",
    "DeliveryOption",
    "Enrolment",
    "Message",
    "MessageTemplate",
    "Order",
    "OrderEvent",
    "OrderLine",
    "PickupLocation",
    "Product",
    "ReferralCode",
    "Review",
    "Setting",
    "Shipment",
    "Source",
    "StepRun",
    "TemplateTranslation",
    "TriggerMark",
    "User",
    "WebhookCall",
    "WebhookSecret",
    "Workflow",
    "WorkflowVersion",
    "utcnow",
]
