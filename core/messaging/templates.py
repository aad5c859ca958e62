"""Message templates: list, create, edit per locale, delete, with validation when saved.

Saving a translation checks every part (syntax, forbidden statements, unknown variables; errors
carry ``field`` = subject, preheader, html or text), sanitises the HTML with nh3 and inlines its
CSS into ``html_compiled`` (once, never per message), and renders it once on a sample order
(the newest order, or a made-up customer in an empty shop) under the same limits as every
message, so a template that would exhaust them is refused when saved. An empty text part is
generated from the HTML when the template is compiled.

API used by the engine: ``get_category(session, name) -> "transactional" | "marketing"``,
``template_exists(session, name) -> bool``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core import audit
from core import settings as store_settings
from core.auth import Action, Actor, require
from core.errors import NotFound, TemplateError, ValidationError
from core.messaging import htmlprep
from core.messaging.context import build_context
from core.messaging.render import (
    CompiledTemplate,
    RenderedMessage,
    check_parts,
    compile_parts,
    load_targets,
    remember,
    render_message,
)
from core.messaging.stored import find_template, get_template
from core.models import Customer, MessageTemplate, Order, TemplateTranslation

CATEGORIES = ("transactional", "marketing")
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
MAX_SOURCE = 100_000


@dataclass(frozen=True)
class TemplateSummary:
    name: str
    category: str
    description: str | None
    locales: list[str]
    from_library: bool
    updated_at: dt.datetime | None
    updated_by: str | None


def check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise ValidationError(
            f"{name!r} is not a template name.",
            field="name",
            hint="Use lowercase letters, digits and _, e.g. spring_sale.",
        )
    return name


def check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise ValidationError(
            f"Unknown category {category!r}.",
            field="category",
            hint="Use transactional or marketing.",
        )
    return category


def check_locale(locale: str) -> str:
    try:
        return str(store_settings.validate("default_locale", locale))
    except ValidationError as exc:
        raise ValidationError(exc.message, field="locale", hint=exc.hint) from None


def list_templates(session: Session) -> list[TemplateSummary]:
    rows = session.scalars(
        select(MessageTemplate)
        .options(selectinload(MessageTemplate.translations))
        .order_by(MessageTemplate.name)
    )
    return [
        TemplateSummary(
            t.name,
            t.category,
            t.description,
            [tr.locale for tr in t.translations],
            t.from_library,
            t.updated_at,
            t.updated_by,
        )
        for t in rows
    ]


def template_exists(session: Session, name: str) -> bool:
    return find_template(session, name) is not None


def get_category(session: Session, name: str) -> str:
    """``transactional`` or ``marketing`` (marketing needs consent and honours caps)."""
    return get_template(session, name).category


def create_template(
    session: Session, actor: Actor, name: str, category: str, description: str | None = None
) -> MessageTemplate:
    require(actor, Action.EDIT_TEMPLATES)
    name = check_name(name)
    if template_exists(session, name):
        raise ValidationError(f"A template named {name!r} exists already.", field="name")
    template = MessageTemplate(
        name=name,
        category=check_category(category),
        description=(description or "").strip()[:255] or None,
        updated_by=actor.name,
    )
    session.add(template)
    session.flush()
    audit.record(session, actor.name, "template.create", name, {"category": category})
    return template


def update_template(
    session: Session, actor: Actor, name: str, *, category: str, description: str | None
) -> MessageTemplate:
    require(actor, Action.EDIT_TEMPLATES)
    template = get_template(session, name)
    template.category = check_category(category)
    template.description = (description or "").strip()[:255] or None
    template.updated_by = actor.name
    audit.record(session, actor.name, "template.update", name, {"category": category})
    return template


def delete_template(session: Session, actor: Actor, name: str) -> None:
    require(actor, Action.EDIT_TEMPLATES)
    session.delete(get_template(session, name))
    audit.record(session, actor.name, "template.delete", name)


def validate_parts(
    subject: str, preheader: str | None, html: str, text: str | None, locale: str = "en"
) -> tuple[str, CompiledTemplate]:
    """``(html_compiled, compiled)`` for these parts, or TemplateError naming the part."""
    if not subject.strip():
        raise TemplateError("The subject must not be empty.", field="subject")
    if not html.strip():
        raise TemplateError("The HTML body must not be empty.", field="html")
    for part, value in (
        ("subject", subject),
        ("preheader", preheader),
        ("html", html),
        ("text", text),
    ):
        if value and len(value) > MAX_SOURCE:
            raise TemplateError(f"is longer than {MAX_SOURCE} characters.", field=part)
    check_parts(subject, preheader, html, text)
    compiled_html = htmlprep.prepare_html(html)
    return compiled_html, compile_parts(subject, preheader, compiled_html, text, locale=locale)


def save_translation(
    session: Session,
    actor: Actor,
    name: str,
    locale: str,
    *,
    subject: str,
    preheader: str | None,
    html: str,
    text: str | None,
) -> TemplateTranslation:
    """Create or replace one locale of a template (validated first; nothing saved on error)."""
    require(actor, Action.EDIT_TEMPLATES)
    template = get_template(session, name)
    locale = check_locale(locale)
    compiled_html, compiled = validate_parts(subject, preheader, html, text, locale)
    render_sample(session, compiled, locale)
    parts = {"subject": subject, "preheader": preheader, "html": html, "text": text}
    return write_translation(session, actor, template, locale, parts, compiled_html, compiled)


def render_sample(session: Session, compiled: CompiledTemplate, locale: str) -> RenderedMessage:
    """Render once on the newest order (or a made-up customer): TemplateError when the
    template fails or runs out of its render budget (time, steps, size)."""
    settings = store_settings.load(session)
    order = session.scalars(select(Order).order_by(Order.id.desc()).limit(1)).first()
    customer = session.get(Customer, order.customer_id) if order is not None else None
    if customer is None:
        order = None
        customer = Customer(
            id=0,
            external_id="sample",
            email="sample@example.com",
            first_name="Sample",
            last_name="Customer",
            locale=locale,
            tags=[],
            marketing_consent=False,
        )
    context = build_context(session, settings, customer, order, locale, roots=compiled.roots)
    return render_message(compiled, context)


def write_translation(
    session: Session,
    actor: Actor,
    template: MessageTemplate,
    locale: str,
    parts: Mapping[str, str | None],
    compiled_html: str,
    compiled: CompiledTemplate,
) -> TemplateTranslation:
    """Store parts already checked by :func:`validate_parts`."""
    require(actor, Action.EDIT_TEMPLATES)
    row = next((t for t in template.translations if t.locale == locale), None)
    if row is None:
        row = TemplateTranslation(locale=locale, subject="", html="")
        template.translations.append(row)
    text = parts.get("text")
    row.subject = (parts.get("subject") or "").strip()
    row.preheader = (parts.get("preheader") or "").strip() or None
    row.html = parts.get("html") or ""
    row.html_compiled = compiled_html
    row.text = text if text and text.strip() else None
    row.updated_at = dt.datetime.now(dt.UTC)
    template.updated_by = actor.name
    template.updated_at = row.updated_at
    session.flush()
    remember(row, compiled)
    audit.record(session, actor.name, "template.save", f"{template.name}/{locale}")
    return row


def delete_translation(session: Session, actor: Actor, name: str, locale: str) -> None:
    require(actor, Action.EDIT_TEMPLATES)
    template = get_template(session, name)
    row = next((t for t in template.translations if t.locale == locale), None)
    if row is None:
        raise NotFound(f"Template {name!r} has no {locale} text.")
    template.translations.remove(row)
    audit.record(session, actor.name, "template.delete_locale", f"{name}/{locale}")


@lru_cache(maxsize=64)
def _validated(
    subject: str, preheader: str | None, html: str, text: str | None, locale: str
) -> tuple[str, CompiledTemplate]:
    return validate_parts(subject, preheader, html, text, locale)


def preview(
    session: Session,
    *,
    subject: str,
    preheader: str | None,
    html: str,
    text: str | None,
    customer_id: int,
    order_id: int | None,
    locale: str,
    extra: Mapping[str, object] | None = None,
    name: str | None = None,
    category: str = "transactional",
) -> RenderedMessage:
    """Render unsaved parts (the editor, ``template render --source``) exactly as saving and
    sending would: validated, sanitised, CSS inlined. TemplateError names the failing part."""
    _, compiled = _validated(subject, preheader, html, text, locale)
    settings = store_settings.load(session)
    customer, order = load_targets(session, customer_id, order_id)
    context = build_context(session, settings, customer, order, locale, extra, roots=compiled.roots)
    return render_message(compiled, context, name=name, category=category)
