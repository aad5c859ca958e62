"""core.outbound, the one path for outgoing HTTP: address policy after DNS (IPv4 and IPv6),
credentials refused, one lookup and a pinned connection (Host and SNI keep the name), no
redirects, a total deadline against a trickling server, errors that reveal nothing remote."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from core import outbound
from core.errors import OutboundError

BLOCKED = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.100.100.200",  # Alibaba metadata (shared address space)
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
]
PUBLIC = ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "64:ff9b::5db8:d822"]


@pytest.mark.parametrize("address", BLOCKED)
def test_private_local_and_reserved_addresses_are_not_public(address: str) -> None:
    assert not outbound.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_public(address: str) -> None:
    assert outbound.is_public(ipaddress.ip_address(address))


class _Handler(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        _Handler.seen.append({"path": self.path, **dict(self.headers)})
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.end_headers()
            return
        if self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            try:
                for _ in range(100):  # one byte every 0.2 s: 20 s in all
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                return
            return
        body = b'{"ok": true, "secret": "internal-detail"}'
        self.send_response(500 if self.path == "/broken" else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    from socketserver import ThreadingMixIn

    class Threaded(ThreadingMixIn, HTTPServer):
        daemon_threads = True
        block_on_close = False

    srv = Threaded(("127.0.0.1", 0), _Handler)
    _Handler.seen = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _url(srv: HTTPServer, path: str = "/hook", host: str = "127.0.0.1") -> str:
    return f"http://{host}:{srv.server_port}{path}"


def test_loopback_refused_unless_allowed(server: HTTPServer) -> None:
    with pytest.raises(OutboundError) as refused:
        outbound.post_json(_url(server), {"a": 1})
    assert refused.value.refused and "not allowed" in str(refused.value)
    assert "127.0.0.1" not in str(refused.value) and _Handler.seen == []
    answer = outbound.post_json(_url(server), {"a": 1}, allowed_hosts={"127.0.0.1"})
    assert answer.status == 200 and answer.json() == {"ok": True, "secret": "internal-detail"}
    port_only = outbound.post_json(
        _url(server), {"a": 1}, allowed_hosts={f"127.0.0.1:{server.server_port}"}
    )
    assert port_only.ok
    with pytest.raises(OutboundError):
        outbound.post_json(_url(server), {"a": 1}, allowed_hosts={"127.0.0.1:1"})


@pytest.mark.parametrize(
    "url",
    [
        "http://user:pw@example.com/hook",
        "http://user@example.com/hook",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "http:///nohost",
        "http://exa mple.com/",
        "http://example.com:99999/",
        "http://[::1]:5432/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0:8501/",
    ],
)
def test_bad_urls_refused_before_any_network(url: str) -> None:
    def resolver(host: str, port: int) -> list[str]:
        raise AssertionError("no lookup for a URL refused by its text")

    with pytest.raises(OutboundError) as refused:
        outbound.request("POST", url, resolver=resolver if "[" not in url else None)
    assert refused.value.refused


def test_name_resolving_to_private_address_refused_and_looked_up_once(server: HTTPServer) -> None:
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)  # public first, then a private one: all must be public
        return ["93.184.216.34", "127.0.0.1"]

    with pytest.raises(OutboundError) as refused:
        outbound.post_json(_url(server, host="hooks.example"), {}, resolver=rebinding)
    assert refused.value.refused and calls == ["hooks.example"]
    assert "93.184" not in str(refused.value) and "127.0.0.1" not in str(refused.value)


def test_connects_to_the_checked_address_with_the_name_as_host(server: HTTPServer) -> None:
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    answer = outbound.post_json(
        _url(server, host="hooks.internal"),
        {"x": 1},
        resolver=resolver,
        allowed_hosts=outbound.parse_allowed_hosts("hooks.internal, other"),
    )
    assert answer.ok and calls == ["hooks.internal"]
    assert _Handler.seen[0]["Host"] == f"hooks.internal:{server.server_port}"


def test_redirects_are_not_followed(server: HTTPServer) -> None:
    answer = outbound.post_json(_url(server, "/redirect"), {}, allowed_hosts={"127.0.0.1"})
    assert answer.status == 302 and [s["path"] for s in _Handler.seen] == ["/redirect"]


def test_total_deadline_cuts_a_trickling_server(server: HTTPServer) -> None:
    """Each byte arrives well within a per-read timeout; the total deadline still ends it."""
    started = time.monotonic()
    with pytest.raises(OutboundError) as late:
        outbound.request("GET", _url(server, "/trickle"), allowed_hosts={"127.0.0.1"}, deadline=1.0)
    assert str(late.value) == "Timed out." and not late.value.refused
    assert time.monotonic() - started < 10  # the server needs 20 s to finish its answer


def test_errors_reveal_no_remote_details(server: HTTPServer) -> None:
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()  # nothing listens there now
    with pytest.raises(OutboundError) as failed:
        outbound.post_json(f"http://127.0.0.1:{port}/", {}, allowed_hosts={"127.0.0.1"})
    assert str(failed.value) == "The connection failed."

    def nowhere(host: str, port: int) -> list[str]:
        raise socket.gaierror(-2, "Name or service not known: internal.corp")

    with pytest.raises(OutboundError) as unresolved:
        outbound.post_json("https://internal.corp/x", {}, resolver=nowhere)
    assert str(unresolved.value) == "The host name did not resolve."
    with pytest.raises(OutboundError) as big:
        outbound.post_json(_url(server), {}, allowed_hosts={"127.0.0.1"}, max_bytes=5)
    assert str(big.value) == "The answer is too large."


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=hooks.internal",
            "-addext",
            "subjectAltName=DNS:hooks.internal",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_https_keeps_sni_host_and_certificate_check(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    names: list[str | None] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment,misc,return-value]
    srv = HTTPServer(("127.0.0.1", 0), _Handler)
    srv.socket = context.wrap_socket(srv.socket, server_side=True)
    _Handler.seen = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        client = ssl.create_default_context(cafile=str(cert))
        answer = outbound.post_json(
            f"https://hooks.internal:{srv.server_port}/hook",
            {},
            resolver=lambda host, port: ["127.0.0.1"],
            allowed_hosts={"hooks.internal"},
            tls_context=client,
        )
        assert answer.ok and names == ["hooks.internal"]
        assert _Handler.seen[0]["Host"] == f"hooks.internal:{srv.server_port}"
        with pytest.raises(OutboundError) as untrusted:  # the system store does not know it
            outbound.post_json(
                f"https://hooks.internal:{srv.server_port}/hook",
                {},
                resolver=lambda host, port: ["127.0.0.1"],
                allowed_hosts={"hooks.internal"},
            )
        assert str(untrusted.value) == "The secure connection failed."
    finally:
        srv.shutdown()
        srv.server_close()
