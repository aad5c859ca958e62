"""Render many messages with a handful of queries instead of about ten per message.

``render_batch(session, requests) -> list[RenderedMessage]`` renders each
:class:`RenderRequest` exactly as :func:`core.messaging.render.render_for` would, in order
(an error raises as there). :class:`BatchRenderer` is the same for callers that render one
message at a time but know the batch up front (the engine's runner): the customers, orders
with their lines and shipments, order counts, products, delivery options, pickup locations and
referral codes of every target are read on first need in ``IN (...)`` queries, each template
with its translations once, recommendations through
:class:`core.messaging.recommend.BatchRecommender`.

Rows that steps of the same batch add (a coupon or a referral code issued just before the
email) are seen through the session's ``transient_to_pending`` event; a rollback of the
session drops what was read, which is then read again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, selectinload

from core import settings as store_settings
from core.delivery import config as delivery_config
from core.delivery.config import DeliveryConfig
from core.errors import TemplateError
from core.messaging.recommend import BatchRecommender, Recommendation, chunks
from core.messaging.render import RenderedMessage, check_targets, render_translation
from core.messaging.stored import get_template, language
from core.models import (
    Coupon,
    Customer,
    DeliveryOption,
    MessageTemplate,
    Order,
    OrderEvent,
    PickupLocation,
    Product,
    ReferralCode,
    TemplateTranslation,
)
from core.settings import StoreSettings


@dataclass(frozen=True)
class RenderRequest:
    template_name: str
    customer_id: int
    order_id: int | None
    locale: str | None = None
    extra: Mapping[str, object] | None = None


class BatchSource:
    """A :class:`core.messaging.sources.ContextSource` for a known set of customers and
    orders; anything outside the set is read when asked for."""

    def __init__(self, session: Session, customer_ids: Iterable[int], order_ids: Iterable[int]):
        self.session = session
        self._want_customers = set(customer_ids)
        self._want_orders = set(order_ids)
        self._reset()
        event.listen(session, "transient_to_pending", self._added)
        event.listen(session, "after_soft_rollback", self._rolled_back)

    def close(self) -> None:
        event.remove(self.session, "transient_to_pending", self._added)
        event.remove(self.session, "after_soft_rollback", self._rolled_back)

    def _reset(self) -> None:
        self.customers: dict[int, Customer | None] = {}
        self.orders: dict[int, Order | None] = {}
        self._counts: dict[int, int] = {}
        self._products: dict[str, Product | None] = {}
        self._options: dict[str, DeliveryOption | None] | None = None
        self._pickups: dict[int, PickupLocation | None] | None = None
        self._referrals: dict[int, list[ReferralCode]] | None = None
        self._coupons: dict[str, Coupon | None] = {}
        self._recommender: BatchRecommender | None = None
        self._failed_reported: dict[int, bool] = {}
        self._delivery: DeliveryConfig | None = None

    def _added(self, _session: Session, obj: object) -> None:
        if isinstance(obj, Coupon):
            self._coupons[obj.code] = obj
        elif isinstance(obj, ReferralCode) and obj.customer_id in (self._referrals or {}):
            assert self._referrals is not None
            self._referrals[obj.customer_id].append(obj)

    def _rolled_back(self, _session: Session, _previous: Any) -> None:
        self._want_customers |= {i for i in self.customers}
        self._want_orders |= {i for i in self.orders}
        self._reset()

    # customers and orders ------------------------------------------------------------
    def customer(self, customer_id: int) -> Customer | None:
        if customer_id not in self.customers:
            self._load_customers({customer_id})
        return self.customers[customer_id]

    def order(self, order_id: int) -> Order | None:
        if order_id not in self.orders:
            self._load_orders({order_id})
        return self.orders[order_id]

    def _load_customers(self, extra: set[int]) -> None:
        ids = sorted((self._want_customers | extra) - set(self.customers))
        self._want_customers.clear()
        for chunk in chunks(ids):
            found = {
                c.id: c
                for c in self.session.scalars(select(Customer).where(Customer.id.in_(chunk)))
            }
            self.customers.update({i: found.get(i) for i in chunk})
            counts = self.session.execute(
                select(Order.customer_id, func.count())
                .where(Order.customer_id.in_(chunk))
                .group_by(Order.customer_id)
            )
            self._counts.update({i: 0 for i in chunk})
            self._counts.update({int(c): int(n) for c, n in counts})

    def _load_orders(self, extra: set[int]) -> None:
        ids = sorted((self._want_orders | extra) - set(self.orders))
        self._want_orders.clear()
        for chunk in chunks(ids):
            stmt = (
                select(Order)
                .where(Order.id.in_(chunk))
                .options(selectinload(Order.lines), selectinload(Order.shipments))
            )
            found = {o.id: o for o in self.session.scalars(stmt)}
            self.orders.update({i: found.get(i) for i in chunk})
        skus = {line.sku for o in self.orders.values() if o for line in o.lines if line.sku}
        self._read_products(skus)

    def _read_products(self, skus: Collection[str]) -> None:
        missing = sorted(set(skus) - set(self._products))
        for start in range(0, len(missing), 1000):
            part = missing[start : start + 1000]
            found = {
                p.sku: p for p in self.session.scalars(select(Product).where(Product.sku.in_(part)))
            }
            self._products.update({s: found.get(s) for s in part})

    # ContextSource -------------------------------------------------------------------
    def order_count(self, customer_id: int) -> int:
        if customer_id not in self._counts:
            self._load_customers({customer_id})
        return self._counts[customer_id]

    def products(self, skus: Collection[str]) -> Mapping[str, Product]:
        self._read_products(skus)
        return {s: p for s in skus if (p := self._products.get(s)) is not None}

    def delivery_option(self, code: str) -> DeliveryOption | None:
        if self._options is None:
            self._options = {o.code: o for o in self.session.scalars(select(DeliveryOption))}
        return self._options.get(code)

    def pickup(self, location_id: int) -> PickupLocation | None:
        if self._pickups is None:
            self._pickups = {p.id: p for p in self.session.scalars(select(PickupLocation))}
        if location_id not in self._pickups:
            self._pickups[location_id] = self.session.get(PickupLocation, location_id)
        return self._pickups[location_id]

    def coupon(self, code: str) -> Coupon | None:
        if code not in self._coupons:
            self._coupons[code] = self.session.scalar(select(Coupon).where(Coupon.code == code))
        return self._coupons[code]

    def referral(self, customer_id: int, code: str | None) -> ReferralCode | None:
        if self._referrals is None or customer_id not in self._referrals:
            self._read_referrals(customer_id)
        assert self._referrals is not None
        mine = self._referrals.get(customer_id, [])
        if code:
            return next((r for r in reversed(mine) if r.code == code), None)
        return mine[-1] if mine else None

    def _read_referrals(self, customer_id: int) -> None:
        ids = sorted({customer_id, *self.customers} - set(self._referrals or {}))
        found: dict[int, list[ReferralCode]] = {i: [] for i in ids}
        for chunk in chunks(ids):
            stmt = (
                select(ReferralCode)
                .where(ReferralCode.customer_id.in_(chunk))
                .order_by(ReferralCode.id)
            )
            for r in self.session.scalars(stmt):
                found[r.customer_id].append(r)
        self._referrals = {**(self._referrals or {}), **found}

    def recommendations(self, customer_id: int) -> list[Recommendation]:
        if self._recommender is None:
            self._recommender = BatchRecommender(self.session, set(self.customers))
        return self._recommender.recommend(customer_id)

    def delivery_failed_reported(self, order_id: int) -> bool:
        if order_id not in self._failed_reported:
            ids = sorted(({order_id} | set(self.orders)) - set(self._failed_reported))
            for chunk in chunks(ids):
                stmt = select(OrderEvent.order_id).where(
                    OrderEvent.order_id.in_(chunk), OrderEvent.type == "delivery_failed"
                )
                found = set(self.session.scalars(stmt))
                self._failed_reported.update({i: i in found for i in chunk})
        return self._failed_reported[order_id]

    def delivery_settings(self) -> DeliveryConfig:
        if self._delivery is None:
            self._delivery = delivery_config.load(self.session)
        return self._delivery


class BatchRenderer:
    """Renders the messages of one batch (see the module docstring); ``targets`` are the
    ``(customer_id, order_id)`` pairs the batch may render for (others are read on demand).
    Call :meth:`close` when done with a session that lives on."""

    def __init__(
        self,
        session: Session,
        targets: Iterable[tuple[int, int | None]],
        settings: StoreSettings | None = None,
    ) -> None:
        pairs = list(targets)
        self.session = session
        self.settings = settings or store_settings.load(session)
        self.source = BatchSource(
            session, {c for c, _ in pairs}, {o for _, o in pairs if o is not None}
        )
        self._templates: dict[str, MessageTemplate] = {}

    def close(self) -> None:
        self.source.close()

    def render(
        self,
        template_name: str,
        *,
        customer_id: int,
        order_id: int | None,
        locale: str | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> RenderedMessage:
        """What :func:`core.messaging.render.render_for` returns for the same arguments."""
        customer = self.source.customer(customer_id)
        order = self.source.order(order_id) if order_id is not None and customer else None
        customer, order = check_targets(customer, order, customer_id, order_id)
        st = self.settings
        wanted = locale or customer.locale or st.default_locale
        translation = self._translation(template_name, wanted, st.default_locale)
        return render_translation(
            self.session, st, translation, customer, order, wanted, extra, self.source
        )

    def _translation(self, name: str, locale: str, default_locale: str) -> TemplateTranslation:
        """As :func:`core.messaging.stored.pick_translation`, the template read once."""
        template = self._templates.get(name)
        if template is None or template not in self.session:
            template = self._templates[name] = get_template(self.session, name)
        if not template.translations:
            raise TemplateError(
                f"Template {name!r} has no text in any language yet.", field="locale"
            )
        by_locale = {t.locale: t for t in template.translations}
        wanted = locale.replace("-", "_")
        for candidate in (wanted, language(wanted), default_locale, language(default_locale), "en"):
            if candidate in by_locale:
                return by_locale[candidate]
        return template.translations[0]


def render_batch(session: Session, requests: Sequence[RenderRequest]) -> list[RenderedMessage]:
    """Render every request as :func:`core.messaging.render.render_for` would, in order."""
    renderer = BatchRenderer(session, [(r.customer_id, r.order_id) for r in requests])
    try:
        return [
            renderer.render(
                r.template_name,
                customer_id=r.customer_id,
                order_id=r.order_id,
                locale=r.locale,
                extra=r.extra,
            )
            for r in requests
        ]
    finally:
        renderer.close()
