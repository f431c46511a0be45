"""The career-services API (``/api/issuer/...``) the PWA uses."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from issuer.app import IssuerApp
from issuer.core import Issuer, Recipient


class IssueRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Issue a template to a learner."""

    template: str
    recipient: Recipient
    suite: str | None = None
    format: Literal["ldp", "jwt"] | None = None
    vcdm: Literal["2.0", "1.1"] | None = None
    valid_until: str | None = None
    profile: str | None = None
    status_list: Literal["bitstring", "statuslist2021"] | None = None
    # False: a revocation entry only, so the credential can name the OB 3.0 schema.
    suspendable: bool = True


class OfferRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Offer a template through OpenID4VCI."""

    template: str
    recipient: Recipient | None = None
    suite: str | None = None
    format: Literal["ldp_vc", "jwt_vc_json"] | None = None
    tx_code: bool = False
    by_value: bool = False
    expires_in: int | None = None
    profile: str | None = None


class ProfileRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A new issuer profile."""

    name: str
    slug: str | None = None
    url: str | None = None
    image: str | None = None
    email: str | None = None
    did_method: Literal["key", "web"] = "key"
    web_root: bool = False
    default: bool = False


@get("/api/issuer/templates", summary="Credential templates")
async def templates(svc: NamedDependency[IssuerApp]) -> list[dict[str, Any]]:
    """Every template: ``{id, name, description, achievementType, kind}``."""
    return await svc.issuer.templates()


@post("/api/issuer/templates", summary="Add an achievement template")
async def add_template(
    data: JSONBody[dict[str, Any]], svc: NamedDependency[IssuerApp]
) -> dict[str, Any]:
    """Add a template; one missing a required Open Badges field is refused, naming it."""
    return await svc.issuer.add_template(data)


@get("/api/issuer/profiles", summary="Issuer profiles")
async def profiles(svc: NamedDependency[IssuerApp]) -> list[dict[str, Any]]:
    """Every issuer profile, the default first."""
    return [p.to_json() for p in await svc.issuer.profiles.all()]


@post("/api/issuer/profiles", summary="Create an issuer profile")
async def create_profile(
    data: JSONBody[ProfileRequest], svc: NamedDependency[IssuerApp]
) -> dict[str, Any]:
    """A new profile with fresh keys (did:key, or did:web served by this server)."""
    profile = await svc.issuer.profiles.create(
        data.name,
        slug=data.slug,
        url=data.url,
        image=data.image,
        email=data.email,
        did_method=data.did_method,
        web_root=data.web_root,
        default=data.default,
    )
    return profile.to_json()


@post("/api/issuer/credentials", summary="Issue a credential from a template")
async def issue(data: JSONBody[IssueRequest], svc: NamedDependency[IssuerApp]) -> dict[str, Any]:
    """Issue ``template`` to ``recipient``: ``{id, credential}`` (JSON or a JWT string)."""
    issued = await svc.issuer.issue_template(
        data.template,
        data.recipient,
        option=Issuer.choose(data.suite, data.format),
        vcdm=data.vcdm or "2.0",
        valid_until=data.valid_until,
        profile=data.profile,
        status_list=data.status_list,
        suspendable=data.suspendable,
    )
    return {"id": issued.id, "credential": issued.credential}


@get("/api/issuer/credentials", summary="Issued credentials")
async def records(svc: NamedDependency[IssuerApp]) -> list[dict[str, Any]]:
    """Every issued credential with its status."""
    return await svc.issuer.records()


@get("/api/issuer/credentials/{record_id:str}", summary="One issued credential")
async def record(record_id: FromPath[str], svc: NamedDependency[IssuerApp]) -> dict[str, Any]:
    """An issued credential's record and the credential."""
    return await svc.issuer.record(record_id)


@post("/api/issuer/credentials/{record_id:str}/revoke", status_code=200, summary="Revoke")
async def revoke(record_id: FromPath[str], svc: NamedDependency[IssuerApp]) -> dict[str, str]:
    """Revoke for good."""
    return await svc.issuer.change_status(record_id, "revoke")


@post("/api/issuer/credentials/{record_id:str}/suspend", status_code=200, summary="Suspend")
async def suspend(record_id: FromPath[str], svc: NamedDependency[IssuerApp]) -> dict[str, str]:
    """Suspend (reversible)."""
    return await svc.issuer.change_status(record_id, "suspend")


@post("/api/issuer/credentials/{record_id:str}/unsuspend", status_code=200, summary="Unsuspend")
async def unsuspend(record_id: FromPath[str], svc: NamedDependency[IssuerApp]) -> dict[str, str]:
    """Lift a suspension."""
    return await svc.issuer.change_status(record_id, "unsuspend")


@post("/api/issuer/offers", summary="Offer a credential through OpenID4VCI")
async def create_offer(
    data: JSONBody[OfferRequest], svc: NamedDependency[IssuerApp]
) -> dict[str, Any]:
    """``{id, offer_uri, qr_svg, tx_code?, expires_at}``; the tx_code is shown only here."""
    created = await svc.offers.create(
        data.template,
        recipient=data.recipient,
        suite=data.suite,
        fmt=data.format,
        tx_code=data.tx_code,
        by_value=data.by_value,
        expires_in=data.expires_in,
        profile=data.profile,
    )
    return created.to_json()


@get("/api/issuer/offers/{offer_id:str}", summary="Where an offer stands")
async def offer_state(offer_id: FromPath[str], svc: NamedDependency[IssuerApp]) -> dict[str, Any]:
    """``{id, state: pending|redeemed|issued|expired, expires_at, credential?}``."""
    return await svc.offers.state(offer_id)


PUBLIC = [templates, profiles]
GUARDED = [
    add_template,
    create_profile,
    issue,
    records,
    record,
    revoke,
    suspend,
    unsuspend,
    create_offer,
    offer_state,
]
