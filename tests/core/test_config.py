from __future__ import annotations

from pathlib import Path

import pytest

from core import config, security
from core.errors import ConfigError


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


def test_generated_key_is_made_once_in_its_own_private_file(
    secrets_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ORDERFLOW_SECRET_KEY")
    secrets_file.parent.mkdir(parents=True)
    secrets_file.write_text('[orderflow]\nsmtp_host = "mail.example"\n')
    key = security._ensure_key()
    assert security._ensure_key() == key and len(key) >= 48
    assert config.get_secret("ORDERFLOW_SMTP_HOST") == "mail.example"  # secrets file untouched
    assert security.key_path().stat().st_mode & 0o777 == 0o600
    assert set(secrets_file.parent.iterdir()) == {secrets_file, security.key_path()}


def test_parallel_first_signings_agree_on_one_key(
    secrets_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11 defect 10: two first signings raced to different keys."""
    monkeypatch.delenv("ORDERFLOW_SECRET_KEY")
    secrets_file.parent.mkdir(parents=True)
    script = (
        "import sys; from core import config, security; from pathlib import Path; "
        f"config.secrets_path = lambda: Path({str(secrets_file)!r}); "
        "print(security._ensure_key())"
    )
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "ORDERFLOW_SECRET_KEY"}
    root = Path(__file__).resolve().parents[2]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script], cwd=root, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    keys = {p.communicate(timeout=60)[0].strip() for p in runs}
    assert len(keys) == 1 and all(p.returncode == 0 for p in runs)


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_key_is_refused_clearly(
    secrets_file: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("ORDERFLOW_SECRET_KEY", value)
    with pytest.raises(ConfigError, match="ORDERFLOW_SECRET_KEY is set but"):
        security._ensure_key()
    assert not secrets_file.exists()  # nothing appended anywhere
