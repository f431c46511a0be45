"""HTTP routes of the verifier (thin: parse, limit, call ``Verifier``, shape the answer).

VC-API status codes (w3c-ccg/vc-api ``verifier.yml``): ``POST /credentials/verify``
answers 200 when the credential verified and 400 (with the verification result as the
body) when it did not; ``POST /presentations/verify`` answers 200 whenever the
presentation could be processed, with ``verified`` true or false, and 400 only for
malformed input (not a presentation, unparseable). Unknown options are a 400 typed
``https://www.w3.org/TR/vc-api#UNKNOWN_OPTION_PROVIDED``.
"""

from __future__ import annotations

import html
import json
from collections.abc import AsyncGenerator
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from shared.errors import SatchelError, ServiceError
from shared.oid4vp import REQUEST_OBJECT_MEDIA_TYPE
from shared.verification.parse import parse_json
from shared.verification.report import failed
from shared.wanted import Wanted, with_checks
from verifier.core import Verifier
from verifier.inputs import Submission, fetch_document, from_form, from_raw
from verifier.results import (
    UNKNOWN_OPTION,
    failure_record,
    normalise_checks,
    top_level_failed,
    vcapi_result,
)

AnyRequest = Request[Any, Any, Any]
PROBLEM_JSON = "application/problem+json"


class CreateRequestBody(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """``POST /api/verifier/requests``."""

    types: list[str] = []
    purpose: str | None = None
    trust_list: list[str] = []
    webhook_url: str | None = None


def _problem(status: int, type_uri: str, title: str, detail: str, code: str) -> Response[Any]:
    body = {"type": type_uri, "title": title, "status": status, "detail": detail, "code": code}
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


async def _json_body(request: AnyRequest, verifier: Verifier) -> Any:
    return parse_json(await request.body(), verifier.limits)


def _vcapi_options(
    body: Any, document_key: str, allowed: set[str], purpose: str
) -> tuple[dict[str, Any], Response[Any] | None]:
    """The options of a VC-API verify request, or a 400 problem for unknown ones."""
    if not isinstance(body, dict) or document_key not in body:
        raise ServiceError(
            f"The request body must be a JSON object with {document_key!r}.",
            code="request.invalid",
            status=400,
        )
    extra = set(body) - {document_key, "options"}
    options = body.get("options") or {}
    if extra or not isinstance(options, dict):
        return {}, _problem(
            400,
            UNKNOWN_OPTION,
            "UNKNOWN_OPTION_PROVIDED",
            f"Unknown member(s): {', '.join(sorted(extra)) or 'options is not an object'}.",
            "vcapi.unknown-option",
        )
    unknown = set(options) - allowed
    if unknown:
        return {}, _problem(
            400,
            UNKNOWN_OPTION,
            "UNKNOWN_OPTION_PROVIDED",
            f"Unknown option(s): {', '.join(sorted(unknown))}.",
            "vcapi.unknown-option",
        )
    expected = options.get("expectedProofPurpose")
    if expected is not None and expected != purpose:
        return {}, _problem(
            400,
            UNKNOWN_OPTION,
            "UNKNOWN_OPTION_PROVIDED",
            f"expectedProofPurpose must be {purpose!r} here.",
            "vcapi.unknown-option",
        )
    for name in ("challenge", "domain"):
        if name in options and not isinstance(options[name], str):
            raise ServiceError(f"options.{name} must be a string.", code="request.invalid")
    return options, None


def build_router(verifier: Verifier) -> Router:
    """The verifier's routes."""
    config = verifier.config

    @post("/credentials/verify", status_code=200, tags=["VC-API"])
    async def credentials_verify(request: AnyRequest) -> Response[Any]:
        """VC-API: verify a credential (JSON-LD, a JWT string, or an enveloped one)."""
        verifier.limiter.limit(request, "verify", config.verify_rate)
        body = await _json_body(request, verifier)
        options, problem = _vcapi_options(
            body, "verifiableCredential", {"checks", "expectedProofPurpose"}, "assertionMethod"
        )
        if problem is not None:
            return problem
        requested = normalise_checks(options.get("checks"))
        report = await verifier.verify(body["verifiableCredential"])
        if report.kind == "presentation":
            report = with_checks(
                report,
                [
                    failed(
                        "syntax",
                        "A credential was expected; this is a presentation.",
                        code="vcapi.expected-credential",
                    )
                ],
            )
        result = vcapi_result(report, requested)
        return Response(result, status_code=200 if report.verified else 400)

    @post("/presentations/verify", status_code=200, tags=["VC-API"])
    async def presentations_verify(request: AnyRequest) -> Response[Any]:
        """VC-API: verify a presentation and every credential in it."""
        verifier.limiter.limit(request, "verify", config.verify_rate)
        body = await _json_body(request, verifier)
        options, problem = _vcapi_options(
            body,
            "verifiablePresentation",
            {"checks", "expectedProofPurpose", "challenge", "domain"},
            "authentication",
        )
        if problem is not None:
            return problem
        requested = normalise_checks(options.get("checks"))
        report = await verifier.verify(
            body["verifiablePresentation"],
            challenge=options.get("challenge"),
            domain=options.get("domain"),
        )
        malformed = report.kind != "presentation" or any(
            c.id == "syntax" and c.status == "failed" for c in report.checks
        )
        if report.kind == "credential":
            report = with_checks(
                report,
                [
                    failed(
                        "syntax",
                        "A presentation was expected; this is a credential.",
                        code="vcapi.expected-presentation",
                    )
                ],
            )
        result = vcapi_result(report, requested)
        return Response(result, status_code=400 if malformed else 200)

    @post("/api/verifier/verify", status_code=200, tags=["Verifier"])
    async def verify_any(request: AnyRequest) -> dict[str, Any]:
        """Verify a credential or presentation given as JSON, a JWT, a file, or a URL."""
        verifier.limiter.limit(request, "verify", config.verify_rate)
        content_type = (request.headers.get("content-type") or "").lower()
        if content_type.startswith("multipart/form-data"):
            form = await request.form()
            fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
            upload = form.get("file")
            data = await upload.read() if isinstance(upload, UploadFile) else None
            if data is not None and len(data) > verifier.limits.max_bytes * 8:
                raise ServiceError("The upload is too large.", code="request.too-large", status=413)
            submission = from_form(fields, data, verifier.limits)
        else:
            submission = from_raw(await request.body(), content_type, verifier.limits)
        return await _verify_submission(verifier, submission)

    @post("/api/verifier/requests", status_code=201, tags=["Verifier"])
    async def create_request(request: AnyRequest) -> dict[str, Any]:
        """Create a verification request (OpenID4VP + VC-API exchange, QR codes, status)."""
        verifier.limiter.limit(request, "requests", config.request_rate)
        raw = await _json_body(request, verifier)
        try:
            body = msgspec.convert(raw, CreateRequestBody, strict=True)
            wanted = Wanted(types=body.types, trusted_issuers=body.trust_list, purpose=body.purpose)
        except (msgspec.ValidationError, SatchelError) as exc:
            raise ServiceError(
                f"Invalid request: {exc}", code="request.invalid", status=400
            ) from exc
        if body.purpose is not None and len(body.purpose) > 500:
            raise ServiceError("purpose is at most 500 characters.", code="request.invalid")
        if body.webhook_url is not None and (
            not body.webhook_url.startswith(("https://", "http://")) or len(body.webhook_url) > 2048
        ):
            raise ServiceError("webhook_url must be an https URL.", code="request.invalid")
        return await verifier.create_request(wanted, body.webhook_url)

    @get("/api/verifier/requests/{request_id:str}", tags=["Verifier"])
    async def request_status(request_id: FromPath[str]) -> dict[str, Any]:
        """The state of a verification request (and its report once answered)."""
        return verifier.public_status(await verifier.status(request_id))

    @get("/api/verifier/requests/{request_id:str}/events", tags=["Verifier"])
    async def request_events(request_id: FromPath[str]) -> ServerSentEvent:
        """Server-Sent Events (``event: state``) until the request is finished."""
        await verifier.status(request_id)

        async def stream() -> AsyncGenerator[ServerSentEventMessage, None]:
            async for payload in verifier.events(request_id):
                yield ServerSentEventMessage(data=json.dumps(payload), event="state")

        return ServerSentEvent(stream(), headers={"Cache-Control": "no-store"})

    @get("/api/verifier/identity", tags=["Verifier"])
    async def identity() -> dict[str, str]:
        """The verifier's DID and OpenID4VP client_id."""
        me = await verifier.identity.get()
        return {"did": me.did, "client_id": await verifier.client_id()}

    # -- wallet-facing ---------------------------------------------------------------------

    @get("/interactions/{tx:str}", tags=["Wallet protocols"])
    async def interaction(request: AnyRequest, tx: FromPath[str]) -> Response[Any]:
        """VC-API interaction URL: the protocols (JSON) or directions for a person (HTML)."""
        verifier.limiter.limit(request, "wallet", config.wallet_rate)
        if request.query_params.get("iuv") != "1":
            raise ServiceError(
                "An interaction URL carries iuv=1.", code="vcapi.interaction-version", status=400
            )
        protocols = await verifier.interaction(tx)
        if "application/json" in (request.headers.get("accept") or ""):
            return Response(protocols)
        page = (
            "<!doctype html><html lang='en'><meta charset='utf-8'><title>Share a credential"
            "</title><h1>Open this with your credential wallet</h1><p>This link asks for a "
            "credential. Scan its QR code with a wallet app (such as Satchel or the Learner "
            "Credential Wallet), or paste it into one.</p><p><a href='"
            + html.escape(protocols["protocols"].get("OID4VP", ""))
            + "'>Open in a wallet app</a></p></html>"
        )
        return Response(page, media_type=MediaType.HTML)

    @post("/exchanges/{tx:str}", status_code=200, tags=["Wallet protocols"])
    async def exchange(request: AnyRequest, tx: FromPath[str]) -> dict[str, Any]:
        """VC-API exchange: ``{}`` starts it, a ``verifiablePresentation`` completes it."""
        verifier.limiter.limit(request, "wallet", config.wallet_rate)
        return await verifier.exchange(tx, await _json_body(request, verifier))

    @get("/oid4vp/requests/{tx:str}", tags=["Wallet protocols"])
    async def request_object(request: AnyRequest, tx: FromPath[str]) -> Response[str]:
        """OpenID4VP Request Object (signed JWT) by reference."""
        verifier.limiter.limit(request, "wallet", config.wallet_rate)
        token = await verifier.request_object(tx)
        return Response(token, media_type=REQUEST_OBJECT_MEDIA_TYPE)

    @post("/oid4vp/requests/{tx:str}", status_code=200, tags=["Wallet protocols"])
    async def request_object_post(request: AnyRequest, tx: FromPath[str]) -> Response[str]:
        """OpenID4VP ``request_uri_method=post``: echoes the wallet_nonce in the object."""
        verifier.limiter.limit(request, "wallet", config.wallet_rate)
        form = await request.form()
        nonce = form.get("wallet_nonce")
        token = await verifier.request_object(
            tx, nonce[:200] if isinstance(nonce, str) and nonce else None
        )
        return Response(token, media_type=REQUEST_OBJECT_MEDIA_TYPE)

    @post("/oid4vp/responses/{tx:str}", status_code=200, tags=["Wallet protocols"])
    async def oid4vp_response(request: AnyRequest, tx: FromPath[str]) -> Response[Any]:
        """OpenID4VP ``direct_post`` response URI."""
        verifier.limiter.limit(request, "wallet", config.wallet_rate)
        content_type = (request.headers.get("content-type") or "").lower()
        if not content_type.startswith("application/x-www-form-urlencoded"):
            raise ServiceError(
                "The response must be application/x-www-form-urlencoded.",
                code="request.unsupported-media-type",
                status=415,
            )
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        body = await verifier.oid4vp_response(tx, fields)
        return Response(body, headers={"Cache-Control": "no-store"})

    return Router(
        path="/",
        route_handlers=[
            credentials_verify,
            presentations_verify,
            verify_any,
            create_request,
            request_status,
            request_events,
            identity,
            interaction,
            exchange,
            request_object,
            request_object_post,
            oid4vp_response,
        ],
    )


async def _verify_submission(verifier: Verifier, submission: Submission) -> dict[str, Any]:
    source: dict[str, Any] = {"kind": submission.source}
    document = submission.document
    if submission.source == "url":
        assert submission.url is not None
        document, kind = await fetch_document(
            verifier.runtime.fetcher, submission.url, verifier.limits
        )
        source = {"kind": "url", "url": submission.url, "content": kind}
    assert document is not None
    report = await verifier.verify(
        document,
        challenge=submission.challenge,
        domain=submission.domain,
        recipient_email=submission.recipient_email,
    )
    shown = report.to_dict()
    if report.kind == "presentation" and top_level_failed(report):
        # The holder's proof did not hold: show nothing of what the presentation claims.
        shown = failure_record(report)
    body: dict[str, Any] = {"verified": report.verified, "report": shown, "source": source}
    if submission.receipt:
        body["receipt"] = await verifier.receipt(shown, document)
    return body
