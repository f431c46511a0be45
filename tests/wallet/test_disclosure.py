"""Selective disclosure: an ecdsa-sd-2023 credential, fields picked by the learner, verified."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from shared.verification.pipeline import verify
from tests.appserver import AppServer
from tests.wallet import issuer_double as issuer
from tests.wallet.client import LearnerClient


def _sd(server: AppServer, learner: LearnerClient) -> dict[str, Any]:
    assert learner.did
    return issuer.issue_sd(learner.did, base_url=server.base_url, name="First Aid")


def test_base_proof_checked_on_arrival(server: AppServer, learner: LearnerClient) -> None:
    held = learner.import_json(_sd(server, learner))
    assert held.status_code == 201, held.text
    body = held.json()
    assert body["state"] == "valid"
    assert body["report"]["checks"][0]["id"] == "selective-disclosure"
    tampered = _sd(server, learner)
    tampered["credentialSubject"]["activityEndDate"] = "2030-01-01T00:00:00Z"
    refused = learner.import_json(tampered)
    assert refused.status_code == 422 and refused.json()["code"] == "import.not-verified"


def test_learner_picks_fields_verifier_verifies(server: AppServer, learner: LearnerClient) -> None:
    cid = learner.add(_sd(server, learner))
    pointers = learner.get(f"/api/wallet/credentials/{cid}/disclosable").json()["pointers"]
    assert "/credentialSubject/activityEndDate" in pointers
    assert "/credentialSubject/achievement/description" in pointers
    assert "/issuer" not in pointers and "/credentialSubject/achievement/name" not in pointers
    share = learner.post(
        "/api/wallet/shares",
        json={
            "credential_ids": [cid],
            "disclose": {cid: ["/credentialSubject/achievement/description"]},
        },
    )
    assert share.status_code == 201, share.text
    with server.client() as anyone:
        presentation = anyone.get(f"/s/{share.json()['token']}").json()
    derived = presentation["verifiableCredential"][0]
    subject = derived["credentialSubject"]
    assert subject["achievement"]["description"] == "Awarded for completing First Aid."
    assert subject["achievement"]["name"] == "First Aid"  # mandatory
    assert "activityEndDate" not in subject  # hidden
    assert "alignment" not in subject["achievement"]
    report = asyncio.run(verify(presentation))
    assert report.verified, report.to_dict()
    assert report.nested[0].check("proof").status == "passed"  # type: ignore[union-attr]
    # The verifier notices a revealed value that was changed.
    forged = copy.deepcopy(derived)
    forged["credentialSubject"]["achievement"]["description"] = "Awarded for brain surgery."
    assert not asyncio.run(verify(forged)).verified


def test_disclose_refusals(server: AppServer, learner: LearnerClient) -> None:
    cid = learner.add(_sd(server, learner))
    bad = learner.post(
        "/api/wallet/shares",
        json={"credential_ids": [cid], "disclose": {cid: ["/credentialSubject/nothing"]}},
    )
    assert bad.status_code == 400 and bad.json()["code"] == "proof.sd-pointer"
    plain = learner.add(issuer.issue(learner.did or "", base_url=server.base_url))
    assert learner.get(f"/api/wallet/credentials/{plain}/disclosable").status_code == 404
