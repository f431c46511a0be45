"""`satchel verify` stays quick to start: heavy libraries load only when a path needs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# httpx: only to fetch (did:web, status lists, URLs); jsonschema/referencing: only when a
# credential names a credentialSchema; cbor2: only for ecdsa-sd-2023; litestar: the server;
# rfc8785: only for the JCS suites; the server and issuer modules: only for their commands;
# pyld (and lxml, which it loads): only when the JSON-LD fast path gives up.
LAZY = (
    *("httpx", "httpcore", "jsonschema", "referencing", "cbor2", "litestar", "rfc8785"),
    *("issuer", "pwa.serve", "pwa.cli_issuer", "shared.service", "pyld", "lxml"),
)


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    modules = set(json.loads(out.splitlines()[-1]))
    return [m for m in LAZY if m in modules]


def test_importing_the_cli_and_pipeline_loads_no_heavy_library() -> None:
    assert _loaded_after("import pwa.cli, shared.verification.pipeline") == []


def test_verifying_a_credential_without_schema_or_status_loads_no_heavy_library() -> None:
    example = str(Path(__file__).resolve().parents[2] / "shared/examples/ob3-example.json")
    code = f"from pwa.cli import main\nassert main(['verify', {example!r}]) == 0"
    assert _loaded_after(code) == []
