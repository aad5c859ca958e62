"""A header registry for the email policy that does not redo the same work per message.

The standard library's :class:`email.headerregistry.HeaderRegistry` builds a new class with
``type(...)`` for every header it parses (about 25 µs each, some 30 per message), and parses
the same values again and again (``MIME-Version``, the ``Content-Type`` of each part, ``From``,
``Content-Language``...). This registry makes the class of each header name once and keeps
the most recently parsed headers by name and value: header objects are immutable (a ``str``
with its parse tree), so one parsed ``Content-Type: text/plain; charset="utf-8"`` serves
every message. Headers are parsed and folded exactly as before.
"""

from __future__ import annotations

from collections import OrderedDict
from email.headerregistry import BaseHeader, HeaderRegistry
from threading import Lock

PARSED_KEPT = 256


class CachedHeaderRegistry(HeaderRegistry):
    """:class:`HeaderRegistry` with per-name classes made once and parsed headers reused."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}
        self._parsed: OrderedDict[tuple[str, str], BaseHeader] = OrderedDict()
        self._lock = Lock()

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = super().__getitem__(name)
            with self._lock:
                self._made.setdefault(key, made)
        return made

    def __call__(self, name: str, value: str) -> BaseHeader:
        if type(value) is not str:  # a parsed header or an Address: as given
            return super().__call__(name, value)
        key = (name, value)
        with self._lock:
            found = self._parsed.get(key)
            if found is not None:
                self._parsed.move_to_end(key)
                return found
        header = super().__call__(name, value)
        with self._lock:
            self._parsed[key] = header
            if len(self._parsed) > PARSED_KEPT:
                self._parsed.popitem(last=False)
        return header

    def map_to_type(self, name: str, cls: type[BaseHeader]) -> None:
        super().map_to_type(name, cls)
        with self._lock:
            self._made.pop(name.lower(), None)
            for key in [k for k in self._parsed if k[0].lower() == name.lower()]:
                del self._parsed[key]
