"""Finding a stored template and the translation that fits a locale.

Below both ``render`` (which renders a stored template for a customer) and ``templates`` (which
edits them), so neither imports the other.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFound, TemplateError
from core.models import MessageTemplate, TemplateTranslation


def find_template(session: Session, name: str) -> MessageTemplate | None:
    return session.scalar(select(MessageTemplate).where(MessageTemplate.name == name))


def get_template(session: Session, name: str) -> MessageTemplate:
    template = find_template(session, name)
    if template is None:
        raise NotFound(f"No template named {name!r}.", hint="See `python -m core template list`.")
    return template


def language(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0].lower()


def pick_translation(
    session: Session, name: str, locale: str, default_locale: str = "en"
) -> TemplateTranslation:
    """The best translation: exact locale, then its language, the store default, English, any."""
    template = get_template(session, name)
    if not template.translations:
        raise TemplateError(f"Template {name!r} has no text in any language yet.", field="locale")
    by_locale = {t.locale: t for t in template.translations}
    wanted = locale.replace("-", "_")
    for candidate in (wanted, language(wanted), default_locale, language(default_locale), "en"):
        if candidate in by_locale:
            return by_locale[candidate]
    return template.translations[0]
