"""``POST /api/verifier/verify``: JSON, raw JWT, baked PNG/SVG uploads and URLs, valid and
tampered; receipts; a presentation whose holder proof fails shows nothing it claims."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from shared.baked import bake_png, bake_svg
from shared.proofs import sign_document
from shared.receipt import receipt_report
from tests.appserver import AppServer
from tests.loopback import LoopbackServer, Route
from tests.verifier.helpers import (
    TINY_SVG,
    Party,
    jwt_credential,
    ldp_presentation,
    ob3_credential,
    signed_credential,
    tiny_png,
)


def _tampered(vc: dict[str, Any]) -> dict[str, Any]:
    bad = copy.deepcopy(vc)
    bad["credentialSubject"]["achievement"]["name"] = "Brain surgery"
    return bad


def _verify(client: httpx.Client, **kwargs: Any) -> dict[str, Any]:
    response = client.post("/api/verifier/verify", **kwargs)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_json_body_valid_and_tampered(client: httpx.Client, issuer: Party, holder: Party) -> None:
    vc = signed_credential(issuer, holder.did)
    good = _verify(client, json={"credential": vc})
    assert good["verified"] is True and good["source"] == {"kind": "json"}
    assert good["report"]["summary"]["issuer_name"] == "Example College"
    bad = _verify(client, json={"credential": _tampered(vc)})
    assert bad["verified"] is False
    assert any(c["id"] == "proof" and c["status"] == "failed" for c in bad["report"]["checks"])
    pasted = _verify(client, json=vc)  # the credential itself pasted as the body
    assert pasted["verified"] is True


def test_raw_jwt_body_and_jwt_field(client: httpx.Client, issuer: Party, holder: Party) -> None:
    token = jwt_credential(issuer, holder.did)
    raw = _verify(client, content=token.encode(), headers={"content-type": "application/jwt"})
    assert raw["verified"] is True and raw["source"]["kind"] == "jwt"
    field = _verify(client, json={"jwt": token})
    assert field["verified"] is True
    head, payload, sig = token.split(".")
    forged = _verify(
        client,
        content=f"{head}.{payload}.{sig[::-1]}".encode(),
        headers={"content-type": "text/plain"},
    )
    assert forged["verified"] is False


def test_baked_png_upload_valid_and_tampered(
    client: httpx.Client, issuer: Party, holder: Party
) -> None:
    vc = signed_credential(issuer, holder.did)
    png = bake_png(tiny_png(), vc)
    good = _verify(client, files={"file": ("badge.png", png, "image/png")})
    assert good["verified"] is True and good["source"]["kind"] == "png"
    bad_png = bake_png(tiny_png(), _tampered(vc))
    bad = _verify(client, files={"file": ("badge.png", bad_png, "image/png")})
    assert bad["verified"] is False and bad["source"]["kind"] == "png"
    raw = _verify(client, content=png, headers={"content-type": "image/png"})
    assert raw["verified"] is True
    token_png = bake_png(tiny_png(), jwt_credential(issuer, holder.did))
    assert _verify(client, files={"file": ("b.png", token_png, "image/png")})["verified"] is True


def test_baked_svg_upload_valid_and_tampered(
    client: httpx.Client, issuer: Party, holder: Party
) -> None:
    vc = signed_credential(issuer, holder.did)
    svg = bake_svg(TINY_SVG, vc).encode()
    good = _verify(client, files={"file": ("badge.svg", svg, "image/svg+xml")})
    assert good["verified"] is True and good["source"]["kind"] == "svg"
    bad_svg = bake_svg(TINY_SVG, _tampered(vc)).encode()
    assert _verify(client, files={"file": ("b.svg", bad_svg, "image/svg+xml")})["verified"] is False
    jwt_svg = bake_svg(TINY_SVG, jwt_credential(issuer, holder.did)).encode()
    assert _verify(client, content=jwt_svg, headers={"content-type": "image/svg+xml"})["verified"]


def test_unusable_uploads_are_problems(client: httpx.Client) -> None:
    empty_png = client.post(
        "/api/verifier/verify", files={"file": ("x.png", tiny_png(), "image/png")}
    )
    assert empty_png.status_code == 400 and empty_png.json()["code"] == "baked.not-found"
    binary = client.post(
        "/api/verifier/verify",
        files={"file": ("x.bin", b"\x00\xff\xfe", "application/octet-stream")},
    )
    assert binary.status_code == 400 and binary.json()["code"] == "input.not-utf8"
    nothing = client.post("/api/verifier/verify", json={"credential": None})
    assert nothing.status_code == 400 and nothing.json()["code"] == "request.invalid"
    two = client.post("/api/verifier/verify", json={"jwt": "a.b.c", "url": "https://x.example/"})
    assert two.status_code == 400


def test_body_over_the_limit_is_413(client: httpx.Client) -> None:
    big = {"credential": {"padding": "x" * 300_000}}
    response = client.post("/api/verifier/verify", json=big)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    vcapi = client.post("/credentials/verify", json={"verifiableCredential": big})
    assert vcapi.status_code == 413


@pytest.fixture
def files_server(make_loopback_server: Callable[..., LoopbackServer]) -> LoopbackServer:
    return make_loopback_server()


def test_url_through_the_guarded_fetcher(
    client: httpx.Client, issuer: Party, holder: Party, files_server: LoopbackServer
) -> None:
    vc = signed_credential(issuer, holder.did)
    files_server.routes["/vc.json"] = Route(
        body=json.dumps(vc).encode(), headers={"Content-Type": "application/json"}
    )
    files_server.routes["/bad.json"] = Route(body=json.dumps(_tampered(vc)).encode())
    files_server.routes["/badge.png"] = Route(
        body=bake_png(tiny_png(), vc), headers={"Content-Type": "image/png"}
    )
    files_server.routes["/token"] = Route(body=jwt_credential(issuer, holder.did).encode())
    good = _verify(client, json={"url": files_server.url("/vc.json")})
    assert good["verified"] is True
    assert good["source"] == {"kind": "url", "url": files_server.url("/vc.json"), "content": "json"}
    assert _verify(client, json={"url": files_server.url("/bad.json")})["verified"] is False
    png = _verify(client, json={"url": files_server.url("/badge.png")})
    assert png["verified"] is True and png["source"]["content"] == "png"
    assert _verify(client, json={"url": files_server.url("/token")})["verified"] is True
    missing = client.post("/api/verifier/verify", json={"url": files_server.url("/gone")})
    assert missing.status_code == 422 and missing.json()["code"] == "fetch.http-status"
    assert files_server.requests[0].headers["accept"].startswith("application/vp+jwt")


def test_url_to_a_private_address_is_refused_without_a_connection(
    client: httpx.Client, server: AppServer
) -> None:
    response = client.post("/api/verifier/verify", json={"url": "http://10.1.2.3/vc.json"})
    assert response.status_code == 422 and response.json()["code"].startswith("fetch.")


def test_share_link_presentation_holder_proof_is_checked_first(
    client: httpx.Client, issuer: Party, holder: Party, files_server: LoopbackServer
) -> None:
    vc = signed_credential(issuer, holder.did)
    vp = ldp_presentation(holder, [vc])
    files_server.routes["/s/good"] = Route(body=json.dumps(vp).encode())
    shown = _verify(client, json={"url": files_server.url("/s/good")})
    assert shown["verified"] is True
    assert shown["report"]["nested"][0]["summary"]["achievement_name"] == "Teamwork"
    forged = copy.deepcopy(vp)
    forged["holder"] = Party.new().did  # the proof no longer matches the claimed holder
    forged["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] = "CEO"
    files_server.routes["/s/forged"] = Route(body=json.dumps(forged).encode())
    hidden = _verify(client, json={"url": files_server.url("/s/forged")})
    assert hidden["verified"] is False
    text = json.dumps(hidden["report"])
    assert "summary" not in hidden["report"] and "CEO" not in text and "Teamwork" not in text


def test_receipt_is_signed_by_the_verifier_and_verifies(
    client: httpx.Client, issuer: Party, holder: Party
) -> None:
    vc = signed_credential(issuer, holder.did)
    body = _verify(client, json={"credential": vc, "receipt": True})
    receipt = body["receipt"]
    me = client.get("/api/verifier/identity").json()
    assert receipt["issuer"] == me["did"] and "VerificationReceipt" in receipt["type"]
    assert receipt["credentialSubject"]["verified"] is True
    assert receipt_report(receipt) == body["report"]
    checked = client.post("/credentials/verify", json={"verifiableCredential": receipt})
    assert checked.status_code == 200 and checked.json()["verified"] is True
    tampered = copy.deepcopy(receipt)
    tampered["credentialSubject"]["report"]["verified"] = False
    refused = client.post("/credentials/verify", json={"verifiableCredential": tampered})
    assert refused.status_code == 400
    assert any(e["check"] == "proof" for e in refused.json()["errors"])
    # a receipt for a failed verification says so
    failed = _verify(client, json={"credential": _tampered(vc), "receipt": "true"})
    assert failed["receipt"]["credentialSubject"]["verified"] is False


def test_recipient_email_is_checked_against_the_identity_hash(
    client: httpx.Client, issuer: Party
) -> None:
    salt = "pepper"
    digest = hashlib.sha256(f"ada@example.edu{salt}".encode()).hexdigest()
    identity = {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "salt": salt,
    }

    doc = ob3_credential(issuer, "did:example:ada")
    doc["credentialSubject"]["identifier"] = [identity]
    vc = sign_document(doc, issuer.key, issuer.vm, created="2025-06-01T00:00:00Z")
    right = _verify(client, json={"credential": vc, "recipient_email": "ada@example.edu"})
    assert right["verified"] is True
    assert any(
        c["id"] == "recipient" and c["status"] == "passed" for c in right["report"]["checks"]
    )
    wrong = _verify(client, json={"credential": vc, "recipient_email": "eve@example.edu"})
    assert wrong["verified"] is False
    recipient = next(c for c in wrong["report"]["checks"] if c["id"] == "recipient")
    assert recipient["code"] == "recipient.mismatch"
    form = _verify(
        client,
        files={"file": ("b.png", bake_png(tiny_png(), vc), "image/png")},
        data={"recipient_email": "eve@example.edu"},
    )
    assert form["verified"] is False
