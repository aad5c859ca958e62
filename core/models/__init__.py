"""All tables of the domain. Import models from here."""

from core.models.admin import AuditEntry, Setting, User
from core.models.base import Base, utcnow
from core.models.customers import ConsentEvent, Coupon, Customer, ReferralCode
from core.models.facts import CustomerDay, CustomerFact
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
    "WORKFLOW_STATUSES",
    "AuditEntry",
    "Base",
    "ConsentEvent",
    "Coupon",
    "Customer",
    "CustomerDay",
    "CustomerFact",
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
    "Workflow",
    "WorkflowVersion",
    "utcnow",
]

# Registers the session listeners that keep the per-customer facts up to date on every write
# (imported last: it needs the models above).
import core.facts  # noqa: F401
