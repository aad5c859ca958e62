"""schemathesis against ``/api/v1/openapi.json`` on a running server (the README's command, on
loopback): generated batches, valid and not, never get a 5xx. Deterministic (fixed seed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.live_server import ROOT, running, server_env

EXAMPLES = "150"


def test_event_api_has_no_server_errors(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    with running(tmp_path, env) as server:
        added = server.cli("source", "add", "api", "--name", "fuzz", "--json")
        assert added.returncode == 0, added.stderr
        token = json.loads(added.stdout)["token"]
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                f"{server.url}/api/v1/openapi.json",
                "--url",
                server.url,
                "--checks",
                "not_a_server_error",
                "--header",
                f"Authorization: Bearer {token}",
                "--max-examples",
                EXAMPLES,
                "--seed",
                "20261201",
                "--generation-deterministic",
                "--request-timeout",
                "30",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        log = server.log.read_text(errors="replace")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:] + log[-6000:]
    assert "No issues found" in result.stdout and "generated" in result.stdout
