"""`satchel verify URL`: the credential is fetched through the guarded fetcher."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.loopback import LoopbackServer, Route

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "shared" / "examples" / "ob3-example.json"


def _run(url: str, allow: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SATCHEL_FETCH_ALLOW_HOSTS"}
    if allow is not None:
        env["SATCHEL_FETCH_ALLOW_HOSTS"] = allow
    return subprocess.run(
        [sys.executable, "-m", "pwa.cli", "verify", url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_verify_by_url_from_an_allowed_loopback_host(
    make_loopback_server: Callable[..., LoopbackServer],
) -> None:
    server = make_loopback_server({"/badge.json": Route(body=EXAMPLE.read_bytes())})
    ok = _run(server.url("/badge.json"), allow=server.netloc)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("VERIFIED")


def test_loopback_url_is_refused_without_the_allow_list(
    make_loopback_server: Callable[..., LoopbackServer],
) -> None:
    server = make_loopback_server({"/badge.json": Route(body=EXAMPLE.read_bytes())})
    refused = _run(server.url("/badge.json"), allow=None)
    assert refused.returncode == 2
    assert "fetch.forbidden" in refused.stderr
    assert server.connections == 0
