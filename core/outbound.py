"""The one path for every outgoing HTTP call of Orderflow (webhook steps, reports to the shop,
the shop's Admin API). Nothing else in the app opens an HTTP connection.

What it guarantees, for every call:

* Only ``http`` and ``https`` URLs with a host and without credentials (``user:pass@``);
  credentials go in headers the caller sets, never in a URL that ends up in an export.
* The host name is resolved ONCE; every address it resolves to must be public (not private,
  loopback, link-local (cloud metadata lives there), shared, multicast, reserved or
  unspecified, IPv4 or IPv6, including IPv4 embedded in IPv6), unless the owner allowed that
  host in the ``outbound_allowed_hosts`` setting. The connection goes to the address that was
  checked (no second lookup, so DNS rebinding cannot swap it); ``https`` still verifies the
  certificate against the host name and sends it as SNI, and the ``Host`` header is the name.
* No redirects are followed: a 3xx is returned as an answer like any other.
* A total deadline covers name resolution, connecting, TLS, sending and reading the whole
  answer: a server that trickles one byte at a time is cut off when the deadline passes (a
  per-read timeout would not). The answer body is read up to ``max_bytes``.
* Failures raise :class:`core.errors.OutboundError` whose message is safe for the run log:
  the kind of failure only, never the remote server's words, its addresses or its body.

Callers must not hold a database transaction open across a call (the webhook step queues a
``webhook_calls`` row and :mod:`core.engine.webhooks` sends it between two short transactions).
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from core.errors import OutboundError

DEFAULT_DEADLINE = 10.0
MAX_BYTES = 1 << 20
USER_AGENT = "Orderflow/1 (+outbound)"

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, Alibaba's metadata


@dataclass(frozen=True)
class Response:
    """An answer: status, headers (lower-case names) and body (at most ``max_bytes``)."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise OutboundError("The answer is not JSON.") from None


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``address``) and what to call it (``host``)."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def parse_allowed_hosts(text: str | Collection[str]) -> frozenset[str]:
    """The owner's allow-list: host names, IP addresses or ``host:port``, comma separated."""
    items = text.replace("\n", ",").split(",") if isinstance(text, str) else text
    return frozenset(i.strip().lower().rstrip(".") for i in items if i and i.strip())


def is_public(ip: IPAddress) -> bool:
    """True for an address on the public internet; False for private, loopback, link-local,
    shared (100.64/10), multicast, reserved and unspecified ones, also when embedded in IPv6."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d reaches a.b.c.d
            return is_public(ip.ipv4_mapped)
        if any(ip in net for net in _NAT64):  # a NAT64 gateway reaches the embedded address
            return is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        embedded = ip.teredo[1] if ip.teredo else ip.sixtofour
        if embedded is not None and not is_public(embedded):
            return False
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved or ip.is_link_local:
        return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return False
    return bool(ip.is_global)


def _host_allowed(host: str, port: int, allowed: frozenset[str]) -> bool:
    shown = f"[{host}]" if ":" in host else host
    return host in allowed or f"{shown}:{port}" in allowed


def split_url(url: str) -> tuple[str, str, int, str]:
    """``(scheme, host, port, path)`` of an acceptable URL, else OutboundError (refused).
    No network: the builder uses it to check a webhook address when it is typed."""
    text = str(url or "").strip()
    if any(c in text for c in "\r\n\t\x00 "):
        raise OutboundError("The web address contains spaces or control characters.", refused=True)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise OutboundError("The web address is not valid.", refused=True) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise OutboundError(
            "Only http:// and https:// addresses can be called.", refused=True, hint="Use https://."
        )
    if "@" in parts.netloc or parts.username or parts.password:
        raise OutboundError(
            "Credentials in web addresses are refused.",
            refused=True,
            hint="Remove 'user:password@'; the receiver checks the signature header instead.",
        )
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise OutboundError("The web address has no host.", refused=True)
    try:
        host.encode("idna")
    except UnicodeError:
        raise OutboundError("The web address has an invalid host name.", refused=True) from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), path


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_address(url: str, allowed_hosts: Collection[str] = ()) -> None:
    """Refuse, without any network access, what can be refused from the text alone: a bad
    URL, credentials, or an IP-address host that is not public (unless allowed)."""
    _, host, port, _ = split_url(url)
    ip = _literal(host)
    allowed = parse_allowed_hosts(allowed_hosts)
    if ip is not None and not is_public(ip) and not _host_allowed(host, port, allowed):
        raise _not_allowed()


def _not_allowed() -> OutboundError:
    return OutboundError(
        "The address is not allowed: it is private, local or reserved.",
        refused=True,
        hint="The owner can allow this host in Settings (outbound_allowed_hosts).",
    )


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def _resolve(host: str, port: int, resolver: Resolver, remaining: float) -> list[str]:
    """The addresses of ``host``, looked up once, within ``remaining`` seconds."""
    ip = _literal(host)
    if ip is not None:
        return [str(ip)]
    box: dict[str, Any] = {}

    def lookup() -> None:
        try:
            box["addresses"] = resolver(host, port)
        except (OSError, UnicodeError) as exc:
            box["error"] = exc

    worker = threading.Thread(target=lookup, name="outbound-dns", daemon=True)
    worker.start()
    worker.join(max(0.0, remaining))
    if worker.is_alive():
        raise OutboundError("Timed out.")
    if "error" in box or not box.get("addresses"):
        raise OutboundError("The host name did not resolve.")
    return list(box["addresses"])


def resolve_target(
    url: str,
    allowed_hosts: Collection[str] = (),
    *,
    resolver: Resolver | None = None,
    deadline: float = DEFAULT_DEADLINE,
) -> Target:
    """Parse ``url``, resolve its host once and check every address it resolves to."""
    scheme, host, port, path = split_url(url)
    addresses = _resolve(host, port, resolver or system_resolver, deadline)
    if not _host_allowed(host, port, parse_allowed_hosts(allowed_hosts)):
        for text in addresses:
            ip = _literal(text.split("%", 1)[0])
            if ip is None or not is_public(ip):
                raise _not_allowed()
    return Target(scheme, host, port, path, addresses[0])


class _Pinned(http.client.HTTPConnection):
    """HTTP to a checked address; ``host`` stays the name (Host header)."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = target.address
        self.pinned: socket.socket | None = None

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pinned = self.sock


class _PinnedTLS(http.client.HTTPSConnection):
    """HTTPS to a checked address; SNI and certificate checked against the host name."""

    def __init__(self, target: Target, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self.address = target.address
        self.tls_context = context
        self.pinned: socket.socket | None = None

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        tls = self.tls_context.wrap_socket(
            raw, server_hostname=self.host, do_handshake_on_connect=False
        )
        self.sock = self.pinned = tls  # before the handshake, so the deadline can cut it
        tls.do_handshake()


def _cut(conn: http.client.HTTPConnection) -> None:
    """Unblock whatever the calling thread is waiting for on ``conn`` (the deadline passed).
    ``conn.sock`` is dropped once the answer arrives (the answer keeps reading from it), so
    the connection keeps its own reference to the socket."""
    sock = getattr(conn, "pinned", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    allowed_hosts: Collection[str] = (),
    deadline: float = DEFAULT_DEADLINE,
    max_bytes: int = MAX_BYTES,
    resolver: Resolver | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> Response:
    """Make one HTTP request under the rules above; the answer, whatever its status."""
    started = time.monotonic()
    target = resolve_target(url, allowed_hosts, resolver=resolver, deadline=deadline)
    remaining = deadline - (time.monotonic() - started)
    if remaining <= 0:
        raise OutboundError("Timed out.")
    conn: http.client.HTTPConnection
    if target.scheme == "https":
        conn = _PinnedTLS(target, remaining, tls_context or ssl.create_default_context())
    else:
        conn = _Pinned(target, remaining)
    expired = threading.Event()

    def on_deadline() -> None:
        expired.set()
        _cut(conn)

    timer = threading.Timer(remaining, on_deadline)
    timer.daemon = True
    timer.start()
    try:
        sent = {"User-Agent": USER_AGENT, "Connection": "close", **dict(headers or {})}
        conn.request(method.upper(), target.path, body=body, headers=sent)
        answer = conn.getresponse()
        data = answer.read(max_bytes + 1)
        if expired.is_set():
            raise OutboundError("Timed out.")
        if len(data) > max_bytes:
            raise OutboundError("The answer is too large.", status=answer.status)
        names = {k.lower(): v for k, v in answer.getheaders()}
        return Response(int(answer.status), names, data)
    except OutboundError:
        raise
    except ssl.SSLError:
        raise OutboundError(
            "Timed out." if expired.is_set() else "The secure connection failed."
        ) from None
    except (OSError, http.client.HTTPException, ValueError):
        if expired.is_set():
            raise OutboundError("Timed out.") from None
        if time.monotonic() - started >= deadline:
            raise OutboundError("Timed out.") from None
        raise OutboundError("The connection failed.") from None
    finally:
        timer.cancel()
        conn.close()


def post_json(
    url: str,
    payload: Any = None,
    *,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    **options: Any,
) -> Response:
    """POST JSON (``payload`` encoded, or ``data`` as given) through :func:`request`."""
    body = data if data is not None else json.dumps(payload, sort_keys=True).encode()
    sent = {"Content-Type": "application/json", **dict(headers or {})}
    return request("POST", url, body=body, headers=sent, **options)
