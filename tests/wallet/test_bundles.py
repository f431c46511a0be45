"""CLR bundles over HTTP: learner-signed, nested credentials untouched, verified by the pipeline."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from shared.verification.pipeline import verify
from tests.appserver import AppServer
from tests.wallet import issuer_double as issuer
from tests.wallet.client import LearnerClient


def _add(server: AppServer, learner: LearnerClient, name: str) -> tuple[str, dict[str, Any]]:
    assert learner.did
    vc = issuer.issue(learner.did, base_url=server.base_url, name=name)
    return learner.add(vc), vc


def test_bundle_pathway_verified(server: AppServer, learner: LearnerClient) -> None:
    (a, vc_a), (b, vc_b), (c, vc_c) = (
        _add(server, learner, n) for n in ("Intro to SQL", "Data Modelling", "Data Engineer")
    )
    response = learner.post(
        "/api/wallet/bundles",
        json={
            "credential_ids": [a, b, c],
            "name": "Data engineering pathway",
            "associations": [
                {"type": "precedes", "source": a, "target": b},
                {"type": "isPartOf", "source": a, "target": c},
                {"type": "isPartOf", "source": b, "target": c},
            ],
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    report = body["report"]
    assert report["verified"] is True, report
    assert report["summary"]["bundle"] == "learner-assembled"
    assert [n["verified"] for n in report["nested"]] == [True, True, True]
    assert any(c["id"] == "clr-associations" and c["status"] == "passed" for c in report["checks"])
    assert any(c["id"] == "schema" and c["status"] == "passed" for c in report["checks"])
    clr = body["credential"]
    assert clr["issuer"]["id"] == learner.did == clr["credentialSubject"]["id"]
    assert clr["proof"]["verificationMethod"].startswith(learner.did)
    # Nested credentials untouched, in pathway order.
    assert clr["credentialSubject"]["verifiableCredential"] == [vc_a, vc_b, vc_c]
    assoc = clr["credentialSubject"]["association"][0]
    assert assoc["associationType"] == "precedes"
    assert assoc["sourceId"] == vc_a["credentialSubject"]["achievement"]["id"]
    # Stored as a credential of the learner; re-verifies.
    stored = learner.get(f"/api/wallet/credentials/{body['credential_id']}").json()
    assert stored["state"] == "valid" and "ClrCredential" in stored["display"]["types"]
    # Independently: the outer proof and each nested one; tampering breaks it.
    assert asyncio.run(verify(clr)).verified
    tampered = copy.deepcopy(clr)
    tampered["credentialSubject"]["verifiableCredential"][1]["name"] = "Forged"
    bad = asyncio.run(verify(tampered))
    assert not bad.verified
    assert bad.check("proof").status == "failed"  # type: ignore[union-attr]
    # A share of the bundle verifies end to end.
    share = learner.post("/api/wallet/shares", json={"credential_ids": [body["credential_id"]]})
    with server.client() as anyone:
        presentation = anyone.get(f"/s/{share.json()['token']}").json()
    shared = asyncio.run(verify(presentation))
    assert shared.verified and shared.nested[0].summary.bundle == "learner-assembled"


def test_bundle_refusals(server: AppServer, learner: LearnerClient) -> None:
    a, _ = _add(server, learner, "One")
    b, _ = _add(server, learner, "Two")
    bad_type = learner.post(
        "/api/wallet/bundles",
        json={
            "credential_ids": [a, b],
            "associations": [{"type": "likes", "source": a, "target": b}],
        },
    )
    assert bad_type.status_code == 422 and bad_type.json()["code"] == "clr.bad-association"
    outside = learner.post(
        "/api/wallet/bundles",
        json={
            "credential_ids": [a],
            "associations": [{"type": "precedes", "source": a, "target": b}],
        },
    )
    assert outside.status_code == 400
    assert learner.post("/api/wallet/bundles", json={"credential_ids": []}).status_code == 400
    assert learner.post("/api/wallet/bundles", json={"credential_ids": ["x"]}).status_code == 404
    assert learner.get("/api/wallet/credentials?type=ClrCredential").json() == []
