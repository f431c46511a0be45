"""The ecdsa-sd-2023 selective-disclosure cryptosuite (W3C vc-di-ecdsa), P-256.

The issuer signs a *base proof*: every non-mandatory canonical N-Quad (blank
nodes relabelled by HMAC) is signed with a proof-scoped P-256 key, and the
issuer key signs proofHash || proof-scoped public key || mandatoryHash. The
holder ``derive``s a *derived proof* revealing the mandatory statements plus a
selection; only derived proofs are accepted for verification.

Signatures are deterministic ECDSA (RFC 6979), as in the specification's vectors.
"""

from __future__ import annotations

import copy
import io
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from shared.errors import ProofError, SatchelError
from shared.jsonld.rdfc import canonicalize_with_labels
from shared.keys import (
    PrivateKey,
    PublicKey,
    b64url_decode,
    b64url_encode,
    generate_key,
    multibase_b58,
    public_key_from_multikey,
)
from shared.proofs.base import SuiteResult
from shared.proofs.sd_primitives import (
    canonicalize_and_group,
    create_hmac_id_label_map_function,
    create_label_map_function,
    hash_mandatory_nquads,
    label_replacement_canonicalize_json_ld,
    select_json_ld,
)
from shared.proofs.transforms import digest, rdfc

NAME: Final = "ecdsa-sd-2023"
PROOF_TYPE: Final = "DataIntegrityProof"
BASE_HEADER: Final = b"\xd9\x5d\x00"
DERIVED_HEADER: Final = b"\xd9\x5d\x01"
P256_PUB_PREFIX: Final = b"\x80\x24"
HASH: Final = "sha256"

_SIG_LEN: Final = 64
_PUB_LEN: Final = 35
_HMAC_LEN: Final = 32
_C14N_LABEL = re.compile(r"c14n(0|[1-9][0-9]*)")
_DATETIME = re.compile(
    r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?"
)


def _malformed(message: str) -> ProofError:
    return ProofError(message, code="proof.value-malformed")


# -- proof values -------------------------------------------------------------------


@dataclass(frozen=True)
class BaseProofValue:
    """The components of a base proof value."""

    base_signature: bytes
    public_key: bytes
    hmac_key: bytes
    signatures: list[bytes]
    mandatory_pointers: list[str]


@dataclass(frozen=True)
class DerivedProofValue:
    """The components of a derived proof value (label map decompressed)."""

    base_signature: bytes
    public_key: bytes
    signatures: list[bytes]
    label_map: dict[str, str]
    mandatory_indexes: list[int]


def _encode(header: bytes, components: list[Any]) -> str:
    return "u" + b64url_encode(header + cbor2.dumps(components))


def _decode(proof_value: Any) -> tuple[bytes, Any]:
    """(header, CBOR components) of a multibase base64url proof value."""
    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise _malformed("An ecdsa-sd-2023 proofValue is multibase base64url-no-pad ('u...').")
    try:
        raw = b64url_decode(proof_value[1:])
    except SatchelError as exc:
        raise _malformed("The proofValue is not valid base64url.") from exc
    header, body = raw[:3], raw[3:]
    if header not in (BASE_HEADER, DERIVED_HEADER):
        raise _malformed("The proofValue lacks an ecdsa-sd-2023 header (0xd95d00 or 0xd95d01).")
    stream = io.BytesIO(body)
    try:
        components = cbor2.CBORDecoder(stream).decode()
    except Exception as exc:  # cbor2 raises several error types on bad input
        raise _malformed(f"The proofValue is not valid CBOR: {exc}") from exc
    if stream.tell() != len(body):
        raise _malformed("The proofValue has bytes after its CBOR value.")
    if not isinstance(components, list) or len(components) != 5:
        raise _malformed("An ecdsa-sd-2023 proofValue holds an array of five components.")
    return header, components


def _bytes(value: Any, length: int, what: str) -> bytes:
    if not isinstance(value, bytes) or len(value) != length:
        raise _malformed(f"The proofValue's {what} must be a {length}-byte string.")
    return value


def _public_key_bytes(value: Any) -> bytes:
    pub = _bytes(value, _PUB_LEN, "proof-scoped public key")
    if not pub.startswith(P256_PUB_PREFIX):
        raise _malformed("The proof-scoped public key must be a P-256 multikey (0x8024).")
    return pub


def _signatures(value: Any) -> list[bytes]:
    if not isinstance(value, list):
        raise _malformed("The proofValue's signatures must be an array.")
    return [_bytes(v, _SIG_LEN, "statement signature") for v in value]


def serialize_base_proof_value(value: BaseProofValue) -> str:
    """``u`` + base64url(0xd95d00 || CBOR[baseSignature, publicKey, hmacKey, sigs, pointers])."""
    return _encode(
        BASE_HEADER,
        [
            value.base_signature,
            value.public_key,
            value.hmac_key,
            list(value.signatures),
            list(value.mandatory_pointers),
        ],
    )


def parse_base_proof_value(proof_value: Any) -> BaseProofValue:
    """Parse a base proof value; a derived one is an error."""
    header, c = _decode(proof_value)
    if header != BASE_HEADER:
        raise _malformed("This is a derived ecdsa-sd-2023 proof, not a base proof.")
    pointers = c[4]
    if not isinstance(pointers, list) or not all(isinstance(p, str) for p in pointers):
        raise _malformed("The base proof's mandatory pointers must be an array of strings.")
    return BaseProofValue(
        _bytes(c[0], _SIG_LEN, "base signature"),
        _public_key_bytes(c[1]),
        _bytes(c[2], _HMAC_LEN, "HMAC key"),
        _signatures(c[3]),
        list(pointers),
    )


def compress_label_map(label_map: Mapping[str, str]) -> dict[int, bytes]:
    """``c14nN`` -> ``u<b64url>`` becomes N -> the decoded bytes."""
    out: dict[int, bytes] = {}
    for key, value in label_map.items():
        match = _C14N_LABEL.fullmatch(key)
        if match is None or not value.startswith("u"):
            raise ProofError(f"Cannot compress label map entry {key!r}.", code="proof.sd-label-map")
        out[int(match.group(1))] = b64url_decode(value[1:])
    return out


def decompress_label_map(compressed: Any) -> dict[str, str]:
    """N -> 32 bytes becomes ``c14nN`` -> ``u<b64url>``."""
    if not isinstance(compressed, dict):
        raise _malformed("The derived proof's label map must be a CBOR map.")
    out: dict[str, str] = {}
    for key, value in compressed.items():
        if isinstance(key, bool) or not isinstance(key, int) or key < 0:
            raise _malformed("The derived proof's label map keys must be non-negative integers.")
        out[f"c14n{key}"] = "u" + b64url_encode(_bytes(value, _HMAC_LEN, "label map value"))
    return out


def serialize_derived_proof_value(value: DerivedProofValue) -> str:
    """``u`` + base64url(0xd95d01 || CBOR[baseSig, publicKey, sigs, labelMap, indexes])."""
    return _encode(
        DERIVED_HEADER,
        [
            value.base_signature,
            value.public_key,
            list(value.signatures),
            compress_label_map(value.label_map),
            list(value.mandatory_indexes),
        ],
    )


def parse_derived_proof_value(proof_value: Any) -> DerivedProofValue:
    """Parse a derived proof value; a base proof is refused (``proof.sd-base-proof``)."""
    header, c = _decode(proof_value)
    if header == BASE_HEADER:
        raise ProofError(
            "This is an ecdsa-sd-2023 base proof: a base proof is only for the holder; "
            "present a derived proof.",
            code="proof.sd-base-proof",
        )
    indexes = c[4]
    if not isinstance(indexes, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in indexes
    ):
        raise _malformed("The derived proof's mandatory indexes must be non-negative integers.")
    if len(set(indexes)) != len(indexes):
        raise _malformed("The derived proof's mandatory indexes repeat an index.")
    return DerivedProofValue(
        _bytes(c[0], _SIG_LEN, "base signature"),
        _public_key_bytes(c[1]),
        _signatures(c[2]),
        decompress_label_map(c[3]),
        list(indexes),
    )


# -- hashing and signing ------------------------------------------------------------


def _proof_config(document: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    if "@context" not in document:
        raise ProofError(
            "ecdsa-sd-2023 needs a JSON-LD document with an @context.", code="proof.context-missing"
        )
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in config and config["@context"] != document["@context"]:
        raise ProofError(
            "The proof's @context differs from the document's.", code="proof.context-mismatch"
        )
    config["@context"] = document["@context"]
    return config


def proof_hash(document: dict[str, Any], proof: dict[str, Any]) -> bytes:
    """SHA-256 of the canonical proof configuration (the proof without proofValue)."""
    return digest(rdfc(_proof_config(document, proof), hash_name=HASH), HASH)


def serialize_sign_data(proof_hash: bytes, public_key: bytes, mandatory_hash: bytes) -> bytes:
    """What the issuer key signs: proofHash || publicKey || mandatoryHash."""
    return proof_hash + public_key + mandatory_hash


def _sign(key: PrivateKey, data: bytes) -> bytes:
    """Deterministic (RFC 6979) ECDSA P-256/SHA-256, raw r || s."""
    if key.key_type != "P-256" or not isinstance(key.key, ec.EllipticCurvePrivateKey):
        raise ProofError(f"{NAME} signs with P-256 keys only.", code="proof.key-type-mismatch")
    der = key.key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _proof_scoped_key(public_key: bytes) -> PublicKey:
    try:
        return public_key_from_multikey(multibase_b58(public_key))
    except SatchelError as exc:
        raise _malformed("The proof-scoped public key is not a valid P-256 point.") from exc


# -- base proof ---------------------------------------------------------------------


def _pointers(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(p, str) for p in value):
        raise ProofError(f"{what} must be a list of JSON pointers.", code="proof.sd-pointer")
    return list(value)


def create_base_proof(
    document: dict[str, Any],
    options: dict[str, Any],
    key: PrivateKey,
    *,
    proof_key: PrivateKey | None = None,
    hmac_key: bytes | None = None,
) -> dict[str, Any]:
    """A base proof over ``document``; ``options["mandatoryPointers"]`` are always disclosed.

    ``proof_key`` and ``hmac_key`` are fresh random ones unless given (for test vectors).
    """
    if key.key_type != "P-256":
        raise ProofError(
            f"{NAME} cannot sign with a {key.key_type} key.", code="proof.key-type-mismatch"
        )
    mandatory_pointers = _pointers(options.get("mandatoryPointers"), "mandatoryPointers")
    proof: dict[str, Any] = {"type": PROOF_TYPE, "cryptosuite": NAME}
    skip = {"proofValue", "@context", "mandatoryPointers", "type", "cryptosuite"}
    proof.update({k: v for k, v in options.items() if k not in skip})
    created = proof.get("created")
    if created is not None and (not isinstance(created, str) or not _DATETIME.fullmatch(created)):
        raise ProofError("created must be an XML Schema dateTime.", code="proof.created-invalid")
    unsecured = {k: v for k, v in document.items() if k != "proof"}

    hmac_key = hmac_key if hmac_key is not None else secrets.token_bytes(_HMAC_LEN)
    proof_key = proof_key if proof_key is not None else generate_key("P-256")
    grouped = canonicalize_and_group(
        unsecured,
        create_hmac_id_label_map_function(hmac_key),
        {"mandatory": mandatory_pointers},
    )
    group = grouped.groups["mandatory"]
    mandatory_hash = hash_mandatory_nquads(group.matching.values(), HASH)
    signatures = [_sign(proof_key, nq.encode("utf-8")) for nq in group.non_matching.values()]
    public_key = P256_PUB_PREFIX + proof_key.public_key.raw()
    to_sign = serialize_sign_data(proof_hash(unsecured, proof), public_key, mandatory_hash)
    proof["proofValue"] = serialize_base_proof_value(
        BaseProofValue(_sign(key, to_sign), public_key, hmac_key, signatures, mandatory_pointers)
    )
    return proof


# -- derived proof ------------------------------------------------------------------


@dataclass
class DisclosureData:
    """What a derived proof is made of, and the document it reveals."""

    base_signature: bytes
    public_key: bytes
    signatures: list[bytes]
    label_map: dict[str, str]
    mandatory_indexes: list[int]
    reveal_document: dict[str, Any]


def create_disclosure_data(
    document: dict[str, Any], proof: dict[str, Any], selective_pointers: Sequence[str]
) -> DisclosureData:
    """Select ``selective_pointers`` (plus the mandatory ones) from a base-proofed document."""
    base = parse_base_proof_value(proof.get("proofValue"))
    selective = _pointers(selective_pointers, "selective pointers")
    combined = base.mandatory_pointers + selective
    grouped = canonicalize_and_group(
        document,
        create_hmac_id_label_map_function(base.hmac_key),
        {"mandatory": base.mandatory_pointers, "selective": selective, "combined": combined},
    )
    mandatory = grouped.groups["mandatory"]
    if len(base.signatures) != len(mandatory.non_matching):
        raise ProofError(
            "The base proof does not fit the document: it has "
            f"{len(base.signatures)} statement signatures for "
            f"{len(mandatory.non_matching)} non-mandatory statements.",
            code="proof.sd-base-mismatch",
        )
    mandatory_indexes = [
        relative
        for relative, absolute in enumerate(grouped.groups["combined"].matching)
        if absolute in mandatory.matching
    ]
    selected = grouped.groups["selective"].matching
    signatures = [
        signature
        for absolute, signature in zip(mandatory.non_matching, base.signatures, strict=True)
        if absolute in selected
    ]
    reveal = select_json_ld(combined, document)
    if reveal is None:
        raise ProofError(
            "Nothing to disclose: there are neither mandatory nor selective pointers.",
            code="proof.sd-pointer",
        )
    combined_quads = list(dict.fromkeys(grouped.groups["combined"].deskolemized_quads))
    _, canonical_id_map = canonicalize_with_labels(combined_quads, hash_algorithm=HASH)
    label_map: dict[str, str] = {}
    for input_label, verifier_label in canonical_id_map.items():
        hmac_label = grouped.label_map.get(input_label)
        if hmac_label is None:
            raise ProofError(
                f"Selected blank node _:{input_label} is not in the document's label map.",
                code="proof.sd-label-map",
            )
        label_map[verifier_label] = hmac_label
    return DisclosureData(
        base.base_signature, base.public_key, signatures, label_map, mandatory_indexes, reveal
    )


def _sd_proof(document: dict[str, Any]) -> dict[str, Any]:
    raw = document.get("proof")
    proofs = raw if isinstance(raw, list) else [raw]
    found = [
        p
        for p in proofs
        if isinstance(p, dict) and p.get("type") == PROOF_TYPE and p.get("cryptosuite") == NAME
    ]
    if len(found) != 1:
        raise ProofError(
            f"The document must carry exactly one {NAME} base proof to derive from.",
            code="proof.missing",
        )
    return found[0]


def derive(document: dict[str, Any], selective_pointers: Sequence[str]) -> dict[str, Any]:
    """The holder's derived credential: mandatory plus ``selective_pointers`` statements.

    The base proof (and its HMAC key) comes from ``document``; the result carries
    a derived proof and is checked against its statement signatures before it
    is returned (the issuer signature is the verifier's to check).
    """
    proof = _sd_proof(document)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    data = create_disclosure_data(unsecured, proof, selective_pointers)
    new_proof = dict(proof)
    new_proof["proofValue"] = serialize_derived_proof_value(
        DerivedProofValue(
            data.base_signature,
            data.public_key,
            data.signatures,
            data.label_map,
            data.mandatory_indexes,
        )
    )
    revealed = copy.deepcopy(data.reveal_document)
    verify_data = create_verify_data(revealed, new_proof)
    _verify_statements(verify_data)
    revealed["proof"] = new_proof
    return revealed


# -- verification -------------------------------------------------------------------


@dataclass
class VerifyData:
    """The values a derived proof is verified with."""

    base_signature: bytes
    proof_hash: bytes
    public_key: bytes
    signatures: list[bytes]
    non_mandatory: list[str]
    mandatory_hash: bytes


def create_verify_data(document: dict[str, Any], proof: dict[str, Any]) -> VerifyData:
    """Canonicalize the revealed ``document`` with the proof's labels and split its N-Quads."""
    derived = parse_derived_proof_value(proof.get("proofValue"))
    p_hash = proof_hash(document, proof)
    nquads, _ = label_replacement_canonicalize_json_ld(
        document, create_label_map_function(derived.label_map), hash_algorithm=HASH
    )
    if any(i >= len(nquads) for i in derived.mandatory_indexes):
        raise _malformed("A mandatory index of the derived proof is out of range.")
    indexes = set(derived.mandatory_indexes)
    mandatory = [nq for i, nq in enumerate(nquads) if i in indexes]
    non_mandatory = [nq for i, nq in enumerate(nquads) if i not in indexes]
    return VerifyData(
        derived.base_signature,
        p_hash,
        derived.public_key,
        derived.signatures,
        non_mandatory,
        hash_mandatory_nquads(mandatory, HASH),
    )


def _check_count(data: VerifyData) -> None:
    if len(data.signatures) != len(data.non_mandatory):
        raise ProofError(
            f"The derived proof has {len(data.signatures)} statement signatures for "
            f"{len(data.non_mandatory)} disclosed non-mandatory statements.",
            code="proof.sd-signature-count",
        )


def _verify_statements(data: VerifyData) -> None:
    _check_count(data)
    scoped = _proof_scoped_key(data.public_key)
    for index, (signature, nquad) in enumerate(
        zip(data.signatures, data.non_mandatory, strict=True)
    ):
        try:
            scoped.verify(signature, nquad.encode("utf-8"), hash_name=HASH)
        except ProofError as exc:
            raise ProofError(
                f"The signature of disclosed statement {index} does not verify "
                "(the statement was changed or not issued).",
                code="proof.signature-invalid",
            ) from exc


@dataclass(frozen=True)
class EcdsaSd2023:
    """The ecdsa-sd-2023 cryptosuite: signs base proofs, verifies derived proofs."""

    name: str = NAME
    proof_type: str = PROOF_TYPE
    key_types: frozenset[str] = frozenset({"P-256"})

    def verify(
        self, document: dict[str, Any], proof: dict[str, Any], key: PublicKey
    ) -> SuiteResult:
        """Verify a derived proof; a base proof is refused (``proof.sd-base-proof``)."""
        if proof.get("cryptosuite") != NAME:
            raise ProofError("Proof names another cryptosuite.", code="proof.cryptosuite-mismatch")
        if key.key_type not in self.key_types:
            raise ProofError(
                f"{NAME} needs a P-256 issuer key, not {key.key_type}.",
                code="proof.key-type-mismatch",
            )
        data = create_verify_data(document, proof)
        _check_count(data)
        try:
            key.verify(
                data.base_signature,
                serialize_sign_data(data.proof_hash, data.public_key, data.mandatory_hash),
                hash_name=HASH,
            )
        except ProofError as exc:
            raise ProofError(
                "The issuer's base signature does not match the proof options, the "
                "proof-scoped key and the mandatory statements.",
                code="proof.signature-invalid",
            ) from exc
        _verify_statements(data)
        return SuiteResult()

    def sign(
        self, document: dict[str, Any], options: dict[str, Any], key: PrivateKey
    ) -> dict[str, Any]:
        """Create a base proof (``options`` may carry ``mandatoryPointers``)."""
        return create_base_proof(document, options, key)


ECDSA_SD_2023 = EcdsaSd2023()


def _register() -> None:
    from shared.proofs import register  # imported lazily by shared.proofs.find_suite

    register(ECDSA_SD_2023)


_register()
