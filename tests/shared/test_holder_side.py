"""Holder-side helpers: presentations, selective disclosure choices, VPR reading, DCC links."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from shared.did.key import did_key_for
from shared.errors import InputError, ProofError
from shared.keys import generate_key
from shared.presentation import build_presentation, envelope, sign_presentation
from shared.proofs import sign_document
from shared.sd import derive_disclosure, disclosable_pointers, full_disclosure, sd_base_proof
from shared.vcapi_holder import (
    asks_for_credentials,
    credentials_in_answer,
    matches_wanted,
    parse_dcc_deeplink,
    read_presentation_request,
)
from shared.verification.pipeline import verify

HOLDER = generate_key()
HOLDER_DID = did_key_for(HOLDER.public_key)
SD_ISSUER = generate_key("P-256")
SD_DID = did_key_for(SD_ISSUER.public_key)
V2 = "https://www.w3.org/ns/credentials/v2"


def _sd_credential() -> dict[str, Any]:
    document = {
        "@context": [V2, "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "ExampleCredential"],
        "issuer": SD_DID,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER_DID, "name": "Ada", "age": 36, "city": "Paris"},
    }
    return sign_document(
        document,
        SD_ISSUER,
        f"{SD_DID}#{SD_DID.split(':')[-1]}",
        suite="ecdsa-sd-2023",
        mandatoryPointers=["/issuer", "/validFrom", "/credentialSubject/id"],
    )


def test_selective_disclosure_choices() -> None:
    credential = _sd_credential()
    assert sd_base_proof(credential) is not None
    pointers = disclosable_pointers(credential)
    assert set(pointers) == {
        "/credentialSubject/name",
        "/credentialSubject/age",
        "/credentialSubject/city",
    }
    derived = derive_disclosure(credential, ["/credentialSubject/city"])
    assert derived["credentialSubject"] == {"id": HOLDER_DID, "city": "Paris"}
    assert asyncio.run(verify(derived)).verified
    everything = full_disclosure(credential)
    assert everything["credentialSubject"]["age"] == 36
    assert asyncio.run(verify(everything)).verified
    derived["credentialSubject"]["city"] = "Lyon"
    assert not asyncio.run(verify(derived)).verified
    with pytest.raises(ProofError):
        derive_disclosure(credential, ["/credentialSubject/height"])
    assert sd_base_proof({"proof": {"cryptosuite": "eddsa-rdfc-2022"}}) is None


def test_presentation_of_ldp_and_jwt_credentials() -> None:
    vp = build_presentation([{"@context": [V2]}, "a.b.c"], HOLDER_DID, presentation_id="urn:x")
    assert vp["@context"] == [V2] and vp["holder"] == HOLDER_DID
    assert vp["verifiableCredential"][1] == envelope("a.b.c")
    v1 = build_presentation([{"@context": ["https://www.w3.org/2018/credentials/v1"]}], HOLDER_DID)
    assert v1["@context"][0] == "https://www.w3.org/2018/credentials/v1"
    with pytest.raises(InputError):
        build_presentation(
            [{"@context": ["https://www.w3.org/2018/credentials/v1"]}, "a.b.c"], HOLDER_DID
        )
    signed = sign_presentation(
        build_presentation([], HOLDER_DID),
        HOLDER,
        f"{HOLDER_DID}#{HOLDER_DID.split(':')[-1]}",
        challenge="c-1",
        domain="https://verifier.example",
    )
    assert asyncio.run(verify(signed, challenge="c-1", domain="https://verifier.example")).verified
    assert not asyncio.run(verify(signed, challenge="c-2")).verified


def test_vpr_reading_and_matching() -> None:
    request = read_presentation_request(
        {
            "verifiablePresentationRequest": {
                "query": [
                    {"type": "DIDAuthentication"},
                    {
                        "type": "QueryByExample",
                        "credentialQuery": {
                            "reason": "To check your degree",
                            "example": {"type": ["VerifiableCredential", "OpenBadgeCredential"]},
                            "trustedIssuer": [{"issuer": "did:example:uni", "required": True}],
                        },
                    },
                ],
                "challenge": "abc",
                "domain": "verifier.example",
                "unknownMember": "tolerated",
            }
        }
    )
    assert request is not None and request.did_authentication and asks_for_credentials(request)
    wanted = request.wanted()
    assert wanted.purpose == "To check your degree"
    badge = {
        "@context": [V2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "AchievementCredential"],  # an alias of the same IRI
        "issuer": "did:example:uni",
    }
    assert matches_wanted(badge, wanted)
    assert not matches_wanted({**badge, "issuer": "did:example:other"}, wanted)
    assert not matches_wanted({**badge, "type": ["VerifiableCredential"]}, wanted)
    assert read_presentation_request({"verifiablePresentation": {}}) is None
    with pytest.raises(InputError):
        read_presentation_request({"verifiablePresentationRequest": {"query": "x"}})


def test_exchange_answers_and_dcc_links() -> None:
    vc = {"type": ["VerifiableCredential"], "id": "urn:1"}
    assert credentials_in_answer({"verifiablePresentation": {"verifiableCredential": [vc]}}) == [vc]
    assert credentials_in_answer(vc) == [vc]
    assert credentials_in_answer({"redirectUrl": "https://x"}) == []
    link = parse_dcc_deeplink(
        "dccrequest://request?issuer=u&auth_type=bearer&challenge=c9&vc_request_url="
        "https%3A%2F%2Fissuer.example%2Fexchange%2F1"
    )
    assert link.vc_request_url == "https://issuer.example/exchange/1" and link.challenge == "c9"
    with pytest.raises(InputError):
        parse_dcc_deeplink("dccrequest://request?challenge=c9")
    with pytest.raises(InputError):
        parse_dcc_deeplink("https://example.com/?vc_request_url=https://x")
