"""Open Badges 3.0 and CLR 2.0 credentials built from templates (the issuing side).

A *template* describes one achievement an institution awards::

    {"id": "teamwork", "name": "Teamwork Badge", "achievement": {...},
     "results": [...], "evidence": [...]}

``check_template`` refuses a template that lacks what Open Badges 3.0 requires (the
error names the field) and one whose credential would not match the bundled OB 3.0
JSON Schema; ``check_conformance`` applies the OB 3.0 / CLR 2.0 schema to a credential
and ``claim_schema`` names it in ``credentialSchema``. ``achievement_credential``
renders an unsigned AchievementCredential in VCDM 2.0 (default) or 1.1 form;
``clr_credential`` bundles signed credentials into an institution's ClrCredential
with associations between their achievements.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import uuid
from typing import Any, Literal

from shared.errors import InputError
from shared.schema import validate_credential_schemas
from shared.shapes import as_list

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# The Open Badges 3.0 context written for VCDM 1.1 (issuanceDate, expirationDate).
OB_CONTEXT_V1 = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
# Defines 1EdTechJsonSchemaValidator2019 (the credentialSchema type the OB 3.0 examples use).
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"

Vcdm = Literal["2.0", "1.1"]
ASSOCIATION_TYPES = frozenset(
    {
        "exactMatchOf",
        "isChildOf",
        "isParentOf",
        "isPartOf",
        "isPeerOf",
        "isRelatedTo",
        "precedes",
        "replacedBy",
    }
)


class TemplateError(InputError):
    """A template (or what it renders to) is not an acceptable Open Badges 3.0 credential."""

    code = "template.invalid"


def _missing(field: str, what: str) -> TemplateError:
    return TemplateError(f"{field} is required: {what}", code="template.missing-field", field=field)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _typed(value: Any, wanted: str) -> bool:
    return wanted in as_list(value.get("type")) if isinstance(value, dict) else False


def _check_image(image: Any, field: str) -> None:
    if not isinstance(image, dict):
        raise TemplateError(
            f"{field} must be an object with an id (a URL) and type 'Image'.",
            code="template.bad-field",
            field=field,
        )
    if not _text(image.get("id")):
        raise _missing(f"{field}.id", "an image is identified by its URL (or data: URL).")
    if image.get("type") != "Image":
        raise _missing(f"{field}.type", "an image's type is 'Image'.")


def _check_list(value: Any, field: str, wanted: str, required: tuple[str, ...]) -> None:
    if value is None:
        return
    for i, item in enumerate(as_list(value)):
        where = f"{field}[{i}]"
        if not isinstance(item, dict):
            raise TemplateError(
                f"{where} must be an object.", code="template.bad-field", field=where
            )
        if not _typed(item, wanted):
            raise _missing(f"{where}.type", f"it must include {wanted!r}.")
        for name in required:
            if not _text(item.get(name)):
                raise _missing(f"{where}.{name}", f"every {wanted} has a {name}.")


def check_achievement(achievement: Any, field: str = "achievement") -> None:
    """Refuse an Achievement lacking what Open Badges 3.0 requires; the error names the field."""
    if not isinstance(achievement, dict):
        raise _missing(field, "the template must describe its achievement (an object).")
    if not _typed(achievement, "Achievement"):
        raise _missing(f"{field}.type", "an achievement's type includes 'Achievement'.")
    for name, what in (
        ("name", "the achievement's name is shown to learners and employers."),
        ("description", "the achievement needs a short description."),
    ):
        if not _text(achievement.get(name)):
            raise _missing(f"{field}.{name}", what)
    criteria = achievement.get("criteria")
    if not isinstance(criteria, dict) or not (
        _text(criteria.get("narrative")) or _text(criteria.get("id"))
    ):
        raise _missing(
            f"{field}.criteria", "say how it is earned (criteria.narrative or criteria.id)."
        )
    if "image" in achievement:
        _check_image(achievement["image"], f"{field}.image")
    _check_list(achievement.get("alignment"), f"{field}.alignment", "Alignment", _ALIGN_REQ)
    _check_list(
        achievement.get("resultDescription"),
        f"{field}.resultDescription",
        "ResultDescription",
        ("id", "name", "resultType"),
    )


_ALIGN_REQ = ("targetName", "targetUrl")


def check_template(template: Any) -> None:
    """Refuse a template that is not a complete OB 3.0 achievement (the field is named).

    Also renders it for a placeholder learner and applies the bundled OB 3.0 JSON Schema.
    """
    if not isinstance(template, dict):
        raise TemplateError("A template must be a JSON object.", code="template.bad-field")
    for name in ("id", "name"):
        if not _text(template.get(name)):
            raise _missing(name, "every template has an id and a credential name.")
    check_achievement(template.get("achievement"))
    _check_list(template.get("results"), "results", "Result", ())
    _check_list(template.get("evidence"), "evidence", "Evidence", ())
    sample = achievement_credential(
        template,
        issuer={"id": "did:example:issuer", "type": ["Profile"], "name": "Sample issuer"},
        subject=recipient_subject(did="did:example:learner"),
        credential_id="urn:uuid:00000000-0000-4000-8000-000000000000",
        valid_from="2025-01-01T00:00:00Z",
    )
    check_conformance(sample)


def schema_for(document: dict[str, Any]) -> str | None:
    """The bundled schema an OB 3.0 or CLR 2.0 credential (VCDM 2.0 form) must match."""
    if as_list(document.get("@context"))[:1] != [VC_V2]:
        return None  # the bundled schemas describe the VCDM 2.0 form only
    types = as_list(document.get("type"))
    if "ClrCredential" in types:
        return CLR_SCHEMA
    if "OpenBadgeCredential" in types or "AchievementCredential" in types:
        return OB_SCHEMA
    return None


def claim_schema(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` naming its bundled schema in ``credentialSchema`` (if it has one)."""
    schema = schema_for(document)
    if schema is None:
        return document
    return {**document, "credentialSchema": [{"id": schema, "type": SCHEMA_TYPE}]}


def _status_view(value: Any, pick: int) -> Any:
    """A copy where every ``credentialStatus`` list is replaced by its entry ``pick``."""
    if isinstance(value, dict):
        out = {k: _status_view(v, pick) for k, v in value.items()}
        status = value.get("credentialStatus")
        if isinstance(status, list) and status:
            out["credentialStatus"] = _status_view(status[pick], pick)
        return out
    if isinstance(value, list):
        return [_status_view(v, pick) for v in value]
    return value


def check_conformance(document: dict[str, Any]) -> None:
    """Raise ``TemplateError`` unless ``document`` matches its OB 3.0 / CLR 2.0 schema.

    Open Badges 3.0 allows one ``credentialStatus``; a credential carrying both a
    revocation and a suspension entry is checked with each entry in turn (and then
    cannot name the schema itself, since it would fail it).
    """
    schema = schema_for(document)
    if schema is None:
        return
    for pick in (0, -1):
        view = _status_view(claim_schema(document), pick)
        for outcome in validate_credential_schemas(view):
            if outcome.status != "passed":
                detail = "; ".join(outcome.errors) or outcome.message
                raise TemplateError(
                    f"The credential would not match its schema {outcome.schema_id}: {detail}",
                    code="template.schema",
                    field=outcome.errors[0] if outcome.errors else outcome.schema_id,
                )


def achievement_id(issuer_key: str, template_id: str) -> str:
    """A stable ``urn:uuid`` for a template's achievement as awarded by one issuer."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{issuer_key}/{template_id}"))


def normalise_email(email: str) -> str:
    """The form of an e-mail address that is hashed (trimmed, lower case)."""
    return email.strip().lower()


def email_identity(email: str, salt: str | None = None) -> dict[str, Any]:
    """An OB 3.0 IdentityObject: ``sha256$`` + hex SHA-256 of the address and the salt."""
    if "@" not in email or not email.strip():
        raise InputError(f"{email!r} is not an e-mail address.", code="recipient.invalid")
    salt = salt if salt is not None else secrets.token_hex(8)
    digest = hashlib.sha256((normalise_email(email) + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": "sha256$" + digest,
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def recipient_subject(
    *, did: str | None = None, email: str | None = None, name: str | None = None
) -> dict[str, Any]:
    """The learner part of an AchievementSubject: a DID, a hashed e-mail, or both."""
    if not did and not email:
        raise InputError("A recipient needs a DID or an e-mail address.", code="recipient.missing")
    subject: dict[str, Any] = {}
    if did:
        if not did.startswith("did:") or any(c.isspace() for c in did):
            raise InputError(f"{did!r} is not a DID.", code="recipient.invalid")
        subject["id"] = did
    if email:
        subject["identifier"] = [email_identity(email)]
    if name:
        subject["name"] = name
    return subject


def _issuer_for(issuer: dict[str, Any]) -> dict[str, Any]:
    profile = copy.deepcopy(issuer)
    profile.setdefault("type", ["Profile"])
    return profile


def achievement_credential(
    template: dict[str, Any],
    *,
    issuer: dict[str, Any],
    subject: dict[str, Any],
    credential_id: str,
    valid_from: str,
    valid_until: str | None = None,
    vcdm: Vcdm = "2.0",
) -> dict[str, Any]:
    """The unsigned AchievementCredential a template awards to ``subject``."""
    achievement = copy.deepcopy(template["achievement"])
    achievement.setdefault("id", achievement_id(str(issuer.get("id")), str(template["id"])))
    achievement["type"] = as_list(achievement.get("type")) or ["Achievement"]
    credential_subject: dict[str, Any] = {
        **copy.deepcopy(subject),
        "type": ["AchievementSubject"],
        "achievement": achievement,
    }
    if template.get("results"):
        credential_subject["result"] = copy.deepcopy(as_list(template["results"]))
    v2 = vcdm == "2.0"
    document: dict[str, Any] = {
        "@context": [VC_V2, OB_CONTEXT, OB_EXTENSIONS] if v2 else [VC_V1, OB_CONTEXT_V1],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": template["name"],
        "issuer": _issuer_for(issuer),
        "validFrom" if v2 else "issuanceDate": valid_from,
    }
    if valid_until is not None:
        document["validUntil" if v2 else "expirationDate"] = valid_until
    if isinstance(template.get("description"), str):
        document["description"] = template["description"]
    if "image" in achievement:
        document["image"] = copy.deepcopy(achievement["image"])
    document["credentialSubject"] = credential_subject
    if template.get("evidence"):
        document["evidence"] = copy.deepcopy(as_list(template["evidence"]))
    return document


def association(kind: str, source_id: str, target_id: str) -> dict[str, Any]:
    """A CLR 2.0 Association between two achievements."""
    if kind not in ASSOCIATION_TYPES:
        raise InputError(
            f"{kind!r} is not a CLR association type ({', '.join(sorted(ASSOCIATION_TYPES))}).",
            code="template.bad-association",
        )
    return {
        "type": "Association",
        "associationType": kind,
        "sourceId": source_id,
        "targetId": target_id,
    }


def clr_credential(
    *,
    name: str,
    issuer: dict[str, Any],
    subject: dict[str, Any],
    credentials: list[dict[str, Any]],
    achievements: list[dict[str, Any]],
    associations: list[dict[str, Any]],
    credential_id: str,
    valid_from: str,
    valid_until: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """An institution's unsigned CLR 2.0 ClrCredential bundling signed ``credentials``."""
    if not credentials:
        raise InputError("A CLR bundles at least one credential.", code="template.empty-clr")
    known = {str(a.get("id")) for a in achievements} | {
        str(c["credentialSubject"]["achievement"]["id"])
        for c in credentials
        if isinstance(c.get("credentialSubject"), dict)
        and isinstance(c["credentialSubject"].get("achievement"), dict)
    }
    for i, link in enumerate(associations):
        for end in ("sourceId", "targetId"):
            if link.get(end) not in known:
                raise TemplateError(
                    f"association[{i}].{end} names no achievement of this CLR.",
                    code="template.bad-association",
                    field=f"association[{i}].{end}",
                )
    clr_subject: dict[str, Any] = {
        **copy.deepcopy(subject),
        "type": ["ClrSubject"],
        "verifiableCredential": copy.deepcopy(credentials),
    }
    if achievements:
        clr_subject["achievement"] = copy.deepcopy(achievements)
    if associations:
        clr_subject["association"] = copy.deepcopy(associations)
    document: dict[str, Any] = {
        "@context": [VC_V2, CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS],
        "id": credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": name,
        "issuer": _issuer_for(issuer),
        "validFrom": valid_from,
    }
    if valid_until is not None:
        document["validUntil"] = valid_until
    if description:
        document["description"] = description
    document["credentialSubject"] = clr_subject
    return document
