"""Answering an OpenID4VP 1.0 request (Satchel's profile: DID client, signed request by
reference, DCQL, ``direct_post``), with the verifier branch's ``shared.oid4vp``.

The Request Object is fetched from ``request_uri`` through the guarded fetcher and
checked (signature by the client's DID, client_id, mode, expiry). Answers carry the
request's nonce and client_id: as the Data Integrity proof's challenge and domain
(``ldp_vc``) or the VP JWT's ``nonce`` and ``aud`` (``jwt_vc_json``).
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from shared.did import ResolveContext
from shared.display import credential_document
from shared.errors import InputError, ServiceError
from shared.jose import sign_jwt_presentation
from shared.oid4vp import (
    JWT_VC_JSON,
    LDP_VC,
    REQUEST_OBJECT_MEDIA_TYPE,
    did_of_client_id,
    direct_post_form,
    matching_query_ids,
    parse_authorization_uri,
    verify_request_object,
)
from shared.presentation import build_presentation
from shared.service.runtime import Runtime
from shared.verification.parse import parse_json
from wallet.accounts import HolderKey
from wallet.common import iso
from wallet.shares import signed_presentation


def _format_of(document: dict[str, Any] | str) -> str:
    return JWT_VC_JSON if isinstance(document, str) else LDP_VC


def _wanted(dcql: dict[str, Any], purpose: str | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for query in dcql.get("credentials", []):
        if not isinstance(query, dict):
            continue
        meta = query.get("meta") if isinstance(query.get("meta"), dict) else {}
        alternatives = meta.get("type_values", []) if isinstance(meta, dict) else []
        types = sorted(
            {str(t).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for alt in alternatives for t in alt}
        )
        entry: dict[str, Any] = {
            "types": types or ["VerifiableCredential"],
            "format": query.get("format"),
        }
        if purpose:
            entry["reason"] = purpose
        out.append(entry)
    return out


async def resolve_request(runtime: Runtime, text: str) -> dict[str, Any]:
    """Fetch and check the Request Object; the record the wallet keeps for consent."""
    client_id, request_uri = parse_authorization_uri(text)
    result = await runtime.fetcher.get(
        request_uri, accept=REQUEST_OBJECT_MEDIA_TYPE, use_cache=False
    )
    request = await verify_request_object(
        result.body.decode("ascii", errors="replace").strip(),
        expected_client_id=client_id,
        ctx=ResolveContext(fetcher=runtime.fetcher),
        now=runtime.now(),
    )
    host = urllib.parse.urlsplit(request.response_uri).netloc
    return {
        "kind": "oid4vp",
        "client_id": client_id,
        "response_uri": request.response_uri,
        "nonce": request.nonce,
        "state": request.state,
        "dcql": request.dcql_query,
        "verifier": f"{host} ({did_of_client_id(client_id)})",
        "purpose": request.purpose,
        "wanted": _wanted(request.dcql_query, request.purpose),
    }


def matches(record: dict[str, Any], document: dict[str, Any] | str) -> bool:
    """True if the credential answers one of the request's DCQL credential queries."""
    return bool(_query_ids(record, document))


def _query_ids(record: dict[str, Any], document: dict[str, Any] | str) -> list[str]:
    doc = credential_document(document)
    return matching_query_ids(doc, _format_of(document), record.get("dcql", {})) if doc else []


async def send_response(
    runtime: Runtime,
    holder: HolderKey,
    record: dict[str, Any],
    documents: list[dict[str, Any] | str],
) -> dict[str, Any]:
    """POST the ``vp_token`` (one presentation per format used) to the response_uri."""
    by_query: dict[str, list[dict[str, Any] | str]] = {}
    for document in documents:
        ids = _query_ids(record, document)
        if not ids:
            raise InputError(
                "A chosen credential does not answer the request.", code="request.not-matching"
            )
        by_query.setdefault(ids[0], []).append(document)
    vp_token: dict[str, list[Any]] = {}
    for query_id, items in by_query.items():
        if _format_of(items[0]) == LDP_VC:
            vp_token[query_id] = [
                signed_presentation(
                    runtime, holder, items, challenge=record["nonce"], domain=record["client_id"]
                )
            ]
        else:
            presentation = build_presentation(items, holder.did)
            vp_token[query_id] = [
                sign_jwt_presentation(
                    presentation,
                    holder.key,
                    holder.verification_method,
                    nonce=record["nonce"],
                    aud=record["client_id"],
                )
            ]
    form = direct_post_form(vp_token, record.get("state"))
    result = await runtime.fetcher.post(
        record["response_uri"],
        urllib.parse.urlencode(form).encode("ascii"),
        content_type="application/x-www-form-urlencoded",
        accept="application/json",
        any_status=True,
    )
    try:
        answer = parse_json(result.body) if result.body.strip() else {}
    except InputError:
        answer = {}
    if not 200 <= result.status < 300:
        raise ServiceError(
            f"The verifier refused the presentation (HTTP {result.status}).",
            code="request.refused",
            status=502,
        )
    return answer if isinstance(answer, dict) else {"answered_at": iso(runtime.now())}
