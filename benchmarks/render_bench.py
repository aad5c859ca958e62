"""Messages rendered per second for ``review_request`` on one core.

Templates are compiled (and CSS inlined) once when saved; each message only builds its context
and renders subject, preheader, HTML and text. Prints three figures:
- render only (contexts built beforehand): the template engine's throughput;
- render + context from prepared rows (what a worker batch does after loading its orders);
- ``render_for`` end to end, one database round trip set per message (SQLite).

Run: ``python benchmarks/render_bench.py [--messages 4000]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("ORDERFLOW_SECRET_KEY", "bench-secret")

from sqlalchemy.orm import Session

from core import db
from core import settings as store_settings
from core.auth import Actor
from core.messaging import library
from core.messaging.context import build_context
from core.messaging.render import compiled_translation, render_for, render_message
from core.messaging.stored import pick_translation
from core.models import Customer, Order
from tests.core.messaging.conftest import LOCALES, build_shop

NAME = "review_request"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=4000)
    n = parser.parse_args().messages
    folder = tempfile.mkdtemp(prefix="render-bench-")
    engine = db.make_engine(f"sqlite:///{folder}/bench.db")
    db.migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        shop = build_shop(session)
        library.ensure_library(session, Actor.cli())
        session.commit()
        settings = store_settings.load(session)
        targets = [(shop.customers[loc], shop.orders[loc]) for loc in LOCALES]
        compiled = {
            loc: compiled_translation(pick_translation(session, NAME, loc)) for loc in LOCALES
        }
        contexts = [
            (
                compiled[c.locale or "en"],
                build_context(
                    session,
                    settings,
                    c,
                    o,
                    c.locale or "en",
                    {"message_id": 1},
                    roots=compiled[c.locale or "en"].roots,
                ),
            )
            for c, o in targets
        ]
        started = time.perf_counter()
        for i in range(n):
            template, context = contexts[i % len(contexts)]
            render_message(template, context, name=NAME, category="marketing")
        render_only = n / (time.perf_counter() - started)

        rows = [(session.get(Customer, c.id), session.get(Order, o.id)) for c, o in targets]
        started = time.perf_counter()
        for i in range(n // 4):
            customer, order = rows[i % len(rows)]
            assert customer is not None
            template = compiled[customer.locale or "en"]
            context = build_context(
                session,
                settings,
                customer,
                order,
                customer.locale or "en",
                {"message_id": i},
                roots=template.roots,
            )
            render_message(template, context, name=NAME, category="marketing")
        with_context = (n // 4) / (time.perf_counter() - started)

        started = time.perf_counter()
        for i in range(n // 8):
            customer, order = targets[i % len(targets)]
            render_for(
                session, NAME, customer_id=customer.id, order_id=order.id, extra={"message_id": i}
            )
        end_to_end = (n // 8) / (time.perf_counter() - started)
    print(f"review_request, {len(LOCALES)} locales, compiled once:")
    print(f"  render only (prepared contexts):     {render_only:8.0f} messages/s")
    print(f"  context + render (prepared rows):    {with_context:8.0f} messages/s")
    print(f"  render_for end to end (SQLite):      {end_to_end:8.0f} messages/s")


if __name__ == "__main__":
    main()
