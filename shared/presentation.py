"""Holder presentations: wrap credentials in a Verifiable Presentation and sign it.

JSON-LD credentials are embedded as they are; JWT credentials are embedded as
``EnvelopedVerifiableCredential`` (a ``data:`` URL), which needs a VCDM 2.0
presentation. A presentation of VCDM 1.1 JSON-LD credentials is a VCDM 1.1
presentation (the two contexts protect the same terms differently, so they do
not nest); mixing the two is refused.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from shared.errors import InputError
from shared.keys import PrivateKey
from shared.proofs import sign_document
from shared.shapes import as_list

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"


def envelope(token: str) -> dict[str, Any]:
    """A JWT credential as a VCDM 2.0 ``EnvelopedVerifiableCredential``."""
    return {
        "@context": VC_V2,
        "id": "data:application/vc+jwt," + urllib.parse.quote(token, safe="-_.~"),
        "type": "EnvelopedVerifiableCredential",
    }


def _version(credential: dict[str, Any] | str) -> str:
    if isinstance(credential, str):
        return "jwt"
    first = as_list(credential.get("@context"))[:1]
    return "1.1" if first == [VC_V1] else "2.0"


def build_presentation(
    credentials: list[dict[str, Any] | str], holder: str, *, presentation_id: str | None = None
) -> dict[str, Any]:
    """An unsigned presentation of ``credentials`` by ``holder``."""
    versions = {_version(c) for c in credentials}
    if "1.1" in versions and len(versions) > 1:
        raise InputError(
            "VCDM 1.1 credentials cannot be presented together with VCDM 2.0 or JWT "
            "credentials; present them separately.",
            code="presentation.mixed-versions",
        )
    v1 = versions == {"1.1"}
    presentation: dict[str, Any] = {
        "@context": [VC_V1, DATA_INTEGRITY_V2] if v1 else [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder,
    }
    if presentation_id is not None:
        presentation["id"] = presentation_id
    if credentials:
        presentation["verifiableCredential"] = [
            envelope(c) if isinstance(c, str) else c for c in credentials
        ]
    return presentation


def sign_presentation(
    presentation: dict[str, Any],
    key: PrivateKey,
    verification_method: str,
    *,
    challenge: str | None = None,
    domain: str | None = None,
    created: str | None = None,
) -> dict[str, Any]:
    """Sign ``presentation`` for ``authentication`` (eddsa-rdfc-2022 with an Ed25519 key)."""
    options: dict[str, Any] = {}
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain
    suite = "eddsa-rdfc-2022" if key.key_type == "Ed25519" else "ecdsa-rdfc-2019"
    return sign_document(
        presentation,
        key,
        verification_method,
        suite=suite,
        purpose="authentication",
        created=created,
        **options,
    )
