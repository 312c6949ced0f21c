"""What the case stream does with each change: start the workflow, keep agents' loads, settle an
auto-answer the customer replied to, and tell the customer. Every record may arrive twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from shared.domain.agents import AgentProfile
from shared.domain.answers import AnswerOutcome, PendingAnswer
from shared.domain.case import Case, CaseStatus
from shared.domain.ids import AgentId, CaseId
from shared.domain.notices import Notice
from shared.domain.sla import SlaTargets
from shared.services.case_stream import CaseChange, CaseStream
from tests.unit.fakes import T0, InMemoryAgentStore, InMemoryAnswerStore, InMemoryWorkflowEngine, make_case

MARI = AgentId("agt_mari")
JYRI = AgentId("agt_jyri")
CASE = CaseId("case_01")
ANSWER = "ans_Zk3"
TOKEN = "token-1"


@dataclass
class SentNotice:
    case_id: CaseId
    notice: Notice
    key: str
    fields: dict[str, str]


@dataclass
class RecordingNotifier:
    """Stands in for WorkflowService.notify_customer, which needs the case and customer stores."""

    sent: list[SentNotice] = field(default_factory=list)

    def notify_customer(self, case: Case, notice: Notice, *, key: str, **fields: str) -> bool:
        self.sent.append(SentNotice(case.case_id, notice, key, fields))
        return True

    def notices(self) -> list[tuple[Notice, str]]:
        return [(s.notice, s.key) for s in self.sent]


@dataclass
class World:
    engine: InMemoryWorkflowEngine
    agents: InMemoryAgentStore
    answers: InMemoryAnswerStore
    notifier: RecordingNotifier
    stream: CaseStream

    def modify(self, old: Case, new: Case) -> None:
        self.stream.handle(CaseChange(kind="MODIFY", old=old, new=new))


@pytest.fixture
def world() -> World:
    engine = InMemoryWorkflowEngine()
    agents = InMemoryAgentStore(
        AgentProfile(agent_id=MARI, queues=["general"], available=True),
        AgentProfile(agent_id=JYRI, queues=["general"], available=True),
    )
    answers = InMemoryAnswerStore(
        PendingAnswer(
            answer_id=ANSWER,
            case_id=CASE,
            task_token=TOKEN,
            reason="password_reset",
            created_at=T0,
            expires_at=T0 + timedelta(days=3),
        )
    )
    notifier = RecordingNotifier()
    stream = CaseStream(
        engine=engine, agents=agents, answers=answers, notices=notifier, needs_attention_queue="needs_attention"
    )  # type: ignore[arg-type]
    return World(engine, agents, answers, notifier, stream)


def changed(case: Case, **fields: Any) -> Case:
    """The same case one write later."""
    return case.model_copy(update={"version": case.version + 1, **fields}, deep=True)


def load(world: World, agent: AgentId) -> int:
    profile = world.agents.get_agent(agent)
    assert profile is not None
    return profile.load


# --- starting the workflow -----------------------------------------------------------------------------------


def test_a_new_case_starts_one_execution_named_after_it(world: World) -> None:
    world.stream.handle(CaseChange(kind="INSERT", new=make_case()))
    assert world.engine.executions == {CASE: {"case_id": CASE, "reopened": False}}


def test_a_replayed_insert_starts_nothing_new(world: World) -> None:
    insert = CaseChange(kind="INSERT", new=make_case())
    world.stream.handle(insert)
    world.stream.handle(insert)
    assert list(world.engine.executions) == [CASE]


def test_a_change_to_an_existing_case_starts_no_execution(world: World) -> None:
    case = make_case(CaseStatus.NEW)
    world.modify(case, changed(case, status=CaseStatus.TRIAGED))
    assert world.engine.executions == {}


TARGETS = SlaTargets(
    first_response=timedelta(hours=4), next_response=timedelta(hours=8), resolution=timedelta(hours=40)
)


def clocked(status: CaseStatus, **fields: Any) -> Case:
    """A case whose SLA clocks started when it arrived (as triage starts them)."""
    start = CaseStatus.TRIAGED if status == CaseStatus.AUTO_ANSWERED else CaseStatus.OPEN
    case = make_case(start, **fields)
    case.start_sla(TARGETS)
    if status != start:
        case.change_status(status, actor="agent", at=T0 + timedelta(hours=1))
    return case


def test_a_reopened_case_gets_one_more_execution_named_after_its_version(world: World) -> None:
    resolved = clocked(CaseStatus.RESOLVED, version=7)
    reopened = changed(resolved)
    reopened.receive_customer_message(at=T0 + timedelta(hours=2))

    world.modify(resolved, reopened)
    world.modify(resolved, reopened)

    assert world.engine.executions == {f"{CASE}.w8": {"case_id": CASE, "reopened": True}}


def test_a_reply_after_waiting_restarts_the_watch_of_a_routed_case(world: World) -> None:
    waiting = clocked(CaseStatus.AWAITING_CUSTOMER, routed_at=T0, version=3)
    replied = changed(waiting)
    replied.receive_customer_message(at=T0 + timedelta(hours=2))

    world.modify(waiting, replied)

    assert world.engine.executions == {f"{CASE}.w4": {"case_id": CASE, "reopened": True}}


def test_no_extra_watch_while_the_first_execution_has_yet_to_route_the_case(world: World) -> None:
    answered = clocked(CaseStatus.AUTO_ANSWERED)
    replied = changed(answered)
    replied.receive_customer_message(at=T0 + timedelta(hours=2))
    new = make_case(CaseStatus.NEW)
    triaged = changed(new, status=CaseStatus.TRIAGED)
    triaged.start_sla(TARGETS)

    world.modify(answered, replied)
    world.modify(new, triaged)

    assert world.engine.executions == {}


# --- agents' loads -------------------------------------------------------------------------------------------


def test_assigning_an_active_case_counts_it_for_the_agent(world: World) -> None:
    case = make_case(CaseStatus.OPEN)
    world.modify(case, changed(case, assignee=MARI))
    assert world.agents.active_cases(MARI) == {CASE}
    assert load(world, MARI) == 1


def test_reassigning_moves_the_case_to_the_new_agent(world: World) -> None:
    case = make_case(CaseStatus.OPEN, assignee=MARI)
    world.agents.track_case(MARI, CASE, active=True)

    world.modify(case, changed(case, assignee=JYRI))

    assert (load(world, MARI), load(world, JYRI)) == (0, 1)


@pytest.mark.parametrize("end", [CaseStatus.RESOLVED, CaseStatus.CLOSED])
def test_resolving_or_closing_takes_the_case_off_the_agents_load(world: World, end: CaseStatus) -> None:
    case = make_case(CaseStatus.OPEN, assignee=MARI)
    world.agents.track_case(MARI, CASE, active=True)

    world.modify(case, changed(case, status=end))

    assert load(world, MARI) == 0


def test_a_removed_case_leaves_the_agents_load(world: World) -> None:
    case = make_case(CaseStatus.OPEN, assignee=MARI)
    world.agents.track_case(MARI, CASE, active=True)
    world.stream.handle(CaseChange(kind="REMOVE", old=case))
    assert load(world, MARI) == 0


def test_a_reopened_case_counts_again_for_its_assignee(world: World) -> None:
    resolved = make_case(CaseStatus.RESOLVED, assignee=MARI)
    world.modify(resolved, changed(resolved, status=CaseStatus.OPEN))
    assert load(world, MARI) == 1


def test_assigning_a_resolved_case_adds_nothing_to_the_load(world: World) -> None:
    case = make_case(CaseStatus.RESOLVED)
    world.modify(case, changed(case, assignee=MARI))
    assert load(world, MARI) == 0


def test_each_active_case_of_an_agent_counts(world: World) -> None:
    for case_id in ("case_01", "case_02"):
        case = make_case(CaseStatus.OPEN, case_id=case_id)
        world.modify(case, changed(case, assignee=MARI))
    assert load(world, MARI) == 2


@pytest.mark.parametrize(
    ("old", "new", "loads"),
    [
        pytest.param(
            make_case(CaseStatus.OPEN),
            make_case(CaseStatus.OPEN, assignee=MARI, version=2),
            (1, 0),
            id="assign",
        ),
        pytest.param(
            make_case(CaseStatus.OPEN, assignee=MARI),
            make_case(CaseStatus.OPEN, assignee=JYRI, version=2),
            (0, 1),
            id="reassign",
        ),
        pytest.param(
            make_case(CaseStatus.OPEN, assignee=MARI),
            make_case(CaseStatus.RESOLVED, assignee=MARI, version=2),
            (0, 0),
            id="resolve",
        ),
    ],
)
def test_a_replayed_change_leaves_the_same_load(world: World, old: Case, new: Case, loads: tuple[int, int]) -> None:
    if old.assignee:
        world.agents.track_case(old.assignee, CASE, active=True)

    world.modify(old, new)
    world.modify(old, new)

    assert (load(world, MARI), load(world, JYRI)) == loads


# --- the customer writes back to an auto-answer --------------------------------------------------------------


def auto_answered() -> Case:
    return make_case(CaseStatus.AUTO_ANSWERED, answer_id=ANSWER, last_message_at=T0, version=4)


def test_a_reply_to_an_auto_answer_settles_it_as_replied_and_hands_not_solved_to_the_workflow(world: World) -> None:
    old = auto_answered()

    world.modify(old, changed(old, status=CaseStatus.OPEN, last_message_at=T0 + timedelta(hours=2)))

    answer = world.answers.get_answer(ANSWER)
    assert answer is not None
    assert answer.outcome is AnswerOutcome.REPLIED
    assert world.engine.completed == {TOKEN: {"solved": False, "via": "reply"}}
    assert world.notifier.notices() == [(Notice.NOT_SOLVED, f"notsolved.{ANSWER}")]


@pytest.mark.parametrize(
    "last_message_at",
    [pytest.param(T0, id="same-message"), pytest.param(T0 - timedelta(hours=1), id="older-message")],
)
def test_an_agent_taking_the_case_over_ends_the_wait_without_a_verdict(world: World, last_message_at: Any) -> None:
    """No customer message: an agent opened it. The waiting workflow routes it now, not in 3 days."""
    old = auto_answered()

    world.modify(old, changed(old, status=CaseStatus.OPEN, last_message_at=last_message_at))

    answer = world.answers.get_answer(ANSWER)
    assert answer is not None
    assert answer.outcome is None, "the customer said nothing"
    assert world.engine.completed == {TOKEN: {"solved": False, "via": "agent"}}


def test_the_timeout_opening_the_case_hands_nothing_over(world: World) -> None:
    world.engine.expire(TOKEN)  # the wait timed out; the workflow's Route opened the case
    old = auto_answered().model_copy(update={"last_message_at": None})

    world.modify(old, changed(old, status=CaseStatus.OPEN))

    assert world.engine.completed == {}


def test_the_links_verdict_is_not_handed_over_twice(world: World) -> None:
    world.answers.settle(ANSWER, AnswerOutcome.NOT_SOLVED)
    old = auto_answered()

    world.modify(old, changed(old, status=CaseStatus.OPEN))

    assert world.engine.completed == {}


def test_the_first_message_on_an_auto_answered_case_without_a_previous_one_counts_as_a_reply(world: World) -> None:
    old = auto_answered().model_copy(update={"last_message_at": None})
    world.modify(old, changed(old, status=CaseStatus.OPEN, last_message_at=T0))
    assert world.engine.completed == {TOKEN: {"solved": False, "via": "reply"}}


def test_a_customer_who_said_not_solved_in_the_link_is_told_a_person_takes_over(world: World) -> None:
    world.answers.settle(ANSWER, AnswerOutcome.NOT_SOLVED)
    old = auto_answered()

    world.modify(old, changed(old, status=CaseStatus.OPEN))

    assert world.notifier.notices() == [(Notice.NOT_SOLVED, f"notsolved.{ANSWER}")]


def test_a_reply_after_the_link_verdict_does_not_complete_the_task_again(world: World) -> None:
    world.answers.settle(ANSWER, AnswerOutcome.NOT_SOLVED)
    old = auto_answered()

    world.modify(old, changed(old, status=CaseStatus.OPEN, last_message_at=T0 + timedelta(hours=2)))

    answer = world.answers.get_answer(ANSWER)
    assert answer is not None
    assert answer.outcome is AnswerOutcome.NOT_SOLVED
    assert world.engine.completed == {}


def test_a_replayed_reply_completes_the_task_once_and_asks_for_the_same_notice(world: World) -> None:
    old = auto_answered()
    new = changed(old, status=CaseStatus.OPEN, last_message_at=T0 + timedelta(hours=2))

    world.modify(old, new)
    world.modify(old, new)

    assert world.engine.completed == {TOKEN: {"solved": False, "via": "reply"}}
    assert {key for _, key in world.notifier.notices()} == {f"notsolved.{ANSWER}"}


def test_a_reply_after_the_wait_timed_out_is_settled_without_failing_the_record(world: World) -> None:
    world.engine.expire(TOKEN)
    old = auto_answered()

    world.modify(old, changed(old, status=CaseStatus.OPEN, last_message_at=T0 + timedelta(hours=2)))

    answer = world.answers.get_answer(ANSWER)
    assert answer is not None
    assert answer.outcome is AnswerOutcome.REPLIED
    assert world.engine.completed == {}
    assert world.notifier.notices() == [(Notice.NOT_SOLVED, f"notsolved.{ANSWER}")]


def test_a_reply_to_a_case_without_an_answer_id_settles_nothing(world: World) -> None:
    old = auto_answered().model_copy(update={"answer_id": None})
    world.modify(old, changed(old, status=CaseStatus.OPEN, last_message_at=T0 + timedelta(hours=2)))
    assert world.engine.completed == {}
    assert world.notifier.notices() == [(Notice.NOT_SOLVED, "notsolved.none")]


# --- resolved notices ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("before", [CaseStatus.OPEN, CaseStatus.AWAITING_CUSTOMER, CaseStatus.ESCALATED])
def test_an_agent_resolving_the_case_tells_the_customer_once_per_version(world: World, before: CaseStatus) -> None:
    old = make_case(before, version=5)
    new = changed(old, status=CaseStatus.RESOLVED)

    world.modify(old, new)
    world.modify(old, new)

    assert world.notifier.notices() == [(Notice.RESOLVED, "resolved.6")] * 2  # one key: sent once


def test_a_case_the_customer_marked_solved_gets_no_resolved_notice(world: World) -> None:
    old = auto_answered()
    world.modify(old, changed(old, status=CaseStatus.RESOLVED))
    assert world.notifier.sent == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (CaseStatus.OPEN, CaseStatus.AWAITING_CUSTOMER),
        (CaseStatus.RESOLVED, CaseStatus.CLOSED),
        (CaseStatus.OPEN, CaseStatus.OPEN),
    ],
)
def test_other_changes_send_the_customer_nothing(world: World, before: CaseStatus, after: CaseStatus) -> None:
    old = make_case(before)
    world.modify(old, changed(old, status=after))
    assert world.notifier.sent == []


def test_a_case_the_workflow_gave_up_on_gets_a_watch_of_its_own_once(world: World) -> None:
    triaged = make_case(CaseStatus.TRIAGED, version=4)
    flagged = changed(triaged, status=CaseStatus.OPEN, queue="needs_attention")

    world.modify(triaged, flagged)
    world.modify(flagged, changed(flagged))  # a later change in that queue starts nothing more

    assert world.engine.executions == {f"{CASE}.w5": {"case_id": CASE, "reopened": True}}


def test_a_case_the_customer_resolved_with_solved_gets_no_resolved_email_and_an_agents_does(world: World) -> None:
    routed = make_case(CaseStatus.OPEN, answer_id=ANSWER, contact_reason="card_lost")  # routed at once
    solved = changed(routed)
    solved.resolve_as_answered(ANSWER, "en", at=T0 + timedelta(hours=1))
    world.modify(routed, solved)
    assert world.notifier.notices() == []

    by_agent = changed(routed, status=CaseStatus.RESOLVED)
    world.modify(routed, by_agent)
    assert [notice for notice, _ in world.notifier.notices()] == [Notice.RESOLVED]
