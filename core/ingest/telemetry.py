"""Prometheus metrics: live deliveries received and rejected (counters of this process), and
the outbox read from the database at each scrape (queue depth, oldest due message, sends and
failures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.models import Message

REGISTRY = CollectorRegistry(auto_describe=True)
RECEIVED = Counter(
    "orderflow_events_received",
    "Deliveries and API events received, by source kind and outcome.",
    ["source", "status"],
    registry=REGISTRY,
)
REJECTED = Counter(
    "orderflow_events_rejected",
    "Deliveries refused, by source kind and reason.",
    ["source", "reason"],
    registry=REGISTRY,
)


class OutboxCollector(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = dt.datetime.now(dt.UTC)
        with Session(self.engine) as session:
            states = dict(
                session.execute(select(Message.state, func.count()).group_by(Message.state)).all()
            )
            oldest = session.scalar(
                select(func.min(Message.due_at)).where(
                    Message.state == "queued", Message.due_at <= now
                )
            )
        depth = GaugeMetricFamily("orderflow_queue_depth", "Messages queued (due or not).")
        depth.add_metric([], float(states.get("queued", 0)))
        yield depth
        age = GaugeMetricFamily(
            "orderflow_oldest_due_message_age_seconds", "Age of the oldest due queued message."
        )
        age.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        yield age
        by_state = GaugeMetricFamily(
            "orderflow_messages",
            "Messages in the outbox by state (sent, failed...).",
            labels=["state"],
        )
        for state, count in sorted(states.items()):
            by_state.add_metric([str(state)], float(count))
        yield by_state


def render(engine: Engine) -> bytes:
    """The exposition text: this process's counters and the outbox gauges."""
    registry = CollectorRegistry()
    registry.register(OutboxCollector(engine))
    return generate_latest(REGISTRY) + generate_latest(registry)
