"""W3C Data Integrity test vectors (vc-di-eddsa, vc-di-ecdsa) and the OB/CLR spec test vectors.

Every intermediate value the vectors give is compared byte for byte: canonical
document, canonical proof configuration, hashes, and (for deterministic
Ed25519) the signature; each signed document verifies and a tampered copy fails.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shared.keys import PublicKey, private_key_from_multikey, public_key_from_multikey
from shared.proofs import ProofPolicy, find_suite, verify_proofs
from shared.proofs.base import HashSignSuite
from shared.proofs.transforms import jcs, rdfc

V = Path(__file__).resolve().parents[2] / "vectors"


@dataclass(frozen=True)
class DiVector:
    folder: str
    tag: str  # file name suffix, e.g. "DataInt", "ECDSAP256"
    unsigned: str
    keys: str

    @property
    def path(self) -> Path:
        return V / self.folder

    def text(self, stem: str) -> str:
        return (self.path / f"{stem}{self.tag}.txt").read_text("utf-8")

    def json(self, stem: str) -> Any:
        return json.loads((self.path / f"{stem}{self.tag}.json").read_text("utf-8"))


VECTORS = [
    DiVector(
        "di-eddsa/eddsa-rdfc-2022", "DataInt", "di-eddsa/unsigned.json", "di-eddsa/keyPair.json"
    ),
    DiVector(
        "di-eddsa/eddsa-rdfc-2022/employ",
        "DataInt",
        "di-eddsa/employmentAuth.json",
        "di-eddsa/keyPair.json",
    ),
    DiVector("di-eddsa/eddsa-jcs-2022", "JCS", "di-eddsa/unsigned.json", "di-eddsa/keyPair.json"),
    DiVector(
        "di-eddsa/Ed25519Signature2020", "EdSig", "di-eddsa/unsigned.json", "di-eddsa/keyPair.json"
    ),
    DiVector(
        "di-ecdsa/ecdsa-rdfc-2019-p256",
        "ECDSAP256",
        "di-ecdsa/unsigned.json",
        "di-ecdsa/p256KeyPair.json",
    ),
    DiVector(
        "di-ecdsa/ecdsa-rdfc-2019-p256/employ",
        "ECDSAP256",
        "di-ecdsa/employmentAuth.json",
        "di-ecdsa/p256KeyPair.json",
    ),
    DiVector(
        "di-ecdsa/ecdsa-rdfc-2019-p384",
        "ECDSAP384",
        "di-ecdsa/unsigned.json",
        "di-ecdsa/p384KeyPair.json",
    ),
    DiVector(
        "di-ecdsa/ecdsa-rdfc-2019-p384/employ",
        "ECDSAP384",
        "di-ecdsa/employmentAuth.json",
        "di-ecdsa/p384KeyPair.json",
    ),
    DiVector(
        "di-ecdsa/ecdsa-jcs-2019-p256",
        "JCSECDSAP256",
        "di-ecdsa/unsigned.json",
        "di-ecdsa/p256KeyPair.json",
    ),
    DiVector(
        "di-ecdsa/ecdsa-jcs-2019-p384",
        "JCSECDSAP384",
        "di-ecdsa/unsigned.json",
        "di-ecdsa/p384KeyPair.json",
    ),
]
IDS = [v.folder for v in VECTORS]


def _load(rel: str) -> Any:
    return json.loads((V / rel).read_text("utf-8"))


def _suite_and_hash(vec: DiVector) -> tuple[HashSignSuite, str]:
    suite = find_suite(vec.json("proofConfig"))
    assert isinstance(suite, HashSignSuite)
    return suite, "sha384" if vec.tag.endswith("384") else "sha256"


def _canonical_doc(vec: DiVector) -> str:
    suite, hash_name = _suite_and_hash(vec)
    document = _load(vec.unsigned)
    if suite.transform == "jcs":
        return jcs(document).decode("utf-8")
    return rdfc(document, hash_name=hash_name)


def _tamper(node: Any) -> bool:
    """Change the first plain string value (not an id or type) inside ``node``."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        if key in ("id", "type", "@context"):
            continue
        if isinstance(value, str):
            node[key] = value + " (tampered)"
            return True
        if isinstance(value, dict | list) and _tamper(value):
            return True
    return False


def _signed_without_proof(vec: DiVector) -> dict[str, Any]:
    # Ed25519Signature2020 adds its suite context to the document before signing.
    return {k: v for k, v in vec.json("signed").items() if k != "proof"}


def _canonical_proof(vec: DiVector) -> str:
    suite, hash_name = _suite_and_hash(vec)
    document = _signed_without_proof(vec)
    config = suite._proof_config(document, vec.json("proofConfig"))
    if suite.transform == "jcs":
        return jcs(config).decode("utf-8")
    return rdfc(config, hash_name=hash_name)


@pytest.mark.parametrize("vec", VECTORS, ids=IDS)
def test_canonical_document_is_byte_identical(vec: DiVector) -> None:
    assert _canonical_doc(vec) == vec.text("canonDoc")


@pytest.mark.parametrize("vec", VECTORS, ids=IDS)
def test_canonical_proof_configuration_is_byte_identical(vec: DiVector) -> None:
    assert _canonical_proof(vec) == vec.text("proofCanon")


@pytest.mark.parametrize("vec", VECTORS, ids=IDS)
def test_hashes_match(vec: DiVector) -> None:
    suite, hash_name = _suite_and_hash(vec)
    doc_hash = hashlib.new(hash_name, vec.text("canonDoc").encode()).hexdigest()
    proof_hash = hashlib.new(hash_name, vec.text("proofCanon").encode()).hexdigest()
    assert doc_hash == vec.text("docHash").strip()
    assert proof_hash == vec.text("proofHash").strip()
    combined = suite.hash_data(
        _signed_without_proof(vec),
        vec.json("proofConfig"),
        "P-384" if hash_name == "sha384" else "P-256",
    )
    assert combined.hex() == vec.text("combinedHash").strip()


@pytest.mark.parametrize("vec", VECTORS, ids=IDS)
def test_signature_matches_or_verifies(vec: DiVector) -> None:
    keys = _load(vec.keys)
    private = private_key_from_multikey(
        keys.get("secretKeyMultibase") or keys["privateKeyMultibase"]
    )
    public: PublicKey = public_key_from_multikey(keys["publicKeyMultibase"])
    suite, _ = _suite_and_hash(vec)
    data = bytes.fromhex(vec.text("combinedHash").strip())
    expected_sig = bytes.fromhex(vec.text("sigHex").strip())
    public.verify(expected_sig, data)
    if private.key_type == "Ed25519":  # deterministic: must be byte-identical
        assert private.sign(data) == expected_sig
        proof = suite.sign(
            _signed_without_proof(vec),
            {k: v for k, v in vec.json("proofConfig").items() if k not in ("type", "cryptosuite")},
            private,
        )
        assert proof["proofValue"] == vec.text("sigBTC58").strip()


@pytest.mark.parametrize("vec", VECTORS, ids=IDS)
async def test_signed_document_verifies_and_tampered_fails(vec: DiVector) -> None:
    signed = vec.json("signed")
    outcomes = await verify_proofs(signed, purpose="assertionMethod")
    assert [o.verified for o in outcomes] == [True], [o.error for o in outcomes]

    tampered = copy.deepcopy(signed)
    assert _tamper(tampered["credentialSubject"])
    bad = await verify_proofs(tampered, purpose="assertionMethod")
    assert not bad[0].verified
    assert bad[0].error is not None
    assert bad[0].error.code == "proof.signature-invalid"


@pytest.mark.parametrize("vec", VECTORS, ids=IDS)
async def test_wrong_purpose_is_refused(vec: DiVector) -> None:
    outcomes = await verify_proofs(vec.json("signed"), purpose="authentication")
    assert not outcomes[0].verified
    assert outcomes[0].error is not None
    assert outcomes[0].error.code == "proof.purpose-mismatch"


PROOF_SETS = [
    "signedProofSet1.json",
    "signedProofSet2.json",
    "signedProofChain1.json",
    "signedProofChain2.json",
]


@pytest.mark.parametrize("name", PROOF_SETS)
async def test_proof_sets_and_chains(name: str) -> None:
    signed = _load(f"di-eddsa/proof-set-chain/{name}")
    outcomes = await verify_proofs(signed, purpose="assertionMethod")
    assert len(outcomes) >= 1
    assert all(o.verified for o in outcomes), [(o.index, o.error) for o in outcomes]
    if len(outcomes) > 1:  # removing one proof of a chain breaks the later ones
        broken = copy.deepcopy(signed)
        broken["proof"][0]["proofValue"] = broken["proof"][1]["proofValue"]
        again = await verify_proofs(broken, purpose="assertionMethod")
        assert not all(o.verified for o in again)


async def test_chain_naming_a_missing_previous_proof_fails() -> None:
    signed = _load("di-eddsa/proof-set-chain/signedProofChain1.json")
    broken = copy.deepcopy(signed)
    chained = [p for p in broken["proof"] if "previousProof" in p]
    assert chained, "the vector has a chained proof"
    chained[0]["previousProof"] = "urn:uuid:not-in-the-set"
    outcomes = await verify_proofs(broken, purpose="assertionMethod")
    failed = [o for o in outcomes if not o.verified]
    assert failed and failed[0].error is not None and failed[0].error.code == "proof.chain"


SPEC_VECTORS = ["ob3/spec-test-vector", "clr2/spec-test-vector"]


@pytest.mark.parametrize("folder", SPEC_VECTORS)
async def test_open_badges_and_clr_spec_test_vectors(folder: str) -> None:
    path = V / folder
    unsigned = json.loads((path / "unsigned-credential.json").read_text())
    signed = json.loads((path / "signed-credential.json").read_text())
    values = json.loads((path / "vector-values.json").read_text())
    assert rdfc(unsigned) == (path / "document-canon.txt").read_text()
    assert hashlib.sha256(rdfc(unsigned).encode()).hexdigest() == values["documentHashHex"]
    suite = find_suite(signed["proof"] if isinstance(signed["proof"], dict) else signed["proof"][0])
    assert isinstance(suite, HashSignSuite)
    proof = signed["proof"] if isinstance(signed["proof"], dict) else signed["proof"][0]
    config = suite._proof_config(unsigned, proof)
    assert rdfc(config) == (path / "proof-canon.txt").read_text()
    # The key id is an https URL whose fragment is the key (1EdTech convention): only
    # accepted when a caller opts in, and then with a warning.
    strict = await verify_proofs(signed, purpose="assertionMethod")
    assert not strict[0].verified
    assert strict[0].error is not None
    assert strict[0].error.code == "proof.verification-method-unresolvable"
    lenient = await verify_proofs(
        signed, purpose="assertionMethod", policy=ProofPolicy(allow_fragment_keys=True)
    )
    assert lenient[0].verified and lenient[0].warnings
    tampered = copy.deepcopy(signed)
    tampered["name"] = "Tampered"
    bad = await verify_proofs(
        tampered, purpose="assertionMethod", policy=ProofPolicy(allow_fragment_keys=True)
    )
    assert not bad[0].verified
