"""Credential status (revocation, suspension, messages) for the verification pipeline.

A status checker is one async function registered in ``STATUS_CHECKERS`` under the
``credentialStatus`` entry ``type`` it handles. Each entry yields one ``StatusOutcome``;
an outcome is either a result (``clear``/``set``/``message``) or the reason the status
could not be checked (``unavailable``/``unsupported``), which is never the same as revoked.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from shared.did import ResolveContext
from shared.errors import SatchelError, StatusError
from shared.proofs import ProofPolicy, verify_proofs
from shared.shapes import id_of
from shared.verification.dates import iso, parse_datetime

if TYPE_CHECKING:  # httpx is imported only when a status list is fetched
    from shared.fetch import Fetcher

State = Literal["clear", "set", "message", "unavailable", "unsupported"]

_ACCEPT = (
    "application/vc+ld+json, application/vc, application/ld+json, application/vc+jwt, "
    "application/json;q=0.9"
)


@dataclass
class StatusOutcome:
    """The status of one ``credentialStatus`` entry."""

    entry_type: str
    purpose: str
    state: State
    message: str
    code: str | None = None
    list_url: str | None = None
    index: int | None = None
    value: int | None = None
    fetched_at: datetime | None = None
    from_cache: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass
class FetchedList:
    """A status list credential as fetched: the document and how it arrived."""

    document: dict[str, Any]
    fetched_at: datetime
    from_cache: bool
    # Set when the list came as a JWT whose signature was verified: the signer's DID.
    jwt_signer: str | None = None


ListVerifier = Callable[[FetchedList, str | None, "StatusContext"], Awaitable[None]]


async def _list_signers(fetched: FetchedList, ctx: StatusContext) -> list[str | None]:
    if fetched.jwt_signer is not None:
        return [fetched.jwt_signer]
    try:
        outcomes = await verify_proofs(
            fetched.document, purpose="assertionMethod", ctx=ctx.resolve, policy=ctx.proof_policy
        )
    except SatchelError as exc:
        raise StatusError(f"the status list has no usable proof ({exc.message})") from exc
    for outcome in outcomes:
        if outcome.error is not None:
            raise StatusError(f"the status list's signature is not valid ({outcome.error.message})")
    return [outcome.controller for outcome in outcomes]


async def verify_status_list_credential(
    fetched: FetchedList, issuer_id: str | None, ctx: StatusContext
) -> None:
    """Check a status list credential's proof (Data Integrity or JWT), issuer and validity
    (with the same clock skew as credentials); raise ``StatusError``."""
    list_doc = fetched.document
    list_issuer = id_of(list_doc.get("issuer"))
    for signer in await _list_signers(fetched, ctx):
        if signer != list_issuer:
            raise StatusError(
                f"the status list was signed with a key of {signer}, not of its issuer "
                f"{list_issuer}"
            )
    if list_issuer != issuer_id:
        raise StatusError(
            f"the status list was issued by {list_issuer}, not by the credential's issuer "
            f"{issuer_id}"
        )
    now = ctx.now()
    try:
        for name in ("validFrom", "issuanceDate"):
            if name in list_doc:
                start = parse_datetime(list_doc[name], field=f"status list {name}")
                if start - ctx.clock_skew > now:
                    raise StatusError(f"the status list is not valid before {iso(start)}")
        for name in ("validUntil", "expirationDate"):
            if name in list_doc:
                end = parse_datetime(list_doc[name], field=f"status list {name}")
                if end + ctx.clock_skew < now:
                    raise StatusError(f"the status list expired at {iso(end)}")
    except StatusError:
        raise
    except SatchelError as exc:
        raise StatusError(exc.message) from exc


@dataclass
class StatusContext:
    """What a status checker may use: fetcher, clock, DID resolution and proof policy."""

    fetcher: Fetcher
    now: Callable[[], datetime]
    resolve: ResolveContext = field(default_factory=ResolveContext)
    proof_policy: ProofPolicy = field(default_factory=ProofPolicy)
    verify_list: ListVerifier = verify_status_list_credential
    clock_skew: timedelta = timedelta(minutes=5)


StatusChecker = Callable[[dict[str, Any], dict[str, Any], StatusContext], Awaitable[StatusOutcome]]


def credential_issuer(document: dict[str, Any]) -> str | None:
    """The issuer id of a credential (string or object form)."""
    return id_of(document.get("issuer"))


async def fetch_json(url: str, ctx: StatusContext, what: str) -> tuple[Any, datetime, bool]:
    """Fetch ``url`` through the guarded fetcher and parse JSON (or return JWT text)."""
    try:
        result = await ctx.fetcher.get(url, accept=_ACCEPT)
    except SatchelError as exc:
        raise StatusError(f"the {what} could not be fetched ({exc.message})") from exc
    text = result.body.decode("utf-8", errors="replace").strip()
    if text.count(".") == 2 and text[:1] not in "{[":
        return text, result.fetched_at, result.from_cache
    try:
        doc = json.loads(result.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StatusError(f"the {what} is not JSON") from exc
    return doc, result.fetched_at, result.from_cache


async def fetch_list_credential(url: str, ctx: StatusContext) -> FetchedList:
    """Fetch a status list credential (JSON-LD, or a JWT whose signature is checked here)."""
    doc, fetched_at, from_cache = await fetch_json(url, ctx, "status list")
    signer: str | None = None
    if isinstance(doc, str):
        from shared.jose import verify_jwt

        try:
            verified = await verify_jwt(doc, ctx.resolve)
        except SatchelError as exc:
            raise StatusError(f"the status list JWT is not valid ({exc.message})") from exc
        if verified.kind != "credential":
            raise StatusError("the status list JWT holds a presentation, not a credential")
        doc, signer = verified.document, verified.issuer
    if not isinstance(doc, dict):
        raise StatusError("the status list is not a JSON object")
    return FetchedList(doc, fetched_at, from_cache, signer)


def _unsupported(entry: Any) -> StatusOutcome:
    kind = entry.get("type") if isinstance(entry, dict) else None
    return StatusOutcome(
        entry_type=str(kind),
        purpose=str(entry.get("statusPurpose", "")) if isinstance(entry, dict) else "",
        state="unsupported",
        message=f"Status entries of type {kind!r} are not supported, so the status "
        "COULD NOT BE CHECKED.",
        code="status.unsupported",
    )


async def check_credential_status(
    document: dict[str, Any], ctx: StatusContext
) -> list[StatusOutcome]:
    """Check every ``credentialStatus`` entry of ``document`` (none → empty list)."""
    raw = document.get("credentialStatus")
    entries = raw if isinstance(raw, list) else [] if raw is None else [raw]
    outcomes: list[StatusOutcome] = []
    for entry in entries:
        kind = entry.get("type") if isinstance(entry, dict) else None
        checker = STATUS_CHECKERS.get(kind) if isinstance(kind, str) else None
        if checker is None:
            outcomes.append(_unsupported(entry))
            continue
        outcomes.append(await checker(entry, document, ctx))
    return outcomes


def _registry() -> dict[str, StatusChecker]:
    from shared.status.bitstring import check_bitstring_entry
    from shared.status.onedtech import check_1edtech_revocation_list
    from shared.status.statuslist2021 import check_statuslist2021_entry

    return {
        "BitstringStatusListEntry": check_bitstring_entry,
        "StatusList2021Entry": check_statuslist2021_entry,
        "1EdTechRevocationList": check_1edtech_revocation_list,
    }


# The one place status entry types are registered.
STATUS_CHECKERS: dict[str, StatusChecker] = _registry()
