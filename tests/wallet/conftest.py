"""Wallet test fixtures: one real server (wallet + the test issuer) per module."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.appserver import AppServer, make_settings
from tests.wallet.client import LearnerClient

SERVICES = ["verifier.service", "wallet.service", "tests.wallet.issuer_double"]
_names = itertools.count()


class Clock:
    """A settable clock injected as ``Settings.now``."""

    def __init__(self) -> None:
        self.moment: datetime | None = None

    def __call__(self) -> datetime:
        return self.moment or datetime.now(UTC)


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[AppServer]:
    data: Path = tmp_path_factory.mktemp("wallet")
    settings = make_settings(data, now=clock, reverify_interval=0)
    srv = AppServer(settings, services=SERVICES).start()
    yield srv
    srv.stop()


@pytest.fixture
def learner(server: AppServer) -> Iterator[LearnerClient]:
    client = LearnerClient(server).register(f"learner{next(_names)}")
    yield client
    client.close()


@pytest.fixture
def other(server: AppServer) -> Iterator[LearnerClient]:
    client = LearnerClient(server).register(f"other{next(_names)}")
    yield client
    client.close()
