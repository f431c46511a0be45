"""Decode the public key of a verification method object, by its type."""

from __future__ import annotations

from typing import Any

from shared.errors import KeyFormatError
from shared.keys import (
    PublicKey,
    public_key_from_ed25519_base58,
    public_key_from_jwk,
    public_key_from_multikey,
)

MULTIBASE_TYPES = frozenset(
    {"Multikey", "Ed25519VerificationKey2020", "EcdsaSecp256r1VerificationKey2019"}
)
JWK_TYPES = frozenset({"JsonWebKey2020", "JsonWebKey"})


def public_key_of_method(method: dict[str, Any]) -> PublicKey:
    """The public key a verification method object carries.

    Refuses a method whose declared type does not match its key encoding, and
    an Ed25519VerificationKey2020 that does not hold an Ed25519 key.
    """
    vm_type = method.get("type")
    if vm_type in MULTIBASE_TYPES and isinstance(method.get("publicKeyMultibase"), str):
        key = public_key_from_multikey(method["publicKeyMultibase"])
        if vm_type == "Ed25519VerificationKey2020" and key.key_type != "Ed25519":
            raise KeyFormatError(
                "An Ed25519VerificationKey2020 must hold an Ed25519 key.", code="key.type-mismatch"
            )
        return key
    if vm_type in JWK_TYPES and isinstance(method.get("publicKeyJwk"), dict):
        return public_key_from_jwk(method["publicKeyJwk"])
    if vm_type == "Ed25519VerificationKey2018" and isinstance(method.get("publicKeyBase58"), str):
        return public_key_from_ed25519_base58(method["publicKeyBase58"])
    raise KeyFormatError(
        f"Unsupported verification method type {vm_type!r} or missing key material.",
        code="key.unsupported",
    )
