"""What holds a definition being edited (the builder's ``Working`` copy is one; another page
passes its own, e.g. a delivery option's eligibility rules). Its own module, so the builder's
state and the condition vocabulary can both name it without importing each other."""

from __future__ import annotations

from typing import Any, Protocol


class Holder(Protocol):
    """A definition being edited: ``key`` makes widget keys, ``edit`` stores a change
    (``structural`` when widgets must be drawn afresh), ``notice`` says why a change failed."""

    definition: Any
    notice: str

    def key(self, *parts: object) -> str: ...

    def edit(self, definition: Any, *, structural: bool = False) -> None: ...
