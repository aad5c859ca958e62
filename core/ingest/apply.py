"""Write a normalized :class:`~core.ingest.normal.OrderIn` into the same model as the importers.

Identity is the importers': an order by its number (Shopify's ``Name``), a customer by their
lower-cased email (``<platform>:<order number>`` without one), so imported history and live data
meet. Consent from the shop applies only when it is newer than what Orderflow recorded. Events go
through the shared order-state function :func:`core.orderstate.apply_event` (event key: order,
type and reference; a shipment's reference is the source's stable parcel reference, Shopify's
fulfillment id, never its tracking number, which may come later; a refund's its id).
Everything happens in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.ingest.normal import CustomerIn, OrderIn, ShipmentIn
from core.models import (
    ConsentEvent,
    Customer,
    DeliveryOption,
    Order,
    OrderLine,
    PickupLocation,
    Shipment,
)
from core.orderstate import apply_event
from core.timeutil import local_date, local_month

KEY_LIMIT = 64
SHIPMENT_STAGES = (
    ("shipped_at", "shipped"),
    ("ready_for_pickup_at", "ready_for_pickup"),
    ("out_for_delivery_at", "out_for_delivery"),
    ("delivered_at", "delivered"),
    ("picked_up_at", "picked_up"),
)


class UnknownOrder(LookupError):
    """A partial update (fulfillment, refund) for an order not received yet."""


class RefundTooLarge(ValueError):
    """An exact refund (event API) for more than is left to refund on the order."""


def customer_key(email: str | None, platform: str, number: str) -> str:
    key = email or f"{platform}:{number}"
    if len(key) > KEY_LIMIT:
        return "sha1:" + hashlib.sha1(key.encode("utf-8")).hexdigest()
    return key


def _find_order(session: Session, o: OrderIn) -> Order | None:
    found = session.scalar(select(Order).where(Order.external_id == o.number))
    if found is None and o.platform_id:
        found = session.scalar(select(Order).where(Order.platform_id == o.platform_id))
    return found


def apply_order(
    session: Session, o: OrderIn, platform: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Create or update the order of ``o``; a summary of what changed."""
    now = now or dt.datetime.now(dt.UTC)
    order = _find_order(session, o)
    if order is None and o.placed_at is None:
        raise UnknownOrder(f"order {o.number or o.platform_id} is not known yet")
    changes: dict[str, Any] = {"order": order.external_id if order else o.number, "events": []}
    stale = order is not None and _stale(order, o)
    customer = None
    if stale:  # an older state arriving late: its fields are not applied, its events are
        changes["stale"] = True
    elif o.customer:
        customer = _customer(session, o, platform, now, changes)
    if order is None:
        order = _new_order(session, o, customer or _anonymous(session, o, platform), now)
        changes["created"] = True
        session.flush()
        apply_event(session, order, "placed", order.placed_at, source=platform)
        changes["events"].append("placed")
    elif not stale:
        _update_order(session, order, o)
    _lifecycle(session, order, o, platform, changes)
    _discount_codes(session, order, o, platform, now, changes)
    return changes


def _discount_codes(
    session: Session,
    order: Order,
    o: OrderIn,
    platform: str,
    now: dt.datetime,
    changes: dict[str, Any],
) -> None:
    """Coupon redemptions and the referral use of the codes the order received."""
    from core import coupons, referral_program

    codes = o.discount_codes or ([(o.discount_code, None)] if o.discount_code else [])
    if not codes:
        return
    session.flush()
    uses = [coupons.DiscountUse(code, amount) for code, amount in codes]
    redeemed = coupons.record_order_codes(session, order, uses, source=platform)
    referral = referral_program.record_live_order(session, order, [c for c, _ in codes], now)
    if redeemed:
        changes["coupons_redeemed"] = [r.coupon_id for r in redeemed]
    if referral is not None:
        changes["referral"] = referral.status


def _stale(order: Order, o: OrderIn) -> bool:
    stored, incoming = order.source_updated_at, o.source_updated_at
    return stored is not None and incoming is not None and incoming < stored


def _anonymous(session: Session, o: OrderIn, platform: str) -> Customer:
    return _customer(session, OrderIn(o.number, customer=CustomerIn(None)), platform, None, {})


def _customer(
    session: Session, o: OrderIn, platform: str, now: dt.datetime | None, changes: dict[str, Any]
) -> Customer:
    data = o.customer or CustomerIn(None)
    key = customer_key(data.email, platform, o.number)
    from core import gdpr

    if gdpr.is_erased(session, email=data.email, external_id=key):  # never back (GDPR erase)
        key = gdpr.pseudonym(key)
        data = CustomerIn(None, locale=data.locale, country=data.country)
    customer = session.scalar(select(Customer).where(Customer.external_id == key))
    if customer is None and data.email:
        customer = session.scalars(
            select(Customer).where(Customer.email == data.email).order_by(Customer.id)
        ).first()
    if customer is None:
        customer = Customer(external_id=key, email=data.email, marketing_consent=False, tags=[])
        session.add(customer)
        changes["customer_created"] = True
    for name in ("first_name", "last_name", "locale", "country"):
        value = getattr(data, name)
        if value:
            setattr(customer, name, value)
    session.flush()
    _consent(session, customer, data, platform, now, changes)
    return customer


def _consent(
    session: Session,
    customer: Customer,
    data: CustomerIn,
    platform: str,
    now: dt.datetime | None,
    changes: dict[str, Any],
) -> None:
    """The shop's consent, only when newer than what is recorded here (an unsubscribe done in
    Orderflow is never undone by an older or undated state from the shop). A dated opt-in newer
    than an unsubscribe here is the customer subscribing again: it clears ``unsubscribed_at``
    (which dispatch checks before ``marketing_consent``) and is logged as a consent event."""
    if data.consent is None:
        return
    at = data.consent_at
    recorded = [t for t in (customer.consent_at, customer.unsubscribed_at) if t is not None]
    if at is None:
        if recorded or changes.get("customer_created") is not True:
            return
        at = now or dt.datetime.now(dt.UTC)
    if recorded and at <= max(recorded):
        changes["consent"] = "kept"
        return
    if customer.marketing_consent == data.consent and customer.consent_at is not None:
        return
    customer.marketing_consent = data.consent
    customer.consent_source = platform
    customer.consent_at = at
    if data.consent:
        customer.unsubscribed_at = None
    session.add(
        ConsentEvent(
            customer_id=customer.id,
            purpose="marketing",
            granted=data.consent,
            source=platform,
            detail="from the shop",
            at=at,
        )
    )
    changes["consent"] = "granted" if data.consent else "withdrawn"


def _new_order(session: Session, o: OrderIn, customer: Customer, now: dt.datetime) -> Order:
    assert o.placed_at is not None
    store = store_settings.load(session)
    tz, currency = store.tz, o.currency or store.currency
    order = Order(
        external_id=o.number,
        number=o.number,
        customer_id=customer.id,
        placed_at=o.placed_at,
        placed_date=local_date(o.placed_at, tz),
        placed_month=local_month(o.placed_at, tz),
        status="open",
        currency=currency,
        total=o.total if o.total is not None else Decimal("0"),
        discount_amount=Decimal("0"),
        shipping_amount=Decimal("0"),
        tax_amount=Decimal("0"),
        refunded_amount=Decimal("0"),
    )
    session.add(order)
    _update_order(session, order, o)
    return order


def _update_order(session: Session, order: Order, o: OrderIn) -> None:
    for name in (
        "subtotal",
        "discount_amount",
        "shipping_amount",
        "tax_amount",
        "discount_code",
        "channel",
        "shipping_country",
        "shipping_address",
        "shipping_postcode",
        "note",
    ):
        value = getattr(o, name)
        if value is not None:
            setattr(order, name, value)
    if o.total is not None:
        order.total = max(o.total, Decimal("0"))
    if o.platform_id:
        order.platform_id = o.platform_id
    if o.source_updated_at is not None:
        order.source_updated_at = o.source_updated_at
    _delivery(session, order, o)
    session.flush()
    if o.lines is not None and o.lines:
        _replace_lines(session, order, o)


def _delivery(session: Session, order: Order, o: OrderIn) -> None:
    if o.delivery_option:
        code = o.delivery_option
        option = session.scalar(
            select(DeliveryOption.code).where(
                or_(DeliveryOption.code == code, DeliveryOption.name == o.delivery_option)
            )
        )
        order.delivery_option = option or code
    if o.pickup_location:
        pickup = session.scalar(
            select(PickupLocation.id).where(
                or_(
                    PickupLocation.code == o.pickup_location[:32],
                    PickupLocation.name == o.pickup_location,
                )
            )
        )
        if pickup is not None:
            order.pickup_location_id = pickup


def _replace_lines(session: Session, order: Order, o: OrderIn) -> None:
    assert o.lines is not None
    for old in list(order.lines):
        session.delete(old)
    session.flush()
    for no, line in enumerate(o.lines, start=1):
        session.add(
            OrderLine(
                order_id=order.id,
                line_no=no,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
        )
    session.flush()


def _lifecycle(
    session: Session, order: Order, o: OrderIn, platform: str, changes: dict[str, Any]
) -> None:
    done: list[str] = changes["events"]

    def event(kind: str, at: dt.datetime, **options: Any) -> None:
        if apply_event(session, order, kind, at, source=platform, **options).created:
            done.append(kind)

    if o.paid_at is not None:
        event("paid", o.paid_at)
    if o.shipments:
        changes["shipments"] = len(o.shipments)
    for s in o.shipments:
        row = _shipment_row(session, order, s)
        payload = {"carrier": row.carrier, "tracking_url": row.tracking_url, "shipment": s.ref}
        for attr, kind in SHIPMENT_STAGES:
            at = getattr(s, attr)
            if at is not None:
                event(kind, at, ref=row.ref or s.ref, payload=payload)
    for refund in o.refunds:
        left = order.total - (order.refunded_amount or Decimal("0"))
        if refund.amount is not None and refund.amount <= 0:
            changes.setdefault("skipped", []).append(f"refund {refund.ref}: no money refunded")
            continue
        if refund.exact and refund.amount is not None and refund.amount > left:
            raise RefundTooLarge(
                f"the refund of {refund.amount} is larger than the {max(left, Decimal(0))} "
                f"left to refund on order {order.external_id}"
            )
        if left > 0:
            amount = min(refund.amount, left) if refund.amount is not None else None
            event("refunded", refund.at, ref=refund.ref, amount=amount)
    if o.fully_refunded_at is not None and order.refunded_at is None:
        event("refunded", o.fully_refunded_at)
    if o.cancelled_at is not None:
        event("cancelled", o.cancelled_at)
    session.flush()


def _shipment_row(session: Session, order: Order, s: ShipmentIn) -> Shipment:
    """The parcel of ``s`` (by the source's reference, else its tracking number), with its
    carrier and tracking filled in or updated in place (a fulfillment's tracking often comes
    in a later update); its moments are set by the order-state function."""
    row = next((x for x in order.shipments if x.ref == s.ref), None)
    if row is None and s.tracking_number:
        row = next((x for x in order.shipments if x.tracking_number == s.tracking_number), None)
    if row is None:
        row = Shipment(order=order)
        session.add(row)
    for name in ("carrier", "tracking_number", "tracking_url"):
        value = getattr(s, name)
        if value:
            setattr(row, name, value)
    row.ref = row.ref or s.ref
    session.flush()
    return row
