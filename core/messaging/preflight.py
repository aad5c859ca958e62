"""Pre-flight check: render templates in every locale against a sample of real orders.

API (used by the engine when a workflow is published, and by the builder):
``preflight(session, template_names, order_ids=None, *, sample=5) -> list[PreflightProblem]``.
Each template is rendered in each of its locales for up to ``sample`` orders: the given
``order_ids`` (orders the workflow applies to), else the most recent orders (for a library
template, only orders it applies to, e.g. pickup orders for ``ready_for_pickup``). Problems are
render errors and variables empty for an order with no fallback; a missing template is one too.
With no orders at all, templates are still compiled, so syntax errors are caught.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.errors import TemplateError
from core.messaging.context import build_context
from core.messaging.library import BY_NAME
from core.messaging.render import compiled_translation, render_message
from core.messaging.stored import find_template
from core.models import Customer, Order

SAMPLE = 5
CANDIDATES = 200


@dataclass(frozen=True)
class PreflightProblem:
    template: str
    locale: str | None
    order: str | None
    kind: str  # missing | error | empty
    detail: str

    def __str__(self) -> str:
        where = " ".join(
            p
            for p in (
                self.template,
                f"[{self.locale}]" if self.locale else "",
                f"order {self.order}" if self.order else "",
            )
            if p
        )
        return f"{where}: {self.detail}"


def _sample_orders(
    session: Session, name: str, order_ids: Sequence[int] | None, sample: int
) -> list[Order]:
    if order_ids is not None:
        ids = list(order_ids)[:sample]
        return list(session.scalars(select(Order).where(Order.id.in_(ids)))) if ids else []
    recent = session.scalars(select(Order).order_by(Order.placed_at.desc()).limit(CANDIDATES))
    spec = BY_NAME.get(name)
    chosen = [o for o in recent if spec is None or spec.applies_to(o)]
    return chosen[:sample]


def preflight(
    session: Session,
    template_names: Iterable[str],
    order_ids: Sequence[int] | None = None,
    *,
    sample: int = SAMPLE,
) -> list[PreflightProblem]:
    """Every problem found (see the module docstring); an empty list means ready to go."""
    settings = store_settings.load(session)
    problems: list[PreflightProblem] = []
    for name in dict.fromkeys(template_names):
        template = find_template(session, name)
        if template is None:
            problems.append(PreflightProblem(name, None, None, "missing", "no such template"))
            continue
        orders = _sample_orders(session, name, order_ids, sample)
        for translation in template.translations:
            try:
                compiled = compiled_translation(translation)
            except TemplateError as exc:
                problems.append(PreflightProblem(name, translation.locale, None, "error", str(exc)))
                continue
            for order in orders:
                customer = session.get(Customer, order.customer_id)
                if customer is None:
                    continue
                ref = order.number or order.external_id
                try:
                    context = build_context(
                        session, settings, customer, order, translation.locale, roots=compiled.roots
                    )
                    rendered = render_message(compiled, context)
                except TemplateError as exc:
                    problems.append(
                        PreflightProblem(name, translation.locale, ref, "error", str(exc))
                    )
                    continue
                for path in rendered.empty_variables:
                    problems.append(
                        PreflightProblem(
                            name,
                            translation.locale,
                            ref,
                            "empty",
                            f"{path} is empty and has no fallback (use |default('...') or {{% if %}})",
                        )
                    )
    return problems
