"""did:key: the DID document is derived from the Multikey in the identifier."""

from __future__ import annotations

from typing import Any

from shared.errors import DidError, KeyFormatError
from shared.keys import PublicKey, public_key_from_multikey

_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
_RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
)


def did_key_for(public_key: PublicKey) -> str:
    """The did:key identifier of ``public_key``."""
    return "did:key:" + public_key.multikey()


def resolve(did: str) -> dict[str, Any]:
    """Build the DID document of a did:key (Ed25519, P-256 or P-384)."""
    parts = did.split(":")
    if len(parts) != 3 or parts[1] != "key" or not parts[2].startswith("z"):
        raise DidError(f"{did!r} is not a valid did:key.", code="did.invalid")
    fingerprint = parts[2]
    try:
        public_key_from_multikey(fingerprint)
    except KeyFormatError as exc:
        raise DidError(
            f"{did!r} does not encode a supported key: {exc}", code="did.invalid"
        ) from exc
    vm_id = f"{did}#{fingerprint}"
    doc: dict[str, Any] = {
        "@context": list(_CONTEXT),
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": fingerprint}
        ],
    }
    for rel in _RELATIONSHIPS:
        doc[rel] = [vm_id]
    return doc
