"""Tampering with signed tokens in tests.

A signature's last base64 character carries bits the decoder ignores, so replacing the tail
with fixed characters sometimes leaves the signature as it was (a test that expected a refusal
then failed about once in a thousand runs). :func:`tampered` changes a character whose six bits
all count."""


def tampered(token: str) -> str:
    """``token`` with one fully significant character of its signature changed."""
    at = len(token) - 5
    changed = "B" if token[at] == "A" else "A"
    return token[:at] + changed + token[at + 1 :]
