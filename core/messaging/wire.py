"""An email's bytes for SMTP, as ``msg.as_bytes(policy=...)`` writes them, with less work.

``wire_bytes(msg, policy)`` gives what ``msg.as_bytes(policy=policy)`` gives (the standard
library's generator writes them) but skips two costs that repeat for every message:

- Folding headers: the header objects that :class:`core.messaging.headers.CachedHeaderRegistry`
  shares between messages (``MIME-Version``, each part's ``Content-Type`` and
  ``Content-Transfer-Encoding``, ``From``, ``Content-Language``...) keep their folded line per
  policy, so each is folded once instead of once per message.
- The multipart boundary: the generator checks a new random boundary against the parts with a
  regular expression compiled for that boundary (a cache miss every time); here the same kind
  of boundary is set on the message before writing (the generator keeps it) and checked by
  counting its delimiter lines in the output.
"""

from __future__ import annotations

import random
import sys
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.policy import EmailPolicy, Policy
from io import BytesIO
from typing import Any

_FOLDED = "_orderflow_folded"  # attribute of a header object: {policy fields: folded bytes}


class FoldOncePolicy(EmailPolicy):
    """An :class:`EmailPolicy` whose ``fold_binary`` keeps each header object's result: a
    header object is immutable, and its folded form depends only on the fields in the key."""

    def fold_binary(self, name: str, value: Any) -> bytes:
        kept = getattr(value, "__dict__", None)
        if kept is None or not hasattr(value, "name"):  # a plain string: folded as usual
            return super().fold_binary(name, value)
        key = (self.linesep, self.max_line_length, self.utf8)
        folds = kept.setdefault(_FOLDED, {})
        folded: bytes | None = folds.get(key)
        if folded is None:
            folded = folds[key] = super().fold_binary(name, value)
        return folded


def _boundary() -> str:
    """A boundary of the generator's own form: 15 ``=``, a random 19-digit number, ``==``."""
    return "=" * 15 + f"{random.randrange(sys.maxsize):0{_WIDTH}d}" + "=="


_WIDTH = len(repr(sys.maxsize - 1))
_BASE = FoldOncePolicy()


def wire_bytes(msg: EmailMessage, policy: Policy) -> bytes:
    """``msg.as_bytes(policy=policy)`` (see the module docstring). Every multipart without a
    boundary gets one, kept only when its delimiter line occurs exactly as often in the output
    as the generator writes it (once per part, plus the closing one): a part that contained it
    would add one, and then all are drawn again."""
    fast = _BASE.clone(**vars(policy))
    open_parts = [p for p in msg.walk() if p.is_multipart() and p.get_boundary() is None]
    while True:
        chosen = [(part, _boundary()) for part in open_parts]
        for part, boundary in chosen:
            part.set_boundary(boundary)
        out = BytesIO()
        BytesGenerator(out, mangle_from_=False, policy=fast).flatten(msg, unixfrom=False)
        wire = out.getvalue()
        if all(
            wire.count(f"--{boundary}".encode()) == len(part.get_payload()) + 1
            for part, boundary in chosen
        ):
            return wire
