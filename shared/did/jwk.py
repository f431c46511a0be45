"""did:jwk: the DID document is derived from the public JWK in the identifier."""

from __future__ import annotations

import json
from typing import Any

from shared.errors import DidError, KeyFormatError
from shared.keys import PublicKey, b64url_decode, b64url_encode, public_key_from_jwk

_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"]


def did_jwk_for(public_key: PublicKey) -> str:
    """The did:jwk identifier of ``public_key`` (compact JSON, base64url)."""
    text = json.dumps(public_key.jwk(), separators=(",", ":"), sort_keys=True)
    return "did:jwk:" + b64url_encode(text.encode("utf-8"))


def resolve(did: str) -> dict[str, Any]:
    """Build the DID document of a did:jwk; private key material is refused."""
    parts = did.split(":")
    if len(parts) != 3 or parts[1] != "jwk" or not parts[2]:
        raise DidError(f"{did!r} is not a valid did:jwk.", code="did.invalid")
    try:
        jwk = json.loads(b64url_decode(parts[2]))
    except (ValueError, KeyFormatError) as exc:
        raise DidError(f"{did!r} does not contain a JSON JWK.", code="did.invalid") from exc
    if not isinstance(jwk, dict):
        raise DidError(f"{did!r} does not contain a JSON JWK.", code="did.invalid")
    try:
        public_key_from_jwk(jwk)
    except KeyFormatError as exc:
        raise DidError(f"{did!r}: {exc}", code="did.invalid") from exc
    vm_id = f"{did}#0"
    doc: dict[str, Any] = {
        "@context": list(_CONTEXT),
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
        ],
    }
    rels = (
        ["keyAgreement"]
        if jwk.get("use") == "enc"
        else [
            "assertionMethod",
            "authentication",
            "capabilityInvocation",
            "capabilityDelegation",
        ]
    )
    if jwk.get("use") != "sig" and "keyAgreement" not in rels:
        rels.append("keyAgreement")
    for rel in rels:
        doc[rel] = [vm_id]
    return doc
