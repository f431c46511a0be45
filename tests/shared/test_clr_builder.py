"""shared.clr: a learner-assembled CLR 2.0 that passes the CLR schema and verifies."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest

from shared.clr import Association, anchor_of, build_clr, sign_clr
from shared.did.key import did_key_for
from shared.errors import InputError
from shared.jose import sign_jwt_credential
from shared.keys import generate_key
from shared.proofs import sign_document
from shared.schema import validate_credential_schemas
from shared.verification.pipeline import verify

ISSUER = generate_key()
ISSUER_DID = did_key_for(ISSUER.public_key)
LEARNER = generate_key()
LEARNER_DID = did_key_for(LEARNER.public_key)


def _vm(did: str) -> str:
    return f"{did}#{did.split(':')[-1]}"


def _badge(name: str) -> dict[str, Any]:
    unsigned = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:{abs(hash(name)):032x}"[:45],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": ISSUER_DID, "type": ["Profile"], "name": "College"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": name,
        "credentialSubject": {
            "id": LEARNER_DID,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"urn:example:achievement:{name.replace(' ', '-')}",
                "type": ["Achievement"],
                "name": name,
                "criteria": {"narrative": "Done."},
            },
        },
    }
    return sign_document(unsigned, ISSUER, _vm(ISSUER_DID))


def _clr(badges: list[Any], links: list[Association] | None = None) -> dict[str, Any]:
    return build_clr(
        badges,
        learner_did=LEARNER_DID,
        learner_name="Ada",
        name="Pathway",
        associations=links,
        valid_from="2025-06-01T00:00:00Z",
    )


def test_built_clr_passes_schema_and_verifies() -> None:
    a, b = _badge("Part One"), _badge("Whole")
    clr = _clr([a, b], [Association("isPartOf", anchor_of(a) or "", anchor_of(b) or "")])
    assert [o.status for o in validate_credential_schemas(clr)] == ["passed"]
    assert clr["credentialSubject"]["verifiableCredential"] == [a, b]
    signed = sign_clr(clr, LEARNER, _vm(LEARNER_DID), created="2025-06-01T00:00:00Z")
    report = asyncio.run(verify(signed))
    assert report.verified, report.to_dict()
    assert report.summary.bundle == "learner-assembled"
    assert len(report.nested) == 2 and all(n.verified for n in report.nested)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["association"][0]["associationType"] = "precedes"
    assert not asyncio.run(verify(tampered)).verified


def test_refusals() -> None:
    a = _badge("One")
    with pytest.raises(InputError) as empty:
        _clr([])
    assert empty.value.code == "clr.empty"
    unsigned = {k: v for k, v in a.items() if k != "proof"}
    token = sign_jwt_credential(unsigned, ISSUER, _vm(ISSUER_DID))
    with pytest.raises(InputError) as jwt:
        _clr([token])
    assert jwt.value.code == "clr.unsupported-credential"
    v1 = {**a, "@context": ["https://www.w3.org/2018/credentials/v1"]}
    with pytest.raises(InputError):
        _clr([v1])
    with pytest.raises(InputError) as kind:
        _clr([a], [Association("likes", anchor_of(a) or "", anchor_of(a) or "")])
    assert kind.value.code == "clr.bad-association"
    with pytest.raises(InputError):
        _clr([a], [Association("precedes", anchor_of(a) or "", "urn:elsewhere")])
