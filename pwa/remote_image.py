"""Fetch a credential's remote image on the learner's request, through the guarded fetcher.

The app's Content-Security-Policy keeps the page from loading remote images itself (they
would tell a third party when a credential is opened). When the learner asks, the server
fetches the image (https, public addresses only, size-limited) and hands back the bytes,
which the page shows from a ``blob:`` URL inside ``<img>`` (where SVG scripts never run).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, post
from litestar.params import JSONBody

from shared.errors import SatchelError, ServiceError
from shared.service.runtime import Runtime

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"})


class ImageRequest(msgspec.Struct):
    """The image URL a credential names."""

    url: str


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def make_handler(runtime: Runtime) -> Any:
    """``POST /api/remote-image`` bound to ``runtime``'s fetcher."""

    @post("/api/remote-image", status_code=200, summary="Fetch a credential image on request")
    async def remote_image(data: JSONBody[ImageRequest]) -> Response[bytes]:
        if not data.url.startswith("https://") and not data.url.startswith("http://"):
            raise ServiceError(
                "Only http(s) image URLs can be fetched.", code="image.bad-url", status=400
            )
        try:
            result = await runtime.fetcher.get(data.url, accept=", ".join(sorted(IMAGE_TYPES)))
        except SatchelError as exc:
            raise ServiceError(
                f"The image could not be fetched: {exc.message}",
                code="image.unreachable",
                status=502,
            ) from exc
        media = _media_type(result.content_type)
        if media not in IMAGE_TYPES:
            raise ServiceError(
                "The address did not return an image.", code="image.not-an-image", status=422
            )
        return Response(
            result.body,
            media_type=media,
            headers={
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
                "Cache-Control": "private, max-age=300",
            },
        )

    return remote_image
