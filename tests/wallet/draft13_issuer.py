"""A draft-13 style OpenID4VCI issuer (no nonce endpoint, ``c_nonce`` in the token response,
a singular ``proof`` and ``credential``), mounted as a service module for wallet tests."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request, Router, get, post
from litestar.exceptions import NotAuthorizedException, ValidationException

from shared.did import ResolveContext
from shared.oid4vci import OID4VCIError, check_key_proof
from shared.service.runtime import Runtime
from tests.wallet import issuer_double

NAME = "draft13_issuer"
MIGRATIONS: list[str] = []
CODE = "draft13-code"
_tokens: dict[str, str] = {}


def offer_uri(base_url: str) -> str:
    """A by-value offer of the draft-13 issuer's one configuration."""
    import json
    import urllib.parse

    offer = {
        "credential_issuer": f"{base_url}/draft13",
        "credential_configuration_ids": ["OpenBadge"],
        "grants": {
            "urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": CODE}
        },
    }
    return "openid-credential-offer://?" + urllib.parse.urlencode(
        {"credential_offer": json.dumps(offer)}
    )


def router(runtime: Runtime) -> Router:
    base = runtime.settings.base_url
    issuer_id = f"{base}/draft13"

    @get("/.well-known/openid-credential-issuer/draft13")
    async def metadata() -> dict[str, Any]:
        return {
            "credential_issuer": issuer_id,
            "credential_endpoint": f"{issuer_id}/credential",
            "token_endpoint": f"{issuer_id}/token",
            "credential_configurations_supported": {
                "OpenBadge": {
                    "format": "ldp_vc",
                    "credential_definition": {
                        "@context": [issuer_double.VC_V2, issuer_double.OB_CONTEXT],
                        "type": ["VerifiableCredential", "OpenBadgeCredential"],
                    },
                }
            },
        }

    @post("/draft13/token", status_code=200)
    async def token(request: Request[Any, Any, Any]) -> dict[str, Any]:
        form = await request.form()
        if form.get("pre-authorized_code") != CODE:
            raise ValidationException("invalid_grant")
        access, nonce = secrets.token_urlsafe(8), secrets.token_urlsafe(8)
        _tokens[access] = nonce
        return {"access_token": access, "token_type": "bearer", "c_nonce": nonce}

    @post("/draft13/credential", status_code=200)
    async def credential(request: Request[Any, Any, Any]) -> dict[str, Any]:
        access = (request.headers.get("authorization") or "").removeprefix("Bearer ")
        if access not in _tokens:
            raise NotAuthorizedException()
        body = await request.json()
        if "proofs" in body or body.get("format") != "ldp_vc":
            raise ValidationException("draft-13 requests carry format and a singular proof")
        try:
            proof = await check_key_proof(
                body["proof"]["jwt"],
                audience=issuer_id,
                now=runtime.now(),
                ctx=ResolveContext(fetcher=runtime.fetcher),
            )
        except OID4VCIError as exc:
            raise ValidationException(exc.message) from exc
        if proof.nonce != _tokens.pop(access):
            raise ValidationException("invalid_nonce")
        vc = issuer_double.issue(proof.holder, base_url=base, name="Draft-13 badge")
        return {"credential": vc, "c_nonce": secrets.token_urlsafe(8)}

    return Router(path="/", route_handlers=[metadata, token, credential])
