"""Every signing option, VCDM 2.0 and 1.1: issued by the real server, verified by the
pipeline (status lists fetched from the server), and a tampered copy failing."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shared.issue import SIGNING_OPTIONS
from shared.jose.jws import parse_jws
from shared.proofs.ecdsa_sd import derive
from tests.issuer.conftest import LEARNER, Issuer, failed_ids

DI_SUITES = [name for name, o in SIGNING_OPTIONS.items() if o.suite and o.suite != "ecdsa-sd-2023"]


def _tamper(credential: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] = "Something else"
    return changed


@pytest.mark.parametrize("vcdm", ["2.0", "1.1"])
@pytest.mark.parametrize("suite", DI_SUITES)
async def test_data_integrity_suite(issuer: Issuer, suite: str, vcdm: str) -> None:
    issued = issuer.issue("data-analysis", suite=suite, vcdm=vcdm)
    credential = issued["credential"]
    proof = credential["proof"]
    assert (proof.get("cryptosuite") or proof["type"]) == SIGNING_OPTIONS[suite].suite
    report = await issuer.verify(credential)
    assert report.verified, [(c.id, c.message) for c in report.failures]
    assert report.check("status.revocation").status == "passed"  # type: ignore[union-attr]
    assert report.check("status.suspension").status == "passed"  # type: ignore[union-attr]
    assert credential["credentialSubject"]["id"] == LEARNER
    tampered = await issuer.verify(_tamper(credential))
    assert not tampered.verified and "proof" in failed_ids(tampered)


async def test_p384_key_signs_p384(issuer: Issuer) -> None:
    credential = issuer.issue(suite="ecdsa-rdfc-2019-p384")["credential"]
    report = await issuer.verify(credential)
    assert report.verified
    assert credential["issuer"]["id"].startswith("did:key:z82")  # a P-384 did:key


@pytest.mark.parametrize("vcdm", ["2.0", "1.1"])
async def test_jwt(issuer: Issuer, vcdm: str) -> None:
    token = issuer.issue(format="jwt", vcdm=vcdm)["credential"]
    assert isinstance(token, str)
    header = parse_jws(token).header
    assert header["alg"] == "EdDSA"
    assert header.get("typ") == ("vc+jwt" if vcdm == "2.0" else "JWT")
    report = await issuer.verify(token)
    assert report.verified, [(c.id, c.message) for c in report.failures]
    assert report.check("status.revocation").status == "passed"  # type: ignore[union-attr]
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    assert not (await issuer.verify(forged)).verified


async def test_ecdsa_sd_2023_base_proof_derives_and_verifies(issuer: Issuer) -> None:
    credential = issuer.issue("data-analysis", suite="ecdsa-sd-2023")["credential"]
    assert credential["proof"]["cryptosuite"] == "ecdsa-sd-2023"
    # Verifiers accept derived proofs only: the holder derives, here revealing the result.
    base = await issuer.verify(credential)
    assert not base.verified
    derived = derive(credential, ["/credentialSubject/result"])
    report = await issuer.verify(derived)
    assert report.verified, [(c.id, c.message) for c in report.failures]
    assert report.check("status.suspension").status == "passed"  # type: ignore[union-attr]
    # Mandatory statements are always disclosed; the evidence, not selected, is withheld.
    assert derived["credentialSubject"]["achievement"]["name"] == "Data Analysis Fundamentals"
    assert derived["issuer"]["id"] == credential["issuer"]["id"]
    assert "evidence" not in derived and derived["credentialSubject"]["result"]
    tampered = copy.deepcopy(derived)
    tampered["credentialSubject"]["result"][0]["value"] = "100"
    assert "proof" in failed_ids(await issuer.verify(tampered))


def test_sd_needs_vcdm_2(issuer: Issuer) -> None:
    response = issuer.http.post(
        "/api/issuer/credentials",
        json={
            "template": "teamwork",
            "recipient": {"did": LEARNER},
            "suite": "ecdsa-sd-2023",
            "vcdm": "1.1",
        },
    )
    assert response.status_code == 400
    assert response.json()["code"] == "issue.sd-needs-vcdm2"
