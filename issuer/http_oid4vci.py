"""OpenID4VCI endpoints. Errors here are OAuth-style JSON (``{"error": ...}``), not
problem+json, as OAuth clients expect."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath

from issuer.app import IssuerApp
from shared.oid4vci import OID4VCIError

NO_STORE = {"Cache-Control": "no-store"}


def _json(value: Any, status: int = 200) -> Response[bytes]:
    return Response(
        msgspec.json.encode(value),
        status_code=status,
        media_type="application/json",
        headers=NO_STORE,
    )


def oauth_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """``OID4VCIError`` (and framework errors on these routes) as OAuth error JSON."""
    if isinstance(exc, OID4VCIError):
        error, description, status = exc.error, exc.message, exc.status
    elif isinstance(exc, HTTPException):
        error, description, status = "invalid_request", str(exc.detail), exc.status_code
    else:  # pragma: no cover - the handler is registered for the two types above
        raise exc
    response = _json({"error": error, "error_description": description}, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{error}"'
    return response


@get("/.well-known/openid-credential-issuer", summary="OpenID4VCI issuer metadata")
async def issuer_metadata(svc: NamedDependency[IssuerApp]) -> Response[bytes]:
    """Credential Issuer Metadata (OpenID4VCI 1.0 §12.2)."""
    return _json(await svc.offers.metadata())


@get("/.well-known/oauth-authorization-server", summary="OAuth metadata (token endpoint)")
async def authorization_server(svc: NamedDependency[IssuerApp]) -> Response[bytes]:
    """Authorization server metadata for the pre-authorized code flow (RFC 8414)."""
    return _json(svc.offers.authorization_server())


@get("/oid4vci/offers/{offer_id:str}", summary="A credential offer by reference")
async def offer(offer_id: FromPath[str], svc: NamedDependency[IssuerApp]) -> Response[bytes]:
    """The offer a ``credential_offer_uri`` points at."""
    return _json(await svc.offers.offer_document(offer_id))


@post("/oid4vci/token", summary="Token endpoint (pre-authorized code)")
async def token(
    request: Request[Any, Any, Any], svc: NamedDependency[IssuerApp]
) -> Response[bytes]:
    """Redeem a pre-authorized code (and tx_code) for an access token."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise OID4VCIError(
            "invalid_request", "The token request must be application/x-www-form-urlencoded."
        )
    return _json(await svc.offers.token(await request.body()))


@post("/oid4vci/nonce", summary="Nonce endpoint")
async def nonce(svc: NamedDependency[IssuerApp]) -> Response[bytes]:
    """A fresh c_nonce for a key proof."""
    return _json(await svc.offers.nonce())


@post("/oid4vci/credential", summary="Credential endpoint")
async def credential(
    request: Request[Any, Any, Any], svc: NamedDependency[IssuerApp]
) -> Response[bytes]:
    """Issue the offered credential to the holder of the key proof's key."""
    body = await request.body()
    result = await svc.offers.credential(request.headers.get("authorization"), body)
    return _json(result)


def router() -> Router:
    """The OpenID4VCI routes with their OAuth-style error handling."""
    return Router(
        path="/",
        route_handlers=[issuer_metadata, authorization_server, offer, token, nonce, credential],
        exception_handlers={OID4VCIError: oauth_error_handler, HTTPException: oauth_error_handler},
    )
