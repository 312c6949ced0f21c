"""The timeline: every message and event of one customer, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from shared.domain.case import Case
from shared.domain.channels import AuthorKind, Direction
from shared.domain.events import CaseEvent
from shared.domain.message import Message


class TimelineEntry(BaseModel):
    type: Literal["message", "event"]
    at: datetime
    message: Message | None = None
    event: CaseEvent | None = None


class CaseDetail(BaseModel):
    case: Case
    messages: list[Message]
    events: list[CaseEvent]
    omitted_messages: int = 0  # older messages left out to keep the answer small; the timeline has them all

    @property
    def question(self) -> str:
        """What the customer asked: the subject and their first message (triage and learning read this)."""
        inbound = sorted((m for m in self.messages if m.direction == Direction.INBOUND), key=lambda m: m.at)
        body = inbound[0].text if inbound else ""
        return f"{self.case.subject}\n{body or ''}".strip()

    @property
    def last_agent_reply(self) -> str:
        replies = [m for m in self.messages if m.direction == Direction.OUTBOUND and m.author.kind == AuthorKind.AGENT]
        latest = max(replies, key=lambda m: m.at, default=None)
        return (latest.reply_text or latest.text) if latest else ""


def newest_within(detail: CaseDetail, budget_bytes: int) -> CaseDetail:
    """The case with its newest messages that fit in `budget_bytes` of JSON (always at least one), oldest first."""
    kept: list[Message] = []
    used = 0
    for message in sorted(detail.messages, key=lambda m: m.at, reverse=True):
        size = len(message.model_dump_json())
        if kept and used + size > budget_bytes:
            break
        kept.append(message)
        used += size
    return detail.model_copy(
        update={
            "messages": kept[::-1],
            "events": sorted(detail.events, key=lambda e: e.at),
            "omitted_messages": len(detail.messages) - len(kept),
        }
    )
