"""`satchel verify` as a user runs it: a real subprocess, exit codes, text and JSON output."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
V = ROOT / "tests" / "vectors"


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pwa.cli", "verify", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


SIGNED = [
    "shared/examples/ob3-example.json",
    "tests/vectors/interop/dcc-verifier-core/v2/v2NoStatus.json",
    "tests/vectors/interop/dcc-verifier-core/v1/v1SimpleIssuerId.json",
    # Two proofs, no credentialStatus (a status list would need the network).
    "tests/vectors/interop/dcc-vc-test-fixtures/verifiableCredentials/v1/bothSignatureTypes/"
    "didKey/legacy-noStatus-noExpiry.json",
]


@pytest.mark.parametrize("path", SIGNED)
def test_signed_credentials_verify_and_tampered_copies_fail(path: str, tmp_path: Path) -> None:
    ok = _run(path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("VERIFIED")
    assert "[ok  ] proof" in ok.stdout
    doc = json.loads((ROOT / path).read_text())
    tampered = copy.deepcopy(doc)
    tampered["credentialSubject"]["id"] = "did:example:impostor"
    bad_file = tmp_path / "tampered.json"
    bad_file.write_text(json.dumps(tampered))
    bad = _run(str(bad_file))
    assert bad.returncode == 1
    assert bad.stdout.startswith("NOT VERIFIED")
    assert "[FAIL] proof" in bad.stdout


def test_json_output_is_the_typed_report() -> None:
    result = _run("--json", "tests/vectors/interop/dcc-verifier-core/v2/v2Expired.json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["verified"] is False
    expired = [c for c in report["checks"] if c["id"] == "valid-until"]
    assert expired and expired[0]["status"] == "failed" and expired[0]["code"] == "date.expired"


def test_stdin_and_unusable_input() -> None:
    doc = (ROOT / SIGNED[0]).read_text()
    assert _run("-", stdin=doc).returncode == 0
    garbage = _run("-", stdin="{not json")
    assert garbage.returncode == 2
    assert "input.not-json" in garbage.stderr
    assert "Traceback" not in garbage.stderr
    missing = _run("does/not/exist.json")
    assert missing.returncode == 2
    duplicate = _run("-", stdin='{"id": "a", "id": "b"}')
    assert duplicate.returncode == 2


def test_presentation_challenge_option(tmp_path: Path) -> None:
    code = (
        "import json,sys\n"
        "from shared.keys import generate_key\n"
        "from shared.did.key import did_key_for\n"
        "from shared.proofs import sign_document\n"
        "k=generate_key(); d=did_key_for(k.public_key); vm=d+'#'+d.split(':')[2]\n"
        "vp={'@context':['https://www.w3.org/ns/credentials/v2'],"
        "'type':['VerifiablePresentation'],'holder':d}\n"
        "print(json.dumps(sign_document(vp,k,vm,purpose='authentication',challenge='c1',"
        "domain='d.example')))\n"
    )
    made = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    vp_file = tmp_path / "vp.json"
    vp_file.write_text(made.stdout)
    assert _run(str(vp_file), "--challenge", "c1", "--domain", "d.example").returncode == 0
    wrong = _run(str(vp_file), "--challenge", "c2")
    assert wrong.returncode == 1
    assert "[FAIL] challenge" in wrong.stdout
