"""Strict XML Schema / RFC 3339 date-time parsing for credential dates."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from shared.errors import InputError

_DATETIME = re.compile(
    r"^(?P<y>-?\d{4,})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?P<f>\.\d+)?(?P<tz>Z|[+-]\d{2}:\d{2})?$",
    re.IGNORECASE,
)


def parse_datetime(value: object, *, field: str, require_timezone: bool = True) -> datetime:
    """Parse a credential date-time; a missing timezone is malformed when required."""
    if not isinstance(value, str):
        raise InputError(f"{field} must be a date-time string.", code="date.malformed", field=field)
    m = _DATETIME.match(value.strip())
    if not m:
        raise InputError(
            f"{field} ({value!r}) is not an XML Schema date-time.",
            code="date.malformed",
            field=field,
        )
    tz = m.group("tz")
    if tz is None and require_timezone:
        raise InputError(
            f"{field} ({value!r}) has no timezone, so the moment it names is ambiguous.",
            code="date.no-timezone",
            field=field,
        )
    frac = m.group("f") or ""
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    try:
        base = datetime(
            int(m.group("y")),
            int(m.group("mo")),
            int(m.group("d")),
            int(m.group("h")),
            int(m.group("mi")),
            int(m.group("s")),
            micro,
            tzinfo=UTC,
        )
    except ValueError as exc:
        raise InputError(
            f"{field} ({value!r}) is not a valid date.", code="date.malformed", field=field
        ) from exc
    if tz and tz.upper() != "Z":
        sign = 1 if tz[0] == "+" else -1
        offset = timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
        base -= sign * offset
    return base


def iso(moment: datetime) -> str:
    """RFC 3339 UTC text with a ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
