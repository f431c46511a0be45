"""Every import path, verified on arrival; refusals; duplicates; states and re-verification."""

from __future__ import annotations

import asyncio
import copy
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from pwa.app import runtime_of
from shared.jose import sign_jwt_credential
from tests.appserver import AppServer
from tests.wallet import issuer_double as issuer
from tests.wallet.client import LearnerClient
from tests.wallet.conftest import Clock


def _credential(server: AppServer, learner: LearnerClient, **options: Any) -> dict[str, Any]:
    assert learner.did
    return issuer.issue(learner.did, base_url=server.base_url, **options)


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def _foyer_count(server: AppServer) -> int:
    async def count() -> int:
        row = await runtime_of(server.app).db.fetchone("SELECT COUNT(*) FROM wallet_imports")
        assert row is not None
        return int(row[0])

    return asyncio.run(count())


def test_paste_json_verified_held_then_accepted(server: AppServer, learner: LearnerClient) -> None:
    vc = _credential(server, learner, name="Statistics 101")
    text = json.dumps(vc, indent=2)
    held = learner.post("/api/wallet/imports", json={"text": text})
    assert held.status_code == 201, held.text
    body = held.json()
    assert body["report"]["verified"] is True and body["state"] == "valid"
    assert "duplicate_of" not in body
    assert body["display"]["name"] == "Statistics 101"
    # Held, not stored: the list is empty until the learner accepts.
    assert learner.get("/api/wallet/credentials").json() == []
    accepted = learner.post(f"/api/wallet/imports/{body['id']}/accept")
    assert accepted.status_code == 201
    cid = accepted.json()["credential_id"]
    detail = learner.get(f"/api/wallet/credentials/{cid}").json()
    assert detail["state"] == "valid" and detail["last_checked"]
    assert detail["credential"] == vc
    assert detail["display"]["issuer"]["name"] == "Test University"
    assert detail["display"]["achievement"]["criteria"]["narrative"]
    # The original bytes are kept unchanged (indentation and all).
    assert learner.get(f"/api/wallet/credentials/{cid}/raw").content == text.encode()
    # The foyer entry is gone.
    assert learner.post(f"/api/wallet/imports/{body['id']}/accept").status_code == 404


def test_upload_file(server: AppServer, learner: LearnerClient) -> None:
    raw = json.dumps(_credential(server, learner, name="Uploaded")).encode()
    held = learner.post(
        "/api/wallet/imports", files={"file": ("badge.json", raw, "application/json")}
    )
    assert held.status_code == 201, held.text
    assert held.json()["state"] == "valid"


def test_paste_jwt(server: AppServer, learner: LearnerClient) -> None:
    vc = issuer.ob3_credential(learner.did or "", base_url=server.base_url, name="JWT badge")
    token = sign_jwt_credential(vc, issuer.KEY, issuer.VM)
    held = learner.post("/api/wallet/imports", json={"text": token})
    assert held.status_code == 201, held.text
    body = held.json()
    assert body["state"] == "valid" and body["report"]["format"].startswith("jwt")
    cid = learner.post(f"/api/wallet/imports/{body['id']}/accept").json()["credential_id"]
    detail = learner.get(f"/api/wallet/credentials/{cid}").json()
    assert detail["credential"] == token and detail["display"]["name"] == "JWT badge"
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    _problem(
        learner.post("/api/wallet/imports", json={"text": tampered}), 422, "import.not-verified"
    )


def test_presentation_yields_its_credentials(server: AppServer, learner: LearnerClient) -> None:
    a, b = _credential(server, learner, name="One"), _credential(server, learner, name="Two")
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [a, b],
    }
    held = learner.post("/api/wallet/imports", json={"text": json.dumps(vp)})
    assert held.status_code == 201, held.text
    body = held.json()
    assert [i["display"]["name"] for i in body["items"]] == ["One", "Two"]
    assert body["presentation_report"]["verified"] is False  # unsigned VP: reported, not needed


def test_url_import(server: AppServer, learner: LearnerClient) -> None:
    url = server.url(f"/issuer-double/credentials/By%20URL?subject={learner.did}")
    held = learner.post("/api/wallet/imports", json={"url": url})
    assert held.status_code == 201, held.text
    assert held.json()["display"]["name"] == "By URL" and held.json()["state"] == "valid"


def test_url_refused_by_fetch_policy(learner: LearnerClient) -> None:
    held = learner.post("/api/wallet/imports", json={"url": "http://10.0.0.1/badge.json"})
    assert held.status_code == 422
    assert held.json()["code"].startswith("fetch.")


def test_vcapi_interaction_url_exchange(server: AppServer, learner: LearnerClient) -> None:
    payload = server.url("/issuer-double/interact/ex1?iuv=1")
    held = learner.post("/api/wallet/imports", json={"payload": payload})
    assert held.status_code == 201, held.text
    body = held.json()
    assert body["display"]["name"] == "Exchange badge ex1"
    # Issued to the learner's holder DID, which the exchange authenticated.
    assert body["display"]["subject"]["id"] == learner.did
    assert body["state"] == "valid"


def test_dcc_deep_link(server: AppServer, learner: LearnerClient) -> None:
    link = (
        "dccrequest://request?issuer=test&auth_type=bearer&challenge=ch-42&vc_request_url="
        + server.url("/issuer-double/dcc/ch-42")
    )
    held = learner.post("/api/wallet/imports", json={"payload": link})
    assert held.status_code == 201, held.text
    assert held.json()["display"]["subject"]["id"] == learner.did


def test_verifier_request_is_not_an_import(learner: LearnerClient) -> None:
    _problem(
        learner.post(
            "/api/wallet/imports",
            json={"payload": "openid4vp://?client_id=x&request_uri=https%3A%2F%2Fv.example%2Fr"},
        ),
        422,
        "import.is-request",
    )


def _unknown_context(vc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(vc)
    doc["@context"] = [*doc["@context"], "https://example.com/unknown-context/v1"]
    return doc


def _undefined_term(vc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(vc)
    doc["favouriteColour"] = "green"
    return doc


def _tampered(vc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(vc)
    doc["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    return doc


def _unverifiable(vc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(vc)
    doc["proof"]["verificationMethod"] = "https://example.edu/keys/1"
    return doc


def _no_proof(vc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in vc.items() if k != "proof"}


@pytest.mark.parametrize(
    ("spoil", "failing"),
    [
        (_unknown_context, "context"),
        (_undefined_term, "context"),
        (_tampered, "proof"),
        (_unverifiable, "proof"),
        (_no_proof, "proof"),
    ],
)
def test_bad_credentials_refused_or_kept_unverified(
    server: AppServer, learner: LearnerClient, spoil: Any, failing: str
) -> None:
    signed = _credential(server, learner)
    doc = spoil(signed)
    before = _foyer_count(server)
    body = _problem(
        learner.post("/api/wallet/imports", json={"text": json.dumps(doc)}),
        422,
        "import.not-verified",
    )
    assert body["report"]["verified"] is False
    assert any(c["id"] == failing and c["status"] == "failed" for c in body["report"]["checks"])
    assert _foyer_count(server) == before  # nothing held
    kept = learner.post(
        "/api/wallet/imports", json={"text": json.dumps(doc), "keep_unverified": True}
    )
    assert kept.status_code == 201 and kept.json()["state"] == "not-verified"
    refused = learner.post(f"/api/wallet/imports/{kept.json()['id']}/accept")
    _problem(refused, 422, "import.not-verified")
    stored = learner.post(
        f"/api/wallet/imports/{kept.json()['id']}/accept", json={"keep_unverified": True}
    )
    assert stored.status_code == 201
    cid = stored.json()["credential_id"]
    assert learner.get(f"/api/wallet/credentials/{cid}").json()["state"] == "not-verified"
    # Re-verifying does not turn it into a verified one.
    again = learner.post(f"/api/wallet/credentials/{cid}/verify").json()
    assert again["state"] == "not-verified" and again["report"]["verified"] is False


def test_malformed_and_oversized_refused(server: AppServer, learner: LearnerClient) -> None:
    before = _foyer_count(server)
    _problem(learner.post("/api/wallet/imports", json={"text": "{not json"}), 400, "input.not-json")
    _problem(
        learner.post("/api/wallet/imports", json={"text": '{"a": 1, "a": 2}'}),
        400,
        "input.duplicate-key",
    )
    _problem(learner.post("/api/wallet/imports", json={"text": "  "}), 400, "import.empty")
    big = b'{"pad": "' + b"x" * 1_000_100 + b'"}'
    _problem(
        learner.post("/api/wallet/imports", files={"file": ("big.json", big, "application/json")}),
        400,
        "input.too-large",
    )
    _problem(
        learner.post("/api/wallet/imports", json={"text": "{}", "url": "https://x.example/"}),
        400,
        "import.one-source",
    )
    assert _foyer_count(server) == before


def test_duplicates_reported_not_stored_twice(server: AppServer, learner: LearnerClient) -> None:
    vc = _credential(server, learner)
    first = learner.add(vc)
    same_bytes = learner.import_json(vc)
    assert same_bytes.json()["duplicate_of"] == first
    # Same issuer and id, other bytes.
    reformatted = learner.post("/api/wallet/imports", json={"text": json.dumps(vc, indent=4)})
    assert reformatted.json()["duplicate_of"] == first
    dup = learner.post(f"/api/wallet/imports/{reformatted.json()['id']}/accept")
    assert _problem(dup, 409, "import.duplicate")["details"]["duplicate_of"] == first
    assert len(learner.get("/api/wallet/credentials").json()) == 1


def test_concurrent_accepts_store_once(server: AppServer, learner: LearnerClient) -> None:
    vc = _credential(server, learner)
    ids = [learner.import_json(vc).json()["id"] for _ in range(4)]
    token = learner.csrf()
    results: list[int] = []

    def accept(import_id: str) -> None:
        with httpx.Client(base_url=server.base_url, cookies=learner.http.cookies) as http:
            r = http.post(f"/api/wallet/imports/{import_id}/accept", headers={"x-csrftoken": token})
            results.append(r.status_code)

    threads = [threading.Thread(target=accept, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201, 409, 409, 409]
    assert len(learner.get("/api/wallet/credentials").json()) == 1


def test_discard(server: AppServer, learner: LearnerClient) -> None:
    held = learner.import_json(_credential(server, learner)).json()
    assert learner.delete(f"/api/wallet/imports/{held['id']}").status_code == 200
    assert learner.post(f"/api/wallet/imports/{held['id']}/accept").status_code == 404


def test_expired_state(server: AppServer, learner: LearnerClient) -> None:
    vc = _credential(
        server,
        learner,
        valid_from=datetime(2020, 1, 1, tzinfo=UTC),
        valid_until=datetime(2021, 1, 1, tzinfo=UTC),
    )
    held = learner.import_json(vc)
    assert held.status_code == 201 and held.json()["state"] == "expired"


def test_revoked_on_reverify(server: AppServer, learner: LearnerClient) -> None:
    vc = _credential(server, learner, with_status=True)
    cid = learner.add(vc)
    first = learner.get(f"/api/wallet/credentials/{cid}").json()
    assert first["state"] == "valid"
    issuer.revoke(int(vc["credentialStatus"]["statusListIndex"]))
    runtime_of(server.app).fetcher.clear_cache()
    again = learner.post(f"/api/wallet/credentials/{cid}/verify")
    assert again.status_code == 200
    assert again.json()["state"] == "revoked"
    detail = learner.get(f"/api/wallet/credentials/{cid}").json()
    assert detail["state"] == "revoked" and detail["last_checked"] >= first["last_checked"]


def test_expiry_by_injected_clock_and_schedule(
    server: AppServer, learner: LearnerClient, clock: Clock
) -> None:
    from wallet.scheduler import reverify_due
    from wallet.service import wallet_for

    now = datetime.now(UTC)
    cid = learner.add(_credential(server, learner, valid_until=now + timedelta(days=1)))
    assert learner.get(f"/api/wallet/credentials/{cid}").json()["state"] == "valid"
    clock.moment = now + timedelta(days=2)
    try:
        count = asyncio.run(reverify_due(wallet_for(runtime_of(server.app))))
    finally:
        clock.moment = None
    assert count >= 1
    detail = learner.get(f"/api/wallet/credentials/{cid}").json()
    assert detail["state"] == "expired"
    assert detail["last_checked"].startswith((now + timedelta(days=2)).strftime("%Y-%m-%d"))


def test_list_search_type_skill_sort_and_skills(server: AppServer, learner: LearnerClient) -> None:
    a = learner.add(
        _credential(server, learner, name="Python Basics", skills=(("Programming", "ESCO"),))
    )
    b = learner.add(
        _credential(
            server,
            learner,
            name="Team Leadership",
            skills=(("Leadership", "ESCO"), ("Communication", "ESCO")),
            achievement_type="Badge",
        )
    )
    names = [c["name"] for c in learner.get("/api/wallet/credentials?sort=name").json()]
    assert names == ["Python Basics", "Team Leadership"]
    found = learner.get("/api/wallet/credentials?q=leader").json()
    assert [c["id"] for c in found] == [b]
    assert [c["id"] for c in learner.get("/api/wallet/credentials?skill=programming").json()] == [a]
    typed = learner.get("/api/wallet/credentials?type=OpenBadgeCredential").json()
    assert {c["id"] for c in typed} == {a, b}
    assert learner.get("/api/wallet/credentials?type=ClrCredential").json() == []
    assert learner.get("/api/wallet/credentials?sort=bogus").status_code == 400
    skills = {
        (s["skill"], s["framework"]): s["credentials"]
        for s in learner.get("/api/wallet/skills").json()
    }
    assert skills[("Programming", "ESCO")] == [a]
    assert skills[("Leadership", "ESCO")] == [b]
    assert skills[("Badge", "achievementType")] == [b]
    assert learner.delete(f"/api/wallet/credentials/{a}").status_code == 200
    assert learner.get(f"/api/wallet/credentials/{a}").status_code == 404


def test_suspended_and_status_unknown(server: AppServer, learner: LearnerClient) -> None:
    suspended = _credential(server, learner, with_status=True, status_purpose="suspension")
    issuer.suspend(int(suspended["credentialStatus"]["statusListIndex"]))
    runtime_of(server.app).fetcher.clear_cache()
    held = learner.import_json(suspended)
    assert held.status_code == 201 and held.json()["state"] == "suspended"
    unreachable = _credential(server, learner, with_status=True, status_list="gone")
    held = learner.import_json(unreachable)
    assert held.status_code == 201, held.text
    assert held.json()["state"] == "unknown"  # authentic, but the status could not be checked
    cid = learner.post(f"/api/wallet/imports/{held.json()['id']}/accept").json()["credential_id"]
    listed = {c["id"]: c for c in learner.get("/api/wallet/credentials").json()}
    assert listed[cid]["state"] == "unknown" and listed[cid]["last_checked"]


def test_presentation_with_one_bad_credential_holds_nothing(
    server: AppServer, learner: LearnerClient
) -> None:
    good = _credential(server, learner, name="Good")
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [good, _tampered(_credential(server, learner))],
    }
    before = _foyer_count(server)
    refused = learner.post("/api/wallet/imports", json={"text": json.dumps(vp)})
    _problem(refused, 422, "import.not-verified")
    assert [r["verified"] for r in refused.json()["reports"]] == [True, False]
    assert _foyer_count(server) == before


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_baked_png_and_svg(server: AppServer, learner: LearnerClient) -> None:
    from shared.baked import bake_png, bake_svg

    vc = _credential(server, learner, name="Baked PNG")
    png = bake_png(_tiny_png(), vc)
    held = learner.post("/api/wallet/imports", files={"file": ("badge.png", png, "image/png")})
    assert held.status_code == 201, held.text
    assert held.json()["state"] == "valid" and held.json()["display"]["name"] == "Baked PNG"
    cid = learner.post(f"/api/wallet/imports/{held.json()['id']}/accept").json()["credential_id"]
    assert learner.get(f"/api/wallet/credentials/{cid}").json()["credential"] == vc

    token = sign_jwt_credential(
        issuer.ob3_credential(learner.did or "", base_url=server.base_url, name="Baked SVG"),
        issuer.KEY,
        issuer.VM,
    )
    svg = bake_svg('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>', token)
    held = learner.post(
        "/api/wallet/imports", files={"file": ("badge.svg", svg.encode(), "image/svg+xml")}
    )
    assert held.status_code == 201, held.text
    assert held.json()["display"]["name"] == "Baked SVG" and held.json()["state"] == "valid"
    tampered = png.replace(b"Baked PNG", b"Baked GIF")
    refused = learner.post(
        "/api/wallet/imports", files={"file": ("badge.png", tampered, "image/png")}
    )
    assert refused.status_code in (400, 422)  # a broken chunk CRC or a broken signature
    not_baked = learner.post(
        "/api/wallet/imports", files={"file": ("plain.png", _tiny_png(), "image/png")}
    )
    assert not_baked.status_code == 400
