"""Where Orderflow reads its configuration: environment first, then `.streamlit/secrets.toml`.

Secrets are never read from the database or committed files.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'orderflow.db'}"
ENV_DATABASE_URL = "ORDERFLOW_DATABASE_URL"
ENV_DEMO = "ORDERFLOW_DEMO"
ENV_SECRET_KEY = "ORDERFLOW_SECRET_KEY"


def secrets_path() -> Path:
    """The secrets file Streamlit reads: `.streamlit/secrets.toml` in the working directory,
    falling back to the repository's own."""
    local = Path.cwd() / ".streamlit" / "secrets.toml"
    return local if local.exists() else REPO_ROOT / ".streamlit" / "secrets.toml"


@lru_cache(maxsize=4)
def _read_secrets(path: str, mtime: float) -> Mapping[str, object]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def secrets() -> Mapping[str, object]:
    """The parsed secrets file, or an empty mapping when there is none."""
    path = secrets_path()
    if not path.exists():
        return {}
    return _read_secrets(str(path), path.stat().st_mtime)


SECRETS_TABLE = "orderflow"


def secret_name(key: str) -> str:
    """``ORDERFLOW_SMTP_HOST`` -> ``smtp_host``: the key's name in the ``[orderflow]`` table."""
    return key.removeprefix("ORDERFLOW_").lower()


def get_secret(key: str, default: str | None = None) -> str | None:
    """A value from the environment (``KEY``), else from the ``[orderflow]`` table of the secrets
    file (``smtp_host = ...``), else a top-level ``KEY`` there, else ``default``.

    The table is the recommended place: Streamlit copies top-level secrets into the server's
    environment, overwriting what the environment said, but leaves tables alone.
    """
    if key in os.environ:
        return os.environ[key]
    data = secrets()
    table = data.get(SECRETS_TABLE)
    if isinstance(table, dict) and secret_name(key) in table:
        return str(table[secret_name(key)])
    if key in data and not isinstance(data[key], dict):
        return str(data[key])
    return default


def database_url() -> str:
    """The configured database URL. A relative SQLite path resolves against the repository."""
    url = get_secret(ENV_DATABASE_URL) or DEFAULT_DATABASE_URL
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        url = prefix + str(REPO_ROOT / url[len(prefix) :])
    return url


def is_embedded_default() -> bool:
    """True when no database was configured: the local SQLite file with demo data."""
    return get_secret(ENV_DATABASE_URL) is None


def demo_requested() -> bool:
    return os.environ.get(ENV_DEMO, "") in {"1", "true", "yes"}
