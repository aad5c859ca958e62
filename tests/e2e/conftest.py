"""Browser journeys: a real Orderflow server (``python -m streamlit run dashboard/app.py``) on a
free loopback port with its own SQLite database, driven by headless Debian Chromium.

Fixtures:
- ``server``: a running app with demo data (``ORDERFLOW_DEMO=1``), shared by the module;
- ``fresh_server``: a running app on an empty database (first start);
- ``owner_page``: a Playwright page logged in as the owner of ``server``;
- ``wait_idle(page)``: wait until Streamlit has finished running the script.
Screenshots go to ``artifacts/screenshots/`` (git-ignored, kept by CI for reading).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "a long owner password"

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(
            reason=f"browser tests need {CHROMIUM} (apt-get install -y chromium)"
        )
        for item in items:
            if "e2e" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, Any]:
    return {"viewport": {"width": 1280, "height": 800}, "accept_downloads": True}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    database_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path

    def cli(self, *args: str, input_text: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``python -m core ARGS`` against this server's database."""
        return subprocess.run(
            [sys.executable, "-m", "core", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            input=input_text,
            timeout=300,
        )


def _start(tmp: Path, extra_env: dict[str, str]) -> Iterator[Server]:
    port = _free_port()
    database_url = f"sqlite:///{tmp / 'orderflow.db'}"
    env = {
        **os.environ,
        "ORDERFLOW_DATABASE_URL": database_url,
        "ORDERFLOW_SECRET_KEY": "e2e-secret-key-for-browser-journeys",
        "ORDERFLOW_EMBEDDED_WORKER": "0",
        **extra_env,
    }
    env.pop("ORDERFLOW_TEST_DATABASE_URL", None)
    log = tmp / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard/app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the app did not start:\n{log.read_text()[-4000:]}")
        time.sleep(0.5)
    server = Server(url, database_url, env, process, log)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _start(tmp_path_factory.mktemp("fresh"), {})


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("demo")
    srv_iter = _start(tmp, {"ORDERFLOW_DEMO": "1"})
    srv = next(srv_iter)
    result = subprocess.run(
        [sys.executable, "-m", "core", "users", "add", OWNER_EMAIL, "--role", "owner"],
        cwd=ROOT,
        env={**srv.env, "ORDERFLOW_PASSWORD": OWNER_PASSWORD},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    result = srv.cli("settings", "set", "public_base_url", srv.url)
    assert result.returncode == 0, result.stderr
    yield srv
    with contextlib.suppress(StopIteration):
        next(srv_iter)


def wait_idle(page: Any, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished the current script run."""
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=timeout)
    page.wait_for_timeout(200)


def screenshot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def login(page: Any, url: str, email: str = OWNER_EMAIL, password: str = OWNER_PASSWORD) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/**", timeout=30_000)
    wait_idle(page)
    page.get_by_text("Signed in as").wait_for(timeout=30_000)
    # the app shows the user as signed in only once the browser stored the session cookie, so
    # opening a URL right away stays logged in
    assert "orderflow_session" in {c["name"] for c in page.context.cookies()}


@pytest.fixture
def owner_page(page: Any, server: Server) -> Any:
    login(page, server.url)
    return page


@pytest.fixture
def wait() -> Callable[[Any], None]:
    return wait_idle


@pytest.fixture(scope="session", autouse=True)
def _clean_shots() -> None:
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
