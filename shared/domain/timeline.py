"""The timeline: every message and event of one customer, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from shared.domain.case import Case
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
