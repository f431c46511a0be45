"""Learner-assembled CLR 2.0 bundles: the learner's DID issues a ``ClrCredential``.

``build_clr`` puts the chosen credentials, untouched and in pathway order, in a
``ClrSubject`` whose id is the learner's DID (so the pipeline labels it
learner-assembled), lists their achievements, and links them with
associations (``isPartOf``, ``precedes``...). The result must pass the bundled
CLR 2.0 JSON Schema before ``sign_clr`` signs it with the holder key.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from shared.errors import InputError
from shared.keys import PrivateKey
from shared.ob3 import ASSOCIATION_TYPES
from shared.proofs import sign_document
from shared.schema import validate_credential_schemas
from shared.sd import sd_base_proof
from shared.shapes import as_list, id_of

VC_V2 = "https://www.w3.org/ns/credentials/v2"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Defines the credentialSchema type 1EdTechJsonSchemaValidator2019.
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)


@dataclass(frozen=True)
class Association:
    """``source`` relates to ``target`` as ``type`` (ids of achievements or credentials)."""

    type: str
    source: str
    target: str


def _refuse(message: str, code: str = "clr.unsupported-credential", **details: Any) -> InputError:
    return InputError(message, code=code, **details)


def achievement_of(credential: dict[str, Any]) -> dict[str, Any] | None:
    """The achievement a credential asserts (first subject), if any."""
    subject = next(iter(as_list(credential.get("credentialSubject"))), None)
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    return achievement if isinstance(achievement, dict) else None


def anchor_of(credential: dict[str, Any]) -> str | None:
    """The id an association uses for a credential: its achievement's, else its own."""
    achievement = achievement_of(credential)
    return id_of(achievement) or id_of(credential.get("id"))


def _check_nested(index: int, credential: Any) -> dict[str, Any]:
    if isinstance(credential, str):
        raise _refuse(
            f"Credential {index} is a JWT; a CLR 2.0 bundle embeds JSON-LD credentials only.",
            index=index,
        )
    if not isinstance(credential, dict):
        raise _refuse(f"Credential {index} is not a JSON object.", index=index)
    if as_list(credential.get("@context"))[:1] != [VC_V2]:
        raise _refuse(
            f"Credential {index} is not a VCDM 2.0 credential; CLR 2.0 bundles only those.",
            index=index,
        )
    if sd_base_proof(credential) is not None:
        raise _refuse(
            f"Credential {index} has a selective-disclosure base proof, which a verifier "
            "cannot check inside a bundle; share it on its own instead.",
            index=index,
        )
    return credential


def build_clr(
    credentials: list[Any],
    *,
    learner_did: str,
    learner_name: str | None = None,
    name: str,
    description: str | None = None,
    associations: list[Association] | None = None,
    valid_from: str,
    clr_id: str | None = None,
) -> dict[str, Any]:
    """An unsigned ClrCredential of ``credentials`` (in pathway order) by the learner."""
    if not credentials:
        raise _refuse("Choose at least one credential to bundle.", code="clr.empty")
    nested = [_check_nested(i, c) for i, c in enumerate(credentials)]
    achievements: list[dict[str, Any]] = []
    seen: set[str] = set()
    for credential in nested:
        achievement = achievement_of(credential)
        ident = id_of(achievement) if achievement else None
        # Listed in the ClrSubject only when complete (the CLR schema requires these);
        # the nested credential carries it either way.
        complete = achievement is not None and all(
            achievement.get(k) for k in ("id", "type", "name", "description", "criteria")
        )
        if achievement and ident and complete and ident not in seen:
            seen.add(ident)
            achievements.append(achievement)
    known = {a for a in (anchor_of(c) for c in nested) if a}
    links: list[dict[str, str]] = []
    for link in associations or []:
        if link.type not in ASSOCIATION_TYPES:
            raise _refuse(
                f"Unknown association type {link.type!r}; one of "
                + ", ".join(sorted(ASSOCIATION_TYPES))
                + ".",
                code="clr.bad-association",
            )
        for end in (link.source, link.target):
            if end not in known:
                raise _refuse(
                    f"The association end {end!r} is not a bundled achievement.",
                    code="clr.bad-association",
                )
        if link.source == link.target:
            raise _refuse(
                "An association links two different achievements.", code="clr.bad-association"
            )
        links.append(
            {
                "type": "Association",
                "associationType": link.type,
                "sourceId": link.source,
                "targetId": link.target,
            }
        )
    issuer: dict[str, Any] = {"id": learner_did, "type": ["Profile"]}
    if learner_name:
        issuer["name"] = learner_name
    subject: dict[str, Any] = {
        "id": learner_did,
        "type": ["ClrSubject"],
        "verifiableCredential": nested,
    }
    if achievements:
        subject["achievement"] = achievements
    if links:
        subject["association"] = links
    clr: dict[str, Any] = {
        "@context": [VC_V2, CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS],
        "id": clr_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "name": name,
        "credentialSubject": subject,
        "credentialSchema": [{"id": CLR_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if description:
        clr["description"] = description
    _check_schema(_with_single_status(clr))
    if _with_single_status(clr) != clr:
        # VCDM 2.0 allows several status entries (revocation and suspension); the CLR 2.0
        # schema allows one. Everything else was checked above; the bundle then does not
        # name a schema it would fail, and the pipeline reports the schema as not named.
        del clr["credentialSchema"]
    return clr


def _with_single_status(clr: dict[str, Any]) -> dict[str, Any]:
    """``clr`` with each nested credential's list of status entries cut to its first."""
    nested = clr["credentialSubject"]["verifiableCredential"]
    if not any(isinstance(c, dict) and isinstance(c.get("credentialStatus"), list) for c in nested):
        return clr
    cut = [
        {**c, "credentialStatus": c["credentialStatus"][0]}
        if isinstance(c, dict)
        and isinstance(c.get("credentialStatus"), list)
        and c["credentialStatus"]
        else c
        for c in nested
    ]
    return {**clr, "credentialSubject": {**clr["credentialSubject"], "verifiableCredential": cut}}


def _check_schema(clr: dict[str, Any]) -> None:
    for outcome in validate_credential_schemas(clr):
        if outcome.status != "passed":
            raise InputError(
                "The bundle would not be a valid CLR 2.0 credential: "
                + "; ".join(outcome.errors or [outcome.message]),
                code="clr.schema",
            )


def sign_clr(
    clr: dict[str, Any], key: PrivateKey, verification_method: str, *, created: str
) -> dict[str, Any]:
    """Sign the bundle as its issuer (the learner): eddsa-rdfc-2022, assertionMethod."""
    return sign_document(clr, key, verification_method, created=created)
