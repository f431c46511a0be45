"""What a verifier asks a holder for, and whether a presentation gives it.

A :class:`Wanted` names credential types (any one of them satisfies; compact OB 3.0 /
CLR 2.0 terms or absolute IRIs) and, optionally, the issuers the verifier trusts.
Types are compared by their expanded IRIs, so ``AchievementCredential`` (an alias in
the OB 3.0 context) matches ``OpenBadgeCredential``. The verifier turns the request
into an OpenID4VP DCQL query or a VC-API QueryByExample (``shared.oid4vp``,
``shared.vcapi_exchange``); a wallet uses :func:`credential_matches` to pick
candidates; the verifier adds :func:`satisfaction_checks` to the pipeline's report.
"""

from __future__ import annotations

import urllib.parse
from functools import cache
from typing import Any, Final

import msgspec

from shared.errors import SatchelError
from shared.jose.jws import parse_jws
from shared.jose.vcjwt import decode_vc_jwt
from shared.jsonld.expand import safe_expand
from shared.shapes import as_list, id_of
from shared.verification.parse import looks_like_jwt
from shared.verification.report import (
    CheckResult,
    VerificationReport,
    compute_verified,
    failed,
    passed,
)

VC_V2: Final = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT: Final = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
# The contexts compact type names in a request are read against.
TYPE_CONTEXTS: Final = (VC_V2, OB_CONTEXT, CLR_CONTEXT)
KNOWN_TYPES: Final = ("OpenBadgeCredential", "AchievementCredential", "ClrCredential")
MAX_TYPES: Final = 20
MAX_TRUSTED_ISSUERS: Final = 200


class Wanted(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Credential types (any one satisfies) and trusted issuers (empty: any issuer)."""

    types: list[str] = []
    trusted_issuers: list[str] = []
    purpose: str | None = None

    def __post_init__(self) -> None:
        if len(self.types) > MAX_TYPES or len(self.trusted_issuers) > MAX_TRUSTED_ISSUERS:
            raise SatchelError(
                f"A request names at most {MAX_TYPES} types and {MAX_TRUSTED_ISSUERS} issuers.",
                code="request.too-large",
            )
        for value in [*self.types, *self.trusted_issuers]:
            if not isinstance(value, str) or not value or len(value) > 2048:
                raise SatchelError(
                    "Types and issuers must be non-empty strings.", code="request.invalid"
                )


@cache
def type_iri(term: str) -> str:
    """The expanded IRI of a compact credential type (itself if absolute or unknown)."""
    if ":" in term:
        return term
    try:
        expanded = safe_expand({"@context": list(TYPE_CONTEXTS), "type": term})
    except SatchelError:
        return term
    types = expanded[0].get("@type", []) if expanded else []
    return str(types[0]) if types else term


def expanded_types(document: dict[str, Any]) -> frozenset[str]:
    """The expanded IRIs of a credential's types (compact names where expansion fails)."""
    compact = [t for t in as_list(document.get("type")) if isinstance(t, str)]
    try:
        expanded = safe_expand({"@context": document.get("@context"), "type": compact})
    except SatchelError:
        return frozenset(type_iri(t) for t in compact)
    types = expanded[0].get("@type", []) if expanded else []
    return frozenset(str(t) for t in types)


def credential_matches(document: dict[str, Any], wanted: Wanted) -> bool:
    """True if the credential has one of the wanted types and a trusted issuer."""
    if wanted.types:
        iris = expanded_types(document)
        if not any(type_iri(t) in iris for t in wanted.types):
            return False
    if wanted.trusted_issuers:
        return id_of(document.get("issuer")) in wanted.trusted_issuers
    return True


def _decode_jwt_document(token: str) -> dict[str, Any] | None:
    try:
        parsed = parse_jws(token)
        return decode_vc_jwt(parsed.header, parsed.payload).document
    except SatchelError:
        return None


def _unwrap(item: Any) -> dict[str, Any] | None:
    if isinstance(item, str):
        return _decode_jwt_document(item) if looks_like_jwt(item) else None
    if not isinstance(item, dict):
        return None
    types = as_list(item.get("type"))
    if "EnvelopedVerifiableCredential" in types or "EnvelopedVerifiablePresentation" in types:
        ident = item.get("id")
        if isinstance(ident, str) and ident.startswith("data:"):
            token = urllib.parse.unquote(ident.partition(",")[2])
            return _decode_jwt_document(token) if looks_like_jwt(token) else None
        return None
    return item


def presentation_document(presentation: dict[str, Any] | str) -> dict[str, Any] | None:
    """The presentation as JSON (a JWT or enveloped presentation decoded, not verified)."""
    return _unwrap(presentation)


def presented_credentials(presentation: dict[str, Any] | str) -> list[dict[str, Any] | None]:
    """The credentials inside a presentation, in order (decoded, not verified)."""
    document = presentation_document(presentation)
    if document is None:
        return []
    return [_unwrap(item) for item in as_list(document.get("verifiableCredential"))]


def satisfaction_checks(
    report: VerificationReport, presentation: dict[str, Any] | str, wanted: Wanted
) -> list[CheckResult]:
    """Checks that a verified presentation holds a wanted credential from a trusted issuer.

    Only credentials whose own nested report is verified count. The ids are
    ``request.types`` and (with a trust list) ``request.trust``.
    """
    documents = presented_credentials(presentation)
    verified = [
        doc
        for doc, nested in zip(documents, report.nested, strict=False)
        if doc is not None and nested.verified
    ]
    type_only = Wanted(types=wanted.types)
    typed = [doc for doc in verified if credential_matches(doc, type_only)]
    wanted_text = " or ".join(wanted.types) if wanted.types else "any credential"
    checks: list[CheckResult] = []
    if typed:
        checks.append(passed("request.types", f"The presentation holds a verified {wanted_text}."))
    else:
        checks.append(
            failed(
                "request.types",
                f"The presentation holds no verified {wanted_text}, which the request asked for.",
                code="request.type-missing",
            )
        )
    if wanted.trusted_issuers:
        trusted = [d for d in typed if id_of(d.get("issuer")) in wanted.trusted_issuers]
        if trusted:
            checks.append(
                passed(
                    "request.trust",
                    f"Issued by a trusted issuer ({id_of(trusted[0].get('issuer'))}).",
                )
            )
        else:
            issuers = sorted({str(id_of(d.get("issuer"))) for d in typed})
            checks.append(
                failed(
                    "request.trust",
                    "No wanted credential comes from an issuer on the request's trust list"
                    + (f" (issued by {', '.join(issuers)})." if issuers else "."),
                    code="request.untrusted-issuer",
                )
            )
    return checks


def with_checks(report: VerificationReport, extra: list[CheckResult]) -> VerificationReport:
    """``report`` with ``extra`` checks appended and its verdict recomputed."""
    checks = [*report.checks, *extra]
    return msgspec.structs.replace(
        report, checks=checks, verified=compute_verified(checks, report.nested)
    )
