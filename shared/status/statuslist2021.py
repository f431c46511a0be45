"""Status List 2021 (``StatusList2021Entry``), the predecessor of Bitstring Status List.

Same bit layout; the ``encodedList`` is plain base64url GZIP without a multibase prefix,
and the types are ``StatusList2021Credential`` / ``StatusList2021``.
"""

from __future__ import annotations

from typing import Any

from shared.status import StatusContext, StatusOutcome
from shared.status.bitstring import ListFormat, check_list_entry

STATUS_LIST_2021 = ListFormat(
    entry_type="StatusList2021Entry",
    credential_type="StatusList2021Credential",
    subject_type="StatusList2021",
    multibase=False,
    supports_size=False,
)


async def check_statuslist2021_entry(
    entry: dict[str, Any], document: dict[str, Any], ctx: StatusContext
) -> StatusOutcome:
    """Check a ``StatusList2021Entry``."""
    return await check_list_entry(entry, document, ctx, STATUS_LIST_2021)
