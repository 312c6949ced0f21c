"""The customer's verdict on an auto-answer: counted once, only while the workflow still waits for it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from shared.domain.answers import AnswerOutcome, PendingAnswer
from shared.domain.case import Case, CaseStatus
from shared.domain.clock import use_time_source
from shared.domain.events import CaseEvent
from shared.domain.ids import CaseId
from shared.ports import StaleVersion
from shared.services.answers import AnswerAlreadyGiven, AnswerExpired, AnswerNotFound, AnswerVerdicts
from tests.unit.fakes import T0, InMemoryAnswerStore, InMemoryWorkflowEngine, make_case

CASE = CaseId("case_01")
ANSWER = "ans_Zk3"
TOKEN = "token-1"
EXPIRES = T0 + timedelta(days=3)


@dataclass
class CasesById:
    """The CaseStore calls verdicts make: reading a case, and resolving one nothing waits on."""

    cases: dict[CaseId, Case] = field(default_factory=dict)

    def get_case(self, case_id: CaseId, *, consistent: bool = False) -> Case | None:
        return self.cases.get(case_id)

    def update_case(self, case: Case, expected_version: int, events: list[CaseEvent]) -> None:
        if self.cases[case.case_id].version != expected_version:
            raise StaleVersion(case.case_id)
        self.cases[case.case_id] = case.model_copy(update={"version": expected_version + 1})


@dataclass
class Now:
    at: datetime = T0 + timedelta(hours=1)


@dataclass
class World:
    answers: InMemoryAnswerStore
    cases: CasesById
    engine: InMemoryWorkflowEngine
    verdicts: AnswerVerdicts
    now: Now


@pytest.fixture
def world() -> Iterator[World]:
    now = Now()
    use_time_source(lambda: now.at)
    answers = InMemoryAnswerStore(
        PendingAnswer(
            answer_id=ANSWER,
            case_id=CASE,
            task_token=TOKEN,
            reason="password_reset",
            created_at=T0,
            expires_at=EXPIRES,
        )
    )
    cases = CasesById({CASE: make_case(CaseStatus.AUTO_ANSWERED, answer_id=ANSWER)})
    engine = InMemoryWorkflowEngine()
    verdicts = AnswerVerdicts(answers, cases, engine, lambda _: "en")  # type: ignore[arg-type]
    yield World(answers, cases, engine, verdicts, now)
    use_time_source(None)


def outcome(world: World) -> AnswerOutcome | None:
    answer = world.answers.get_answer(ANSWER)
    assert answer is not None
    return answer.outcome


# --- the first verdict ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("solved", "expected"), [(True, AnswerOutcome.SOLVED), (False, AnswerOutcome.NOT_SOLVED)])
def test_first_verdict_is_recorded_and_handed_to_the_waiting_workflow(
    world: World, solved: bool, expected: AnswerOutcome
) -> None:
    assert world.verdicts.give(ANSWER, solved=solved) is expected
    assert outcome(world) is expected
    assert world.engine.completed == {TOKEN: {"solved": solved, "via": "link"}}


def test_a_verdict_just_before_the_expiry_still_counts(world: World) -> None:
    world.now.at = EXPIRES - timedelta(seconds=1)
    assert world.verdicts.give(ANSWER, solved=True) is AnswerOutcome.SOLVED


# --- links that do not count ---------------------------------------------------------------------------------


def test_a_link_we_never_sent_is_a_404_answer_not_found(world: World) -> None:
    with pytest.raises(AnswerNotFound) as caught:
        world.verdicts.give("ans_made_up", solved=True)
    assert (caught.value.instance_code, caught.value.http_status) == ("answer_not_found", 404)
    with pytest.raises(AnswerNotFound):
        world.verdicts.get("ans_made_up")
    assert world.engine.completed == {}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(make_case(CaseStatus.OPEN, answer_id=ANSWER), id="routed-to-a-person"),
        pytest.param(make_case(CaseStatus.RESOLVED, answer_id=ANSWER), id="resolved"),
        pytest.param(make_case(CaseStatus.AUTO_ANSWERED, answer_id="ans_other"), id="another-answer-waits"),
        pytest.param(None, id="case-gone"),
    ],
)
def test_a_verdict_on_a_case_that_no_longer_waits_is_a_410_answer_expired(world: World, case: Case | None) -> None:
    world.cases.cases = {CASE: case} if case is not None else {}

    with pytest.raises(AnswerExpired) as caught:
        world.verdicts.give(ANSWER, solved=True)

    assert (caught.value.instance_code, caught.value.http_status) == ("answer_expired", 410)
    assert outcome(world) is None
    assert world.engine.completed == {}


@pytest.mark.parametrize("late", [timedelta(0), timedelta(hours=5)])
def test_a_verdict_from_the_expiry_on_is_a_410_answer_expired(world: World, late: timedelta) -> None:
    world.now.at = EXPIRES + late
    with pytest.raises(AnswerExpired):
        world.verdicts.give(ANSWER, solved=False)
    assert outcome(world) is None
    assert world.engine.completed == {}


def test_a_verdict_the_workflow_no_longer_takes_is_a_410(world: World) -> None:
    world.engine.expire(TOKEN)
    with pytest.raises(AnswerExpired):
        world.verdicts.give(ANSWER, solved=True)


def test_a_verdict_refused_because_the_wait_ended_is_not_kept_as_given(world: World) -> None:
    world.engine.expire(TOKEN)
    with pytest.raises(AnswerExpired):
        world.verdicts.give(ANSWER, solved=True)

    with pytest.raises(AnswerExpired):
        world.verdicts.give(ANSWER, solved=True)
    assert world.verdicts.get(ANSWER).outcome is AnswerOutcome.EXPIRED


# --- a second verdict ----------------------------------------------------------------------------------------


def test_a_different_second_verdict_is_a_409_answer_already_given_and_changes_nothing(world: World) -> None:
    world.verdicts.give(ANSWER, solved=True)

    with pytest.raises(AnswerAlreadyGiven) as caught:
        world.verdicts.give(ANSWER, solved=False)

    assert (caught.value.instance_code, caught.value.http_status) == ("answer_already_given", 409)
    assert outcome(world) is AnswerOutcome.SOLVED
    assert world.engine.completed == {TOKEN: {"solved": True, "via": "link"}}


def test_the_same_verdict_again_is_answered_as_the_first_and_changes_nothing(world: World) -> None:
    """A double click, or a retry after a 503: idempotent, and the workflow is not told twice."""
    world.verdicts.give(ANSWER, solved=True)
    world.cases.cases[CASE] = make_case(CaseStatus.RESOLVED, answer_id=ANSWER)
    world.now.at = EXPIRES + timedelta(days=1)

    assert world.verdicts.give(ANSWER, solved=True) is AnswerOutcome.SOLVED
    assert outcome(world) is AnswerOutcome.SOLVED
    assert world.engine.completed == {TOKEN: {"solved": True, "via": "link"}}


def test_a_verdict_the_workflow_did_not_take_is_handed_over_again_on_the_next_click(world: World) -> None:
    world.answers.settle(ANSWER, AnswerOutcome.NOT_SOLVED)  # the first click's SendTaskSuccess failed (503)

    assert world.verdicts.give(ANSWER, solved=False) is AnswerOutcome.NOT_SOLVED
    assert world.engine.completed == {TOKEN: {"solved": False, "via": "link"}}


def test_a_click_after_the_customer_replied_by_email_is_already_given(world: World) -> None:
    world.answers.settle(ANSWER, AnswerOutcome.REPLIED)
    world.cases.cases[CASE] = make_case(CaseStatus.OPEN, answer_id=ANSWER)

    with pytest.raises(AnswerAlreadyGiven):
        world.verdicts.give(ANSWER, solved=True)
    assert outcome(world) is AnswerOutcome.REPLIED
    assert world.engine.completed == {}


def test_the_same_verdict_again_after_the_case_moved_on_hands_nothing_over(world: World) -> None:
    world.answers.settle(ANSWER, AnswerOutcome.SOLVED)  # the first click's SendTaskSuccess failed (503)
    world.cases.cases[CASE] = make_case(CaseStatus.OPEN, answer_id=ANSWER)  # then the customer wrote

    assert world.verdicts.give(ANSWER, solved=True) is AnswerOutcome.SOLVED
    assert world.engine.completed == {}, "the reply already routed the case: a late 'solved' must not end it"


# --- a case that went to a person at once (nothing waits on the verdict) -------------------------------------


@pytest.fixture
def routed(world: World) -> World:
    answer = world.answers.get_answer(ANSWER)
    assert answer is not None
    world.answers.put_answer(answer.model_copy(update={"task_token": None}))
    world.cases.cases[CASE] = make_case(CaseStatus.OPEN, answer_id=ANSWER, contact_reason="card_lost")
    return world


def test_solved_on_a_case_a_person_already_has_resolves_it_with_its_article(routed: World) -> None:
    assert routed.verdicts.give(ANSWER, solved=True) is AnswerOutcome.SOLVED

    resolved = routed.cases.cases[CASE]
    assert (resolved.status, resolved.article_id, resolved.solved_by_answer) == (CaseStatus.RESOLVED, "card_lost", True)
    assert outcome(routed) is AnswerOutcome.SOLVED
    assert routed.engine.completed == {}, "no workflow waits on it"


def test_not_solved_on_a_case_a_person_already_has_is_recorded_and_changes_the_case_not(routed: World) -> None:
    assert routed.verdicts.give(ANSWER, solved=False) is AnswerOutcome.NOT_SOLVED
    assert routed.cases.cases[CASE].status == CaseStatus.OPEN
    assert outcome(routed) is AnswerOutcome.NOT_SOLVED
    assert routed.engine.completed == {}


def test_solved_after_a_person_resolved_the_case_is_too_late(routed: World) -> None:
    routed.cases.cases[CASE] = make_case(CaseStatus.RESOLVED, answer_id=ANSWER)
    with pytest.raises(AnswerExpired):
        routed.verdicts.give(ANSWER, solved=True)
