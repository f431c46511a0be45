"""A real issuer on loopback (real SQLite, real HTTP) and verification through it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.did import ResolveContext
from shared.fetch import Fetcher, FetchPolicy
from shared.verification.pipeline import VerifyOptions, verify
from shared.verification.report import VerificationReport
from tests.appserver import AppServer, make_settings

TOKEN = "test-issuer-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LEARNER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


class Clock:
    """A settable clock for the server (``Settings.now``)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


class Issuer:
    """A started issuer server plus helpers to call it and verify what it issues."""

    def __init__(self, server: AppServer, clock: Clock) -> None:
        self.server = server
        self.clock = clock
        self.http = server.client(headers=AUTH)
        self.anonymous = server.client()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.settings.port}"

    def resolve(self) -> ResolveContext:
        """A fresh resolve context (no cached status lists) allowing this server only."""
        policy = FetchPolicy(allow_hosts=frozenset({self.host}))
        return ResolveContext(fetcher=Fetcher(policy, cache_ttl=0))

    async def verify(self, document: Any, **options: Any) -> VerificationReport:
        return await verify(document, options=VerifyOptions(resolve=self.resolve(), **options))

    def issue(self, template: str = "teamwork", **body: Any) -> dict[str, Any]:
        body.setdefault("recipient", {"did": LEARNER})
        response = self.http.post("/api/issuer/credentials", json={"template": template, **body})
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def close(self) -> None:
        self.http.close()
        self.anonymous.close()
        self.server.stop()


def start_issuer(tmp: Path, **overrides: Any) -> Issuer:
    clock = Clock()
    settings = make_settings(tmp, now=clock, issuer_token=TOKEN, **overrides)
    return Issuer(AppServer(settings, services=["issuer.service"]).start(), clock)


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issuer]:
    """One issuer server shared by a test module."""
    started = start_issuer(tmp_path_factory.mktemp("issuer"))
    yield started
    started.close()


def failed_ids(report: VerificationReport) -> set[str]:
    return {c.id for c in report.checks if c.status == "failed"}


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert a problem+json response with ``status``; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body
