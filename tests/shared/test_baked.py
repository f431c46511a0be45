"""Baked OB 3.0 badges: extraction from PNG and SVG, bounded and refusing unsafe input."""

from __future__ import annotations

import asyncio
import json
import struct
import zlib

import pytest

from shared.baked import BakedError, bake_png, bake_svg, extract_baked
from shared.verification.pipeline import VerifyOptions, verify
from tests.verifier.helpers import (
    NOW,
    TINY_SVG,
    Party,
    jwt_credential,
    png_with_chunk,
    signed_credential,
    tiny_png,
)


def _code(data: bytes) -> str:
    with pytest.raises(BakedError) as err:
        extract_baked(data)
    return err.value.code


def _verified(document: object) -> bool:
    report = asyncio.run(verify(document, options=VerifyOptions(now=lambda: NOW)))  # type: ignore[arg-type]
    return report.verified


def test_png_round_trip_with_a_signed_credential_and_a_jwt() -> None:
    issuer, holder = Party.new(), Party.new()
    vc = signed_credential(issuer, holder.did)
    baked = bake_png(tiny_png(), vc)
    assert extract_baked(baked) == vc and _verified(extract_baked(baked))
    token = jwt_credential(issuer, holder.did)
    assert extract_baked(bake_png(tiny_png(), token)) == token
    # baking again replaces the credential rather than adding a second one
    assert extract_baked(bake_png(baked, token)) == token


def test_svg_round_trip_json_in_cdata_and_jwt_in_verify() -> None:
    issuer, holder = Party.new(), Party.new()
    vc = signed_credential(issuer, holder.did)
    baked = bake_svg(TINY_SVG, vc)
    assert "<![CDATA[" in baked and extract_baked(baked.encode()) == vc
    token = jwt_credential(issuer, holder.did)
    baked_jwt = bake_svg(TINY_SVG, token)
    assert 'verify="' in baked_jwt and extract_baked(baked_jwt.encode()) == token


def test_tampered_credential_in_a_png_is_extracted_but_does_not_verify() -> None:
    issuer, holder = Party.new(), Party.new()
    vc = signed_credential(issuer, holder.did)
    text = json.dumps(vc).replace("Teamwork", "Leadership")
    body = b"openbadgecredential\x00\x00\x00\x00\x00" + text.encode()
    extracted = extract_baked(png_with_chunk(b"iTXt", body))
    assert isinstance(extracted, dict) and not _verified(extracted)


def test_compressed_itxt_and_ztxt_are_read_within_bounds() -> None:
    payload = json.dumps({"@context": ["x"], "type": "VerifiableCredential"}).encode()
    itxt = b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(payload)
    assert extract_baked(png_with_chunk(b"iTXt", itxt))["type"] == "VerifiableCredential"  # type: ignore[index]
    ztxt = b"openbadgecredential\x00\x00" + zlib.compress(payload)
    assert extract_baked(png_with_chunk(b"zTXt", ztxt))["type"] == "VerifiableCredential"  # type: ignore[index]
    bomb = b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(b" " * 20_000_000)
    assert _code(png_with_chunk(b"iTXt", bomb)) == "baked.too-large"


def test_damaged_pngs_are_refused() -> None:
    good = bake_png(tiny_png(), "a.b.c")
    flipped = bytearray(good)
    flipped[40] ^= 0xFF  # inside the iTXt chunk: its CRC no longer matches
    assert _code(bytes(flipped)) == "baked.corrupt"
    assert _code(good[:-12]) == "baked.corrupt"  # no IEND
    huge = good[:8] + struct.pack(">I", 0x7FFFFFF0) + b"IHDR"
    assert _code(huge) == "baked.corrupt"
    assert _code(tiny_png()) == "baked.not-found"
    assert _code(b"GIF89a....") == "baked.unsupported-image"


def test_two_credentials_or_an_ob2_assertion_are_named_errors() -> None:
    chunk = b"openbadgecredential\x00\x00\x00\x00\x00a.b.c"
    one = png_with_chunk(b"iTXt", chunk)
    cut = 8 + 12 + 13
    two = one[:cut] + one[cut : cut + 12 + len(chunk)] + one[cut:]
    assert _code(two) == "baked.ambiguous"
    assert (
        _code(png_with_chunk(b"tEXt", b"openbadges\x00https://x.example/a")) == "baked.openbadges-2"
    )


def test_svg_with_entities_or_dtd_is_refused_without_expansion() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        "<openbadges:credential>&b;</openbadges:credential></svg>"
    )
    assert _code(laughs.encode()) == "baked.unsafe-xml"
    external = (
        '<?xml version="1.0"?><!DOCTYPE svg SYSTEM "http://127.0.0.1:9/x.dtd">'
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    )
    assert _code(external.encode()) == "baked.unsafe-xml"
    assert _code(b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>") == "baked.corrupt"
    assert _code(TINY_SVG.encode()) == "baked.not-found"
    ob2 = TINY_SVG.replace(
        "<rect", '<openbadges:assertion xmlns:openbadges="http://openbadges.org" verify="x"/><rect'
    )
    assert _code(ob2.encode()) == "baked.openbadges-2"


def test_a_baked_value_that_is_not_a_credential() -> None:
    assert _code(png_with_chunk(b"iTXt", b"openbadgecredential\x00\x00\x00\x00\x00[1,2]")) == (
        "baked.not-a-credential"
    )
    assert _code(png_with_chunk(b"iTXt", b"openbadgecredential\x00\x00\x00\x00\x00  ")) == (
        "baked.empty"
    )
