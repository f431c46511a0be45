"""`satchel verify` options for the Open Badges recipient, trust lists and unknown status."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from shared.did.key import did_key_for
from shared.keys import generate_key
from shared.proofs import sign_document
from tests.pwa.test_cli_verify import _run

V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def _badge(tmp_path: Path, *, status_url: str | None = None) -> tuple[Path, str]:
    key = generate_key()
    did = did_key_for(key.public_key)
    digest = hashlib.sha256(b"ada@example.edu" + b"salt").hexdigest()
    doc = {
        "@context": [V2, OB],
        "id": "urn:uuid:5f0c8a9e-1d2b-4c3a-9e8f-7a6b5c4d3e2f",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Example College"},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": f"sha256${digest}",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": "salt",
                }
            ],
            "achievement": {
                "id": "urn:uuid:0a1b2c3d-4e5f-4061-8728-394a5b6c7d8e",
                "type": ["Achievement"],
                "name": "Teamwork",
                "description": "Works well with others.",
                "criteria": {"narrative": "Completed the group project."},
            },
        },
    }
    if status_url:
        doc["credentialStatus"] = {
            "id": f"{status_url}#3",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "3",
            "statusListCredential": status_url,
        }
    signed = sign_document(doc, key, f"{did}#{did.split(':')[2]}")
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(signed))
    return path, did


def test_recipient_email(tmp_path: Path) -> None:
    path, _ = _badge(tmp_path)
    ok = _run(str(path), "--recipient-email", "ada@example.edu", "--json")
    assert ok.returncode == 0, ok.stdout
    check = next(c for c in json.loads(ok.stdout)["checks"] if c["id"] == "recipient")
    assert check["status"] == "passed"
    bad = _run(str(path), "--recipient-email", "eve@example.edu")
    assert bad.returncode == 1 and "not issued to eve@example.edu" in bad.stdout


def test_trust_list(tmp_path: Path) -> None:
    path, did = _badge(tmp_path)
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps({"entries": {did: {"name": "Example College"}}}))
    other = tmp_path / "other.txt"
    other.write_text("did:example:nobody\n")
    known = _run(str(path), "--trust-list", str(registry))
    assert known.returncode == 0 and "Issuer recognised by registry" in known.stdout
    unknown = _run(str(path), "--trust-list", str(other))
    assert unknown.returncode == 0 and "not in your trust list" in unknown.stdout
    missing = _run(str(path), "--trust-list", str(tmp_path / "absent.json"))
    assert missing.returncode == 2 and "trust list" in missing.stderr


def test_unknown_status_is_a_failure_unless_accepted(tmp_path: Path) -> None:
    # A status list on an address the fetcher refuses: it cannot be checked.
    path, _ = _badge(tmp_path, status_url="https://127.0.0.1:9/status/1")
    strict = _run(str(path), "--json")
    report = json.loads(strict.stdout)
    assert strict.returncode == 1 and report["outcome"] == "status-unknown"
    assert "COULD NOT BE CHECKED" in _run(str(path)).stdout
    lenient = _run(str(path), "--accept-unknown-status", "--json")
    assert lenient.returncode == 0, lenient.stdout
    check = next(c for c in json.loads(lenient.stdout)["checks"] if c["id"] == "status.revocation")
    assert check["status"] == "warning"
