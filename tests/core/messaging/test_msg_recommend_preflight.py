"""Recommendations (bought together, popularity fallback, owned excluded), the pre-flight
check, and template CRUD with its role checks."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from core.auth import Actor, Role
from core.errors import NotFound, PermissionDenied, TemplateError, ValidationError
from core.messaging import library, templates
from core.messaging.preflight import preflight
from core.messaging.recommend import recommend
from core.messaging.render import render_for
from tests.core.messaging.conftest import Shop, add_customer, add_order


def _basket(session: Session, key: str, skus: tuple[str, ...]) -> int:
    customer = add_customer(session, key, "en_GB")
    add_order(session, customer, f"R-{key}", lines=tuple((s, s.title(), 1, "5.00") for s in skus))
    return customer.id


def test_bought_together_then_popular_excluding_owned(session: Session) -> None:
    for i in range(3):
        _basket(session, f"a{i}", ("TENT", "STOVE"))
    _basket(session, "b", ("TENT", "LAMP"))
    for i in range(4):
        _basket(session, f"c{i}", ("MUG",))
    buyer = _basket(session, "buyer", ("TENT",))
    recs = recommend(session, buyer, limit=3)
    assert [(r.sku, r.reason) for r in recs] == [
        ("STOVE", "bought_together"),
        ("LAMP", "bought_together"),
        ("MUG", "popular"),
    ]
    assert recs[0].score == 3 and all(r.sku != "TENT" for r in recs)
    newcomer = add_customer(session, "new", "en_GB")
    assert [r.sku for r in recommend(session, newcomer.id, limit=2)] == ["TENT", "MUG"]


def test_preflight_passes_for_the_library_and_flags_gaps(session: Session, shop: Shop) -> None:
    library.ensure_library(session, Actor.cli())
    names = [t.name for t in library.LIBRARY]
    assert preflight(session, names) == []
    templates.create_template(session, Actor.cli(), "tracking_only", "transactional")
    templates.save_translation(
        session,
        Actor.cli(),
        "tracking_only",
        "en",
        subject="Track {{ order.number }}",
        preheader=None,
        html="<p>{{ delivery.tracking_url }} {{ coupon.code|default('none') }}</p>",
        text=None,
    )
    pickup_ids = [o.id for k, o in shop.orders.items() if k.endswith(":pickup")]
    problems = preflight(session, ["tracking_only", "missing_one"], pickup_ids)
    kinds = {(p.template, p.kind) for p in problems}
    assert kinds == {("tracking_only", "empty"), ("missing_one", "missing")}
    assert all("delivery.tracking_url" in p.detail for p in problems if p.kind == "empty")
    assert "order" in str(problems[0]) or "no such template" in str(problems[0])


def test_template_crud_validation_and_locale_fallback(session: Session, shop: Shop) -> None:
    actor = Actor("merchant@example.com", Role.MERCHANT)
    templates.create_template(session, actor, "spring_sale", "marketing", "Spring")
    with pytest.raises(ValidationError):
        templates.create_template(session, actor, "spring_sale", "marketing")
    with pytest.raises(ValidationError):
        templates.create_template(session, actor, "Spring Sale!", "marketing")
    with pytest.raises(ValidationError):
        templates.create_template(session, actor, "x_sale", "newsletter")
    with pytest.raises(TemplateError) as info:
        templates.save_translation(
            session,
            actor,
            "spring_sale",
            "en",
            subject="",
            preheader=None,
            html="<p>x</p>",
            text=None,
        )
    assert info.value.field == "subject"
    with pytest.raises(ValidationError):
        templates.save_translation(
            session,
            actor,
            "spring_sale",
            "pt",
            subject="x",
            preheader=None,
            html="<p>x</p>",
            text=None,
        )
    templates.save_translation(
        session,
        actor,
        "spring_sale",
        "en",
        subject="Hi {{ customer.first_name }}",
        preheader="Spring",
        html="<h1>Spring</h1><p>Hi</p>",
        text=None,
    )
    assert templates.get_category(session, "spring_sale") == "marketing"
    assert templates.template_exists(session, "spring_sale")
    customer = shop.customers["pl_PL"]
    msg = render_for(session, "spring_sale", customer_id=customer.id, order_id=None)
    assert msg.subject == "Hi Anna" and msg.category == "marketing" and msg.locale == "en"
    assert "Spring" in msg.text and "Hi" in msg.text
    templates.update_template(
        session, actor, "spring_sale", category="transactional", description=None
    )
    assert (
        render_for(session, "spring_sale", customer_id=customer.id, order_id=None).category
        == "transactional"
    )
    templates.delete_translation(session, actor, "spring_sale", "en")
    with pytest.raises(TemplateError):
        render_for(session, "spring_sale", customer_id=customer.id, order_id=None)
    templates.delete_template(session, actor, "spring_sale")
    with pytest.raises(NotFound):
        templates.get_category(session, "spring_sale")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ANALYST])
def test_read_only_roles_cannot_change_templates(session: Session, role: Role) -> None:
    actor = Actor("r@example.com", role)
    with pytest.raises(PermissionDenied):
        templates.create_template(session, actor, "nope", "marketing")
    templates.create_template(session, Actor.cli(), "yes", "marketing")
    for call in (
        lambda: templates.save_translation(
            session, actor, "yes", "en", subject="s", preheader=None, html="<p>x</p>", text=None
        ),
        lambda: templates.update_template(
            session, actor, "yes", category="marketing", description=None
        ),
        lambda: templates.delete_template(session, actor, "yes"),
    ):
        with pytest.raises(PermissionDenied):
            call()
