"""A command-line-only shop (issue 9, item 8): `init` installs the message library once, and a
preset installs the library templates it sends."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.cli import main
from core.messaging.library import LIBRARY
from core.messaging.library_text import LOCALES
from core.models import MessageTemplate, TemplateTranslation, Workflow


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as s:
        templates = s.scalar(select(func.count()).select_from(MessageTemplate)) or 0
        translations = s.scalar(select(func.count()).select_from(TemplateTranslation)) or 0
    return templates, translations


def test_init_installs_the_library_once_and_a_preset_activates(
    use_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _counts(use_database) == (0, 0)
    assert main(["init"]) == 0
    assert f"{len(LIBRARY) * len(LOCALES)} translations" in capsys.readouterr().out
    installed = _counts(use_database)
    assert installed == (len(LIBRARY), len(LIBRARY) * len(LOCALES))
    assert main(["init"]) == 0
    assert "already installed" in capsys.readouterr().out
    assert _counts(use_database) == installed
    assert main(["workflow", "create", "--preset", "order_confirmation", "--activate"]) == 0
    with Session(use_database) as s:
        assert s.scalars(select(Workflow.status)).one() == "active"


def test_a_preset_installs_the_templates_it_sends(
    use_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["workflow", "create", "--preset", "shipping_update", "--activate"]) == 0
    assert "active" in capsys.readouterr().out
    with Session(use_database) as s:
        names = set(s.scalars(select(MessageTemplate.name)))
        assert names == {"shipped", "out_for_delivery"}
        locales = set(s.scalars(select(TemplateTranslation.locale)))
    assert locales == set(LOCALES)
