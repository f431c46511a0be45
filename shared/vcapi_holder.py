"""The holder's side of a VC-API exchange and of a DCC wallet deep link.

Reading a Verifiable Presentation Request (``DIDAuthentication``,
``QueryByExample``), matching stored credentials to a query by example, and
finding the credentials in an exchange's answer. No network here: the wallet
service posts and signs.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from shared.display import credential_document
from shared.errors import InputError
from shared.shapes import as_list, id_of

DCC_SCHEMES = ("dccrequest", "org.dcconsortium")


@dataclass
class PresentationRequest:
    """A parsed VPR: what is asked, the challenge and domain to answer with."""

    did_auth: bool = False
    credential_queries: list[dict[str, Any]] = field(default_factory=list)
    challenge: str | None = None
    domain: str | None = None
    reasons: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


def parse_vpr(value: Any) -> PresentationRequest:
    """Read a ``verifiablePresentationRequest`` (or a body wrapping one)."""
    if isinstance(value, dict) and isinstance(value.get("verifiablePresentationRequest"), dict):
        value = value["verifiablePresentationRequest"]
    if not isinstance(value, dict):
        raise InputError("A presentation request must be a JSON object.", code="vpr.invalid")
    request = PresentationRequest(raw=value)
    for key in ("challenge", "domain"):
        item = value.get(key)
        if item is not None and not isinstance(item, str):
            raise InputError(f"The request's {key} must be a string.", code="vpr.invalid")
    request.challenge = value.get("challenge")
    request.domain = value.get("domain")
    queries = as_list(value.get("query"))
    if not queries:
        raise InputError("The presentation request asks for nothing.", code="vpr.invalid")
    for query in queries:
        if not isinstance(query, dict):
            raise InputError("Each query must be an object.", code="vpr.invalid")
        kind = query.get("type")
        if kind == "DIDAuthentication" or kind == "DIDAuth":
            request.did_auth = True
        elif kind == "QueryByExample":
            for item in as_list(query.get("credentialQuery")):
                if not isinstance(item, dict):
                    raise InputError("A credentialQuery must be an object.", code="vpr.invalid")
                request.credential_queries.append(item)
                reason = item.get("reason")
                if isinstance(reason, str):
                    request.reasons.append(reason)
        else:
            raise InputError(f"Unsupported query type {kind!r}.", code="vpr.unsupported-query")
    return request


def _types_of(document: dict[str, Any]) -> set[str]:
    return {t for t in as_list(document.get("type")) if isinstance(t, str)}


def matches_query(credential: dict[str, Any] | str, query: dict[str, Any]) -> bool:
    """True if ``credential`` fits a QueryByExample ``credentialQuery``.

    Types asked by the example must all be present; when ``trustedIssuer`` lists
    required issuers, the credential's issuer must be one of them.
    """
    document = credential_document(credential)
    raw_example = query.get("example")
    example: dict[str, Any] = raw_example if isinstance(raw_example, dict) else {}
    wanted = _types_of(example) - {"VerifiableCredential"}
    if not wanted <= _types_of(document):
        return False
    trusted = [
        id_of(t.get("issuer"))
        for t in as_list(query.get("trustedIssuer"))
        if isinstance(t, dict) and t.get("required", True)
    ]
    trusted_ids = [t for t in trusted if t]
    return not trusted_ids or id_of(document.get("issuer")) in trusted_ids


def credentials_in_answer(value: Any) -> list[dict[str, Any] | str]:
    """The credentials an exchange or DCC issuer answered with.

    Accepts ``{"verifiablePresentation": VP}``, a VP, ``{"verifiableCredential": ...}``,
    a credential, or a list of credentials.
    """
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict | str)]
    if isinstance(value, str):
        return [value]
    if not isinstance(value, dict):
        return []
    if isinstance(value.get("verifiablePresentation"), dict | str):
        return credentials_in_answer(value["verifiablePresentation"])
    types = _types_of(value)
    if "VerifiablePresentation" in types or "verifiableCredential" in value:
        return [v for v in as_list(value.get("verifiableCredential")) if isinstance(v, dict | str)]
    if "VerifiableCredential" in types:
        return [value]
    return []


@dataclass(frozen=True)
class DccRequest:
    """A DCC Learner Credential Wallet deep link (``dccrequest://request?...``)."""

    vc_request_url: str
    challenge: str | None
    issuer: str | None
    auth_type: str | None


def parse_dcc_deeplink(link: str) -> DccRequest:
    """Read a ``dccrequest://request?...`` (or ``org.dcconsortium://``) link."""
    parts = urllib.parse.urlsplit(link.strip())
    if parts.scheme not in DCC_SCHEMES:
        raise InputError("Not a DCC wallet request link.", code="dcc.invalid")
    params = urllib.parse.parse_qs(parts.query)

    def one(name: str) -> str | None:
        values = params.get(name)
        return values[0] if values else None

    url = one("vc_request_url")
    if not url or not url.startswith(("https://", "http://")):
        raise InputError(
            "The DCC request link has no vc_request_url (an https URL).", code="dcc.invalid"
        )
    return DccRequest(url, one("challenge"), one("issuer"), one("auth_type"))
