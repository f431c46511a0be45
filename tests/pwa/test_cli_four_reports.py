"""The four reports a new user sees from `satchel verify`: revoked, suspended, expired and a
status that could not be checked — each different, each correct. Status lists are signed
here and served from a loopback server the CLI is allowed to reach."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.loopback import LoopbackServer
from tests.shared.status.test_status import Issuer, _entry

ROOT = Path(__file__).resolve().parents[2]


def _cli(path: Path, server: LoopbackServer, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SATCHEL_FETCH_ALLOW_HOSTS": server.netloc}
    return subprocess.run(
        [sys.executable, "-m", "pwa.cli", "verify", str(path), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _save(tmp_path: Path, name: str, doc: dict[str, Any]) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc))
    return path


def test_revoked_suspended_expired_unreachable(
    loopback_server: LoopbackServer, tmp_path: Path
) -> None:
    issuer = Issuer(loopback_server)
    rev = issuer.publish_list("/lists/rev", "revocation", {1: 1})
    sus = issuer.publish_list("/lists/sus", "suspension", {2: 1})
    expired = issuer.credential(_entry(rev, "revocation", "7"))
    expired.pop("proof")
    expired["validUntil"] = "2025-06-01T00:00:00Z"
    cases = {
        "revoked": issuer.credential(_entry(rev, "revocation", "1")),
        "suspended": issuer.credential(_entry(sus, "suspension", "2")),
        "expired": issuer.sign(expired),
        "status-unknown": issuer.credential(
            _entry(loopback_server.url("/lists/gone"), "revocation", "1")
        ),
    }
    words = {
        "revoked": ("status.revocation", "REVOKED"),
        "suspended": ("status.suspension", "SUSPENDED"),
        "expired": ("valid-until", "EXPIRED"),
        "status-unknown": ("status.revocation", "STATUS COULD NOT BE CHECKED"),
    }
    seen = set()
    for outcome, doc in cases.items():
        path = _save(tmp_path, outcome, doc)
        result = _cli(path, loopback_server, "--json")
        report = json.loads(result.stdout)
        assert result.returncode == 1, result.stdout
        assert report.get("outcome") == outcome, result.stdout
        assert report["verified"] is False
        check_id, word = words[outcome]
        failed = [c for c in report["checks"] if c["status"] == "failed"]
        assert [c["id"] for c in failed] == [check_id], failed
        assert any(c["id"] == "proof" and c["status"] == "passed" for c in report["checks"])
        text = _cli(path, loopback_server)
        assert f"NOT VERIFIED ({word})" in text.stdout
        seen.add(json.dumps(failed, sort_keys=True))
    assert len(seen) == 4
