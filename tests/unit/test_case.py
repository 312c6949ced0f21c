"""The case aggregate: which status changes are allowed, and what a customer's or an agent's message does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from shared.domain.case import Case, CaseStatus, InvalidTransition, VersionConflict, require_version
from shared.domain.channels import Channel
from shared.domain.events import EventKind
from shared.domain.ids import AgentId, CaseId, CaseReference, CustomerId
from shared.domain.priority import Priority
from shared.domain.sla import SlaTargets

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
AGENT = AgentId("agt_mari")


def make_case(status: CaseStatus = CaseStatus.NEW, **overrides: object) -> Case:
    fields: dict[str, object] = {
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


# --- change_status -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (CaseStatus.NEW, CaseStatus.TRIAGED),
        (CaseStatus.NEW, CaseStatus.CLOSED),
        (CaseStatus.TRIAGED, CaseStatus.AUTO_ANSWERED),
        (CaseStatus.AUTO_ANSWERED, CaseStatus.RESOLVED),
        (CaseStatus.OPEN, CaseStatus.ESCALATED),
        (CaseStatus.ESCALATED, CaseStatus.OPEN),
        (CaseStatus.AWAITING_CUSTOMER, CaseStatus.CLOSED),
        (CaseStatus.RESOLVED, CaseStatus.OPEN),
        (CaseStatus.RESOLVED, CaseStatus.CLOSED),
    ],
)
def test_allowed_status_change_moves_the_case_and_records_from_and_to(start: CaseStatus, target: CaseStatus) -> None:
    case = make_case(start)
    event = case.change_status(target, actor=AGENT, at=T0)
    assert case.status is target
    assert event is not None
    assert event.kind is EventKind.STATUS_CHANGED
    assert event.data == {"from": start.value, "to": target.value}
    assert (event.case_id, event.customer_id, event.actor, event.at) == (case.case_id, case.customer_id, AGENT, T0)


@pytest.mark.parametrize("status", list(CaseStatus))
def test_changing_to_the_same_status_is_no_event(status: CaseStatus) -> None:
    case = make_case(status)
    assert case.change_status(status, actor=AGENT, at=T0) is None
    assert case.status is status


@pytest.mark.parametrize("target", sorted(set(CaseStatus) - {CaseStatus.CLOSED}))
def test_closed_case_is_final_and_refuses_every_other_status_with_409(target: CaseStatus) -> None:
    case = make_case(CaseStatus.CLOSED)
    with pytest.raises(InvalidTransition) as caught:
        case.change_status(target, actor=AGENT, at=T0)
    assert caught.value.instance_code == "invalid_transition"
    assert caught.value.http_status == 409
    assert case.status is CaseStatus.CLOSED


@pytest.mark.parametrize(
    ("start", "target"),
    [
        pytest.param(CaseStatus.OPEN, CaseStatus.NEW, id="nothing-goes-back-to-new"),
        pytest.param(CaseStatus.TRIAGED, CaseStatus.NEW, id="triaged-not-back-to-new"),
        pytest.param(CaseStatus.OPEN, CaseStatus.TRIAGED, id="open-not-back-to-triaged"),
        pytest.param(CaseStatus.RESOLVED, CaseStatus.AWAITING_CUSTOMER, id="resolved-only-reopens-or-closes"),
        pytest.param(CaseStatus.RESOLVED, CaseStatus.ESCALATED, id="resolved-not-escalated"),
        pytest.param(CaseStatus.OPEN, CaseStatus.AUTO_ANSWERED, id="a-person-took-it"),
    ],
)
def test_refused_status_change_leaves_the_case_as_it_was(start: CaseStatus, target: CaseStatus) -> None:
    case = make_case(start)
    with pytest.raises(InvalidTransition):
        case.change_status(target, actor=AGENT, at=T0)
    assert case.status is start


# --- messages ------------------------------------------------------------------------------------------------


def test_customer_message_reopens_a_resolved_case() -> None:
    case = make_case(CaseStatus.RESOLVED)
    at = T0 + timedelta(days=2)
    event = case.receive_customer_message(at=at)
    assert case.status is CaseStatus.OPEN
    assert event is not None
    assert event.kind is EventKind.REOPENED
    assert event.actor == "customer"
    assert event.data == {"from": "resolved", "to": "open"}
    assert case.last_message_at == at


@pytest.mark.parametrize("status", [CaseStatus.AWAITING_CUSTOMER, CaseStatus.AUTO_ANSWERED])
def test_customer_message_on_a_waiting_or_auto_answered_case_opens_it(status: CaseStatus) -> None:
    case = make_case(status)
    event = case.receive_customer_message(at=T0)
    assert case.status is CaseStatus.OPEN
    assert event is not None
    assert event.kind is EventKind.STATUS_CHANGED
    assert event.data == {"from": status.value, "to": "open"}


@pytest.mark.parametrize("status", [CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.TRIAGED, CaseStatus.ESCALATED])
def test_customer_message_leaves_a_case_that_already_needs_a_person_alone(status: CaseStatus) -> None:
    case = make_case(status)
    at = T0 + timedelta(minutes=5)
    assert case.receive_customer_message(at=at) is None
    assert case.status is status
    assert case.last_message_at == at


def test_customer_message_does_not_reopen_a_closed_case() -> None:
    case = make_case(CaseStatus.CLOSED)
    assert case.receive_customer_message(at=T0) is None
    assert case.status is CaseStatus.CLOSED


@pytest.mark.parametrize("status", [CaseStatus.NEW, CaseStatus.TRIAGED, CaseStatus.OPEN, CaseStatus.ESCALATED])
def test_agent_reply_leaves_the_case_awaiting_the_customer(status: CaseStatus) -> None:
    case = make_case(status)
    at = T0 + timedelta(hours=1)
    case.record_agent_reply(at=at)
    assert case.status is CaseStatus.AWAITING_CUSTOMER
    assert case.last_message_at == at


@pytest.mark.parametrize(
    "status", [CaseStatus.AUTO_ANSWERED, CaseStatus.AWAITING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.CLOSED]
)
def test_agent_reply_does_not_change_a_waiting_resolved_or_closed_case(status: CaseStatus) -> None:
    case = make_case(status)
    case.record_agent_reply(at=T0)
    assert case.status is status


# --- assign, priority, version -------------------------------------------------------------------------------


def test_assigning_records_previous_and_new_assignee() -> None:
    case = make_case(CaseStatus.OPEN, assignee=AgentId("agt_jyri"))
    event = case.assign(AGENT, actor="agt_super", at=T0)
    assert case.assignee == AGENT
    assert event is not None
    assert event.kind is EventKind.ASSIGNED
    assert event.data == {"from": "agt_jyri", "to": AGENT}


def test_assigning_the_current_assignee_again_is_no_event() -> None:
    case = make_case(CaseStatus.OPEN, assignee=AGENT)
    assert case.assign(AGENT, actor=AGENT, at=T0) is None


@pytest.mark.parametrize("assignee", [AGENT, None])
def test_closed_case_cannot_be_assigned_or_unassigned(assignee: AgentId | None) -> None:
    case = make_case(CaseStatus.CLOSED, assignee=AgentId("agt_jyri"))
    with pytest.raises(InvalidTransition):
        case.assign(assignee, actor=AGENT, at=T0)
    assert case.assignee == "agt_jyri"


def test_version_matching_the_expected_one_passes() -> None:
    require_version(make_case(version=3), 3)


@pytest.mark.parametrize("expected", [1, 2, 4])
def test_version_other_than_the_expected_one_is_a_409_version_conflict(expected: int) -> None:
    with pytest.raises(VersionConflict) as caught:
        require_version(make_case(version=3), expected)
    assert caught.value.instance_code == "version_conflict"
    assert caught.value.http_status == 409


# --- any sequence of actions ---------------------------------------------------------------------------------


class CaseLifecycle(RuleBasedStateMachine):
    """Agents and customers act on a case in any order; a refused change must change nothing."""

    case: Case
    at: datetime
    was_closed: bool

    @initialize(start=st.sampled_from(CaseStatus))
    def open_case(self, start: CaseStatus) -> None:
        self.case = make_case(start)
        self.at = T0
        self.was_closed = start is CaseStatus.CLOSED

    def _tick(self) -> datetime:
        self.at += timedelta(minutes=1)
        return self.at

    @rule(wanted=st.sampled_from(CaseStatus))
    def agent_sets_status(self, wanted: CaseStatus) -> None:
        before = self.case.status
        try:
            event = self.case.change_status(wanted, actor=AGENT, at=self._tick())
        except InvalidTransition:
            assert self.case.status is before
            return
        assert self.case.status is wanted
        if before is wanted:
            assert event is None
        else:
            assert event is not None
            assert event.data == {"from": before.value, "to": wanted.value}

    @rule()
    def customer_writes(self) -> None:
        before = self.case.status
        event = self.case.receive_customer_message(at=self._tick())
        assert (event is None) == (self.case.status is before)

    @rule()
    def agent_replies(self) -> None:
        self.case.record_agent_reply(at=self._tick())

    @rule(assignee=st.sampled_from([AGENT, AgentId("agt_jyri"), None]))
    def supervisor_assigns(self, assignee: AgentId | None) -> None:
        try:
            self.case.assign(assignee, actor="agt_super", at=self._tick())
        except InvalidTransition:
            assert self.case.status is CaseStatus.CLOSED

    @invariant()
    def status_is_a_known_status(self) -> None:
        assert isinstance(self.case.status, CaseStatus)
        assert self.case.status in set(CaseStatus)

    @invariant()
    def closed_is_never_left(self) -> None:
        if self.was_closed:
            assert self.case.status is CaseStatus.CLOSED
        self.was_closed = self.case.status is CaseStatus.CLOSED

    @invariant()
    def is_active_unless_resolved_or_closed(self) -> None:
        assert self.case.is_active == (self.case.status not in {CaseStatus.RESOLVED, CaseStatus.CLOSED})


CaseLifecycle.TestCase.settings = settings(max_examples=40, stateful_step_count=20, deadline=None)
test_any_sequence_of_actions_keeps_the_case_in_a_known_status_and_closed_final = CaseLifecycle.TestCase


# --- a person at once for high and urgent cases ----------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "floor", "at_once"),
    [
        (Priority.URGENT, Priority.HIGH, True),
        (Priority.HIGH, Priority.HIGH, True),
        (Priority.NORMAL, Priority.HIGH, False),
        (Priority.HIGH, Priority.URGENT, False),
        (Priority.LOW, Priority.LOW, True),
    ],
)
def test_a_case_from_the_set_priority_up_goes_to_a_person_at_once(
    priority: Priority, floor: Priority, at_once: bool
) -> None:
    assert make_case(CaseStatus.TRIAGED, priority=priority).goes_to_a_person_at_once(floor) is at_once


def test_spam_never_goes_to_a_person_at_once() -> None:
    assert not make_case(CaseStatus.TRIAGED, priority=Priority.URGENT, spam=True).goes_to_a_person_at_once(Priority.LOW)


def test_an_answer_sent_alongside_routing_leaves_the_clocks_running() -> None:
    case = make_case(CaseStatus.TRIAGED, priority=Priority.URGENT)
    case.start_sla(
        SlaTargets(first_response=timedelta(hours=1), next_response=timedelta(hours=2), resolution=timedelta(hours=8))
    )
    events = [e for e in case.answered_automatically("ans_1", waits=False, data={}, at=T0) if e is not None]
    assert [e.kind for e in events] == [EventKind.AUTO_ANSWERED]
    assert case.status == CaseStatus.TRIAGED
    assert case.sla is not None
    assert not any(c.clock.is_paused for c in case.sla.clocks)


@pytest.mark.parametrize("status", [CaseStatus.AUTO_ANSWERED, CaseStatus.OPEN, CaseStatus.ESCALATED])
def test_solved_resolves_an_active_case_with_this_answer_and_links_its_article(status: CaseStatus) -> None:
    case = make_case(status, answer_id="ans_1", contact_reason="card_lost")
    kinds = [e.kind for e in case.resolve_as_answered("ans_1", "en", at=T0) if e is not None]
    assert case.status == CaseStatus.RESOLVED
    assert (case.article_id, case.article_locale, case.solved_by_answer) == ("card_lost", "en", True)
    assert kinds == [EventKind.ARTICLE_LINKED, EventKind.STATUS_CHANGED]


@pytest.mark.parametrize("status", [CaseStatus.OPEN, CaseStatus.AWAITING_CUSTOMER, CaseStatus.ESCALATED])
def test_a_customer_writing_after_an_answer_sent_alongside_closes_its_solved_link(status: CaseStatus) -> None:
    case = make_case(status, answer_id="ans_1", contact_reason="card_lost")
    case.receive_customer_message(at=T0)  # "still not fixed"
    assert case.resolve_as_answered("ans_1", "en", at=T0) == []
    assert case.status != CaseStatus.RESOLVED


def test_a_reply_to_a_waiting_answer_keeps_its_id_for_the_stream_to_settle() -> None:
    case = make_case(CaseStatus.AUTO_ANSWERED, answer_id="ans_1")
    case.receive_customer_message(at=T0)
    assert (case.status, case.answer_id) == (CaseStatus.OPEN, "ans_1")


@pytest.mark.parametrize(
    "case",
    [make_case(CaseStatus.OPEN, answer_id="ans_other"), make_case(CaseStatus.RESOLVED, answer_id="ans_1")],
    ids=["another-answer", "already-resolved"],
)
def test_solved_on_another_answer_or_a_resolved_case_changes_nothing(case: Case) -> None:
    before = case.model_dump()
    assert case.resolve_as_answered("ans_1", "en", at=T0) == []
    assert case.model_dump() == before


def test_a_reopen_forgets_that_the_answer_solved_it() -> None:
    case = make_case(CaseStatus.OPEN, answer_id="ans_1")
    case.resolve_as_answered("ans_1", "en", at=T0)
    case.receive_customer_message(at=T0 + timedelta(hours=1))
    assert (case.status, case.solved_by_answer) == (CaseStatus.OPEN, False)
