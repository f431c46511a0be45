"""VC-API issuing: status codes, the bearer token, per-suite issuers."""

from __future__ import annotations

from typing import Any

import pytest

from shared.issue import SIGNING_OPTIONS
from tests.issuer.conftest import LEARNER, Issuer, problem

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"


def _credential(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [V2, "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "credentialSubject": {"id": LEARNER, "degree": {"type": "ExampleBachelorDegree"}},
        **extra,
    }


async def test_issue_with_the_default_suite(issuer: Issuer) -> None:
    response = issuer.http.post("/credentials/issue", json={"credential": _credential()})
    assert response.status_code == 201
    vc = response.json()["verifiableCredential"]
    assert vc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert vc["id"].startswith("urn:uuid:") and "validFrom" in vc
    assert len(vc["credentialStatus"]) == 2
    report = await issuer.verify(vc)
    assert report.verified, [(c.id, c.message) for c in report.failures]
    vc["credentialSubject"]["degree"]["type"] = "ExampleMasterDegree"
    assert not (await issuer.verify(vc)).verified


def test_openapi_lists_the_issuer(issuer: Issuer) -> None:
    paths = issuer.anonymous.get("/schema/openapi.json").json()["paths"]
    assert {"/credentials/issue", "/api/issuer/credentials", "/oid4vci/token"} <= set(paths)


def test_issuers_lists_a_did_per_suite(issuer: Issuer) -> None:
    listed = issuer.anonymous.get("/issuers").json()
    default = [i for i in listed if i["default"]]
    assert len(default) == 1 and default[0]["suite"] == "eddsa-rdfc-2022"
    sandbox = {i["suite"]: i for i in listed if i["profile"] == "sandbox"}
    assert set(sandbox) == set(SIGNING_OPTIONS)
    assert sandbox["ecdsa-rdfc-2019"]["issuer"].startswith("did:key:zDn")  # P-256
    assert sandbox["eddsa-rdfc-2022"]["issuer"] == sandbox["vc+jwt"]["issuer"]


@pytest.mark.parametrize("suite", sorted(SIGNING_OPTIONS))
async def test_issue_per_suite(issuer: Issuer, suite: str) -> None:
    entry = next(
        i
        for i in issuer.anonymous.get("/issuers").json()
        if i["suite"] == suite and i["profile"] == "sandbox"
    )
    body = {"credential": _credential(issuer=entry["issuer"])}
    response = issuer.http.post(f"/issuers/{suite}/credentials/issue", json=body)
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    if suite == "vc+jwt":
        assert vc["type"] == "EnvelopedVerifiableCredential"
        assert vc["id"].startswith("data:application/vc+jwt,")
    elif suite == "ecdsa-sd-2023":
        from shared.proofs.ecdsa_sd import derive

        vc = derive(vc, ["/credentialSubject/degree"])
    else:
        assert vc["issuer"] == entry["issuer"]
    report = await issuer.verify(vc)
    assert report.verified, [(c.id, c.message) for c in report.failures]


async def test_vcdm_1_1_credential(issuer: Issuer) -> None:
    credential = {
        "@context": [V1],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": LEARNER},
    }
    response = issuer.http.post("/credentials/issue", json={"credential": credential})
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert "issuanceDate" in vc
    assert (await issuer.verify(vc)).verified


def test_mandatory_pointers_option(issuer: Issuer) -> None:
    body = {
        "credential": _credential(),
        "options": {"mandatoryPointers": ["/issuer", "/nowhere"]},
    }
    answer = issuer.http.post("/issuers/ecdsa-sd-2023/credentials/issue", json=body)
    assert problem(answer, 400)["code"] == "issue.bad-pointers"
    body["options"] = {"mandatoryPointers": ["/issuer"]}
    assert (
        issuer.http.post("/issuers/ecdsa-sd-2023/credentials/issue", json=body).status_code == 201
    )
    assert problem(issuer.http.post("/credentials/issue", json=body), 400)["code"] == (
        "issue.bad-options"
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"credential": {**_credential(), "@context": ["https://example.org/x"]}},
            "issue.bad-credential",
        ),
        ({"credential": _credential(issuer="did:example:someone-else")}, "issue.wrong-issuer"),
        ({"credential": _credential(proof={"type": "DataIntegrityProof"})}, "issue.bad-credential"),
        (
            {
                "credential": {
                    "@context": [V1],
                    "type": ["VerifiableCredential"],
                    "unknown": 1,
                    "credentialSubject": {"id": LEARNER},
                }
            },
            "jsonld.dropped-term",
        ),
        (
            {"credential": _credential(credentialSubject={"id": "learner-42"})},
            "jsonld.relative-iri",
        ),
        ({"credential": _credential(), "options": {"frobnicate": True}}, "issue.bad-options"),
        ({"credential": "not an object"}, "request.invalid"),
        ({"nothing": {}}, "request.invalid"),
    ],
)
def test_invalid_input_is_a_400_problem(issuer: Issuer, body: dict[str, Any], code: str) -> None:
    before = len(issuer.http.get("/api/issuer/credentials").json())
    assert problem(issuer.http.post("/credentials/issue", json=body), 400)["code"] == code
    assert len(issuer.http.get("/api/issuer/credentials").json()) == before  # nothing stored


def test_deeply_nested_credential_is_a_400(issuer: Issuer) -> None:
    deep: dict[str, Any] = {"id": LEARNER}
    node = deep
    for _ in range(200):
        node["x"] = {}
        node = node["x"]
    answer = issuer.http.post(
        "/credentials/issue", json={"credential": _credential(credentialSubject=deep)}
    )
    assert problem(answer, 400)["code"] == "input.too-deep"


def test_body_too_deep_for_the_json_decoder_is_a_400(issuer: Issuer) -> None:
    body = '{"credential": ' + "[" * 100_000 + "]" * 100_000 + "}"
    headers = {"content-type": "application/json"}
    for path in ("/credentials/issue", "/api/issuer/templates"):
        answer = issuer.http.post(path, content=body, headers=headers)
        assert problem(answer, 400)["code"] == "request.too-deep"


def test_unknown_suite_is_a_400(issuer: Issuer) -> None:
    answer = issuer.http.post(
        "/issuers/rsa-2048/credentials/issue", json={"credential": _credential()}
    )
    assert problem(answer, 400)["code"] == "issue.unknown-suite"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/credentials/issue"),
        ("POST", "/issuers/eddsa-rdfc-2022/credentials/issue"),
        ("POST", "/api/issuer/credentials"),
        ("GET", "/api/issuer/credentials"),
        ("POST", "/api/issuer/offers"),
        ("POST", "/api/issuer/profiles"),
        ("POST", "/api/issuer/templates"),
    ],
)
def test_writes_need_the_token(issuer: Issuer, method: str, path: str) -> None:
    body = {"credential": _credential()}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}):
        answer = issuer.anonymous.request(method, path, json=body, headers=headers)
        assert problem(answer, 401)["code"] == "auth.required"
        assert answer.headers["www-authenticate"].startswith("Bearer")
    # Reads of public documents need no token.
    assert issuer.anonymous.get("/api/issuer/templates").status_code == 200
