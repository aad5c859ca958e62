"""Signed, expiring tokens for session cookies and public links (unsubscribe, reviews), and the
encryption of stored secrets (webhook secrets of live sources) and hashing of API tokens.

The key comes from ``ORDERFLOW_SECRET_KEY`` (environment or `.streamlit/secrets.toml`). When
neither has it, one is generated once and written to `.streamlit/secrets.toml` (git-ignored).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
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


@lru_cache(maxsize=4)
def _fernet(key: str) -> Any:
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"orderflow stored secrets"
    ).derive(key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_secret(plain: str) -> str:
    """``plain`` encrypted (Fernet) with a key derived from ``ORDERFLOW_SECRET_KEY``."""
    token: bytes = _fernet(_ensure_key()).encrypt(plain.encode("utf-8"))
    return token.decode("ascii")


def decrypt_secret(stored: str) -> str:
    """The secret stored by :func:`encrypt_secret`; AuthError when the key changed."""
    from cryptography.fernet import InvalidToken

    try:
        plain: bytes = _fernet(_ensure_key()).decrypt(stored.encode("ascii"))
    except InvalidToken:
        raise AuthError(
            "A stored secret cannot be read with the current ORDERFLOW_SECRET_KEY.",
            hint="Set the secret again (Settings or `python -m core source rotate`).",
        ) from None
    return plain.decode("utf-8")


def hash_token(token: str) -> str:
    """SHA-256 of a high-entropy bearer token (only this is stored)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hmac_base64(secret: str, body: bytes) -> str:
    """Base64 of HMAC-SHA256(body) with ``secret``, as Shopify and WooCommerce sign webhooks."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def same(a: str, b: str) -> bool:
    """Constant-time comparison."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
