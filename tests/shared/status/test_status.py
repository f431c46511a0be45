"""Credential status through the real pipeline: real-world DCC status lists and lists we
build and sign here, all served from a loopback HTTP server (no network)."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.did import ResolveContext
from shared.did.key import did_key_for
from shared.errors import StatusError
from shared.fetch import Fetcher, FetchPolicy
from shared.keys import PrivateKey, generate_key
from shared.proofs import sign_document
from shared.status import STATUS_CHECKERS
from shared.status.bitstring import MAX_LIST_BYTES, MIN_ENTRIES, decode_list, read_value
from shared.verification.pipeline import VerifyOptions, verify
from shared.verification.report import VerificationReport
from tests.loopback import LoopbackServer, Route
from tests.vector_routes import VECTORS, vector_resolve_context

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
SL2021 = "https://w3id.org/vc/status-list/2021/v1"
CORE = "interop/dcc-verifier-core/"
FIX = "interop/dcc-vc-test-fixtures/"

MakeServer = Callable[..., LoopbackServer]


def _load(rel: str) -> Any:
    return json.loads((VECTORS / rel).read_text("utf-8"))


@pytest.fixture
def routed(make_loopback_server: MakeServer) -> ResolveContext:
    return vector_resolve_context(make_loopback_server)


async def _verify(doc: dict[str, Any], resolve: ResolveContext, **kw: Any) -> VerificationReport:
    return await verify(doc, options=VerifyOptions(now=lambda: NOW, resolve=resolve, **kw))


def _status_checks(report: VerificationReport) -> list[Any]:
    return [c for c in report.checks if c.id.startswith("status")]


# --- DCC verifier-core fixtures ------------------------------------------------------------


async def test_revoked_credential_is_not_verified(routed: ResolveContext) -> None:
    report = await _verify(_load(CORE + "v2/v2Revoked.json"), routed)
    check = report.check("status.revocation")
    assert check is not None and check.status == "failed" and check.code == "status.revoked"
    assert "REVOKED" in check.message and "list fetched at" in check.message
    assert not report.verified
    assert report.check("status") is None  # no leftover "not checked" entry


@pytest.mark.parametrize("name", ["v2/v2WithValidStatus.json", "v1/v1WithValidStatus.json"])
async def test_valid_status_is_verified(name: str, routed: ResolveContext) -> None:
    report = await _verify(_load(CORE + name), routed)
    assert report.verified, [(c.id, c.message) for c in report.failures]
    check = report.check("status.revocation")
    assert check is not None and check.status in ("passed", "warning")
    assert check.message.startswith("not revoked (list fetched at ")
    # The DCC list holds 100,000 entries, fewer than the spec's minimum: flagged, not passed.
    assert check.status == "warning" and str(MIN_ENTRIES) in check.message


async def test_v1_revoked(routed: ResolveContext) -> None:
    report = await _verify(_load(CORE + "v1/v1Revoked.json"), routed)
    check = report.check("status.revocation")
    assert check is not None and check.code == "status.revoked"
    assert not report.verified


async def test_second_check_reports_the_cache(routed: ResolveContext) -> None:
    doc = _load(CORE + "v2/v2WithValidStatus.json")
    await _verify(doc, routed)
    check = (await _verify(doc, routed)).check("status.revocation")
    assert check is not None and ", from cache)" in check.message


async def test_unreachable_list_is_unavailable_not_revoked(routed: ResolveContext) -> None:
    doc = _load("interop/dcc-verifier-core/eddsaAndEd25519/v2/v2DoubleSigWithBadStatusUrl.json")
    report = await _verify(doc, routed)
    check = report.check("status.revocation")
    assert check is not None and check.status == "failed"
    assert check.code == "status.unavailable" and "COULD NOT BE CHECKED" in check.message
    assert "404" in check.message
    assert not report.verified
    lenient = await _verify(doc, routed, accept_unknown_status=True)
    check = lenient.check("status.revocation")
    assert check is not None and check.status == "warning" and check.code == "status.unavailable"
    assert lenient.verified


# --- DCC vc-test-fixtures, expectations from EXPECTED.json ----------------------------------

_ENTRIES = [c for c in _load(FIX + "EXPECTED.json")["credentials"] if c["credentialStatus"]]


def _list_issuer(entry: dict[str, Any]) -> str:
    return str(_load(entry["localFile"])["issuer"])


def _expected_code(cred: dict[str, Any], entry: dict[str, Any]) -> str | None:
    """What Satchel must report; stricter than the gatherer's bit reading where the spec is."""
    if not entry["listProofValid"] or not entry["listTopLevelHasBitstringStatusListCredentialType"]:
        return "status.unavailable"
    if _list_issuer(entry) != cred["issuer"]:
        return "status.unavailable"  # a list from someone else cannot revoke this credential
    for name, later in (("listValidFrom", True), ("listValidUntil", False)):
        value = entry[name]
        if value is not None:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if (moment > NOW) == later:
                return "status.unavailable"
    return "status.revoked" if entry["result"].startswith("REVOKED") else None


@pytest.mark.parametrize("cred", _ENTRIES, ids=[c["file"] for c in _ENTRIES])
async def test_dcc_fixture_status(cred: dict[str, Any], routed: ResolveContext) -> None:
    report = await _verify(_load(FIX + cred["file"]), routed)
    checks = _status_checks(report)
    assert len(checks) == len(cred["credentialStatus"])
    for check, entry in zip(checks, cred["credentialStatus"], strict=True):
        expected = _expected_code(cred, entry)
        assert check.id == "status.revocation"
        assert check.code == expected, (check.message, entry)
        assert (check.status == "failed") == (expected is not None)
        if expected == "status.unavailable":
            assert "COULD NOT BE CHECKED" in check.message


async def test_tampered_list_signature_is_unavailable(routed: ResolveContext) -> None:
    doc = _load(FIX + "verifiableCredentials/v2/ed25519/didKey/legacy-tamperedStatus-noExpiry.json")
    check = (await _verify(doc, routed)).check("status.revocation")
    assert check is not None and check.code == "status.unavailable"
    assert "signature" in check.message


# --- decoding ------------------------------------------------------------------------------


def _encode(bits: bytes, *, prefix: str = "u") -> str:
    return prefix + base64.urlsafe_b64encode(gzip.compress(bits)).decode().rstrip("=")


def test_gzip_bomb_is_refused() -> None:
    bomb = _encode(bytes(MAX_LIST_BYTES + 1))
    assert len(bomb) < 100_000
    with pytest.raises(StatusError) as info:
        decode_list(bomb)
    assert info.value.details.get("reason") == "decompression-bomb"


def test_malformed_lists_are_refused() -> None:
    for bad in ("", "uH4sI!!!", "u" + base64.urlsafe_b64encode(b"not gzip").decode(), "zabc"):
        with pytest.raises(StatusError):
            decode_list(bad)


def test_bit_order_is_most_significant_first() -> None:
    bits = bytearray(MIN_ENTRIES // 8)
    bits[0] = 0b1000_0001
    bits[1] = 0b0100_0000
    assert decode_list(_encode(bytes(bits))) == bytes(bits)
    assert [read_value(bytes(bits), i) for i in (0, 1, 6, 7, 8, 9)] == [1, 0, 0, 1, 0, 1]
    assert read_value(bytes(bits), 0, 2) == 0b10 and read_value(bytes(bits), 3, 2) == 0b01
    with pytest.raises(StatusError):
        read_value(bytes(bits), MIN_ENTRIES)


# --- lists built and signed here -----------------------------------------------------------


class Issuer:
    """A did:key issuer that signs credentials and status lists served from loopback."""

    def __init__(self, server: LoopbackServer) -> None:
        self.key: PrivateKey = generate_key()
        self.did = did_key_for(self.key.public_key)
        self.vm = f"{self.did}#{self.did.split(':')[2]}"
        self.server = server

    def sign(self, doc: dict[str, Any], *, legacy: bool = False) -> dict[str, Any]:
        suite = "Ed25519Signature2020" if legacy else "eddsa-rdfc-2022"
        return sign_document(doc, self.key, self.vm, suite=suite, created="2025-01-01T00:00:00Z")

    def publish_list(
        self,
        path: str,
        purpose: str,
        set_indexes: dict[int, int],
        *,
        entries: int = MIN_ENTRIES,
        size: int = 1,
        legacy: bool = False,
        **extra: Any,
    ) -> str:
        bits = bytearray((entries * size + 7) // 8)
        for index, value in set_indexes.items():
            for i in range(size):
                if value >> (size - 1 - i) & 1:
                    bit = index * size + i
                    bits[bit // 8] |= 0x80 >> (bit % 8)
        url = self.server.url(path)
        subject = {
            "id": f"{url}#list",
            "type": "StatusList2021" if legacy else "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": _encode(bytes(bits), prefix="" if legacy else "u"),
        }
        doc: dict[str, Any] = {
            "@context": [V1, SL2021] if legacy else [V2],
            "id": url,
            "type": [
                "VerifiableCredential",
                "StatusList2021Credential" if legacy else "BitstringStatusListCredential",
            ],
            "issuer": self.did,
            ("issuanceDate" if legacy else "validFrom"): "2025-01-01T00:00:00Z",
            "credentialSubject": subject,
            **extra,
        }
        body = json.dumps(self.sign(doc, legacy=legacy)).encode()
        self.server.routes[path] = Route(headers={"Content-Type": "application/json"}, body=body)
        return url

    def credential(self, *entries: dict[str, Any], legacy: bool = False) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "@context": [V1, SL2021] if legacy else [V2],
            "id": "urn:uuid:6a4e2c1d-8b0f-4a57-9d3e-2f1c0b9a8e77",
            "type": ["VerifiableCredential"],
            "issuer": self.did,
            ("issuanceDate" if legacy else "validFrom"): "2025-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner"},
            "credentialStatus": list(entries) if len(entries) != 1 else entries[0],
        }
        return self.sign(doc, legacy=legacy)


def _entry(url: str, purpose: str, index: Any, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": index,
        "statusListCredential": url,
        **extra,
    }


@pytest.fixture
def issuer(loopback_server: LoopbackServer) -> Issuer:
    return Issuer(loopback_server)


@pytest.fixture
def local(loopback_server: LoopbackServer) -> ResolveContext:
    return ResolveContext(
        fetcher=Fetcher(FetchPolicy(allow_hosts=frozenset({loopback_server.netloc})))
    )


async def test_suspension_and_revocation_lists(issuer: Issuer, local: ResolveContext) -> None:
    suspended = issuer.publish_list("/s", "suspension", {5: 1})
    revoked = issuer.publish_list("/r", "revocation", {9: 1})
    bad = await _verify(
        issuer.credential(_entry(revoked, "revocation", "3"), _entry(suspended, "suspension", "5")),
        local,
    )
    revocation, suspension = bad.check("status.revocation"), bad.check("status.suspension")
    assert revocation is not None and revocation.status == "passed", revocation
    assert suspension is not None and suspension.code == "status.suspended"
    assert "SUSPENDED" in suspension.message and not bad.verified
    good = await _verify(
        issuer.credential(_entry(revoked, "revocation", "4"), _entry(suspended, "suspension", "6")),
        local,
    )
    assert good.verified, [(c.id, c.message) for c in good.checks]
    assert {c.status for c in _status_checks(good)} == {"passed"}


async def test_purpose_must_match_the_list(issuer: Issuer, local: ResolveContext) -> None:
    url = issuer.publish_list("/r", "revocation", {})
    check = (await _verify(issuer.credential(_entry(url, "suspension", "1")), local)).check(
        "status.suspension"
    )
    assert check is not None and check.code == "status.unavailable"


async def test_integer_index_is_accepted_with_a_warning(
    issuer: Issuer, local: ResolveContext
) -> None:
    url = issuer.publish_list("/r", "revocation", {7: 1})
    clear = (await _verify(issuer.credential(_entry(url, "revocation", 8)), local)).check(
        "status.revocation"
    )
    assert clear is not None and clear.status == "warning" and "string" in clear.message
    set_ = (await _verify(issuer.credential(_entry(url, "revocation", 7)), local)).check(
        "status.revocation"
    )
    assert set_ is not None and set_.code == "status.revoked"


@pytest.mark.parametrize("index", ["-1", "abc", "1.5", None, str(MIN_ENTRIES)])
async def test_bad_or_out_of_range_index(issuer: Issuer, local: ResolveContext, index: Any) -> None:
    url = issuer.publish_list("/r", "revocation", {})
    check = (await _verify(issuer.credential(_entry(url, "revocation", index)), local)).check(
        "status.revocation"
    )
    assert check is not None and check.code == "status.unavailable"


async def test_short_list_is_never_a_clean_pass(issuer: Issuer, local: ResolveContext) -> None:
    url = issuer.publish_list("/short", "revocation", {3: 1}, entries=1024)
    clear = (await _verify(issuer.credential(_entry(url, "revocation", "2")), local)).check(
        "status.revocation"
    )
    assert clear is not None and clear.status == "warning" and str(MIN_ENTRIES) in clear.message
    revoked = (await _verify(issuer.credential(_entry(url, "revocation", "3")), local)).check(
        "status.revocation"
    )
    assert revoked is not None and revoked.code == "status.revoked"


async def test_list_from_another_issuer_is_unavailable(
    issuer: Issuer, local: ResolveContext, loopback_server: LoopbackServer
) -> None:
    stranger = Issuer(loopback_server)
    url = stranger.publish_list("/r", "revocation", {})
    check = (await _verify(issuer.credential(_entry(url, "revocation", "1")), local)).check(
        "status.revocation"
    )
    assert check is not None and check.code == "status.unavailable"
    assert stranger.did in check.message


async def test_expired_list_is_unavailable(issuer: Issuer, local: ResolveContext) -> None:
    url = issuer.publish_list("/r", "revocation", {}, validUntil="2026-01-01T00:00:00Z")
    check = (await _verify(issuer.credential(_entry(url, "revocation", "1")), local)).check(
        "status.revocation"
    )
    assert check is not None and check.code == "status.unavailable" and "expired" in check.message


async def test_message_status(issuer: Issuer, local: ResolveContext) -> None:
    url = issuer.publish_list("/m", "message", {4: 2}, size=2)
    messages = [
        {"status": "0x0", "message": "pending"},
        {"status": "0x1", "message": "accepted"},
        {"status": "0x2", "message": "rejected"},
    ]
    entry = _entry(url, "message", "4", statusSize=2, statusMessage=messages)
    report = await _verify(issuer.credential(entry), local)
    check = report.check("status.message")
    assert check is not None and check.status == "passed" and "rejected" in check.message
    no_messages = _entry(url, "message", "4", statusSize=2)
    check = (await _verify(issuer.credential(no_messages), local)).check("status.message")
    assert check is not None and check.code == "status.unavailable"


async def test_statuslist2021(issuer: Issuer, local: ResolveContext) -> None:
    url = issuer.publish_list("/legacy", "revocation", {2: 1}, legacy=True)

    def entry(index: str) -> dict[str, Any]:
        return {**_entry(url, "revocation", index), "type": "StatusList2021Entry"}

    revoked = await _verify(issuer.credential(entry("2"), legacy=True), local)
    check = revoked.check("status.revocation")
    assert check is not None and check.code == "status.revoked", check
    clear = await _verify(issuer.credential(entry("1"), legacy=True), local)
    assert clear.verified, [(c.id, c.message) for c in clear.checks]


async def test_unknown_entry_type_is_unsupported(issuer: Issuer, local: ResolveContext) -> None:
    entry = {"id": "https://example.org/x", "type": "https://example.org/FutureStatus"}
    report = await _verify(issuer.credential(entry), local)
    check = report.check("status")
    assert check is not None and check.code == "status.unsupported" and not report.verified
    assert "FutureStatus" in check.message


async def test_no_status_entry_is_skipped(issuer: Issuer, local: ResolveContext) -> None:
    doc = issuer.credential()
    del doc["credentialStatus"]
    report = await _verify(issuer.sign({k: v for k, v in doc.items() if k != "proof"}), local)
    check = report.check("status")
    assert check is not None and check.status == "skipped"
    assert check.message == "The credential has no status entry."
    assert report.verified


def test_checkers_are_registered() -> None:
    assert {"BitstringStatusListEntry", "StatusList2021Entry"} <= set(STATUS_CHECKERS)
