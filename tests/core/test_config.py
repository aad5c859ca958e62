from __future__ import annotations

from pathlib import Path

import pytest

from core import config, security


@pytest.fixture
def secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / ".streamlit" / "secrets.toml"
    monkeypatch.setattr(config, "secrets_path", lambda: path)
    monkeypatch.delenv("ORDERFLOW_SMTP_HOST", raising=False)
    return path


def test_environment_first_then_table_then_top_level(
    secrets_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets_file.parent.mkdir(parents=True)
    secrets_file.write_text(
        'ORDERFLOW_SMTP_PORT = "2525"\n[orderflow]\nsmtp_host = "mail.example"\n'
    )
    assert config.get_secret("ORDERFLOW_SMTP_HOST") == "mail.example"
    assert config.get_secret("ORDERFLOW_SMTP_PORT") == "2525"
    assert config.get_secret("ORDERFLOW_SMTP_USER", "none") == "none"
    monkeypatch.setenv("ORDERFLOW_SMTP_HOST", "env.example")
    assert config.get_secret("ORDERFLOW_SMTP_HOST") == "env.example"


def test_generated_key_goes_into_the_table(
    secrets_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ORDERFLOW_SECRET_KEY")
    secrets_file.parent.mkdir(parents=True)
    secrets_file.write_text('[orderflow]\nsmtp_host = "mail.example"\n')
    key = security._ensure_key()
    assert config.get_secret("ORDERFLOW_SECRET_KEY") == key
    assert config.get_secret("ORDERFLOW_SMTP_HOST") == "mail.example"
    assert security._ensure_key() == key
    assert secrets_file.stat().st_mode & 0o777 == 0o600
