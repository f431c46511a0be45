"""Baked Open Badges 3.0 images: a credential carried inside a PNG or an SVG.

OB 3.0 §5.3 bakes the credential (its JSON, or the compact JWS of a VC-JWT) into
a PNG ``iTXt`` chunk with the keyword ``openbadgecredential``, or into an SVG
``<openbadges:credential>`` element (namespace ``https://purl.imsglobal.org/ob/v3p0``)
whose ``verify`` attribute holds a JWS or whose text holds the JSON.

Images are untrusted input, so extraction is bounded: the image size, every chunk's
declared length, the number of chunks and any decompression (``zTXt``, compressed
``iTXt``) are capped, chunk CRCs are checked, and SVG is parsed without DTDs, entity
expansion or external references (``defusedxml``). Nothing here verifies the credential:
that is the pipeline's job.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any, Final
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from shared.errors import InputError
from shared.verification.parse import InputLimits, looks_like_jwt, parse_json

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD: Final = "openbadgecredential"
OB3_NAMESPACE: Final = "https://purl.imsglobal.org/ob/v3p0"
# Seen in the wild (a common misreading of the spec); accepted when extracting only.
OB3_NAMESPACES: Final = frozenset({OB3_NAMESPACE, "https://purl.imsglobal.org/spec/ob/v3p0"})
OB2_PNG_KEYWORD: Final = "openbadges"
OB2_NAMESPACE: Final = "http://openbadges.org"
SVG_NAMESPACE: Final = "http://www.w3.org/2000/svg"

MAX_IMAGE_BYTES: Final = 8 * 1024 * 1024
MAX_CHUNKS: Final = 10_000
MAX_TEXT_BYTES: Final = InputLimits().max_bytes


class BakedError(InputError):
    """A baked image is malformed, holds no credential, or holds more than one."""

    code = "baked.invalid"


def is_png(data: bytes) -> bool:
    """True if ``data`` starts with the PNG signature."""
    return data.startswith(PNG_SIGNATURE)


def looks_like_svg(data: bytes) -> bool:
    """True if ``data`` is text that starts like an XML/SVG document."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--")


def extract_baked(data: bytes, *, max_text_bytes: int = MAX_TEXT_BYTES) -> str | dict[str, Any]:
    """The credential baked into a PNG or SVG: a compact JWS string or the parsed JSON.

    Raises :class:`BakedError` (``baked.*`` codes) when the image is malformed, too large,
    holds no OB 3.0 credential or holds several.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise BakedError(
            f"The image is {len(data)} bytes; the limit is {MAX_IMAGE_BYTES}.",
            code="baked.too-large",
        )
    if is_png(data):
        text = _png_credential_text(data, max_text_bytes)
    elif looks_like_svg(data):
        text = _svg_credential_text(data, max_text_bytes)
    else:
        raise BakedError(
            "Not a PNG or SVG image, so no baked credential can be read from it.",
            code="baked.unsupported-image",
        )
    return _decode_payload(text, max_text_bytes)


def _decode_payload(text: str, max_text_bytes: int) -> str | dict[str, Any]:
    stripped = text.strip()
    if not stripped:
        raise BakedError("The baked credential is empty.", code="baked.empty")
    if looks_like_jwt(stripped):
        return stripped
    value = parse_json(stripped, InputLimits(max_bytes=max_text_bytes))
    if not isinstance(value, dict):
        raise BakedError(
            "The baked credential is neither a JSON object nor a compact JWS.",
            code="baked.not-a-credential",
        )
    return value


# -- PNG ------------------------------------------------------------------------------


def _iter_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every (type, data) chunk up to IEND, each CRC-checked and length-bounded."""
    chunks: list[tuple[bytes, bytes]] = []
    pos = len(PNG_SIGNATURE)
    while True:
        if len(chunks) >= MAX_CHUNKS:
            raise BakedError(f"The PNG has more than {MAX_CHUNKS} chunks.", code="baked.too-large")
        if pos + 8 > len(data):
            raise BakedError("The PNG ends before its IEND chunk.", code="baked.corrupt")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        end = pos + 8 + length + 4
        if length > 0x7FFFFFFF or end > len(data):
            raise BakedError(
                "A PNG chunk declares a length beyond the end of the file.", code="baked.corrupt"
            )
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
            raise BakedError(
                f"The PNG chunk {ctype.decode('latin-1')!r} fails its CRC check: the image "
                "was altered or damaged.",
                code="baked.corrupt",
            )
        chunks.append((ctype, body))
        pos = end
        if ctype == b"IEND":
            return chunks


def _inflate(compressed: bytes, limit: int) -> bytes:
    decomp = zlib.decompressobj()
    try:
        out = decomp.decompress(compressed, limit + 1)
    except zlib.error as exc:
        raise BakedError("A compressed PNG text chunk is corrupt.", code="baked.corrupt") from exc
    if len(out) > limit or decomp.unconsumed_tail:
        raise BakedError(
            f"A compressed PNG text chunk inflates beyond {limit} bytes.",
            code="baked.too-large",
        )
    if not decomp.eof:
        raise BakedError("A compressed PNG text chunk is truncated.", code="baked.corrupt")
    return out


def _text_chunk(ctype: bytes, body: bytes, limit: int) -> tuple[str, str] | None:
    """(keyword, text) of a tEXt/zTXt/iTXt chunk, or None for other chunks."""
    if ctype not in (b"tEXt", b"zTXt", b"iTXt"):
        return None
    keyword_raw, sep, rest = body.partition(b"\x00")
    if not sep or not 1 <= len(keyword_raw) <= 79:
        raise BakedError("A PNG text chunk has no valid keyword.", code="baked.corrupt")
    keyword = keyword_raw.decode("latin-1")
    if keyword not in (PNG_KEYWORD, OB2_PNG_KEYWORD):
        return keyword, ""
    if ctype == b"tEXt":
        raw = rest
        encoding = "latin-1"
    elif ctype == b"zTXt":
        if len(rest) < 1 or rest[0] != 0:
            raise BakedError("A zTXt chunk uses an unknown compression.", code="baked.corrupt")
        raw = _inflate(rest[1:], limit)
        encoding = "latin-1"
    else:
        if len(rest) < 2:
            raise BakedError("An iTXt chunk is truncated.", code="baked.corrupt")
        flag, method = rest[0], rest[1]
        fields = rest[2:].split(b"\x00", 2)
        if len(fields) != 3:
            raise BakedError("An iTXt chunk is truncated.", code="baked.corrupt")
        payload = fields[2]
        if flag == 1:
            if method != 0:
                raise BakedError("An iTXt chunk uses an unknown compression.", code="baked.corrupt")
            raw = _inflate(payload, limit)
        elif flag == 0:
            raw = payload
        else:
            raise BakedError("An iTXt chunk has an invalid compression flag.", code="baked.corrupt")
        encoding = "utf-8"
    if len(raw) > limit:
        raise BakedError(
            f"The baked credential is {len(raw)} bytes; the limit is {limit}.",
            code="baked.too-large",
        )
    try:
        return keyword, raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise BakedError("The baked credential is not UTF-8 text.", code="baked.corrupt") from exc


def _png_credential_text(data: bytes, limit: int) -> str:
    found: list[str] = []
    ob2 = False
    for ctype, body in _iter_chunks(data):
        text = _text_chunk(ctype, body, limit)
        if text is None:
            continue
        keyword, value = text
        if keyword == PNG_KEYWORD:
            found.append(value)
        elif keyword == OB2_PNG_KEYWORD:
            ob2 = True
    return _one(found, ob2, "PNG")


def _one(found: list[str], ob2: bool, kind: str) -> str:
    if len(found) > 1:
        raise BakedError(
            f"The {kind} carries {len(found)} baked credentials; refusing to pick one.",
            code="baked.ambiguous",
        )
    if found:
        return found[0]
    if ob2:
        raise BakedError(
            f"The {kind} carries an Open Badges 2.0 assertion, not an OB 3.0 credential; "
            "Satchel verifies Open Badges 3.0 only.",
            code="baked.openbadges-2",
        )
    raise BakedError(
        f"The {kind} image carries no baked Open Badges 3.0 credential.", code="baked.not-found"
    )


# -- SVG ------------------------------------------------------------------------------


def _svg_credential_text(data: bytes, limit: int) -> str:
    try:
        root: Element = SafeET.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise BakedError(
            "The SVG declares a DTD or entities; refusing to process it.",
            code="baked.unsafe-xml",
        ) from exc
    except SafeET.ParseError as exc:
        raise BakedError(f"The SVG is not well-formed XML: {exc}", code="baked.corrupt") from exc
    if root.tag not in (f"{{{SVG_NAMESPACE}}}svg", "svg"):
        raise BakedError("The XML document is not an SVG image.", code="baked.unsupported-image")
    found: list[str] = []
    ob2 = False
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if namespace in OB3_NAMESPACES and local == "credential":
            verify = (element.get("verify") or "").strip()
            found.append(verify if verify else "".join(element.itertext()))
        elif namespace == OB2_NAMESPACE and local == "assertion":
            ob2 = True
    for text in found:
        if len(text.encode("utf-8")) > limit:
            raise BakedError(
                f"The baked credential is larger than {limit} bytes.", code="baked.too-large"
            )
    return _one(found, ob2, "SVG")


# -- baking (the issuer's side, and tests) ---------------------------------------------


def _payload_text(credential: str | dict[str, Any]) -> str:
    if isinstance(credential, str):
        return credential
    import json

    return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))


def _chunk(ctype: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(ctype + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", crc)


def bake_png(png: bytes, credential: str | dict[str, Any]) -> bytes:
    """``png`` with ``credential`` in an uncompressed ``openbadgecredential`` iTXt chunk.

    Any existing OB 3.0 credential chunk is replaced; the new chunk goes right after IHDR.
    """
    if not is_png(png):
        raise BakedError("Not a PNG image.", code="baked.unsupported-image")
    body = (
        PNG_KEYWORD.encode("latin-1")
        + b"\x00\x00\x00\x00\x00"
        + _payload_text(credential).encode("utf-8")
    )
    out = bytearray(PNG_SIGNATURE)
    for ctype, data in _iter_chunks(png):
        text = _text_chunk(ctype, data, MAX_IMAGE_BYTES)
        if text is not None and text[0] == PNG_KEYWORD:
            continue
        out += _chunk(ctype, data)
        if ctype == b"IHDR":
            out += _chunk(b"iTXt", body)
    return bytes(out)


def bake_svg(svg: str, credential: str | dict[str, Any]) -> str:
    """``svg`` with an ``<openbadges:credential>`` element right after the ``<svg>`` tag.

    A JWS goes in the ``verify`` attribute; JSON goes in a CDATA section.
    """
    start = svg.find("<svg")
    close = svg.find(">", start)
    if start < 0 or close < 0:
        raise BakedError("Not an SVG image.", code="baked.unsupported-image")
    tag = svg[start:close]
    if "xmlns:openbadges=" not in tag:
        tag += f' xmlns:openbadges="{OB3_NAMESPACE}"'
    text = _payload_text(credential)
    if isinstance(credential, str):
        element = f'<openbadges:credential verify="{text}"></openbadges:credential>'
    else:
        if "]]>" in text:
            text = text.replace("]]>", "]]]]><![CDATA[>")
        element = f"<openbadges:credential><![CDATA[{text}]]></openbadges:credential>"
    return svg[:start] + tag + ">" + element + svg[close + 1 :]
