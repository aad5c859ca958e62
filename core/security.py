"""Signed, expiring tokens for session cookies and public links (unsubscribe, reviews).

The key comes from ``ORDERFLOW_SECRET_KEY`` (environment or `.streamlit/secrets.toml`). When
neither has it, one is generated once and written to `.streamlit/secrets.toml` (git-ignored).
"""

from __future__ import annotations

import secrets as pysecrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from core import config
from core.errors import AuthError

SESSION_MAX_AGE = 12 * 3600
LINK_MAX_AGE = 180 * 24 * 3600


def _ensure_key() -> str:
    key = config.get_secret(config.ENV_SECRET_KEY)
    if key:
        return key
    key = pysecrets.token_urlsafe(48)
    _store_generated_key(config.secrets_path(), key)
    return key


def _store_generated_key(path: Path, key: str) -> None:
    """Add ``secret_key`` to the ``[orderflow]`` table of the secrets file (created if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = f'{config.secret_name(config.ENV_SECRET_KEY)} = "{key}"'
    header = f"[{config.SECRETS_TABLE}]"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    if header in (raw.strip() for raw in lines):
        at = next(i for i, raw in enumerate(lines) if raw.strip() == header)
        lines.insert(at + 1, line)
    else:
        lines += ["", header, line]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)


@lru_cache(maxsize=8)
def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_ensure_key(), salt=salt)


def sign(purpose: str, payload: Any) -> str:
    """A URL-safe token carrying ``payload``, valid only for ``purpose``."""
    return _serializer(purpose).dumps(payload)


def unsign(purpose: str, token: str, max_age: int) -> Any:
    """The payload of a valid token; AuthError when tampered, for another purpose, or expired."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise AuthError("This link has expired.", hint="Ask for a new one.") from None
    except BadSignature:
        raise AuthError("This link is not valid: it was changed or is incomplete.") from None
