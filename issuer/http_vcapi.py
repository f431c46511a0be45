"""W3C VC-API issuing: ``POST /credentials/issue`` and per-suite issuers."""

from __future__ import annotations

import urllib.parse
from typing import Any

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from issuer.app import IssuerApp
from issuer.core import Issued
from shared.issue import DEFAULT_OPTION, signing_option

VC_V2 = "https://www.w3.org/ns/credentials/v2"


class IssueCredentialRequest(msgspec.Struct, forbid_unknown_fields=True):
    """VC-API IssueCredentialRequest."""

    credential: dict[str, Any]
    options: dict[str, Any] | None = None


def _response(issued: Issued) -> dict[str, Any]:
    if isinstance(issued.credential, str):
        # A JWT travels as a VCDM 2.0 enveloped credential.
        token = urllib.parse.quote(issued.credential, safe=".-_~")
        return {
            "verifiableCredential": {
                "@context": [VC_V2],
                "id": f"data:application/vc+jwt,{token}",
                "type": "EnvelopedVerifiableCredential",
            }
        }
    return {"verifiableCredential": issued.credential}


@get("/issuers", summary="Issuer DIDs per suite")
async def list_issuers(svc: NamedDependency[IssuerApp]) -> list[dict[str, Any]]:
    """For every profile and suite: the DID credentials are issued as."""
    return await svc.issuer.issuers()


@post("/credentials/issue", summary="Issue a credential with the default suite")
async def issue_default(
    data: JSONBody[IssueCredentialRequest], svc: NamedDependency[IssuerApp]
) -> dict[str, Any]:
    """Sign ``credential`` with the default suite (eddsa-rdfc-2022)."""
    issued = await svc.issuer.issue_document(
        data.credential, signing_option(DEFAULT_OPTION), data.options
    )
    return _response(issued)


@post("/issuers/{suite:str}/credentials/issue", summary="Issue a credential with one suite")
async def issue_with_suite(
    suite: FromPath[str], data: JSONBody[IssueCredentialRequest], svc: NamedDependency[IssuerApp]
) -> dict[str, Any]:
    """Sign ``credential`` with ``suite`` (see ``GET /issuers``)."""
    issued = await svc.issuer.issue_document(data.credential, signing_option(suite), data.options)
    return _response(issued)


PUBLIC = [list_issuers]
GUARDED = [issue_default, issue_with_suite]
