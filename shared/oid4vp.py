"""OpenID for Verifiable Presentations 1.0: the shapes both the verifier and a wallet need.

Satchel's verifier identifies itself with the ``decentralized_identifier`` Client
Identifier Prefix (OID4VP 1.0 §5.9.3): ``client_id`` is
``decentralized_identifier:<did:key of the verifier>``, the Request Object is a JWS with
``typ: oauth-authz-req+jwt`` signed by a key of that DID (named by ``kid``), and it is
passed by reference (``request_uri``) in an ``openid4vp://`` authorization request.
Responses use ``response_mode=direct_post`` to ``response_uri``. Credentials are asked
for with DCQL, in two formats: ``ldp_vc`` (a Data Integrity VP whose proof's
``challenge`` is the nonce and ``domain`` the client_id) and ``jwt_vc_json`` (a VP JWT
whose ``nonce`` claim is the nonce and ``aud`` the client_id).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

import msgspec

from shared.did import ResolveContext, dereference_method
from shared.errors import SatchelError
from shared.jose.jws import parse_jws, sign_jws, verify_parsed
from shared.keys import PrivateKey
from shared.verification.parse import InputLimits, parse_json
from shared.wanted import Wanted, credential_matches, type_iri

SCHEME: Final = "openid4vp://"
CLIENT_ID_PREFIX: Final = "decentralized_identifier:"
REQUEST_OBJECT_TYP: Final = "oauth-authz-req+jwt"
REQUEST_OBJECT_MEDIA_TYPE: Final = "application/oauth-authz-req+jwt"
SELF_ISSUED_AUD: Final = "https://self-issued.me/v2"
LDP_VC: Final = "ldp_vc"
JWT_VC_JSON: Final = "jwt_vc_json"
VC_TYPE_IRI: Final = "https://www.w3.org/2018/credentials#VerifiableCredential"
# DCQL credential query ids used by Satchel's verifier, one per accepted format.
QUERY_IDS: Final = {LDP_VC: "ldp_credential", JWT_VC_JSON: "jwt_credential"}
MAX_PRESENTATIONS: Final = 10


class Oid4vpError(SatchelError):
    """An OpenID4VP message is malformed or does not meet the protocol's rules."""

    code = "oid4vp.invalid"


class AuthorizationRequest(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The claims of a Request Object (OID4VP 1.0 §5) as Satchel sends them."""

    client_id: str
    response_type: str
    response_mode: str
    response_uri: str
    nonce: str
    dcql_query: dict[str, Any]
    state: str | None = None
    client_metadata: dict[str, Any] | None = None
    aud: str | None = None
    iat: int | None = None
    exp: int | None = None
    wallet_nonce: str | None = None
    # Not defined by OID4VP (wallets ignore unknown parameters): the verifier's stated reason.
    purpose: str | None = None


class DirectPostResponse(msgspec.Struct, kw_only=True):
    """What a wallet POSTs to the ``response_uri`` (form fields, already decoded)."""

    vp_token: dict[str, list[Any]] | None = None
    state: str | None = None
    error: str | None = None
    error_description: str | None = None


def client_id_for(did: str) -> str:
    """The client_id of a verifier identified by ``did``."""
    return CLIENT_ID_PREFIX + did


def did_of_client_id(client_id: str) -> str:
    """The DID named by a ``decentralized_identifier:`` client_id."""
    if not client_id.startswith(CLIENT_ID_PREFIX) or not client_id[
        len(CLIENT_ID_PREFIX) :
    ].startswith("did:"):
        raise Oid4vpError(
            f"client_id {client_id!r} does not use the decentralized_identifier prefix; "
            "Satchel only accepts verifiers identified by a DID.",
            code="oid4vp.client-id-prefix",
        )
    return client_id[len(CLIENT_ID_PREFIX) :]


def client_metadata() -> dict[str, Any]:
    """The verifier metadata: the presentation formats Satchel verifies."""
    return {
        "vp_formats_supported": {
            LDP_VC: {
                "proof_type_values": ["DataIntegrityProof", "Ed25519Signature2020"],
                "cryptosuite_values": [
                    "eddsa-rdfc-2022",
                    "eddsa-jcs-2022",
                    "ecdsa-rdfc-2019",
                    "ecdsa-jcs-2019",
                    "ecdsa-sd-2023",
                ],
            },
            JWT_VC_JSON: {"alg_values": ["EdDSA", "ES256", "ES384", "RS256"]},
        }
    }


def dcql_query(wanted: Wanted) -> dict[str, Any]:
    """A DCQL query for ``wanted``: one credential query per format, either one satisfies."""
    alternatives = [[type_iri(t)] for t in wanted.types] or [[VC_TYPE_IRI]]
    credentials = [
        {"id": QUERY_IDS[fmt], "format": fmt, "meta": {"type_values": alternatives}}
        for fmt in (LDP_VC, JWT_VC_JSON)
    ]
    return {
        "credentials": credentials,
        "credential_sets": [{"options": [[QUERY_IDS[LDP_VC]], [QUERY_IDS[JWT_VC_JSON]]]}],
    }


def build_request_object(
    *,
    client_id: str,
    response_uri: str,
    nonce: str,
    state: str,
    wanted: Wanted,
    issued_at: datetime,
    expires_at: datetime,
    wallet_nonce: str | None = None,
) -> AuthorizationRequest:
    """The Request Object for a verification request."""
    return AuthorizationRequest(
        client_id=client_id,
        response_type="vp_token",
        response_mode="direct_post",
        response_uri=response_uri,
        nonce=nonce,
        state=state,
        dcql_query=dcql_query(wanted),
        client_metadata=client_metadata(),
        aud=SELF_ISSUED_AUD,
        iat=int(issued_at.timestamp()),
        exp=int(expires_at.timestamp()),
        wallet_nonce=wallet_nonce,
        purpose=wanted.purpose,
    )


def sign_request_object(request: AuthorizationRequest, key: PrivateKey, kid: str) -> str:
    """The Request Object as a JWS (``typ: oauth-authz-req+jwt``) signed with ``kid``."""
    claims: dict[str, Any] = msgspec.to_builtins(request)
    return sign_jws({"typ": REQUEST_OBJECT_TYP, "kid": kid}, claims, key)


def authorization_uri(client_id: str, request_uri: str) -> str:
    """The ``openid4vp://`` URI a wallet scans: client_id and request_uri only."""
    query = urllib.parse.urlencode({"client_id": client_id, "request_uri": request_uri})
    return f"{SCHEME}?{query}"


def parse_authorization_uri(uri: str) -> tuple[str, str]:
    """``(client_id, request_uri)`` of an ``openid4vp://`` (or https) authorization request."""
    parts = urllib.parse.urlsplit(uri.strip())
    if parts.scheme not in ("openid4vp", "https", "http"):
        raise Oid4vpError(f"Not an OpenID4VP request: {uri[:80]!r}.", code="oid4vp.not-a-request")
    params = urllib.parse.parse_qs(parts.query, keep_blank_values=False)
    client_ids, request_uris = params.get("client_id", []), params.get("request_uri", [])
    if len(client_ids) != 1 or len(request_uris) != 1:
        raise Oid4vpError(
            "An OpenID4VP request must carry exactly one client_id and one request_uri "
            "(requests by value are not supported).",
            code="oid4vp.not-a-request",
        )
    return client_ids[0], request_uris[0]


async def verify_request_object(
    token: str,
    *,
    expected_client_id: str,
    ctx: ResolveContext | None = None,
    now: datetime | None = None,
    wallet_nonce: str | None = None,
) -> AuthorizationRequest:
    """Check a Request Object the way a wallet must and return its claims.

    ``typ`` must be ``oauth-authz-req+jwt``; the signing key (``kid``) must be a
    verification method of the DID in the ``decentralized_identifier`` client_id; the
    claims' ``client_id`` must equal the one in the authorization URI; the response mode
    must be ``direct_post``; an ``exp`` in the past is refused.
    """
    try:
        parsed = parse_jws(token)
    except SatchelError as exc:
        raise Oid4vpError(f"The Request Object is not a valid JWS: {exc}") from exc
    if parsed.header.get("typ") != REQUEST_OBJECT_TYP:
        raise Oid4vpError(
            f"The Request Object's typ must be {REQUEST_OBJECT_TYP!r}.", code="oid4vp.typ"
        )
    did = did_of_client_id(expected_client_id)
    kid = parsed.header.get("kid")
    if not isinstance(kid, str) or kid.split("#", 1)[0] != did:
        raise Oid4vpError(
            "The Request Object's kid does not name a key of the client's DID.",
            code="oid4vp.kid-mismatch",
        )
    method = await dereference_method(kid, "authentication", ctx or ResolveContext())
    verify_parsed(parsed, method.public_key)
    try:
        request = msgspec.convert(parsed.payload, AuthorizationRequest, strict=True)
    except msgspec.ValidationError as exc:
        raise Oid4vpError(f"The Request Object's claims are malformed: {exc}") from exc
    if request.client_id != expected_client_id:
        raise Oid4vpError(
            "The Request Object's client_id differs from the authorization request's.",
            code="oid4vp.client-id-mismatch",
        )
    if request.response_type != "vp_token" or request.response_mode != "direct_post":
        raise Oid4vpError(
            "Only response_type=vp_token with response_mode=direct_post is supported.",
            code="oid4vp.unsupported-mode",
        )
    if wallet_nonce is not None and request.wallet_nonce != wallet_nonce:
        raise Oid4vpError(
            "The Request Object does not echo the wallet_nonce.", code="oid4vp.wallet-nonce"
        )
    moment = now or datetime.now(UTC)
    if request.exp is not None and request.exp < moment.timestamp():
        raise Oid4vpError("The Request Object has expired.", code="oid4vp.expired")
    return request


def direct_post_form(vp_token: dict[str, list[Any]], state: str | None) -> dict[str, str]:
    """The form fields of a ``direct_post`` response carrying ``vp_token``."""
    form = {"vp_token": json.dumps(vp_token, separators=(",", ":"))}
    if state is not None:
        form["state"] = state
    return form


def parse_direct_post(
    form: Mapping[str, str], limits: InputLimits | None = None
) -> DirectPostResponse:
    """Decode a ``direct_post`` body: a ``vp_token`` (JSON object of arrays) or an error."""
    error = form.get("error")
    if error:
        return DirectPostResponse(
            error=error[:200],
            error_description=(form.get("error_description") or "")[:1000] or None,
            state=form.get("state"),
        )
    raw = form.get("vp_token")
    if not raw:
        raise Oid4vpError("The response carries neither vp_token nor error.")
    try:
        value = parse_json(raw, limits)
    except SatchelError as exc:
        raise Oid4vpError(f"vp_token is not valid JSON: {exc.message}") from exc
    if not isinstance(value, dict) or not value:
        raise Oid4vpError("vp_token must be a non-empty JSON object keyed by query id.")
    count = 0
    for key, presentations in value.items():
        if not isinstance(presentations, list) or not presentations:
            raise Oid4vpError(f"vp_token[{key!r}] must be a non-empty array of presentations.")
        count += len(presentations)
    if count > MAX_PRESENTATIONS:
        raise Oid4vpError(f"vp_token holds more than {MAX_PRESENTATIONS} presentations.")
    return DirectPostResponse(vp_token=value, state=form.get("state"))


def query_format(dcql: dict[str, Any], query_id: str) -> str | None:
    """The format a DCQL credential query asks for, or None if there is no such query."""
    for query in dcql.get("credentials", []):
        if isinstance(query, dict) and query.get("id") == query_id:
            fmt = query.get("format")
            return fmt if isinstance(fmt, str) else None
    return None


def matching_query_ids(document: dict[str, Any], fmt: str, dcql: dict[str, Any]) -> list[str]:
    """The ids of the DCQL credential queries of format ``fmt`` that ``document`` matches.

    ``type_values`` alternatives are compared with the credential's expanded types.
    """
    matches: list[str] = []
    for query in dcql.get("credentials", []):
        if not isinstance(query, dict) or query.get("format") != fmt:
            continue
        meta = query.get("meta") if isinstance(query.get("meta"), dict) else {}
        alternatives = meta.get("type_values") if isinstance(meta, dict) else None
        if not alternatives:
            matches.append(str(query.get("id")))
            continue
        for alternative in alternatives:
            if isinstance(alternative, list) and all(
                credential_matches(document, Wanted(types=[str(t)])) for t in alternative
            ):
                matches.append(str(query.get("id")))
                break
    return matches
