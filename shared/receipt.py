"""Verification receipts: a verifier's signed statement of what it checked, and when.

A receipt is a VCDM 2.0 credential of type ``VerificationReceipt`` issued by the
verifier's own DID. Its subject (a ``VerificationOutcome``) carries the verdict, the
time, a digest of the verified input and the whole report as a JSON literal
(``@type: @json`` in the bundled context ``https://satchel.dev/contexts/receipt/v1``,
so the report's free-form content never meets an undefined JSON-LD term) plus the
report's own digest. It is signed with ``eddsa-jcs-2022`` and verifies with the
ordinary pipeline like any other credential.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any, Final

import rfc8785

from shared.keys import PrivateKey, b64url_encode
from shared.proofs import sign_document
from shared.verification.dates import iso
from shared.verification.report import VerificationReport

RECEIPT_CONTEXT: Final = "https://satchel.dev/contexts/receipt/v1"
VC_V2: Final = "https://www.w3.org/ns/credentials/v2"
RECEIPT_TYPE: Final = "VerificationReceipt"
RECEIPT_SUITE: Final = "eddsa-jcs-2022"
_SHA256_MULTIHASH: Final = b"\x12\x20"


def digest_multibase(data: bytes) -> str:
    """``u``-multibase (base64url) of the sha2-256 multihash of ``data``."""
    return "u" + b64url_encode(_SHA256_MULTIHASH + hashlib.sha256(data).digest())


def input_digest(document: dict[str, Any] | str) -> str:
    """The digest of what was verified: a JWT's text, or the JCS form of a JSON document."""
    data = document.encode("utf-8") if isinstance(document, str) else rfc8785.dumps(document)
    return digest_multibase(data)


def report_digest(report: dict[str, Any]) -> str:
    """The digest of a report (its JCS form)."""
    return digest_multibase(rfc8785.dumps(report))


def build_receipt(
    report: VerificationReport | dict[str, Any],
    *,
    verified_input: dict[str, Any] | str | None,
    issuer: str,
    key: PrivateKey,
    verification_method: str,
    now: datetime,
) -> dict[str, Any]:
    """A signed ``VerificationReceipt`` for ``report`` (issued by ``issuer`` at ``now``)."""
    body = report.to_dict() if isinstance(report, VerificationReport) else dict(report)
    subject: dict[str, Any] = {
        "type": "VerificationOutcome",
        "verified": bool(body.get("verified")),
        "checkedAt": iso(now),
        "verifiedKind": str(body.get("kind", "unknown")),
        "verifiedFormat": str(body.get("format", "unknown")),
        "reportDigest": report_digest(body),
        "report": body,
    }
    if verified_input is not None:
        subject["inputDigest"] = input_digest(verified_input)
    receipt = {
        "@context": [VC_V2, RECEIPT_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", RECEIPT_TYPE],
        "name": "Verification receipt",
        "issuer": issuer,
        "validFrom": iso(now),
        "credentialSubject": subject,
    }
    return sign_document(receipt, key, verification_method, suite=RECEIPT_SUITE, created=iso(now))


def receipt_report(receipt: dict[str, Any]) -> dict[str, Any] | None:
    """The report a receipt carries, if its recorded digest matches it (else None)."""
    subject = receipt.get("credentialSubject")
    if not isinstance(subject, dict) or not isinstance(subject.get("report"), dict):
        return None
    report: dict[str, Any] = subject["report"]
    return report if subject.get("reportDigest") == report_digest(report) else None
