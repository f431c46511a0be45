"""The 1EdTech Revocation List status method (Open Badges 3.0 / CLR 2.0).

The entry's ``id`` is the URL of a JSON document listing ``revokedCredentials``:
objects with the revoked credential's ``id`` (and ``revoked``, true when omitted,
and an optional ``revocationReason``). The list is not signed; it is trusted as
served from the URL the issuer signed into the credential, and the report says so.
A list that cannot be fetched or read means the status could not be checked,
never "not revoked".
"""

from __future__ import annotations

from typing import Any

from shared.errors import StatusError
from shared.shapes import id_of
from shared.status import StatusContext, StatusOutcome, credential_issuer, fetch_json

ENTRY_TYPE = "1EdTechRevocationList"


def _revoked_entry(listing: dict[str, Any], credential_id: str) -> dict[str, Any] | None:
    items = listing.get("revokedCredentials")
    if not isinstance(items, list):
        raise StatusError("the revocation list has no revokedCredentials array")
    for item in items:
        if (
            isinstance(item, dict)
            and item.get("id") == credential_id
            and item.get("revoked", True) is not False
        ):
            return item
    return None


async def check_1edtech_revocation_list(
    entry: dict[str, Any], document: dict[str, Any], ctx: StatusContext
) -> StatusOutcome:
    """Check a ``1EdTechRevocationList`` entry."""
    outcome = StatusOutcome(
        entry_type=ENTRY_TYPE,
        purpose="revocation",
        state="unavailable",
        message="",
        code="status.unavailable",
    )
    try:
        url = id_of(entry)
        if url is None or not url.startswith(("https://", "http://")):
            raise StatusError("the entry's id is not the URL of a revocation list")
        outcome.list_url = url
        credential_id = id_of(document)
        if credential_id is None:
            raise StatusError("the credential has no id to look up in the revocation list")
        listing, outcome.fetched_at, outcome.from_cache = await fetch_json(
            url, ctx, "revocation list"
        )
        if not isinstance(listing, dict):
            raise StatusError("the revocation list is not a JSON object")
        list_issuer = id_of(listing.get("issuer"))
        if list_issuer is not None and list_issuer != credential_issuer(document):
            raise StatusError(
                f"the revocation list belongs to {list_issuer}, not to the credential's issuer"
            )
        revoked = _revoked_entry(listing, credential_id)
    except StatusError as exc:
        outcome.message = f"The revocation status COULD NOT BE CHECKED: {exc.message}."
        return outcome
    outcome.code = None
    outcome.warnings.append(
        "The 1EdTech revocation list is not signed; it is trusted as served from the issuer's URL."
    )
    if revoked is not None:
        reason = revoked.get("revocationReason")
        outcome.state = "set"
        outcome.code = "status.revoked"
        outcome.message = "REVOKED" + (f" ({reason})" if isinstance(reason, str) and reason else "")
        outcome.value = 1
    else:
        outcome.state = "clear"
        outcome.message = "not revoked"
        outcome.value = 0
    return outcome
