"""OpenID4VCI 1.0 issuance, pre-authorized code flow: offers, tokens, nonces, credentials.

An offer holds a pre-authorized code (stored encrypted, looked up by its hash) and
optionally a transaction code (stored as a hash, five tries). The code is redeemed
once, before it expires, for an access token that obtains one credential; the
credential request's key proof must answer a fresh nonce from the nonce endpoint, and
the credential is bound to the DID of the proof's key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import msgspec

from issuer.core import Issuer, Recipient
from shared.did import ResolveContext
from shared.errors import InputError, ServiceError
from shared.issue import SIGNING_OPTIONS, SigningOption, signing_option
from shared.ob3 import CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS, VC_V2, recipient_subject
from shared.oid4vci import (
    PRE_AUTHORIZED_GRANT,
    AuthorizationServerMetadata,
    CredentialConfiguration,
    CredentialIssuerMetadata,
    CredentialResponse,
    Display,
    IssuedCredential,
    NonceResponse,
    OID4VCIError,
    TokenResponse,
    TxCode,
    check_key_proof,
    credential_configuration,
    encode_offer_uri,
    parse_credential_request,
    parse_token_request,
    pre_authorized_offer,
)
from shared.qr import qr_svg
from shared.service.keywrap import unwrap_secret, wrap_secret
from shared.verification.dates import iso, parse_datetime

OFFER_TTL = timedelta(minutes=15)
MAX_OFFER_TTL = timedelta(days=7)
TOKEN_TTL = timedelta(minutes=10)
NONCE_TTL = timedelta(minutes=5)
MAX_TX_ATTEMPTS = 5
MAX_NONCES = 10_000
TX_CODE_LENGTH = 6

OB_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
CLR_TYPES = ["VerifiableCredential", "ClrCredential"]
# configuration id -> (format, template kind)
CONFIGURATIONS: dict[str, tuple[str, str]] = {
    "OpenBadgeCredential_ldp_vc": ("ldp_vc", "achievement"),
    "OpenBadgeCredential_jwt_vc_json": ("jwt_vc_json", "achievement"),
    "ClrCredential_ldp_vc": ("ldp_vc", "clr"),
}


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _tx_hash(offer_id: str, tx_code: str) -> str:
    return _hash(f"{offer_id}\x00{tx_code}")


@dataclass(frozen=True)
class CreatedOffer:
    """A new offer as the career-services API returns it."""

    id: str
    offer_uri: str
    qr_svg: str
    expires_at: str
    tx_code: str | None

    def to_json(self) -> dict[str, Any]:
        """The API body."""
        body: dict[str, Any] = {
            "id": self.id,
            "offer_uri": self.offer_uri,
            "qr_svg": self.qr_svg,
            "expires_at": self.expires_at,
        }
        if self.tx_code is not None:
            body["tx_code"] = self.tx_code
        return body


class Offers:
    """The OpenID4VCI side of the issuer."""

    def __init__(self, issuer: Issuer) -> None:
        self.issuer = issuer
        self.rt = issuer.rt

    @property
    def issuer_url(self) -> str:
        """The Credential Issuer Identifier (this server's origin)."""
        return self.rt.settings.base_url

    # --- metadata -----------------------------------------------------------------------

    async def metadata(self) -> CredentialIssuerMetadata:
        """``/.well-known/openid-credential-issuer``."""
        profile = await self.issuer.profiles.default()
        suites = list(dict.fromkeys(o.suite for o in SIGNING_OPTIONS.values() if o.suite))
        configs: dict[str, CredentialConfiguration] = {
            "OpenBadgeCredential_ldp_vc": credential_configuration(
                "ldp_vc",
                OB_TYPES,
                contexts=[VC_V2, OB_CONTEXT, OB_EXTENSIONS],
                signing_algs=suites,
                display_name="Open Badge",
            ),
            "OpenBadgeCredential_jwt_vc_json": credential_configuration(
                "jwt_vc_json", OB_TYPES, signing_algs=["EdDSA"], display_name="Open Badge (JWT)"
            ),
            "ClrCredential_ldp_vc": credential_configuration(
                "ldp_vc",
                CLR_TYPES,
                contexts=[VC_V2, CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS],
                signing_algs=[s for s in suites if s != "ecdsa-sd-2023"],
                display_name="Comprehensive Learner Record",
            ),
        }
        return CredentialIssuerMetadata(
            credential_issuer=self.issuer_url,
            credential_endpoint=f"{self.issuer_url}/oid4vci/credential",
            nonce_endpoint=f"{self.issuer_url}/oid4vci/nonce",
            credential_configurations_supported=configs,
            display=[Display(name=profile.name, locale="en")],
        )

    def authorization_server(self) -> AuthorizationServerMetadata:
        """``/.well-known/oauth-authorization-server``: the token endpoint, anonymous access."""
        return AuthorizationServerMetadata(
            issuer=self.issuer_url,
            token_endpoint=f"{self.issuer_url}/oid4vci/token",
            grant_types_supported=[PRE_AUTHORIZED_GRANT],
            response_types_supported=[],
            pre_authorized_grant_anonymous_access_supported=True,
        )

    # --- offers (career-services API) -----------------------------------------------------

    async def create(
        self,
        template_id: str,
        *,
        recipient: Recipient | None = None,
        suite: str | None = None,
        fmt: str | None = None,
        tx_code: bool = False,
        by_value: bool = False,
        expires_in: int | None = None,
        profile: str | None = None,
    ) -> CreatedOffer:
        """Make an offer of ``template_id``; returns the link, its QR code and the tx_code."""
        template = await self.issuer.template(template_id)
        kind = template.get("kind", "achievement")
        fmt = fmt or "ldp_vc"
        config_id = next(
            (cid for cid, (f, k) in CONFIGURATIONS.items() if f == fmt and k == kind), None
        )
        if config_id is None:
            raise InputError(
                f"A {kind} template cannot be offered as {fmt!r}.",
                code="offer.bad-format",
                field="format",
            )
        option = self._option(fmt, suite, kind)
        issuer_profile = await self.issuer.profiles.resolve(profile)
        ttl = OFFER_TTL if expires_in is None else timedelta(seconds=expires_in)
        if not timedelta(seconds=30) <= ttl <= MAX_OFFER_TTL:
            raise InputError(
                "expires_in is between 30 seconds and 7 days.",
                code="offer.bad-expiry",
                field="expires_in",
            )
        if recipient is not None and (recipient.did or recipient.email):
            recipient_subject(did=recipient.did, email=recipient.email, name=recipient.name)
        offer_id = secrets.token_urlsafe(16)
        code = secrets.token_urlsafe(32)
        tx = f"{secrets.randbelow(10**TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}" if tx_code else None
        now = self.rt.now()
        expires_at = iso(now + ttl)
        async with self.rt.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO issuer_offers (id, code_hash, code_wrapped, tx_code_hash, template,"
                " profile, suite, configuration_id, recipient, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    offer_id,
                    _hash(code),
                    wrap_secret(
                        code.encode(),
                        secret=self.rt.settings.secret,
                        owner=offer_id,
                        purpose="oid4vci-code",
                    ),
                    _tx_hash(offer_id, tx) if tx else None,
                    template_id,
                    issuer_profile.slug,
                    option.id,
                    config_id,
                    msgspec.json.encode(recipient or Recipient()).decode(),
                    iso(now),
                    expires_at,
                ),
            )
        if by_value:
            uri = encode_offer_uri(self._offer(config_id, code, tx is not None))
        else:
            uri = encode_offer_uri(offer_uri=f"{self.issuer_url}/oid4vci/offers/{offer_id}")
        svg = qr_svg(uri, title=f"Credential offer from {issuer_profile.name}: scan with a wallet")
        return CreatedOffer(offer_id, uri, svg, expires_at, tx)

    @staticmethod
    def _option(fmt: str, suite: str | None, kind: str) -> SigningOption:
        if fmt == "jwt_vc_json":
            if suite not in (None, "vc+jwt"):
                raise InputError(
                    "jwt_vc_json credentials are signed as JWTs, not with a cryptosuite.",
                    code="offer.bad-format",
                    field="suite",
                )
            return signing_option("vc+jwt")
        option = signing_option(suite)
        if option.is_jwt or (kind == "clr" and option.id == "ecdsa-sd-2023"):
            raise InputError(
                f"{option.id} cannot secure an ldp_vc {kind}.",
                code="offer.bad-format",
                field="suite",
            )
        return option

    def _offer(self, config_id: str, code: str, with_tx: bool) -> Any:
        tx = (
            TxCode(
                input_mode="numeric",
                length=TX_CODE_LENGTH,
                description="Enter the code career services gave you with this offer.",
            )
            if with_tx
            else None
        )
        return pre_authorized_offer(self.issuer_url, config_id, code, tx)

    async def offer_document(self, offer_id: str) -> Any:
        """The offer behind a ``credential_offer_uri`` (while it can still be redeemed)."""
        row = await self.rt.db.fetchone("SELECT * FROM issuer_offers WHERE id = ?", (offer_id,))
        if row is None or row["redeemed_at"] is not None or self._expired(row["expires_at"]):
            raise OID4VCIError(
                "invalid_request", "This offer is unknown, used or expired.", status=404
            )
        code = unwrap_secret(
            bytes(row["code_wrapped"]),
            secret=self.rt.settings.secret,
            owner=offer_id,
            purpose="oid4vci-code",
        ).decode()
        return self._offer(row["configuration_id"], code, row["tx_code_hash"] is not None)

    async def state(self, offer_id: str) -> dict[str, Any]:
        """Where an offer stands: pending, redeemed (token issued), issued or expired."""
        row = await self.rt.db.fetchone("SELECT * FROM issuer_offers WHERE id = ?", (offer_id,))
        if row is None:
            raise ServiceError(f"No offer {offer_id!r}.", code="offer.not-found", status=404)
        if row["credential"] is not None:
            state = "issued"
        elif row["redeemed_at"] is not None:
            state = "redeemed"
        elif self._expired(row["expires_at"]):
            state = "expired"
        else:
            state = "pending"
        body: dict[str, Any] = {
            "id": offer_id,
            "state": state,
            "template": row["template"],
            "expires_at": row["expires_at"],
        }
        if row["credential"] is not None:
            body["credential"] = row["credential"]
        return body

    def _expired(self, when: str) -> bool:
        return parse_datetime(when, field="expires_at") <= self.rt.now()

    # --- token endpoint -----------------------------------------------------------------

    async def token(self, body: bytes) -> TokenResponse:
        """Redeem a pre-authorized code (once, before it expires) for an access token."""
        request = parse_token_request(body)
        now = self.rt.now()
        token = secrets.token_urlsafe(32)
        failure: OID4VCIError | None = None
        async with self.rt.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT id, tx_code_hash, tx_attempts, redeemed_at, expires_at FROM issuer_offers"
                " WHERE code_hash = ?",
                (_hash(request.code),),
            )
            row = await cur.fetchone()
            if row is None:
                raise OID4VCIError("invalid_grant", "The pre-authorized code is not valid.")
            if row["redeemed_at"] is not None:
                raise OID4VCIError("invalid_grant", "The pre-authorized code was already used.")
            if self._expired(row["expires_at"]):
                raise OID4VCIError("invalid_grant", "The pre-authorized code has expired.")
            expected = row["tx_code_hash"]
            if expected is None and request.tx_code is not None:
                raise OID4VCIError("invalid_request", "This offer has no transaction code.")
            if expected is not None:
                if request.tx_code is None:
                    raise OID4VCIError("invalid_request", "This offer needs its tx_code.")
                if not hmac.compare_digest(expected, _tx_hash(row["id"], request.tx_code)):
                    attempts = row["tx_attempts"] + 1
                    spent = attempts >= MAX_TX_ATTEMPTS
                    await conn.execute(
                        "UPDATE issuer_offers SET tx_attempts = ?, expires_at = CASE WHEN ?"
                        " THEN ? ELSE expires_at END WHERE id = ?",
                        (attempts, spent, iso(now), row["id"]),
                    )
                    failure = OID4VCIError(
                        "invalid_grant",
                        "The transaction code is wrong"
                        + ("; the offer is now void." if spent else "."),
                    )
            if failure is None:
                await conn.execute(
                    "UPDATE issuer_offers SET redeemed_at = ?, token_hash = ?,"
                    " token_expires_at = ? WHERE id = ?",
                    (iso(now), _hash(token), iso(now + TOKEN_TTL), row["id"]),
                )
        if failure is not None:
            raise failure
        return TokenResponse(
            access_token=token, token_type="Bearer", expires_in=int(TOKEN_TTL.total_seconds())
        )

    # --- nonce endpoint -----------------------------------------------------------------

    async def nonce(self) -> NonceResponse:
        """A fresh c_nonce (single use, short-lived)."""
        now = self.rt.now()
        value = secrets.token_urlsafe(24)
        async with self.rt.db.transaction() as conn:
            await conn.execute("DELETE FROM issuer_nonces WHERE expires_at <= ?", (iso(now),))
            cur = await conn.execute("SELECT COUNT(*) FROM issuer_nonces")
            row = await cur.fetchone()
            if row is not None and row[0] >= MAX_NONCES:
                raise ServiceError(
                    "Too many outstanding nonces; try again shortly.",
                    code="rate-limited",
                    status=429,
                )
            await conn.execute(
                "INSERT INTO issuer_nonces (nonce, expires_at) VALUES (?, ?)",
                (value, iso(now + NONCE_TTL)),
            )
        return NonceResponse(c_nonce=value)

    async def _consume_nonce(self, nonce: str) -> bool:
        async with self.rt.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM issuer_nonces WHERE nonce = ? AND expires_at > ?",
                (nonce, iso(self.rt.now())),
            )
            return cur.rowcount == 1

    # --- credential endpoint --------------------------------------------------------------

    async def _offer_for_token(self, authorization: str | None) -> Any:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise OID4VCIError("invalid_token", "An access token is required.", status=401)
        row = await self.rt.db.fetchone(
            "SELECT * FROM issuer_offers WHERE token_hash = ?", (_hash(token.strip()),)
        )
        if row is None or self._expired(row["token_expires_at"]):
            raise OID4VCIError("invalid_token", "The access token is not valid.", status=401)
        if row["claimed_at"] is not None:
            raise OID4VCIError(
                "invalid_token", "The access token was already used for its credential.", status=401
            )
        return row

    async def credential(self, authorization: str | None, body: bytes) -> CredentialResponse:
        """Issue the offered credential, bound to the key-proof's holder DID."""
        offer = await self._offer_for_token(authorization)
        request = parse_credential_request(body)
        if request.credential_identifier is not None:
            raise OID4VCIError(
                "unknown_credential_identifier", "No credential identifiers were issued."
            )
        config_id = request.credential_configuration_id
        if config_id not in CONFIGURATIONS:
            raise OID4VCIError(
                "unknown_credential_configuration", f"Unknown configuration {config_id!r}."
            )
        if config_id != offer["configuration_id"]:
            raise OID4VCIError(
                "invalid_credential_request",
                f"This token is for {offer['configuration_id']}, not {config_id}.",
            )
        proofs = request.proofs.jwt if request.proofs is not None else None
        if not proofs:
            raise OID4VCIError("invalid_proof", "A jwt key proof is required (proofs.jwt).")
        if len(proofs) != 1:
            raise OID4VCIError(
                "invalid_credential_request", "One key proof, for one credential, is accepted."
            )
        proof = await check_key_proof(
            proofs[0],
            audience=self.issuer_url,
            now=self.rt.now(),
            ctx=ResolveContext(fetcher=self.rt.fetcher),
        )
        if not await self._consume_nonce(proof.nonce):
            raise OID4VCIError(
                "invalid_nonce", "The key proof's nonce is unknown, used or expired; get a new one."
            )
        wanted = msgspec.json.decode(offer["recipient"], type=Recipient)
        if wanted.did and wanted.did != proof.holder:
            raise OID4VCIError(
                "credential_request_denied",
                "This offer is for another DID than the one the key proof names.",
            )
        async with self.rt.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE issuer_offers SET claimed_at = ? WHERE id = ? AND claimed_at IS NULL",
                (iso(self.rt.now()), offer["id"]),
            )
            if cur.rowcount != 1:
                raise OID4VCIError(
                    "invalid_token", "The access token was already used.", status=401
                )
        fmt, _ = CONFIGURATIONS[config_id]
        try:
            issued = await self.issuer.issue_template(
                offer["template"],
                Recipient(did=proof.holder, email=wanted.email, name=wanted.name),
                option=signing_option(offer["suite"]),
                vcdm="1.1" if fmt == "jwt_vc_json" else "2.0",
                profile=offer["profile"],
            )
        except BaseException:
            async with self.rt.db.transaction() as conn:
                await conn.execute(
                    "UPDATE issuer_offers SET claimed_at = NULL WHERE id = ?", (offer["id"],)
                )
            raise
        async with self.rt.db.transaction() as conn:
            await conn.execute(
                "UPDATE issuer_offers SET credential = ? WHERE id = ?", (issued.id, offer["id"])
            )
        return CredentialResponse(credentials=[IssuedCredential(credential=issued.credential)])
