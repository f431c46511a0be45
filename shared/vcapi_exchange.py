"""VC-API exchanges and interaction URLs: the shapes a verifier sends and a wallet reads.

An *interaction URL* (``https://host/interactions/<id>?iuv=1``) answers a GET with
``Accept: application/json`` by ``{"protocols": {"vcapi": <exchange URL>, "OID4VP":
<openid4vp:// URI>}}``. A wallet that picks ``vcapi`` POSTs ``{}`` to the exchange and
receives a ``verifiablePresentationRequest`` (VPR, W3C CCG "Verifiable Presentation
Request"): a ``QueryByExample`` for the wanted credentials, a ``DIDAuthentication``
query, and the ``challenge``/``domain`` its presentation's proof must carry. It then
POSTs ``{"verifiablePresentation": ...}`` to the same URL.
"""

from __future__ import annotations

import urllib.parse
from typing import Any, Final

import msgspec

from shared.errors import SatchelError
from shared.shapes import as_list
from shared.wanted import CLR_CONTEXT, OB_CONTEXT, VC_V2, Wanted

INTERACTION_VERSION: Final = "1"
PROTOCOL_VCAPI: Final = "vcapi"
PROTOCOL_OID4VP: Final = "OID4VP"
ACCEPTED_DID_METHODS: Final = ("key", "jwk", "web")
ACCEPTED_CRYPTOSUITES: Final = (
    "eddsa-rdfc-2022",
    "eddsa-jcs-2022",
    "ecdsa-rdfc-2019",
    "ecdsa-jcs-2019",
)


class ExchangeError(SatchelError):
    """A VC-API exchange message or interaction response is malformed."""

    code = "vcapi.invalid"


class PresentationRequest(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A Verifiable Presentation Request as a wallet reads it."""

    query: list[dict[str, Any]]
    challenge: str
    domain: str | None = None
    interact: dict[str, Any] | None = None

    @property
    def did_authentication(self) -> bool:
        """True if the request asks the holder to authenticate with a DID."""
        return any(q.get("type") == "DIDAuthentication" for q in self.query)

    def wanted(self) -> Wanted:
        """The credential types and trusted issuers the request's QueryByExample names."""
        types: list[str] = []
        issuers: list[str] = []
        reason: str | None = None
        for query in self.query:
            if query.get("type") != "QueryByExample":
                continue
            for entry in as_list(query.get("credentialQuery")):
                if not isinstance(entry, dict):
                    continue
                example = entry.get("example") if isinstance(entry.get("example"), dict) else {}
                for t in as_list(example.get("type") if isinstance(example, dict) else None):
                    if isinstance(t, str) and t != "VerifiableCredential" and t not in types:
                        types.append(t)
                for trusted in as_list(entry.get("trustedIssuer")):
                    issuer = trusted.get("issuer") if isinstance(trusted, dict) else None
                    if isinstance(issuer, str) and issuer not in issuers:
                        issuers.append(issuer)
                if reason is None and isinstance(entry.get("reason"), str):
                    reason = entry["reason"]
        return Wanted(types=types, trusted_issuers=issuers, purpose=reason)


class ExchangeMessage(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """One VC-API exchange message (request or response body)."""

    verifiablePresentation: dict[str, Any] | str | None = None
    verifiablePresentationRequest: dict[str, Any] | None = None
    redirectUrl: str | None = None


def interaction_url(base_url: str, interaction_id: str) -> str:
    """The interaction URL of an exchange (``iuv=1``)."""
    return f"{base_url.rstrip('/')}/interactions/{interaction_id}?iuv={INTERACTION_VERSION}"


def interaction_protocols(*, vcapi: str | None, oid4vp: str | None) -> dict[str, Any]:
    """The JSON an interaction URL answers with."""
    protocols: dict[str, str] = {}
    if vcapi:
        protocols[PROTOCOL_VCAPI] = vcapi
    if oid4vp:
        protocols[PROTOCOL_OID4VP] = oid4vp
    return {"protocols": protocols}


def parse_interaction_protocols(body: Any) -> dict[str, str]:
    """The protocol map of an interaction response (only string URLs kept)."""
    protocols = body.get("protocols") if isinstance(body, dict) else None
    if not isinstance(protocols, dict):
        raise ExchangeError("The interaction response has no 'protocols' object.")
    return {k: v for k, v in protocols.items() if isinstance(k, str) and isinstance(v, str)}


def is_interaction_url(url: str) -> bool:
    """True for an https/http URL carrying ``iuv=1``."""
    parts = urllib.parse.urlsplit(url)
    params = urllib.parse.parse_qs(parts.query)
    return parts.scheme in ("https", "http") and params.get("iuv") == [INTERACTION_VERSION]


def _example(type_name: str) -> dict[str, Any]:
    return {"@context": [VC_V2, OB_CONTEXT, CLR_CONTEXT], "type": type_name}


def build_presentation_request(
    wanted: Wanted, *, challenge: str, domain: str, exchange_url: str
) -> dict[str, Any]:
    """The ``verifiablePresentationRequest`` message answering a wallet's ``{}``."""
    reason = wanted.purpose or "Please present the credential(s) this verifier asked for."
    alternatives = wanted.types or ["VerifiableCredential"]
    trusted = [{"issuer": issuer, "required": True} for issuer in wanted.trusted_issuers]
    credential_query: list[dict[str, Any]] = []
    for type_name in alternatives:
        entry: dict[str, Any] = {"reason": reason, "example": _example(type_name)}
        if len(alternatives) > 1:
            entry["required"] = False  # any one of the alternatives satisfies the request
        if trusted:
            entry["trustedIssuer"] = trusted
        credential_query.append(entry)
    return {
        "verifiablePresentationRequest": {
            "query": [
                {"type": "QueryByExample", "credentialQuery": credential_query},
                {
                    "type": "DIDAuthentication",
                    "acceptedMethods": [{"method": m} for m in ACCEPTED_DID_METHODS],
                    "acceptedCryptosuites": [{"cryptosuite": c} for c in ACCEPTED_CRYPTOSUITES],
                },
            ],
            "challenge": challenge,
            "domain": domain,
            "interact": {
                "service": [
                    {
                        "type": "UnmediatedHttpPresentationService2021",
                        "serviceEndpoint": exchange_url,
                    }
                ]
            },
        }
    }


def parse_exchange_message(body: Any) -> ExchangeMessage:
    """Decode an exchange message; unknown members are refused (VC-API: they trigger errors)."""
    if not isinstance(body, dict):
        raise ExchangeError("An exchange message must be a JSON object.")
    try:
        return msgspec.convert(body, ExchangeMessage, strict=True)
    except msgspec.ValidationError as exc:
        raise ExchangeError(f"The exchange message is malformed: {exc}") from exc


def parse_presentation_request(message: ExchangeMessage) -> PresentationRequest:
    """The VPR of an exchange response (for wallets)."""
    if message.verifiablePresentationRequest is None:
        raise ExchangeError("The exchange response carries no verifiablePresentationRequest.")
    try:
        request = msgspec.convert(
            message.verifiablePresentationRequest, PresentationRequest, strict=True
        )
    except msgspec.ValidationError as exc:
        raise ExchangeError(f"The presentation request is malformed: {exc}") from exc
    if not request.challenge:
        raise ExchangeError("The presentation request carries no challenge.")
    return request
