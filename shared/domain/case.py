"""The case aggregate: one customer issue across any number of contacts and channels."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from shared.domain.channels import Channel
from shared.domain.events import CaseEvent, EventKind
from shared.domain.ids import AgentId, CaseId, CaseReference, CustomerId
from shared.domain.mail_header import OneLine
from shared.domain.priority import Priority, at_least, raise_priority
from shared.domain.sla import CaseSla, ClockKind, SlaTargets
from shared.errors import Conflict


class CaseStatus(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    AUTO_ANSWERED = "auto_answered"
    AWAITING_CUSTOMER = "awaiting_customer"
    OPEN = "open"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


# Which status changes make sense. Closed is final: a later contact opens a follow-up case.
_ALLOWED: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEW: frozenset(CaseStatus) - {CaseStatus.NEW},
    CaseStatus.TRIAGED: frozenset(CaseStatus) - {CaseStatus.NEW, CaseStatus.TRIAGED},
    CaseStatus.AUTO_ANSWERED: frozenset(
        {CaseStatus.AWAITING_CUSTOMER, CaseStatus.OPEN, CaseStatus.RESOLVED, CaseStatus.ESCALATED}
    ),
    CaseStatus.AWAITING_CUSTOMER: frozenset(
        {CaseStatus.OPEN, CaseStatus.RESOLVED, CaseStatus.ESCALATED, CaseStatus.CLOSED}
    ),
    CaseStatus.OPEN: frozenset(
        {CaseStatus.AWAITING_CUSTOMER, CaseStatus.ESCALATED, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.ESCALATED: frozenset(
        {CaseStatus.OPEN, CaseStatus.AWAITING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.RESOLVED: frozenset({CaseStatus.OPEN, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}

ACTIVE_STATUSES = frozenset(CaseStatus) - {CaseStatus.RESOLVED, CaseStatus.CLOSED}
# While we wait for the customer, the SLA clocks stand still.
WAITING_STATUSES = frozenset({CaseStatus.AUTO_ANSWERED, CaseStatus.AWAITING_CUSTOMER})

__all__ = ["Case", "CaseStatus", "Priority", "raise_priority"]


class InvalidTransition(Conflict):
    code = "invalid_transition"


class Case(BaseModel):
    case_id: CaseId
    reference: CaseReference
    customer_id: CustomerId
    origin_customer_id: CustomerId
    subject: OneLine = Field(default="", max_length=998)  # folded: a reply's Subject: is built from it
    status: CaseStatus = CaseStatus.NEW
    priority: Priority = Priority.NORMAL
    queue: str
    assignee: AgentId | None = None
    channel: Channel
    language: str | None = None
    contact_reason: str | None = None
    follow_up_of: CaseId | None = None
    spam: bool = False
    priority_why: list[str] = []
    sla_targets: SlaTargets | None = None
    sla: CaseSla | None = None
    answer_id: str | None = Field(default=None, description="The auto-answer sent, if any")
    article_id: str | None = Field(default=None, description="The knowledge-base article that answered it")
    article_locale: str | None = None
    routed_at: datetime | None = None
    solved_by_answer: bool = Field(default=False, description='Resolved by the customer\'s "solved" on the auto-answer')
    watch: str | None = Field(default=None, description="The workflow execution that watches the SLA clocks")
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime | None = None
    version: int = 1

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def needs_watch(self) -> bool:
        """An active case with a clock that may fall due: the workflow's SLA watch has work."""
        return self.is_active and self.sla is not None and self.sla.needs_watch

    def goes_to_a_person_at_once(self, floor: Priority) -> bool:
        """A case of priority `floor` or above is routed as soon as it is triaged, even when a known
        answer goes out too: no bot's wait holds it back, and its clocks run."""
        return not self.spam and at_least(self.priority, floor)

    def answered_automatically(
        self, answer_id: str, *, waits: bool, data: dict[str, Any], at: datetime
    ) -> list[CaseEvent | None]:
        """A known answer went out. The case waits for the customer's verdict (its clocks paused) unless
        it goes to a person at once (`waits` false): then it stays where routing takes it."""
        self.answer_id = answer_id
        events: list[CaseEvent | None] = [self.event(EventKind.AUTO_ANSWERED, "workflow", at, data)]
        if waits:
            events.append(self.change_status(CaseStatus.AUTO_ANSWERED, actor="workflow", at=at))
        return events

    def resolve_as_answered(self, answer_id: str, locale: str, *, at: datetime) -> list[CaseEvent | None]:
        """The customer says the auto-answer solved it: resolved, and the answering article learns their
        question. Only while this answer is the case's and the case is active (waiting on the verdict,
        or with a person after routing at once); otherwise nothing changes."""
        if self.answer_id != answer_id or not self.is_active:
            return []
        article = self.link_article(self.contact_reason, locale, actor="customer", at=at)
        resolved = self.change_status(CaseStatus.RESOLVED, actor="customer", at=at)
        self.solved_by_answer = True
        return [article, resolved]

    def change_status(self, status: CaseStatus, *, actor: str, at: datetime) -> CaseEvent | None:
        if status == self.status:
            return None
        if status not in _ALLOWED[self.status]:
            raise InvalidTransition(f"a case cannot go from {self.status} to {status}")
        event = self.event(EventKind.STATUS_CHANGED, actor, at, {"from": self.status.value, "to": status.value})
        self._move_clocks(self.status, status, at)
        self.status = status
        return event

    def _move_clocks(self, old: CaseStatus, new: CaseStatus, at: datetime) -> None:
        """Waiting for the customer pauses the clocks; resolving stops them; a reopen starts new ones."""
        if old == CaseStatus.RESOLVED and new in ACTIVE_STATUSES:
            self.solved_by_answer = False
        if self.sla is None:
            return
        if new in WAITING_STATUSES:
            self.sla.pause(at)
        elif old in WAITING_STATUSES and new in ACTIVE_STATUSES:
            self.sla.resume(at)
        if new in {CaseStatus.RESOLVED, CaseStatus.CLOSED}:
            self.sla.resolved(at)
        elif old == CaseStatus.RESOLVED and new in ACTIVE_STATUSES and self.sla_targets is not None:
            self.sla.reopened(self.sla_targets, at)

    def start_sla(self, targets: SlaTargets) -> None:
        """The promises run from when the contact arrived, whatever happened since."""
        self.sla_targets = targets
        if self.sla is None:
            self.sla = CaseSla()
        self.sla.start(targets, self.created_at)
        if self.status in WAITING_STATUSES:
            self.sla.pause(self.updated_at)

    def retarget_sla(self, targets: SlaTargets) -> None:
        if self.sla is not None:
            self.sla_targets = targets
            self.sla.retarget(targets)

    def escalate(self, clock: ClockKind, *, queue: str, at: datetime) -> list[CaseEvent]:
        """A promise is about to break: one priority up, to the supervisors' queue, status escalated."""
        events = [
            self.event(EventKind.ESCALATED, "workflow", at, {"clock": clock.value, "queue": queue}),
            self.change_priority(raise_priority(self.priority), actor="workflow", at=at),
        ]
        self.queue = queue
        if self.status != CaseStatus.ESCALATED and CaseStatus.ESCALATED in _ALLOWED[self.status]:
            events.append(self.change_status(CaseStatus.ESCALATED, actor="workflow", at=at))
        if self.sla is not None:
            self.sla.mark_escalated(clock, at)
        self.updated_at = at
        return [e for e in events if e is not None]

    def change_priority(self, priority: Priority, *, actor: str, at: datetime) -> CaseEvent | None:
        if priority == self.priority:
            return None
        event = self.event(EventKind.PRIORITY_CHANGED, actor, at, {"from": self.priority, "to": priority})
        self.priority = priority
        return event

    def assign(self, assignee: AgentId | None, *, actor: str, at: datetime) -> CaseEvent | None:
        if assignee == self.assignee:
            return None
        if self.status == CaseStatus.CLOSED:
            raise InvalidTransition("a closed case cannot be assigned")
        event = self.event(EventKind.ASSIGNED, actor, at, {"from": self.assignee, "to": assignee})
        self.assignee = assignee
        return event

    def link_article(self, article_id: str | None, locale: str | None, *, actor: str, at: datetime) -> CaseEvent | None:
        """The article that answers this case (None unlinks): on resolution its question teaches search."""
        if (article_id, locale) == (self.article_id, self.article_locale):
            return None
        event = self.event(
            EventKind.ARTICLE_LINKED, actor, at, {"from": self.article_id, "to": article_id, "locale": locale}
        )
        self.article_id, self.article_locale = article_id, locale if article_id else None
        return event

    def receive_customer_message(self, *, at: datetime) -> CaseEvent | None:
        """A customer wrote again: a resolved or waiting case needs a person again.

        An answer nobody waits on (the case went to a person at once) is overtaken by what the customer
        writes: its "solved" link no longer resolves the case an agent now works on. A waiting one is
        settled as a reply by the case stream, which needs the id."""
        self.last_message_at = at
        if self.status != CaseStatus.AUTO_ANSWERED:
            self.answer_id = None
        if self.sla is not None and self.sla_targets is not None and self.status != CaseStatus.RESOLVED:
            self.sla.customer_replied(self.sla_targets, at)
        if self.status in {CaseStatus.RESOLVED, CaseStatus.AWAITING_CUSTOMER, CaseStatus.AUTO_ANSWERED}:
            previous = self.status
            self._move_clocks(previous, CaseStatus.OPEN, at)
            self.status = CaseStatus.OPEN
            kind = EventKind.REOPENED if previous == CaseStatus.RESOLVED else EventKind.STATUS_CHANGED
            return self.event(kind, "customer", at, {"from": previous.value, "to": self.status.value})
        return None

    def record_agent_reply(self, *, at: datetime) -> None:
        self.last_message_at = at
        if self.sla is not None:
            self.sla.agent_replied(at)
        if self.status in {CaseStatus.NEW, CaseStatus.TRIAGED, CaseStatus.OPEN, CaseStatus.ESCALATED}:
            self._move_clocks(self.status, CaseStatus.AWAITING_CUSTOMER, at)
            self.status = CaseStatus.AWAITING_CUSTOMER

    def event(self, kind: EventKind, actor: str, at: datetime, data: dict[str, Any]) -> CaseEvent:
        """An event of this case (with its customer), for what the aggregate's own methods do not record."""
        return CaseEvent.create(
            case_id=self.case_id,
            customer_id=self.customer_id,
            origin_customer_id=self.origin_customer_id,
            kind=kind,
            actor=actor,
            at=at,
            data=data,
        )


def require_version(case: Case, expected: int) -> None:
    if case.version != expected:
        raise VersionConflict(f"the case is at version {case.version}, not {expected}; reload it")


class VersionConflict(Conflict):
    code = "version_conflict"
