"""ecdsa-sd-2023: the W3C vc-di-ecdsa vectors (employ, prc) step by step, and round trips.

Every intermediate value the vectors give is compared exactly: canonical and
HMAC-relabelled N-Quads, the mandatory/selective/combined groups, proof and
mandatory hashes, the base proof (deterministic ECDSA, so byte-identical), the
disclosure data and derived document, and the verifier's intermediate values.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from shared.errors import ProofError
from shared.jsonld.nquads import serialize_quad
from shared.keys import (
    PrivateKey,
    PublicKey,
    generate_key,
    multibase_decode,
    private_key_from_multikey,
    public_key_from_multikey,
)
from shared.proofs import SUITES, sign_document, verify_proofs
from shared.proofs import ecdsa_sd as sd
from shared.proofs import sd_primitives as sp
from shared.proofs.base import add_proof
from shared.proofs.transforms import rdfc

V = Path(__file__).resolve().parents[2] / "vectors" / "di-ecdsa"
SD = V / "ecdsa-sd-2023"
SUITE = sd.ECDSA_SD_2023

# The random part of the skolem IRIs the vectors' generator happened to use.
VECTOR_RANDOM = {
    "employ": "299eb551-f4b9-46c5-aeb1-d9a870395fac",
    "prc": "193d8656-e685-45bd-b77f-5f65b01c3469",
}

CASES = {
    "employ": ("employMandatory.json", "employSelective.json"),
    "prc": ("prCredMandatory.json", "prCredSelective.json"),
}


def load(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def step(case: str, name: str) -> Any:
    return load(SD / case / name)


def as_map(value: Any) -> dict[Any, Any]:
    """A vector's serialized JavaScript Map as a dict."""
    assert value["dataType"] == "Map"
    return {k: v for k, v in value["value"]}


KEYS = load(SD / "SDKeyMaterial.json")
ISSUER_KEY: PrivateKey = private_key_from_multikey(KEYS["baseKeyPair"]["secretKeyMultibase"])
ISSUER_PUB: PublicKey = public_key_from_multikey(KEYS["baseKeyPair"]["publicKeyMultibase"])
PROOF_KEY: PrivateKey = private_key_from_multikey(KEYS["proofKeyPair"]["secretKeyMultibase"])
HMAC_KEY = bytes.fromhex(KEYS["hmacKeyString"])


def signed_base(case: str) -> dict[str, Any]:
    doc: dict[str, Any] = step(case, "addSignedSDBase.json")
    return doc


def unsecured(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "proof"}


def pointers(case: str) -> tuple[list[str], list[str]]:
    mandatory, selective = CASES[case]
    return load(V / mandatory), load(V / selective)


def groups_of(case: str) -> sp.Grouped:
    mandatory, selective = pointers(case)
    return sp.canonicalize_and_group(
        unsecured(signed_base(case)),
        sp.create_hmac_id_label_map_function(HMAC_KEY),
        {"mandatory": mandatory, "selective": selective, "combined": mandatory + selective},
        random_string=VECTOR_RANDOM[case],
    )


def hexes(values: list[bytes]) -> list[str]:
    return [v.hex() for v in values]


def test_registered() -> None:
    assert SUITES[("DataIntegrityProof", "ecdsa-sd-2023")] is SUITE
    assert SUITE.key_types == frozenset({"P-256"})


def test_hmac_label_map_factory() -> None:
    factory = sp.create_hmac_id_label_map_function(HMAC_KEY)
    labels = factory({"b0": "c14n0", "b1": "c14n1", "b2": "c14n2"})
    assert labels == {
        "b0": "u4YIOZn1MHES1Z4Ij2hWZG3R4dEYBqg5fHTyDEvYhC38",
        "b1": "u3Lv2QpFgo-YAegc1cQQKWJFW2sEjQF6FfuZ0VEoMKHg",
        "b2": "uVkUuBrlOaELGVQWJD4M_qW5bcKEHWGNbOrPA_qAOKKw",
    }


# -- base proof ---------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_canonical_nquads(case: str) -> None:
    doc = unsecured(signed_base(case))
    plain, labels = sp.label_replacement_canonicalize_json_ld(doc, dict)
    assert plain == step(case, "addBaseDocCanon.json")
    assert sorted(labels.values()) == ["c14n0", "c14n1", "c14n2"]
    hmac_nquads, _ = sp.label_replacement_canonicalize_json_ld(
        doc, sp.create_hmac_id_label_map_function(HMAC_KEY)
    )
    assert hmac_nquads == step(case, "addBaseDocHMACCanon.json")


@pytest.mark.parametrize("case", CASES)
def test_base_transform_groups(case: str) -> None:
    transform = step(case, "addBaseTransform.json")
    grouped = sp.canonicalize_and_group(
        unsecured(signed_base(case)),
        sp.create_hmac_id_label_map_function(HMAC_KEY),
        {"mandatory": transform["mandatoryPointers"]},
    )
    assert transform["mandatoryPointers"] == pointers(case)[0]
    assert grouped.groups["mandatory"].matching == as_map(transform["mandatory"])
    assert grouped.groups["mandatory"].non_matching == as_map(transform["nonMandatory"])
    assert grouped.nquads == step(case, "addBaseDocHMACCanon.json")


@pytest.mark.parametrize("case", CASES)
def test_proof_config_and_hashes(case: str) -> None:
    doc = unsecured(signed_base(case))
    config = step(case, "addProofConfig.json")
    assert rdfc(config) == (SD / case / "addProofConfigCanon.txt").read_text("utf-8")
    proof_options = {k: v for k, v in config.items() if k != "@context"}
    hashes = step(case, "addHashData.json")
    assert sd.proof_hash(doc, proof_options).hex() == hashes["proofHash"]
    mandatory = as_map(step(case, "addBaseTransform.json")["mandatory"]).values()
    assert sp.hash_mandatory_nquads(mandatory).hex() == hashes["mandatoryHash"]


@pytest.mark.parametrize("case", CASES)
def test_base_proof_is_byte_identical(case: str) -> None:
    signed = signed_base(case)
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    options["mandatoryPointers"] = pointers(case)[0]
    proof = sd.create_base_proof(
        unsecured(signed), options, ISSUER_KEY, proof_key=PROOF_KEY, hmac_key=HMAC_KEY
    )
    assert proof == signed["proof"]

    raw = step(case, "addRawBaseSignatureInfo.json")
    parsed = sd.parse_base_proof_value(proof["proofValue"])
    assert parsed.base_signature.hex() == raw["baseSignature"]
    assert parsed.public_key == multibase_decode(raw["publicKey"])
    assert hexes(parsed.signatures) == raw["signatures"]
    assert parsed.mandatory_pointers == raw["mandatoryPointers"]
    assert parsed.hmac_key == HMAC_KEY
    hashes = step(case, "addHashData.json")
    ISSUER_PUB.verify(
        parsed.base_signature,
        bytes.fromhex(hashes["proofHash"])
        + parsed.public_key
        + bytes.fromhex(hashes["mandatoryHash"]),
    )


# -- derived proof ------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_recovered_base_data(case: str) -> None:
    recovered = step(case, "derivedRecoveredBaseData.json")
    parsed = sd.parse_base_proof_value(signed_base(case)["proof"]["proofValue"])
    assert parsed.base_signature.hex() == recovered["baseSignature"]
    assert parsed.public_key == multibase_decode(recovered["proofPublicKey"])
    assert parsed.hmac_key.hex() == recovered["hmacKey"]
    assert hexes(parsed.signatures) == recovered["signatures"]
    assert parsed.mandatory_pointers == recovered["mandatoryPointers"]


@pytest.mark.parametrize("case", CASES)
def test_all_group_data(case: str) -> None:
    expected = step(case, "derivedAllGroupData.json")
    grouped = groups_of(case)
    assert grouped.skolemized_expanded == expected["skolemized"]["expanded"]
    assert grouped.skolemized_compact == expected["skolemized"]["compact"]
    assert sorted(map(serialize_quad, grouped.deskolemized_quads)) == sorted(
        expected["deskolemizedNQuads"]
    )
    assert grouped.label_map == as_map(expected["labelMap"])
    assert grouped.nquads == expected["nquads"]
    for name, group in grouped.groups.items():
        want = expected["groups"][name]
        assert group.matching == as_map(want["matching"]), name
        assert group.non_matching == as_map(want["nonMatching"]), name
        assert sorted(map(serialize_quad, group.deskolemized_quads)) == sorted(
            want["deskolemizedNQuads"]
        )
    indexes = step(case, "derivedGroupIndexes.json")
    assert list(grouped.groups["combined"].matching) == indexes["combinedIndexes"]
    assert list(grouped.groups["mandatory"].matching) == indexes["mandatoryIndexes"]
    assert list(grouped.groups["mandatory"].non_matching) == indexes["nonMandatoryIndexes"]
    assert list(grouped.groups["selective"].matching) == indexes["selectiveIndexes"]


@pytest.mark.parametrize("case", CASES)
def test_disclosure_data(case: str) -> None:
    signed = signed_base(case)
    data = sd.create_disclosure_data(unsecured(signed), signed["proof"], pointers(case)[1])
    expected = step(case, "derivedDisclosureData.json")
    assert data.base_signature.hex() == expected["baseSignature"]
    assert data.public_key == multibase_decode(expected["publicKey"])
    assert hexes(data.signatures) == expected["signatures"]
    assert data.label_map == as_map(expected["labelMap"])
    assert list(data.label_map) == [k for k, _ in expected["labelMap"]["value"]]
    assert data.mandatory_indexes == expected["mandatoryIndexes"]
    assert (
        data.mandatory_indexes
        == step(case, "derivedAdjMandatoryIndexes.json")["adjMandatoryIndexes"]
    )
    assert hexes(data.signatures) == step(case, "derivedAdjSignatures.json")["filteredSignatures"]
    assert data.reveal_document == step(case, "derivedUnsignedReveal.json")


@pytest.mark.parametrize("case", CASES)
def test_derived_document_is_identical(case: str) -> None:
    derived = sd.derive(signed_base(case), pointers(case)[1])
    expected = step(case, "derivedRevealDocument.json")
    assert derived == expected
    assert derived["proof"]["proofValue"] == expected["proof"]["proofValue"]


# -- verification -------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_verifier_intermediate_values(case: str) -> None:
    derived = step(case, "derivedRevealDocument.json")
    parsed = sd.parse_derived_proof_value(derived["proof"]["proofValue"])
    expected = step(case, "verifyDerivedProofValue.json")
    assert parsed.base_signature.hex() == expected["baseSignature"]
    assert parsed.public_key == multibase_decode(expected["publicKey"])
    assert hexes(parsed.signatures) == expected["signatures"]
    assert list(parsed.label_map.items()) == [tuple(e) for e in expected["labelMap"]]
    assert parsed.mandatory_indexes == expected["mandatoryIndexes"]

    nquads, _ = sp.label_replacement_canonicalize_json_ld(
        unsecured(derived), sp.create_label_map_function(parsed.label_map)
    )
    assert nquads == step(case, "verifyNQuads.json")

    data = sd.create_verify_data(unsecured(derived), derived["proof"])
    want = step(case, "verifyCreateVerifyData.json")
    assert data.base_signature.hex() == want["baseSignature"]
    assert data.proof_hash.hex() == want["proofHash"]
    assert data.public_key == multibase_decode(want["publicKey"])
    assert hexes(data.signatures) == want["signatures"]
    assert data.non_mandatory == want["nonMandatory"]
    assert data.mandatory_hash.hex() == want["mandatoryHash"]


@pytest.mark.parametrize("case", CASES)
def test_vector_derived_credential_verifies(case: str) -> None:
    derived = step(case, "derivedRevealDocument.json")
    result = SUITE.verify(unsecured(derived), derived["proof"], ISSUER_PUB)
    assert result.warnings == []


@pytest.mark.parametrize("case", CASES)
async def test_vector_derived_credential_verifies_through_did_key(case: str) -> None:
    derived = step(case, "derivedRevealDocument.json")
    [outcome] = await verify_proofs(derived, purpose="assertionMethod")
    assert outcome.verified, outcome.error
    assert outcome.cryptosuite == "ecdsa-sd-2023"
    assert outcome.key_type == "P-256"
    assert outcome.controller == "did:key:" + KEYS["baseKeyPair"]["publicKeyMultibase"]


@pytest.mark.parametrize("case", CASES)
async def test_tampered_disclosed_value_fails(case: str) -> None:
    derived = step(case, "derivedRevealDocument.json")
    tampered = copy.deepcopy(derived)
    tampered["credentialSubject"]["birthCountry"] = "Utopia"
    with pytest.raises(ProofError) as err:
        SUITE.verify(unsecured(tampered), tampered["proof"], ISSUER_PUB)
    assert err.value.code == "proof.signature-invalid"
    [outcome] = await verify_proofs(tampered, purpose="assertionMethod")
    assert not outcome.verified
    assert isinstance(outcome.error, ProofError)


def test_tampered_mandatory_value_fails() -> None:
    derived = step("employ", "derivedRevealDocument.json")
    derived["issuer"]["image"] = "data:image/png;base64,AAAA"
    with pytest.raises(ProofError, match="base signature") as err:
        SUITE.verify(unsecured(derived), derived["proof"], ISSUER_PUB)
    assert err.value.code == "proof.signature-invalid"


def test_withheld_statement_changes_signature_count() -> None:
    derived = step("employ", "derivedRevealDocument.json")
    del derived["credentialSubject"]["birthCountry"]
    with pytest.raises(ProofError) as err:
        SUITE.verify(unsecured(derived), derived["proof"], ISSUER_PUB)
    assert err.value.code == "proof.sd-signature-count"


def test_other_issuer_key_fails() -> None:
    derived = step("employ", "derivedRevealDocument.json")
    other = generate_key("P-256").public_key
    with pytest.raises(ProofError) as err:
        SUITE.verify(unsecured(derived), derived["proof"], other)
    assert err.value.code == "proof.signature-invalid"


@pytest.mark.parametrize("case", CASES)
async def test_base_proof_is_refused(case: str) -> None:
    signed = signed_base(case)
    with pytest.raises(ProofError) as err:
        SUITE.verify(unsecured(signed), signed["proof"], ISSUER_PUB)
    assert err.value.code == "proof.sd-base-proof"
    assert "derived proof" in err.value.message
    [outcome] = await verify_proofs(signed, purpose="assertionMethod")
    assert not outcome.verified
    assert outcome.error is not None and outcome.error.code == "proof.sd-base-proof"


def test_malformed_proof_values() -> None:
    derived = step("employ", "derivedRevealDocument.json")
    doc = unsecured(derived)
    for bad in ["z3u2V0B", "u", "uAAAA", 42, derived["proof"]["proofValue"] + "AAAA"]:
        proof = {**derived["proof"], "proofValue": bad}
        with pytest.raises(ProofError) as err:
            SUITE.verify(doc, proof, ISSUER_PUB)
        assert err.value.code == "proof.value-malformed", bad
    parsed = sd.parse_derived_proof_value(derived["proof"]["proofValue"])
    short = sd.DerivedProofValue(
        parsed.base_signature,
        parsed.public_key,
        parsed.signatures[:-1],
        parsed.label_map,
        parsed.mandatory_indexes,
    )
    proof = {**derived["proof"], "proofValue": sd.serialize_derived_proof_value(short)}
    with pytest.raises(ProofError) as err:
        SUITE.verify(doc, proof, ISSUER_PUB)
    assert err.value.code == "proof.sd-signature-count"


def test_label_map_must_cover_and_not_merge_blank_nodes() -> None:
    derived = step("employ", "derivedRevealDocument.json")
    parsed = sd.parse_derived_proof_value(derived["proof"]["proofValue"])
    labels = list(parsed.label_map.values())
    for label_map in ({"c14n0": labels[0]}, {"c14n0": labels[0], "c14n1": labels[0]}):
        value = sd.DerivedProofValue(
            parsed.base_signature,
            parsed.public_key,
            parsed.signatures,
            label_map,
            parsed.mandatory_indexes,
        )
        proof = {**derived["proof"], "proofValue": sd.serialize_derived_proof_value(value)}
        with pytest.raises(ProofError) as err:
            SUITE.verify(unsecured(derived), proof, ISSUER_PUB)
        assert err.value.code == "proof.sd-label-map"


# -- round trips with our own keys ----------------------------------------------------


def did_key_vm(key: PrivateKey) -> str:
    multikey = key.public_key.multikey()
    return f"did:key:{multikey}#{multikey}"


@pytest.fixture
def issuer() -> PrivateKey:
    return generate_key("P-256")


def sign_sd(document: dict[str, Any], key: PrivateKey, mandatory: list[str]) -> dict[str, Any]:
    return sign_document(
        document,
        key,
        did_key_vm(key),
        suite="ecdsa-sd-2023",
        created="2024-05-01T00:00:00Z",
        mandatoryPointers=mandatory,
    )


async def test_round_trip_on_unsigned(issuer: PrivateKey) -> None:
    unsigned = load(V / "unsigned.json")
    signed = sign_sd(unsigned, issuer, ["/issuer", "/validFrom"])
    assert "mandatoryPointers" not in signed["proof"]
    assert signed["proof"]["proofValue"].startswith("u2V0A")
    derived = sd.derive(signed, ["/credentialSubject/alumniOf"])
    assert derived["proof"]["proofValue"].startswith("u2V0B")
    assert derived["credentialSubject"] == {
        "id": "did:example:abcdefgh",
        "alumniOf": "The School of Examples",
    }
    assert "name" not in derived and "description" not in derived
    assert derived["id"] == unsigned["id"] and derived["validFrom"] == unsigned["validFrom"]
    SUITE.verify(unsecured(derived), derived["proof"], issuer.public_key)
    [outcome] = await verify_proofs(derived, purpose="assertionMethod")
    assert outcome.verified, outcome.error

    tampered = copy.deepcopy(derived)
    tampered["credentialSubject"]["alumniOf"] = "Another School"
    [outcome] = await verify_proofs(tampered, purpose="assertionMethod")
    assert not outcome.verified


async def test_round_trip_disclosing_only_mandatory(issuer: PrivateKey) -> None:
    employ = load(V / "employmentAuth.json")
    signed = sign_sd(employ, issuer, ["/issuer", "/credentialSubject/givenName"])
    derived = sd.derive(signed, [])
    assert set(derived) == {"@context", "type", "issuer", "credentialSubject", "proof"}
    assert derived["credentialSubject"] == {
        "type": ["Person", "EmployablePerson"],
        "givenName": "JOHN",
    }
    parsed = sd.parse_derived_proof_value(derived["proof"]["proofValue"])
    assert parsed.signatures == []
    SUITE.verify(unsecured(derived), derived["proof"], issuer.public_key)
    [outcome] = await verify_proofs(derived, purpose="assertionMethod")
    assert outcome.verified, outcome.error


def test_round_trip_without_mandatory_pointers(issuer: PrivateKey) -> None:
    employ = load(V / "employmentAuth.json")
    proof = SUITE.sign(employ, {"verificationMethod": did_key_vm(issuer)}, issuer)
    derived = sd.derive(
        add_proof(employ, proof), ["/credentialSubject/employmentAuthorizationDocument"]
    )
    assert derived["credentialSubject"]["employmentAuthorizationDocument"]["lprNumber"] == (
        "999-999-999"
    )
    assert "issuer" not in derived
    SUITE.verify(unsecured(derived), derived["proof"], issuer.public_key)
    with pytest.raises(ProofError) as err:
        sd.derive(add_proof(employ, proof), [])
    assert err.value.code == "proof.sd-pointer"


def test_round_trip_with_arrays(issuer: PrivateKey) -> None:
    mock = V / "test-suite-mocks" / "achievement" / "vc2.0"
    document = load(mock / "document.json")
    document["issuer"] = "did:key:" + issuer.public_key.multikey()
    signed = sign_sd(document, issuer, load(mock / "mandatoryPointers.json"))
    everything = sd.derive(signed, load(mock / "selectivePointers.json"))
    SUITE.verify(unsecured(everything), everything["proof"], issuer.public_key)
    # A sparse selection of array elements is made dense.
    one = sd.derive(signed, ["/credentialSubject/achievements/1/sails/2"])
    [achievement] = one["credentialSubject"]["achievements"]
    assert achievement["sails"] == [document["credentialSubject"]["achievements"][1]["sails"][2]]
    SUITE.verify(unsecured(one), one["proof"], issuer.public_key)


def test_sign_refuses_other_key_types() -> None:
    for key_type in ("Ed25519", "P-384"):
        with pytest.raises(ProofError) as err:
            SUITE.sign(load(V / "unsigned.json"), {}, generate_key(key_type))
        assert err.value.code == "proof.key-type-mismatch"


def test_derive_with_unknown_pointer(issuer: PrivateKey) -> None:
    signed = sign_sd(load(V / "unsigned.json"), issuer, ["/issuer"])
    with pytest.raises(ProofError) as err:
        sd.derive(signed, ["/credentialSubject/nope"])
    assert err.value.code == "proof.sd-pointer"


def test_derive_refuses_base_that_does_not_fit(issuer: PrivateKey) -> None:
    signed = sign_sd(load(V / "unsigned.json"), issuer, ["/issuer"])
    changed = copy.deepcopy(signed)
    changed["description"] = "Changed after signing."
    with pytest.raises(ProofError) as err:
        sd.derive(changed, ["/description"])
    assert err.value.code == "proof.signature-invalid"
    del changed["description"]
    with pytest.raises(ProofError) as err:
        sd.derive(changed, ["/name"])
    assert err.value.code == "proof.sd-base-mismatch"


# -- selection primitives -------------------------------------------------------------


def test_json_pointer_to_paths() -> None:
    assert sp.json_pointer_to_paths("") == []
    assert sp.json_pointer_to_paths("/a~1b/m~0n/0") == ["a/b", "m~n", "0"]
    for bad in ("a/b", "/a~2"):
        with pytest.raises(ProofError):
            sp.json_pointer_to_paths(bad)


def test_select_json_ld() -> None:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:x",
        "type": ["VerifiableCredential"],
        "credentialSubject": {
            "id": "_:b0",
            "type": "Person",
            "list": [{"type": "T", "a": 1, "b": 2}, {"a": 3}, {"a": 4}],
            "name": "n",
        },
    }
    assert sp.select_json_ld([], document) is None
    selected = sp.select_json_ld(
        ["/credentialSubject/list/2/a", "/credentialSubject/list/0/b"], document
    )
    assert selected == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:x",
        "type": ["VerifiableCredential"],
        "credentialSubject": {"type": "Person", "list": [{"type": "T", "b": 2}, {"a": 4}]},
    }
    whole = sp.select_json_ld(["/credentialSubject"], document)
    assert whole is not None and whole["credentialSubject"] == document["credentialSubject"]


def test_skolemize_round_trip() -> None:
    quads = [("_:b0", "<urn:p>", "_:b1", ""), ("<urn:s>", "<urn:p>", '"_:b0"', "_:g")]
    skolemized = sp.skolemize_quads(quads)
    assert skolemized[0] == ("<urn:bnid:b0>", "<urn:p>", "<urn:bnid:b1>", "")
    assert skolemized[1][2] == '"_:b0"'
    assert sp.deskolemize_quads(skolemized) == quads
    assert sp.strip_blank_node_prefixes({"_:c14n0": "_:b0"}) == {"c14n0": "b0"}
