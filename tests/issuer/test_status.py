"""Revocation and suspension through the lists the server serves and signs."""

from __future__ import annotations

from typing import Any

import pytest

from shared.status.bitstring import MIN_ENTRIES, decode_list, read_value
from shared.status.statuslist2021 import SL2021_CONTEXT
from shared.verification.pipeline import verify
from tests.issuer.conftest import Issuer, failed_ids, problem


def _status(report: Any, check_id: str) -> tuple[str, str | None]:
    check = report.check(check_id)
    assert check is not None, check_id
    return check.status, check.code


async def test_revoke(issuer: Issuer) -> None:
    issued = issuer.issue()
    report = await issuer.verify(issued["credential"])
    assert report.verified
    answer = issuer.http.post(f"/api/issuer/credentials/{issued['id']}/revoke")
    assert answer.status_code == 200 and answer.json() == {"id": issued["id"], "status": "revoked"}
    report = await issuer.verify(issued["credential"])
    assert not report.verified
    assert _status(report, "status.revocation") == ("failed", "status.revoked")
    assert _status(report, "status.suspension")[0] == "passed"
    # Revocation is final.
    again = issuer.http.post(f"/api/issuer/credentials/{issued['id']}/unsuspend")
    assert problem(again, 409)["code"] == "issuer.status-conflict"
    assert problem(issuer.http.post(f"/api/issuer/credentials/{issued['id']}/revoke"), 409)


async def test_suspend_and_unsuspend(issuer: Issuer) -> None:
    issued = issuer.issue(format="jwt")
    base = f"/api/issuer/credentials/{issued['id']}"
    assert issuer.http.post(base + "/suspend").json()["status"] == "suspended"
    report = await issuer.verify(issued["credential"])
    assert not report.verified and failed_ids(report) == {"status.suspension"}
    assert _status(report, "status.suspension") == ("failed", "status.suspended")
    assert problem(issuer.http.post(base + "/suspend"), 409)["code"] == "issuer.status-conflict"
    assert issuer.http.post(base + "/unsuspend").json()["status"] == "active"
    report = await issuer.verify(issued["credential"])
    assert report.verified, [(c.id, c.message) for c in report.failures]
    listed = {r["id"]: r for r in issuer.http.get("/api/issuer/credentials").json()}
    assert listed[issued["id"]]["status"] == "active"


async def test_other_credentials_in_the_same_list_are_untouched(issuer: Issuer) -> None:
    keep, drop = issuer.issue(), issuer.issue()
    assert (
        keep["credential"]["credentialStatus"][0]["statusListCredential"]
        == (drop["credential"]["credentialStatus"][0]["statusListCredential"])
    )
    issuer.http.post(f"/api/issuer/credentials/{drop['id']}/revoke")
    assert (await issuer.verify(keep["credential"])).verified
    assert not (await issuer.verify(drop["credential"])).verified


def test_served_list_is_a_signed_bitstring_of_the_minimum_size(issuer: Issuer) -> None:
    issued = issuer.issue()
    entries = issued["credential"]["credentialStatus"]
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
    assert all(e["type"] == "BitstringStatusListEntry" for e in entries)
    index = int(entries[0]["statusListIndex"])
    issuer.http.post(f"/api/issuer/credentials/{issued['id']}/revoke")
    response = issuer.anonymous.get(entries[0]["statusListCredential"])
    assert response.status_code == 200
    doc = response.json()
    assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert doc["issuer"] == issued["credential"]["issuer"]["id"]
    assert doc["credentialSubject"]["statusPurpose"] == "revocation"
    encoded = doc["credentialSubject"]["encodedList"]
    assert encoded.startswith("uH4sI")  # multibase base64url of GZIP
    bits = decode_list(encoded)
    assert len(bits) * 8 == MIN_ENTRIES
    assert read_value(bits, index) == 1
    assert sum(bin(b).count("1") for b in bits) >= 1
    assert doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


async def test_tampered_status_list_is_refused(issuer: Issuer) -> None:
    issued = issuer.issue()
    url = issued["credential"]["credentialStatus"][0]["statusListCredential"]
    listed = issuer.anonymous.get(url).json()
    listed["credentialSubject"]["statusPurpose"] = "suspension"
    report = await verify(listed, options=_options(issuer))
    assert not report.verified and "proof" in failed_ids(report)


def _options(issuer: Issuer) -> Any:
    from shared.verification.pipeline import VerifyOptions

    return VerifyOptions(resolve=issuer.resolve())


@pytest.mark.parametrize("vcdm", ["1.1", "2.0"])
async def test_statuslist2021_option(issuer: Issuer, vcdm: str) -> None:
    issued = issuer.issue(status_list="statuslist2021", vcdm=vcdm)
    credential = issued["credential"]
    assert SL2021_CONTEXT in credential["@context"]
    assert {e["type"] for e in credential["credentialStatus"]} == {"StatusList2021Entry"}
    assert (await issuer.verify(credential)).verified
    issuer.http.post(f"/api/issuer/credentials/{issued['id']}/suspend")
    report = await issuer.verify(credential)
    assert _status(report, "status.suspension") == ("failed", "status.suspended")
    url = credential["credentialStatus"][0]["statusListCredential"]
    listed = issuer.anonymous.get(url).json()
    assert listed["type"] == ["VerifiableCredential", "StatusList2021Credential"]
    assert not listed["credentialSubject"]["encodedList"].startswith("u")


async def test_not_suspendable_credential_has_one_entry_and_names_its_schema(
    issuer: Issuer,
) -> None:
    issued = issuer.issue("data-analysis", suspendable=False)
    credential = issued["credential"]
    assert credential["credentialStatus"]["statusPurpose"] == "revocation"
    report = await issuer.verify(credential)
    assert report.verified
    assert report.check("schema").status == "passed"  # type: ignore[union-attr]
    answer = issuer.http.post(f"/api/issuer/credentials/{issued['id']}/suspend")
    assert problem(answer, 409)["code"] == "issuer.status-conflict"


def test_unknown_list_and_record_are_404(issuer: Issuer) -> None:
    assert problem(issuer.anonymous.get("/status/nope"), 404)["code"] == "issuer.no-list"
    answer = issuer.http.post("/api/issuer/credentials/nope/revoke")
    assert problem(answer, 404)["code"] == "issuer.no-credential"
