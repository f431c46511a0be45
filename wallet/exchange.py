"""Receiving credentials through a VC-API exchange or a DCC deep link.

The wallet starts the exchange (POST ``{}``), answers a ``DIDAuthentication``
request with a presentation signed by the learner's holder key (the request's
challenge and domain), and collects the credentials of the answer. An
exchange that asks for credentials (``QueryByExample``) is a verifier's
request: it is answered through the consent flow, never here.
"""

from __future__ import annotations

import json
from typing import Any

from shared.errors import InputError, ServiceError
from shared.presentation import build_presentation, sign_presentation
from shared.service.runtime import Runtime
from shared.vcapi_holder import (
    asks_for_credentials,
    credentials_in_answer,
    parse_dcc_deeplink,
    read_presentation_request,
)
from shared.verification.parse import parse_json
from wallet.accounts import HolderKey
from wallet.common import dumps, iso

MAX_ROUNDS = 4


async def post_json(runtime: Runtime, url: str, body: Any) -> Any:
    """POST JSON through the guarded fetcher; the answer parsed as JSON (4xx/5xx refused)."""
    result = await runtime.fetcher.post(
        url,
        dumps(body).encode("utf-8"),
        content_type="application/json",
        accept="application/json",
        any_status=True,
    )
    if not 200 <= result.status < 300:
        raise ServiceError(
            f"{url} answered HTTP {result.status}.",
            code="exchange.refused",
            status=502,
            upstream_status=result.status,
        )
    if not result.body.strip():
        return {}
    try:
        return parse_json(result.body)
    except InputError as exc:
        raise ServiceError(
            f"{url} did not answer JSON.", code="exchange.bad-answer", status=502
        ) from exc


def did_auth(
    runtime: Runtime, holder: HolderKey, challenge: str | None, domain: str | None
) -> dict[str, Any]:
    """A DID Authentication presentation of the holder (no credentials)."""
    presentation = build_presentation([], holder.did)
    return sign_presentation(
        presentation,
        holder.key,
        holder.verification_method,
        challenge=challenge,
        domain=domain,
        created=iso(runtime.now()),
    )


async def receive_by_exchange(
    runtime: Runtime, holder: HolderKey, exchange_url: str
) -> list[dict[str, Any] | str]:
    """Run a VC-API exchange that issues to the holder; return the credentials received."""
    answer = await post_json(runtime, exchange_url, {})
    for _ in range(MAX_ROUNDS):
        request = read_presentation_request(answer)
        if request is not None:
            if asks_for_credentials(request):
                raise ServiceError(
                    "This exchange asks you to present credentials; answer it as a "
                    "verifier's request so you can see who asks and consent.",
                    code="exchange.needs-consent",
                    status=422,
                )
            vp = did_auth(runtime, holder, request.challenge, request.domain)
            answer = await post_json(runtime, exchange_url, {"verifiablePresentation": vp})
            continue
        credentials = credentials_in_answer(answer)
        if credentials:
            return credentials
        break
    raise ServiceError(
        "The exchange ended without issuing a credential.", code="exchange.empty", status=502
    )


async def receive_by_dcc_link(
    runtime: Runtime, holder: HolderKey, link: str
) -> list[dict[str, Any] | str]:
    """Answer a DCC ``dccrequest://`` link: DID-auth to ``vc_request_url``, get the credential."""
    request = parse_dcc_deeplink(link)
    vp = did_auth(runtime, holder, request.challenge, None)
    answer = await post_json(runtime, request.vc_request_url, vp)
    credentials = credentials_in_answer(answer)
    if not credentials:
        raise ServiceError(
            "The issuer answered without a credential.", code="exchange.empty", status=502
        )
    return credentials


def raw_of(item: dict[str, Any] | str) -> bytes:
    """The bytes a received credential is stored as (a JWT's text, or the JSON)."""
    return item.encode("utf-8") if isinstance(item, str) else json.dumps(item).encode("utf-8")
