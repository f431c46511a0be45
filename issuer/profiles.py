"""Issuer profiles: who issues (name, URL, image, e-mail), their keys and DIDs.

Every profile holds one key of each type (Ed25519, P-256, P-384), encrypted at rest.
A ``key`` profile issues as the did:key of the key a suite needs; a ``web`` profile
issues as one did:web served by this server (``/issuers/{slug}/did.json``, or
``/.well-known/did.json`` for the one root profile) listing all three keys.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from shared.did.key import did_key_for
from shared.errors import ServiceError
from shared.keys import KeyType, PrivateKey, PublicKey, generate_key, public_key_from_multikey
from shared.service.keywrap import unwrap_private_key, wrap_private_key
from shared.service.runtime import Runtime
from shared.verification.dates import iso

KEY_TYPES: tuple[KeyType, ...] = ("Ed25519", "P-256", "P-384")
FRAGMENTS: dict[str, str] = {"Ed25519": "key-ed25519", "P-256": "key-p256", "P-384": "key-p384"}
DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
DEFAULT_SLUG = "sandbox"
DEFAULT_NAME = "Satchel Sandbox College"
_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")


@dataclass(frozen=True)
class Profile:
    """An issuer profile as stored."""

    slug: str
    name: str
    url: str | None
    image: str | None
    email: str | None
    did_method: str
    web_root: bool
    is_default: bool

    def to_json(self) -> dict[str, Any]:
        """The profile for the API."""
        return {
            "slug": self.slug,
            "name": self.name,
            "url": self.url,
            "image": self.image,
            "email": self.email,
            "did_method": self.did_method,
            "web_root": self.web_root,
            "default": self.is_default,
        }


@dataclass(frozen=True)
class Signer:
    """Who signs, with what: the issuer DID, the verification method and the private key."""

    did: str
    verification_method: str
    key: PrivateKey


def _owner(slug: str, key_type: str) -> str:
    return f"issuer-profile:{slug}:{key_type}"


def web_did(base_url: str, slug: str, *, root: bool) -> str:
    """The did:web of a profile served under ``base_url``."""
    parts = urllib.parse.urlsplit(base_url)
    host = parts.netloc.replace(":", "%3A")
    segments = [urllib.parse.quote(s, safe="") for s in parts.path.split("/") if s]
    if not root:
        segments += ["issuers", slug]
    elif segments:
        raise ServiceError(
            "A root did:web needs the server at the root of its origin (no path in its URL).",
            code="issuer.web-root-unavailable",
            status=409,
        )
    return ":".join(["did:web", host, *segments])


def _row_profile(row: Any) -> Profile:
    return Profile(
        slug=row["slug"],
        name=row["name"],
        url=row["url"],
        image=row["image"],
        email=row["email"],
        did_method=row["did_method"],
        web_root=bool(row["web_root"]),
        is_default=bool(row["is_default"]),
    )


def check_slug(slug: str) -> str:
    """``slug`` if it is a lower-case name of letters, digits and dashes."""
    if not _SLUG.fullmatch(slug):
        raise ServiceError(
            "A profile slug is 1-40 lower-case letters, digits or dashes.",
            code="issuer.bad-slug",
            status=400,
            field="slug",
        )
    return slug


def _check_link(value: str | None, field: str, schemes: tuple[str, ...]) -> None:
    if value is None:
        return
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in schemes or (parts.scheme != "data" and not parts.netloc):
        raise ServiceError(
            f"{field} must be an absolute {' or '.join(schemes)} URL.",
            code="issuer.bad-profile",
            field=field,
        )


def check_profile_fields(url: str | None, image: str | None, email: str | None) -> None:
    """Refuse profile details a credential could not carry (they must be URLs, an address)."""
    _check_link(url, "url", ("https", "http"))
    _check_link(image, "image", ("https", "http", "data"))
    if email is not None and (
        "@" not in email or any(c.isspace() for c in email) or len(email) > 254
    ):
        raise ServiceError(
            "email is not an e-mail address.", code="issuer.bad-profile", field="email"
        )


def slug_from_name(name: str) -> str:
    """A slug made from a display name."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")
    return text or "issuer"


class Profiles:
    """Profiles and their keys in the issuer's tables."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime

    async def create(
        self,
        name: str,
        *,
        slug: str | None = None,
        url: str | None = None,
        image: str | None = None,
        email: str | None = None,
        did_method: str = "key",
        web_root: bool = False,
        default: bool = False,
    ) -> Profile:
        """Create a profile with fresh keys (one transaction)."""
        if not name.strip():
            raise ServiceError("A profile needs a name.", code="issuer.bad-profile", field="name")
        if did_method not in ("key", "web"):
            raise ServiceError(
                "did_method is 'key' or 'web'.", code="issuer.bad-profile", field="did_method"
            )
        slug = check_slug(slug or slug_from_name(name))
        check_profile_fields(url, image, email)
        if web_root:
            if did_method != "web":
                raise ServiceError(
                    "Only a did:web profile can be the server's root DID.",
                    code="issuer.bad-profile",
                    field="web_root",
                )
            web_did(self.rt.settings.base_url, slug, root=True)
        keys = {kt: generate_key(kt) for kt in KEY_TYPES}
        async with self.rt.db.transaction() as conn:
            cur = await conn.execute("SELECT 1 FROM issuer_profiles WHERE slug = ?", (slug,))
            if await cur.fetchone():
                raise ServiceError(
                    f"A profile {slug!r} exists already.", code="issuer.profile-exists", status=409
                )
            if web_root:
                cur = await conn.execute("SELECT slug FROM issuer_profiles WHERE web_root = 1")
                if await cur.fetchone():
                    raise ServiceError(
                        "Another profile is already the server's root did:web.",
                        code="issuer.web-root-taken",
                        status=409,
                    )
            cur = await conn.execute("SELECT 1 FROM issuer_profiles WHERE is_default = 1")
            make_default = default or await cur.fetchone() is None
            if make_default:
                await conn.execute("UPDATE issuer_profiles SET is_default = 0")
            await conn.execute(
                "INSERT INTO issuer_profiles (slug, name, url, image, email, did_method, web_root,"
                " is_default, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    slug,
                    name.strip(),
                    url,
                    image,
                    email,
                    did_method,
                    int(web_root),
                    int(make_default),
                    iso(self.rt.now()),
                ),
            )
            for key_type, key in keys.items():
                blob = wrap_private_key(
                    key, secret=self.rt.settings.secret, owner=_owner(slug, key_type)
                )
                await conn.execute(
                    "INSERT INTO issuer_keys (profile, key_type, public_multikey, wrapped)"
                    " VALUES (?, ?, ?, ?)",
                    (slug, key_type, key.public_key.multikey(), blob),
                )
        return await self.get(slug)

    async def get(self, slug: str) -> Profile:
        """The profile called ``slug`` (404 if there is none)."""
        row = await self.rt.db.fetchone("SELECT * FROM issuer_profiles WHERE slug = ?", (slug,))
        if row is None:
            raise ServiceError(f"No issuer profile {slug!r}.", code="issuer.no-profile", status=404)
        return _row_profile(row)

    async def all(self) -> list[Profile]:
        """Every profile, the default first."""
        await self.default()
        rows = await self.rt.db.fetchall(
            "SELECT * FROM issuer_profiles ORDER BY is_default DESC, created_at, slug"
        )
        return [_row_profile(r) for r in rows]

    async def default(self) -> Profile:
        """The default profile, created (as a did:key sandbox college) if there is none."""
        row = await self.rt.db.fetchone("SELECT * FROM issuer_profiles WHERE is_default = 1")
        if row is not None:
            return _row_profile(row)
        try:
            return await self.create(
                DEFAULT_NAME, slug=DEFAULT_SLUG, url=self.rt.settings.base_url, default=True
            )
        except ServiceError as exc:
            if exc.code != "issuer.profile-exists":
                raise
            return await self.get(DEFAULT_SLUG)

    async def resolve(self, slug: str | None) -> Profile:
        """The profile ``slug``, or the default one."""
        return await self.get(slug) if slug else await self.default()

    async def public_keys(self, slug: str) -> dict[str, PublicKey]:
        """The profile's public keys by key type."""
        rows = await self.rt.db.fetchall(
            "SELECT key_type, public_multikey FROM issuer_keys WHERE profile = ?", (slug,)
        )
        return {r["key_type"]: public_key_from_multikey(r["public_multikey"]) for r in rows}

    def identity(self, profile: Profile, key_type: str, public: PublicKey) -> tuple[str, str]:
        """``(issuer DID, verification method id)`` of ``profile`` signing with ``key_type``."""
        if profile.did_method == "web":
            did = web_did(self.rt.settings.base_url, profile.slug, root=profile.web_root)
            return did, f"{did}#{FRAGMENTS[key_type]}"
        did = did_key_for(public)
        return did, f"{did}#{did.split(':')[2]}"

    async def issuer_did(self, profile: Profile, key_type: str) -> str:
        """The DID ``profile`` issues as when signing with a ``key_type`` key."""
        keys = await self.public_keys(profile.slug)
        return self.identity(profile, key_type, keys[key_type])[0]

    async def signer(self, profile: Profile, key_type: str) -> Signer:
        """The profile's signer for ``key_type`` (the private key is opened here)."""
        row = await self.rt.db.fetchone(
            "SELECT wrapped FROM issuer_keys WHERE profile = ? AND key_type = ?",
            (profile.slug, key_type),
        )
        if row is None:
            raise ServiceError(
                f"Profile {profile.slug!r} has no {key_type} key.", code="issuer.no-key", status=500
            )
        key = unwrap_private_key(
            bytes(row["wrapped"]),
            secret=self.rt.settings.secret,
            owner=_owner(profile.slug, key_type),
        )
        did, vm = self.identity(profile, key_type, key.public_key)
        return Signer(did=did, verification_method=vm, key=key)

    def issuer_object(self, profile: Profile, did: str) -> dict[str, Any]:
        """The OB 3.0 Profile naming the issuer inside a credential."""
        obj: dict[str, Any] = {"id": did, "type": ["Profile"], "name": profile.name}
        if profile.url:
            obj["url"] = profile.url
        if profile.image:
            obj["image"] = {"id": profile.image, "type": "Image"}
        if profile.email:
            obj["email"] = profile.email
        return obj

    async def did_document(self, slug: str | None) -> dict[str, Any]:
        """The did:web document of profile ``slug`` (``None``: the root profile)."""
        if slug is None:
            row = await self.rt.db.fetchone("SELECT * FROM issuer_profiles WHERE web_root = 1")
        else:
            row = await self.rt.db.fetchone(
                "SELECT * FROM issuer_profiles WHERE slug = ? AND did_method = 'web' "
                "AND web_root = 0",
                (slug,),
            )
        if row is None:
            raise ServiceError("No DID document here.", code="issuer.no-did", status=404)
        profile = _row_profile(row)
        did = web_did(self.rt.settings.base_url, profile.slug, root=profile.web_root)
        keys = await self.public_keys(profile.slug)
        methods = [
            {
                "id": f"{did}#{FRAGMENTS[kt]}",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": keys[kt].multikey(),
            }
            for kt in KEY_TYPES
            if kt in keys
        ]
        refs = [m["id"] for m in methods]
        return {
            "@context": list(DID_CONTEXT),
            "id": did,
            "verificationMethod": methods,
            "assertionMethod": refs,
            "authentication": refs,
        }
