"""Passkeys: registered while signed in, then a password-less sign-in; UV and origin enforced."""

from __future__ import annotations

from tests.appserver import AppServer
from tests.wallet.authenticator import SoftAuthenticator
from tests.wallet.client import LearnerClient


def _register(learner: LearnerClient, server: AppServer) -> SoftAuthenticator:
    device = SoftAuthenticator(origin=server.base_url, rp_id="127.0.0.1")
    start = learner.post("/api/wallet/passkeys/register/options").json()
    assert start["options"]["authenticatorSelection"]["userVerification"] == "required"
    assert start["options"]["rp"]["id"] == "127.0.0.1"
    done = learner.post(
        "/api/wallet/passkeys/register",
        json={"challenge_id": start["challenge_id"], "credential": device.create(start["options"])},
    )
    assert done.status_code == 201, done.text
    return device


def _login(
    server: AppServer, device: SoftAuthenticator, **kwargs: object
) -> tuple[LearnerClient, int]:
    client = LearnerClient(server)
    start = client.post("/api/wallet/passkeys/login/options").json()
    assert start["options"]["userVerification"] == "required"
    answer = device.get(start["options"], **kwargs)  # type: ignore[arg-type]
    response = client.post(
        "/api/wallet/passkeys/login",
        json={"challenge_id": start["challenge_id"], "credential": answer},
    )
    return client, response.status_code


def test_register_and_sign_in_with_passkey(server: AppServer, learner: LearnerClient) -> None:
    device = _register(learner, server)
    client, status = _login(server, device)
    assert status == 200
    me = client.get("/api/wallet/me").json()
    assert me["username"] == learner.username and me["did"] == learner.did
    client.close()
    assert len(learner.get("/api/wallet/passkeys").json()) == 1


def test_user_verification_and_origin_required(server: AppServer, learner: LearnerClient) -> None:
    device = _register(learner, server)
    client, status = _login(server, device, verified=False)
    assert status == 401 and client.get("/api/wallet/me").status_code == 401
    client.close()
    client, status = _login(server, device, origin="https://evil.example")
    assert status == 401
    client.close()


def test_challenge_used_once(server: AppServer, learner: LearnerClient) -> None:
    device = _register(learner, server)
    client = LearnerClient(server)
    start = client.post("/api/wallet/passkeys/login/options").json()
    answer = {"challenge_id": start["challenge_id"], "credential": device.get(start["options"])}
    assert client.post("/api/wallet/passkeys/login", json=answer).status_code == 200
    replay = LearnerClient(server)
    assert replay.post("/api/wallet/passkeys/login", json=answer).status_code == 401
    client.close()
    replay.close()


def test_wrong_learner_challenge_and_removal(
    server: AppServer, learner: LearnerClient, other: LearnerClient
) -> None:
    device = SoftAuthenticator(origin=server.base_url, rp_id="127.0.0.1")
    start = learner.post("/api/wallet/passkeys/register/options").json()
    stolen = other.post(
        "/api/wallet/passkeys/register",
        json={"challenge_id": start["challenge_id"], "credential": device.create(start["options"])},
    )
    assert stolen.status_code == 401
    mine = _register(learner, server)
    passkey_id = learner.get("/api/wallet/passkeys").json()[0]["id"]
    assert other.delete(f"/api/wallet/passkeys/{passkey_id}").status_code == 404
    assert learner.delete(f"/api/wallet/passkeys/{passkey_id}").status_code == 200
    _, status = _login(server, mine)
    assert status == 401
