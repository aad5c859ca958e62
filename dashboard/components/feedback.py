"""Errors as messages, never tracebacks."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from core.errors import ImportRejected, OrderflowError
from dashboard.components.mdtext import md_code

log = logging.getLogger(__name__)
UNEXPECTED = (
    "Something went wrong on our side. The details are in the server log; please try again."
)


def show_error(exc: OrderflowError) -> None:
    st.error(md_code(exc), icon=":material/error:")
    if isinstance(exc, ImportRejected):
        st.dataframe(
            [
                {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason}
                for e in exc.errors
            ],
            hide_index=True,
            width="stretch",
        )


@contextmanager
def errors_shown() -> Iterator[None]:
    """Show an ``OrderflowError`` with ``st.error``; log anything else and show a short note."""
    try:
        yield
    except OrderflowError as exc:
        show_error(exc)
    except Exception:
        log.exception("unexpected error in a page")
        st.error(UNEXPECTED, icon=":material/error:")
