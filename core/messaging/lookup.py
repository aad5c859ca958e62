"""Find orders and customers to preview a template with (by order number or email)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.models import Customer, Order


@dataclass(frozen=True)
class OrderChoice:
    order_id: int
    customer_id: int
    label: str


def find_order(session: Session, ref: str) -> Order:
    """An order by external id, shop number or database id."""
    ref = ref.strip()
    order = session.scalar(select(Order).where(Order.external_id == ref))
    if order is None:
        order = session.scalars(select(Order).where(Order.number == ref).limit(1)).first()
    if order is None and ref.isdigit():
        order = session.get(Order, int(ref))
    if order is None:
        raise NotFound(f"No order {ref!r}.", hint="Use the order id or number as imported.")
    return order


def search_orders(session: Session, query: str, limit: int = 20) -> list[OrderChoice]:
    """Orders whose number/id or customer email contains ``query`` (most recent first)."""
    stmt = (
        select(
            Order.id,
            Order.customer_id,
            Order.external_id,
            Order.number,
            Order.placed_date,
            Customer.email,
            Customer.locale,
        )
        .join(Customer, Customer.id == Order.customer_id)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(limit)
    )
    text = query.strip().lower()
    if text:
        like = f"%{text}%"
        stmt = stmt.where(
            or_(
                func.lower(Customer.email).like(like),
                func.lower(Order.external_id).like(like),
                func.lower(func.coalesce(Order.number, "")).like(like),
            )
        )
    return [
        OrderChoice(
            oid, cid, f"{number or ext} · {email or 'no email'} · {locale or '?'} · {placed}"
        )
        for oid, cid, ext, number, placed, email, locale in session.execute(stmt)
    ]
