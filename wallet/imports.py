"""An import, start to finish: gather from the source, verify, hold in the foyer.

A credential that does not verify is refused (422, with its report) unless the
learner asked to ``keep_unverified``; nothing is held when any step fails.
"""

from __future__ import annotations

from typing import Any

from shared.errors import InputError, ServiceError
from shared.verification.pipeline import verify
from wallet.accounts import Learner
from wallet.checking import check_credential, options_for, state_of
from wallet.common import problem_response
from wallet.context import Wallet
from wallet.credentials import Arrival
from wallet.exchange import raw_of, receive_by_dcc_link, receive_by_exchange
from wallet.importer import Parsed, fetch_url, interaction_protocols, parse_bytes
from wallet.oid4vci import receive_by_offer
from wallet.shapes import ImportRequest

OFFER_SCHEMES = ("openid-credential-offer://", "haip://", "openid-credential-offer:")
REQUEST_SCHEMES = ("openid4vp://", "openid4vp:", "eudi-openid4vp://", "mdoc-openid4vp://")
DCC_SCHEMES = ("dccrequest://", "org.dcconsortium://")


def _received(items: list[dict[str, Any] | str], source: str) -> Parsed:
    return Parsed([Arrival(raw_of(item), item, source) for item in items])


async def _from_url(wallet: Wallet, learner: Learner, url: str, tx_code: str | None) -> Parsed:
    body, _ = await fetch_url(wallet.runtime, url)
    protocols = interaction_protocols(body)
    if protocols is None:
        return parse_bytes(body, source="url")
    if "vcapi" in protocols:
        holder = await wallet.accounts.holder_key(learner)
        items = await receive_by_exchange(wallet.runtime, holder, protocols["vcapi"])
        return _received(items, "vcapi-exchange")
    offer = protocols.get("OID4VCI") or protocols.get("oid4vci")
    if offer:
        return await _from_offer(wallet, learner, offer, tx_code)
    raise ServiceError(
        "The interaction URL offers no protocol this wallet speaks (vcapi, OID4VCI).",
        code="import.unsupported-protocol",
        status=422,
    )


async def _from_offer(wallet: Wallet, learner: Learner, offer: str, tx_code: str | None) -> Parsed:
    holder = await wallet.accounts.holder_key(learner)
    items: list[dict[str, Any] | str] = await receive_by_offer(
        wallet.runtime, holder, offer, tx_code
    )
    return _received(items, "oid4vci")


async def _from_payload(
    wallet: Wallet, learner: Learner, payload: str, tx_code: str | None
) -> Parsed:
    text = payload.strip()
    lowered = text.lower()
    if lowered.startswith(OFFER_SCHEMES):
        return await _from_offer(wallet, learner, text, tx_code)
    if lowered.startswith(REQUEST_SCHEMES) or "request_uri=" in lowered:
        raise ServiceError(
            "This code is a verifier's request for credentials, not a credential: "
            "answer it as a request.",
            code="import.is-request",
            status=422,
        )
    if lowered.startswith(DCC_SCHEMES):
        holder = await wallet.accounts.holder_key(learner)
        items = await receive_by_dcc_link(wallet.runtime, holder, text)
        return _received(items, "dcc-request")
    if lowered.startswith(("https://", "http://")):
        return await _from_url(wallet, learner, text, tx_code)
    return parse_bytes(text.encode("utf-8"), source="scan")


async def gather(
    wallet: Wallet, learner: Learner, request: ImportRequest | None, file: bytes | None
) -> Parsed:
    """The credentials a request points at (exactly one source must be given)."""
    given = [
        name
        for name, value in (
            ("file", file),
            ("text", request.text if request else None),
            ("url", request.url if request else None),
            ("payload", request.payload if request else None),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise InputError(
            "Give exactly one of: a file, text, url or payload.", code="import.one-source"
        )
    if file is not None:
        return parse_bytes(file, source="file")
    assert request is not None
    if request.text is not None:
        return parse_bytes(request.text.encode("utf-8"), source="paste")
    if request.url is not None:
        if not request.url.startswith(("https://", "http://")):
            raise InputError("url must be an https URL.", code="import.bad-url")
        return await _from_url(wallet, learner, request.url, request.tx_code)
    assert request.payload is not None
    return await _from_payload(wallet, learner, request.payload, request.tx_code)


async def run_import(
    wallet: Wallet,
    learner: Learner,
    request: ImportRequest | None,
    file: bytes | None,
    *,
    keep_unverified: bool,
) -> Any:
    """Gather, verify each credential, hold them in the foyer: 201 or a 422 problem."""
    parsed = await gather(wallet, learner, request, file)
    runtime = wallet.runtime
    checked = [(a, await check_credential(runtime, a.document)) for a in parsed.arrivals]
    refused = [r for _, r in checked if state_of(r) == "not-verified"]
    if refused and not keep_unverified:
        return problem_response(
            422,
            "import.not-verified",
            "The credential did not verify, so it was not imported. Choose keep_unverified "
            "to keep it anyway; it will be shown as not verified.",
            report=refused[0].to_dict(),
            reports=[r.to_dict() for _, r in checked],
        )
    items = await wallet.credentials.hold(learner, checked)
    body: dict[str, Any] = {**items[0], "items": items}
    if parsed.presentation is not None:
        report = await verify(parsed.presentation, options=options_for(runtime))
        body["presentation_report"] = report.to_dict()
    return body
