"""Issuer trust lists: who the verifying party already recognises.

Two formats, read from files the user configures: the DCC "known DID registry"
JSON (``{"meta": {...}, "entries": {"did:...": {"name", "url", "location"}}}``)
and a plain allow-list (a JSON array of DIDs/URLs, or one per line, ``#`` comments).
Recognition is advice, never part of the signature verdict: an unknown issuer is
a warning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.errors import InputError
from shared.verification.report import CheckResult, passed, warning


@dataclass(frozen=True)
class TrustedIssuer:
    """One entry of a trust list."""

    issuer_id: str
    name: str | None = None
    url: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class TrustList:
    """A named set of recognised issuers."""

    name: str
    entries: dict[str, TrustedIssuer] = field(default_factory=dict)

    def lookup(self, issuer_id: str) -> TrustedIssuer | None:
        """The entry for ``issuer_id``, if listed."""
        return self.entries.get(issuer_id)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_trust_list(data: bytes | str, *, name: str) -> TrustList:
    """Parse a DCC registry or a plain allow-list; raise ``InputError`` on anything else."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise InputError(
                f"Trust list {name!r} is not valid JSON.", code="trust.invalid"
            ) from exc
        if isinstance(parsed, dict) and isinstance(parsed.get("entries"), dict):
            raw_meta = parsed.get("meta")
            meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
            list_name = _text(meta.get("name")) or name
            entries = {
                did: TrustedIssuer(
                    did,
                    _text(info.get("name")),
                    _text(info.get("url")),
                    _text(info.get("location")),
                )
                for did, info in parsed["entries"].items()
                if isinstance(did, str) and isinstance(info, dict)
            }
            return TrustList(list_name, entries)
        if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed):
            return TrustList(name, {item: TrustedIssuer(item) for item in parsed})
        raise InputError(
            f"Trust list {name!r} is neither a DCC registry nor a list of issuer ids.",
            code="trust.invalid",
        )
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return TrustList(name, {line: TrustedIssuer(line) for line in lines if line})


def load_trust_list(path: Path | str) -> TrustList:
    """Read a trust list file (named after the file)."""
    file = Path(path)
    return parse_trust_list(file.read_bytes(), name=file.stem)


def trust_checks(issuer_id: str | None, trust_lists: list[TrustList]) -> list[CheckResult]:
    """Whether the issuer is recognised by any configured list (a warning if not)."""
    if not trust_lists or issuer_id is None:
        return []
    for trust_list in trust_lists:
        entry = trust_list.lookup(issuer_id)
        if entry is not None:
            label = f" as {entry.name}" if entry.name else ""
            return [
                passed(
                    "issuer-trust",
                    f"Issuer recognised by {trust_list.name}{label}.",
                    trust_list=trust_list.name,
                    **({"issuer_name": entry.name} if entry.name else {}),
                    **({"issuer_url": entry.url} if entry.url else {}),
                )
            ]
    names = ", ".join(t.name for t in trust_lists)
    return [
        warning(
            "issuer-trust",
            f"The issuer {issuer_id} is not in your trust list ({names}). The signature is "
            "still checked; only its owner is unknown to you.",
        )
    ]
