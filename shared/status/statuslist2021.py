"""Status List 2021 (``StatusList2021Entry``), the predecessor of Bitstring Status List.

Same bit layout; the ``encodedList`` is plain base64url GZIP without a multibase prefix,
and the types are ``StatusList2021Credential`` / ``StatusList2021``.
"""

from __future__ import annotations

from typing import Any

from shared.status import StatusContext, StatusOutcome
from shared.status.bitstring import VC_V1, VC_V2, ListFormat, check_list_entry

SL2021_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"

STATUS_LIST_2021 = ListFormat(
    entry_type="StatusList2021Entry",
    credential_type="StatusList2021Credential",
    subject_type="StatusList2021",
    multibase=False,
    supports_size=False,
    list_contexts=(VC_V1, SL2021_CONTEXT),
    entry_contexts=((VC_V1, SL2021_CONTEXT), (VC_V2, SL2021_CONTEXT)),
)


async def check_statuslist2021_entry(
    entry: dict[str, Any], document: dict[str, Any], ctx: StatusContext
) -> StatusOutcome:
    """Check a ``StatusList2021Entry``."""
    return await check_list_entry(entry, document, ctx, STATUS_LIST_2021)
