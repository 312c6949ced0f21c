"""Things that happened to a case or a customer, past tense. They make up half of the timeline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from shared.domain.ids import CaseId, CustomerId, EventId, new_event_id


class EventKind(StrEnum):
    CASE_OPENED = "case_opened"
    MESSAGE_RECEIVED = "message_received"
    REPLY_SENT = "reply_sent"
    NOTE_ADDED = "note_added"
    STATUS_CHANGED = "status_changed"
    REOPENED = "reopened"
    PRIORITY_CHANGED = "priority_changed"
    ASSIGNED = "assigned"
    CUSTOMER_MERGED = "customer_merged"
    CUSTOMER_UNMERGED = "customer_unmerged"
    MESSAGE_BOUNCED = "message_bounced"
    TRIAGED = "triaged"
    NOTICE_SENT = "notice_sent"
    AUTO_ANSWERED = "auto_answered"
    ESCALATED = "escalated"
    ROUTED = "routed"
    NEEDS_ATTENTION = "needs_attention"
    VIP_CHANGED = "vip_changed"
    ARTICLE_LINKED = "article_linked"


class CaseEvent(BaseModel):
    event_id: EventId
    case_id: CaseId | None = None  # None for events of a customer (a merge, an unmerge)
    customer_id: CustomerId
    origin_customer_id: CustomerId
    kind: EventKind
    actor: str
    at: datetime
    data: dict[str, Any] = {}

    @classmethod
    def create(
        cls,
        *,
        case_id: CaseId | None,
        customer_id: CustomerId,
        kind: EventKind,
        actor: str,
        at: datetime,
        data: dict[str, Any] | None = None,
        origin_customer_id: CustomerId | None = None,
    ) -> CaseEvent:
        return cls(
            event_id=new_event_id(),
            case_id=case_id,
            customer_id=customer_id,
            origin_customer_id=origin_customer_id or customer_id,
            kind=kind,
            actor=actor,
            at=at,
            data=data or {},
        )
