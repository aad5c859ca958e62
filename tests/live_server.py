"""Start an Orderflow server process on a free loopback port and wait for ``/healthz``.

Used by the live-shop journey, the API fuzzing and the Procfile test (no browser needed)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parents[1]
STREAMLIT = (
    "-m streamlit run dashboard/app.py --server.address 127.0.0.1 --server.headless true "
    "--browser.gatherUsageStats false --server.fileWatcherType none --server.port {port}"
)


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    log: Path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "core", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )


def server_env(tmp: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "ORDERFLOW_DATABASE_URL": f"sqlite:///{tmp / 'orderflow.db'}",
        "ORDERFLOW_SECRET_KEY": "live-test-secret",
        "ORDERFLOW_EMBEDDED_WORKER": "1",
        **(extra or {}),
    }
    env.pop("ORDERFLOW_TEST_DATABASE_URL", None)
    return env


@contextmanager
def running(
    tmp: Path, env: dict[str, str], argv: Sequence[str] | None = None, port: int | None = None
) -> Iterator[LiveServer]:
    """Run ``argv`` (default: the README's ``python -m streamlit run dashboard/app.py``) with
    ``{port}`` filled in, until ``/healthz`` answers; stop it afterwards."""
    port = port or free_port()
    args = [a.replace("{port}", str(port)) for a in (argv or [sys.executable, *STREAMLIT.split()])]
    log = tmp / f"server-{port}.log"
    with log.open("wb") as out:
        # its own process group: a command run through a shell (the Procfile's) leaves its
        # server as a child of sh, which a signal to sh alone would orphan
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**env, "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()[-4000:]}")
            time.sleep(0.3)
        yield LiveServer(url, env, log)
    finally:
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        _signal_group(process, signal.SIGKILL)  # anything of the group still left


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)
