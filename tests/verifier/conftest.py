"""A real verifier on loopback (module-scoped), with an injected clock reset for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.fetch import FetchPolicy
from tests.appserver import AppServer, make_settings
from tests.verifier.helpers import NOW, Clock, Party


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def _reset_clock(clock: Clock) -> None:
    clock.now = NOW


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[AppServer]:
    data: Path = tmp_path_factory.mktemp("verifier")
    srv = AppServer(
        make_settings(
            data,
            now=clock,
            max_body_bytes=256 * 1024,
            fetch_policy=FetchPolicy(allow_hosts=frozenset({"127.0.0.1"})),
        ),
        services=["tests.verifier.svc_open"],
    ).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server: AppServer) -> Iterator[httpx.Client]:
    with server.client() as http:
        yield http


@pytest.fixture(scope="module")
def issuer() -> Party:
    return Party.new()


@pytest.fixture(scope="module")
def holder() -> Party:
    return Party.new()
