"""Product recommendations from the order history, for the ``recommendations`` template block.

For a customer: the SKUs most often bought in the same orders as the SKUs they bought ("bought
together"), excluding everything they already own; when that gives fewer than ``limit``, the
most popular SKUs of recent orders fill the rest (also excluding owned ones). Both queries look
at a bounded window of recent orders (:data:`WINDOW_ORDERS`), so they stay fast on a million
orders.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BindParameter, Select, bindparam, desc, func, select
from sqlalchemy.orm import Session, aliased

from core.models import Order, OrderLine, Product

WINDOW_ORDERS = 20_000


@dataclass(frozen=True)
class Recommendation:
    sku: str
    name: str
    score: int
    reason: str  # bought_together | popular
    image_url: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    category: str | None = None


def owned_skus(session: Session, customer_id: int) -> set[str]:
    stmt = (
        select(OrderLine.sku)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.customer_id == customer_id, OrderLine.sku.is_not(None))
        .distinct()
    )
    return {sku for sku in session.scalars(stmt) if sku}


def _together_statement() -> Select[str | None, int]:
    seed = aliased(OrderLine)
    other = aliased(OrderLine)
    owned: BindParameter[list[str]] = bindparam("owned", expanding=True)
    orders = (
        select(seed.order_id)
        .where(seed.sku.in_(owned))
        .distinct()
        .order_by(seed.order_id.desc())
        .limit(WINDOW_ORDERS)
        .subquery()
    )
    count = func.count(func.distinct(other.order_id))
    return (
        select(other.sku, count)
        .where(other.order_id.in_(select(orders.c.order_id)))
        .where(other.sku.is_not(None), other.sku.not_in(owned))
        .group_by(other.sku)
        .order_by(desc(count), other.sku)
        .limit(bindparam("n"))
    )


def _popular_statement() -> Select[str | None, int]:
    recent = select(Order.id).order_by(Order.id.desc()).limit(WINDOW_ORDERS).subquery()
    count = func.count(func.distinct(OrderLine.order_id))
    return (
        select(OrderLine.sku, count)
        .where(OrderLine.order_id.in_(select(recent.c.id)), OrderLine.sku.is_not(None))
        .where(OrderLine.sku.not_in(bindparam("exclude", expanding=True)))
        .group_by(OrderLine.sku)
        .order_by(desc(count), OrderLine.sku)
        .limit(bindparam("n"))
    )


_TOGETHER = _together_statement()
_POPULAR = _popular_statement()


def _bought_together(session: Session, owned: set[str], limit: int) -> list[tuple[str, int]]:
    rows = session.execute(_TOGETHER, {"owned": sorted(owned), "n": limit})
    return [(str(sku), int(n)) for sku, n in rows]


def _popular(session: Session, exclude: set[str], limit: int) -> list[tuple[str, int]]:
    rows = session.execute(_POPULAR, {"exclude": sorted(exclude), "n": limit})
    return [(str(sku), int(n)) for sku, n in rows]


def recommend(session: Session, customer_id: int, limit: int = 3) -> list[Recommendation]:
    """Up to ``limit`` products for this customer, best first (see the module docstring)."""
    owned = owned_skus(session, customer_id)
    picks: list[tuple[str, int, str]] = []
    if owned:
        picks = [(sku, n, "bought_together") for sku, n in _bought_together(session, owned, limit)]
    if len(picks) < limit:
        taken = owned | {sku for sku, _, _ in picks}
        picks += [(sku, n, "popular") for sku, n in _popular(session, taken, limit - len(picks))]
    return _describe(session, picks)


class BatchRecommender:
    """:func:`recommend` for many customers of one batch, with the same answers: what they
    own is read for all of them in one query, the popularity ranking once (and filtered per
    customer), products once per SKU; "bought together" stays one query per customer."""

    def __init__(self, session: Session, customer_ids: Iterable[int]) -> None:
        self.session = session
        self._pending = set(customer_ids)
        self._owned: dict[int, set[str]] = {}
        self._ranking: list[tuple[str, int]] = []
        self._ranked = 0  # the LIMIT the ranking was read with
        self._products: dict[str, Product | None] = {}
        self._names: dict[str, str | None] = {}

    def owned(self, customer_id: int) -> set[str]:
        if customer_id not in self._owned:
            ids = sorted(self._pending | {customer_id})
            self._pending.clear()
            for chunk in chunks(ids):
                stmt = (
                    select(Order.customer_id, OrderLine.sku)
                    .join(Order, Order.id == OrderLine.order_id)
                    .where(Order.customer_id.in_(chunk), OrderLine.sku.is_not(None))
                    .distinct()
                )
                found: dict[int, set[str]] = {i: set() for i in chunk}
                for cid, sku in self.session.execute(stmt):
                    if sku:
                        found[int(cid)].add(str(sku))
                self._owned.update(found)
        return self._owned[customer_id]

    def popular(self, exclude: set[str], limit: int) -> list[tuple[str, int]]:
        """The ``limit`` most popular SKUs not in ``exclude``: the unfiltered ranking read
        once (long enough for any exclusion), then filtered."""
        needed = limit + len(exclude)
        if needed > self._ranked and len(self._ranking) == self._ranked:
            self._ranked = max(needed, 4 * limit + 16)
            self._ranking = _popular(self.session, set(), self._ranked)
        return [(sku, n) for sku, n in self._ranking if sku not in exclude][:limit]

    def recommend(self, customer_id: int, limit: int = 3) -> list[Recommendation]:
        owned = self.owned(customer_id)
        picks: list[tuple[str, int, str]] = []
        if owned:
            picks = [
                (sku, n, "bought_together")
                for sku, n in _bought_together(self.session, owned, limit)
            ]
        if len(picks) < limit:
            taken = owned | {sku for sku, _, _ in picks}
            picks += [(sku, n, "popular") for sku, n in self.popular(taken, limit - len(picks))]
        return _describe(self.session, picks, self._products, self._names)


def chunks(ids: Sequence[int], size: int = 1000) -> Iterator[list[int]]:
    """``ids`` in lists of at most ``size`` (bounded ``IN (...)`` lists)."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _describe(
    session: Session,
    picks: list[tuple[str, int, str]],
    known: dict[str, Product | None] | None = None,
    known_names: dict[str, str | None] | None = None,
) -> list[Recommendation]:
    skus = [sku for sku, _, _ in picks]
    if not skus:
        return []
    cache = {} if known is None else known
    missing = [s for s in skus if s not in cache]
    if missing:
        found = {p.sku: p for p in session.scalars(select(Product).where(Product.sku.in_(missing)))}
        cache.update({s: found.get(s) for s in missing})
    products = {s: p for s in skus if (p := cache[s]) is not None}
    names_cache = {} if known_names is None else known_names
    unknown = [s for s in skus if s not in products and s not in names_cache]
    if unknown:
        rows = session.execute(
            select(OrderLine.sku, func.max(OrderLine.name))
            .where(OrderLine.sku.in_(unknown))
            .group_by(OrderLine.sku)
        )
        got = {str(sku): name for sku, name in rows}
        names_cache.update({s: got.get(s) for s in unknown})
    names = names_cache
    result = []
    for sku, score, reason in picks:
        product = products.get(sku)
        result.append(
            Recommendation(
                sku=sku,
                name=product.name if product else str(names.get(sku) or sku),
                score=score,
                reason=reason,
                image_url=product.image_url if product else None,
                price=product.price if product else None,
                currency=product.currency if product else None,
                category=product.category if product else None,
            )
        )
    return result
