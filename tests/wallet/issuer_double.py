"""A small real issuer for wallet tests, mounted as a service module beside the wallet.

It signs OB 3.0 credentials with a did:key (eddsa-rdfc-2022), hosts a signed
Bitstring status list it can revoke entries of, serves credentials by URL, and
runs the holder side's counterparts: a VC-API issuance exchange (DID
authentication, then the credential) with its interaction URL, and a DCC
``vc_request_url``. Challenges are checked with the real pipeline.
"""

from __future__ import annotations

import base64
import gzip
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request, Router, get, post
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody

from shared.did import ResolveContext
from shared.did.key import did_key_for
from shared.keys import generate_key
from shared.proofs import sign_document
from shared.service.runtime import Runtime
from shared.verification.pipeline import VerifyOptions, verify

NAME = "issuer_double"
MIGRATIONS: list[str] = []

KEY = generate_key("Ed25519")
DID = did_key_for(KEY.public_key)
VM = f"{DID}#{DID.split(':')[-1]}"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
LIST_BITS = 131_072
STATUS = bytearray(LIST_BITS // 8)
SUSPENDED = bytearray(LIST_BITS // 8)
_challenges: dict[str, str] = {}
_next_index = [1]


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def revoke(index: int, bits: bytearray = STATUS) -> None:
    """Set the bit of ``index`` (most significant bit first) in a list (revocation by default)."""
    bits[index // 8] |= 0x80 >> (index % 8)


def suspend(index: int) -> None:
    """Set the suspension bit of ``index``."""
    revoke(index, SUSPENDED)


def ob3_credential(
    subject: str,
    *,
    base_url: str,
    name: str = "Data Analysis Fundamentals",
    skills: tuple[tuple[str, str], ...] = (("Data analysis", "ESCO"),),
    achievement_type: str = "Certificate",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    with_status: bool = False,
    status_purpose: str = "revocation",
    status_list: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An unsigned OB 3.0 OpenBadgeCredential for ``subject``."""
    start = valid_from or datetime(2025, 1, 1, tzinfo=UTC)
    credential: dict[str, Any] = {
        "@context": [VC_V2, OB_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": "Test University"},
        "validFrom": stamp(start),
        "name": name,
        "credentialSubject": {
            "id": subject,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"urn:uuid:{uuid.uuid4()}",
                "type": ["Achievement"],
                "name": name,
                "description": f"Awarded for completing {name}.",
                "criteria": {"narrative": "Pass the final assessment."},
                "achievementType": achievement_type,
                "image": {"id": "https://example.edu/badge.png", "type": "Image"},
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": skill,
                        "targetFramework": framework,
                        "targetUrl": f"https://example.org/skills/{skill.replace(' ', '-')}",
                    }
                    for skill, framework in skills
                ],
            },
        },
    }
    if valid_until is not None:
        credential["validUntil"] = stamp(valid_until)
    if with_status:
        index = _next_index[0]
        _next_index[0] += 1
        default = "1" if status_purpose == "revocation" else "suspension"
        url = f"{base_url}/issuer-double/status/{status_list or default}"
        credential["credentialStatus"] = {
            "id": f"{url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": status_purpose,
            "statusListIndex": str(index),
            "statusListCredential": url,
        }
    if extra:
        credential.update(extra)
    return credential


def sign(credential: dict[str, Any]) -> dict[str, Any]:
    """Sign as the test issuer."""
    return sign_document(credential, KEY, VM, created=credential["validFrom"])


def issue(subject: str, *, base_url: str, **options: Any) -> dict[str, Any]:
    """A signed OB 3.0 credential for ``subject``."""
    return sign(ob3_credential(subject, base_url=base_url, **options))


def issuer_router(runtime: Runtime) -> Router:
    base = runtime.settings.base_url

    @get("/status/{name:str}")
    async def status_list(name: FromPath[str]) -> dict[str, Any]:
        lists = {"1": ("revocation", STATUS), "suspension": ("suspension", SUSPENDED)}
        if name not in lists:
            raise NotFoundException()
        purpose, bits = lists[name]
        encoded = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits))).decode().rstrip("=")
        url = f"{base}/issuer-double/status/{name}"
        return sign_document(
            {
                "@context": [VC_V2],
                "id": url,
                "type": ["VerifiableCredential", "BitstringStatusListCredential"],
                "issuer": DID,
                "validFrom": stamp(runtime.now() - timedelta(minutes=1)),
                "credentialSubject": {
                    "id": f"{url}#list",
                    "type": "BitstringStatusList",
                    "statusPurpose": purpose,
                    "encodedList": encoded,
                },
            },
            KEY,
            VM,
        )

    @get("/credentials/{name:str}")
    async def by_url(
        name: FromPath[str], subject: FromQuery[str] = "did:example:someone"
    ) -> dict[str, Any]:
        return issue(subject, base_url=base, name=name)

    @get("/interact/{n:str}")
    async def interaction(n: FromPath[str]) -> dict[str, Any]:
        return {"protocols": {"vcapi": f"{base}/issuer-double/exchanges/{n}"}}

    async def _holder_of(vp: Any, challenge: str | None) -> str:
        options = VerifyOptions(
            resolve=ResolveContext(fetcher=runtime.fetcher), now=runtime.now, challenge=challenge
        )
        report = await verify(vp, options=options)
        if not report.verified or not isinstance(vp, dict) or not isinstance(vp.get("holder"), str):
            raise NotAuthorizedException("the DID authentication did not verify")
        return str(vp["holder"])

    @post("/exchanges/{n:str}", status_code=200)
    async def exchange(n: FromPath[str], data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        if "verifiablePresentation" not in data:
            challenge = _challenges[n] = secrets.token_urlsafe(12)
            return {
                "verifiablePresentationRequest": {
                    "query": [{"type": "DIDAuthentication"}],
                    "challenge": challenge,
                    "domain": base,
                }
            }
        holder = await _holder_of(data["verifiablePresentation"], _challenges.pop(n, None))
        vc = issue(holder, base_url=base, name=f"Exchange badge {n}")
        return {
            "verifiablePresentation": {
                "@context": [VC_V2],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": [vc],
            }
        }

    @post("/dcc/{challenge:str}", status_code=200)
    async def dcc(challenge: FromPath[str], request: Request[Any, Any, Any]) -> dict[str, Any]:
        holder = await _holder_of(await request.json(), challenge)
        return issue(holder, base_url=base, name="DCC badge")

    return Router(
        path="/issuer-double",
        route_handlers=[status_list, by_url, interaction, exchange, dcc],
    )


SD_KEY = generate_key("P-256")
SD_DID = did_key_for(SD_KEY.public_key)
SD_VM = f"{SD_DID}#{SD_DID.split(':')[-1]}"
SD_MANDATORY = [
    "/issuer",
    "/validFrom",
    "/credentialSubject/id",
    "/credentialSubject/achievement/name",
    "/credentialSubject/achievement/criteria",
]


def issue_sd(subject: str, *, base_url: str, **options: Any) -> dict[str, Any]:
    """An OB 3.0 credential with an ecdsa-sd-2023 base proof (P-256 did:key issuer)."""
    credential = ob3_credential(subject, base_url=base_url, **options)
    credential["issuer"]["id"] = SD_DID
    credential["credentialSubject"]["activityEndDate"] = "2025-06-30T00:00:00Z"
    credential["credentialSubject"]["achievement"]["creator"] = {
        "id": SD_DID,
        "type": ["Profile"],
        "name": "Test University",
    }
    return sign_document(
        credential,
        SD_KEY,
        SD_VM,
        suite="ecdsa-sd-2023",
        created=credential["validFrom"],
        mandatoryPointers=SD_MANDATORY,
    )


# -- a verifier's VC-API exchange (asks for an Open Badge, checks challenge and domain) --------

RECEIVED: dict[str, Any] = {}


def verifier_router(runtime: Runtime) -> Router:
    base = runtime.settings.base_url
    challenges: dict[str, str] = {}

    @get("/interact/{n:str}")
    async def interaction(n: FromPath[str]) -> dict[str, Any]:
        return {"protocols": {"vcapi": f"{base}/verifier-double/exchanges/{n}"}}

    @post("/exchanges/{n:str}", status_code=200)
    async def exchange(n: FromPath[str], data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        if "verifiablePresentation" not in data:
            challenges[n] = secrets.token_urlsafe(12)
            return {
                "verifiablePresentationRequest": {
                    "query": [
                        {
                            "type": "QueryByExample",
                            "credentialQuery": {
                                "reason": "We check applicants' badges.",
                                "example": {
                                    "type": ["VerifiableCredential", "OpenBadgeCredential"]
                                },
                            },
                        }
                    ],
                    "challenge": challenges[n],
                    "domain": base,
                }
            }
        options = VerifyOptions(
            resolve=ResolveContext(fetcher=runtime.fetcher),
            now=runtime.now,
            challenge=challenges.pop(n, "missing"),
            domain=base,
        )
        report = await verify(data["verifiablePresentation"], options=options)
        RECEIVED[n] = {"presentation": data["verifiablePresentation"], "report": report}
        return {"verified": report.verified, "redirectUrl": f"{base}/done/{n}"}

    return Router(path="/verifier-double", route_handlers=[interaction, exchange])


def router(runtime: Runtime) -> Router:
    """The service module's router: the issuer and the verifier doubles."""
    return Router(path="/", route_handlers=[issuer_router(runtime), verifier_router(runtime)])
