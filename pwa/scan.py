"""Decode a QR code from a photo: the camera fallback when the browser has no BarcodeDetector.

The image is untrusted: its byte size is bounded by the app's body limit, its pixel count
is checked from the header before any pixel is decoded (decompression-bomb guard), and only
still raster formats are accepted. The decoded text is returned as data; nothing is followed.
"""

from __future__ import annotations

import io
import warnings
from typing import Annotated

import msgspec
import zxingcpp
from litestar import post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from PIL import Image

from shared.errors import ServiceError

# A 12-megapixel phone photo passes; anything far larger is refused before decoding.
MAX_PIXELS = 16_000_000
MAX_SIDE = 8_000
# Larger photos are scaled down before decoding (zxing needs far less than a full photo).
DECODE_SIDE = 2_000
FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF", "BMP"})


class ScanResult(msgspec.Struct):
    """The text of the first QR code found, and what kind of code it was."""

    payload: str
    format: str


def _open_image(data: bytes) -> Image.Image:
    """Open ``data`` as a bounded still raster image (header checked before decoding)."""
    if not data:
        raise ServiceError("The image is empty.", code="scan.empty", status=400)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=sorted(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ServiceError(
            "The image is too large to decode.", code="scan.image-too-large", status=413
        ) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ServiceError(
            "This is not an image Satchel can read (PNG, JPEG, WebP, GIF or BMP).",
            code="scan.not-an-image",
            status=415,
        ) from exc
    width, height = image.size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise ServiceError(
            f"The image is too large to decode ({width}×{height} pixels).",
            code="scan.image-too-large",
            status=413,
        )
    return image


def decode_qr(data: bytes) -> ScanResult:
    """The first QR (or other 2D) code in the image ``data``; typed errors otherwise."""
    image = _open_image(data)
    try:
        image.seek(0)
        image.draft("L", (DECODE_SIDE, DECODE_SIDE))  # JPEG: decode at reduced scale
        gray = image.convert("L")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ServiceError(
            "The image could not be decoded.", code="scan.not-an-image", status=415
        ) from exc
    if max(gray.size) > DECODE_SIDE:
        gray.thumbnail((DECODE_SIDE, DECODE_SIDE))
    codes = zxingcpp.read_barcodes(gray)
    for code in codes:
        if code.valid and code.text:
            return ScanResult(payload=code.text, format=str(code.format.name))
    raise ServiceError(
        "No QR code was found in this picture. Try again closer, with the code flat and lit.",
        code="scan.no-code",
        status=422,
    )


@post("/api/scan", status_code=200, summary="Decode a QR code from a photo")
async def scan_image(
    data: Annotated[dict[str, UploadFile], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> ScanResult:
    """Multipart ``image`` (or ``file``) → ``{payload, format}``; the payload is not followed."""
    upload = data.get("image") or data.get("file")
    if not isinstance(upload, UploadFile):
        raise ServiceError(
            "Send the picture as a multipart field named 'image'.",
            code="scan.missing-image",
            status=400,
        )
    content = await upload.read()
    return decode_qr(content)
