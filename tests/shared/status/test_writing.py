"""Writing status lists: MSB-first bits, GZIP + multibase base64url, the minimum size,
and a signed list credential read back by the pipeline's own checker."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from shared.did.key import did_key_for
from shared.errors import StatusError
from shared.fetch import Fetcher, FetchPolicy
from shared.keys import generate_key
from shared.proofs import sign_document
from shared.status import StatusContext, check_credential_status
from shared.status.bitstring import (
    MIN_ENTRIES,
    decode_list,
    encode_list,
    new_list,
    read_value,
    status_entry,
    status_list_credential,
    write_value,
)
from shared.status.statuslist2021 import STATUS_LIST_2021
from tests.loopback import LoopbackServer, Route


def test_bits_are_most_significant_first() -> None:
    bits = new_list()
    assert len(bits) * 8 == MIN_ENTRIES and not any(bits)
    write_value(bits, 0, 1)
    write_value(bits, 9, 1)
    assert bits[0] == 0b1000_0000 and bits[1] == 0b0100_0000
    assert read_value(bytes(bits), 9) == 1 and read_value(bytes(bits), 8) == 0
    write_value(bits, 9, 0)
    assert bits[1] == 0
    wide = new_list(size=2)
    write_value(wide, 3, 0b10, size=2)
    assert wide[0] == 0b0000_0010 and read_value(bytes(wide), 3, 2) == 2


def test_encoding_is_gzip_base64url_with_u_prefix() -> None:
    bits = new_list()
    write_value(bits, 131_071, 1)
    encoded = encode_list(bytes(bits))
    assert encoded.startswith("uH4sI") and "=" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert gzip.decompress(raw) == bytes(bits)
    assert decode_list(encoded) == bytes(bits)
    assert encode_list(bytes(bits)) == encoded  # no timestamp in the GZIP header
    plain = encode_list(bytes(bits), multibase=False)
    assert plain.startswith("H4sI") and decode_list(plain, multibase=False) == bytes(bits)


def test_short_lists_and_bad_values_are_refused() -> None:
    with pytest.raises(StatusError):
        new_list(1000)
    with pytest.raises(StatusError):
        write_value(new_list(), MIN_ENTRIES, 1)
    with pytest.raises(StatusError):
        write_value(new_list(), 0, 2)
    with pytest.raises(StatusError):
        status_list_credential(
            "https://x/1", "did:x", "revocation", b"\0" * 10, "2025-01-01T00:00:00Z"
        )


@pytest.mark.parametrize("legacy", [False, True])
async def test_signed_list_reads_back(
    make_loopback_server: Callable[..., LoopbackServer], legacy: bool
) -> None:
    server = make_loopback_server()
    key = generate_key()
    did = did_key_for(key.public_key)
    vm = f"{did}#{did.split(':')[2]}"
    fmt = STATUS_LIST_2021 if legacy else None
    bits = new_list()
    write_value(bits, 42, 1)
    url = server.url("/status/1")
    kwargs = {"fmt": fmt} if fmt else {}
    doc = status_list_credential(
        url, did, "revocation", bytes(bits), "2025-01-01T00:00:00Z", **kwargs
    )
    if legacy:
        doc["@context"].append("https://w3id.org/security/data-integrity/v2")
    signed = sign_document(doc, key, vm)
    server.routes["/status/1"] = Route(body=json.dumps(signed).encode())
    ctx = StatusContext(
        fetcher=Fetcher(FetchPolicy(allow_hosts=frozenset({server.netloc}))),
        now=lambda: datetime.now(UTC),
    )
    for index, expected in ((42, "set"), (41, "clear")):
        entry = status_entry(url, index, "revocation", **kwargs)
        credential = {"issuer": did, "credentialStatus": entry}
        [outcome] = await check_credential_status(credential, ctx)
        assert outcome.state == expected, outcome.message
    signed["credentialSubject"]["encodedList"] = encode_list(
        bytes(new_list()), multibase=not legacy
    )
    server.routes["/status/1"] = Route(body=json.dumps(signed).encode())
    ctx.fetcher.clear_cache()
    [outcome] = await check_credential_status(
        {"issuer": did, "credentialStatus": status_entry(url, 42, "revocation", **kwargs)}, ctx
    )
    assert outcome.state == "unavailable"  # a tampered list is not believed
