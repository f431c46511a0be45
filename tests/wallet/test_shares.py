"""Shares: a holder-signed presentation at /s/<token>, verified; revoked, expired, logged."""

from __future__ import annotations

import asyncio
import copy
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any

from pwa.app import runtime_of
from shared.verification.pipeline import VerifyOptions, verify
from shared.verification.report import VerificationReport
from tests.appserver import AppServer
from tests.wallet import issuer_double as issuer
from tests.wallet.client import LearnerClient
from tests.wallet.conftest import Clock


def _add(server: AppServer, learner: LearnerClient, **options: Any) -> str:
    assert learner.did
    return learner.add(issuer.issue(learner.did, base_url=server.base_url, **options))


def _verify(document: dict[str, Any], now: datetime | None = None) -> VerificationReport:
    options = VerifyOptions(now=(lambda: now) if now else (lambda: datetime.now(UTC)))
    return asyncio.run(verify(document, options=options))


def _share(learner: LearnerClient, ids: list[str], **extra: Any) -> dict[str, Any]:
    response = learner.post("/api/wallet/shares", json={"credential_ids": ids, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_share_opened_and_verified(server: AppServer, learner: LearnerClient) -> None:
    cid = _add(server, learner, name="Cloud Basics")
    share = _share(learner, [cid])
    assert len(share["token"]) >= 43  # 256 random bits, base64url
    assert share["url"] == server.url(f"/s/{share['token']}")
    assert share["qr_svg"].startswith("<svg") and "<title" in share["qr_svg"]
    with server.client(headers={"User-Agent": "Recruiter/1.0"}) as anyone:
        opened = anyone.get(f"/s/{share['token']}")
    assert opened.status_code == 200
    assert opened.headers["content-type"].startswith("application/json")
    presentation = opened.json()
    assert presentation["holder"] == learner.did
    assert presentation["proof"]["proofPurpose"] == "authentication"
    report = _verify(presentation)
    assert report.verified, report.to_dict()
    assert [n.verified for n in report.nested] == [True]
    tampered = copy.deepcopy(presentation)
    tampered["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] = "Other"
    assert not _verify(tampered).verified
    # Only the token's hash is stored.
    rows = asyncio.run(runtime_of(server.app).db.fetchall("SELECT token_hash FROM wallet_shares"))
    assert all(share["token"] not in r["token_hash"] for r in rows)
    log = learner.get(f"/api/wallet/shares/{share['id']}/log").json()
    assert [entry["user_agent"] for entry in log] == ["Recruiter/1.0"]
    listed = learner.get("/api/wallet/shares").json()
    assert listed[0]["id"] == share["id"] and listed[0]["active"] and listed[0]["views"] == 1


def test_share_page_print_download_linkedin(server: AppServer, learner: LearnerClient) -> None:
    cid = _add(server, learner, name="Welding <Level 2>")
    share = _share(learner, [cid])
    with server.client() as anyone:
        page = anyone.get(f"/s/{share['token']}", headers={"Accept": "text/html"})
        printable = anyone.get(f"/s/{share['token']}/print")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Welding &lt;Level 2&gt;" in page.text and "<Level 2>" not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<svg" in printable.text and "Scan to verify" in printable.text
    # No inline style (the app's CSP forbids it): the print sheet is a static file.
    assert "<style" not in printable.text and "/static/print.css" in printable.text
    assert "style-src 'self'" in printable.headers["content-security-policy"]
    download = learner.get(f"/api/wallet/shares/{share['id']}/presentation")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert _verify(download.json()).verified
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(share["linkedin_url"]).query)
    assert share["linkedin_url"].startswith("https://www.linkedin.com/profile/add?")
    assert params["startTask"] == ["CERTIFICATION_NAME"]
    assert params["name"] == ["Welding <Level 2>"]
    assert params["organizationName"] == ["Test University"]
    assert params["certUrl"] == [share["url"]]


def test_several_credentials(server: AppServer, learner: LearnerClient) -> None:
    ids = [_add(server, learner, name=n) for n in ("One", "Two", "Three")]
    share = _share(learner, ids)
    with server.client() as anyone:
        presentation = anyone.get(f"/s/{share['token']}").json()
    report = _verify(presentation)
    assert report.verified and len(report.nested) == 3


def _not_found_body(server: AppServer, token: str) -> tuple[int, dict[str, Any]]:
    with server.client() as anyone:
        response = anyone.get(f"/s/{token}")
    return response.status_code, response.json()


def test_revoked_expired_unknown_answer_alike(
    server: AppServer, learner: LearnerClient, clock: Clock
) -> None:
    cid = _add(server, learner)
    unknown = _not_found_body(server, "A" * 43)
    assert unknown[0] == 404 and unknown[1]["code"] == "not-found"

    revoked = _share(learner, [cid])
    assert learner.delete(f"/api/wallet/shares/{revoked['id']}").status_code == 200
    assert _not_found_body(server, revoked["token"]) == unknown
    with server.client() as anyone:
        assert anyone.get(f"/s/{revoked['token']}/print").status_code == 404

    now = datetime.now(UTC)
    expiring = _share(learner, [cid], expires_at=(now + timedelta(hours=1)).isoformat())
    assert _not_found_body(server, expiring["token"])[0] == 200
    clock.moment = now + timedelta(hours=2)
    try:
        assert _not_found_body(server, expiring["token"]) == unknown
        listed = {s["id"]: s for s in learner.get("/api/wallet/shares").json()}
        assert not listed[expiring["id"]]["active"]
    finally:
        clock.moment = None


def test_share_expiry_is_not_the_credentials_expiry(
    server: AppServer, learner: LearnerClient, clock: Clock
) -> None:
    now = datetime.now(UTC)
    cid = _add(server, learner, valid_until=now + timedelta(days=1))
    share = _share(learner, [cid], expires_at=(now + timedelta(days=30)).isoformat())
    assert (
        share["expires_at"]
        != learner.get(f"/api/wallet/credentials/{cid}").json()["display"]["expires"]
    )
    later = now + timedelta(days=2)
    clock.moment = later
    try:
        status, presentation = _not_found_body(server, share["token"])
    finally:
        clock.moment = None
    assert status == 200  # the share lives on ...
    report = _verify(presentation, now=later)
    assert not report.verified  # ... and the verifier sees the credential itself expired
    assert report.nested[0].check("valid-until").status == "failed"  # type: ignore[union-attr]


def test_bad_share_requests(server: AppServer, learner: LearnerClient) -> None:
    cid = _add(server, learner)
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert (
        learner.post(
            "/api/wallet/shares", json={"credential_ids": [cid], "expires_at": past}
        ).json()["code"]
        == "share.bad-expiry"
    )
    assert learner.post("/api/wallet/shares", json={"credential_ids": []}).status_code == 400
    assert (
        learner.post(
            "/api/wallet/shares", json={"credential_ids": [cid], "disclose": {cid: ["/name"]}}
        ).json()["code"]
        == "share.not-selective"
    )
    assert learner.post("/api/wallet/shares", json={"credential_ids": ["nope"]}).status_code == 404
