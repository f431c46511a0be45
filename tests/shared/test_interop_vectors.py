"""Credentials signed by other implementations: DCC fixtures and the 1EdTech validator's sets.

Expectations come from each folder's ``EXPECTED.json`` (upstream verdicts, plus the
gatherer's per-proof offline checks). Where Satchel is deliberately stricter than an
upstream verifier the test says so and why.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.did import ResolveContext
from shared.proofs import ProofPolicy, verify_proofs
from shared.verification.pipeline import VerifyOptions, verify
from tests.loopback import LoopbackServer
from tests.vector_routes import vector_resolve_context

V = Path(__file__).resolve().parents[1] / "vectors"
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def _load(rel: str | Path) -> Any:
    return json.loads((V / rel).read_text("utf-8"))


def _options(**kw: Any) -> VerifyOptions:
    return VerifyOptions(now=lambda: NOW, **kw)


@pytest.fixture
def routed(make_loopback_server: Callable[..., LoopbackServer]) -> ResolveContext:
    """Status lists and did:web documents of the vectors, served from loopback."""
    return vector_resolve_context(make_loopback_server)


# --- DCC vc-test-fixtures: per-proof signature validity, machine-readable -------------------

_DCC = _load("interop/dcc-vc-test-fixtures/EXPECTED.json")["credentials"]
_DCC_DIDKEY = [c for c in _DCC if c["issuer"].startswith("did:key:")]


@pytest.mark.parametrize("entry", _DCC_DIDKEY, ids=[c["file"] for c in _DCC_DIDKEY])
async def test_dcc_fixture_proofs(entry: dict[str, Any]) -> None:
    doc = _load(Path("interop/dcc-vc-test-fixtures") / entry["file"])
    outcomes = await verify_proofs(doc, purpose="assertionMethod")
    expected = [p["signatureValid"] for p in entry["proofs"]]
    assert [o.verified for o in outcomes] == expected, [o.error for o in outcomes]
    report = await verify(doc, options=_options())
    until = entry.get("validUntil")
    expired = until is not None and datetime.fromisoformat(until.replace("Z", "+00:00")) < NOW
    valid_until = report.check("valid-until")
    assert valid_until is not None
    assert (valid_until.status == "failed") == expired
    if all(expected):
        assert report.check("proof") is not None
        assert all(c.status != "failed" for c in report.checks if c.id in ("proof", "issuer-key"))
    # Tampering with any signed credential breaks every proof.
    tampered = copy.deepcopy(doc)
    tampered["issuer"] = (
        {**tampered["issuer"], "name": "Forged University"}
        if isinstance(tampered["issuer"], dict)
        else tampered["issuer"]
    )
    tampered.setdefault("credentialSubject", {})
    if isinstance(tampered["credentialSubject"], dict):
        tampered["credentialSubject"]["id"] = "did:example:someone-else"
    bad = await verify(tampered, options=_options())
    assert not bad.verified


# --- DCC verifier-core ---------------------------------------------------------------------

_CORE = "interop/dcc-verifier-core/"
CORE_CASES: list[tuple[str, bool, set[str]]] = [
    # file, signature valid, ids of checks that must fail (status lists served from loopback)
    ("v2/v2WithValidStatus.json", True, set()),
    ("v2/v2Revoked.json", True, {"status.revocation"}),
    ("v2/v2NoStatus.json", True, set()),
    ("v2/v2Expired.json", True, {"valid-until"}),
    ("v2/v2ExpiredWithValidStatus.json", True, {"valid-until"}),
    ("v2/v2RevokedAndExpired.json", True, {"valid-until", "status.revocation"}),
    ("v2/v2SimpleIssuerId.json", True, set()),
    ("v2/v2OBv3SpecExample.json", True, set()),
    ("eddsa/v2/v2EddsaWithValidStatus.json", True, set()),
    ("eddsaAndEd25519/v2/v2DoubleSigWithValidStatus.json", True, set()),
    ("v1/v1WithValidStatus.json", True, set()),
    ("v1/v1Revoked.json", True, {"status.revocation"}),
    ("v1/v1Expired.json", True, {"valid-until"}),
    ("v1/v1SimpleIssuerId.json", True, set()),
    ("v1/v1OBv3SpecExample.json", True, set()),
]


@pytest.mark.parametrize(
    ("name", "sig_ok", "must_fail"), CORE_CASES, ids=[c[0] for c in CORE_CASES]
)
async def test_dcc_verifier_core(
    name: str, sig_ok: bool, must_fail: set[str], routed: ResolveContext
) -> None:
    report = await verify(_load(_CORE + name), options=_options(resolve=routed))
    failed = {c.id for c in report.checks if c.status == "failed"}
    assert failed == must_fail, [(c.id, c.message) for c in report.failures]
    assert report.verified == (not must_fail)


async def test_dcc_safe_mode_breaker_is_refused() -> None:
    """DCC's 'safeModeBreaker' must be rejected by a verifier that expands in safe mode."""
    report = await verify(_load(_CORE + "eddsa/v2/safeModeBreaker.json"), options=_options())
    assert not report.verified
    context = report.check("context")
    assert context is not None and context.status == "failed"
    assert context.code is not None and context.code.startswith("jsonld.")
    assert "$." in context.message  # names the JSON path


async def test_dcc_base_fixture_negative_cases() -> None:
    """verifier-core derives its negative cases from v2NoStatus in code; so do we."""
    base = _load(_CORE + "v2/v2NoStatus.json")
    cases: dict[str, tuple[str, Any]] = {
        "tampered name": ("name", "tampered!"),
        "bad credential id": ("id", "0923lksjf"),
    }
    for label, (key, value) in cases.items():
        doc = copy.deepcopy(base)
        doc[key] = value
        report = await verify(doc, options=_options())
        assert not report.verified, label
    no_proof = copy.deepcopy(base)
    del no_proof["proof"]
    report = await verify(no_proof, options=_options())
    proof = report.check("proof")
    assert not report.verified and proof is not None and proof.code == "proof.missing"
    for empty in ([], {}):
        doc = copy.deepcopy(base)
        doc["proof"] = empty
        report = await verify(doc, options=_options())
        assert not report.verified
    no_context = copy.deepcopy(base)
    del no_context["@context"]
    assert not (await verify(no_context, options=_options())).verified
    no_vc_context = copy.deepcopy(base)
    no_vc_context["@context"] = no_vc_context["@context"][1:]
    assert not (await verify(no_vc_context, options=_options())).verified


# --- 1EdTech validator sets ---------------------------------------------------------------

_OB = "ob3/1edtech-validator/"
_CLR = "clr2/1edtech-validator/"
LENIENT = ProofPolicy(allow_fragment_keys=True)

# (file, signature valid when fragment keys are allowed, extra failing check ids)
EDTECH_CASES: list[tuple[str, bool, set[str]]] = [
    (_OB + "simple.json", True, set()),
    (_OB + "simple-context-alias.json", True, set()),
    (_OB + "simple-context-version.json", True, set()),
    (_OB + "simple-did-web-method.json", True, set()),
    (_OB + "simple-eddsa-2022.json", True, set()),
    (_OB + "simple_v1.json", True, set()),
    (_OB + "endorsement-valid.json", True, set()),
    # Its 1EdTechRevocationList lives at 1edtech.edu, not served here: "could not be checked".
    (_OB + "complete.json", True, {"status.revocation"}),
    (_OB + "simple-err-expired.json", True, {"valid-until"}),
    (_OB + "simple-err-issued.json", True, {"valid-from"}),
    (_OB + "simple-err-type.json", False, set()),
    (_OB + "simple-err-proof-value.json", False, set()),
    (_OB + "simple-err-proof-method.json", False, {"issuer-key"}),
    (_OB + "simple-err-proof-method-no-scheme.json", False, {"issuer-key"}),
    (_OB + "simple-err-proof-method-unknown-scheme.json", False, {"issuer-key"}),
    (_OB + "simple-err-proof-method-unknown-did-method.json", False, {"issuer-key"}),
    (_CLR + "simple.json", True, set()),
]


@pytest.mark.parametrize(
    ("name", "sig_ok", "extra"), EDTECH_CASES, ids=[c[0] for c in EDTECH_CASES]
)
async def test_1edtech_sets(name: str, sig_ok: bool, extra: set[str]) -> None:
    doc = _load(name)
    report = await verify(doc, options=_options(proof_policy=LENIENT))
    proof_statuses = {c.status for c in report.checks if c.id == "proof"}
    assert ("failed" not in proof_statuses) == sig_ok, [(c.id, c.message) for c in report.checks]
    failed = {c.id for c in report.failures} - {"proof", "context"}
    assert extra <= failed, failed
    if sig_ok:
        assert report.verified == (not extra)
        # Strict by default: an https key id is not an issuer-confirmed key.
        strict = await verify(doc, options=_options())
        uses_fragment_key = any(
            not str(p.get("verificationMethod", "")).startswith("did:")
            for p in (doc["proof"] if isinstance(doc["proof"], list) else [doc["proof"]])
        )
        assert strict.verified == (report.verified and not uses_fragment_key)


async def test_1edtech_multiple_proofs_with_an_unknown_type() -> None:
    report = await verify(
        _load(_OB + "simple-multiple-proofs.json"), options=_options(proof_policy=LENIENT)
    )
    statuses = [c.status for c in report.checks if c.id == "proof"]
    assert "failed" in statuses and "passed" in statuses
    assert not report.verified


async def test_1edtech_signed_by_a_key_that_is_not_the_issuers() -> None:
    """simple-did-key-method: valid signature by a did:key, but the issuer is a urn:uuid.

    The 1EdTech validator reports VALID; Satchel refuses, because nothing ties the key to
    the issuer it names (Digital Bazaar's vc library refuses it the same way)."""
    report = await verify(_load(_OB + "simple-did-key-method.json"), options=_options())
    issuer_key = report.check("issuer-key")
    assert report.check("proof") is not None
    assert issuer_key is not None and issuer_key.status == "failed"
    assert issuer_key.code == "proof.signer-mismatch"
    assert not report.verified


async def test_unsigned_samples_are_not_verified() -> None:
    for name in (_OB + "simple-noproof.json", _CLR + "simple-noproof.json"):
        report = await verify(_load(name), options=_options())
        assert not report.verified


@pytest.mark.parametrize(
    "name", ["credential-status-revoked.json", "credential-status-revoked-blank-nodes.json"]
)
async def test_1edtech_bitstring_revoked(name: str, routed: ResolveContext) -> None:
    """The 1EdTech validator's revoked set: its list (served from loopback) marks index 23."""
    doc = _load(_OB + "bit-string-list/" + name)
    report = await verify(doc, options=_options(resolve=routed, proof_policy=LENIENT))
    check = report.check("status.revocation")
    assert check is not None and check.code == "status.revoked", check
    assert report.outcome == "revoked" and not report.verified
    clear = copy.deepcopy(doc)
    clear["credentialStatus"]["statusListIndex"] = "22"
    tampered = await verify(clear, options=_options(resolve=routed, proof_policy=LENIENT))
    assert tampered.outcome == "invalid"  # editing the index breaks the signature
