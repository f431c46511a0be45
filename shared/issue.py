"""Signing credentials: the issuer's choices of suite and key, in one table.

A *signing option* names how a credential is secured: a Data Integrity cryptosuite
with the key type it needs (``ecdsa-rdfc-2019`` with P-256, ``ecdsa-rdfc-2019-p384``
with P-384, ...) or a JWT (``vc+jwt``: VC-JOSE-COSE for VCDM 2.0, VC-JWT 1.1 for a
VCDM 1.1 credential). ``prepare_credential`` checks and completes a credential an
issuer is asked to sign; ``sign_credential`` secures it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from shared.errors import InputError
from shared.jose.vcjwt import sign_jwt_credential
from shared.jsonld.expand import safe_expand
from shared.keys import KeyType, PrivateKey
from shared.proofs import sign_document
from shared.shapes import as_list, id_of
from shared.verification.parse import InputLimits, depth_of

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
# VCDM 1.1 does not define DataIntegrityProof; a 1.1 credential adds this context for it.
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
SD_SUITE = "ecdsa-sd-2023"


@dataclass(frozen=True)
class SigningOption:
    """One way of securing a credential: a cryptosuite (or JWT) and its key type."""

    id: str
    key_type: KeyType
    suite: str | None  # Data Integrity cryptosuite / proof type; None for a JWT
    label: str

    @property
    def is_jwt(self) -> bool:
        """True when the credential is secured as a JWT."""
        return self.suite is None


SIGNING_OPTIONS: dict[str, SigningOption] = {
    o.id: o
    for o in (
        SigningOption("eddsa-rdfc-2022", "Ed25519", "eddsa-rdfc-2022", "EdDSA, RDFC-1.0"),
        SigningOption(
            "Ed25519Signature2020", "Ed25519", "Ed25519Signature2020", "Ed25519Signature2020"
        ),
        SigningOption("ecdsa-rdfc-2019", "P-256", "ecdsa-rdfc-2019", "ECDSA P-256, RDFC-1.0"),
        SigningOption("ecdsa-rdfc-2019-p384", "P-384", "ecdsa-rdfc-2019", "ECDSA P-384, RDFC-1.0"),
        SigningOption("eddsa-jcs-2022", "Ed25519", "eddsa-jcs-2022", "EdDSA, JCS"),
        SigningOption("ecdsa-jcs-2019", "P-256", "ecdsa-jcs-2019", "ECDSA P-256, JCS"),
        SigningOption(SD_SUITE, "P-256", SD_SUITE, "ECDSA P-256, selective disclosure"),
        SigningOption("vc+jwt", "Ed25519", None, "JWT (EdDSA)"),
    )
}
DEFAULT_OPTION = "eddsa-rdfc-2022"
# The signing option a key type signs status lists and other issuer-made documents with.
LIST_SUITE: dict[str, str] = {
    "Ed25519": "eddsa-rdfc-2022",
    "P-256": "ecdsa-rdfc-2019",
    "P-384": "ecdsa-rdfc-2019-p384",
}


def signing_option(name: str | None) -> SigningOption:
    """The signing option called ``name`` (the default when ``None``)."""
    option = SIGNING_OPTIONS.get(name or DEFAULT_OPTION)
    if option is None:
        raise InputError(
            f"Unknown suite {name!r}; choose one of {', '.join(SIGNING_OPTIONS)}.",
            code="issue.unknown-suite",
            field="suite",
        )
    return option


# Statements an ecdsa-sd-2023 holder must always disclose: who issued what, to whom,
# when, with which status and schema, and what the achievement is.
_MANDATORY = (
    "/id",
    "/type",
    "/issuer",
    "/name",
    "/validFrom",
    "/validUntil",
    "/issuanceDate",
    "/expirationDate",
    "/credentialStatus",
    "/credentialSchema",
    "/credentialSubject/id",
    "/credentialSubject/type",
    "/credentialSubject/identifier",
    "/credentialSubject/achievement/id",
    "/credentialSubject/achievement/type",
    "/credentialSubject/achievement/name",
    "/credentialSubject/achievement/description",
    "/credentialSubject/achievement/criteria",
    "/credentialSubject/achievement/achievementType",
)


def _has_pointer(document: Any, pointer: str) -> bool:
    node = document
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def default_mandatory_pointers(document: dict[str, Any]) -> list[str]:
    """The sensible mandatory pointers that exist in ``document`` (ecdsa-sd-2023)."""
    return [p for p in _MANDATORY if _has_pointer(document, p)]


def check_mandatory_pointers(document: dict[str, Any], pointers: Any) -> list[str]:
    """``pointers`` as a list of JSON pointers that all exist in ``document``."""
    if not isinstance(pointers, list) or not all(
        isinstance(p, str) and (p == "" or p.startswith("/")) for p in pointers
    ):
        raise InputError(
            "mandatoryPointers must be a list of JSON pointers ('/issuer', ...).",
            code="issue.bad-pointers",
            field="options.mandatoryPointers",
        )
    for pointer in pointers:
        if not _has_pointer(document, pointer):
            raise InputError(
                f"mandatoryPointers names {pointer!r}, which is not in the credential.",
                code="issue.bad-pointers",
                field="options.mandatoryPointers",
            )
    return list(pointers)


def data_model(document: dict[str, Any]) -> str:
    """``"2.0"`` or ``"1.1"`` from the first @context; anything else is refused."""
    first = as_list(document.get("@context"))[:1]
    if first == [VC_V2]:
        return "2.0"
    if first == [VC_V1]:
        return "1.1"
    raise InputError(
        f"The first @context must be {VC_V2} (or {VC_V1}).",
        code="issue.bad-credential",
        field="@context",
    )


def prepare_credential(
    credential: Any, *, issuer_id: str, now: str, credential_id: str | None = None
) -> dict[str, Any]:
    """Check an unsigned credential and complete it (id, issuer, start date).

    The issuer, when given, must be ``issuer_id``; a proof is refused. The error's
    ``field`` names what is wrong.
    """
    if not isinstance(credential, dict):
        raise InputError("credential must be a JSON object.", code="issue.bad-credential")
    depth_of(credential, InputLimits().max_depth)
    document = dict(credential)
    model = data_model(document)
    if "VerifiableCredential" not in as_list(document.get("type")):
        raise InputError(
            "type must include VerifiableCredential.", code="issue.bad-credential", field="type"
        )
    if not as_list(document.get("credentialSubject")):
        raise InputError(
            "credentialSubject is required.",
            code="issue.bad-credential",
            field="credentialSubject",
        )
    if "proof" in document:
        raise InputError(
            "The credential already has a proof.", code="issue.bad-credential", field="proof"
        )
    stated = document.get("issuer")
    if stated is None:
        document["issuer"] = issuer_id
    elif id_of(stated) != issuer_id:
        raise InputError(
            f"The credential names issuer {id_of(stated)!r}; this endpoint signs as {issuer_id}.",
            code="issue.wrong-issuer",
            field="issuer",
        )
    elif isinstance(stated, dict) and "id" not in stated:
        document["issuer"] = {**stated, "id": issuer_id}
    if "id" not in document:
        document["id"] = credential_id or f"urn:uuid:{uuid.uuid4()}"
    start = "validFrom" if model == "2.0" else "issuanceDate"
    document.setdefault(start, now)
    return document


def with_context(document: dict[str, Any], context: str) -> dict[str, Any]:
    """``document`` with ``context`` appended to its @context (if not already there)."""
    contexts = as_list(document.get("@context"))
    if context in contexts:
        return document
    return {**document, "@context": [*contexts, context]}


def check_json_ld(document: dict[str, Any]) -> None:
    """Refuse a credential whose terms are not all defined by bundled contexts."""
    safe_expand(document)


def sign_credential(
    document: dict[str, Any],
    option: SigningOption,
    key: PrivateKey,
    verification_method: str,
    *,
    created: str | None = None,
    mandatory_pointers: list[str] | None = None,
) -> dict[str, Any] | str:
    """Secure ``document`` as ``option`` says: a Data Integrity proof, or a JWT string."""
    if key.key_type != option.key_type:
        raise InputError(
            f"{option.id} signs with a {option.key_type} key, not {key.key_type}.",
            code="issue.key-mismatch",
        )
    if option.suite is None:
        if data_model(document) == "2.0":
            return sign_jwt_credential(document, key, verification_method, envelope="vc+jwt")
        return sign_jwt_credential(document, key, verification_method, envelope="vc-jwt-1.1")
    if option.suite == SD_SUITE and data_model(document) != "2.0":
        raise InputError(
            "ecdsa-sd-2023 credentials are issued in VCDM 2.0 form only.",
            code="issue.sd-needs-vcdm2",
            field="vcdm",
        )
    if data_model(document) == "1.1" and option.suite != "Ed25519Signature2020":
        document = with_context(document, DATA_INTEGRITY_V2)
    check_json_ld(document)
    extra: dict[str, Any] = {}
    if option.suite == SD_SUITE:
        extra["mandatoryPointers"] = (
            mandatory_pointers
            if mandatory_pointers is not None
            else default_mandatory_pointers(document)
        )
    return sign_document(
        document, key, verification_method, suite=option.suite, created=created, **extra
    )
