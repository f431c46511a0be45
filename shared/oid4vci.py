"""OpenID for Verifiable Credential Issuance 1.0: wire shapes, offers, key proofs.

Used by the issuer (to answer) and by a wallet (to ask). Covers the pre-authorized
code flow: the credential offer (by value or by ``credential_offer_uri``), issuer and
authorization-server metadata, the token request, the nonce and credential
endpoints' bodies, and the key-proof JWT (``typ`` ``openid4vci-proof+jwt``) a wallet
signs to bind the credential to its key. Protocol errors are :class:`OID4VCIError`
carrying the OAuth-style ``error`` code the endpoints answer with.
"""

from __future__ import annotations

import math
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import msgspec

from shared.did import ResolveContext, dereference_method
from shared.did.key import did_key_for
from shared.errors import SatchelError
from shared.jose.jws import (
    ParsedJws,
    b64url_strict,
    check_header,
    sign_jws,
    strict_json_object,
    verify_parsed,
)
from shared.keys import PrivateKey, PublicKey, public_key_from_jwk

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OFFER_SCHEME = "openid-credential-offer://"
PROOF_TYP = "openid4vci-proof+jwt"
PROOF_ALGS = ("EdDSA", "ES256", "ES384")
MAX_OFFER_BYTES = 16_384

ErrorCode = Literal[
    "invalid_request",
    "invalid_grant",
    "unsupported_grant_type",
    "invalid_client",
    "invalid_token",
    "invalid_credential_request",
    "unknown_credential_configuration",
    "unknown_credential_identifier",
    "invalid_proof",
    "invalid_nonce",
    "credential_request_denied",
]


class OID4VCIError(SatchelError):
    """A protocol error; ``error`` is the OAuth / OID4VCI error code sent to the client."""

    code = "oid4vci.error"

    def __init__(self, error: ErrorCode, description: str, *, status: int = 400) -> None:
        super().__init__(description, code=f"oid4vci.{error}")
        self.error: str = error
        self.status = status


# --- wire shapes ------------------------------------------------------------------------


class TxCode(msgspec.Struct, omit_defaults=True, frozen=True):
    """How the wallet should ask the learner for the transaction code."""

    input_mode: Literal["numeric", "text"] = "numeric"
    length: int | None = None
    description: str | None = None


class PreAuthorizedCodeGrant(msgspec.Struct, omit_defaults=True, frozen=True):
    """The pre-authorized code grant of an offer."""

    pre_authorized_code: str = msgspec.field(name="pre-authorized_code")
    tx_code: TxCode | None = None


class Grants(msgspec.Struct, omit_defaults=True, frozen=True):
    """The grants an offer carries (only the pre-authorized code is understood)."""

    pre_authorized_code: PreAuthorizedCodeGrant | None = msgspec.field(
        default=None, name=PRE_AUTHORIZED_GRANT
    )


class CredentialOffer(msgspec.Struct, omit_defaults=True, frozen=True):
    """A Credential Offer (OID4VCI 1.0 §4.1.1)."""

    credential_issuer: str
    credential_configuration_ids: list[str]
    grants: Grants | None = None


class TokenResponse(msgspec.Struct, omit_defaults=True, frozen=True):
    """The token endpoint's successful answer."""

    access_token: str
    token_type: str  # required by OAuth 2.0 (so no default: omit_defaults would drop it)
    expires_in: int | None = None


class NonceResponse(msgspec.Struct, frozen=True):
    """The nonce endpoint's answer."""

    c_nonce: str


class Proofs(msgspec.Struct, omit_defaults=True, frozen=True):
    """Key proofs of a credential request, by proof type (only ``jwt`` is understood)."""

    jwt: list[str] | None = None


class CredentialRequest(msgspec.Struct, omit_defaults=True, frozen=True):
    """A Credential Request (OID4VCI 1.0 §8.2)."""

    credential_configuration_id: str | None = None
    credential_identifier: str | None = None
    proofs: Proofs | None = None


class IssuedCredential(msgspec.Struct, frozen=True):
    """One credential of a credential response (a JSON object or a JWT string)."""

    credential: Any


class CredentialResponse(msgspec.Struct, omit_defaults=True, frozen=True):
    """The credential endpoint's successful answer."""

    credentials: list[IssuedCredential]


class OAuthErrorBody(msgspec.Struct, omit_defaults=True, frozen=True):
    """An OAuth-style error body."""

    error: str
    error_description: str | None = None


class Display(msgspec.Struct, omit_defaults=True, frozen=True):
    """Display properties (name, locale, logo...)."""

    name: str
    locale: str | None = None
    description: str | None = None
    logo: dict[str, str] | None = None


class ProofType(msgspec.Struct, frozen=True):
    """What a key proof of one type may be signed with."""

    proof_signing_alg_values_supported: list[str]


class CredentialMetadata(msgspec.Struct, omit_defaults=True, frozen=True):
    """How a wallet may display a credential configuration."""

    display: list[Display] | None = None


class CredentialConfiguration(msgspec.Struct, omit_defaults=True, frozen=True):
    """One entry of ``credential_configurations_supported``."""

    format: str
    credential_definition: dict[str, Any]
    cryptographic_binding_methods_supported: list[str] | None = None
    credential_signing_alg_values_supported: list[str] | None = None
    proof_types_supported: dict[str, ProofType] | None = None
    credential_metadata: CredentialMetadata | None = None


class CredentialIssuerMetadata(msgspec.Struct, omit_defaults=True, frozen=True):
    """``/.well-known/openid-credential-issuer``."""

    credential_issuer: str
    credential_endpoint: str
    credential_configurations_supported: dict[str, CredentialConfiguration]
    nonce_endpoint: str | None = None
    authorization_servers: list[str] | None = None
    display: list[Display] | None = None


class AuthorizationServerMetadata(msgspec.Struct, omit_defaults=True, frozen=True):
    """``/.well-known/oauth-authorization-server`` (RFC 8414) for the pre-authorized flow."""

    issuer: str
    token_endpoint: str
    grant_types_supported: list[str]
    response_types_supported: list[str]
    pre_authorized_grant_anonymous_access_supported: bool = msgspec.field(
        name="pre-authorized_grant_anonymous_access_supported"
    )


def credential_configuration(
    fmt: Literal["ldp_vc", "jwt_vc_json"],
    types: list[str],
    *,
    contexts: list[str] | None = None,
    signing_algs: list[str],
    display_name: str,
) -> CredentialConfiguration:
    """A configuration for ``ldp_vc`` (with ``@context``) or ``jwt_vc_json`` credentials."""
    definition: dict[str, Any] = {"type": list(types)}
    if fmt == "ldp_vc":
        definition = {"@context": list(contexts or []), **definition}
    return CredentialConfiguration(
        format=fmt,
        credential_definition=definition,
        cryptographic_binding_methods_supported=["did:key", "did:jwk", "did:web", "jwk"],
        credential_signing_alg_values_supported=signing_algs,
        proof_types_supported={"jwt": ProofType(list(PROOF_ALGS))},
        credential_metadata=CredentialMetadata(display=[Display(name=display_name, locale="en")]),
    )


# --- offers -----------------------------------------------------------------------------


def pre_authorized_offer(
    issuer: str, configuration_id: str, code: str, tx_code: TxCode | None = None
) -> CredentialOffer:
    """An offer of one credential configuration with a pre-authorized code."""
    return CredentialOffer(
        credential_issuer=issuer,
        credential_configuration_ids=[configuration_id],
        grants=Grants(PreAuthorizedCodeGrant(code, tx_code)),
    )


def encode_offer_uri(offer: CredentialOffer | None = None, *, offer_uri: str | None = None) -> str:
    """``openid-credential-offer://?credential_offer=...`` (by value) or ``..._uri=...``."""
    if (offer is None) == (offer_uri is None):
        raise ValueError("give exactly one of offer and offer_uri")
    if offer_uri is not None:
        query = urllib.parse.urlencode({"credential_offer_uri": offer_uri})
    else:
        query = urllib.parse.urlencode(
            {"credential_offer": msgspec.json.encode(offer).decode("utf-8")}
        )
    return f"{OFFER_SCHEME}?{query}"


def _bad_offer(message: str) -> OID4VCIError:
    return OID4VCIError("invalid_request", message)


def parse_offer(data: bytes | str | dict[str, Any]) -> CredentialOffer:
    """A credential offer from JSON; raises ``OID4VCIError`` (``invalid_request``)."""
    raw: bytes
    if isinstance(data, dict):
        raw = msgspec.json.encode(data)
    else:
        raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_OFFER_BYTES:
        raise _bad_offer("The credential offer is too large.")
    try:
        offer = msgspec.json.decode(raw, type=CredentialOffer)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise _bad_offer(f"Not a credential offer: {exc}") from exc
    issuer = urllib.parse.urlsplit(offer.credential_issuer)
    if issuer.scheme not in ("https", "http") or not issuer.netloc or issuer.query:
        raise _bad_offer("credential_issuer must be an https URL without a query.")
    if not offer.credential_configuration_ids or not all(offer.credential_configuration_ids):
        raise _bad_offer("credential_configuration_ids must list at least one id.")
    return offer


def parse_offer_uri(text: str) -> tuple[CredentialOffer | None, str | None]:
    """Read an offer link: ``(offer, None)`` when by value, ``(None, uri)`` when by reference.

    Accepts the ``openid-credential-offer://`` scheme and https links with the same query.
    """
    parts = urllib.parse.urlsplit(text.strip())
    if parts.scheme not in ("openid-credential-offer", "https", "http"):
        raise _bad_offer("Not a credential offer link.")
    try:
        query = urllib.parse.parse_qs(parts.query, strict_parsing=True, max_num_fields=8)
    except ValueError as exc:
        raise _bad_offer("The offer link's query is malformed.") from exc
    by_value, by_ref = query.get("credential_offer"), query.get("credential_offer_uri")
    if bool(by_value) == bool(by_ref) or len(by_value or by_ref or []) != 1:
        raise _bad_offer(
            "An offer link carries exactly one credential_offer or credential_offer_uri."
        )
    if by_ref:
        uri = by_ref[0]
        if urllib.parse.urlsplit(uri).scheme not in ("https", "http"):
            raise _bad_offer("credential_offer_uri must be an https URL.")
        return None, uri
    assert by_value is not None
    return parse_offer(by_value[0]), None


# --- token request ----------------------------------------------------------------------


@dataclass(frozen=True)
class TokenRequest:
    """A parsed pre-authorized code token request."""

    code: str
    tx_code: str | None


def parse_token_request(body: bytes) -> TokenRequest:
    """Parse an ``application/x-www-form-urlencoded`` pre-authorized code token request."""
    try:
        fields = urllib.parse.parse_qs(
            body.decode("ascii"), keep_blank_values=True, strict_parsing=True, max_num_fields=16
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise OID4VCIError("invalid_request", "The token request is not a form.") from exc
    if any(len(values) != 1 for values in fields.values()):
        raise OID4VCIError("invalid_request", "A token request parameter is repeated.")
    grant = fields.get("grant_type", [None])[0]
    if grant is None:
        raise OID4VCIError("invalid_request", "grant_type is missing.")
    if grant != PRE_AUTHORIZED_GRANT:
        raise OID4VCIError(
            "unsupported_grant_type", f"Only the {PRE_AUTHORIZED_GRANT} grant is supported."
        )
    code = fields.get("pre-authorized_code", [""])[0]
    if not code:
        raise OID4VCIError("invalid_request", "pre-authorized_code is missing.")
    tx_code = fields.get("tx_code", [None])[0]
    return TokenRequest(code=code, tx_code=tx_code)


def token_request_body(code: str, tx_code: str | None = None) -> dict[str, str]:
    """The form fields a wallet posts to the token endpoint."""
    body = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    if tx_code is not None:
        body["tx_code"] = tx_code
    return body


def parse_credential_request(body: bytes) -> CredentialRequest:
    """A credential request from JSON; ``invalid_credential_request`` if malformed."""
    try:
        request = msgspec.json.decode(body, type=CredentialRequest)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise OID4VCIError(
            "invalid_credential_request", f"The credential request is malformed: {exc}"
        ) from exc
    if (request.credential_configuration_id is None) == (request.credential_identifier is None):
        raise OID4VCIError(
            "invalid_credential_request",
            "Give exactly one of credential_configuration_id and credential_identifier.",
        )
    return request


def _decode(body: bytes, kind: Any, what: str) -> Any:
    try:
        return msgspec.json.decode(body, type=kind)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise OID4VCIError("invalid_request", f"The issuer's {what} is malformed: {exc}") from exc


def parse_issuer_metadata(body: bytes) -> CredentialIssuerMetadata:
    """Credential Issuer Metadata as a wallet fetched it."""
    metadata: CredentialIssuerMetadata = _decode(body, CredentialIssuerMetadata, "metadata")
    return metadata


def parse_token_response(body: bytes) -> TokenResponse:
    """The token endpoint's answer (a wallet reads the access token from it)."""
    token: TokenResponse = _decode(body, TokenResponse, "token response")
    return token


def parse_credential_response(body: bytes) -> list[Any]:
    """The credentials of a credential response (JSON objects or JWT strings)."""
    response: CredentialResponse = _decode(body, CredentialResponse, "credential response")
    return [item.credential for item in response.credentials]


def parse_error(body: bytes) -> OAuthErrorBody | None:
    """An OAuth-style error body, or ``None`` if the body is not one."""
    try:
        return msgspec.json.decode(body, type=OAuthErrorBody)
    except (msgspec.DecodeError, RecursionError):
        return None


# --- key proofs -------------------------------------------------------------------------


def build_key_proof(
    key: PrivateKey,
    kid: str | None,
    aud: str,
    nonce: str | None,
    *,
    iat: int | None = None,
    client_id: str | None = None,
) -> str:
    """A key-proof JWT signed by ``key``: ``kid`` (a DID URL) names it, else a ``jwk`` header."""
    header: dict[str, Any] = {"typ": PROOF_TYP}
    if kid is not None:
        header["kid"] = kid
    else:
        header["jwk"] = key.public_key.jwk()
    claims: dict[str, Any] = {"aud": aud, "iat": iat if iat is not None else int(time.time())}
    if nonce is not None:
        claims["nonce"] = nonce
    if client_id is not None:
        claims["iss"] = client_id
    return sign_jws(header, claims, key)


@dataclass(frozen=True)
class KeyProof:
    """A checked key proof: the holder's DID and key, and the nonce it answers."""

    holder: str
    public_key: PublicKey
    nonce: str
    kid: str | None


def _invalid(message: str) -> OID4VCIError:
    return OID4VCIError("invalid_proof", message)


def _parse_proof(token: str) -> tuple[ParsedJws, dict[str, Any] | None]:
    if not isinstance(token, str) or token.count(".") != 2:
        raise _invalid("The key proof is not a compact JWT.")
    header_b64, payload_b64, sig_b64 = token.strip().split(".")
    try:
        header = strict_json_object(b64url_strict(header_b64, "header"), "header")
        jwk = header.get("jwk")
        # The holder's key travels in the header of a key proof: the one JWS where that is
        # the point. Everything else about the header follows the shared JWS policy.
        check_header({k: v for k, v in header.items() if k != "jwk"})
        payload = strict_json_object(b64url_strict(payload_b64, "payload"), "payload")
        signature = b64url_strict(sig_b64, "signature")
    except SatchelError as exc:
        raise _invalid(f"The key proof is malformed: {exc.message}") from exc
    parsed = ParsedJws(header, payload, f"{header_b64}.{payload_b64}".encode("ascii"), signature)
    if jwk is not None and not isinstance(jwk, dict):
        raise _invalid("The key proof's jwk header must be an object.")
    return parsed, jwk


async def _holder_key(
    header: dict[str, Any], jwk: dict[str, Any] | None, ctx: ResolveContext
) -> tuple[str, PublicKey]:
    kid = header.get("kid")
    if (kid is None) == (jwk is None) or "x5c" in header:
        raise _invalid("The key proof must name its key by exactly one of kid (a DID URL) or jwk.")
    if jwk is not None:
        try:
            key = public_key_from_jwk(jwk)
        except SatchelError as exc:
            raise _invalid(f"The key proof's jwk is not usable: {exc.message}") from exc
        if key.key_type == "RSA":
            raise _invalid("RSA holder keys are not supported.")
        return did_key_for(key), key
    if not isinstance(kid, str) or not kid.startswith("did:") or "#" not in kid:
        raise _invalid("The key proof's kid must be a DID URL with a fragment (did:...#...).")
    try:
        method = await dereference_method(kid, "authentication", ctx)
    except SatchelError as exc:
        raise _invalid(f"The key proof's key {kid} cannot be used: {exc.message}") from exc
    return method.controller, method.public_key


async def check_key_proof(
    token: str,
    *,
    audience: str,
    now: datetime,
    ctx: ResolveContext | None = None,
    max_age: timedelta = timedelta(minutes=5),
    skew: timedelta = timedelta(minutes=1),
) -> KeyProof:
    """Check a key-proof JWT: type, key (kid DID URL or jwk), signature, aud, iat, nonce.

    The nonce is returned for the caller to match against the ones it handed out.
    Raises ``OID4VCIError`` ``invalid_proof``.
    """
    parsed, jwk = _parse_proof(token)
    if parsed.header.get("typ") != PROOF_TYP:
        raise _invalid(f"The key proof's typ must be {PROOF_TYP!r}.")
    if parsed.alg not in PROOF_ALGS:
        raise _invalid(f"Key proofs signed with {parsed.alg} are not accepted.")
    holder, key = await _holder_key(parsed.header, jwk, ctx or ResolveContext())
    try:
        verify_parsed(parsed, key)
    except SatchelError as exc:
        raise _invalid(f"The key proof's signature does not verify: {exc.message}") from exc
    claims = parsed.payload
    aud = claims.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise _invalid(f"The key proof's aud must be the credential issuer {audience}.")
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float) or not math.isfinite(iat):
        raise _invalid("The key proof's iat must be a NumericDate.")
    stamp = now.timestamp()
    if iat > stamp + skew.total_seconds():
        raise _invalid("The key proof's iat is in the future.")
    if iat < stamp - max_age.total_seconds():
        raise _invalid("The key proof is too old (iat); make a new one.")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise _invalid("The key proof carries no nonce (c_nonce from the nonce endpoint).")
    kid = parsed.header.get("kid")
    return KeyProof(holder=holder, public_key=key, nonce=nonce, kid=kid)


def error_body(exc: OID4VCIError) -> bytes:
    """The JSON body of an OAuth-style error response."""
    return msgspec.json.encode(OAuthErrorBody(exc.error, exc.message))


__all__ = [
    "OFFER_SCHEME",
    "PRE_AUTHORIZED_GRANT",
    "PROOF_TYP",
    "AuthorizationServerMetadata",
    "CredentialConfiguration",
    "CredentialIssuerMetadata",
    "CredentialOffer",
    "CredentialRequest",
    "CredentialResponse",
    "KeyProof",
    "NonceResponse",
    "OID4VCIError",
    "TokenResponse",
    "TxCode",
    "build_key_proof",
    "check_key_proof",
    "encode_offer_uri",
    "parse_credential_request",
    "parse_credential_response",
    "parse_error",
    "parse_issuer_metadata",
    "parse_offer",
    "parse_offer_uri",
    "parse_token_request",
    "parse_token_response",
    "pre_authorized_offer",
    "token_request_body",
]
