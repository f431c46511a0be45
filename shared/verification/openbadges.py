"""Open Badges 3.0 and CLR 2.0 rules on a credential's content.

Context order, the subject's identity (``id`` or ``identifier``), the hashed
recipient identity, ``refreshService`` (reported, never followed) and where
endorsements live. Each function returns check results; none fetches anything.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from shared.shapes import as_list, id_of
from shared.verification.report import CheckResult, failed, passed, skipped, warning

OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
CLR_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/clr/v2p0/context"
OB_CURRENT_CONTEXTS = frozenset({"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"})
# Open Badges 3.0 was first published on VCDM 1.1 with these contexts; 3.0.3 moved to VCDM 2.0.
OB_V1_CONTEXTS = frozenset(
    {
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    }
)
VC_V1 = "https://www.w3.org/2018/credentials/v1"
CLR_CURRENT_CONTEXTS = frozenset({"https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"})

OB_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"})
CLR_TYPES = frozenset({"ClrCredential"})


def _types(document: dict[str, Any]) -> set[str]:
    return {t for t in as_list(document.get("type")) if isinstance(t, str)}


def is_open_badge(document: dict[str, Any]) -> bool:
    """True for an Open Badges 3.0 credential (achievement or endorsement)."""
    return bool(_types(document) & OB_TYPES)


def is_clr(document: dict[str, Any]) -> bool:
    """True for a CLR 2.0 ``ClrCredential``."""
    return bool(_types(document) & CLR_TYPES)


def _contexts(document: dict[str, Any]) -> list[str]:
    return [c if isinstance(c, str) else "" for c in as_list(document.get("@context"))]


def context_order_checks(document: dict[str, Any]) -> list[CheckResult]:
    """OB 3.0 / CLR 2.0 require their context right after the VC context."""
    if is_clr(document):
        prefix, current, name = CLR_CONTEXT_PREFIX, CLR_CURRENT_CONTEXTS, "CLR 2.0"
    elif is_open_badge(document):
        prefix, current, name = OB_CONTEXT_PREFIX, OB_CURRENT_CONTEXTS, "Open Badges 3.0"
    else:
        return []
    contexts = _contexts(document)
    second = contexts[1] if len(contexts) > 1 else None
    if second is None or not second.startswith(prefix):
        return [
            failed(
                "context-order",
                f"An {name} credential must list the {name} context second, right after the "
                f"Verifiable Credentials context (found {second or 'nothing'}).",
                code="context.order",
            )
        ]
    if is_clr(document) and not any(c.startswith(OB_CONTEXT_PREFIX) for c in contexts):
        return [
            failed(
                "context-order",
                "A CLR 2.0 credential must also list the Open Badges 3.0 context.",
                code="context.order",
            )
        ]
    if contexts[0] == VC_V1 and not is_clr(document):
        current = current | OB_V1_CONTEXTS
    if second not in current:
        return [
            warning(
                "context-order",
                f"The {name} context is an older version ({second}); "
                f"the current one is {sorted(current)[0]}.",
            )
        ]
    return [passed("context-order", f"The {name} contexts are in the required order.")]


def _subjects(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in as_list(document.get("credentialSubject")) if isinstance(s, dict)]


def subject_checks(document: dict[str, Any]) -> list[CheckResult]:
    """An Open Badges subject must be identified by ``id`` or ``identifier``."""
    if not is_open_badge(document) or "EndorsementCredential" in _types(document):
        return []
    for index, subject in enumerate(_subjects(document)):
        if id_of(subject) is None and not as_list(subject.get("identifier")):
            # Open Badges 3.0 says MUST; real credentials (DCC's among them) omit it, and the
            # signature is still sound, so this is a loud warning rather than a rejection.
            return [
                warning(
                    "subject",
                    f"credentialSubject[{index}] names no recipient (Open Badges 3.0 requires "
                    "an id or an identifier): nothing ties this badge to a person.",
                    binding="unbound",
                )
            ]
    return [passed("subject", "The recipient is identified.")]


def identity_hash_matches(identity_hash: str, salt: str | None, value: str, hashed: bool) -> bool:
    """Whether ``value`` (an email, say) matches an OB identity hash or plaintext identity.

    Issuers differ in whether they normalise before hashing, so both the value as given and
    its trimmed, lower-cased form are tried.
    """
    forms = dict.fromkeys([value, value.strip().lower()])
    return any(_matches(identity_hash, salt, form, hashed) for form in forms)


def _matches(identity_hash: str, salt: str | None, value: str, hashed: bool) -> bool:
    if not hashed:
        return hmac.compare_digest(identity_hash.strip().lower(), value.strip().lower())
    algorithm, sep, digest = identity_hash.partition("$")
    if not sep or algorithm.lower() not in ("sha256", "md5"):
        return False
    material = (value + (salt or "")).encode()
    if algorithm.lower() == "md5":
        computed = hashlib.md5(material, usedforsecurity=False).hexdigest()
    else:
        computed = hashlib.sha256(material).hexdigest()
    return hmac.compare_digest(computed, digest.strip().lower())


def recipient_checks(document: dict[str, Any], email: str | None) -> list[CheckResult]:
    """Check the expected recipient email against the subject's email identifiers."""
    if email is None:
        return []
    identities = [
        ident
        for subject in _subjects(document)
        for ident in as_list(subject.get("identifier"))
        if isinstance(ident, dict) and ident.get("identityType") == "emailAddress"
    ]
    if not identities:
        return [
            failed(
                "recipient",
                "The credential names no email recipient, so it cannot be confirmed as "
                f"issued to {email}.",
                code="recipient.no-identity",
            )
        ]
    for ident in identities:
        value = ident.get("identityHash")
        if not isinstance(value, str):
            continue
        hashed = ident.get("hashed") is not False
        salt = ident.get("salt") if isinstance(ident.get("salt"), str) else None
        if identity_hash_matches(value, salt, email, hashed):
            how = "hashed" if hashed else "plaintext"
            return [passed("recipient", f"Issued to {email} (matched the {how} identity).")]
    return [
        failed(
            "recipient",
            f"The credential was not issued to {email}: its recipient identity does not match.",
            code="recipient.mismatch",
        )
    ]


def refresh_service_checks(document: dict[str, Any]) -> list[CheckResult]:
    """Report a ``refreshService`` without following it."""
    services = [s for s in as_list(document.get("refreshService")) if isinstance(s, dict)]
    if not services:
        return []
    where = ", ".join(f"{s.get('type', 'unknown type')} at {s.get('id', '?')}" for s in services)
    return [
        skipped(
            "refresh-service",
            f"The issuer offers a refresh service ({where}); it is reported, not followed.",
        )
    ]


def endorsement_items(document: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every endorsement with its JSON path: on the credential, its issuer profile,
    each subject's achievement and that achievement's creator."""
    places: list[tuple[str, Any]] = [("", document)]
    if isinstance(document.get("issuer"), dict):
        places.append(("issuer.", document["issuer"]))
    for i, subject in enumerate(_subjects(document)):
        achievement = subject.get("achievement")
        if isinstance(achievement, dict):
            base = f"credentialSubject[{i}].achievement."
            places.append((base, achievement))
            if isinstance(achievement.get("creator"), dict):
                places.append((base + "creator.", achievement["creator"]))
    items: list[tuple[str, Any]] = []
    for prefix, holder in places:
        for name in ("endorsement", "endorsementJwt"):
            for j, item in enumerate(as_list(holder.get(name))):
                items.append((f"{prefix}{name}[{j}]", item))
    return items
