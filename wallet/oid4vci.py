"""Receiving credentials by OpenID4VCI 1.0 (pre-authorized code), tolerating draft-13 issuers.

Offer (by value or ``credential_offer_uri``) -> issuer metadata -> token (with the
learner's ``tx_code`` when the offer asks for one) -> nonce -> one credential request
per offered configuration, each with a key proof signed by the holder key (``kid`` =
the holder's did:key verification method). Draft-13 issuers (no nonce endpoint,
``c_nonce`` in the token response, a singular ``proof`` and ``credential``) are
answered in their own dialect.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from shared.errors import InputError, SatchelError, ServiceError
from shared.oid4vci import (
    CredentialOffer,
    build_key_proof,
    parse_offer,
    parse_offer_uri,
    token_request_body,
)
from shared.service.runtime import Runtime
from shared.verification.parse import parse_json
from wallet.accounts import HolderKey
from wallet.common import dumps

MAX_CREDENTIALS = 10


def _failed(
    message: str, code: str = "oid4vci.failed", status: int = 502, **details: Any
) -> ServiceError:
    return ServiceError(message, code=code, status=status, **details)


async def _get_json(runtime: Runtime, url: str) -> dict[str, Any]:
    result = await runtime.fetcher.get(url, accept="application/json", use_cache=False)
    value = parse_json(result.body)
    if not isinstance(value, dict):
        raise _failed(f"{url} did not answer a JSON object.")
    return value


async def _post(
    runtime: Runtime,
    url: str,
    body: bytes,
    content_type: str,
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    result = await runtime.fetcher.post(
        url,
        body,
        content_type=content_type,
        accept="application/json",
        headers=headers,
        any_status=True,
    )
    try:
        value = parse_json(result.body) if result.body.strip() else {}
    except InputError as exc:
        raise _failed(f"{url} did not answer JSON (HTTP {result.status}).") from exc
    if not isinstance(value, dict):
        raise _failed(f"{url} did not answer a JSON object.")
    return result.status, value


def _well_known(base: str, name: str) -> str:
    parts = urllib.parse.urlsplit(base)
    path = parts.path.rstrip("/")
    return urllib.parse.urlunsplit(
        (parts.scheme, parts.netloc, f"/.well-known/{name}{path}", "", "")
    )


async def _offer(runtime: Runtime, text: str) -> CredentialOffer:
    offer, uri = parse_offer_uri(text)
    if offer is not None:
        return offer
    assert uri is not None
    result = await runtime.fetcher.get(uri, accept="application/json", use_cache=False)
    return parse_offer(result.body)


async def _token_endpoint(runtime: Runtime, metadata: dict[str, Any], issuer: str) -> str:
    servers = metadata.get("authorization_servers")
    server = servers[0] if isinstance(servers, list) and servers else issuer
    if isinstance(metadata.get("token_endpoint"), str):  # draft-13 issuers may say it here
        return str(metadata["token_endpoint"])
    try:
        oauth = await _get_json(runtime, _well_known(str(server), "oauth-authorization-server"))
    except SatchelError:
        oauth = await _get_json(runtime, _well_known(str(server), "openid-configuration"))
    endpoint = oauth.get("token_endpoint")
    if not isinstance(endpoint, str):
        raise _failed("The issuer's authorization server names no token endpoint.")
    return endpoint


def _tx_code_needed(offer: CredentialOffer) -> dict[str, Any] | None:
    grant = offer.grants.pre_authorized_code if offer.grants else None
    if grant is None:
        raise _failed(
            "This offer needs a sign-in at the issuer (authorization code flow), which this "
            "wallet does not do; ask for a pre-authorized offer.",
            code="oid4vci.unsupported-grant",
            status=422,
        )
    if grant.tx_code is None:
        return None
    return {
        "input_mode": grant.tx_code.input_mode,
        "length": grant.tx_code.length,
        "description": grant.tx_code.description,
    }


async def receive_by_offer(
    runtime: Runtime, holder: HolderKey, text: str, tx_code: str | None
) -> list[dict[str, Any] | str]:
    """Redeem a credential offer for the holder; the credentials received."""
    offer = await _offer(runtime, text)
    wants_code = _tx_code_needed(offer)
    if wants_code is not None and not tx_code:
        raise ServiceError(
            "The issuer sent you a transaction code (by e-mail or text): enter it to continue.",
            code="import.tx-code-required",
            status=422,
            **{k: v for k, v in wants_code.items() if v is not None},
        )
    assert offer.grants is not None and offer.grants.pre_authorized_code is not None
    issuer = offer.credential_issuer
    metadata = await _get_json(runtime, _well_known(issuer, "openid-credential-issuer"))
    if metadata.get("credential_issuer") not in (issuer, issuer.rstrip("/")):
        raise _failed("The issuer metadata names another credential_issuer.")
    credential_endpoint = metadata.get("credential_endpoint")
    configurations = metadata.get("credential_configurations_supported") or {}
    if not isinstance(credential_endpoint, str) or not isinstance(configurations, dict):
        raise _failed("The issuer metadata has no credential endpoint or configurations.")
    status, token = await _post(
        runtime,
        await _token_endpoint(runtime, metadata, issuer),
        urllib.parse.urlencode(
            token_request_body(
                offer.grants.pre_authorized_code.pre_authorized_code,
                tx_code if wants_code is not None else None,
            )
        ).encode("ascii"),
        "application/x-www-form-urlencoded",
    )
    if status != 200 or not isinstance(token.get("access_token"), str):
        error = token.get("error")
        if error == "invalid_grant" and wants_code is not None:
            raise ServiceError(
                "The issuer refused the code: check the transaction code, or the offer was "
                "already used or has expired.",
                code="import.tx-code-refused",
                status=422,
            )
        raise _failed(f"The issuer's token endpoint refused: {error or status}.")
    access = str(token["access_token"])
    nonce_endpoint = metadata.get("nonce_endpoint")
    draft13 = not isinstance(nonce_endpoint, str)
    nonce: str | None = token.get("c_nonce") if draft13 else None
    received: list[dict[str, Any] | str] = []
    for configuration_id in offer.credential_configuration_ids[:MAX_CREDENTIALS]:
        configuration = configurations.get(configuration_id)
        if not isinstance(configuration, dict):
            raise _failed(f"The issuer does not describe {configuration_id!r}.")
        if not draft13:
            _, answer = await _post(runtime, str(nonce_endpoint), b"", "application/json")
            nonce = answer.get("c_nonce") if isinstance(answer.get("c_nonce"), str) else None
        for attempt in range(2):
            proof = build_key_proof(
                holder.key,
                holder.verification_method,
                issuer,
                nonce,
                iat=int(runtime.now().timestamp()),
            )
            if draft13:
                request: dict[str, Any] = {
                    "format": configuration.get("format"),
                    "credential_definition": configuration.get("credential_definition"),
                    "proof": {"proof_type": "jwt", "jwt": proof},
                }
            else:
                request = {
                    "credential_configuration_id": configuration_id,
                    "proofs": {"jwt": [proof]},
                }
            status, answer = await _post(
                runtime,
                credential_endpoint,
                dumps(request).encode("utf-8"),
                "application/json",
                access,
            )
            if status == 400 and answer.get("error") == "invalid_nonce" and attempt == 0:
                fresh = answer.get("c_nonce")
                if isinstance(fresh, str):
                    nonce = fresh
                elif not draft13:
                    _, again = await _post(runtime, str(nonce_endpoint), b"", "application/json")
                    nonce = again.get("c_nonce") if isinstance(again.get("c_nonce"), str) else None
                continue
            break
        if status != 200:
            raise _failed(
                f"The issuer refused the credential request: {answer.get('error') or status}."
            )
        if isinstance(answer.get("credentials"), list):
            items = [c.get("credential") for c in answer["credentials"] if isinstance(c, dict)]
        else:
            items = [answer.get("credential")]
        for item in items:
            if isinstance(item, dict | str) and item:
                received.append(item)
        if draft13 and isinstance(answer.get("c_nonce"), str):
            nonce = answer["c_nonce"]
    if not received:
        raise _failed("The issuer answered without a credential.", code="exchange.empty")
    return received
