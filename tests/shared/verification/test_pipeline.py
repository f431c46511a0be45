"""The verification pipeline end to end: credentials and presentations we sign here with
every suite, JWT and Data Integrity, right and wrong expectations, bad input."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared import verify as verify_entry
from shared.did.key import did_key_for
from shared.jose import sign_jwt_credential, sign_jwt_presentation
from shared.keys import KeyType, PrivateKey, generate_key
from shared.proofs import sign_document
from shared.proofs.base import HashSignSuite
from shared.proofs.eddsa import EDDSA_RDFC_2022
from shared.verification.parse import InputLimits, parse_input
from shared.verification.pipeline import VerifyOptions, verify

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
V2 = "https://www.w3.org/ns/credentials/v2"


def _identity(key_type: KeyType = "Ed25519") -> tuple[PrivateKey, str, str]:
    key = generate_key(key_type)
    did = did_key_for(key.public_key)
    return key, did, f"{did}#{did.split(':')[2]}"


def _credential(issuer: str, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V2],
        "id": "urn:uuid:1b9d3f0e-6a2c-4f7e-9c41-0f8f3c2a7d10",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "name": "Ada"},
    }
    doc.update(extra)
    return doc


def _options(**kw: Any) -> VerifyOptions:
    return VerifyOptions(now=lambda: NOW, **kw)


SUITES: list[tuple[str, KeyType]] = [
    ("eddsa-rdfc-2022", "Ed25519"),
    ("eddsa-jcs-2022", "Ed25519"),
    ("ecdsa-rdfc-2019", "P-256"),
    ("ecdsa-rdfc-2019", "P-384"),
    ("ecdsa-jcs-2019", "P-256"),
    ("ecdsa-jcs-2019", "P-384"),
    ("Ed25519Signature2020", "Ed25519"),
]


@pytest.mark.parametrize(("suite", "key_type"), SUITES, ids=[f"{s}-{k}" for s, k in SUITES])
async def test_sign_then_verify_each_suite(suite: str, key_type: KeyType) -> None:
    key, did, vm = _identity(key_type)
    signed = sign_document(_credential(did), key, vm, suite=suite, created="2025-01-01T00:00:00Z")
    report = await verify(signed, options=_options())
    assert report.verified, [(c.id, c.message) for c in report.failures]
    assert suite in report.format
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["name"] = "Eve"
    bad = await verify(tampered, options=_options())
    assert not bad.verified
    proof = bad.check("proof")
    assert proof is not None and proof.code == "proof.signature-invalid"


async def test_key_type_must_match_the_suite() -> None:
    key, did, vm = _identity("P-256")
    signed = sign_document(_credential(did), key, vm, suite="ecdsa-rdfc-2019")
    signed["proof"]["cryptosuite"] = "eddsa-rdfc-2022"
    report = await verify(signed, options=_options())
    proof = report.check("proof")
    assert not report.verified and proof is not None and proof.code == "proof.key-type-mismatch"


async def test_unknown_cryptosuite_is_an_explicit_failure() -> None:
    key, did, vm = _identity()
    signed = sign_document(_credential(did), key, vm)
    signed["proof"]["cryptosuite"] = "rot13-2025"
    report = await verify(signed, options=_options())
    proof = report.check("proof")
    assert not report.verified and proof is not None and proof.code == "proof.unsupported"


async def test_signed_by_someone_other_than_the_issuer() -> None:
    key, _did, vm = _identity()
    _other, other_did, _ = _identity()
    signed = sign_document(_credential(other_did), key, vm)
    report = await verify(signed, options=_options())
    check = report.check("issuer-key")
    assert not report.verified and check is not None and check.code == "proof.signer-mismatch"


async def test_dates_not_yet_valid_and_expired_are_distinct() -> None:
    key, did, vm = _identity()
    future = sign_document(_credential(did, validFrom="2030-01-01T00:00:00Z"), key, vm)
    past = sign_document(
        _credential(did, validUntil="2026-01-01T00:00:00Z"),
        key,
        vm,
    )
    r1 = await verify(future, options=_options())
    r2 = await verify(past, options=_options())
    c1, c2 = r1.check("valid-from"), r2.check("valid-until")
    assert c1 is not None and c1.code == "date.not-yet-valid"
    assert c2 is not None and c2.code == "date.expired"
    assert not r1.verified and not r2.verified
    # the same credential verifies when the clock says so
    r3 = await verify(past, options=VerifyOptions(now=lambda: datetime(2025, 6, 1, tzinfo=UTC)))
    assert r3.verified


async def test_date_without_timezone_and_inverted_dates_are_malformed() -> None:
    key, did, vm = _identity()
    no_tz = sign_document(_credential(did, validFrom="2025-01-01T00:00:00"), key, vm)
    inverted = sign_document(
        _credential(did, validFrom="2025-06-01T00:00:00Z", validUntil="2025-01-01T00:00:00Z"),
        key,
        vm,
    )
    c1 = (await verify(no_tz, options=_options())).check("valid-from")
    c2 = (await verify(inverted, options=_options())).check("valid-from")
    assert c1 is not None and c1.code == "date.no-timezone"
    assert c2 is not None and c2.code == "date.inverted"


async def test_proof_created_in_the_future_fails() -> None:
    key, did, vm = _identity()
    created = (NOW + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    signed = sign_document(_credential(did), key, vm, created=created)
    report = await verify(signed, options=_options())
    check = report.check("proof-created")
    assert not report.verified and check is not None and check.code == "proof.created-in-future"


async def test_injected_undefined_term_fails_with_its_path() -> None:
    key, did, vm = _identity()
    signed = sign_document(_credential(did), key, vm)
    signed["credentialSubject"]["injected"] = "not covered by the signature"
    report = await verify(signed, options=_options())
    context = report.check("context")
    assert context is not None and context.code == "jsonld.dropped-term"
    assert "$.credentialSubject.injected" in context.message
    assert not report.verified


async def test_unknown_context_is_never_fetched() -> None:
    _key, did, _vm = _identity()
    doc = _credential(did)
    doc["@context"] = [V2, "https://example.com/my-context.jsonld"]
    report = await verify(doc, options=_options())
    context = report.check("context")
    assert context is not None and context.code == "context.unknown"


def _presentation(holder: str, credentials: list[Any]) -> dict[str, Any]:
    return {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": credentials,
    }


async def test_ldp_presentation_challenge_domain_and_nested() -> None:
    ikey, idid, ivm = _identity()
    hkey, hdid, hvm = _identity()
    credential = sign_document(_credential(idid), ikey, ivm)
    vp = sign_document(
        _presentation(hdid, [credential]),
        hkey,
        hvm,
        purpose="authentication",
        challenge="nonce-123",
        domain="verifier.example",
    )
    ok = await verify(vp, challenge="nonce-123", domain="verifier.example", options=_options())
    assert ok.verified, [(c.id, c.message) for c in ok.failures]
    assert ok.kind == "presentation" and len(ok.nested) == 1 and ok.nested[0].verified

    replay = await verify(vp, challenge="another", domain="verifier.example", options=_options())
    check = replay.check("challenge")
    assert (
        not replay.verified
        and check is not None
        and check.code == "presentation.challenge-mismatch"
    )
    wrong_domain = await verify(
        vp, challenge="nonce-123", domain="evil.example", options=_options()
    )
    assert not wrong_domain.verified

    # a presentation proof made for assertion, not authentication, is refused
    asserted = sign_document(_presentation(hdid, [credential]), hkey, hvm, challenge="nonce-123")
    report = await verify(asserted, challenge="nonce-123", options=_options())
    purpose = report.check("proof-purpose")
    assert not report.verified and purpose is not None


async def test_presentation_signed_by_someone_other_than_the_holder() -> None:
    hkey, _hdid, hvm = _identity()
    _, other, _ = _identity()
    vp = sign_document(_presentation(other, []), hkey, hvm, purpose="authentication")
    report = await verify(vp, options=_options())
    check = report.check("issuer-key")
    assert not report.verified and check is not None and check.code == "proof.signer-mismatch"


async def test_presentation_with_a_bad_credential_is_not_verified() -> None:
    ikey, idid, ivm = _identity()
    hkey, hdid, hvm = _identity()
    credential = sign_document(_credential(idid), ikey, ivm)
    credential["credentialSubject"]["name"] = "Mallory"
    vp = sign_document(_presentation(hdid, [credential]), hkey, hvm, purpose="authentication")
    report = await verify(vp, options=_options())
    assert not report.verified
    assert report.check("proof") is not None
    assert not report.nested[0].verified


@pytest.mark.parametrize("key_type", ["Ed25519", "P-256", "P-384"])
async def test_jwt_credential_and_presentation(key_type: KeyType) -> None:
    ikey, idid, ivm = _identity(key_type)
    hkey, hdid, hvm = _identity(key_type)
    token = sign_jwt_credential(_credential(idid), ikey, ivm)
    report = await verify(token, options=_options())
    assert report.verified and report.format.startswith("jwt")
    envelope = {
        "@context": [V2],
        "type": ["EnvelopedVerifiableCredential"],
        "id": "data:application/vc+jwt," + token,
    }
    vp_token = sign_jwt_presentation(
        _presentation(hdid, [envelope]), hkey, hvm, nonce="n-1", aud="verifier.example"
    )
    vp = await verify(vp_token, challenge="n-1", domain="verifier.example", options=_options())
    assert vp.verified and vp.nested[0].verified
    wrong = await verify(vp_token, challenge="n-2", options=_options())
    assert not wrong.verified
    head, payload, sig = token.split(".")
    forged = await verify(f"{head}.{payload[:-4]}AAAA.{sig}", options=_options())
    assert not forged.verified


async def test_public_entry_point() -> None:
    key, did, vm = _identity()
    signed = sign_document(_credential(did), key, vm)
    report = await verify_entry(signed)
    assert report.verified
    as_json = json.loads(json.dumps(report.to_dict()))
    assert as_json["verified"] is True
    assert {c["id"] for c in as_json["checks"]} >= {"syntax", "context", "proof", "issuer-key"}
    assert {c["status"] for c in as_json["checks"] if c["id"] in ("status", "schema")} == {
        "skipped"
    }


async def test_js_reference_canonical_form_is_accepted_with_a_warning() -> None:
    """A signature made over rdf-canonize's UTF-16 ordering still verifies, with a warning."""
    key, did, vm = _identity()
    doc = _credential(did)
    # Two literals that order differently by code point and by UTF-16 code unit.
    doc["credentialSubject"]["name"] = ["\U0001f600 smile", "\ufb01 ligature"]
    suite: HashSignSuite = EDDSA_RDFC_2022
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "verificationMethod": vm,
        "proofPurpose": "assertionMethod",
    }
    data = suite.hash_data(doc, proof, "Ed25519", js_compat=True)
    from shared.keys import multibase_b58

    proof["proofValue"] = multibase_b58(key.sign(data))
    report = await verify({**doc, "proof": proof}, options=_options())
    assert report.verified
    assert any(c.status == "warning" and "JavaScript" in c.message for c in report.checks)
    assert suite.hash_data(doc, proof, "Ed25519") != data  # the spec's form really differs


def test_bad_input_is_refused_clearly() -> None:
    from shared.errors import InputError

    with pytest.raises(InputError) as dup:
        parse_input('{"a": 1, "a": 2}')
    assert dup.value.code == "input.duplicate-key"
    with pytest.raises(InputError) as deep:
        parse_input("[" * 5000 + "]" * 5000)
    assert deep.value.code == "input.too-deep"
    with pytest.raises(InputError) as big:
        parse_input('{"a": "' + "x" * 2000 + '"}', InputLimits(max_bytes=1000))
    assert big.value.code == "input.too-large"
    with pytest.raises(InputError) as not_json:
        parse_input("{nope")
    assert not_json.value.code == "input.not-json"
    assert parse_input("  eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2ln \n") == (
        "eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2ln"
    )


async def test_too_many_credentials_in_a_presentation() -> None:
    hkey, hdid, hvm = _identity()
    vp = sign_document(_presentation(hdid, [{}] * 5), hkey, hvm, purpose="authentication")
    options = _options(limits=InputLimits(max_credentials=3))
    report = await verify(vp, options=options)
    assert not report.verified
    syntax = report.check("syntax")
    assert syntax is not None and syntax.code == "input.too-many-credentials"


async def test_schema_check_runs_on_named_schemas() -> None:
    key, did, vm = _identity()
    schema = {
        "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
        "ob_v3p0_achievementcredential_schema.json",
        "type": "1EdTechJsonSchemaValidator2019",
    }
    doc = _credential(did, credentialSchema=schema)
    doc["@context"] = [
        V2,
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",  # defines the validator type
    ]
    report = await verify(sign_document(doc, key, vm), options=_options())
    check = report.check("schema")
    # Not an AchievementCredential: the OB schema must reject it, and the verdict follows.
    assert check is not None and check.status == "failed" and check.details.get("errors")
    assert not report.verified
    unknown = {**doc, "credentialSchema": {**schema, "id": "https://example.com/s.json"}}
    report = await verify(sign_document(unknown, key, vm), options=_options())
    check = report.check("schema")
    assert check is not None and check.status == "warning"
