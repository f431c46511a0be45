"""VC-API ``/credentials/verify`` and ``/presentations/verify`` on a real loopback server."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.verifier.helpers import (
    Party,
    jwt_credential,
    jwt_presentation,
    ldp_presentation,
    signed_credential,
)

VCDM = "https://www.w3.org/TR/vc-data-model#"


def _errors(body: dict[str, Any]) -> list[str]:
    return [e["check"] for e in body["errors"]]


def test_valid_credential_is_200_with_vcapi_names_and_full_report(
    client: httpx.Client, issuer: Party, holder: Party
) -> None:
    vc = signed_credential(issuer, holder.did)
    response = client.post("/credentials/verify", json={"verifiableCredential": vc})
    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is True
    assert {"proof", "syntax", "context", "validFrom", "expiration"} <= set(body["checks"])
    assert body["errors"] == [] and body["warnings"] == []
    assert body["report"]["kind"] == "credential"
    assert body["report"]["summary"]["achievement_name"] == "Teamwork"


def test_tampered_credential_is_400_with_a_cryptographic_error(
    client: httpx.Client, issuer: Party, holder: Party
) -> None:
    vc = signed_credential(issuer, holder.did)
    vc["credentialSubject"]["achievement"]["name"] = "Rocket science"
    response = client.post("/credentials/verify", json={"verifiableCredential": vc})
    assert response.status_code == 400
    body = response.json()
    assert body["verified"] is False
    assert "proof" not in body["checks"]
    proof_error = next(e for e in body["errors"] if e["check"] == "proof")
    assert proof_error["type"] == VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR"
    assert proof_error["code"] == "proof.signature-invalid"


def test_jwt_credential_posted_as_a_string(
    client: httpx.Client, issuer: Party, holder: Party
) -> None:
    token = jwt_credential(issuer, holder.did)
    good = client.post("/credentials/verify", json={"verifiableCredential": token})
    assert good.status_code == 200 and good.json()["report"]["format"].startswith("jwt")
    enveloped = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{token}",
    }
    wrapped = client.post("/credentials/verify", json={"verifiableCredential": enveloped})
    assert wrapped.status_code == 200 and wrapped.json()["verified"] is True
    head, payload, sig = token.split(".")
    forged = f"{head}.{payload}.{sig[:-4]}AAAA"
    bad = client.post("/credentials/verify", json={"verifiableCredential": forged})
    assert bad.status_code == 400 and "proof" in _errors(bad.json())


def test_options_checks_narrow_the_report_but_never_hide_a_failure(
    client: httpx.Client, issuer: Party, holder: Party
) -> None:
    vc = signed_credential(issuer, holder.did)
    narrowed = client.post(
        "/credentials/verify", json={"verifiableCredential": vc, "options": {"checks": ["proof"]}}
    )
    assert narrowed.status_code == 200 and narrowed.json()["checks"] == ["proof"]
    # The VC-API test suite's case: a required property removed, only "proof" asked for.
    broken = copy.deepcopy(vc)
    del broken["issuer"]
    response = client.post(
        "/credentials/verify",
        json={"verifiableCredential": broken, "options": {"checks": ["proof"]}},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["verified"] is False and "syntax" in _errors(body)
    # A requested check that does not apply is a warning, not a pass.
    status = client.post(
        "/credentials/verify", json={"verifiableCredential": vc, "options": {"checks": ["status"]}}
    )
    assert status.status_code == 200
    assert status.json()["checks"] == []
    assert [w["check"] for w in status.json()["warnings"]] == ["status"]


def test_unknown_option_and_bad_bodies_are_problems(
    client: httpx.Client, issuer: Party, holder: Party
) -> None:
    vc = signed_credential(issuer, holder.did)
    unknown = client.post(
        "/credentials/verify", json={"verifiableCredential": vc, "options": {"frobnicate": True}}
    )
    assert unknown.status_code == 400
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert unknown.json()["type"] == "https://www.w3.org/TR/vc-api#UNKNOWN_OPTION_PROVIDED"
    bad_check = client.post(
        "/credentials/verify", json={"verifiableCredential": vc, "options": {"checks": ["nope"]}}
    )
    assert bad_check.status_code == 400 and bad_check.json()["code"] == "vcapi.unknown-option"
    missing = client.post("/credentials/verify", json={"credential": vc})
    assert missing.status_code == 400 and missing.json()["code"] == "request.invalid"
    not_json = client.post(
        "/credentials/verify", content=b"{oops", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400 and not_json.json()["code"] == "input.not-json"
    duplicate = client.post(
        "/credentials/verify",
        content=b'{"verifiableCredential": {}, "verifiableCredential": {}}',
        headers={"content-type": "application/json"},
    )
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "input.duplicate-key"


def test_presentation_with_challenge_and_domain(
    client: httpx.Client, issuer: Party, holder: Party
) -> None:
    vc = signed_credential(issuer, holder.did)
    vp = ldp_presentation(holder, [vc], challenge="c-123", domain="jobs.example")
    options = {"challenge": "c-123", "domain": "jobs.example"}
    good = client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": options}
    )
    assert good.status_code == 200
    body = good.json()
    assert body["verified"] is True
    assert {"proof", "challenge", "domain"} <= set(body["checks"])
    assert body["report"]["nested"][0]["verified"] is True


def test_presentation_with_wrong_challenge_fails_as_a_whole(
    client: httpx.Client, issuer: Party, holder: Party
) -> None:
    vc = signed_credential(issuer, holder.did)
    vp = ldp_presentation(holder, [vc], challenge="old-challenge", domain="jobs.example")
    response = client.post(
        "/presentations/verify",
        json={
            "verifiablePresentation": vp,
            "options": {"challenge": "c-123", "domain": "jobs.example"},
        },
    )
    # VC-API: the presentation was processed, so 200, with verified false.
    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is False
    assert body["report"]["nested"][0]["verified"] is True  # the credential itself is fine
    challenge = next(e for e in body["errors"] if e["check"] == "challenge")
    assert challenge["type"] == "https://w3id.org/security#INVALID_CHALLENGE_ERROR"


def test_tampered_credential_inside_a_presentation(
    client: httpx.Client, issuer: Party, holder: Party
) -> None:
    vc = signed_credential(issuer, holder.did)
    vc["credentialSubject"]["achievement"]["name"] = "Forged"
    vp = ldp_presentation(holder, [vc])
    response = client.post("/presentations/verify", json={"verifiablePresentation": vp})
    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is False
    nested_error = next(e for e in body["errors"] if e.get("credential"))
    assert (
        nested_error["credential"] == "verifiableCredential[0]" and nested_error["check"] == "proof"
    )


def test_jwt_presentation_as_a_string(client: httpx.Client, issuer: Party, holder: Party) -> None:
    token = jwt_presentation(holder, [jwt_credential(issuer, holder.did)], nonce="n-1", aud="aud-1")
    ok = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": token, "options": {"challenge": "n-1", "domain": "aud-1"}},
    )
    assert ok.status_code == 200 and ok.json()["verified"] is True
    wrong = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": token, "options": {"challenge": "n-2"}},
    )
    assert wrong.status_code == 200 and wrong.json()["verified"] is False


def test_a_credential_is_not_a_presentation_and_vice_versa(
    client: httpx.Client, issuer: Party, holder: Party
) -> None:
    vc = signed_credential(issuer, holder.did)
    as_vp = client.post("/presentations/verify", json={"verifiablePresentation": vc})
    assert as_vp.status_code == 400 and as_vp.json()["verified"] is False
    vp = ldp_presentation(holder, [vc])
    as_vc = client.post("/credentials/verify", json={"verifiableCredential": vp})
    assert as_vc.status_code == 400
    assert "vcapi.expected-credential" in [e.get("code") for e in as_vc.json()["errors"]]
    garbage = client.post("/presentations/verify", json={"verifiablePresentation": 42})
    assert garbage.status_code == 400 and garbage.json()["verified"] is False
