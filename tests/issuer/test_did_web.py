"""did:web profiles: DID documents served by the server, credentials verified through them."""

from __future__ import annotations

import copy

from shared.did import resolve_did
from tests.issuer.conftest import Issuer, problem


def _create(issuer: Issuer, **body: object) -> dict[str, object]:
    answer = issuer.http.post("/api/issuer/profiles", json=body)
    assert answer.status_code == 201, answer.text
    result: dict[str, object] = answer.json()
    return result


async def test_did_web_profile_issues_verifiable_credentials(issuer: Issuer) -> None:
    # The sandbox profile exists (made on first use) and stays the default.
    assert issuer.anonymous.get("/api/issuer/profiles").json()[0]["slug"] == "sandbox"
    profile = _create(
        issuer,
        name="Riverbend Career Office",
        slug="career-office",
        did_method="web",
        url="https://careers.riverbend.example",
        email="careers@riverbend.example",
    )
    assert profile["did_method"] == "web" and profile["default"] is False
    port = issuer.server.settings.port
    did = f"did:web:127.0.0.1%3A{port}:issuers:career-office"
    document = issuer.anonymous.get("/issuers/career-office/did.json").json()
    assert document["@context"][0] == "https://www.w3.org/ns/did/v1"
    assert document["id"] == did
    assert len(document["verificationMethod"]) == 3
    assert await resolve_did(did, issuer.resolve()) == document

    for suite in ("eddsa-rdfc-2022", "ecdsa-rdfc-2019-p384", "vc+jwt"):
        credential = issuer.issue(profile="career-office", suite=suite)["credential"]
        report = await issuer.verify(credential)
        assert report.verified, (suite, [(c.id, c.message) for c in report.failures])
        if isinstance(credential, dict):
            assert credential["issuer"]["id"] == did
            assert credential["issuer"]["name"] == "Riverbend Career Office"
            tampered = copy.deepcopy(credential)
            tampered["issuer"]["name"] = "Someone Else"
            assert not (await issuer.verify(tampered)).verified


async def test_root_did_web_at_well_known(issuer: Issuer) -> None:
    assert problem(issuer.anonymous.get("/.well-known/did.json"), 404)
    _create(issuer, name="Root Issuer", slug="root", did_method="web", web_root=True)
    did = f"did:web:127.0.0.1%3A{issuer.server.settings.port}"
    document = issuer.anonymous.get("/.well-known/did.json").json()
    assert document["id"] == did
    credential = issuer.issue(profile="root", suite="ecdsa-jcs-2019")["credential"]
    assert credential["issuer"]["id"] == did
    assert (await issuer.verify(credential)).verified
    # One root only; a did:key profile cannot be it.
    again = issuer.http.post(
        "/api/issuer/profiles", json={"name": "Other", "did_method": "web", "web_root": True}
    )
    assert problem(again, 409)["code"] == "issuer.web-root-taken"
    wrong = issuer.http.post("/api/issuer/profiles", json={"name": "K", "web_root": True})
    assert problem(wrong, 400)["code"] == "issuer.bad-profile"


def test_key_profile_has_no_did_document(issuer: Issuer) -> None:
    assert problem(issuer.anonymous.get("/issuers/sandbox/did.json"), 404)
    assert problem(
        issuer.http.post("/api/issuer/profiles", json={"name": "x", "slug": "Bad Slug"}), 400
    )


def test_profile_fields_are_checked(issuer: Issuer) -> None:
    for field, value in (("url", "careers"), ("image", "javascript:alert(1)"), ("email", "nobody")):
        answer = issuer.http.post("/api/issuer/profiles", json={"name": "P", field: value})
        body = problem(answer, 400)
        assert body["code"] == "issuer.bad-profile" and body["details"]["field"] == field
    made = issuer.http.post(
        "/api/issuer/profiles",
        json={"name": "Pictured", "image": "https://riverbend.example/logo.png"},
    )
    assert made.status_code == 201
    credential = issuer.issue(profile="pictured")["credential"]
    assert credential["issuer"]["image"] == {
        "id": "https://riverbend.example/logo.png",
        "type": "Image",
    }
