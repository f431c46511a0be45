"""Shares over HTTP: create, list, download, revoke, access log; the public ``/s/{token}``."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, delete, get, post
from litestar.params import FromPath, JSONBody

from shared.errors import ServiceError
from wallet.common import not_found
from wallet.context import LearnerDep, WalletDep
from wallet.pages import share_page
from wallet.qr import qr_svg
from wallet.shapes import ShareRequest
from wallet.shares import share_url


@post("/shares", status_code=201)
async def create_share(
    wallet: WalletDep, learner: LearnerDep, data: JSONBody[ShareRequest]
) -> dict[str, Any]:
    """Share credentials as a holder-signed presentation at an unguessable link."""
    holder = await wallet.accounts.holder_key(learner)
    return await wallet.shares.create(
        learner,
        holder,
        data.credential_ids,
        expires_at=data.expires_at,
        title=data.title,
        disclose=data.disclose,
    )


@get("/shares")
async def list_shares(wallet: WalletDep, learner: LearnerDep) -> list[dict[str, Any]]:
    """The learner's shares, active or not."""
    return await wallet.shares.list(learner)


@get("/shares/{share_id:str}/presentation")
async def download_share(
    wallet: WalletDep, learner: LearnerDep, share_id: FromPath[str]
) -> Response[dict[str, Any]]:
    """The signed presentation, as a file."""
    presentation = await wallet.shares.presentation(learner, share_id)
    return Response(
        presentation,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="presentation-{share_id}.json"'},
    )


@delete("/shares/{share_id:str}", status_code=200)
async def revoke_share(
    wallet: WalletDep, learner: LearnerDep, share_id: FromPath[str]
) -> dict[str, Any]:
    """Revoke a share: its link answers 404 from now on."""
    return await wallet.shares.revoke(learner, share_id)


@get("/shares/{share_id:str}/log")
async def share_log(
    wallet: WalletDep, learner: LearnerDep, share_id: FromPath[str]
) -> list[dict[str, str]]:
    """Each opening of the share: when, and the user agent."""
    return await wallet.shares.log(learner, share_id)


_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; img-src https: data:; style-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}


def _gone() -> ServiceError:
    return not_found("share")


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split(",")[0]


@get("/{token:str}", include_in_schema=True)
async def open_share(
    request: Request[Any, Any, Any], wallet: WalletDep, token: FromPath[str]
) -> Response[Any]:
    """The signed presentation (JSON), or a page for a browser; 404 if revoked/expired/unknown."""
    presentation = await wallet.shares.open(token, request.headers.get("user-agent", ""))
    if presentation is None:
        raise _gone()
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    if _wants_html(request):
        page = share_page(presentation, share_url(wallet.runtime, token))
        return Response(page, media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)
    return Response(presentation, media_type="application/json", headers=headers)


@get("/{token:str}/print")
async def print_share(
    request: Request[Any, Any, Any], wallet: WalletDep, token: FromPath[str]
) -> Response[str]:
    """A printable page with the credential(s) and the verification QR code."""
    presentation = await wallet.shares.open(token, request.headers.get("user-agent", ""))
    if presentation is None:
        raise _gone()
    url = share_url(wallet.runtime, token)
    return Response(
        share_page(presentation, url, qr=qr_svg(url)),
        media_type="text/html; charset=utf-8",
        headers=_PAGE_HEADERS,
    )


ROUTES = [create_share, list_shares, download_share, revoke_share, share_log]
PUBLIC = [open_share, print_share]
