"""The Procfile's web process (uvicorn serving ``dashboard.app:app``) starts on loopback and
serves the dashboard, the health check, the API description and the metrics (on loopback only)
of the same st.App."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.live_server import ROOT, running, server_env


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_procfile_web_serves_the_app(tmp_path: Path) -> None:
    processes = procfile()
    assert set(processes) == {"web", "worker"}
    assert processes["worker"] == "python -m core worker"
    venv = str(Path(sys.executable).parent)  # as in a deployment: the venv's python first
    env = server_env(tmp_path, {"HOST": "127.0.0.1", "PATH": f"{venv}:{os.environ['PATH']}"})
    with running(tmp_path, env, ["sh", "-c", processes["web"]]) as server:
        with urllib.request.urlopen(f"{server.url}/", timeout=10) as page:
            assert page.status == 200 and b"<html" in page.read().lower()
        with urllib.request.urlopen(f"{server.url}/api/v1/openapi.json", timeout=10) as spec:
            assert b'"/api/v1/events"' in spec.read()
        with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as metrics:
            assert b"orderflow_queue_depth" in metrics.read()  # loopback, no proxy header
        forwarded = urllib.request.Request(
            f"{server.url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forwarded, timeout=10)
        assert refused.value.code == 401
