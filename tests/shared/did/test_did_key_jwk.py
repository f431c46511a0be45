"""did:key and did:jwk against the method specs' vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.did import ResolveContext, dereference_method, resolve_did
from shared.did.jwk import did_jwk_for
from shared.did.key import did_key_for
from shared.errors import DidError, VerificationMethodError
from shared.keys import b64url_encode, generate_key, public_key_from_jwk

V = Path(__file__).resolve().parents[2] / "vectors" / "did"


def _load(rel: str) -> Any:
    return json.loads((V / rel).read_text())


def _expected_raw(vm: dict[str, Any]) -> bytes:
    """Raw public key bytes (Ed25519 32 bytes, EC compressed point) from a vector's VM."""
    if "publicKeyJwk" in vm:
        return public_key_from_jwk(vm["publicKeyJwk"]).raw()
    from multiformats import multibase

    return bytes(multibase.decode("z" + vm["publicKeyBase58"]))


def _nist_cases() -> list[tuple[str, dict[str, Any]]]:
    return list(_load("did-key/nist-curves.json").items())


@pytest.mark.parametrize(("did", "vector"), _nist_cases(), ids=[d for d, _ in _nist_cases()])
async def test_did_key_nist_curves_resolve_to_the_vector_key(
    did: str, vector: dict[str, Any]
) -> None:
    method = vector["verificationMethod"]
    if method.get("publicKeyJwk", {}).get("crv") == "P-521":
        with pytest.raises(DidError):
            await resolve_did(did)
        return
    vm = await dereference_method(f"{did}#{did.split(':')[2]}", "assertionMethod")
    assert vm.public_key.raw() == _expected_raw(method)
    assert vm.controller == did


def _ed25519_cases() -> list[tuple[str, dict[str, Any]]]:
    return list(_load("did-key/ed25519-x25519.json").items())


@pytest.mark.parametrize(("did", "vector"), _ed25519_cases(), ids=[d for d, _ in _ed25519_cases()])
async def test_did_key_ed25519(did: str, vector: dict[str, Any]) -> None:
    doc = await resolve_did(did)
    assert doc["id"] == did
    vm_id = vector["verificationKeyPair"]["id"]
    vm = await dereference_method(
        vm_id if vm_id.startswith("did:") else did + vm_id, "authentication"
    )
    assert vm.public_key.raw() == _expected_raw(vector["verificationKeyPair"])


@pytest.mark.parametrize("name", ["secp256k1.json", "bls12381.json"])
async def test_unsupported_did_key_types_are_refused(name: str) -> None:
    for did in _load(f"did-key/{name}"):
        with pytest.raises(DidError) as err:
            await resolve_did(did)
        assert err.value.code == "did.invalid"


async def test_did_jwk_p256_document_matches_the_spec_vector() -> None:
    expected = _load("did-jwk/p256.did-document.json")
    doc = await resolve_did(expected["id"])
    vm = doc["verificationMethod"][0]
    assert vm == expected["verificationMethod"][0]
    for rel in ("assertionMethod", "capabilityInvocation", "capabilityDelegation"):
        assert doc[rel] == expected[rel]
    resolved = await dereference_method(vm["id"], "assertionMethod")
    assert resolved.public_key.key_type == "P-256"


async def test_did_jwk_with_private_key_material_is_refused() -> None:
    key = generate_key("P-256")
    private_jwk = json.dumps(key.jwk()).encode()
    did = "did:jwk:" + b64url_encode(private_jwk)
    with pytest.raises(DidError) as err:
        await resolve_did(did)
    assert "private" in err.value.message


async def test_did_jwk_encryption_key_cannot_sign() -> None:
    """The spec vector's X25519 key is for key agreement only (use=enc): never a signer."""
    doc = _load("did-jwk/x25519.did-document.json")
    with pytest.raises(DidError):
        await resolve_did(doc["id"])


async def test_round_trip_and_method_rules() -> None:
    for key_type in ("Ed25519", "P-256", "P-384"):
        key = generate_key(key_type)  # type: ignore[arg-type]
        did = did_key_for(key.public_key)
        vm = await dereference_method(f"{did}#{did.split(':')[2]}", "assertionMethod")
        assert vm.public_key.jwk() == key.public_key.jwk()
        jdid = did_jwk_for(key.public_key)
        jvm = await dereference_method(f"{jdid}#0", "authentication")
        assert jvm.public_key.jwk() == key.public_key.jwk()
    with pytest.raises(VerificationMethodError) as missing:
        await dereference_method(f"{did}#not-a-key", "assertionMethod")
    assert missing.value.code == "proof.verification-method-missing"
    with pytest.raises(DidError) as method:
        await resolve_did("did:example:123", ResolveContext())
    assert method.value.code == "did.method-unsupported"
    with pytest.raises(DidError):
        await resolve_did("did:key:not-multibase")
