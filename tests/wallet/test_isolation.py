"""Two learners: B cannot read, list, delete, share or even detect A's things (404, never 403)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.appserver import AppServer
from tests.wallet import issuer_double as issuer
from tests.wallet.client import LearnerClient


def _same_as_unknown(response: httpx.Response, unknown: httpx.Response) -> None:
    assert response.status_code == 404 == unknown.status_code
    body: dict[str, Any] = response.json()
    assert body == unknown.json()


def test_learner_b_cannot_see_or_touch_learner_a(
    server: AppServer, learner: LearnerClient, other: LearnerClient
) -> None:
    a, b = learner, other
    cid = a.add(issuer.issue(a.did or "", base_url=server.base_url, name="Private badge"))
    held = a.import_json(issuer.issue(a.did or "", base_url=server.base_url)).json()["id"]
    share = a.post("/api/wallet/shares", json={"credential_ids": [cid]}).json()
    ghost = "x" * 22

    cases = [
        ("GET", "/api/wallet/credentials/{}", {}),
        ("GET", "/api/wallet/credentials/{}/raw", {}),
        ("GET", "/api/wallet/credentials/{}/disclosable", {}),
        ("POST", "/api/wallet/credentials/{}/verify", {}),
        ("DELETE", "/api/wallet/credentials/{}", {}),
    ]
    for method, path, kwargs in cases:
        _same_as_unknown(
            b.request(method, path.format(cid), **kwargs),
            b.request(method, path.format(ghost), **kwargs),
        )
    _same_as_unknown(
        b.post(f"/api/wallet/imports/{held}/accept"), b.post(f"/api/wallet/imports/{ghost}/accept")
    )
    _same_as_unknown(
        b.delete(f"/api/wallet/imports/{held}"), b.delete(f"/api/wallet/imports/{ghost}")
    )
    _same_as_unknown(
        b.post("/api/wallet/shares", json={"credential_ids": [cid]}),
        b.post("/api/wallet/shares", json={"credential_ids": [ghost]}),
    )
    _same_as_unknown(
        b.post("/api/wallet/bundles", json={"credential_ids": [cid]}),
        b.post("/api/wallet/bundles", json={"credential_ids": [ghost]}),
    )
    for method, path in (
        ("DELETE", "/api/wallet/shares/{}"),
        ("GET", "/api/wallet/shares/{}/log"),
        ("GET", "/api/wallet/shares/{}/presentation"),
    ):
        _same_as_unknown(
            b.request(method, path.format(share["id"])), b.request(method, path.format(ghost))
        )
    assert b.get("/api/wallet/credentials").json() == []
    assert b.get("/api/wallet/credentials?q=private").json() == []
    assert b.get("/api/wallet/shares").json() == []
    assert b.get("/api/wallet/skills").json() == []
    # A still has everything, and the share still works.
    assert a.get(f"/api/wallet/credentials/{cid}").status_code == 200
    assert a.post(f"/api/wallet/imports/{held}/accept").status_code == 201
    with server.client() as anyone:
        assert anyone.get(f"/s/{share['token']}").status_code == 200
    assert a.get(f"/api/wallet/shares/{share['id']}/log").json()[-1]["user_agent"]


def test_signed_out_gets_401_everywhere(server: AppServer, learner: LearnerClient) -> None:
    cid = learner.add(issuer.issue(learner.did or "", base_url=server.base_url))
    with server.client() as anonymous:
        for path in (
            "/api/wallet/credentials",
            f"/api/wallet/credentials/{cid}",
            "/api/wallet/skills",
        ):
            assert anonymous.get(path).status_code == 401
