"""The case's SLA hooks: which clocks run, pause, stop and start as the case moves and people write."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from shared.domain.case import Case, CaseStatus, Priority
from shared.domain.events import EventKind
from shared.domain.sla import Clock, ClockKind, SlaTargets
from tests.unit.fakes import T0, make_case

TARGETS = SlaTargets(
    first_response=timedelta(hours=4), next_response=timedelta(hours=8), resolution=timedelta(hours=16)
)
URGENT = SlaTargets(first_response=timedelta(hours=1), next_response=timedelta(hours=2), resolution=timedelta(hours=8))
FIRST = ClockKind.FIRST_RESPONSE
NEXT = ClockKind.NEXT_RESPONSE
RESOLUTION = ClockKind.RESOLUTION


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def with_sla(status: CaseStatus = CaseStatus.OPEN, **overrides: object) -> Case:
    """A case whose first-response and resolution clocks run from T0."""
    case = make_case(status, **overrides)
    case.start_sla(TARGETS)
    return case


def clocks(case: Case) -> list[Clock]:
    assert case.sla is not None
    return case.sla.clocks


def running(case: Case) -> dict[ClockKind, Clock]:
    return {c.kind: c for c in clocks(case) if c.is_running}


def paused_kinds(case: Case) -> set[ClockKind]:
    return {c.kind for c in clocks(case) if c.is_running and c.clock.is_paused}


# --- waiting for the customer --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "waiting"),
    [
        (CaseStatus.OPEN, CaseStatus.AWAITING_CUSTOMER),
        (CaseStatus.ESCALATED, CaseStatus.AWAITING_CUSTOMER),
        (CaseStatus.TRIAGED, CaseStatus.AUTO_ANSWERED),
    ],
)
def test_waiting_for_the_customer_pauses_every_running_clock_and_open_resumes_them(
    start: CaseStatus, waiting: CaseStatus
) -> None:
    case = with_sla(start)

    case.change_status(waiting, actor="agt_mari", at=at(30))
    assert paused_kinds(case) == {FIRST, RESOLUTION}
    assert all(c.clock.pauses[-1].start == at(30) for c in clocks(case))

    case.change_status(CaseStatus.OPEN, actor="agt_mari", at=at(90))
    assert paused_kinds(case) == set()
    assert [(p.start, p.end) for c in clocks(case) for p in c.clock.pauses] == [(at(30), at(90))] * 2


def test_moving_between_active_statuses_neither_pauses_nor_resumes() -> None:
    case = with_sla(CaseStatus.OPEN)
    case.change_status(CaseStatus.ESCALATED, actor="agt_mari", at=at(10))
    case.change_status(CaseStatus.OPEN, actor="agt_mari", at=at(20))
    assert all(c.clock.pauses == [] for c in clocks(case))


def test_a_met_clock_is_not_paused_when_the_case_waits() -> None:
    case = with_sla(CaseStatus.OPEN)
    case.record_agent_reply(at=at(15))
    first = next(c for c in clocks(case) if c.kind == FIRST)
    assert first.met_at == at(15)
    assert first.clock.pauses == []


# --- agent replies and customer messages ---------------------------------------------------------------------


def test_agent_reply_meets_the_first_response_and_pauses_the_rest_while_awaiting_the_customer() -> None:
    case = with_sla(CaseStatus.OPEN)

    case.record_agent_reply(at=at(45))

    assert case.status is CaseStatus.AWAITING_CUSTOMER
    assert [(c.kind, c.met_at) for c in clocks(case)] == [(FIRST, at(45)), (RESOLUTION, None)]
    assert paused_kinds(case) == {RESOLUTION}
    assert case.sla is not None
    assert case.sla.last_customer_update_at == at(45)


def test_customer_message_after_an_agent_reply_starts_a_next_response_clock_and_resumes() -> None:
    case = with_sla(CaseStatus.OPEN)
    case.record_agent_reply(at=at(45))

    event = case.receive_customer_message(at=at(120))

    assert case.status is CaseStatus.OPEN
    assert event is not None
    assert event.kind is EventKind.STATUS_CHANGED
    now_running = running(case)
    assert set(now_running) == {NEXT, RESOLUTION}
    assert now_running[NEXT].clock.started_at == at(120)
    assert now_running[NEXT].clock.target == TARGETS.next_response
    assert paused_kinds(case) == set()
    assert now_running[RESOLUTION].clock.pauses[-1].end == at(120)


def test_customer_message_before_any_agent_reply_starts_no_next_response_clock() -> None:
    case = with_sla(CaseStatus.OPEN)
    case.receive_customer_message(at=at(20))
    assert set(running(case)) == {FIRST, RESOLUTION}


def test_a_second_customer_message_does_not_restart_the_running_next_response_clock() -> None:
    case = with_sla(CaseStatus.OPEN)
    case.record_agent_reply(at=at(45))
    case.receive_customer_message(at=at(120))
    case.receive_customer_message(at=at(180))
    next_clocks = [c for c in clocks(case) if c.kind == NEXT]
    assert [c.clock.started_at for c in next_clocks] == [at(120)]


def test_agent_reply_meets_the_next_response_clock() -> None:
    case = with_sla(CaseStatus.OPEN)
    case.record_agent_reply(at=at(45))
    case.receive_customer_message(at=at(120))

    case.record_agent_reply(at=at(150))

    assert next(c for c in clocks(case) if c.kind == NEXT).met_at == at(150)
    assert set(running(case)) == {RESOLUTION}
    assert case.status is CaseStatus.AWAITING_CUSTOMER


def test_customer_reply_to_an_auto_answer_resumes_the_clocks_without_a_next_response_clock() -> None:
    case = with_sla(CaseStatus.TRIAGED)
    case.change_status(CaseStatus.AUTO_ANSWERED, actor="workflow", at=at(5))

    case.receive_customer_message(at=at(60))

    assert case.status is CaseStatus.OPEN
    assert set(running(case)) == {FIRST, RESOLUTION}
    assert paused_kinds(case) == set()


# --- resolving and reopening ---------------------------------------------------------------------------------


@pytest.mark.parametrize("end", [CaseStatus.RESOLVED, CaseStatus.CLOSED])
def test_resolving_or_closing_stops_every_clock(end: CaseStatus) -> None:
    case = with_sla(CaseStatus.OPEN)
    case.record_agent_reply(at=at(45))
    case.receive_customer_message(at=at(120))

    case.change_status(end, actor="agt_mari", at=at(200))

    assert running(case) == {}
    assert [(c.kind, c.met_at) for c in clocks(case)] == [(FIRST, at(45)), (RESOLUTION, at(200)), (NEXT, at(200))]


def test_resolving_a_case_awaiting_the_customer_closes_the_open_pause() -> None:
    case = with_sla(CaseStatus.OPEN)
    case.record_agent_reply(at=at(45))

    case.change_status(CaseStatus.RESOLVED, actor="agt_mari", at=at(300))

    resolution = next(c for c in clocks(case) if c.kind == RESOLUTION)
    assert resolution.met_at == at(300)
    assert [(p.start, p.end) for p in resolution.clock.pauses] == [(at(45), at(300))]


def test_customer_message_on_a_resolved_case_starts_new_next_response_and_resolution_clocks() -> None:
    case = with_sla(CaseStatus.OPEN)
    case.record_agent_reply(at=at(45))
    case.change_status(CaseStatus.RESOLVED, actor="agt_mari", at=at(100))

    event = case.receive_customer_message(at=at(2000))

    assert case.status is CaseStatus.OPEN
    assert event is not None
    assert event.kind is EventKind.REOPENED
    now_running = running(case)
    assert set(now_running) == {NEXT, RESOLUTION}
    assert {c.clock.started_at for c in now_running.values()} == {at(2000)}
    assert paused_kinds(case) == set()
    assert [c.met_at for c in clocks(case)[:2]] == [at(45), at(100)]  # the kept promises stay kept


def test_a_reopened_case_takes_the_latest_targets() -> None:
    case = with_sla(CaseStatus.OPEN)
    case.retarget_sla(URGENT)
    case.change_status(CaseStatus.RESOLVED, actor="agt_mari", at=at(100))

    case.receive_customer_message(at=at(200))

    now_running = running(case)
    assert now_running[NEXT].clock.target == URGENT.next_response
    assert now_running[RESOLUTION].clock.target == URGENT.resolution


# --- escalation ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Priority.LOW, Priority.NORMAL),
        (Priority.NORMAL, Priority.HIGH),
        (Priority.HIGH, Priority.URGENT),
    ],
)
def test_escalate_raises_priority_one_level_moves_queue_and_sets_status_escalated(
    before: Priority, after: Priority
) -> None:
    case = with_sla(CaseStatus.OPEN, priority=before)

    events = case.escalate(FIRST, queue="supervisors", at=at(192))

    assert case.priority is after
    assert case.queue == "supervisors"
    assert case.status is CaseStatus.ESCALATED
    assert case.updated_at == at(192)
    assert [e.kind for e in events] == [EventKind.ESCALATED, EventKind.PRIORITY_CHANGED, EventKind.STATUS_CHANGED]
    assert events[0].data == {"clock": "first_response", "queue": "supervisors"}
    assert events[1].data == {"from": before, "to": after}
    assert events[2].data == {"from": "open", "to": "escalated"}
    assert all(e.actor == "workflow" and e.at == at(192) for e in events)


def test_escalate_marks_only_the_given_clock_escalated() -> None:
    case = with_sla(CaseStatus.OPEN)
    case.escalate(RESOLUTION, queue="supervisors", at=at(600))
    assert {c.kind: c.escalated_at for c in clocks(case)} == {FIRST: None, RESOLUTION: at(600)}


def test_escalating_an_urgent_case_keeps_it_urgent_and_records_no_priority_change() -> None:
    case = with_sla(CaseStatus.OPEN, priority=Priority.URGENT)

    events = case.escalate(FIRST, queue="supervisors", at=at(48))

    assert case.priority is Priority.URGENT
    assert [e.kind for e in events] == [EventKind.ESCALATED, EventKind.STATUS_CHANGED]


def test_escalating_an_escalated_case_records_no_status_change() -> None:
    case = with_sla(CaseStatus.ESCALATED)
    events = case.escalate(RESOLUTION, queue="supervisors", at=at(600))
    assert [e.kind for e in events] == [EventKind.ESCALATED, EventKind.PRIORITY_CHANGED]
    assert case.status is CaseStatus.ESCALATED


def test_escalating_a_resolved_case_keeps_its_status() -> None:
    case = with_sla(CaseStatus.RESOLVED)
    events = case.escalate(FIRST, queue="supervisors", at=at(10))
    assert case.status is CaseStatus.RESOLVED
    assert EventKind.STATUS_CHANGED not in [e.kind for e in events]
    assert case.queue == "supervisors"


# --- starting and retargeting --------------------------------------------------------------------------------


def test_start_sla_runs_the_clocks_from_when_the_contact_arrived() -> None:
    case = make_case(CaseStatus.TRIAGED, updated_at=at(3))
    case.start_sla(TARGETS)
    assert case.sla_targets == TARGETS
    assert [(c.kind, c.clock.started_at, c.clock.target) for c in clocks(case)] == [
        (FIRST, T0, TARGETS.first_response),
        (RESOLUTION, T0, TARGETS.resolution),
    ]
    assert paused_kinds(case) == set()


def test_start_sla_on_an_auto_answered_case_starts_paused_since_its_last_change() -> None:
    case = make_case(CaseStatus.AUTO_ANSWERED, updated_at=at(7))

    case.start_sla(TARGETS)

    assert paused_kinds(case) == {FIRST, RESOLUTION}
    assert {c.clock.started_at for c in clocks(case)} == {T0}
    assert {c.clock.pauses[0].start for c in clocks(case)} == {at(7)}


def test_starting_the_sla_again_keeps_the_running_clocks() -> None:
    case = with_sla(CaseStatus.OPEN)
    case.record_agent_reply(at=at(45))
    case.start_sla(TARGETS)
    assert [(c.kind, c.met_at) for c in clocks(case)] == [(FIRST, at(45)), (RESOLUTION, None)]


def test_retarget_changes_running_clocks_and_keeps_met_ones() -> None:
    case = with_sla(CaseStatus.OPEN)
    case.record_agent_reply(at=at(45))

    case.retarget_sla(URGENT)

    assert case.sla_targets == URGENT
    assert {c.kind: c.clock.target for c in clocks(case)} == {
        FIRST: TARGETS.first_response,
        RESOLUTION: URGENT.resolution,
    }


def test_retarget_without_a_started_sla_starts_nothing() -> None:
    case = make_case(CaseStatus.OPEN)
    case.retarget_sla(URGENT)
    assert case.sla is None
    assert case.sla_targets is None
