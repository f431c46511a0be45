"""Shared pytest fixtures."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator

import pytest

from tests.loopback import LoopbackServer, Route


@pytest.fixture
def make_loopback_server() -> Iterator[Callable[..., LoopbackServer]]:
    """Factory for started loopback servers (``make(routes, ssl_context=...)``), stopped after."""
    servers: list[LoopbackServer] = []

    def make(
        routes: dict[str, Route] | None = None, *, ssl_context: ssl.SSLContext | None = None
    ) -> LoopbackServer:
        server = LoopbackServer(routes, ssl_context=ssl_context).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def loopback_server(make_loopback_server: Callable[..., LoopbackServer]) -> LoopbackServer:
    """A started HTTP server on 127.0.0.1 with no routes yet (set ``.routes[path]``)."""
    return make_loopback_server()
