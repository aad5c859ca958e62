from __future__ import annotations

import pytest

from core import security
from core.errors import AuthError
from tests.tokens import tampered


def test_signed_tokens_carry_purpose_and_expire() -> None:
    token = security.sign("unsubscribe", {"c": 1})
    assert security.unsign("unsubscribe", token, 60) == {"c": 1}
    with pytest.raises(AuthError, match="not valid"):
        security.unsign("session", token, 60)
    with pytest.raises(AuthError, match="not valid"):
        security.unsign("unsubscribe", tampered(token), 60)
    with pytest.raises(AuthError, match="expired"):
        security.unsign("unsubscribe", token, -1)
