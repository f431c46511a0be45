"""ECDSA cryptosuites (W3C vc-di-ecdsa): ecdsa-rdfc-2019 and ecdsa-jcs-2019, P-256 and P-384.

With P-384 the whole pipeline uses SHA-384, RDFC-1.0's blank-node labelling included.
"""

from __future__ import annotations

from shared.proofs.base import HashSignSuite

ECDSA_RDFC_2019 = HashSignSuite(
    name="ecdsa-rdfc-2019",
    proof_type="DataIntegrityProof",
    key_types=frozenset({"P-256", "P-384"}),
    transform="rdfc",
)

ECDSA_JCS_2019 = HashSignSuite(
    name="ecdsa-jcs-2019",
    proof_type="DataIntegrityProof",
    key_types=frozenset({"P-256", "P-384"}),
    transform="jcs",
)
