"""Delete exactly the demo rows, children before parents.

Children go first so that the foreign-key checks of the parent deletes find (nearly) empty child
tables, which keeps the clear fast on both engines even where a child column has no index.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import Session

from core.models import (
    ConsentEvent,
    Coupon,
    Customer,
    DeliveryOption,
    Enrolment,
    Message,
    Order,
    OrderEvent,
    OrderLine,
    PickupLocation,
    Product,
    ReferralCode,
    Review,
    Shipment,
    StepRun,
    TriggerMark,
    Workflow,
    WorkflowVersion,
)


def delete_demo_rows(session: Session) -> dict[str, int]:
    """Delete every demo row; rows removed per table."""
    customers = select(Customer.id).where(Customer.is_demo).scalar_subquery()
    orders = select(Order.id).where(Order.is_demo).scalar_subquery()
    workflows = select(Workflow.id).where(Workflow.is_demo).scalar_subquery()
    enrolments = (
        select(Enrolment.id)
        .where(
            or_(
                Enrolment.is_demo,
                Enrolment.customer_id.in_(customers),
                Enrolment.workflow_id.in_(workflows),
            )
        )
        .scalar_subquery()
    )
    steps: list[Any] = [
        delete(Message).where(
            or_(
                Message.is_demo,
                Message.customer_id.in_(customers),
                Message.enrolment_id.in_(enrolments),
            )
        ),
        delete(Coupon).where(or_(Coupon.is_demo, Coupon.customer_id.in_(customers))),
        update(Coupon).where(Coupon.redeemed_order_id.in_(orders)).values(redeemed_order_id=None),
        delete(StepRun).where(StepRun.enrolment_id.in_(enrolments)),
        delete(Enrolment).where(Enrolment.id.in_(enrolments)),
        delete(TriggerMark).where(TriggerMark.workflow_id.in_(workflows)),
        delete(WorkflowVersion).where(WorkflowVersion.workflow_id.in_(workflows)),
        update(ReferralCode)
        .where(ReferralCode.workflow_id.in_(workflows))
        .values(workflow_id=None),
        update(Message).where(Message.workflow_id.in_(workflows)).values(workflow_id=None),
        delete(Workflow).where(Workflow.is_demo),
        delete(Review).where(or_(Review.is_demo, Review.order_id.in_(orders))),
        delete(OrderEvent).where(OrderEvent.order_id.in_(orders)),
        delete(Shipment).where(Shipment.order_id.in_(orders)),
        delete(OrderLine).where(OrderLine.order_id.in_(orders)),
        update(Message).where(Message.order_id.in_(orders)).values(order_id=None),
        delete(Order).where(Order.is_demo),
        delete(ReferralCode).where(
            or_(ReferralCode.is_demo, ReferralCode.customer_id.in_(customers))
        ),
        delete(ConsentEvent).where(ConsentEvent.customer_id.in_(customers)),
        delete(Customer).where(Customer.is_demo),
        delete(Product).where(Product.is_demo),
        delete(DeliveryOption).where(DeliveryOption.is_demo),
        update(Order)
        .where(
            Order.pickup_location_id.in_(select(PickupLocation.id).where(PickupLocation.is_demo))
        )
        .values(pickup_location_id=None),
        delete(PickupLocation).where(PickupLocation.is_demo),
    ]
    removed: dict[str, int] = {}
    for statement in steps:
        result = session.execute(statement.execution_options(synchronize_session=False))
        if statement.is_delete:
            table = str(statement.table.name)
            count = int(cast(CursorResult[Any], result).rowcount or 0)
            removed[table] = removed.get(table, 0) + count
    return removed


def demo_counts(session: Session) -> dict[str, int]:
    """How many demo rows the main tables hold (what clearing would remove)."""

    def count(stmt: Any) -> int:
        return int(session.scalar(stmt) or 0)

    counts = {
        "orders": count(select(func.count(Order.id)).where(Order.is_demo)),
        "customers": count(select(func.count(Customer.id)).where(Customer.is_demo)),
        "workflows": count(select(func.count(Workflow.id)).where(Workflow.is_demo)),
        "reviews": count(select(func.count(Review.id)).where(Review.is_demo)),
    }
    counts["messages"] = int(
        session.scalar(
            select(func.count())
            .select_from(Message)
            .where(
                or_(
                    Message.is_demo,
                    Message.customer_id.in_(select(Customer.id).where(Customer.is_demo)),
                )
            )
        )
        or 0
    )
    return counts
