"""The customer's verdict on an auto-answer, from the link in the email."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from shared.domain.answers import AnswerOutcome, PendingAnswer
from shared.domain.case import Case, CaseStatus
from shared.domain.clock import utc_now
from shared.domain.events import CaseEvent
from shared.errors import Conflict, NotFound, TugiError
from shared.ports import AnswerAlreadySettled, AnswerStore, CaseStore, TaskExpired, WorkflowEngine
from shared.services.case_updates import update_case


class AnswerNotFound(NotFound):
    code = "answer_not_found"


class AnswerAlreadyGiven(Conflict):
    code = "answer_already_given"


class AnswerExpired(TugiError):
    code = "answer_expired"
    http_status = 410


class AnswerVerdicts:
    def __init__(
        self, answers: AnswerStore, cases: CaseStore, engine: WorkflowEngine, locale_for: Callable[[str | None], str]
    ) -> None:
        self.answers = answers
        self.cases = cases
        self.engine = engine
        self.locale_for = locale_for  # the knowledge base's locale for a case's language

    def get(self, answer_id: str) -> PendingAnswer:
        answer = self.answers.get_answer(answer_id)
        if answer is None:
            raise AnswerNotFound("this link is not one we sent")
        return answer

    def give(self, answer_id: str, *, solved: bool) -> AnswerOutcome:
        """Once per answer: the first verdict (or reply) counts; the workflow resolves or routes."""
        pending = self.get(answer_id)
        case = self.cases.get_case(pending.case_id)
        # A workflow waits on the verdict (the case auto_answered), or none does and a person has the
        # case already (routed at once): then the verdict counts while the case is active.
        routed = pending.task_token is None
        waiting = (
            case is not None
            and case.answer_id == answer_id
            and (case.is_active if routed else case.status == CaseStatus.AUTO_ANSWERED)
        )
        too_late = pending.outcome is None and (not waiting or utc_now() >= pending.expires_at)
        if too_late or pending.outcome == AnswerOutcome.EXPIRED:
            # The workflow stopped waiting (timeout, or the case moved on): too late to count.
            raise AnswerExpired("this question has closed; a person from our team has the case")
        outcome = AnswerOutcome.SOLVED if solved else AnswerOutcome.NOT_SOLVED
        retry = pending.outcome == outcome  # the same click again, e.g. after a 503: tell the workflow again
        if pending.outcome is not None and not retry:
            raise AnswerAlreadyGiven("you already told us; thank you")
        if retry and not waiting:
            return outcome  # the case moved on (the customer wrote, the wait ended): nothing to hand over
        try:
            answer = pending if retry else self.answers.settle(answer_id, outcome)
        except AnswerAlreadySettled as exc:
            raise AnswerAlreadyGiven("you already told us; thank you") from exc
        if answer.task_token is None:
            if solved:
                self._resolve(answer)
            return outcome
        try:
            self.engine.complete_task(answer.task_token, {"solved": solved, "via": "link"})
        except TaskExpired as exc:
            if retry:
                return outcome  # the first click got through (or the wait ended meanwhile): done either way
            self.answers.mark_expired(answer_id)  # a second click must hear the same
            raise AnswerExpired("this question has closed; a person from our team has the case") from exc
        return outcome

    def _resolve(self, answer: PendingAnswer) -> None:
        """ "Solved" on a case a person has: resolved as the workflow resolves a waiting one."""

        def resolved(case: Case, now: datetime) -> list[CaseEvent | None]:
            return case.resolve_as_answered(answer.answer_id, self.locale_for(case.language), at=now)

        update_case(self.cases, answer.case_id, resolved)
