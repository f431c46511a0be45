"""Rules on a credential's content, through the real pipeline: CLR 2.0 bundles (the 1EdTech
validator's CLR and bundles built and signed here), endorsements, the Open Badges recipient
identity hash, holder binding in presentations, issuer trust lists and context order."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.did.key import did_key_for
from shared.errors import InputError
from shared.jose import sign_jwt_credential
from shared.keys import PrivateKey, generate_key
from shared.proofs import ProofPolicy, sign_document
from shared.verification.pipeline import VerifyOptions, verify
from shared.verification.report import VerificationReport
from shared.verification.trust import load_trust_list, parse_trust_list
from tests.vector_routes import VECTORS

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CREATED = "2025-01-01T00:00:00Z"


class Party:
    """Someone with a did:key who signs (an issuer, an endorser, a learner)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.key: PrivateKey = generate_key()
        self.did = did_key_for(self.key.public_key)
        self.vm = f"{self.did}#{self.did.split(':')[2]}"

    def profile(self) -> dict[str, Any]:
        return {"id": self.did, "type": ["Profile"], "name": self.name}

    def sign(self, doc: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return sign_document(doc, self.key, self.vm, created=CREATED, **kw)


def badge(issuer: Party, learner: str | None, name: str, n: int, **extra: Any) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": f"urn:uuid:00000000-0000-4000-8000-00000000000{n}",
            "type": ["Achievement"],
            "name": name,
            "description": f"{name}, assessed.",
            "criteria": {"narrative": "Passed the assessment."},
        },
    }
    if learner is not None:
        subject["id"] = learner
    doc: dict[str, Any] = {
        "@context": [V2, OB],
        "id": f"urn:uuid:11111111-0000-4000-8000-00000000000{n}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer.profile(),
        "name": name,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": subject,
    }
    doc.update(extra)
    return doc


def clr_of(issuer: Party, learner: str, credentials: list[Any], **subject: Any) -> dict[str, Any]:
    return {
        "@context": [V2, CLR, OB],
        "id": "urn:uuid:22222222-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer.profile(),
        "name": "Pathway",
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": learner,
            "type": ["ClrSubject"],
            "verifiableCredential": credentials,
            **subject,
        },
    }


def _options(**kw: Any) -> VerifyOptions:
    return VerifyOptions(now=lambda: NOW, **kw)


def _why(report: VerificationReport) -> list[tuple[str, str]]:
    out = [(c.id, c.message) for c in report.failures]
    for child in report.nested:
        out += [(f"{child.label}:{i}", m) for i, m in _why(child)]
    return out


@pytest.fixture
def college() -> Party:
    return Party("Example College")


@pytest.fixture
def ada() -> Party:
    return Party("Ada")


# --- CLR 2.0 -------------------------------------------------------------------------------


async def test_1edtech_clr_verifies_with_nested_report_and_associations() -> None:
    doc = json.loads((VECTORS / "clr2/1edtech-validator/simple.json").read_text("utf-8"))
    report = await verify(doc, options=_options(proof_policy=ProofPolicy(allow_fragment_keys=True)))
    assert report.verified, _why(report)
    assert report.summary.bundle == "issuer-assembled"
    assert [n.role for n in report.nested] == ["clr-credential"]
    assert report.nested[0].label == "credentialSubject.verifiableCredential[0]"
    assert report.nested[0].verified
    subject_check = report.nested[0].check("clr-subject")
    assert subject_check is not None and subject_check.status == "passed"
    assoc = report.check("clr-associations")
    assert assoc is not None and assoc.status == "passed"


async def test_learner_assembled_clr(college: Party, ada: Party) -> None:
    first = college.sign(badge(college, ada.did, "Teamwork", 1))
    second = college.sign(badge(college, ada.did, "Python", 2))
    association = {
        "type": "Association",
        "associationType": "precedes",
        "sourceId": first["credentialSubject"]["achievement"]["id"],
        "targetId": second["credentialSubject"]["achievement"]["id"],
    }
    bundle = ada.sign(clr_of(ada, ada.did, [first, second], association=[association]))
    report = await verify(bundle, options=_options())
    assert report.verified, _why(report)
    assert report.summary.bundle == "learner-assembled"
    check = report.check("clr-bundle")
    assert check is not None and check.details["assembled_by"] == "learner"
    assert "learner's claim" in check.message
    assert [n.verified for n in report.nested] == [True, True]
    assert all(n.role == "clr-credential" for n in report.nested)
    # Tamper with a nested credential, then re-sign the bundle: the outer proof is valid,
    # the bundle is not.
    forged = copy.deepcopy(bundle)
    forged.pop("proof")
    forged["credentialSubject"]["verifiableCredential"][1]["name"] = "Advanced Python"
    bad = await verify(ada.sign(forged), options=_options())
    assert not bad.verified and bad.outcome == "invalid"
    assert bad.check("proof") is not None and bad.check("proof").status == "passed"  # type: ignore[union-attr]
    nested_failed = bad.check("clr-credentials")
    assert nested_failed is not None and nested_failed.code == "clr.nested-failed"
    assert [n.verified for n in bad.nested] == [True, False]


async def test_clr_association_to_nothing_fails(college: Party, ada: Party) -> None:
    first = college.sign(badge(college, ada.did, "Teamwork", 1))
    association = {
        "type": "Association",
        "associationType": "isPartOf",
        "sourceId": first["credentialSubject"]["achievement"]["id"],
        "targetId": "urn:uuid:99999999-0000-4000-8000-000000000009",
    }
    bundle = ada.sign(clr_of(ada, ada.did, [first], association=[association]))
    report = await verify(bundle, options=_options())
    check = report.check("clr-associations")
    assert check is not None and check.code == "clr.association-unresolved"
    assert "targetId" in check.message and not report.verified


async def test_clr_with_someone_elses_credential_is_flagged(college: Party, ada: Party) -> None:
    theirs = college.sign(badge(college, "did:example:bob", "Teamwork", 1))
    bundle = college.sign(clr_of(college, ada.did, [theirs]))
    report = await verify(bundle, options=_options())
    check = report.nested[0].check("clr-subject")
    assert check is not None and check.status == "warning" and "did:example:bob" in check.message
    assert report.summary.bundle == "issuer-assembled"


async def test_clr_with_jwt_credential_and_empty_clr(college: Party, ada: Party) -> None:
    token = sign_jwt_credential(badge(college, ada.did, "Teamwork", 1), college.key, college.vm)
    report = await verify(ada.sign(clr_of(ada, ada.did, [token])), options=_options())
    assert report.verified, _why(report)
    assert report.nested[0].format.startswith("jwt")
    empty = await verify(ada.sign(clr_of(ada, ada.did, [])), options=_options())
    check = empty.check("clr-credentials")
    assert check is not None and check.code == "clr.empty" and not empty.verified


# --- endorsements ---------------------------------------------------------------------------


def endorsement(endorser: Party, about: str, comment: str) -> dict[str, Any]:
    return {
        "@context": [V2, OB],
        "id": "urn:uuid:33333333-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": endorser.profile(),
        "name": "Endorsement",
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": about,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
    }


async def test_endorsements_are_nested_and_advisory(college: Party, ada: Party) -> None:
    guild = Party("Guild")
    doc = badge(college, ada.did, "Teamwork", 1)
    good = guild.sign(endorsement(guild, doc["credentialSubject"]["achievement"]["id"], "Solid"))
    doc["credentialSubject"]["achievement"]["endorsement"] = [good]
    report = await verify(college.sign(doc), options=_options())
    assert report.verified, _why(report)
    assert [(n.role, n.label, n.verified) for n in report.nested] == [
        ("endorsement", "credentialSubject[0].achievement.endorsement[0]", True)
    ]
    check = report.check("endorsements")
    assert check is not None and check.status == "passed"
    forged = copy.deepcopy(good)
    forged["credentialSubject"]["endorsementComment"] = "Outstanding"
    doc["credentialSubject"]["achievement"]["endorsement"] = [forged]
    report = await verify(college.sign(doc), options=_options())
    assert report.verified  # an endorsement never decides the badge's own verdict
    check = report.check("endorsements")
    assert check is not None and check.status == "warning"
    assert not report.nested[0].verified


async def test_endorsement_jwt_in_a_jwt_badge(college: Party, ada: Party) -> None:
    guild = Party("Guild")
    token = sign_jwt_credential(endorsement(guild, college.did, "Trusted"), guild.key, guild.vm)
    doc = badge(college, ada.did, "Teamwork", 1)
    doc["issuer"]["endorsementJwt"] = [token]
    report = await verify(sign_jwt_credential(doc, college.key, college.vm), options=_options())
    assert report.verified, _why(report)
    assert report.nested[0].label == "issuer.endorsementJwt[0]"
    assert report.nested[0].verified and report.nested[0].format.startswith("jwt")


async def test_self_endorsing_loop_stops_at_the_nesting_limit(college: Party, ada: Party) -> None:
    inner = college.sign(endorsement(college, college.did, "Me"))
    for _ in range(6):
        wrapper = endorsement(college, college.did, "Me again")
        wrapper["endorsement"] = [inner]
        inner = college.sign(wrapper)
    report = await verify(inner, options=_options(max_nesting=3))
    depth, node = 0, report
    while node.nested:
        node, depth = node.nested[0], depth + 1
    assert depth == 4  # three levels verified, the fourth refused
    assert node.check("syntax") is not None and node.check("syntax").code == "input.too-deep"  # type: ignore[union-attr]


# --- recipient identity -------------------------------------------------------------------


def _hashed_identity(email: str, salt: str) -> dict[str, Any]:
    digest = hashlib.sha256((email + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


async def test_recipient_email_against_identity_hash(college: Party) -> None:
    doc = badge(college, None, "Teamwork", 1)
    doc["credentialSubject"]["identifier"] = [_hashed_identity("ada@example.edu", "pepper")]
    signed = college.sign(doc)
    right = await verify(signed, options=_options(recipient_email="ada@example.edu"))
    check = right.check("recipient")
    assert right.verified and check is not None and check.status == "passed"
    wrong = await verify(signed, options=_options(recipient_email="eve@example.edu"))
    check = wrong.check("recipient")
    assert not wrong.verified and check is not None and check.code == "recipient.mismatch"
    assert (await verify(signed, options=_options())).check("recipient") is None
    typed_loosely = await verify(signed, options=_options(recipient_email=" Ada@Example.EDU "))
    assert typed_loosely.verified  # issuers hash the normalised address


async def test_plaintext_identity_and_missing_identity(college: Party, ada: Party) -> None:
    doc = badge(college, None, "Teamwork", 1)
    doc["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "identityHash": "Ada@Example.edu",
            "identityType": "emailAddress",
            "hashed": False,
        }
    ]
    report = await verify(college.sign(doc), options=_options(recipient_email="ada@example.edu"))
    assert report.verified, _why(report)
    no_email = college.sign(badge(college, ada.did, "Teamwork", 1))
    report = await verify(no_email, options=_options(recipient_email="ada@example.edu"))
    check = report.check("recipient")
    assert check is not None and check.code == "recipient.no-identity"


async def test_badge_without_recipient_is_flagged(college: Party) -> None:
    report = await verify(college.sign(badge(college, None, "Teamwork", 1)), options=_options())
    check = report.check("subject")
    assert check is not None and check.status == "warning"
    assert "names no recipient" in check.message


# --- holder binding ---------------------------------------------------------------------------


async def test_presentation_labels_bound_unbound_and_self_asserted(
    college: Party, ada: Party
) -> None:
    mine = college.sign(badge(college, ada.did, "Teamwork", 1))
    someone_elses = college.sign(badge(college, "did:example:bob", "Python", 2))
    self_made = ada.sign(badge(ada, ada.did, "Gardening", 3))
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": ada.did,
        "verifiableCredential": [mine, someone_elses, self_made],
    }
    signed = ada.sign(presentation, purpose="authentication", challenge="c-1", domain="x.test")
    report = await verify(signed, options=_options(challenge="c-1", domain="x.test"))
    assert report.verified, _why(report)
    bindings = [n.check("holder-binding") for n in report.nested]
    assert [b.details["binding"] for b in bindings if b] == ["bound", "unbound", "self-asserted"]
    assert [b.status for b in bindings if b] == ["passed", "warning", "warning"]


# --- issuer trust lists -----------------------------------------------------------------------


async def test_trust_lists(college: Party, ada: Party, tmp_path: Path) -> None:
    registry = {
        "meta": {"created": "2025-01-01T00:00:00Z"},
        "entries": {college.did: {"name": "Example College", "url": "https://college.test"}},
    }
    registry_file = tmp_path / "dcc-registry.json"
    registry_file.write_text(json.dumps(registry))
    allow_file = tmp_path / "employer.txt"
    allow_file.write_text("# our partners\ndid:example:partner\n")
    signed = college.sign(badge(college, ada.did, "Teamwork", 1))
    known = await verify(signed, options=_options(trust_lists=[load_trust_list(registry_file)]))
    check = known.check("issuer-trust")
    assert check is not None and check.status == "passed"
    assert "Example College" in check.message and "dcc-registry" in check.message
    unknown = await verify(signed, options=_options(trust_lists=[load_trust_list(allow_file)]))
    check = unknown.check("issuer-trust")
    assert check is not None and check.status == "warning" and unknown.verified
    assert parse_trust_list(json.dumps([college.did]), name="x").lookup(college.did)
    with pytest.raises(InputError):
        parse_trust_list('{"not": "a registry"}', name="bad")


# --- context order and refresh service --------------------------------------------------------


async def test_open_badges_context_must_come_second(college: Party, ada: Party) -> None:
    doc = badge(college, ada.did, "Teamwork", 1)
    doc["@context"] = [V2, "https://w3id.org/security/suites/ed25519-2020/v1", OB]
    report = await verify(college.sign(doc), options=_options())
    check = report.check("context-order")
    assert check is not None and check.code == "context.order" and not report.verified
    token = sign_jwt_credential(badge(college, ada.did, "T", 1), college.key, college.vm)
    clr_without_ob = clr_of(ada, ada.did, [token])
    clr_without_ob["@context"] = [V2, CLR]
    clr_without_ob["issuer"] = ada.did
    report = await verify(ada.sign(clr_without_ob), options=_options())
    check = report.check("context-order")
    assert check is not None and check.code == "context.order"
    assert "Open Badges" in check.message


async def test_vcdm11_badge_with_its_own_ob_context_is_current(college: Party, ada: Party) -> None:
    doc = badge(college, ada.did, "Teamwork", 1)
    doc["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "https://w3id.org/security/data-integrity/v2",
    ]
    doc["issuanceDate"] = doc.pop("validFrom")
    report = await verify(college.sign(doc), options=_options())
    check = report.check("context-order")
    assert check is not None and check.status == "passed", check
    assert report.summary.name == "Teamwork"


async def test_refresh_service_is_reported_not_followed(college: Party, ada: Party) -> None:
    doc = badge(college, ada.did, "Teamwork", 1)
    doc["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    doc["refreshService"] = {
        "id": "https://college.test/refresh/1",
        "type": "1EdTechCredentialRefresh",
    }
    report = await verify(college.sign(doc), options=_options())
    check = report.check("refresh-service")
    assert check is not None and check.status == "skipped"
    assert "https://college.test/refresh/1" in check.message and report.verified


async def test_clr_with_too_many_credentials_is_refused(college: Party, ada: Party) -> None:
    from shared.verification.parse import InputLimits

    badges = [college.sign(badge(college, ada.did, f"Skill {i}", i)) for i in range(3)]
    bundle = ada.sign(clr_of(ada, ada.did, badges))
    report = await verify(bundle, options=_options(limits=InputLimits(max_credentials=2)))
    check = report.check("syntax")
    assert not report.verified and check is not None
    assert check.code == "input.too-many-credentials" and "CLR holds 3" in check.message
