"""Orderflow's entrypoint: `python -m streamlit run dashboard/app.py`.

Run by the server, this module is imported (``__name__ != "__main__"``) and builds the ``st.App``:
the dashboard plus the Starlette routes for session cookies and public links, and a lifespan that
prepares the database and runs the embedded worker. Run as the Streamlit script, it draws the
dashboard.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

if __name__ == "__main__":
    from dashboard.shell import run

    run()
else:
    from dashboard.routes import all_routes
    from dashboard.server import lifespan

    app = st.App(str(Path(__file__).resolve()), routes=all_routes(), lifespan=lifespan)
