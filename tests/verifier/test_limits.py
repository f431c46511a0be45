"""Per-client rate limits (429 problem+json with Retry-After) on verification and on
request creation, on a server configured with small limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.appserver import AppServer, make_settings
from tests.verifier.helpers import Party, signed_credential


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    data: Path = tmp_path_factory.mktemp("tight")
    srv = AppServer(make_settings(data), services=["tests.verifier.svc_tight"]).start()
    yield srv
    srv.stop()


def _is_429(response: httpx.Response) -> None:
    assert response.status_code == 429
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "rate-limited"
    assert int(response.headers["retry-after"]) >= 1


def test_verify_is_rate_limited_per_client(tight: AppServer) -> None:
    issuer = Party.new()
    vc = signed_credential(issuer, Party.new().did)
    with tight.client() as client:
        answers = [
            client.post("/credentials/verify", json={"verifiableCredential": vc}) for _ in range(3)
        ]
        assert [a.status_code for a in answers] == [200, 200, 200]
        _is_429(client.post("/api/verifier/verify", json={"credential": vc}))
        _is_429(client.post("/presentations/verify", json={"verifiablePresentation": vc}))


def test_request_creation_is_rate_limited(tight: AppServer) -> None:
    with tight.client() as client:
        first = client.post("/api/verifier/requests", json={})
        second = client.post("/api/verifier/requests", json={})
        assert first.status_code == second.status_code == 201
        _is_429(client.post("/api/verifier/requests", json={}))
        # reading a request's status is not limited by creation
        assert client.get(first.json()["status_url"]).status_code == 200
