"""Accounts: registration, sign-in, sessions, CSRF, rate limits, holder keys at rest."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pwa.app import runtime_of
from shared.errors import KeyFormatError
from shared.service.keywrap import unwrap_private_key
from tests.appserver import AppServer
from tests.wallet.client import PASSWORD, LearnerClient


def test_register_sets_session_cookie_and_did(server: AppServer) -> None:
    client = LearnerClient(server)
    response = client.post(
        "/api/wallet/register", json={"username": "alice-acc", "password": PASSWORD}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["did"].startswith("did:key:z6Mk")
    cookie = response.headers["set-cookie"]
    assert "satchel_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http on loopback
    me = client.get("/api/wallet/me").json()
    assert me["username"] == "alice-acc" and me["did"] == body["did"]
    client.close()


def test_me_requires_session(server: AppServer) -> None:
    with server.client() as http:
        response = http.get("/api/wallet/me")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


def test_login_logout_and_wrong_password(server: AppServer) -> None:
    LearnerClient(server).register("bob-acc").close()
    client = LearnerClient(server)
    bad = client.post("/api/wallet/login", json={"username": "bob-acc", "password": "x" * 12})
    assert bad.status_code == 401 and bad.json()["code"] == "auth.invalid-credentials"
    good = client.post("/api/wallet/login", json={"username": "bob-acc", "password": PASSWORD})
    assert good.status_code == 200
    assert client.get("/api/wallet/me").status_code == 200
    assert client.post("/api/wallet/logout").status_code == 200
    assert client.get("/api/wallet/me").status_code == 401
    client.close()


def test_duplicate_username_and_weak_password(server: AppServer) -> None:
    LearnerClient(server).register("carol-acc").close()
    client = LearnerClient(server)
    taken = client.post(
        "/api/wallet/register", json={"username": "Carol-Acc", "password": PASSWORD}
    )
    assert taken.status_code == 409
    weak = client.post("/api/wallet/register", json={"username": "dave-acc", "password": "short"})
    assert weak.status_code == 422 and weak.json()["code"] == "auth.weak-password"
    client.close()


def test_state_changes_need_csrf_token(learner: LearnerClient) -> None:
    # Same session cookie, no x-csrftoken header: refused, nothing added.
    before = learner.get("/api/wallet/me").json()["dids"]
    refused = learner.http.post("/api/wallet/dids", json={"label": "work"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    wrong = learner.http.post(
        "/api/wallet/dids", json={"label": "work"}, headers={"x-csrftoken": "forged"}
    )
    assert wrong.status_code == 403
    assert learner.get("/api/wallet/me").json()["dids"] == before
    ok = learner.post("/api/wallet/dids", json={"label": "work"})
    assert ok.status_code == 201


def test_csrf_cookie_flags(server: AppServer) -> None:
    with server.client() as http:
        response = http.get("/api/wallet/csrf")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("csrftoken=") and "SameSite=lax" in cookie
    assert response.json()["token"]


def test_login_rate_limited(server: AppServer) -> None:
    LearnerClient(server).register("erin-acc").close()
    client = LearnerClient(server)
    for _ in range(5):
        r = client.post("/api/wallet/login", json={"username": "erin-acc", "password": "y" * 12})
        assert r.status_code == 401
    limited = client.post("/api/wallet/login", json={"username": "erin-acc", "password": PASSWORD})
    assert limited.status_code == 429 and limited.json()["code"] == "auth.rate-limited"
    client.close()


def test_second_profile_did(learner: LearnerClient) -> None:
    added = learner.post("/api/wallet/dids", json={"label": "job hunting"})
    assert added.status_code == 201
    dids = learner.get("/api/wallet/me").json()["dids"]
    assert len(dids) == 2 and dids[0]["primary"] and not dids[1]["primary"]
    assert added.json()["did"] == dids[1]["did"] != learner.did


async def test_key_blob_bound_to_its_learner(
    server: AppServer, learner: LearnerClient, other: LearnerClient
) -> None:
    runtime = runtime_of(server.app)
    rows = {
        r["did"]: r
        for r in await runtime.db.fetchall("SELECT did, learner_id, key_blob FROM wallet_dids")
    }
    mine, theirs = rows[learner.did], rows[other.did]
    secret = runtime.settings.secret
    key = unwrap_private_key(
        bytes(mine["key_blob"]), secret=secret, owner=f"wallet:{mine['learner_id']}:{learner.did}"
    )
    assert key.public_key.multikey() == learner.did.split(":")[-1]
    # The blob copied into the other learner's row does not open for them.
    with pytest.raises(KeyFormatError):
        unwrap_private_key(
            bytes(mine["key_blob"]),
            secret=secret,
            owner=f"wallet:{theirs['learner_id']}:{learner.did}",
        )
    # Nor under another server secret.
    with pytest.raises(KeyFormatError):
        unwrap_private_key(
            bytes(mine["key_blob"]),
            secret=b"\x08" * 32,
            owner=f"wallet:{mine['learner_id']}:{learner.did}",
        )
    assert b"z" not in bytes(mine["key_blob"])[:1]


def test_unknown_json_fields_refused(server: AppServer) -> None:
    client = LearnerClient(server)
    r = client.post(
        "/api/wallet/register", json={"username": "frank-acc", "password": PASSWORD, "admin": True}
    )
    assert r.status_code == 400
    client.close()
    _ = httpx


def test_cookies_secure_under_https(tmp_path: Path) -> None:
    from tests.appserver import make_settings
    from tests.wallet.conftest import SERVICES

    settings = make_settings(tmp_path, public_url="https://wallet.example", reverify_interval=0)
    srv = AppServer(settings, services=SERVICES).start()
    try:
        local = f"http://127.0.0.1:{settings.port}"  # reached directly; the public origin is https
        with httpx.Client(base_url=local, timeout=10.0) as http:
            csrf = http.get("/api/wallet/csrf")
            assert "Secure" in csrf.headers["set-cookie"]
            token = csrf.json()["token"]
            http.cookies.clear()  # a Secure cookie is not sent over http: set it by hand
            http.cookies.set("csrftoken", token)
            registered = http.post(
                "/api/wallet/register",
                json={"username": "secure-sam", "password": PASSWORD},
                headers={"x-csrftoken": token},
            )
        assert registered.status_code == 201, registered.text
        session = registered.headers["set-cookie"]
        assert "satchel_session=" in session and "Secure" in session and "HttpOnly" in session
    finally:
        srv.stop()
