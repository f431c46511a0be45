"""QR codes: the SVG and PNG both draw exactly the modules qrcode computed."""

from __future__ import annotations

import re
import struct
import zlib
from xml.etree import ElementTree

from shared.qr import qr_matrix, qr_png, qr_svg

TEXT = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fexample.edu%2Fo%2F1"


def _svg_modules(svg: str) -> tuple[int, set[tuple[int, int]]]:
    root = ElementTree.fromstring(svg)
    size = int(root.attrib["viewBox"].split()[2])
    path = root.find("{http://www.w3.org/2000/svg}path")
    assert path is not None
    dark: set[tuple[int, int]] = set()
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path.attrib["d"]):
        dark |= {(int(x) + i, int(y)) for i in range(int(width))}
    return size, dark


def test_svg_is_labelled_and_draws_the_matrix() -> None:
    svg = qr_svg(TEXT, title="Offer from <Riverbend>")
    root = ElementTree.fromstring(svg)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == "Offer from <Riverbend>"
    assert root.attrib["role"] == "img" and root.attrib["aria-labelledby"] == title.attrib["id"]
    matrix = qr_matrix(TEXT)
    size, dark = _svg_modules(svg)
    assert size == len(matrix)
    assert dark == {(x, y) for y, row in enumerate(matrix) for x, on in enumerate(row) if on}
    assert qr_svg("other text") != svg


def test_default_title_says_what_it_holds() -> None:
    root = ElementTree.fromstring(qr_svg("https://example.edu/x"))
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and "https://example.edu/x" in (title.text or "")


def _png_pixels(data: bytes) -> tuple[int, list[list[int]]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert width == height and depth == 1 and colour == 0
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + (width + 7) // 8
    rows = []
    for y in range(width):
        line = raw[y * stride : (y + 1) * stride]
        assert line[0] == 0
        rows.append([(line[1 + x // 8] >> (7 - x % 8)) & 1 for x in range(width)])
    return width, rows


def test_png_draws_the_matrix() -> None:
    matrix = qr_matrix(TEXT)
    width, rows = _png_pixels(qr_png(TEXT, module_px=3))
    assert width == len(matrix) * 3
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            assert rows[y * 3 + 1][x * 3 + 1] == (0 if dark else 1)
