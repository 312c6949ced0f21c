"""An auto-answer waiting for the customer's verdict: the link they follow maps to the workflow's token."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from shared.domain.ids import CaseId


class AnswerOutcome(StrEnum):
    SOLVED = "solved"
    NOT_SOLVED = "not_solved"
    REPLIED = "replied"  # the customer wrote back instead of choosing
    EXPIRED = "expired"  # a verdict came after the workflow stopped waiting: it did not count


class PendingAnswer(BaseModel):
    answer_id: str
    case_id: CaseId
    # Secret to the workflow; never shown to agents or customers. None: nothing waits on the verdict
    # (the case went to a person at once), so a "solved" resolves the case itself.
    task_token: str | None = None
    reason: str
    created_at: datetime
    expires_at: datetime
    outcome: AnswerOutcome | None = None


def new_answer_id() -> str:
    """Unguessable: whoever has the link can answer for the customer, so it must not be enumerable."""
    return secrets.token_urlsafe(24)
