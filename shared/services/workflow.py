"""The contact workflow's tasks (infra/workflows/contact.asl.json): each reads the case, decides, writes.

Every task is safe to run twice: Step Functions retries a task whose result it did not see, so a
second run finds its own work done (a status already moved, a notice already stored under its
fixed id) and answers as the first did.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from shared.domain.agents import least_loaded
from shared.domain.answers import PendingAnswer, new_answer_id
from shared.domain.case import Case, CaseStatus
from shared.domain.clock import iso, utc_now
from shared.domain.events import CaseEvent, EventKind
from shared.domain.ids import CaseId
from shared.domain.notices import Notice
from shared.domain.sla import ClockKind, SlaPlan
from shared.domain.triage import (
    AnswerFinder,
    KnownAnswer,
    LanguageDetector,
    SentimentAnalyser,
    TriageFacts,
    decide_priority,
    is_spam,
)
from shared.errors import Conflict
from shared.ports import AgentStore, AnswerStore, CaseStore, CustomerStore
from shared.services.case_updates import Change, read_case, update_case
from shared.services.cases import CaseNotFound, CaseService
from shared.services.notices import CustomerNotices
from shared.settings import Settings

_WORKFLOW = "workflow"


class AutoAnswerSkipped(Conflict):
    """The case moved on (an agent answered, the customer wrote) before the auto-answer went out."""

    code = "auto_answer_skipped"


class TriageResult(BaseModel):
    spam: bool
    auto_answer: bool
    route_at_once: bool  # the answer (if any) goes out alongside routing, and nothing waits on a verdict
    answer_timeout_seconds: int


class WatchResult(BaseModel):
    done: bool
    wake_at: str
    claim: bool = False  # the next round is this execution's first: it takes the watch over
    notify: bool = False
    subject: str = ""
    message: str = ""


class WorkflowService:
    def __init__(
        self,
        *,
        cases: CaseService,
        notices: CustomerNotices,
        case_store: CaseStore,
        customers: CustomerStore,
        agents: AgentStore,
        answers: AnswerStore,
        detector: LanguageDetector,
        sentiment: SentimentAnalyser,
        finder: AnswerFinder,
        settings: Settings,
    ) -> None:
        self.cases = cases
        self.notices = notices
        self.case_store = case_store
        self.customers = customers
        self.agents = agents
        self.answers = answers
        self.detector = detector
        self.sentiment = sentiment
        self.finder = finder
        self.settings = settings

    # --- triage ----------------------------------------------------------------------------

    def triage(self, case_id: CaseId) -> TriageResult:
        detail = self.cases.get(case_id)
        text = detail.question
        language = self.detector.detect(text) or self.settings.default_language
        answer = self.finder.find(text, language)
        case = detail.case
        if case.status == CaseStatus.NEW:
            facts = self._facts(case, text, language, answer)
            spam = is_spam(facts, self.settings.spam_rules)
            decision = decide_priority(facts, self.settings.priority_rules)

            def triaged(case: Case, now: datetime) -> list[CaseEvent | None]:
                case.language, case.contact_reason, case.spam = language, facts.reason, spam
                case.priority_why = decision.why
                events = [
                    case.change_priority(decision.priority, actor=_WORKFLOW, at=now),
                    case.change_status(CaseStatus.TRIAGED, actor=_WORKFLOW, at=now),
                    case.event(EventKind.TRIAGED, _WORKFLOW, now, _triage_data(language, facts, spam, decision.why)),
                ]
                if spam:
                    case.queue = self.settings.spam_queue
                else:
                    case.start_sla(self.settings.sla_policies.targets(case.priority, case.channel))
                return events

            case = self._update(case_id, triaged, only_if=lambda c: c.status == CaseStatus.NEW)
        return TriageResult(
            spam=case.spam,
            auto_answer=not case.spam and self._may_auto_answer(case, answer),
            route_at_once=case.goes_to_a_person_at_once(self.settings.route_at_once_priority),
            answer_timeout_seconds=self.settings.auto_answer_timeout_seconds,
        )

    def _facts(self, case: Case, text: str, language: str, answer: KnownAnswer | None) -> TriageFacts:
        customer = self.customers.get_customer(case.customer_id)
        earlier = [
            (c.contact_reason, c.created_at)
            for c in self.case_store.customer_cases(case.customer_id)
            if c.case_id != case.case_id and c.contact_reason
        ]
        return TriageFacts(
            text=text,
            channel=case.channel,
            language=language,
            vip=bool(customer and customer.vip),
            reason=answer.reason if answer else None,
            negativity=self.sentiment.score(text, language),
            earlier_reasons=earlier,
            now=case.created_at,
        )

    def _may_auto_answer(self, case: Case, answer: KnownAnswer | None) -> bool:
        return (
            answer is not None
            and answer.confidence >= self.settings.auto_answer_min_confidence
            and case.channel in self.settings.auto_answer_channels
            and self.notices.can_email(case)
        )

    # --- telling the customer ----------------------------------------------------------------

    def acknowledge(self, case_id: CaseId) -> None:
        case = self._case(case_id)
        self.notices.notify_customer(case, Notice.ACKNOWLEDGEMENT, key="ack")

    def auto_answer(self, case_id: CaseId, task_token: str | None) -> None:
        """Send the known answer and park the task token where the customer's link can reach it.

        Without a token nothing waits on the verdict: the case goes to a person at once (triage's
        `route_at_once`), and the answer goes out alongside. A retry keeps the answer id (the link may
        be in the customer's inbox) and takes the new token.
        """
        case = self._case(case_id)
        answering = case.answer_id is not None and case.status in {CaseStatus.AUTO_ANSWERED, CaseStatus.TRIAGED}
        if case.status != CaseStatus.TRIAGED and not answering:
            raise AutoAnswerSkipped(f"the case is {case.status} now; a person takes it")
        answer = self.finder.find(self.cases.get(case_id).question, case.language or "en")
        if answer is None:
            raise AutoAnswerSkipped("the answer found at triage is gone; a person takes it")
        pending = self.answers.get_answer(case.answer_id) if case.answer_id else None
        if pending is not None:
            self.answers.put_answer(pending.model_copy(update={"task_token": task_token}))
        else:
            now = utc_now()
            answer_id = new_answer_id()
            self.answers.put_answer(
                PendingAnswer(
                    answer_id=answer_id,
                    case_id=case_id,
                    task_token=task_token,
                    reason=answer.reason,
                    created_at=now,
                    expires_at=now + timedelta(seconds=self.settings.auto_answer_timeout_seconds),
                )
            )

            def answered(case: Case, now: datetime) -> list[CaseEvent | None]:
                data = {"reason": answer.reason, "url": answer.url}
                return case.answered_automatically(answer_id, waits=task_token is not None, data=data, at=now)

            case = self._update(case_id, answered)
        link = f"{self.settings.portal_url.rstrip('/')}/v1/answers/{case.answer_id}"
        self.notices.notify_customer(
            case, Notice.AUTO_ANSWER, key="answer", short_answer=answer.short_answer, url=answer.url, answer_link=link
        )

    def resolve_answered(self, case_id: CaseId) -> None:
        def resolved(case: Case, now: datetime) -> list[CaseEvent | None]:
            locale = self.settings.kb_locale_for(case.language)
            return case.resolve_as_answered(case.answer_id or "", locale, at=now)

        # Only the case still waiting on this answer: one the customer wrote to since needs a person.
        case = self._update(case_id, resolved, only_if=lambda c: c.status == CaseStatus.AUTO_ANSWERED)
        if case.is_active:
            raise AutoAnswerSkipped(f"the case is {case.status} now; a person takes it")

    # --- routing ---------------------------------------------------------------------------

    def route(self, case_id: CaseId) -> WatchResult:
        """Queue by reason, then channel; the least-loaded available agent of that queue takes it."""

        def routed(case: Case, now: datetime) -> list[CaseEvent | None]:
            rules = self.settings.routing
            queue = rules.by_reason.get(case.contact_reason or "") or rules.by_channel.get(case.channel) or case.queue
            if case.queue == self.settings.needs_attention_queue:
                queue = case.queue  # intake put it there (no usable sender): a person looks first
            agent = least_loaded(self.agents.list_agents(), queue)
            case.queue, case.routed_at = queue, now
            if case.sla is None:
                case.start_sla(self.settings.sla_policies.targets(case.priority, case.channel))
            assignee = agent.agent_id if agent else ""
            events: list[CaseEvent | None] = [
                case.event(EventKind.ROUTED, _WORKFLOW, now, {"queue": queue, "assignee": assignee})
            ]
            if case.status in {CaseStatus.NEW, CaseStatus.TRIAGED, CaseStatus.AUTO_ANSWERED}:
                events.append(case.change_status(CaseStatus.OPEN, actor=_WORKFLOW, at=now))
            if agent is not None and case.assignee is None:
                events.append(case.assign(agent.agent_id, actor=_WORKFLOW, at=now))
            return events

        self._update(case_id, routed, only_if=lambda c: c.is_active and c.routed_at is None)
        return WatchResult(done=False, wake_at=iso(utc_now()), claim=True)  # nothing to announce yet

    # --- SLA -------------------------------------------------------------------------------

    def sla_watch(
        self, case_id: CaseId, *, notified: bool = False, claim: bool = False, watch: str = ""
    ) -> WatchResult:
        """Act on what is due and say when to look again; `done` once the case is resolved or closed.

        Decisions are taken on the case as written: two watches of one case (a reopened case's new
        execution while the old one still sleeps) escalate each clock once. Supervisors hear of each
        escalation at least once: until a round starts with `notified` (the state machine published
        the previous round's message), escalated clocks are announced again.

        One execution watches a case at a time: the newest one (`watch`, its name) claims the case at
        its first round, and an older one that wakes to find another owner stands down.
        """
        now = utc_now()
        case = self._case(case_id)
        if watch and claim and case.watch != watch:

            def claimed(case: Case, now: datetime) -> list[CaseEvent | None]:
                case.watch = watch
                return []

            case = self._update(case_id, claimed)
        elif watch and case.watch is not None and case.watch != watch:
            return WatchResult(done=True, wake_at=iso(now))  # a newer execution watches this case
        if notified and case.sla is not None and case.sla.unnotified():

            def announced(case: Case, now: datetime) -> list[CaseEvent | None]:
                if case.sla is not None:
                    case.sla.mark_notified(now)
                return []

            case = self._update(case_id, announced)
        if not case.needs_watch:
            # Resolved, or every clock paused, met or escalated. The case stream starts a new watch
            # when a clock runs again, so no execution sleeps for months (the history holds 25,000 events).
            return self._announcement(case) or WatchResult(done=True, wake_at=iso(now))

        def escalate_due(case: Case, now: datetime) -> list[CaseEvent | None]:
            due = [n for n in self._plan(case, now).notices if n.kind == "escalate" and n.clock is not None]
            if not due:
                return []
            events: list[CaseEvent | None] = list(
                case.escalate(due[0].clock or ClockKind.FIRST_RESPONSE, queue=self.settings.supervisor_queue, at=now)
            )
            for more in due[1:]:
                if more.clock is not None and case.sla is not None:
                    case.sla.mark_escalated(more.clock, now)
            return events

        if any(n.kind == "escalate" for n in self._plan(case, now).notices):
            case = self._update(case_id, escalate_due)
        if any(n.kind == "still_working" for n in self._plan(case, now).notices):
            self.notices.notify_customer(
                case, Notice.STILL_WORKING, key=f"still.{len(case.sla.clocks) if case.sla else 0}"
            )

            def sent(case: Case, now: datetime) -> list[CaseEvent | None]:
                if case.sla is not None:
                    case.sla.mark_still_working(now)
                return []

            case = self._update(case_id, sent)
        plan = self._plan(case, now)
        wake_at = plan.wake_at or now + timedelta(seconds=self.settings.sla_max_sleep_seconds)
        # Step Functions drops a timestamp's fraction of a second: round up, or it wakes just early.
        wake_at = max(wake_at, now).replace(microsecond=0) + timedelta(seconds=1)
        # An announcement first: the next round (right away) marks it published, then goes on.
        return self._announcement(case) or WatchResult(done=not case.needs_watch, wake_at=iso(wake_at))

    def _announcement(self, case: Case) -> WatchResult | None:
        """The message for supervisors about escalations not yet announced: case reference and clocks only."""
        clocks = case.sla.unnotified() if case.sla is not None else []
        if not clocks:
            return None
        kinds = ", ".join(c.kind.value for c in clocks)
        due = [c.used_up_at(self.settings.business_calendar, 1.0, now=utc_now()) for c in clocks]
        return WatchResult(
            done=False,
            wake_at=iso(utc_now()),
            notify=True,
            subject=f"Case {case.reference} escalated ({kinds})"[:100],
            message=(
                f"Case {case.reference} ({case.case_id}) is about to miss its {kinds} promise"
                f" (due {iso(min(due))}). Priority is now {case.priority}; it is in the"
                f" {self.settings.supervisor_queue} queue."
            ),
        )

    def _plan(self, case: Case, now: datetime) -> SlaPlan:
        if case.sla is None or not case.is_active:
            return SlaPlan(notices=[], wake_at=None)
        return case.sla.plan(
            self.settings.business_calendar,
            now=now,
            escalate_at=self.settings.sla_escalate_at,
            max_sleep=timedelta(seconds=self.settings.sla_max_sleep_seconds),
        )

    # --- failure ---------------------------------------------------------------------------

    def needs_attention(self, case_id: CaseId, error: dict[str, Any] | None) -> None:
        """Put the case where people look. The error's type only: its cause may quote customer data."""
        error_type = str((error or {}).get("Error", "unknown"))[:200]

        def flagged(case: Case, now: datetime) -> list[CaseEvent | None]:
            case.queue = self.settings.needs_attention_queue
            events: list[CaseEvent | None] = [
                case.event(EventKind.NEEDS_ATTENTION, _WORKFLOW, now, {"error": error_type})
            ]
            if case.status in {CaseStatus.NEW, CaseStatus.TRIAGED, CaseStatus.AUTO_ANSWERED}:
                # Nobody would ever take it from here: open it, so its clocks run and people act.
                events.append(case.change_status(CaseStatus.OPEN, actor=_WORKFLOW, at=now))
            return events

        try:
            self._update(case_id, flagged)
        except CaseNotFound:
            return  # nothing to flag; the DLQ keeps the event

    # --- helpers ---------------------------------------------------------------------------

    def _case(self, case_id: CaseId) -> Case:
        return read_case(self.case_store, case_id)

    def _update(self, case_id: CaseId, change: Change, *, only_if: Callable[[Case], bool] = lambda _: True) -> Case:
        return update_case(self.case_store, case_id, change, only_if=only_if)


def _triage_data(language: str, facts: TriageFacts, spam: bool, why: list[str]) -> dict[str, Any]:
    return {"language": language, "reason": facts.reason or "", "spam": spam, "why": why}
