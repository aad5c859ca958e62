"""A webhook step's signing secret in the builder: kept outside the workflow, shown once,
rotatable (the old one stops signing at once)."""

from __future__ import annotations

import streamlit as st

from core import audit
from core.auth import Action, Actor, require
from core.engine import webhooks
from core.engine.schema import Step
from dashboard import resources
from dashboard.builder.state import Working


def webhook_secret_panel(actor: Actor, work: Working, step: Step) -> None:
    st.markdown(
        "##### Signing secret",
        help="Requests carry X-Orderflow-Signature: sha256=<hex HMAC-SHA256 of the body with "
        "this secret>. It is not part of the workflow (exports never contain it).",
    )
    show, rotate = st.columns(2)
    shown: str | None = None
    note = ""
    if show.button("Show it (once)", key=work.key(step.id, "secret_show")):
        require(actor, Action.EDIT_WORKFLOWS)
        with resources.session() as s, s.begin():
            webhooks.ensure_secrets(s, work.workflow_id, [step.id])
            shown = webhooks.reveal(s, work.workflow_id, step.id)
        note = "" if shown else "It was shown already. Rotate it to get a new one."
    if rotate.button("Rotate", key=work.key(step.id, "secret_rotate")):
        require(actor, Action.EDIT_WORKFLOWS)
        with resources.session() as s, s.begin():
            shown = webhooks.rotate_secret(s, work.workflow_id, step.id)
            audit.record(
                s, actor.name, "workflow.webhook_secret_rotate", str(work.workflow_id),
                {"step": step.id},
            )  # fmt: skip
    if shown:
        st.code(shown, language=None)
        st.caption("Copy it into the receiving system now: it is not shown again.")
    elif note:
        st.info(note, icon=":material/key:")
