"""The legacy Ed25519Signature2020 proof type (used by DCC's wallet and many real badges)."""

from __future__ import annotations

from shared.proofs.base import HashSignSuite

ED25519_SIGNATURE_2020 = HashSignSuite(
    name="Ed25519Signature2020",
    proof_type="Ed25519Signature2020",
    key_types=frozenset({"Ed25519"}),
    transform="rdfc",
    names_cryptosuite=False,
    context="https://w3id.org/security/suites/ed25519-2020/v1",
)
