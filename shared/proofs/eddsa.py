"""EdDSA cryptosuites (W3C vc-di-eddsa): eddsa-rdfc-2022 and eddsa-jcs-2022."""

from __future__ import annotations

from shared.proofs.base import HashSignSuite

EDDSA_RDFC_2022 = HashSignSuite(
    name="eddsa-rdfc-2022",
    proof_type="DataIntegrityProof",
    key_types=frozenset({"Ed25519"}),
    transform="rdfc",
    legacy_of="eddsa-2022",
)

EDDSA_JCS_2022 = HashSignSuite(
    name="eddsa-jcs-2022",
    proof_type="DataIntegrityProof",
    key_types=frozenset({"Ed25519"}),
    transform="jcs",
)
