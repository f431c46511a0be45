"""The holder's side of a VC-API exchange and of a DCC wallet deep link.

Reading the Verifiable Presentation Request in an exchange's answer (with
``shared.vcapi_exchange``'s shapes), matching stored credentials to what it
wants (``shared.wanted``: types compared as expanded IRIs), finding the
credentials in an issuing exchange's answer, and reading DCC deep links. No
network here: the wallet service posts and signs.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

import msgspec

from shared.display import credential_document
from shared.errors import InputError
from shared.shapes import as_list
from shared.vcapi_exchange import PresentationRequest
from shared.wanted import Wanted, credential_matches

DCC_SCHEMES = ("dccrequest", "org.dcconsortium")


def read_presentation_request(answer: Any) -> PresentationRequest | None:
    """The VPR in an exchange's answer, if it carries one (extra members tolerated)."""
    if not isinstance(answer, dict) or "verifiablePresentationRequest" not in answer:
        return None
    try:
        return msgspec.convert(
            answer["verifiablePresentationRequest"], PresentationRequest, strict=True
        )
    except msgspec.ValidationError as exc:
        raise InputError(
            f"The presentation request is malformed: {exc}", code="vpr.invalid"
        ) from exc


def asks_for_credentials(request: PresentationRequest) -> bool:
    """True if the request has a QueryByExample (it wants credentials, not only DID auth)."""
    return any(q.get("type") == "QueryByExample" for q in request.query)


def matches_wanted(credential: dict[str, Any] | str, wanted: Wanted) -> bool:
    """True if a stored credential (JSON-LD or JWT) has a wanted type and trusted issuer."""
    document = credential_document(credential)
    return bool(document) and credential_matches(document, wanted)


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
    types = {t for t in as_list(value.get("type")) if isinstance(t, str)}
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
