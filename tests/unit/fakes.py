"""In-memory fakes of the ports the contact workflow uses, and a builder for cases.

Each fake keeps the contract its Protocol (and the real adapter) promises: an answer settles once,
an execution name starts once, a task that no longer waits raises `TaskExpired`, and an agent's
load is a set of case ids, so counting a case twice counts it once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.domain.agents import AgentProfile
from shared.domain.answers import AnswerOutcome, PendingAnswer
from shared.domain.case import Case, CaseStatus
from shared.domain.channels import Channel
from shared.domain.ids import AgentId, CaseId, CaseReference, CustomerId
from shared.ports import AnswerAlreadySettled, TaskExpired

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


def make_case(status: CaseStatus = CaseStatus.NEW, **overrides: Any) -> Case:
    """A case as the store would hold it; any field can be overridden."""
    fields: dict[str, Any] = {
        "case_id": CaseId("case_01"),
        "reference": CaseReference("TG-7K3P9Q"),
        "customer_id": CustomerId("cus_01"),
        "origin_customer_id": CustomerId("cus_01"),
        "queue": "general",
        "channel": Channel.EMAIL,
        "created_at": T0,
        "updated_at": T0,
        "status": status,
    }
    fields.update(overrides)
    return Case.model_validate(fields)


class InMemoryAgentStore:
    """Profiles plus, per agent, the set of active case ids that makes up their load.

    Like `DynamoAgentStore`, writing a profile never touches the load (the stream keeps it), and a
    case tracked for someone without a profile (an admin, a deleted agent) is not counted.
    """

    def __init__(self, *profiles: AgentProfile) -> None:
        self._profiles: dict[AgentId, AgentProfile] = {}
        self._cases: dict[AgentId, set[CaseId]] = {}
        for profile in profiles:
            self.put_agent(profile)

    def list_agents(self) -> list[AgentProfile]:
        return [self._with_load(p) for p in self._profiles.values()]

    def get_agent(self, agent_id: AgentId) -> AgentProfile | None:
        profile = self._profiles.get(agent_id)
        return self._with_load(profile) if profile is not None else None

    def put_agent(self, profile: AgentProfile) -> None:
        self._profiles[profile.agent_id] = profile.model_copy(deep=True, update={"load": 0})

    def track_case(self, agent_id: AgentId, case_id: CaseId, *, active: bool) -> None:
        if agent_id not in self._profiles:
            return
        cases = self._cases.setdefault(agent_id, set())
        if active:
            cases.add(case_id)
        else:
            cases.discard(case_id)

    def active_cases(self, agent_id: AgentId) -> frozenset[CaseId]:
        """The case ids counted in the agent's load (for assertions)."""
        return frozenset(self._cases.get(agent_id, set()))

    def _with_load(self, profile: AgentProfile) -> AgentProfile:
        return profile.model_copy(deep=True, update={"load": len(self._cases.get(profile.agent_id, set()))})


class InMemoryAnswerStore:
    """Pending auto-answers by id; `settle` records an outcome once (an unknown id cannot be settled)."""

    def __init__(self, *answers: PendingAnswer) -> None:
        self._answers: dict[str, PendingAnswer] = {}
        for answer in answers:
            self.put_answer(answer)

    def put_answer(self, answer: PendingAnswer) -> None:
        self._answers[answer.answer_id] = answer.model_copy(deep=True)

    def get_answer(self, answer_id: str) -> PendingAnswer | None:
        answer = self._answers.get(answer_id)
        return answer.model_copy(deep=True) if answer is not None else None

    def settle(self, answer_id: str, outcome: AnswerOutcome) -> PendingAnswer:
        answer = self._answers.get(answer_id)
        if answer is None or answer.outcome is not None:
            raise AnswerAlreadySettled(answer_id)
        answer.outcome = outcome
        return answer.model_copy(deep=True)

    def mark_expired(self, answer_id: str) -> None:
        self._answers[answer_id].outcome = AnswerOutcome.EXPIRED


class InMemoryWorkflowEngine:
    """Executions by name, in the order they started, and the outputs handed to waiting tasks.

    A task token waits until it is completed once or marked expired (`expire`); after that,
    completing it raises `TaskExpired`, as Step Functions answers for a timed-out or used token.
    """

    def __init__(self) -> None:
        self.executions: dict[str, dict[str, Any]] = {}
        self.completed: dict[str, dict[str, Any]] = {}
        self._expired: set[str] = set()

    def start(self, name: str, payload: dict[str, Any]) -> bool:
        if name in self.executions:
            return False
        self.executions[name] = dict(payload)
        return True

    def complete_task(self, task_token: str, output: dict[str, Any]) -> None:
        if task_token in self._expired or task_token in self.completed:
            raise TaskExpired(task_token)
        self.completed[task_token] = dict(output)

    def expire(self, task_token: str) -> None:
        """The wait timed out: the workflow no longer takes this token."""
        self._expired.add(task_token)
