"""W3C Bitstring Status List v1.0 (``BitstringStatusListEntry``).

The list is a GZIP-compressed bitstring, base64url-encoded with the multibase ``u``
prefix; index 0 is the most significant bit of the first byte. The shared machinery
here also serves the legacy StatusList2021 format (see ``statuslist2021``).
"""

from __future__ import annotations

import base64
import binascii
import gzip
from dataclasses import dataclass
from typing import Any

from shared.errors import SatchelError, StatusError
from shared.status import (
    StatusContext,
    StatusOutcome,
    credential_issuer,
    fetch_list_credential,
)

# A decompressed list larger than this is refused (a gzip bomb, not a status list).
MAX_LIST_BYTES = 16 * 1024 * 1024
# The spec's minimum list length, in entries (16 KiB of one-bit entries); shorter lists
# are read but reported with a warning.
MIN_ENTRIES = 131_072
# What a set bit means, per purpose (also the end of the failure code: status.revoked).
_SET_WORDS = {"revocation": "revoked", "suspension": "suspended"}


@dataclass(frozen=True)
class ListFormat:
    """What distinguishes one status-list flavour from another."""

    entry_type: str
    credential_type: str
    subject_type: str
    multibase: bool
    supports_size: bool
    # The @context of a list credential of this format (its data model comes with it).
    list_contexts: tuple[str, ...] = ()
    # The context a credential must add to use this entry type: by data model (first context).
    entry_contexts: tuple[tuple[str, str], ...] = ()

    def entry_context_for(self, first_context: str) -> str | None:
        """The context a credential whose first context is ``first_context`` needs, if any."""
        return dict(self.entry_contexts).get(first_context)


VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
STATUS_V1 = "https://www.w3.org/ns/credentials/status/v1"

BITSTRING = ListFormat(
    entry_type="BitstringStatusListEntry",
    credential_type="BitstringStatusListCredential",
    subject_type="BitstringStatusList",
    multibase=True,
    supports_size=True,
    list_contexts=(VC_V2,),
    entry_contexts=((VC_V1, STATUS_V1),),
)


def decode_list(encoded: Any, *, multibase: bool = True, limit: int = MAX_LIST_BYTES) -> bytes:
    """Decode an ``encodedList`` (optional ``u`` multibase prefix, base64url, GZIP).

    Raises ``StatusError`` for malformed text, corrupt GZIP, or output above ``limit``.
    """
    if not isinstance(encoded, str) or not encoded:
        raise StatusError("the status list has no encodedList")
    text = encoded
    # GZIP always starts 1f 8b, i.e. "H4sI" in base64, so a leading "u" is unambiguous.
    if text.startswith("u"):
        text = text[1:]
    elif multibase and not text.startswith("H4sI"):
        raise StatusError("the status list's encodedList is not multibase base64url ('u')")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise StatusError("the status list's encodedList is not valid base64url") from exc
    try:
        from shared.fetch import bounded_gunzip  # lazy: shared.fetch imports httpx

        return bounded_gunzip(raw, limit)
    except SatchelError as exc:
        if exc.code == "fetch.decompression-bomb":
            raise StatusError(
                f"the status list decompresses to more than {limit} bytes (refused)",
                code="status.unavailable",
                reason="decompression-bomb",
            ) from exc
        raise StatusError(
            f"the status list's encodedList is not valid GZIP ({exc.message})"
        ) from exc


def read_value(bits: bytes, index: int, size: int = 1) -> int:
    """The ``size``-bit value at entry ``index`` (most significant bit first)."""
    entries = len(bits) * 8 // size
    if index >= entries:
        raise StatusError(f"index {index} is outside the status list ({entries} entries)")
    value = 0
    for bit in range(index * size, index * size + size):
        value = (value << 1) | ((bits[bit // 8] >> (7 - bit % 8)) & 1)
    return value


def new_list(entries: int = MIN_ENTRIES, size: int = 1) -> bytearray:
    """An all-zero bitstring of ``entries`` entries of ``size`` bits (at least the minimum)."""
    if entries < MIN_ENTRIES:
        raise StatusError(
            f"a status list needs at least {MIN_ENTRIES} entries (asked for {entries})",
            code="status.list-too-short",
        )
    if not 1 <= size <= 64:
        raise StatusError(f"statusSize {size} is not between 1 and 64", code="status.bad-size")
    return bytearray((entries * size + 7) // 8)


def write_value(bits: bytearray, index: int, value: int, size: int = 1) -> None:
    """Set the ``size``-bit entry ``index`` to ``value`` (most significant bit first)."""
    entries = len(bits) * 8 // size
    if not 0 <= index < entries:
        raise StatusError(f"index {index} is outside the status list ({entries} entries)")
    if not 0 <= value < (1 << size):
        raise StatusError(f"value {value} does not fit in {size} bits")
    for offset in range(size):
        bit = index * size + offset
        mask = 1 << (7 - bit % 8)
        if (value >> (size - 1 - offset)) & 1:
            bits[bit // 8] |= mask
        else:
            bits[bit // 8] &= ~mask & 0xFF


def encode_list(bits: bytes, *, multibase: bool = True) -> str:
    """The ``encodedList`` of ``bits``: GZIP, base64url without padding, ``u`` prefix.

    ``multibase=False`` gives StatusList2021's plain base64url form. The GZIP header
    carries no timestamp, so equal lists encode to equal text.
    """
    packed = base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode("ascii")
    return ("u" if multibase else "") + packed.rstrip("=")


def _types(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _parse_index(entry: dict[str, Any], warnings: list[str]) -> int:
    raw = entry.get("statusListIndex")
    if isinstance(raw, int) and not isinstance(raw, bool):
        warnings.append("statusListIndex is a number; the specification requires a string.")
        index = raw
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit():
        index = int(raw)
    else:
        raise StatusError(f"statusListIndex {raw!r} is not a non-negative integer string")
    if index < 0:
        raise StatusError(f"statusListIndex {raw!r} is negative")
    return index


def _parse_size(entry: dict[str, Any], fmt: ListFormat) -> int:
    raw = entry.get("statusSize", 1)
    if not fmt.supports_size:
        return 1
    if isinstance(raw, str) and raw.isdigit():
        raw = int(raw)
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= 64:
        raise StatusError(f"statusSize {raw!r} is not a positive integer")
    if raw > 1 and not isinstance(entry.get("statusMessage"), list):
        raise StatusError("statusSize is above 1 but the entry has no statusMessage")
    return raw


def _message_for(entry: dict[str, Any], value: int) -> str | None:
    for item in entry.get("statusMessage") or []:
        if not isinstance(item, dict):
            continue
        status = item.get("status")
        try:
            number = int(status, 16) if isinstance(status, str) else None
        except ValueError:
            number = None
        if number == value:
            message = item.get("message")
            return str(message) if message is not None else None
    return None


def _check_list(list_doc: dict[str, Any], purpose: str, fmt: ListFormat) -> dict[str, Any]:
    if fmt.credential_type not in _types(list_doc.get("type")):
        raise StatusError(f"the status list is not a {fmt.credential_type}")
    subject = list_doc.get("credentialSubject")
    if not isinstance(subject, dict):
        raise StatusError("the status list has no credentialSubject object")
    if fmt.subject_type not in _types(subject.get("type")):
        raise StatusError(f"the status list's subject is not a {fmt.subject_type}")
    if purpose not in _types(subject.get("statusPurpose")):
        raise StatusError(
            f"the status list's purpose is {subject.get('statusPurpose')!r}, not {purpose!r}"
        )
    return subject


async def check_list_entry(
    entry: dict[str, Any], document: dict[str, Any], ctx: StatusContext, fmt: ListFormat
) -> StatusOutcome:
    """Check one status-list entry of ``fmt``; never raises for status problems."""
    purpose = entry.get("statusPurpose")
    outcome = StatusOutcome(
        entry_type=fmt.entry_type,
        purpose=purpose if isinstance(purpose, str) else "",
        state="unavailable",
        message="",
        code="status.unavailable",
    )
    try:
        if not isinstance(purpose, str) or not purpose:
            raise StatusError("the entry has no statusPurpose")
        index = _parse_index(entry, outcome.warnings)
        outcome.index = index
        size = _parse_size(entry, fmt)
        url = entry.get("statusListCredential")
        if not isinstance(url, str) or not url:
            raise StatusError("the entry has no statusListCredential URL")
        outcome.list_url = url
        fetched = await fetch_list_credential(url, ctx)
        outcome.fetched_at, outcome.from_cache = fetched.fetched_at, fetched.from_cache
        await ctx.verify_list(fetched, credential_issuer(document), ctx)
        list_doc = fetched.document
        subject = _check_list(list_doc, purpose, fmt)
        bits = decode_list(subject.get("encodedList"), multibase=fmt.multibase)
        value = read_value(bits, index, size)
        entries = len(bits) * 8 // size
        if entries < MIN_ENTRIES:
            # Real lists (e.g. the DCC's, 100,000 entries) are shorter than the spec's minimum,
            # which exists for holder privacy; read them, but never as a clean pass.
            outcome.warnings.append(
                f"The status list has only {entries} entries; the specification requires at "
                f"least {MIN_ENTRIES} so that a list does not single out its holders."
            )
    except StatusError as exc:
        outcome.message = (
            f"The {outcome.purpose + ' ' if outcome.purpose else ''}status COULD NOT BE "
            f"CHECKED: {exc.message}."
        )
        return outcome
    outcome.value = value
    outcome.code = None
    if purpose == "message" or size > 1:
        text = _message_for(entry, value)
        outcome.state = "message"
        outcome.message = f"Status message: {text if text is not None else hex(value)}."
    elif value:
        outcome.state = "set"
        word = _SET_WORDS.get(purpose, purpose)
        outcome.code = f"status.{word}"
        outcome.message = word.upper()
    else:
        outcome.state = "clear"
        outcome.message = f"not {_SET_WORDS.get(purpose, purpose)}"
    return outcome


async def check_bitstring_entry(
    entry: dict[str, Any], document: dict[str, Any], ctx: StatusContext
) -> StatusOutcome:
    """Check a ``BitstringStatusListEntry``."""
    return await check_list_entry(entry, document, ctx, BITSTRING)


def status_entry(
    list_url: str, index: int, purpose: str, fmt: ListFormat = BITSTRING
) -> dict[str, Any]:
    """The ``credentialStatus`` entry pointing at entry ``index`` of the list at ``list_url``."""
    if index < 0:
        raise StatusError(f"index {index} is negative")
    return {
        "id": f"{list_url}#{index}",
        "type": fmt.entry_type,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    list_url: str,
    issuer: str,
    purpose: str,
    bits: bytes,
    valid_from: str,
    fmt: ListFormat = BITSTRING,
) -> dict[str, Any]:
    """The unsigned status list credential of ``bits`` (to be signed by ``issuer``)."""
    if len(bits) * 8 < MIN_ENTRIES:
        raise StatusError(
            f"a status list needs at least {MIN_ENTRIES} entries", code="status.list-too-short"
        )
    v1 = fmt.list_contexts[:1] == (VC_V1,)
    return {
        "@context": list(fmt.list_contexts),
        "id": list_url,
        "type": ["VerifiableCredential", fmt.credential_type],
        "issuer": issuer,
        "issuanceDate" if v1 else "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": fmt.subject_type,
            "statusPurpose": purpose,
            "encodedList": encode_list(bits, multibase=fmt.multibase),
        },
    }
