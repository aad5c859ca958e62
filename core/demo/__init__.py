"""The demo shop: a seeded, deterministic European store over 24 months.

``load(engine, DemoOptions(...))`` generates it with numpy and writes it in bulk;
``clear(engine, actor)`` removes exactly the demo rows; ``is_demo_loaded(session)`` tells the
dashboard to show its demo banner.
"""

from core.demo.service import DemoOptions, DemoSummary, clear, is_demo_loaded, load

__all__ = ["DemoOptions", "DemoSummary", "clear", "is_demo_loaded", "load"]
