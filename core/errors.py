"""The one exception tree of Orderflow.

Every error a user can cause derives from :class:`OrderflowError`. Each carries a message that
says what is wrong, and, where it helps, the ``field`` it concerns and a ``hint`` saying what to
do. Pages catch ``OrderflowError`` and show it with ``st.error``; the CLI prints it and exits 1.

OrderflowError
  ValidationError        bad input in a form field, a setting, a rule or a template
    TemplateError        a template that does not parse or render
    WorkflowError        a workflow definition that does not validate
  ImportRejected         a CSV file with rejected rows (carries every row error)
  PermissionDenied       the acting user's role may not do this
  AuthError              wrong email or password, expired or tampered session or link
  NotFound               a referenced order, customer, template or workflow does not exist
  ConflictError          an optimistic version check failed (someone else saved first)
  ConfigError            the environment or secrets are wrong (database URL, SMTP)
  DeliveryError          a message could not be handed to the mail server
  OutboundError          an outgoing HTTP call was refused or failed (core.outbound)
"""

from __future__ import annotations

from dataclasses import dataclass

FIELD_LABELS: dict[str, str] = {
    "email": "Email",
    "password": "Password",
    "role": "Role",
    "name": "Name",
    "locale": "Language",
    "html": "HTML body",
    "text": "Plain-text body",
    "subject": "Subject",
    "nps": "Recommendation score (NPS)",
    "period": "Period",
}
"""Words a merchant reads for internal field names; modules add their own (settings do)."""


def field_label(field: str) -> str:
    """``exchange_rates.PLN`` -> ``Exchange rates to the store currency (PLN)``; an unknown
    name reads as words (``opening_hours`` -> ``Opening hours``)."""
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    head, _, rest = field.partition(".")
    if rest and head in FIELD_LABELS:
        return f"{FIELD_LABELS[head]} ({rest})"
    return field.replace(".", " ").replace("_", " ").strip().capitalize()


class OrderflowError(Exception):
    """Root of every error Orderflow raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.hint = hint

    def __str__(self) -> str:
        text = self.message
        label = field_label(self.field) if self.field else ""
        if self.field and self.field not in text and label not in text:
            text = f"{label}: {text}"
        if self.hint:
            text = f"{text} {self.hint}"
        return text


class ValidationError(OrderflowError):
    """Bad input: a form field, a setting value, a rule or a template."""


class TemplateError(ValidationError):
    """A template that does not parse, uses unknown variables, or fails to render."""


class WorkflowError(ValidationError):
    """A workflow definition that does not validate; ``problems`` lists every issue."""

    def __init__(self, message: str, problems: list[object] | None = None, **kw: str | None):
        super().__init__(message, **kw)
        self.problems = problems or []


@dataclass(frozen=True)
class RowError:
    """One rejected value of an imported file: 1-based data row number as the file numbers it
    (the header is row 1), the column, the value read, and why it was rejected."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"row {self.row}, column {self.column!r}, value {shown!r}: {self.reason}"


class ImportRejected(OrderflowError):
    """A file with bad rows: nothing was written. ``errors`` lists every rejected row."""

    def __init__(self, message: str, errors: list[RowError]):
        super().__init__(message, hint="Fix these rows and import the file again.")
        self.errors = errors


class PermissionDenied(OrderflowError):
    """The acting user's role may not perform this action."""


class AuthError(OrderflowError):
    """Wrong credentials, an expired session, or a tampered signed link."""


class NotFound(OrderflowError):
    """A referenced object does not exist."""


class ConflictError(OrderflowError):
    """Someone else saved a newer version first (optimistic concurrency)."""


class ConfigError(OrderflowError):
    """The environment, secrets file or settings are not usable."""


class DeliveryError(OrderflowError):
    """A message could not be handed over to the mail server."""

    def __init__(self, message: str, *, permanent: bool, code: int | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class OutboundError(OrderflowError):
    """An outgoing HTTP call (core.outbound) was refused before it left, or failed.

    The message is safe for the run log: it names the kind of failure ("timed out", "address
    not allowed", "HTTP 500"), never the remote server's words, addresses or body. ``refused``
    is True when the call was refused by policy (retrying cannot help); ``status`` is the HTTP
    status when the server answered."""

    def __init__(
        self,
        message: str,
        *,
        refused: bool = False,
        status: int | None = None,
        hint: str | None = None,
    ):
        super().__init__(message, hint=hint)
        self.refused = refused
        self.status = status
