"""`satchel demo`, `satchel issue`, `satchel revoke` and `satchel verify --allow-host` on one
data directory, with the real server serving the status lists on loopback."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from issuer.auth import token_check_disabled
from pwa.cli import main
from pwa.serve import add_serve_arguments, settings_from_args
from shared.service.settings import Settings, SettingsError, load_secret
from tests.appserver import AppServer, free_port, make_settings

ROOT = Path(__file__).resolve().parents[2]


class Setup:
    def __init__(self, data: Path, port: int) -> None:
        self.data, self.port = data, port
        self.common = ["--data", str(data), "--port", str(port)]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    data = tmp_path_factory.mktemp("cli") / "satchel-data"
    port = free_port()
    settings = make_settings(data, port=port, secret=load_secret(data), issuer_token="t")
    server = AppServer(settings).start()
    yield Setup(data, port)
    server.stop()


def _verify(setup: Setup, path: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["verify", "--allow-host", f"127.0.0.1:{setup.port}", path])
    return code, capsys.readouterr().out


def test_demo_then_verify_then_revoke(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    # As a user runs it: a real `satchel demo` process on the server's data directory.
    demo = subprocess.run(
        [sys.executable, "-m", "pwa.cli", "demo", *setup.common],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SATCHEL_FETCH_ALLOW_HOSTS": ""},
    )
    assert demo.returncode == 0, demo.stderr
    out = demo.stdout
    assert "satchel serve" in out and "must be reachable" in out
    commands = re.findall(r"satchel verify --allow-host (\S+) (\S+)\s+# (.+)", out)
    assert len(commands) == 5
    for host, path, expect in commands:
        assert host == f"127.0.0.1:{setup.port}"
        code, text = _verify(setup, path, capsys)
        assert code == (0 if expect == "VERIFIED" else 1), text
        assert text.startswith(expect)  # the verdict line says what demo promised
        if "EXPIRED" in expect:
            assert "[FAIL] valid-until" in text
        if "REVOKED" in expect:
            assert "[FAIL] status.revocation" in text
    revoke = re.search(r"satchel revoke (\S+) --data", out)
    assert revoke is not None
    first = commands[0][1]
    assert main(["revoke", revoke.group(1), *setup.common]) == 0
    assert "revoked" in capsys.readouterr().out
    code, text = _verify(setup, first, capsys)
    assert code == 1 and "[FAIL] status.revocation REVOKED" in text


def test_issue_suspend_unsuspend(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "badge.json"
    args = ["issue", "internship", "--email", "sam@example.edu", "--out", str(out)]
    assert main([*args, "--suite", "ecdsa-rdfc-2019", *setup.common]) == 0
    record = re.search(r"Issued (\S+);", capsys.readouterr().err)
    assert record is not None
    credential = json.loads(out.read_text())
    assert credential["proof"]["cryptosuite"] == "ecdsa-rdfc-2019"
    assert _verify(setup, str(out), capsys)[0] == 0
    assert main(["revoke", record.group(1), "--suspend", *setup.common]) == 0
    code, text = _verify(setup, str(out), capsys)
    assert code == 1 and "SUSPENDED" in text
    assert main(["revoke", record.group(1), "--unsuspend", *setup.common]) == 0
    assert _verify(setup, str(out), capsys)[0] == 0
    # Without --allow-host the loopback list is not fetched: not verified, status unknown.
    assert main(["verify", str(out)]) == 1
    assert "COULD NOT BE CHECKED" in capsys.readouterr().out


def test_issue_prints_a_jwt_and_lists(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "issue",
                "teamwork",
                "--did",
                "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                "--format",
                "jwt",
                *setup.common,
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out.strip()
    assert printed.count(".") == 2
    assert main(["issue", "--list", *setup.common]) == 0
    assert "career-readiness-record" in capsys.readouterr().out
    assert main(["issue", "nope", "--did", "did:example:x", *setup.common]) == 1
    assert "issuer.no-template" in capsys.readouterr().err
    assert main(["revoke", "no-such-id", *setup.common]) == 1
    assert main(["issue", "teamwork", *setup.common]) == 2


def _serve_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return parser.parse_args(list(argv))


def test_no_issuer_token_only_on_loopback(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as err:
        settings_from_args(
            _serve_args("--host", "0.0.0.0", "--no-issuer-token", "--data", str(tmp_path))
        )
    assert err.value.code == "settings.issuer-token-required"
    settings, _, _ = settings_from_args(_serve_args("--no-issuer-token", "--data", str(tmp_path)))
    assert settings.issuer_token_disabled and token_check_disabled(settings)
    # Even if set by hand, the switch is ignored for a non-loopback server.
    exposed = Settings(data_dir=tmp_path, host="0.0.0.0", issuer_token_disabled=True)
    assert not token_check_disabled(exposed)


def test_open_issuer_api_on_loopback(tmp_path: Path) -> None:
    server = AppServer(
        make_settings(tmp_path, issuer_token=None, issuer_token_disabled=True)
    ).start()
    try:
        with server.client() as client:
            body = {"template": "teamwork", "recipient": {"email": "kim@example.edu"}}
            assert client.post("/api/issuer/credentials", json=body).status_code == 201
    finally:
        server.stop()
    locked = AppServer(make_settings(tmp_path / "b", issuer_token=None)).start()
    try:
        with locked.client() as client:
            body = {"template": "teamwork", "recipient": {"email": "kim@example.edu"}}
            assert client.post("/api/issuer/credentials", json=body).status_code == 401
    finally:
        locked.stop()
