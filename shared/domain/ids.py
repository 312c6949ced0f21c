"""Typed ids. Each carries a prefix that says what it is and a ULID, so ids sort by creation time."""

from __future__ import annotations

import re
import secrets
from typing import NewType

from ulid import ULID

CustomerId = NewType("CustomerId", str)
CaseId = NewType("CaseId", str)
MessageId = NewType("MessageId", str)
EventId = NewType("EventId", str)
MergeId = NewType("MergeId", str)
CaseReference = NewType("CaseReference", str)
AgentId = NewType("AgentId", str)

# Crockford base32 without look-alikes, for references people read aloud and type.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_BODY = "[2-9A-HJKMNP-TV-Z]{6}"  # that alphabet, as a pattern


def _new(prefix: str) -> str:
    return f"{prefix}_{str(ULID()).lower()}"


def new_customer_id() -> CustomerId:
    return CustomerId(_new("cus"))


def new_case_id() -> CaseId:
    return CaseId(_new("case"))


def new_message_id() -> MessageId:
    return MessageId(_new("msg"))


def new_event_id() -> EventId:
    return EventId(_new("evt"))


def new_merge_id() -> MergeId:
    return MergeId(_new("mrg"))


def new_search_id() -> str:
    return _new("srch")


def new_phrasing_id() -> str:
    return _new("phr")


def new_reference(prefix: str) -> CaseReference:
    """A short case reference such as `TG-7K3P9Q` (30^6 ≈ 7·10^8 values; claimed conditionally)."""
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return CaseReference(f"{prefix}-{body}")


def as_reference(text: str, prefix: str) -> CaseReference | None:
    """`tg-7k3p9q` as a person typed it → `TG-7K3P9Q`; None when it is no reference."""
    # ASCII: with Unicode case folding the Kelvin sign would match "K".
    if re.fullmatch(rf"{re.escape(prefix)}-{REFERENCE_BODY}", text.strip(), re.IGNORECASE | re.ASCII) is None:
        return None
    return CaseReference(text.strip().upper())
