"""Texts of the template library, one module per locale (``COMMON`` strings shared by every
template, ``TEMPLATES[name]`` for each one). Placeholders such as ``{number}`` are listed in
:data:`core.messaging.library_blocks.PLACEHOLDERS`."""

from __future__ import annotations

import importlib

LOCALES = ("en", "de", "fr", "nl", "es", "it", "pl", "sv")


def texts(locale: str, name: str) -> tuple[dict[str, str], dict[str, str]]:
    """``(common, template_texts)`` of one locale."""
    module = importlib.import_module(f"{__name__}.{locale}")
    common: dict[str, str] = module.COMMON
    own: dict[str, str] = module.TEMPLATES[name]
    return common, own
