"""The composed app: a credential from the issuer verified by the verifier, same server."""

from __future__ import annotations

from pathlib import Path

from tests.appserver import AppServer, make_settings


def test_issued_credential_verifies_through_the_verifier_api(tmp_path: Path) -> None:
    server = AppServer(make_settings(tmp_path)).start()
    try:
        with server.client(headers={"Authorization": "Bearer test-issuer-token"}) as client:
            issued = client.post(
                "/api/issuer/credentials",
                json={"template": "data-analysis", "recipient": {"email": "ada@example.edu"}},
            ).json()
            body = {"credential": issued["credential"], "recipient_email": "ada@example.edu"}
            answer = client.post("/api/verifier/verify", json=body)
            assert answer.status_code == 200
            result = answer.json()
            assert result["verified"] is True
            checks = {c["id"]: c["status"] for c in result["report"]["checks"]}
            assert checks["status.revocation"] == "passed" and checks["recipient"] == "passed"
            body["recipient_email"] = "eve@example.edu"
            assert client.post("/api/verifier/verify", json=body).json()["verified"] is False
    finally:
        server.stop()
