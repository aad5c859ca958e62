"""Build a template context (see :mod:`core.messaging.catalogue`) from a customer and an order.

Only plain values reach templates: :class:`~core.messaging.values.Record`, money and date values,
text, numbers. URLs taken from data (tracking pages, product images) are kept only when they are
``http``/``https``. Signed links: review ``/review/{token}`` (purpose ``review``, payload
``{"o": order_id, "c": customer_id}``, ``?rating=N`` for star links), referral ``/ref/{code}``,
unsubscribe ``/u/{token}`` (see :mod:`core.messaging.unsubscribe`), the preference centre
``/p/{token}`` (see :mod:`core.preferences`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_percent
from sqlalchemy.orm import Session

from core import security
from core.delivery.links import blocked, delivery_url
from core.messaging import testlinks
from core.messaging.sources import ContextSource, SessionSource
from core.messaging.unsubscribe import make_token
from core.messaging.values import DateValue, MoneyValue, Record, babel_locale, date_window
from core.models import Customer, Order, PickupLocation
from core.preferences import preferences_url
from core.settings import StoreSettings
from core.timeutil import zone

REVIEW_PURPOSE = "review"


@dataclass(frozen=True)
class Formatting:
    locale: str
    tz: ZoneInfo

    def money(self, amount: Decimal | None, currency: str | None) -> MoneyValue | None:
        if amount is None or not currency:
            return None
        return MoneyValue(Decimal(amount), currency, self.locale)

    def date(self, moment: Any) -> DateValue | None:
        return None if moment is None else DateValue(moment, self.tz, self.locale)


def safe_url(value: str | None) -> str | None:
    """Keep only http(s) URLs from data (no ``javascript:`` links in a message)."""
    if not value:
        return None
    text = value.strip()
    return text if text.lower().startswith(("https://", "http://")) and '"' not in text else None


def review_url(settings: StoreSettings, order_id: int, customer_id: int) -> str:
    token = security.sign(REVIEW_PURPOSE, {"o": order_id, "c": customer_id})
    return f"{settings.public_base_url.rstrip('/')}/review/{token}"


def customer_record(
    session: Session, customer: Customer, source: ContextSource | None = None
) -> Record:
    count = (source or SessionSource(session)).order_count(customer.id)
    full = " ".join(p for p in (customer.first_name, customer.last_name) if p)
    return Record(
        first_name=customer.first_name,
        last_name=customer.last_name,
        full_name=full or None,
        email=customer.email,
        country=customer.country,
        order_count=count,
    )


def order_record(
    session: Session, order: Order, fmt: Formatting, source: ContextSource | None = None
) -> Record:
    skus = [line.sku for line in order.lines if line.sku]
    products = (source or SessionSource(session)).products(skus) if skus else {}
    items = []
    for line in order.lines:
        product = products.get(line.sku or "")
        items.append(
            Record(
                name=line.name,
                sku=line.sku,
                quantity=line.quantity,
                unit_price=fmt.money(line.unit_price, order.currency),
                total=fmt.money(line.unit_price * line.quantity, order.currency),
                image_url=safe_url(product.image_url) if product else None,
                category=product.category if product else None,
            )
        )
    subtotal = order.subtotal
    if subtotal is None:
        subtotal = sum((line.unit_price * line.quantity for line in order.lines), Decimal(0))
    return Record(
        number=order.number or order.external_id,
        date=fmt.date(order.placed_at),
        status=order.status,
        currency=order.currency,
        items=items,
        item_count=sum(line.quantity for line in order.lines),
        subtotal=fmt.money(subtotal, order.currency),
        discount=fmt.money(order.discount_amount, order.currency),
        discount_code=order.discount_code,
        shipping=fmt.money(order.shipping_amount, order.currency),
        tax=fmt.money(order.tax_amount, order.currency),
        total=fmt.money(order.total, order.currency),
        refunded=fmt.money(order.refunded_amount or Decimal(0), order.currency),
        cancelled_on=fmt.date(order.cancelled_at),
    )


def delivery_record(
    session: Session, order: Order | None, fmt: Formatting, source: ContextSource | None = None
) -> Record:
    if order is None:
        return Record()
    data = source or SessionSource(session)
    option = data.delivery_option(order.delivery_option) if order.delivery_option else None
    shipment = max(order.shipments, key=lambda s: s.id) if order.shipments else None
    pickup = data.pickup(order.pickup_location_id) if order.pickup_location_id else None
    start, end = fmt.date(order.promised_delivery_start), fmt.date(order.promised_delivery_at)
    kind = option.kind if option else ("pickup" if pickup else None)
    return Record(
        option=option.name
        if option
        else (order.delivery_option or "").replace("_", " ").title() or None,
        option_code=order.delivery_option,
        kind=kind,
        is_pickup=kind == "pickup",
        promised_start=start,
        promised_by=end,
        promised_window=date_window(start, end) or None,
        carrier=shipment.carrier if shipment else None,
        tracking_number=shipment.tracking_number if shipment else None,
        tracking_url=safe_url(shipment.tracking_url) if shipment else None,
        shipped_at=fmt.date(shipment.shipped_at) if shipment else None,
        delivered_at=fmt.date(shipment.delivered_at) if shipment else None,
        ready_at=fmt.date(shipment.ready_for_pickup_at) if shipment else None,
        pickup=_pickup_record(pickup),
    )


def _pickup_record(pickup: PickupLocation | None) -> Record:
    if pickup is None:
        return Record()
    line = ", ".join(
        p for p in (pickup.address, f"{pickup.postcode or ''} {pickup.city}".strip()) if p
    )
    return Record(
        name=pickup.name,
        address=pickup.address,
        postcode=pickup.postcode,
        city=pickup.city,
        country=pickup.country,
        full_address=line,
        opening_hours=pickup.opening_hours,
    )


def coupon_record(
    session: Session, code: str | None, fmt: Formatting, source: ContextSource | None = None
) -> Record:
    if not code:
        return Record()
    coupon = (source or SessionSource(session)).coupon(code)
    if coupon is None:
        return Record(code=code)
    value: str | MoneyValue | None
    if coupon.kind == "percent":
        value = format_percent(coupon.value / 100, locale=fmt.locale)
    else:
        value = fmt.money(coupon.value, coupon.currency)
    return Record(code=coupon.code, value=value, expires=fmt.date(coupon.expires_at))


def referral_record(
    session: Session,
    settings: StoreSettings,
    customer_id: int,
    code: str | None,
    fmt: Formatting,
    source: ContextSource | None = None,
) -> Record:
    referral = (source or SessionSource(session)).referral(customer_id, code)
    found = referral.code if referral else code
    if not found:
        return Record()
    url = f"{settings.public_base_url.rstrip('/')}/ref/{found}"
    reward = fmt.money(referral.reward_value, referral.reward_currency) if referral else None
    return Record(code=found, url=url, reward=reward)


def delivery_link(
    session: Session,
    settings: StoreSettings,
    order: Order | None,
    source: ContextSource | None = None,
) -> str | None:
    """The customer's delivery self-service link while the order still allows a change."""
    if order is None or order.id is None:
        return None
    data = source or SessionSource(session)
    reason = blocked(
        session,
        order,
        dt.datetime.now(dt.UTC),
        reported=partial(data.delivery_failed_reported, order.id),
        config=data.delivery_settings,
    )
    return None if reason else delivery_url(settings.public_base_url, order.id, order.customer_id)


def links_record(
    settings: StoreSettings,
    customer_id: int,
    order_id: int | None,
    message_id: int,
    referral: Record,
    delivery: str | None = None,
) -> Record:
    base = settings.public_base_url.rstrip("/")
    unsubscribe = f"{base}/u/{make_token(message_id, customer_id)}"
    review = review_url(settings, order_id, customer_id) if order_id else None
    stars = (
        [Record(rating=n, url=f"{review}?rating={n}") for n in range(5, 0, -1)] if review else []
    )
    return Record(
        review=review,
        review_stars=stars,
        referral=referral.url if "url" in referral else None,
        delivery=delivery,
        unsubscribe=unsubscribe,
        preferences=preferences_url(settings, customer_id),
    )


def build_context(
    session: Session,
    settings: StoreSettings,
    customer: Customer,
    order: Order | None,
    locale: str,
    extra: Mapping[str, object] | None = None,
    roots: frozenset[str] | None = None,
    source: ContextSource | None = None,
) -> dict[str, Any]:
    """The context for one message. ``extra`` may carry ``coupon_code``, ``referral_code``,
    ``message_id`` (for the unsubscribe link) and ``test_links`` (a test send's links). With
    ``roots``, only ``coupon``, ``referral`` and ``recommendations`` that the template uses are
    queried. ``source``
    answers the lookups (default: one query each, see :mod:`core.messaging.sources`)."""
    extra = extra or {}
    data = source or SessionSource(session)
    fmt = Formatting(babel_locale(locale), zone(customer.time_zone or settings.timezone))
    wanted = (
        roots
        if roots is not None
        else frozenset(("coupon", "referral", "recommendations", "links"))
    )
    referral = (
        referral_record(
            session, settings, customer.id, _text(extra.get("referral_code")), fmt, data
        )
        if wanted & {"referral", "links"}
        else Record()
    )
    message_id = extra.get("message_id")
    links = links_record(
        settings,
        customer.id,
        order.id if order else None,
        int(message_id) if isinstance(message_id, int) else 0,
        referral,
        delivery_link(session, settings, order, data) if "links" in wanted else None,
    )
    if extra.get("test_links"):  # a test send: links that change nothing (core.messaging.testlinks)
        links = testlinks.links_for_test_email(settings, locale, links)
        referral = testlinks.referral_for_test_email(settings, locale, referral)
    recs = [
        Record(
            name=r.name,
            sku=r.sku,
            image_url=safe_url(r.image_url),
            price=fmt.money(r.price, r.currency),
            category=r.category,
        )
        for r in (data.recommendations(customer.id) if "recommendations" in wanted else [])
    ]
    return {
        "locale": fmt.locale,
        "store": Record(name=settings.name, email=settings.sender_email),
        "customer": customer_record(session, customer, data),
        "order": order_record(session, order, fmt, data) if order else Record(),
        "delivery": delivery_record(session, order, fmt, data),
        "links": links,
        "coupon": coupon_record(session, _text(extra.get("coupon_code")), fmt, data)
        if "coupon" in wanted
        else Record(),
        "referral": referral,
        "recommendations": recs,
    }


def _text(value: object) -> str | None:
    return str(value) if value else None
