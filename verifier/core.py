"""The verifier's behaviour, independent of HTTP routing.

Verification itself is ``shared.verification.pipeline.verify``; what this module adds
is the request lifecycle (create, answer once, finish, notify, purge), the protocol
glue for OpenID4VP and VC-API exchanges, and receipts.
"""

from __future__ import annotations

import asyncio
import logging
import urllib.parse
from collections.abc import AsyncIterator
from typing import Any

from shared.did import ResolveContext
from shared.errors import SatchelError, ServiceError
from shared.jose.jws import parse_jws
from shared.oid4vp import (
    JWT_VC_JSON,
    LDP_VC,
    authorization_uri,
    build_request_object,
    client_id_for,
    dcql_query,
    parse_direct_post,
    query_format,
    sign_request_object,
)
from shared.receipt import build_receipt
from shared.service.runtime import Runtime
from shared.vcapi_exchange import (
    build_presentation_request,
    interaction_protocols,
    interaction_url,
    parse_exchange_message,
)
from shared.verification.dates import iso
from shared.verification.parse import InputLimits
from shared.verification.pipeline import VerifyOptions, verify
from shared.verification.report import VerificationReport, failed
from shared.verification.trust import TrustedIssuer, TrustList
from shared.wanted import Wanted, presentation_document, satisfaction_checks, with_checks
from verifier.config import VerifierConfig
from verifier.events import Hub
from verifier.identity import IdentityStore
from verifier.qr import qr_svg
from verifier.ratelimit import RateLimiter
from verifier.results import failure_record, first_failure_code
from verifier.store import TERMINAL, RequestRecord, RequestStore

log = logging.getLogger("satchel.verifier")


class Verifier:
    """One verifier service instance (per process)."""

    def __init__(self, runtime: Runtime, config: VerifierConfig) -> None:
        self.runtime = runtime
        self.config = config
        self.store = RequestStore(runtime.db)
        self.identity = IdentityStore(runtime)
        self.hub = Hub()
        self.limiter = RateLimiter()
        self.limits = InputLimits(max_bytes=runtime.settings.max_body_bytes)
        self._background: set[asyncio.Task[None]] = set()

    # -- verification -------------------------------------------------------------------

    def options(
        self,
        *,
        challenge: str | None = None,
        domain: str | None = None,
        recipient_email: str | None = None,
        trusted_issuers: list[str] | None = None,
    ) -> VerifyOptions:
        """Pipeline options: the guarded fetcher, the runtime's clock, the expectations.

        A request's trust list is also given to the pipeline as a trust list (so each
        credential's report says whether its issuer is recognised); the request's own
        ``request.trust`` check is what makes an unlisted issuer a failure.
        """
        trust = (
            [TrustList("verification request", {i: TrustedIssuer(i) for i in trusted_issuers})]
            if trusted_issuers
            else []
        )
        return VerifyOptions(
            challenge=challenge,
            domain=domain,
            now=self.runtime.now,
            limits=self.limits,
            resolve=ResolveContext(fetcher=self.runtime.fetcher),
            recipient_email=recipient_email,
            trust_lists=trust,
        )

    async def verify(
        self,
        document: dict[str, Any] | str,
        *,
        challenge: str | None = None,
        domain: str | None = None,
        recipient_email: str | None = None,
        trusted_issuers: list[str] | None = None,
    ) -> VerificationReport:
        """Run the pipeline."""
        options = self.options(
            challenge=challenge,
            domain=domain,
            recipient_email=recipient_email,
            trusted_issuers=trusted_issuers,
        )
        return await verify(document, options=options)

    async def receipt(
        self, shown_report: dict[str, Any], verified_input: dict[str, Any] | str | None
    ) -> dict[str, Any]:
        """A VerificationReceipt signed by the verifier for the report it showed."""
        me = await self.identity.get()
        return build_receipt(
            shown_report,
            verified_input=verified_input,
            issuer=me.did,
            key=me.key,
            verification_method=me.verification_method,
            now=self.runtime.now(),
        )

    # -- URLs -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """This server's public origin."""
        return self.runtime.settings.base_url

    @property
    def exchange_domain(self) -> str:
        """The ``domain`` a VC-API exchange presentation is bound to: this origin's host."""
        return urllib.parse.urlsplit(self.base_url).netloc

    async def client_id(self) -> str:
        """The OpenID4VP client_id: ``decentralized_identifier:<verifier did>``."""
        return client_id_for((await self.identity.get()).did)

    async def links(self, record: RequestRecord) -> dict[str, str]:
        """Every URL of a request."""
        base = self.base_url
        client_id = await self.client_id()
        request_uri = f"{base}/oid4vp/requests/{record.tx}"
        return {
            "openid4vp_uri": authorization_uri(client_id, request_uri),
            "interaction_url": interaction_url(base, record.tx),
            "exchange_url": f"{base}/exchanges/{record.tx}",
            "request_uri": request_uri,
            "response_uri": f"{base}/oid4vp/responses/{record.tx}",
            "status_url": f"{base}/api/verifier/requests/{record.id}",
            "events_url": f"{base}/api/verifier/requests/{record.id}/events",
            "client_id": client_id,
        }

    # -- requests -------------------------------------------------------------------------

    async def create_request(self, wanted: Wanted, webhook_url: str | None) -> dict[str, Any]:
        """A new verification request and everything a page needs to show it."""
        now = self.runtime.now()
        await self.store.purge(now)
        record = await self.store.create(
            wanted,
            webhook_url=webhook_url,
            now=now,
            ttl=self.config.request_ttl,
            retention=self.config.retention,
        )
        links = await self.links(record)
        return {
            "id": record.id,
            "openid4vp_uri": links["openid4vp_uri"],
            "interaction_url": links["interaction_url"],
            "qr_svg": {
                "openid4vp": qr_svg(links["openid4vp_uri"], "OpenID4VP request QR code"),
                "interaction": qr_svg(links["interaction_url"], "Wallet interaction QR code"),
            },
            "status_url": links["status_url"],
            "events_url": links["events_url"],
            "client_id": links["client_id"],
            "expires_at": iso(record.expires_at),
        }

    def public_status(self, record: RequestRecord) -> dict[str, Any]:
        """The status resource of a request (what the waiting page shows)."""
        body: dict[str, Any] = {
            "id": record.id,
            "state": record.status,
            "created_at": iso(record.created_at),
            "expires_at": iso(record.expires_at),
            "types": record.wanted.types,
        }
        if record.wanted.purpose:
            body["purpose"] = record.wanted.purpose
        if record.wanted.trusted_issuers:
            body["trust_list"] = record.wanted.trusted_issuers
        if record.protocol:
            body["protocol"] = record.protocol
        if record.result is not None:
            body["report"] = record.result
        if record.receipt is not None:
            body["receipt"] = record.receipt
        return body

    async def status(self, request_id: str) -> RequestRecord:
        """The current record (expired if due); 404 if unknown or purged."""
        record = await self.store.by_id(request_id)
        if record is None:
            raise ServiceError(
                "No such verification request.", code="request.not-found", status=404
            )
        return await self.store.expire_if_due(record, self.runtime.now())

    async def events(self, request_id: str) -> AsyncIterator[dict[str, Any]]:
        """Status payloads as they change, until a terminal state (or the stream's limit)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.events_max_seconds
        queue = self.hub.subscribe(request_id)
        try:
            record = await self.store.by_id(request_id)
            if record is None:
                return
            record = await self.store.expire_if_due(record, self.runtime.now())
            last = self.public_status(record)
            yield last
            while last["state"] not in TERMINAL and loop.time() < deadline:
                try:
                    payload = await asyncio.wait_for(
                        queue.get(), timeout=self.config.events_poll_seconds
                    )
                except TimeoutError:
                    fresh = await self.store.by_id(request_id)
                    if fresh is None:
                        return
                    fresh = await self.store.expire_if_due(fresh, self.runtime.now())
                    payload = self.public_status(fresh)
                if payload != last:
                    yield payload
                    last = payload
        finally:
            self.hub.unsubscribe(request_id, queue)

    async def _pending(self, tx: str) -> RequestRecord:
        """The request a wallet addresses, refused unless it can still be answered."""
        record = await self.store.by_tx(tx)
        if record is None:
            raise ServiceError(
                "No such verification request.", code="request.not-found", status=404
            )
        record = await self.store.expire_if_due(record, self.runtime.now())
        if record.status == "expired":
            raise ServiceError(
                "This verification request has expired.", code="request.expired", status=410
            )
        if record.status != "pending":
            raise ServiceError(
                "This verification request was already answered.",
                code="request.nonce-reused",
                status=409,
            )
        return record

    # -- OpenID4VP --------------------------------------------------------------------------

    async def request_object(self, tx: str, wallet_nonce: str | None = None) -> str:
        """The signed Request Object of a pending request."""
        record = await self._pending(tx)
        me = await self.identity.get()
        links = await self.links(record)
        request = build_request_object(
            client_id=links["client_id"],
            response_uri=links["response_uri"],
            nonce=record.nonce,
            state=record.state_token,
            wanted=record.wanted,
            issued_at=self.runtime.now(),
            expires_at=record.expires_at,
            wallet_nonce=wallet_nonce,
        )
        return sign_request_object(request, me.key, me.verification_method)

    async def oid4vp_response(self, tx: str, form: dict[str, str]) -> dict[str, Any]:
        """Handle a ``direct_post`` Authorization Response (or Error Response)."""
        record = await self.store.by_tx(tx)
        if record is None:
            raise ServiceError(
                "No such verification request.", code="request.not-found", status=404
            )
        try:
            response = parse_direct_post(form, self.limits)
        except SatchelError as exc:
            raise ServiceError(exc.message, code=exc.code, status=400) from exc
        if response.state != record.state_token:
            raise ServiceError(
                "The response's state does not belong to this request (another session?).",
                code="request.session-mismatch",
                status=400,
            )
        if response.error is not None:
            claimed = await self.store.claim(tx, protocol="oid4vp", now=self.runtime.now())
            self.hub.publish(claimed.id, self.public_status(claimed))
            record = await self.store.finish(
                claimed.id,
                status="failed",
                result={
                    "verified": False,
                    "error": response.error,
                    "error_description": response.error_description,
                },
                receipt=None,
            )
            self._after_finish(record)
            return {}
        assert response.vp_token is not None
        entries = [(key, p) for key, items in response.vp_token.items() for p in items]
        if len(entries) != 1:
            raise ServiceError(
                "This request asks for exactly one presentation in vp_token.",
                code="oid4vp.invalid",
                status=400,
            )
        query_id, presentation = entries[0]
        client_id = await self.client_id()
        fmt = query_format(dcql_query(record.wanted), query_id)
        expected_shape = {LDP_VC: dict, JWT_VC_JSON: str}.get(fmt or "")
        if expected_shape is None or not isinstance(presentation, expected_shape):
            raise ServiceError(
                f"vp_token key {query_id!r} is not a credential query of this request, or its "
                "presentation is not in that query's format.",
                code="oid4vp.invalid",
                status=400,
            )
        await self._answer(tx, "oid4vp", presentation, domain=client_id)
        return {}

    # -- VC-API exchange ---------------------------------------------------------------------

    async def interaction(self, tx: str) -> dict[str, Any]:
        """The protocols of an interaction URL."""
        record = await self._pending(tx)
        links = await self.links(record)
        return interaction_protocols(vcapi=links["exchange_url"], oid4vp=links["openid4vp_uri"])

    async def exchange(self, tx: str, body: Any) -> dict[str, Any]:
        """One step of a VC-API exchange: ``{}`` -> a VPR; a presentation -> verified."""
        try:
            message = parse_exchange_message(body)
        except SatchelError as exc:
            raise ServiceError(exc.message, code=exc.code, status=400) from exc
        if message.verifiablePresentationRequest is not None or message.redirectUrl is not None:
            raise ServiceError(
                "This exchange only accepts {} or a verifiablePresentation.",
                code="vcapi.invalid",
                status=400,
            )
        if message.verifiablePresentation is None:
            record = await self._pending(tx)
            links = await self.links(record)
            return build_presentation_request(
                record.wanted,
                challenge=record.nonce,
                domain=self.exchange_domain,
                exchange_url=links["exchange_url"],
            )
        await self._answer(tx, "vcapi", message.verifiablePresentation, domain=self.exchange_domain)
        return {}

    # -- answering --------------------------------------------------------------------------

    async def _answer(
        self, tx: str, protocol: str, presentation: dict[str, Any] | str, *, domain: str
    ) -> None:
        """Claim the request, verify the presentation against its nonce and domain, finish.

        Raises a 4xx ``ServiceError`` naming the failure when it does not verify.
        """
        record = await self.store.claim(tx, protocol=protocol, now=self.runtime.now())
        self.hub.publish(record.id, self.public_status(record))
        try:
            report = await self.verify(
                presentation,
                challenge=record.nonce,
                domain=domain,
                trusted_issuers=record.wanted.trusted_issuers,
            )
            if report.kind == "presentation":
                report = with_checks(
                    report, satisfaction_checks(report, presentation, record.wanted)
                )
            elif report.kind == "credential":
                report = _not_a_presentation(report)
            code = await self._failure_code(report, record, presentation)
            if report.verified:
                shown = report.to_dict()
                receipt = await self.receipt(shown, presentation)
                record = await self.store.finish(
                    record.id, status="verified", result=shown, receipt=receipt
                )
            else:
                result = failure_record(report)
                result["code"] = code
                record = await self.store.finish(
                    record.id, status="failed", result=result, receipt=None
                )
        except BaseException:
            record = await self.store.finish(
                record.id,
                status="failed",
                result={"verified": False, "code": "internal", "checks": []},
                receipt=None,
            )
            self._after_finish(record)
            raise
        self._after_finish(record)
        if record.status != "verified":
            raise ServiceError(
                _wallet_message(code),
                code=code or "presentation.not-verified",
                status=400,
            )

    async def _failure_code(
        self,
        report: VerificationReport,
        record: RequestRecord,
        presentation: dict[str, Any] | str,
    ) -> str | None:
        if report.verified:
            return None
        challenge = report.check("challenge")
        if challenge is not None and challenge.status == "failed":
            presented = presented_challenge_of(presentation)
            if presented is not None:
                other = await self.store.by_nonce(presented)
                if other is not None and other.id != record.id:
                    return "request.session-mismatch"
            return "presentation.challenge-mismatch"
        domain = report.check("domain")
        if domain is not None and domain.status == "failed":
            return "presentation.domain-mismatch"
        return first_failure_code(report) or "presentation.not-verified"

    def _after_finish(self, record: RequestRecord) -> None:
        self.hub.publish(record.id, self.public_status(record))
        if record.webhook_url:
            task = asyncio.create_task(self._call_webhook(record))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _call_webhook(self, record: RequestRecord) -> None:
        """POST the outcome once to the request's webhook (through the guarded fetcher)."""
        assert record.webhook_url is not None
        try:
            await self.runtime.fetcher.post_json(record.webhook_url, self.public_status(record))
        except SatchelError as exc:
            log.info("webhook for %s failed: %s", record.id, exc.code)
            await self.store.set_webhook_status(record.id, f"failed: {exc.code}")
            return
        await self.store.set_webhook_status(record.id, "sent")

    async def drain(self) -> None:
        """Wait for background tasks (webhooks) to finish."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)


def _not_a_presentation(report: VerificationReport) -> VerificationReport:
    return with_checks(
        report,
        [
            failed(
                "syntax",
                "A presentation signed by the holder was expected, not a bare credential.",
                code="presentation.expected",
            )
        ],
    )


def presented_challenge_of(presentation: dict[str, Any] | str) -> str | None:
    """The challenge a presentation carries: its proof's ``challenge`` or a VP JWT's nonce."""
    if isinstance(presentation, str):
        try:
            nonce = parse_jws(presentation).payload.get("nonce")
        except SatchelError:
            return None
        return nonce if isinstance(nonce, str) else None
    document = presentation_document(presentation)
    proofs = document.get("proof") if document else None
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        if isinstance(proof, dict) and isinstance(proof.get("challenge"), str):
            return str(proof["challenge"])
    return None


def _wallet_message(code: str | None) -> str:
    messages = {
        "request.session-mismatch": "The presentation answers another verification request "
        "(its challenge belongs to a different session); it is refused.",
        "presentation.challenge-mismatch": "The presentation does not answer this request's "
        "challenge; it is refused as a whole.",
        "presentation.domain-mismatch": "The presentation is bound to another verifier "
        "(wrong domain); it is refused as a whole.",
        "request.type-missing": "The presentation does not hold the credential this request "
        "asked for.",
        "request.untrusted-issuer": "The credential is not from an issuer this verifier trusts.",
    }
    return messages.get(code or "", "The presentation did not verify.")


def _not_found() -> ServiceError:
    return ServiceError("No such verification request.", code="request.not-found", status=404)
