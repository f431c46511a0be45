"""Signed credentials, presentations, baked badges and spec-following test wallets.

Everything is made here with real keys and real signatures (did:key, Data Integrity and
JOSE from ``shared``); the wallets speak OpenID4VP 1.0 (``direct_post``) and the VC-API
exchange protocol to a real server over loopback HTTP.
"""

from __future__ import annotations

import asyncio
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from shared.did import ResolveContext
from shared.did.key import did_key_for
from shared.jose import sign_jwt_credential, sign_jwt_presentation
from shared.keys import KeyType, PrivateKey, generate_key
from shared.oid4vp import (
    JWT_VC_JSON,
    LDP_VC,
    AuthorizationRequest,
    direct_post_form,
    matching_query_ids,
    parse_authorization_uri,
    verify_request_object,
)
from shared.proofs import sign_document
from shared.vcapi_exchange import (
    PresentationRequest,
    parse_exchange_message,
    parse_interaction_protocols,
    parse_presentation_request,
)
from shared.wanted import credential_matches

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
V2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


class Clock:
    """An injectable, movable clock (``Settings.now``)."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass(frozen=True)
class Party:
    """A did:key identity with its signing key."""

    key: PrivateKey
    did: str

    @classmethod
    def new(cls, key_type: KeyType = "Ed25519") -> Party:
        key = generate_key(key_type)
        return cls(key, did_key_for(key.public_key))

    @property
    def vm(self) -> str:
        return f"{self.did}#{self.did.split(':')[2]}"


def ob3_credential(
    issuer: Party, subject: str, *, achievement: str = "Teamwork", **extra: Any
) -> dict[str, Any]:
    """An unsigned OB 3.0 OpenBadgeCredential."""
    doc: dict[str, Any] = {
        "@context": [V2, OB3],
        "id": "urn:uuid:6a1b8c5e-1f0c-4d8e-9a43-2f8f8b1d2c3e",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer.did, "type": ["Profile"], "name": "Example College"},
        "validFrom": "2025-06-01T00:00:00Z",
        "name": f"{achievement} badge",
        "credentialSubject": {
            "id": subject,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"https://example.edu/achievements/{achievement.lower()}",
                "type": ["Achievement"],
                "name": achievement,
                "description": f"Recognises {achievement.lower()}.",
                "criteria": {"narrative": "Peer nominated and reviewed."},
            },
        },
    }
    doc.update(extra)
    return doc


def signed_credential(
    issuer: Party, subject: str, *, suite: str = "eddsa-rdfc-2022", **extra: Any
) -> dict[str, Any]:
    """An OB 3.0 credential with a Data Integrity proof by ``issuer``."""
    return sign_document(
        ob3_credential(issuer, subject, **extra),
        issuer.key,
        issuer.vm,
        suite=suite,
        created="2025-06-01T00:00:00Z",
    )


def jwt_credential(issuer: Party, subject: str, **extra: Any) -> str:
    """An OB 3.0 credential secured as a vc+jwt by ``issuer``."""
    return sign_jwt_credential(ob3_credential(issuer, subject, **extra), issuer.key, issuer.vm)


def ldp_presentation(
    holder: Party,
    credentials: list[Any],
    *,
    challenge: str | None = None,
    domain: str | None = None,
    suite: str = "eddsa-rdfc-2022",
) -> dict[str, Any]:
    """A presentation signed by ``holder`` (proofPurpose authentication)."""
    vp = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.did,
        "verifiableCredential": credentials,
    }
    options: dict[str, Any] = {}
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain
    return sign_document(
        vp,
        holder.key,
        holder.vm,
        suite=suite,
        purpose="authentication",
        created="2026-03-02T09:00:00Z",
        **options,
    )


def jwt_presentation(
    holder: Party, credentials: list[Any], *, nonce: str | None, aud: str | None
) -> str:
    """A vp+jwt presentation by ``holder`` (nonce = challenge, aud = domain)."""
    enveloped = [
        {
            "@context": [V2],
            "type": "EnvelopedVerifiableCredential",
            "id": f"data:application/vc+jwt,{c}",
        }
        if isinstance(c, str)
        else c
        for c in credentials
    ]
    vp = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.did,
        "verifiableCredential": enveloped,
    }
    return sign_jwt_presentation(vp, holder.key, holder.vm, nonce=nonce, aud=aud)


def _png_chunk(ctype: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + ctype
        + body
        + struct.pack(">I", zlib.crc32(ctype + body) & 0xFFFFFFFF)
    )


def tiny_png() -> bytes:
    """A valid 2x2 greyscale PNG."""
    header = struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\xff\x00\xff\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def png_with_chunk(ctype: bytes, body: bytes) -> bytes:
    """``tiny_png()`` with one extra chunk after IHDR."""
    png = tiny_png()
    cut = 8 + 12 + 13
    return png[:cut] + _png_chunk(ctype, body) + png[cut:]


TINY_SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    '<rect width="10" height="10" fill="#236"/></svg>'
)


# -- test wallets -------------------------------------------------------------------------


@dataclass
class Wallet:
    """A holder's wallet answering verifier requests over real HTTP."""

    holder: Party
    credentials: list[Any] = field(default_factory=list)
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10.0))

    def close(self) -> None:
        self.http.close()

    # OpenID4VP ------------------------------------------------------------------------

    def fetch_request(self, uri: str, now: datetime = NOW) -> AuthorizationRequest:
        """Follow an ``openid4vp://`` URI to its signed Request Object and check it."""
        client_id, request_uri = parse_authorization_uri(uri)
        response = self.http.get(request_uri)
        response.raise_for_status()
        assert response.headers["content-type"].startswith("application/oauth-authz-req+jwt")
        return asyncio.run(
            verify_request_object(
                response.text, expected_client_id=client_id, ctx=ResolveContext(), now=now
            )
        )

    def oid4vp_vp_token(
        self,
        request: AuthorizationRequest,
        *,
        fmt: str = LDP_VC,
        nonce: str | None = None,
        audience: str | None = None,
    ) -> dict[str, list[Any]]:
        """A vp_token answering ``request`` (nonce/audience overridable to misbehave)."""
        challenge = request.nonce if nonce is None else nonce
        domain = request.client_id if audience is None else audience
        candidates = [
            c
            for c in self.credentials
            if (fmt == LDP_VC and isinstance(c, dict))
            or (fmt == JWT_VC_JSON and isinstance(c, str))
        ]
        matching: list[Any] = []
        query_id = ""
        for credential in candidates:
            document = credential if isinstance(credential, dict) else _jwt_document(credential)
            ids = matching_query_ids(document, fmt, request.dcql_query)
            if ids:
                matching.append(credential)
                query_id = ids[0]
        assert matching, "the wallet holds no credential matching the DCQL query"
        if fmt == LDP_VC:
            vp: Any = ldp_presentation(self.holder, matching, challenge=challenge, domain=domain)
        else:
            vp = jwt_presentation(self.holder, matching, nonce=challenge, aud=domain)
        return {query_id: [vp]}

    def post_vp_token(
        self,
        request: AuthorizationRequest,
        vp_token: dict[str, list[Any]],
        state: str | None = None,
    ) -> httpx.Response:
        form = direct_post_form(vp_token, request.state if state is None else state)
        return self.http.post(request.response_uri, data=form)

    # VC-API exchange --------------------------------------------------------------------

    def start_exchange(self, interaction_url: str) -> tuple[str, PresentationRequest]:
        """Interaction URL -> protocols -> POST {} -> the VPR."""
        response = self.http.get(interaction_url, headers={"Accept": "application/json"})
        response.raise_for_status()
        exchange_url = parse_interaction_protocols(response.json())["vcapi"]
        started = self.http.post(exchange_url, json={})
        started.raise_for_status()
        return exchange_url, parse_presentation_request(parse_exchange_message(started.json()))

    def exchange_presentation(
        self,
        vpr: PresentationRequest,
        *,
        challenge: str | None = None,
        domain: str | None = None,
    ) -> dict[str, Any]:
        """A presentation of the wanted credentials, signed for the VPR's challenge/domain."""
        wanted = vpr.wanted()
        chosen = [
            c for c in self.credentials if isinstance(c, dict) and credential_matches(c, wanted)
        ]
        return ldp_presentation(
            self.holder,
            chosen,
            challenge=vpr.challenge if challenge is None else challenge,
            domain=vpr.domain if domain is None else domain,
        )


def _jwt_document(token: str) -> dict[str, Any]:
    from shared.jose.jws import parse_jws
    from shared.jose.vcjwt import decode_vc_jwt

    parsed = parse_jws(token)
    return decode_vc_jwt(parsed.header, parsed.payload).document
