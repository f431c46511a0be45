"""The wallet answers the real verifier (same server): OpenID4VP and a VC-API interaction URL."""

from __future__ import annotations

from typing import Any

from shared.jose import sign_jwt_credential
from tests.appserver import AppServer
from tests.wallet import issuer_double as issuer
from tests.wallet.client import LearnerClient


def _verifier_request(server: AppServer, **body: Any) -> dict[str, Any]:
    with server.client() as employer:
        created = employer.post("/api/verifier/requests", json=body)
    assert created.status_code == 201, created.text
    result: dict[str, Any] = created.json()
    return result


def _state(server: AppServer, created: dict[str, Any]) -> dict[str, Any]:
    with server.client() as employer:  # recorded before the wallet's answer returned
        state: dict[str, Any] = employer.get(created["status_url"]).json()
    return state


def _answer(learner: LearnerClient, payload: str, pick: list[str]) -> tuple[dict[str, Any], Any]:
    resolved = learner.post("/api/wallet/requests", json={"payload": payload})
    assert resolved.status_code == 201, resolved.text
    request = resolved.json()
    refused = learner.post(
        f"/api/wallet/requests/{request['id']}/respond",
        json={"credential_ids": pick, "consent": False},
    )
    assert refused.status_code == 400  # nothing sent without consent
    sent = learner.post(
        f"/api/wallet/requests/{request['id']}/respond",
        json={"credential_ids": pick, "consent": True},
    )
    return request, sent


def test_openid4vp_request_answered_end_to_end(server: AppServer, learner: LearnerClient) -> None:
    assert learner.did
    badge = learner.add(issuer.issue(learner.did, base_url=server.base_url, name="Python"))
    created = _verifier_request(
        server, types=["OpenBadgeCredential"], purpose="Hiring: junior developer"
    )
    request, sent = _answer(learner, created["openid4vp_uri"], [badge])
    assert request["kind"] == "oid4vp"
    assert request["purpose"] == "Hiring: junior developer"
    assert "did:key:" in request["verifier"]
    assert request["matches"] == [badge]
    assert sent.status_code == 200, sent.text
    state = _state(server, created)
    assert state["state"] == "verified", state
    assert state["report"]["verified"] is True


def test_openid4vp_with_a_jwt_credential(server: AppServer, learner: LearnerClient) -> None:
    assert learner.did
    vc = issuer.ob3_credential(learner.did, base_url=server.base_url, name="JWT badge")
    badge = learner.add(sign_jwt_credential(vc, issuer.KEY, issuer.VM))
    created = _verifier_request(server, types=["OpenBadgeCredential"])
    request, sent = _answer(learner, created["openid4vp_uri"], [badge])
    assert request["matches"] == [badge]
    assert sent.status_code == 200, sent.text
    assert _state(server, created)["state"] == "verified"


def test_vcapi_interaction_url_answered_end_to_end(
    server: AppServer, learner: LearnerClient
) -> None:
    assert learner.did
    badge = learner.add(issuer.issue(learner.did, base_url=server.base_url, name="SQL"))
    created = _verifier_request(server, types=["AchievementCredential"], purpose="Data role")
    request, sent = _answer(learner, created["interaction_url"], [badge])
    assert request["kind"] == "vcapi" and request["matches"] == [badge]
    assert request["wanted"][0]["types"] == ["AchievementCredential"]
    assert sent.status_code == 200, sent.text
    state = _state(server, created)
    assert state["state"] == "verified", state


def test_declined_request_sends_nothing(server: AppServer, learner: LearnerClient) -> None:
    assert learner.did
    learner.add(issuer.issue(learner.did, base_url=server.base_url))
    created = _verifier_request(server, types=["OpenBadgeCredential"])
    resolved = learner.post("/api/wallet/requests", json={"payload": created["openid4vp_uri"]})
    assert learner.delete(f"/api/wallet/requests/{resolved.json()['id']}").status_code == 200
    assert _state(server, created)["state"] == "pending"
