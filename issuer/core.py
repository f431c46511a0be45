"""What the sandbox issuer does, independent of HTTP: issue, list, revoke, suspend.

Every issued credential gets a revocation and a suspension entry in the hosted status
lists, and is recorded. Issuing is one transaction: the status index, the record and
(for a CLR) every bundled credential are stored together or not at all.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import aiosqlite
import msgspec

from issuer.catalog import TEMPLATES, summary
from issuer.profiles import Profile, Profiles, Signer
from issuer.status import PURPOSES, StatusLists, list_format
from shared.errors import InputError, ServiceError
from shared.issue import (
    DEFAULT_OPTION,
    SD_SUITE,
    SIGNING_OPTIONS,
    SigningOption,
    check_mandatory_pointers,
    data_model,
    prepare_credential,
    sign_credential,
    signing_option,
    with_context,
)
from shared.ob3 import (
    achievement_credential,
    achievement_id,
    association,
    check_conformance,
    check_template,
    claim_schema,
    clr_credential,
    recipient_subject,
)
from shared.service.runtime import Runtime
from shared.shapes import as_list, id_of
from shared.status.bitstring import ListFormat
from shared.verification.dates import iso, parse_datetime

Action = Literal["revoke", "suspend", "unsuspend"]
_TEMPLATE_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
VC_API_OPTIONS = frozenset({"credentialId", "mandatoryPointers", "credentialStatus"})


class Recipient(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Who a credential is for: a DID, an e-mail address (hashed in the credential), a name."""

    did: str | None = None
    email: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class _Plan:
    """How the credentials of one issuing request are made."""

    option: SigningOption
    vcdm: str
    fmt: ListFormat
    dates: tuple[str, str | None]
    purposes: tuple[str, ...]


@dataclass(frozen=True)
class Issued:
    """An issued credential: its record id and the secured credential (JSON or JWT)."""

    id: str
    credential: dict[str, Any] | str
    status_index: int


def new_record_id() -> str:
    """A short unguessable id for an issued credential's record (never starts with '-')."""
    return secrets.token_hex(8)


def _iso_or_none(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    try:
        return iso(parse_datetime(value, field=field))
    except InputError as exc:
        raise InputError(exc.message, code="issue.bad-date", field=field) from exc


class Issuer:
    """The sandbox issuer over the runtime's database."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.profiles = Profiles(runtime)
        self.status = StatusLists(runtime, self.profiles)

    # --- templates ----------------------------------------------------------------------

    async def template(self, template_id: str) -> dict[str, Any]:
        """A built-in or added template (404 when unknown)."""
        if template_id in TEMPLATES:
            return copy.deepcopy(TEMPLATES[template_id])
        row = await self.rt.db.fetchone(
            "SELECT body FROM issuer_templates WHERE id = ?", (template_id,)
        )
        if row is None:
            raise ServiceError(
                f"No template {template_id!r}.", code="issuer.no-template", status=404
            )
        body: dict[str, Any] = json.loads(row["body"])
        return body

    async def templates(self) -> list[dict[str, Any]]:
        """Every template, built-in first."""
        rows = await self.rt.db.fetchall("SELECT body FROM issuer_templates ORDER BY created_at")
        added = [json.loads(r["body"]) for r in rows]
        return [summary(t) for t in [*TEMPLATES.values(), *added]]

    async def add_template(self, template: Any) -> dict[str, Any]:
        """Check and store an achievement template (the error names a missing field)."""
        check_template(template)
        if not _TEMPLATE_ID.fullmatch(str(template["id"])):
            raise InputError(
                "A template id is 1-64 lower-case letters, digits or dashes.",
                code="template.bad-field",
                field="id",
            )
        body = {**template, "kind": "achievement"}
        async with self.rt.db.transaction() as conn:
            cur = await conn.execute("SELECT 1 FROM issuer_templates WHERE id = ?", (body["id"],))
            if body["id"] in TEMPLATES or await cur.fetchone():
                raise ServiceError(
                    f"A template {body['id']!r} exists already.",
                    code="issuer.template-exists",
                    status=409,
                )
            await conn.execute(
                "INSERT INTO issuer_templates (id, body, created_at) VALUES (?, ?, ?)",
                (body["id"], json.dumps(body), iso(self.rt.now())),
            )
        return summary(body)

    # --- issuing from templates -----------------------------------------------------------

    @staticmethod
    def choose(suite: str | None, fmt: str | None) -> SigningOption:
        """The signing option from the API's ``suite`` and ``format`` (ldp | jwt)."""
        if fmt not in (None, "ldp", "jwt"):
            raise InputError("format is 'ldp' or 'jwt'.", code="issue.bad-format", field="format")
        if fmt == "jwt":
            if suite not in (None, "vc+jwt"):
                raise InputError(
                    f"format 'jwt' is signed as vc+jwt, not {suite!r}.",
                    code="issue.bad-format",
                    field="suite",
                )
            return signing_option("vc+jwt")
        option = signing_option(suite)
        if fmt == "ldp" and option.is_jwt:
            raise InputError(
                "format 'ldp' needs a Data Integrity suite.", code="issue.bad-format", field="suite"
            )
        return option

    async def issue_template(
        self,
        template_id: str,
        recipient: Recipient,
        *,
        option: SigningOption,
        vcdm: str = "2.0",
        valid_from: str | None = None,
        valid_until: str | None = None,
        profile: str | None = None,
        status_list: str | None = None,
        suspendable: bool = True,
    ) -> Issued:
        """Issue ``template_id`` to ``recipient`` (a CLR template issues its members too).

        Every credential gets a revocation entry and, if ``suspendable``, a suspension entry.
        Open Badges 3.0 allows one status entry, so only a credential that is not
        suspendable names its schema in ``credentialSchema`` (both are checked against it).
        """
        if vcdm not in ("2.0", "1.1"):
            raise InputError("vcdm is '2.0' or '1.1'.", code="issue.bad-vcdm", field="vcdm")
        template = await self.template(template_id)
        subject = recipient_subject(did=recipient.did, email=recipient.email, name=recipient.name)
        issuer_profile = await self.profiles.resolve(profile)
        fmt = list_format(status_list)
        start = _iso_or_none(valid_from, "valid_from") or iso(self.rt.now())
        end = _iso_or_none(valid_until, "valid_until")
        if end is not None and end <= start:
            raise InputError(
                "valid_until must be after the start of validity.",
                code="issue.bad-date",
                field="valid_until",
            )
        plan = _Plan(option, vcdm, fmt, (start, end), PURPOSES if suspendable else PURPOSES[:1])
        async with self.rt.db.transaction() as conn:
            if template.get("kind") == "clr":
                return await self._issue_clr(
                    conn, template, subject, recipient, issuer_profile, plan
                )
            check_template(template)
            return await self._issue_achievement(
                conn, template, subject, recipient, issuer_profile, plan
            )

    async def _issue_achievement(
        self,
        conn: aiosqlite.Connection,
        template: dict[str, Any],
        subject: dict[str, Any],
        recipient: Recipient,
        profile: Profile,
        plan: _Plan,
        parent: str | None = None,
    ) -> Issued:
        signer = await self.profiles.signer(profile, plan.option.key_type)
        document = achievement_credential(
            template,
            issuer=self.profiles.issuer_object(profile, signer.did),
            subject=subject,
            credential_id=f"urn:uuid:{uuid.uuid4()}",
            valid_from=plan.dates[0],
            valid_until=plan.dates[1],
            vcdm="2.0" if plan.vcdm == "2.0" else "1.1",
        )
        return await self._finish(
            conn, document, signer, profile, plan, template["id"], recipient, parent=parent
        )

    async def _issue_clr(
        self,
        conn: aiosqlite.Connection,
        template: dict[str, Any],
        subject: dict[str, Any],
        recipient: Recipient,
        profile: Profile,
        plan: _Plan,
    ) -> Issued:
        if plan.option.suite == SD_SUITE:
            raise InputError(
                "A CLR cannot be issued with ecdsa-sd-2023: its bundled credentials would carry "
                "base proofs, which verifiers refuse.",
                code="issue.clr-suite",
                field="suite",
            )
        if plan.vcdm != "2.0":
            raise InputError(
                "CLR 2.0 credentials are issued in VCDM 2.0 form.",
                code="issue.bad-vcdm",
                field="vcdm",
            )
        record_id = new_record_id()
        # A JWT CLR bundles Data Integrity credentials (an Enveloped one would not fit the
        # CLR schema); the default suite uses the same Ed25519 key, so the same DID.
        member_plan = (
            dataclasses.replace(plan, option=signing_option(DEFAULT_OPTION))
            if plan.option.is_jwt
            else plan
        )
        signer = await self.profiles.signer(profile, plan.option.key_type)
        ids: dict[str, str] = {}
        members: list[dict[str, Any]] = []
        for member_id in template["members"]:
            member = await self.template(member_id)
            check_template(member)
            issued = await self._issue_achievement(
                conn, member, subject, recipient, profile, member_plan, parent=record_id
            )
            assert isinstance(issued.credential, dict)
            members.append(issued.credential)
            ids[member_id] = issued.credential["credentialSubject"]["achievement"]["id"]
        program = copy.deepcopy(template["program"])
        program.setdefault("id", achievement_id(signer.did, template["id"]))
        ids["program"] = program["id"]
        links = [
            association(a["type"], ids[a["source"]], ids[a["target"]])
            for a in template.get("associations", [])
        ]
        document = clr_credential(
            name=template["name"],
            description=template.get("description"),
            issuer=self.profiles.issuer_object(profile, signer.did),
            subject=subject,
            credentials=members,
            achievements=[program],
            associations=links,
            credential_id=f"urn:uuid:{uuid.uuid4()}",
            valid_from=plan.dates[0],
            valid_until=plan.dates[1],
        )
        return await self._finish(
            conn, document, signer, profile, plan, template["id"], recipient, record_id=record_id
        )

    async def _finish(
        self,
        conn: aiosqlite.Connection,
        document: dict[str, Any],
        signer: Signer,
        profile: Profile,
        plan: _Plan,
        template_id: str,
        recipient: Recipient,
        *,
        parent: str | None = None,
        record_id: str | None = None,
        mandatory_pointers: list[str] | None = None,
        conformance: bool = True,
    ) -> Issued:
        """Give ``document`` its status entries, sign it and record it."""
        option = plan.option
        allocation = await self.status.allocate(
            conn,
            profile=profile.slug,
            issuer_did=signer.did,
            key_type=option.key_type,
            fmt=plan.fmt,
            purposes=plan.purposes,
        )
        first = str(as_list(document.get("@context"))[0])
        context = plan.fmt.entry_context_for(first)
        if context is not None:
            document = with_context(document, context)
        status: Any = allocation.entries
        if len(allocation.entries) == 1:
            status = allocation.entries[0]
            if conformance:
                # One entry is OB 3.0's own cardinality: the credential can name its schema.
                document = claim_schema(document)
        document = {**document, "credentialStatus": status}
        if conformance:
            check_conformance(document)
        secured = sign_credential(
            document,
            option,
            signer.key,
            signer.verification_method,
            mandatory_pointers=mandatory_pointers,
        )
        record_id = record_id or new_record_id()
        valid_until = document.get("validUntil") or document.get("expirationDate")
        await conn.execute(
            "INSERT INTO issuer_credentials (id, credential_id, profile, template, recipient,"
            " suite, vcdm, issuer_did, status_group, status_index, purposes, issued_at,"
            " valid_until, parent, credential)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record_id,
                document["id"],
                profile.slug,
                template_id,
                msgspec.json.encode(recipient).decode(),
                option.id,
                data_model(document),
                signer.did,
                allocation.group,
                allocation.index,
                ",".join(plan.purposes),
                iso(self.rt.now()),
                valid_until,
                parent,
                secured if isinstance(secured, str) else json.dumps(secured),
            ),
        )
        return Issued(id=record_id, credential=secured, status_index=allocation.index)

    # --- VC-API -------------------------------------------------------------------------

    async def _profile_for(self, issuer_id: str | None, key_type: str) -> Profile:
        if issuer_id is None:
            return await self.profiles.default()
        for profile in await self.profiles.all():
            if await self.profiles.issuer_did(profile, key_type) == issuer_id:
                return profile
        raise InputError(
            f"This server does not issue as {issuer_id!r} with this suite; see GET /issuers.",
            code="issue.wrong-issuer",
            field="credential.issuer",
        )

    async def issue_document(self, credential: Any, option: SigningOption, options: Any) -> Issued:
        """VC-API: sign a caller-made credential as one of this server's issuers."""
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise InputError(
                "options must be an object.", code="issue.bad-options", field="options"
            )
        unknown = sorted(set(options) - VC_API_OPTIONS)
        if unknown:
            raise InputError(
                f"Unsupported option(s): {', '.join(unknown)}.",
                code="issue.bad-options",
                field=f"options.{unknown[0]}",
            )
        if not isinstance(credential, dict):
            raise InputError(
                "credential must be a JSON object.", code="issue.bad-credential", field="credential"
            )
        if "credentialStatus" in credential:
            raise InputError(
                "credentialStatus is assigned by this issuer; leave it out.",
                code="issue.bad-credential",
                field="credential.credentialStatus",
            )
        fmt = self._status_format(options.get("credentialStatus"))
        profile = await self._profile_for(id_of(credential.get("issuer")), option.key_type)
        signer = await self.profiles.signer(profile, option.key_type)
        credential_id = options.get("credentialId")
        if credential_id is not None and not isinstance(credential_id, str):
            raise InputError(
                "options.credentialId must be a string.",
                code="issue.bad-options",
                field="options.credentialId",
            )
        document = prepare_credential(
            credential, issuer_id=signer.did, now=iso(self.rt.now()), credential_id=credential_id
        )
        pointers = None
        if "mandatoryPointers" in options:
            if option.suite != SD_SUITE:
                raise InputError(
                    "mandatoryPointers only apply to ecdsa-sd-2023.",
                    code="issue.bad-options",
                    field="options.mandatoryPointers",
                )
            pointers = check_mandatory_pointers(document, options["mandatoryPointers"])
        subject = as_list(document.get("credentialSubject"))[0]
        recipient = Recipient(did=id_of(subject))
        async with self.rt.db.transaction() as conn:
            plan = _Plan(option, data_model(document), fmt, ("", None), PURPOSES)
            return await self._finish(
                conn,
                document,
                signer,
                profile,
                plan,
                "vc-api",
                recipient,
                mandatory_pointers=pointers,
                conformance=False,
            )

    @staticmethod
    def _status_format(value: Any) -> ListFormat:
        if value is None:
            return list_format(None)
        kind = value.get("type") if isinstance(value, dict) else None
        names = {"BitstringStatusListEntry": "bitstring", "StatusList2021Entry": "statuslist2021"}
        if kind not in names:
            raise InputError(
                "options.credentialStatus.type is BitstringStatusListEntry or StatusList2021Entry.",
                code="issue.bad-options",
                field="options.credentialStatus",
            )
        return list_format(names[kind])

    async def issuers(self) -> list[dict[str, Any]]:
        """Per profile and suite: the issuer DID and verification method (``GET /issuers``)."""
        result: list[dict[str, Any]] = []
        for profile in await self.profiles.all():
            keys = await self.profiles.public_keys(profile.slug)
            for option in SIGNING_OPTIONS.values():
                did, vm = self.profiles.identity(profile, option.key_type, keys[option.key_type])
                result.append(
                    {
                        "suite": option.id,
                        "label": option.label,
                        "issuer": did,
                        "verificationMethod": vm,
                        "keyType": option.key_type,
                        "profile": profile.slug,
                        "default": profile.is_default and option.id == DEFAULT_OPTION,
                    }
                )
        return result

    # --- records and status ---------------------------------------------------------------

    @staticmethod
    def _record(row: Any, *, full: bool = False) -> dict[str, Any]:
        record: dict[str, Any] = {
            "id": row["id"],
            "template": row["template"],
            "recipient": json.loads(row["recipient"]),
            "status": row["status"],
            "issued_at": row["issued_at"],
            "credential_id": row["credential_id"],
            "profile": row["profile"],
            "issuer": row["issuer_did"],
            "suite": row["suite"],
            "vcdm": row["vcdm"],
            "valid_until": row["valid_until"],
            "parent": row["parent"],
        }
        if full:
            text = row["credential"]
            record["credential"] = text if not text.startswith("{") else json.loads(text)
        return record

    async def records(self) -> list[dict[str, Any]]:
        """Every issued credential, newest first."""
        rows = await self.rt.db.fetchall(
            "SELECT * FROM issuer_credentials ORDER BY issued_at DESC, rowid DESC"
        )
        return [self._record(r) for r in rows]

    async def record(self, record_id: str) -> dict[str, Any]:
        """One issued credential with the credential itself."""
        row = await self.rt.db.fetchone(
            "SELECT * FROM issuer_credentials WHERE id = ?", (record_id,)
        )
        if row is None:
            raise ServiceError(
                f"No issued credential {record_id!r}.", code="issuer.no-credential", status=404
            )
        return self._record(row, full=True)

    async def change_status(self, record_id: str, action: Action) -> dict[str, str]:
        """Revoke (final), suspend or unsuspend an issued credential."""
        async with self.rt.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT status, status_group, status_index, purposes FROM issuer_credentials"
                " WHERE id = ?",
                (record_id,),
            )
            row = await cur.fetchone()
            if row is None:
                raise ServiceError(
                    f"No issued credential {record_id!r}.", code="issuer.no-credential", status=404
                )
            current = row["status"]
            rules: dict[str, tuple[tuple[str, ...], str, str, int]] = {
                "revoke": (("active", "suspended"), "revoked", PURPOSES[0], 1),
                "suspend": (("active",), "suspended", PURPOSES[1], 1),
                "unsuspend": (("suspended",), "active", PURPOSES[1], 0),
            }
            allowed, new, purpose, bit = rules[action]
            if purpose not in row["purposes"].split(","):
                raise ServiceError(
                    f"This credential has no {purpose} status entry, so it cannot be {new}.",
                    code="issuer.status-conflict",
                    status=409,
                )
            if current not in allowed:
                raise ServiceError(
                    f"Cannot {action} a credential that is {current}.",
                    code="issuer.status-conflict",
                    status=409,
                )
            await self.status.set_bit(conn, row["status_group"], purpose, row["status_index"], bit)
            await conn.execute(
                "UPDATE issuer_credentials SET status = ? WHERE id = ?", (new, record_id)
            )
        return {"id": record_id, "status": new}

    def now(self) -> datetime:
        """The runtime's clock."""
        return self.rt.now()


__all__ = ["Action", "Issued", "Issuer", "Recipient"]
