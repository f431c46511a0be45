"""Answering a verifier's VC-API request: who asks for what and why, consent, then send."""

from __future__ import annotations

from tests.appserver import AppServer
from tests.wallet import issuer_double as doubles
from tests.wallet.client import LearnerClient


def test_answer_vcapi_request_with_consent(server: AppServer, learner: LearnerClient) -> None:
    assert learner.did
    badge = learner.add(doubles.issue(learner.did, base_url=server.base_url, name="Forklift"))
    clr = learner.post("/api/wallet/bundles", json={"credential_ids": [badge]}).json()
    url = server.url("/verifier-double/interact/job-7?iuv=1")
    resolved = learner.post("/api/wallet/requests", json={"payload": url})
    assert resolved.status_code == 201, resolved.text
    request = resolved.json()
    assert request["verifier"] == server.base_url
    assert request["purpose"] == "We check applicants' badges."
    assert request["wanted"] == [
        {"types": ["OpenBadgeCredential"], "reason": "We check applicants' badges."}
    ]
    assert request["matches"] == [badge]  # the CLR is not an OpenBadgeCredential
    # No consent: nothing is sent.
    refused = learner.post(
        f"/api/wallet/requests/{request['id']}/respond",
        json={"credential_ids": [badge], "consent": False},
    )
    assert refused.status_code == 400 and refused.json()["code"] == "request.no-consent"
    assert "job-7" not in doubles.RECEIVED
    # Only matching credentials may be sent.
    wrong = learner.post(
        f"/api/wallet/requests/{request['id']}/respond",
        json={"credential_ids": [clr["credential_id"]], "consent": True},
    )
    assert wrong.status_code == 422 and "job-7" not in doubles.RECEIVED
    sent = learner.post(
        f"/api/wallet/requests/{request['id']}/respond",
        json={"credential_ids": [badge], "consent": True},
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["result"]["verified"] is True
    received = doubles.RECEIVED["job-7"]
    assert received["report"].verified  # challenge and domain from the request
    assert received["presentation"]["holder"] == learner.did
    again = learner.post(
        f"/api/wallet/requests/{request['id']}/respond",
        json={"credential_ids": [badge], "consent": True},
    )
    assert again.status_code == 409


def test_requests_are_private_and_declinable(
    server: AppServer, learner: LearnerClient, other: LearnerClient
) -> None:
    url = server.url("/verifier-double/interact/job-8?iuv=1")
    request = learner.post("/api/wallet/requests", json={"payload": url}).json()
    assert other.get(f"/api/wallet/requests/{request['id']}").status_code == 404
    assert (
        other.post(
            f"/api/wallet/requests/{request['id']}/respond",
            json={"credential_ids": [], "consent": True},
        ).status_code
        == 404
    )
    assert learner.delete(f"/api/wallet/requests/{request['id']}").status_code == 200
    assert learner.get(f"/api/wallet/requests/{request['id']}").json()["state"] == "declined"
    assert learner.post("/api/wallet/requests", json={"payload": "hello"}).status_code == 400
    malformed = learner.post(
        "/api/wallet/requests", json={"payload": "openid4vp://?request_uri=https%3A%2F%2Fv.example"}
    )
    assert malformed.status_code == 400  # no client_id
    assert malformed.json()["code"] == "oid4vp.not-a-request"
