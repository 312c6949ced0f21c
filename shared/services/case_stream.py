"""What follows from a case changing, read off the table's stream: start its workflow, keep agents'
loads, settle an auto-answer the customer replied to, and tell the customer what they care about.

The stream delivers each change at least once, so every step here is idempotent: a start is
named after the case, loads are sets of case ids, notices are stored under fixed ids.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from shared.domain.answers import AnswerOutcome
from shared.domain.case import Case, CaseStatus
from shared.domain.notices import Notice
from shared.ports import AgentStore, AnswerAlreadySettled, AnswerStore, TaskExpired, WorkflowEngine
from shared.services.kb_learning import KnowledgeLearning
from shared.services.notices import CustomerNotices


class CaseChange(BaseModel):
    kind: Literal["INSERT", "MODIFY", "REMOVE"]
    old: Case | None = None
    new: Case | None = None


class CaseStream:
    def __init__(
        self,
        *,
        engine: WorkflowEngine,
        agents: AgentStore,
        answers: AnswerStore,
        notices: CustomerNotices,
        needs_attention_queue: str,
        learning: KnowledgeLearning | None = None,
    ) -> None:
        self.learning = learning
        self.engine = engine
        self.agents = agents
        self.answers = answers
        self.notices = notices
        self.needs_attention_queue = needs_attention_queue

    def handle(self, change: CaseChange) -> None:
        old, new = change.old, change.new
        if change.kind == "INSERT" and new is not None:
            self.engine.start(new.case_id, {"case_id": new.case_id, "reopened": False})
        elif old is not None and new is not None and (self._watch_ended(old, new) or self._gave_up(old, new)):
            self.engine.start(f"{new.case_id}.w{new.version}", {"case_id": new.case_id, "reopened": True})
        self._keep_loads(old, new)
        if old is not None and new is not None and old.status != new.status:
            self._status_changed(old, new)

    @staticmethod
    def _watch_ended(old: Case, new: Case) -> bool:
        """A clock runs again (a reopen, a reply after waiting) and no execution watches the case.

        The first execution watches until nothing is left to watch; before it routes the case (triage,
        an auto-answer waiting) it will watch the clocks itself.
        """
        first_run_ahead = old.status != CaseStatus.RESOLVED and old.routed_at is None
        return new.needs_watch and not old.needs_watch and not first_run_ahead

    def _gave_up(self, old: Case, new: Case) -> bool:
        """The workflow put an open case in the needs-attention queue as it failed: watch it anew.

        One more execution routes it (in that queue) and watches its clocks; should that fail too,
        the queue does not change again, so there is no loop.
        """
        return new.is_active and new.queue == self.needs_attention_queue != old.queue

    def _keep_loads(self, old: Case | None, new: Case | None) -> None:
        before = old.assignee if old is not None and old.is_active else None
        after = new.assignee if new is not None and new.is_active else None
        case = new or old
        if before == after or case is None:
            return
        case_id = case.case_id
        if before:
            self.agents.track_case(before, case_id, active=False)
        if after:
            self.agents.track_case(after, case_id, active=True)

    def _status_changed(self, old: Case, new: Case) -> None:
        if old.status == CaseStatus.AUTO_ANSWERED:
            self._stop_waiting(old, new)
        if old.status == CaseStatus.AUTO_ANSWERED and new.status == CaseStatus.OPEN:
            self.notices.notify_customer(new, Notice.NOT_SOLVED, key=f"notsolved.{new.answer_id or 'none'}")
        elif new.status == CaseStatus.RESOLVED and old.status != CaseStatus.AUTO_ANSWERED and not new.solved_by_answer:
            # A customer who just said "solved" needs no email saying so.
            self.notices.notify_customer(new, Notice.RESOLVED, key=f"resolved.{new.version}")
        if new.status == CaseStatus.RESOLVED and self.learning is not None:
            self.learning.learn(new.case_id)

    def _stop_waiting(self, old: Case, new: Case) -> None:
        """The case left the auto-answer's wait: a reply from the customer is a "not solved", and
        an agent who took the case over ends the wait too (else it lasts until the timeout)."""
        if new.answer_id is None:
            return
        last, before = new.last_message_at, old.last_message_at
        if last is not None and (before is None or last > before):
            self._customer_wrote_back(new.answer_id)
            return
        answer = self.answers.get_answer(new.answer_id)
        if answer is None or answer.outcome is not None or answer.task_token is None:
            return  # the customer's verdict (or the timeout's routing) moved it, or nothing waits on it
        try:
            self.engine.complete_task(answer.task_token, {"solved": False, "via": "agent"})
        except TaskExpired:
            return  # the wait timed out: that is what moved the case

    def _customer_wrote_back(self, answer_id: str) -> None:
        try:
            answer = self.answers.settle(answer_id, AnswerOutcome.REPLIED)
        except AnswerAlreadySettled:
            settled = self.answers.get_answer(answer_id)
            if settled is None or settled.outcome != AnswerOutcome.REPLIED:
                return  # the customer chose in the link first; the workflow has that verdict
            answer = settled  # a redelivered record: the first try may not have reached the workflow
        if answer.task_token is None:
            return  # nothing waits on the verdict: the case went to a person at once
        try:
            self.engine.complete_task(answer.task_token, {"solved": False, "via": "reply"})
        except TaskExpired:
            return  # the wait timed out meanwhile; the workflow routed the case already
