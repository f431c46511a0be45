"""Backup and restore: one passphrase-encrypted file, restored into another account or server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.jose import sign_jwt_credential
from shared.jose.jwe import jwe_header
from shared.keys import b64url_encode
from shared.verification.pipeline import verify
from tests.appserver import AppServer, make_settings
from tests.wallet import issuer_double as issuer
from tests.wallet.client import LearnerClient
from tests.wallet.conftest import SERVICES

PASSPHRASE = "a long backup passphrase"


@pytest.fixture(scope="module")
def second_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    data: Path = tmp_path_factory.mktemp("wallet2")
    srv = AppServer(
        make_settings(data, secret=b"\x09" * 32, reverify_interval=0), services=SERVICES
    ).start()
    yield srv
    srv.stop()


def _backup(learner: LearnerClient) -> str:
    response = learner.post("/api/wallet/backup", json={"passphrase": PASSPHRASE})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/jose")
    return response.text


def _restore(client: LearnerClient, token: str, passphrase: str = PASSPHRASE) -> dict[str, object]:
    response = client.post(
        "/api/wallet/restore",
        files={"file": ("satchel-backup.jwe", token.encode(), "application/jose")},
        data={"passphrase": passphrase},
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_backup_restore_into_another_server(
    server: AppServer, second_server: AppServer, learner: LearnerClient
) -> None:
    assert learner.did
    learner.add(issuer.issue(learner.did, base_url=server.base_url, name="Backed up"))
    vc = issuer.ob3_credential(learner.did, base_url=server.base_url, name="JWT backed up")
    learner.add(sign_jwt_credential(vc, issuer.KEY, issuer.VM))
    learner.post("/api/wallet/dids", json={"label": "second"})
    token = _backup(learner)
    header = jwe_header(token)
    assert header["alg"] == "PBES2-HS512+A256KW" and header["enc"] == "A256GCM"
    assert b"Backed up" not in token.encode()

    elsewhere = LearnerClient(second_server).register("restorer")
    result = _restore(elsewhere, token)
    assert result["imported"] == 2 and result["duplicates"] == 0 and result["dids"] == 2
    names = sorted(c["name"] for c in elsewhere.get("/api/wallet/credentials").json())
    assert names == ["Backed up", "JWT backed up"]
    dids = [d["did"] for d in elsewhere.get("/api/wallet/me").json()["dids"]]
    assert learner.did in dids  # the old holder key came along, re-wrapped for this server
    # Restoring again reports duplicates instead of making them.
    again = _restore(elsewhere, token)
    assert again["imported"] == 0 and again["duplicates"] == 2 and again["dids"] == 0
    assert len(elsewhere.get("/api/wallet/credentials").json()) == 2
    # What was restored can be shared and verifies.
    ids = [c["id"] for c in elsewhere.get("/api/wallet/credentials").json()]
    share = elsewhere.post("/api/wallet/shares", json={"credential_ids": ids}).json()
    with second_server.client() as anyone:
        presentation = anyone.get(f"/s/{share['token']}").json()
    assert asyncio.run(verify(presentation)).verified
    elsewhere.close()


def test_restore_into_another_account_same_server(
    server: AppServer, learner: LearnerClient, other: LearnerClient
) -> None:
    learner.add(issuer.issue(learner.did or "", base_url=server.base_url))
    result = _restore(other, _backup(learner))
    assert result["imported"] == 1 and result["dids"] == 0  # a DID has one owner per server
    assert len(other.get("/api/wallet/credentials").json()) == 1


def test_wrong_passphrase_tampered_and_hostile_files(
    server: AppServer, learner: LearnerClient, other: LearnerClient
) -> None:
    learner.add(issuer.issue(learner.did or "", base_url=server.base_url))
    token = _backup(learner)

    def refused(data: str, passphrase: str = PASSPHRASE) -> str:
        response = other.post(
            "/api/wallet/restore",
            files={"file": ("b.jwe", data.encode(), "application/jose")},
            data={"passphrase": passphrase},
        )
        assert response.status_code == 400, response.text
        return str(response.json()["code"])

    assert refused(token, "not the passphrase!") == "jwe.decrypt-failed"
    parts = token.split(".")
    parts[3] = parts[3][:-2] + ("AA" if not parts[3].endswith("AA") else "BA")
    assert refused(".".join(parts)) == "jwe.decrypt-failed"
    header = dict(jwe_header(token))
    header["p2c"] = 10**9
    hostile = b64url_encode(json.dumps(header).encode()) + "." + ".".join(token.split(".")[1:])
    assert refused(hostile) == "jwe.iterations"
    assert refused("not a jwe") == "jwe.malformed"
    assert other.get("/api/wallet/credentials").json() == []
    weak = learner.post("/api/wallet/backup", json={"passphrase": "short"})
    assert weak.status_code == 422
