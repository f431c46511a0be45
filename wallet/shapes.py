"""Wire shapes of the wallet API's requests (msgspec: decoding is validation)."""

from __future__ import annotations

import msgspec


class PasswordLogin(msgspec.Struct, forbid_unknown_fields=True):
    """``{username, password}``."""

    username: str
    password: str


class NewDid(msgspec.Struct, forbid_unknown_fields=True):
    """``{label?}``."""

    label: str | None = None


class ImportRequest(msgspec.Struct, forbid_unknown_fields=True):
    """One of ``text`` (pasted JSON or JWT), ``url`` or ``payload`` (scanned QR / deep link)."""

    text: str | None = None
    url: str | None = None
    payload: str | None = None
    tx_code: str | None = None
    keep_unverified: bool = False


class AcceptImport(msgspec.Struct, forbid_unknown_fields=True):
    """``{keep_unverified?}``: keep a credential that did not verify (shown as not verified)."""

    keep_unverified: bool = False


class AssociationIn(msgspec.Struct, forbid_unknown_fields=True):
    """A pathway link between two chosen credentials' achievements."""

    type: str
    source: str
    target: str


class BundleRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Credentials (in pathway order) to bundle into a learner-signed CLR."""

    credential_ids: list[str]
    name: str | None = None
    description: str | None = None
    associations: list[AssociationIn] = []


class ShareRequest(msgspec.Struct, forbid_unknown_fields=True):
    """What to share, until when; ``disclose`` maps a credential id to the pointers revealed."""

    credential_ids: list[str]
    expires_at: str | None = None
    title: str | None = None
    disclose: dict[str, list[str]] | None = None


class VerifierRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    """A scanned OpenID4VP request or VC-API interaction URL."""

    payload: str


class RespondRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The learner's choice and consent."""

    credential_ids: list[str]
    consent: bool = False
    disclose: dict[str, list[str]] | None = None


class BackupRequest(msgspec.Struct, forbid_unknown_fields=True):
    """``{passphrase}``."""

    passphrase: str
