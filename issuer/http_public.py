"""Public documents: hosted status lists and did:web DID documents."""

from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from issuer.app import IssuerApp

DID_JSON = "application/did+json"


@get("/status/{list_id:str}", summary="A signed status list credential")
async def status_list(list_id: FromPath[str], svc: NamedDependency[IssuerApp]) -> Response[bytes]:
    """The signed BitstringStatusListCredential (or StatusList2021Credential) ``list_id``."""
    text, media = await svc.issuer.status.signed_list(list_id)
    return Response(text.encode("utf-8"), media_type=media, headers={"Cache-Control": "no-cache"})


@get("/.well-known/did.json", summary="The server's root did:web document")
async def root_did(svc: NamedDependency[IssuerApp]) -> Response[dict[str, object]]:
    """The DID document of the profile that is this origin's did:web."""
    return Response(await svc.issuer.profiles.did_document(None), media_type=DID_JSON)


@get("/issuers/{slug:str}/did.json", summary="A profile's did:web document")
async def profile_did(
    slug: FromPath[str], svc: NamedDependency[IssuerApp]
) -> Response[dict[str, object]]:
    """The DID document of did:web profile ``slug``."""
    return Response(await svc.issuer.profiles.did_document(slug), media_type=DID_JSON)


HANDLERS = [status_list, root_did, profile_did]
