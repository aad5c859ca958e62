"""Compile templates once, render messages many times.

API (used by the engine, the CLI and the Templates page):

- ``compile_parts(subject, preheader, html, text) -> CompiledTemplate``: TemplateError (with
  ``field`` = the part) on a syntax error, a forbidden statement or an unknown variable.
  ``html`` is the stored ``html_compiled`` (CSS inlined, sanitised); an empty ``text`` is
  generated from the HTML.
- ``compiled_translation(translation) -> CompiledTemplate``: cached by translation id and
  ``updated_at``, so a saved edit is picked up and nothing is compiled twice.
- ``render_message(compiled, context) -> RenderedMessage``: the rendered HTML body is
  sanitised again (scripts, handlers, unsafe URLs removed), whatever the template printed.
- ``render_for(session, template_name, *, customer_id, order_id, locale=None, extra=None)
  -> RenderedMessage``: the locale defaults to the customer's, falling back to the store's
  default, then English; ``extra`` may carry ``coupon_code``, ``referral_code``, ``message_id``.
- ``render_translation(...)``: the same once the customer, order and translation are loaded
  (what :mod:`core.messaging.batch` uses to render many messages with few queries).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from jinja2 import Template, TemplateSyntaxError
from jinja2.exceptions import TemplateError as JinjaTemplateError
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.errors import NotFound, TemplateError
from core.messaging import analysis, htmlprep, jinja_words
from core.messaging.context import build_context
from core.messaging.filters import all_filters
from core.messaging.sandbox import HardenedEnvironment, SecurityError, render_limited
from core.messaging.sources import ContextSource
from core.messaging.stored import language, pick_translation
from core.models import Customer, Order, TemplateTranslation
from core.settings import StoreSettings

PARTS = ("subject", "preheader", "html", "text")
CACHE_SIZE = 512

html_env = HardenedEnvironment(autoescape=True, filters=all_filters())
text_env = HardenedEnvironment(autoescape=False, filters=all_filters())
text_env.trim_blocks = True
text_env.lstrip_blocks = True


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    preheader: str
    html: str
    text: str
    locale: str
    variables_used: list[str] = field(default_factory=list)
    empty_variables: list[str] = field(default_factory=list)
    template_name: str | None = None
    category: str = "transactional"


@dataclass(frozen=True)
class CompiledTemplate:
    parts: dict[str, Template]
    fallback: dict[str, bool]
    locale: str = "en"

    @property
    def variables(self) -> list[str]:
        return sorted(self.fallback)

    @property
    def roots(self) -> frozenset[str]:
        return frozenset(p.split(".")[0].removesuffix("[]") for p in self.fallback)


def _compile(
    env: HardenedEnvironment, part: str, source: str, generate: bool = True
) -> tuple[Template | None, analysis.Analysis]:
    try:
        tree = env.parse(source)
        found = analysis.analyse(tree)
        if found.problems:
            raise TemplateError(found.problems[0], field=part, hint=_more(found.problems))
        return (env.from_string(tree) if generate else None), found
    except TemplateSyntaxError as exc:
        raise TemplateError(jinja_words.explain(exc, source), field=part) from None
    except SecurityError as exc:
        raise TemplateError(str(exc), field=part) from None


def check_parts(subject: str, preheader: str | None, html: str, text: str | None) -> None:
    """Parse and check the parts as the merchant wrote them (line numbers are theirs);
    TemplateError names the part."""
    for part, source in (
        ("subject", subject),
        ("preheader", preheader),
        ("html", html),
        ("text", text),
    ):
        if source:
            _compile(html_env if part == "html" else text_env, part, source, generate=False)


def _more(problems: list[str]) -> str | None:
    return f"({len(problems) - 1} more problems in this part.)" if len(problems) > 1 else None


def compile_parts(
    subject: str,
    preheader: str | None,
    html: str,
    text: str | None,
    *,
    locale: str = "en",
) -> CompiledTemplate:
    """Compile the four parts (see the module docstring)."""
    sources = {
        "subject": subject,
        "preheader": preheader or "",
        "html": html,
        "text": text if text and text.strip() else htmlprep.html_to_text(html),
    }
    parts: dict[str, Template] = {}
    fallback: dict[str, bool] = {}
    for part, source in sources.items():
        env = html_env if part == "html" else text_env
        template, found = _compile(env, part, source)
        assert template is not None
        parts[part] = template
        for path, has_fallback in found.used.items():
            fallback[path] = fallback.get(path, True) and has_fallback
    return CompiledTemplate(parts, fallback, locale)


_cache: OrderedDict[tuple[int, str, dt.datetime | None], CompiledTemplate] = OrderedDict()


def _key(translation: TemplateTranslation) -> tuple[int, str, dt.datetime | None]:
    return (translation.id, translation.locale, translation.updated_at)


def remember(translation: TemplateTranslation, compiled: CompiledTemplate) -> None:
    """Cache what was compiled when saving, so the first message does not compile again."""
    _cache[_key(translation)] = compiled
    if len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)


def compiled_translation(translation: TemplateTranslation) -> CompiledTemplate:
    key = _key(translation)
    found = _cache.get(key)
    if found is not None:
        _cache.move_to_end(key)
        return found
    compiled = compile_parts(
        translation.subject,
        translation.preheader,
        translation.html_compiled or htmlprep.prepare_html(translation.html),
        translation.text,
        locale=translation.locale,
    )
    _cache[key] = compiled
    if len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return compiled


def _render(template: Template, context: Mapping[str, Any], part: str) -> str:
    try:
        return render_limited(template.generate(context))
    except SecurityError as exc:
        raise TemplateError(str(exc), field=part) from None
    except (JinjaTemplateError, ArithmeticError, TypeError, ValueError, RecursionError) as exc:
        raise TemplateError(f"could not render: {exc}", field=part) from None


def wrap_document(body: str, subject: str, preheader: str, locale: str) -> str:
    """The full HTML document around a rendered body: responsive meta, hidden preheader."""
    lang = escape(locale.split("_")[0])
    hidden = (
        '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">'
        f"{escape(preheader)}</div>"
        if preheader
        else ""
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(subject)}</title></head>"
        f'<body style="margin:0;padding:0;background:#f4f4f5;">{hidden}{body}</body></html>'
    )


def render_message(
    compiled: CompiledTemplate,
    context: Mapping[str, Any],
    *,
    name: str | None = None,
    category: str = "transactional",
) -> RenderedMessage:
    """Render every part against ``context``; TemplateError names the failing part."""
    subject = " ".join(_render(compiled.parts["subject"], context, "subject").split())
    preheader = " ".join(_render(compiled.parts["preheader"], context, "preheader").split())
    # what a template prints is only known now ({% raw %}, values): sanitise what is sent
    body = htmlprep.sanitize(_render(compiled.parts["html"], context, "html"))
    text = htmlprep.tidy_text(_render(compiled.parts["text"], context, "text"))
    no_fallback = [p for p, fb in compiled.fallback.items() if not fb]
    return RenderedMessage(
        subject=subject,
        preheader=preheader,
        html=wrap_document(body, subject, preheader, str(context.get("locale") or compiled.locale)),
        text=text,
        locale=str(context.get("locale") or compiled.locale),
        variables_used=compiled.variables,
        empty_variables=analysis.empty_paths(context, no_fallback),
        template_name=name,
        category=category,
    )


def load_targets(
    session: Session, customer_id: int, order_id: int | None
) -> tuple[Customer, Order | None]:
    customer = session.get(Customer, customer_id)
    order = session.get(Order, order_id) if order_id is not None and customer else None
    return check_targets(customer, order, customer_id, order_id)


def check_targets(
    customer: Customer | None, order: Order | None, customer_id: int, order_id: int | None
) -> tuple[Customer, Order | None]:
    """NotFound unless the customer exists and the order (when asked for) is theirs."""
    if customer is None:
        raise NotFound(f"No customer with id {customer_id}.")
    if order_id is not None and order is None:
        raise NotFound(f"No order with id {order_id}.")
    if order is not None and order.customer_id != customer.id:
        raise NotFound(f"Order {order.external_id} does not belong to customer {customer_id}.")
    return customer, order


def render_for(
    session: Session,
    template_name: str,
    *,
    customer_id: int,
    order_id: int | None,
    locale: str | None = None,
    extra: Mapping[str, object] | None = None,
) -> RenderedMessage:
    """Render a stored template for a customer (and order) in their language."""
    settings = store_settings.load(session)
    customer, order = load_targets(session, customer_id, order_id)
    wanted = locale or customer.locale or settings.default_locale
    translation = pick_translation(session, template_name, wanted, settings.default_locale)
    return render_translation(session, settings, translation, customer, order, wanted, extra)


def render_translation(
    session: Session,
    settings: StoreSettings,
    translation: TemplateTranslation,
    customer: Customer,
    order: Order | None,
    wanted: str,
    extra: Mapping[str, object] | None = None,
    source: ContextSource | None = None,
) -> RenderedMessage:
    """Render the chosen translation for the wanted locale (formatting follows the wanted
    locale when it is the translation's language, else the translation's)."""
    compiled = compiled_translation(translation)
    same_language = language(wanted) == language(translation.locale)
    format_locale = wanted if same_language else translation.locale
    context = build_context(
        session,
        settings,
        customer,
        order,
        format_locale,
        extra,
        roots=compiled.roots,
        source=source,
    )
    template = translation.template
    return render_message(compiled, context, name=template.name, category=template.category)
