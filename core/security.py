"""Signed, expiring tokens for session cookies and public links (unsubscribe, reviews), and the
encryption of stored secrets (webhook secrets of live sources) and hashing of API tokens.

The key comes from ``ORDERFLOW_SECRET_KEY`` (environment or `.streamlit/secrets.toml`); an
empty or short value is refused. When neither has it, one is generated once, atomically, into
`.streamlit/secret_key` (git-ignored, mode 600), and every process uses that one.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets as pysecrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from core import config
from core.errors import AuthError, ConfigError

SESSION_MAX_AGE = 12 * 3600
LINK_MAX_AGE = 180 * 24 * 3600
MIN_KEY_LENGTH = 16


def _ensure_key() -> str:
    """``ORDERFLOW_SECRET_KEY`` (environment or secrets file), else the generated key file.
    An empty value is refused: it would sign with a guessable key (use 32+ random characters;
    docs/security.md)."""
    key = config.get_secret(config.ENV_SECRET_KEY)
    if key is not None:
        if not key.strip():
            raise ConfigError(
                "ORDERFLOW_SECRET_KEY is set but empty.",
                hint=f"Remove it to have one generated in {key_path()}, or set at least "
                f"{MIN_KEY_LENGTH} random characters (python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))').",
            )
        return key
    return _generated_key(key_path())


def key_path() -> Path:
    """Where a generated key is kept: ``secret_key`` next to the secrets file (git-ignored)."""
    return config.secrets_path().parent / "secret_key"


def _generated_key(path: Path) -> str:
    """The key in ``path``, generated once: written to a private temporary file, then linked
    into place, which fails if another process got there first (then its key is used), so
    every process of the app signs with the same key and a half-written file is never read."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{pysecrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(pysecrets.token_urlsafe(48) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigError(
            f"The key file {path} is empty or damaged.", hint="Delete it and start again."
        )
    return key


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
