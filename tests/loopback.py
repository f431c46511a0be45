"""A tiny real HTTP(S) server on 127.0.0.1 for network tests (no mocks of the network).

Routes map a path (query ignored) to a :class:`Route` for GET and POST (POST bodies are
recorded); unknown paths answer 404. The server
counts accepted TCP connections and records every request, so tests can prove that a
refused fetch never opened a socket.
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socket import socket
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Route:
    """A canned response. ``delay`` sleeps before answering; ``send_length=False`` omits
    Content-Length and closes the connection after the body (close-delimited body)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    send_length: bool = True


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: LoopbackServer

    def get_request(self) -> tuple[socket, Any]:
        sock, address = super().get_request()
        self.owner._count_connection()
        if self.owner.ssl_context is not None:
            sock = self.owner.ssl_context.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False
            )
        return sock, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-response is expected in these tests


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer("GET", b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer("POST", self.rfile.read(min(length, 1 << 20)))

    def _answer(self, method: str, body: bytes) -> None:
        owner = self.server.owner
        path = urlsplit(self.path).path
        owner._record(
            RecordedRequest(
                method, self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
        )
        route = owner.routes.get(path, Route(status=404, body=b"not found"))
        if route.delay and owner._stopping.wait(route.delay):
            self.close_connection = True
            return
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.send_length:
            self.send_header("Content-Length", str(len(route.body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(route.body)


class LoopbackServer:
    """HTTP server on ``127.0.0.1`` (random port) serving ``routes`` from a thread.

    Pass ``ssl_context`` (a server-side context) to serve HTTPS instead.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        routes: dict[str, Route] | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.ssl_context = ssl_context
        self.requests: list[RecordedRequest] = []
        self._connections = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server((self.host, 0), _Handler)
        self._server.owner = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True
        )

    @property
    def connections(self) -> int:
        """TCP connections accepted so far."""
        with self._lock:
            return self._connections

    @property
    def netloc(self) -> str:
        """``127.0.0.1:<port>``, the form used in ``allow_hosts``."""
        return f"{self.host}:{self.port}"

    def url(self, path: str = "/", *, host: str | None = None) -> str:
        """Absolute URL of ``path`` on this server (optionally under another host name)."""
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{host or self.host}:{self.port}{path}"

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _count_connection(self) -> None:
        with self._lock:
            self._connections += 1

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)
