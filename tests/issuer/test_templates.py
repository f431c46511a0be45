"""Templates: OB 3.0 fields required (the error names the field), schema conformance,
the CLR 2.0 bundle, and template errors over HTTP."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from issuer.catalog import TEMPLATES
from shared.ob3 import (
    OB_SCHEMA,
    TemplateError,
    achievement_credential,
    check_conformance,
    check_template,
    claim_schema,
    email_identity,
    recipient_subject,
)
from shared.schema import validate_credential_schemas
from tests.issuer.conftest import LEARNER, Issuer, problem

GOOD: dict[str, Any] = {
    "id": "public-speaking",
    "name": "Public Speaking",
    "achievement": {
        "type": ["Achievement"],
        "name": "Public Speaking",
        "description": "Speaks to an audience with confidence.",
        "criteria": {"narrative": "Give three talks."},
    },
}


def _without(path: str) -> dict[str, Any]:
    template = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    node = template
    for part in parents:
        node = node[part]
    del node[last]
    return template


@pytest.mark.parametrize(
    "field",
    [
        "achievement.name",
        "achievement.description",
        "achievement.criteria",
        "achievement.type",
        "achievement",
        "name",
    ],
)
def test_missing_required_field_is_named(field: str) -> None:
    with pytest.raises(TemplateError) as err:
        check_template(_without(field))
    assert err.value.details["field"] == field
    assert field in err.value.message


def test_alignment_needs_its_target() -> None:
    template = copy.deepcopy(GOOD)
    template["achievement"]["alignment"] = [{"type": ["Alignment"], "targetName": "Teamwork"}]
    with pytest.raises(TemplateError) as err:
        check_template(template)
    assert err.value.details["field"] == "achievement.alignment[0].targetUrl"


def test_schema_violation_is_reported() -> None:
    template = copy.deepcopy(GOOD)
    template["achievement"]["achievementType"] = "NotAType"
    with pytest.raises(TemplateError) as err:
        check_template(template)
    assert err.value.code == "template.schema"
    assert "achievementType" in err.value.message


@pytest.mark.parametrize("template_id", [t for t, v in TEMPLATES.items() if v["kind"] != "clr"])
def test_built_in_templates_match_the_ob3_schema(template_id: str) -> None:
    template = TEMPLATES[template_id]
    check_template(template)
    document = claim_schema(
        achievement_credential(
            template,
            issuer={"id": "did:example:issuer", "name": "Issuer"},
            subject=recipient_subject(did=LEARNER, email="ada@example.edu", name="Ada"),
            credential_id="urn:uuid:6d0c5ae4-1b1b-4a5b-8f33-3b8e3c2b0f6e",
            valid_from="2025-01-01T00:00:00Z",
        )
    )
    outcomes = validate_credential_schemas(document)
    assert [(o.schema_id, o.status) for o in outcomes] == [(OB_SCHEMA, "passed")]
    broken = copy.deepcopy(document)
    del broken["credentialSubject"]["achievement"]["criteria"]
    assert validate_credential_schemas(broken)[0].status == "failed"
    with pytest.raises(TemplateError):
        check_conformance(broken)


def test_email_identity_is_a_salted_hash() -> None:
    identity = email_identity(" Ada@Example.edu ", salt="pepper")
    import hashlib

    expected = hashlib.sha256(b"ada@example.edupepper").hexdigest()
    assert identity["identityHash"] == "sha256$" + expected
    assert identity["identityType"] == "emailAddress" and identity["hashed"] is True


def test_template_errors_over_http(issuer: Issuer) -> None:
    answer = issuer.http.post("/api/issuer/templates", json=_without("achievement.criteria"))
    body = problem(answer, 400)
    assert body["code"] == "template.missing-field"
    assert body["details"]["field"] == "achievement.criteria"
    assert "achievement.criteria" in body["detail"]
    created = issuer.http.post("/api/issuer/templates", json=GOOD)
    assert created.status_code == 201
    assert created.json()["id"] == "public-speaking"
    assert problem(issuer.http.post("/api/issuer/templates", json=GOOD), 409)
    odd = {**GOOD, "id": "../Not An Id"}
    assert (
        problem(issuer.http.post("/api/issuer/templates", json=odd), 400)["details"]["field"]
        == "id"
    )
    listed = [t["id"] for t in issuer.anonymous.get("/api/issuer/templates").json()]
    assert "public-speaking" in listed and "teamwork" in listed


async def test_added_template_issues_and_verifies(issuer: Issuer) -> None:
    if "public-speaking" not in [t["id"] for t in issuer.http.get("/api/issuer/templates").json()]:
        issuer.http.post("/api/issuer/templates", json=GOOD)
    issued = issuer.issue("public-speaking", recipient={"email": "ada@example.edu", "name": "Ada"})
    credential = issued["credential"]
    subject = credential["credentialSubject"]
    assert "id" not in subject and subject["identifier"][0]["identityType"] == "emailAddress"
    assert subject["name"] == "Ada"
    assert (await issuer.verify(credential)).verified
    # The pipeline confirms the hashed recipient (the issuer hashes the address lower-cased).
    confirmed = await issuer.verify(credential, recipient_email="ada@example.edu")
    assert confirmed.verified and confirmed.check("recipient").status == "passed"  # type: ignore[union-attr]
    other = await issuer.verify(credential, recipient_email="eve@example.edu")
    assert not other.verified and other.check("recipient").code == "recipient.mismatch"  # type: ignore[union-attr]


def test_issue_request_errors(issuer: Issuer) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"template": "nope", "recipient": {"did": LEARNER}}, 404, "issuer.no-template"),
        ({"template": "teamwork", "recipient": {}}, 400, "recipient.missing"),
        ({"template": "teamwork", "recipient": {"did": "not a did"}}, 400, "recipient.invalid"),
        (
            {"template": "teamwork", "recipient": {"did": LEARNER}, "suite": "x"},
            400,
            "issue.unknown-suite",
        ),
        (
            {
                "template": "teamwork",
                "recipient": {"did": LEARNER},
                "format": "jwt",
                "suite": "ecdsa-rdfc-2019",
            },
            400,
            "issue.bad-format",
        ),
        (
            {"template": "teamwork", "recipient": {"did": LEARNER}, "valid_until": "tomorrow"},
            400,
            "issue.bad-date",
        ),
        (
            {
                "template": "teamwork",
                "recipient": {"did": LEARNER},
                "valid_until": "2001-01-01T00:00:00Z",
            },
            400,
            "issue.bad-date",
        ),
        ({"template": "teamwork"}, 400, "request.invalid"),
        (
            {"template": "teamwork", "recipient": {"did": LEARNER}, "extra": 1},
            400,
            "request.invalid",
        ),
    ]
    for body, status, code in cases:
        assert (
            problem(issuer.http.post("/api/issuer/credentials", json=body), status)["code"] == code
        )


async def test_clr_bundles_signed_achievements(issuer: Issuer) -> None:
    issued = issuer.issue("career-readiness-record", recipient={"did": LEARNER, "name": "Ada"})
    clr = issued["credential"]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = clr["credentialSubject"]
    members = subject["verifiableCredential"]
    assert len(members) == 3
    assert {m["issuer"]["id"] for m in members} == {clr["issuer"]["id"]}
    achievement_ids = {m["credentialSubject"]["achievement"]["id"] for m in members}
    program = subject["achievement"][0]["id"]
    links = subject["association"]
    assert {
        (a["associationType"], a["targetId"]) for a in links if a["sourceId"] in achievement_ids
    } >= {("isChildOf", program)}
    check_conformance(clr)
    report = await issuer.verify(clr)
    assert report.verified, [(c.id, c.message) for c in report.failures]
    for member in members:
        assert (await issuer.verify(member)).verified
    # The bundled credentials are recorded (and revocable) on their own.
    records = issuer.http.get("/api/issuer/credentials").json()
    children = [r for r in records if r["parent"] == issued["id"]]
    assert len(children) == 3
    assert len(report.nested) == 3 and all(n.verified for n in report.nested)
    issuer.http.post(f"/api/issuer/credentials/{children[0]['id']}/revoke")
    revoked_id = children[0]["credential_id"]
    report = await issuer.verify(clr)
    assert not report.verified  # the CLR bundles a credential that is now revoked
    outer = report.check("status.revocation")
    assert outer is not None and outer.status == "passed"  # the CLR itself is not revoked
    nested = {n.summary.achievement_name: n for n in report.nested if n.summary is not None}
    assert sum(not n.verified for n in report.nested) == 1
    revoked = next(m for m in members if m["id"] == revoked_id)
    name = revoked["credentialSubject"]["achievement"]["name"]
    check = nested[name].check("status.revocation")
    assert check is not None and check.code == "status.revoked"
    tampered = copy.deepcopy(clr)
    tampered["credentialSubject"]["association"][0]["associationType"] = "replacedBy"
    assert not (await issuer.verify(tampered)).verified


async def test_clr_as_jwt_and_with_one_status_entry(issuer: Issuer) -> None:
    token = issuer.issue("career-readiness-record", format="jwt")["credential"]
    assert isinstance(token, str)
    assert (await issuer.verify(token)).verified
    strict = issuer.issue("career-readiness-record", suspendable=False)["credential"]
    report = await issuer.verify(strict)
    assert report.verified
    assert report.check("schema").status == "passed"  # type: ignore[union-attr]
    answer = issuer.http.post(
        "/api/issuer/credentials",
        json={
            "template": "career-readiness-record",
            "recipient": {"did": LEARNER},
            "suite": "ecdsa-sd-2023",
        },
    )
    assert problem(answer, 400)["code"] == "issue.clr-suite"
