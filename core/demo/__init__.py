"""The demo shop: a seeded, deterministic European store over 24 months.

``load(engine, DemoOptions(...))`` generates it with numpy and writes it in bulk;
``clear(engine, actor)`` removes exactly the demo rows (``clear_report`` says how many per
table, ``demo_counts`` how many clearing would remove); ``is_demo_loaded(session)`` tells the
dashboard to show its demo banner.
"""

from core.demo.cleanup import demo_counts
from core.demo.service import (
    DemoOptions,
    DemoSummary,
    clear,
    clear_report,
    is_demo_loaded,
    load,
)

__all__ = [
    "DemoOptions",
    "DemoSummary",
    "clear",
    "clear_report",
    "demo_counts",
    "is_demo_loaded",
    "load",
]
