"""OpenID4VCI from the sandbox issuer into the wallet: pre-authorized offers, tx_code, formats."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.appserver import AppServer, make_settings
from tests.wallet.client import LearnerClient

AUTH = {"Authorization": "Bearer test-issuer-token"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    settings = make_settings(tmp_path_factory.mktemp("oid4vci"), reverify_interval=0)
    services = ["issuer.service", "wallet.service", "tests.wallet.draft13_issuer"]
    srv = AppServer(settings, services=services).start()
    yield srv
    srv.stop()


def _offer(server: AppServer, **body: Any) -> dict[str, Any]:
    body.setdefault("template", "teamwork")
    with server.client(headers=AUTH) as career_services:
        answer = career_services.post("/api/issuer/offers", json=body)
    assert answer.status_code == 201, answer.text
    offer: dict[str, Any] = answer.json()
    return offer


@pytest.mark.parametrize("fmt", ["ldp_vc", "jwt_vc_json"])
def test_offer_with_tx_code_redeemed(server: AppServer, learner: LearnerClient, fmt: str) -> None:
    offer = _offer(server, format=fmt, tx_code=True)
    assert offer["offer_uri"].startswith("openid-credential-offer://")
    asked = learner.post("/api/wallet/imports", json={"payload": offer["offer_uri"]})
    assert asked.status_code == 422 and asked.json()["code"] == "import.tx-code-required"
    wrong = learner.post(
        "/api/wallet/imports", json={"payload": offer["offer_uri"], "tx_code": "000000x"}
    )
    assert wrong.status_code == 422, wrong.text
    held = learner.post(
        "/api/wallet/imports", json={"payload": offer["offer_uri"], "tx_code": offer["tx_code"]}
    )
    assert held.status_code == 201, held.text
    body = held.json()
    assert body["state"] == "valid", body["report"]
    assert body["display"]["subject"]["id"] == learner.did  # bound to the holder key proof
    assert body["report"]["format"].startswith("jwt" if fmt == "jwt_vc_json" else "ldp")
    cid = learner.post(f"/api/wallet/imports/{body['id']}/accept").json()["credential_id"]
    share = learner.post("/api/wallet/shares", json={"credential_ids": [cid]}).json()
    assert "<title" in share["qr_svg"]
    # An offer is redeemed once.
    again = learner.post(
        "/api/wallet/imports", json={"payload": offer["offer_uri"], "tx_code": offer["tx_code"]}
    )
    assert again.status_code == 422


def test_offer_by_value_without_tx_code(server: AppServer, learner: LearnerClient) -> None:
    offer = _offer(server, by_value=True)
    assert "credential_offer=" in offer["offer_uri"]
    held = learner.post("/api/wallet/imports", json={"payload": offer["offer_uri"]})
    assert held.status_code == 201, held.text
    assert held.json()["state"] == "valid"


def test_draft13_issuer_tolerated(server: AppServer, learner: LearnerClient) -> None:
    from tests.wallet.draft13_issuer import offer_uri

    held = learner.post("/api/wallet/imports", json={"payload": offer_uri(server.base_url)})
    assert held.status_code == 201, held.text
    body = held.json()
    assert body["display"]["name"] == "Draft-13 badge" and body["state"] == "valid"
    assert body["display"]["subject"]["id"] == learner.did
