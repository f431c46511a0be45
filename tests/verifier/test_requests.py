"""Verification requests end to end: OpenID4VP and VC-API exchange round trips driven by
spec-following test wallets, replay / challenge / domain / expiry / session refusals,
Server-Sent Events, webhooks and retention."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from shared.oid4vp import JWT_VC_JSON, REQUEST_OBJECT_TYP, parse_authorization_uri
from shared.receipt import receipt_report
from shared.vcapi_exchange import parse_interaction_protocols
from tests.appserver import AppServer
from tests.loopback import LoopbackServer, Route
from tests.verifier.helpers import (
    NOW,
    Clock,
    Party,
    Wallet,
    jwt_credential,
    ldp_presentation,
    signed_credential,
)


@pytest.fixture
def wallet(issuer: Party) -> Iterator[Wallet]:
    holder = Party.new()
    w = Wallet(
        holder,
        [signed_credential(issuer, holder.did), jwt_credential(issuer, holder.did)],
    )
    yield w
    w.close()


def _create(client: httpx.Client, **body: Any) -> dict[str, Any]:
    response = client.post("/api/verifier/requests", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _state(client: httpx.Client, created: dict[str, Any]) -> dict[str, Any]:
    response = client.get(created["status_url"])
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_creation_returns_uris_qr_codes_and_a_pending_status(client: httpx.Client) -> None:
    created = _create(client, types=["OpenBadgeCredential"], purpose="Hiring: web developer")
    client_id, request_uri = parse_authorization_uri(created["openid4vp_uri"])
    assert created["openid4vp_uri"].startswith("openid4vp://?client_id=decentralized_identifier")
    assert client_id == created["client_id"] and request_uri.startswith(client.base_url.scheme)
    assert created["interaction_url"].endswith("?iuv=1")
    for svg in created["qr_svg"].values():
        assert svg.startswith("<svg") and "<title>" in svg
    state = _state(client, created)
    assert state["state"] == "pending" and state["purpose"] == "Hiring: web developer"
    assert "report" not in state


def test_request_object_is_signed_by_the_verifier_did(client: httpx.Client, wallet: Wallet) -> None:
    created = _create(client, types=["AchievementCredential"])
    request = wallet.fetch_request(created["openid4vp_uri"])
    me = client.get("/api/verifier/identity").json()
    assert request.client_id == me["client_id"] == f"decentralized_identifier:{me['did']}"
    assert request.response_mode == "direct_post" and "/oid4vp/responses/" in request.response_uri
    query = request.dcql_query["credentials"][0]
    assert query["meta"]["type_values"] == [
        ["https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"]
    ]
    raw = httpx.get(parse_authorization_uri(created["openid4vp_uri"])[1]).text
    header = json.loads(base64.urlsafe_b64decode(raw.split(".")[0] + "=="))
    assert header["typ"] == REQUEST_OBJECT_TYP and header["kid"].startswith(me["did"] + "#")
    # request_uri_method=post: the wallet_nonce is echoed in the signed object
    posted = httpx.post(
        parse_authorization_uri(created["openid4vp_uri"])[1], data={"wallet_nonce": "wn-42"}
    )
    payload = json.loads(base64.urlsafe_b64decode(posted.text.split(".")[1] + "=="))
    assert payload["wallet_nonce"] == "wn-42"


def test_openid4vp_round_trip_ldp_vc(client: httpx.Client, wallet: Wallet) -> None:
    created = _create(client, types=["OpenBadgeCredential"])
    request = wallet.fetch_request(created["openid4vp_uri"])
    response = wallet.post_vp_token(request, wallet.oid4vp_vp_token(request))
    assert response.status_code == 200 and response.json() == {}
    state = _state(client, created)
    assert state["state"] == "verified" and state["protocol"] == "oid4vp"
    report = state["report"]
    assert report["verified"] is True
    assert {"challenge", "domain", "request.types"} <= {c["id"] for c in report["checks"]}
    assert report["nested"][0]["summary"]["achievement_name"] == "Teamwork"
    assert receipt_report(state["receipt"]) == report
    # the nonce is single-use: the same response again is refused
    replay = wallet.post_vp_token(request, wallet.oid4vp_vp_token(request))
    _problem(replay, 409, "request.nonce-reused")
    # and the request object is no longer served
    _problem(
        wallet.http.get(parse_authorization_uri(created["openid4vp_uri"])[1]),
        409,
        "request.nonce-reused",
    )


def test_openid4vp_round_trip_jwt_vc_json(client: httpx.Client, wallet: Wallet) -> None:
    created = _create(client, types=["OpenBadgeCredential"])
    request = wallet.fetch_request(created["openid4vp_uri"])
    token = wallet.oid4vp_vp_token(request, fmt=JWT_VC_JSON)
    assert list(token) == ["jwt_credential"] and isinstance(token["jwt_credential"][0], str)
    response = wallet.post_vp_token(request, token)
    assert response.status_code == 200
    state = _state(client, created)
    assert state["state"] == "verified" and state["report"]["format"].startswith("jwt")


def test_wrong_challenge_fails_the_whole_presentation(client: httpx.Client, wallet: Wallet) -> None:
    created = _create(client, types=["OpenBadgeCredential"])
    request = wallet.fetch_request(created["openid4vp_uri"])
    token = wallet.oid4vp_vp_token(request, nonce="not-the-nonce")
    _problem(wallet.post_vp_token(request, token), 400, "presentation.challenge-mismatch")
    state = _state(client, created)
    assert (
        state["state"] == "failed" and state["report"]["code"] == "presentation.challenge-mismatch"
    )
    # the valid credential inside is not what was kept: only the failure record
    text = json.dumps(state["report"])
    assert "Teamwork" not in text and "summary" not in text and "receipt" not in state


def test_wrong_domain_fails_the_whole_presentation(client: httpx.Client, wallet: Wallet) -> None:
    created = _create(client, types=["OpenBadgeCredential"])
    request = wallet.fetch_request(created["openid4vp_uri"])
    token = wallet.oid4vp_vp_token(request, audience="decentralized_identifier:did:example:other")
    _problem(wallet.post_vp_token(request, token), 400, "presentation.domain-mismatch")
    assert _state(client, created)["state"] == "failed"
    jwt_created = _create(client, types=["OpenBadgeCredential"])
    jwt_request = wallet.fetch_request(jwt_created["openid4vp_uri"])
    jwt_token = wallet.oid4vp_vp_token(jwt_request, fmt=JWT_VC_JSON, audience="https://elsewhere")
    _problem(wallet.post_vp_token(jwt_request, jwt_token), 400, "presentation.domain-mismatch")


def test_answer_from_another_session_is_refused(client: httpx.Client, wallet: Wallet) -> None:
    first = _create(client, types=["OpenBadgeCredential"])
    second = _create(client, types=["OpenBadgeCredential"])
    req_a = wallet.fetch_request(first["openid4vp_uri"])
    req_b = wallet.fetch_request(second["openid4vp_uri"])
    # a presentation made for request B relayed to request A's response URI
    token_for_b = wallet.oid4vp_vp_token(req_b)
    _problem(wallet.post_vp_token(req_a, token_for_b), 400, "request.session-mismatch")
    assert _state(client, first)["report"]["code"] == "request.session-mismatch"
    # B's state token sent to A's response URI is refused before anything is consumed
    _problem(
        wallet.post_vp_token(req_b, token_for_b, state=req_a.state),
        400,
        "request.session-mismatch",
    )
    assert _state(client, second)["state"] == "pending"


def test_expired_request_is_refused(client: httpx.Client, wallet: Wallet, clock: Clock) -> None:
    created = _create(client, types=["OpenBadgeCredential"])
    request = wallet.fetch_request(created["openid4vp_uri"])
    token = wallet.oid4vp_vp_token(request)
    clock.advance(timedelta(minutes=11))
    _problem(wallet.post_vp_token(request, token), 410, "request.expired")
    assert _state(client, created)["state"] == "expired"
    _problem(
        wallet.http.get(created["interaction_url"], headers={"Accept": "application/json"}),
        410,
        "request.expired",
    )


def test_wallet_error_response_and_wrong_types(
    client: httpx.Client, wallet: Wallet, issuer: Party
) -> None:
    declined = _create(client, types=["OpenBadgeCredential"])
    request = wallet.fetch_request(declined["openid4vp_uri"])
    response = wallet.http.post(
        request.response_uri,
        data={"error": "access_denied", "error_description": "no", "state": request.state},
    )
    assert response.status_code == 200
    state = _state(client, declined)
    assert state["state"] == "failed" and state["report"]["error"] == "access_denied"
    # a CLR is wanted; a badge is presented: verified presentation, unsatisfied request
    clr = _create(client, types=["ClrCredential"])
    clr_request = wallet.fetch_request(clr["openid4vp_uri"])
    vp = ldp_presentation(
        wallet.holder,
        [wallet.credentials[0]],
        challenge=clr_request.nonce,
        domain=clr_request.client_id,
    )
    _problem(
        wallet.post_vp_token(clr_request, {"ldp_credential": [vp]}), 400, "request.type-missing"
    )


def test_trust_list_is_enforced(client: httpx.Client, wallet: Wallet, issuer: Party) -> None:
    trusted = _create(client, types=["OpenBadgeCredential"], trust_list=[issuer.did])
    request = wallet.fetch_request(trusted["openid4vp_uri"])
    assert wallet.post_vp_token(request, wallet.oid4vp_vp_token(request)).status_code == 200
    assert _state(client, trusted)["state"] == "verified"
    other = _create(client, types=["OpenBadgeCredential"], trust_list=["did:web:other.example"])
    request2 = wallet.fetch_request(other["openid4vp_uri"])
    _problem(
        wallet.post_vp_token(request2, wallet.oid4vp_vp_token(request2)),
        400,
        "request.untrusted-issuer",
    )


def test_malformed_responses_consume_nothing(client: httpx.Client, wallet: Wallet) -> None:
    created = _create(client, types=["OpenBadgeCredential"])
    request = wallet.fetch_request(created["openid4vp_uri"])
    url = request.response_uri
    _problem(wallet.http.post(url, data={"state": request.state}), 400, "oid4vp.invalid")
    _problem(
        wallet.http.post(url, data={"vp_token": "{", "state": request.state}), 400, "oid4vp.invalid"
    )
    _problem(wallet.http.post(url, json={"vp_token": {}}), 415, "request.unsupported-media-type")
    wrong_key = {"nope": [wallet.oid4vp_vp_token(request)["ldp_credential"][0]]}
    _problem(wallet.post_vp_token(request, wrong_key), 400, "oid4vp.invalid")
    assert _state(client, created)["state"] == "pending"
    assert wallet.post_vp_token(request, wallet.oid4vp_vp_token(request)).status_code == 200


def test_vcapi_exchange_round_trip(client: httpx.Client, wallet: Wallet) -> None:
    created = _create(client, types=["OpenBadgeCredential"], purpose="Volunteer screening")
    protocols = parse_interaction_protocols(
        wallet.http.get(created["interaction_url"], headers={"Accept": "application/json"}).json()
    )
    assert set(protocols) == {"vcapi", "OID4VP"}
    assert protocols["OID4VP"] == created["openid4vp_uri"]
    page = wallet.http.get(created["interaction_url"], headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    exchange_url, vpr = wallet.start_exchange(created["interaction_url"])
    assert vpr.did_authentication and vpr.wanted().types == ["OpenBadgeCredential"]
    assert vpr.wanted().purpose == "Volunteer screening"
    assert vpr.domain == httpx.URL(client.base_url).netloc.decode()
    vp = wallet.exchange_presentation(vpr)
    done = wallet.http.post(exchange_url, json={"verifiablePresentation": vp})
    assert done.status_code == 200 and done.json() == {}
    state = _state(client, created)
    assert state["state"] == "verified" and state["protocol"] == "vcapi"
    _problem(
        wallet.http.post(exchange_url, json={"verifiablePresentation": vp}),
        409,
        "request.nonce-reused",
    )


def test_vcapi_exchange_wrong_challenge_domain_and_bad_messages(
    client: httpx.Client, wallet: Wallet
) -> None:
    created = _create(client, types=["OpenBadgeCredential"])
    exchange_url, vpr = wallet.start_exchange(created["interaction_url"])
    _problem(wallet.http.post(exchange_url, json={"hello": 1}), 400, "vcapi.invalid")
    _problem(
        wallet.http.post(exchange_url, json={"redirectUrl": "https://x"}), 400, "vcapi.invalid"
    )
    bad_domain = wallet.exchange_presentation(vpr, domain="evil.example")
    _problem(
        wallet.http.post(exchange_url, json={"verifiablePresentation": bad_domain}),
        400,
        "presentation.domain-mismatch",
    )
    second = _create(client, types=["OpenBadgeCredential"])
    exchange2, vpr2 = wallet.start_exchange(second["interaction_url"])
    bad_challenge = wallet.exchange_presentation(vpr2, challenge="guessed")
    _problem(
        wallet.http.post(exchange2, json={"verifiablePresentation": bad_challenge}),
        400,
        "presentation.challenge-mismatch",
    )
    third = _create(client)
    _problem(
        wallet.http.get(third["interaction_url"].replace("iuv=1", "iuv=2")),
        400,
        "vcapi.interaction-version",
    )


def test_server_sent_events_follow_the_request(client: httpx.Client, wallet: Wallet) -> None:
    created = _create(client, types=["OpenBadgeCredential"])
    states: list[dict[str, Any]] = []
    failures: list[BaseException] = []

    def answer() -> None:
        try:
            request = wallet.fetch_request(created["openid4vp_uri"])
            response = wallet.post_vp_token(request, wallet.oid4vp_vp_token(request))
            assert response.status_code == 200
        except BaseException as exc:  # reported to the main thread below
            failures.append(exc)

    worker = threading.Thread(target=answer)
    with httpx.Client(timeout=20.0) as sse, sse.stream("GET", created["events_url"]) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                assert event == "state"
                states.append(json.loads(line.split(":", 1)[1]))
                if len(states) == 1:
                    worker.start()
                if states[-1]["state"] in ("verified", "failed", "expired"):
                    break
    worker.join(timeout=20)
    assert not failures, failures
    assert [s["state"] for s in states] == ["pending", "received", "verified"]
    assert states[-1]["report"]["verified"] is True and "receipt" in states[-1]
    assert client.get(created["events_url"].replace(created["id"], "nope")).status_code == 404


def test_webhook_is_called_once_with_the_result(
    client: httpx.Client,
    wallet: Wallet,
    server: AppServer,
    make_loopback_server: Callable[..., LoopbackServer],
) -> None:
    hook = make_loopback_server({"/hook": Route(status=204)})
    created = _create(client, types=["OpenBadgeCredential"], webhook_url=hook.url("/hook"))
    request = wallet.fetch_request(created["openid4vp_uri"])
    assert wallet.post_vp_token(request, wallet.oid4vp_vp_token(request)).status_code == 200
    for _ in range(200):
        if hook.requests:
            break
        threading.Event().wait(0.01)
    posts = [r for r in hook.requests if r.method == "POST"]
    assert len(posts) == 1
    payload = json.loads(posts[0].body)
    assert payload["id"] == created["id"] and payload["state"] == "verified"
    assert payload["report"]["verified"] is True
    assert posts[0].headers["content-type"] == "application/json"


def test_requests_are_purged_after_expiry_plus_retention(
    client: httpx.Client, clock: Clock
) -> None:
    old = _create(client)
    clock.advance(timedelta(minutes=11))
    assert _state(client, old)["state"] == "expired"
    clock.advance(timedelta(days=1))
    _create(client)  # creating a request purges what is past its retention
    response = client.get(old["status_url"])
    assert response.status_code == 404 and response.json()["code"] == "request.not-found"
    assert clock.now > NOW


def test_create_request_validation(client: httpx.Client) -> None:
    bad = client.post("/api/verifier/requests", json={"types": "OpenBadgeCredential"})
    _problem(bad, 400, "request.invalid")
    _problem(client.post("/api/verifier/requests", json={"colour": "red"}), 400, "request.invalid")
    _problem(
        client.post("/api/verifier/requests", json={"webhook_url": "ftp://x.example/h"}),
        400,
        "request.invalid",
    )
    _problem(client.get("/api/verifier/requests/unknown"), 404, "request.not-found")


def test_two_simultaneous_answers_claim_the_request_once(
    client: httpx.Client, wallet: Wallet
) -> None:
    created = _create(client, types=["OpenBadgeCredential"])
    request = wallet.fetch_request(created["openid4vp_uri"])
    token = wallet.oid4vp_vp_token(request)
    statuses: list[int] = []

    def post() -> None:
        with httpx.Client(timeout=20.0) as http:
            form = {"vp_token": json.dumps(token), "state": request.state or ""}
            statuses.append(http.post(request.response_uri, data=form).status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 409, 409, 409]
    assert _state(client, created)["state"] == "verified"
