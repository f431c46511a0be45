"""QR codes (made with ``qrcode``) as accessible SVG or as PNG, without an imaging library.

``qr_svg`` draws the modules as one path in an SVG whose ``<title>`` says what the code
holds (screen readers announce it); ``qr_png`` writes a black-and-white PNG directly.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from html import escape

import qrcode
import qrcode.constants

_BORDER = 4  # modules of quiet zone, as ISO/IEC 18004 requires


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR modules for ``text`` (True = dark), quiet zone included."""
    code = qrcode.QRCode(border=_BORDER, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def qr_svg(text: str, *, title: str | None = None, module_px: int = 6) -> str:
    """An SVG QR code of ``text``; ``title`` (default: a description of it) labels it."""
    matrix = qr_matrix(text)
    size = len(matrix)
    label = title if title is not None else "QR code: " + _shorten(text)
    runs: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    pixels = size * module_px
    # A per-content id, so several codes on one page keep distinct labels.
    title_id = "qr-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{title_id}" '
        f'width="{pixels}" height="{pixels}" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges">'
        f'<title id="{title_id}">{escape(label)}</title>'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def qr_png(text: str, *, module_px: int = 8) -> bytes:
    """A PNG QR code of ``text`` (1-bit greyscale, ``module_px`` pixels per module)."""
    matrix = qr_matrix(text)
    width = len(matrix) * module_px
    rows = bytearray()
    for row in matrix:
        bits = [0 if dark else 1 for dark in row for _ in range(module_px)]  # 1 = white
        line = bytearray(b"\x00")  # filter type: none
        for i in range(0, width, 8):
            byte = 0
            for bit in bits[i : i + 8]:
                byte = (byte << 1) | bit
            byte <<= 8 - len(bits[i : i + 8])
            line.append(byte)
        rows += bytes(line) * module_px
    header = struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )
