"""SLA state of a case: escalation at 80% of working time, pauses while we wait, one still-working message."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.business_hours import Calendar, Pause, SlaClock
from shared.domain.case import Priority
from shared.domain.channels import Channel
from shared.domain.sla import CaseSla, ClockKind, SlaNotice, SlaPlan, SlaPolicies, SlaTargets, used_up_at
from tests.unit.test_business_hours import calendars, durations, moments

TALLINN = ZoneInfo("Europe/Tallinn")
CALENDAR = Calendar()  # Tallinn, Monday to Friday 9-17
TARGETS = SlaTargets(
    first_response=timedelta(hours=4), next_response=timedelta(hours=8), resolution=timedelta(hours=16)
)
FIRST = ClockKind.FIRST_RESPONSE
NEXT = ClockKind.NEXT_RESPONSE
RESOLUTION = ClockKind.RESOLUTION


def monday(hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    """A local time on Monday 23 November 2026, or `days` after it."""
    return datetime(2026, 11, 23, hour, minute, tzinfo=TALLINN) + timedelta(days=days)


def started(at: datetime | None = None, targets: SlaTargets = TARGETS) -> CaseSla:
    """A case that arrived at `at` (Monday 9:00 unless told)."""
    sla = CaseSla()
    sla.start(targets, at or monday(9))
    return sla


# --- escalation ---------------------------------------------------------------------------------


def test_first_response_escalates_when_80_percent_of_its_working_time_is_used() -> None:
    sla = started(datetime(2026, 11, 20, 16, 0, tzinfo=TALLINN))  # Friday 16:00: 1h on Friday, 2h12m on Monday

    before = sla.plan(CALENDAR, now=monday(11, 11), max_sleep=timedelta(hours=1))
    at_point = sla.plan(CALENDAR, now=monday(11, 12))

    assert before.notices == []
    assert before.wake_at == monday(11, 12)
    assert at_point.notices == [SlaNotice(kind="escalate", clock=FIRST, due_at=monday(12))]


def test_the_escalation_fraction_is_a_parameter() -> None:
    sla = started()

    assert sla.plan(CALENDAR, now=monday(10, 59), escalate_at=0.5).notices == []
    assert [n.clock for n in sla.plan(CALENDAR, now=monday(11), escalate_at=0.5).notices] == [FIRST]


def test_wake_at_never_sleeps_past_max_sleep_over_a_weekend() -> None:
    sla = started(datetime(2026, 11, 20, 16, 0, tzinfo=TALLINN))
    saturday_noon = datetime(2026, 11, 21, 12, 0, tzinfo=TALLINN)

    assert sla.plan(CALENDAR, now=saturday_noon).wake_at == saturday_noon + timedelta(hours=1)
    assert sla.plan(CALENDAR, now=saturday_noon, max_sleep=timedelta(days=3)).wake_at == monday(11, 12)


def test_an_escalated_clock_is_not_escalated_again_and_the_plan_moves_on() -> None:
    sla = started()
    sla.mark_escalated(FIRST, monday(12, 12))
    sla.mark_escalated(FIRST, monday(12, 30))

    plan = sla.plan(CALENDAR, now=monday(12, 30))

    assert plan.notices == []
    assert sla.clocks[0].escalated_at == monday(12, 12)
    assert plan.wake_at == monday(13, 30)  # resolution's half point (17:00) is further than an hour away


def test_notices_come_in_the_order_they_fell_due() -> None:
    sla = started(targets=TARGETS.model_copy(update={"resolution": timedelta(hours=5)}))

    # First response at 80% of 4h = 12:12, resolution half at 11:30 and 80% at 13:00.
    plan = sla.plan(CALENDAR, now=monday(14))

    assert [(n.kind, n.clock) for n in plan.notices] == [
        ("still_working", None),
        ("escalate", FIRST),
        ("escalate", RESOLUTION),
    ]
    assert plan.notices[0].due_at == monday(14)  # the resolution's due time, for the message


def test_a_shorter_target_after_a_priority_change_escalates_at_once() -> None:
    sla = started()
    sla.retarget(TARGETS.model_copy(update={"first_response": timedelta(hours=1)}))

    plan = sla.plan(CALENDAR, now=monday(10))

    assert plan.notices == [SlaNotice(kind="escalate", clock=FIRST, due_at=monday(10))]


def test_retarget_changes_running_clocks_and_leaves_met_ones_alone() -> None:
    sla = started()
    sla.agent_replied(monday(10))
    urgent = SlaPolicies().targets(Priority.URGENT, Channel.EMAIL)

    sla.retarget(urgent)

    assert sla.clocks[0].clock.target == timedelta(hours=4)
    assert sla.clocks[1].clock.target == timedelta(hours=8)
    assert sla.due_times(CALENDAR, now=monday(10)) == {RESOLUTION: monday(17)}


# --- pauses ---------------------------------------------------------------------------------------


def test_a_paused_clock_does_not_escalate_even_past_its_unpaused_due_time() -> None:
    sla = started()
    sla.pause(monday(10))
    wednesday_noon = monday(12, days=2)

    plan = sla.plan(CALENDAR, now=wednesday_noon)

    assert plan.notices == []
    assert plan.wake_at == wednesday_noon + timedelta(hours=1)
    # One hour used; three remain after now however long the wait.
    assert sla.due_times(CALENDAR, now=wednesday_noon)[FIRST] == monday(15, days=2)


def test_a_resumed_clock_is_due_later_by_exactly_the_paused_working_time() -> None:
    sla = started()
    due_before = sla.due_times(CALENDAR, now=monday(10))[FIRST]
    sla.pause(monday(10))
    sla.resume(monday(12, days=2))  # 7h Monday, 8h Tuesday, 3h Wednesday: 18 working hours paused

    due_after = sla.due_times(CALENDAR, now=monday(12, days=2))[FIRST]

    assert due_before == monday(13)
    assert CALENDAR.working_time_between(due_before, due_after) == timedelta(hours=18)
    assert sla.plan(CALENDAR, now=monday(14, 11, days=2)).notices == []
    assert sla.plan(CALENDAR, now=monday(14, 12, days=2)).notices == [
        SlaNotice(kind="escalate", clock=FIRST, due_at=due_after)
    ]


def test_a_clock_paused_after_its_escalation_point_does_not_escalate_while_it_waits() -> None:
    sla = started()
    sla.agent_replied(monday(9, 30))
    sla.retarget(TARGETS.model_copy(update={"resolution": timedelta(hours=2)}))  # 80% at 10:36, unescalated
    sla.pause(monday(10, 45))

    plan = sla.plan(CALENDAR, now=monday(11))

    assert plan.notices == []
    assert plan.wake_at == monday(12)


def test_a_pause_after_the_due_time_does_not_move_the_due_time_back() -> None:
    sla = started()
    sla.pause(monday(14))  # a breached first response stays breached when the case then waits
    sla.resume(monday(16))

    assert sla.due_times(CALENDAR, now=monday(16))[FIRST] == monday(13)
    assert sla.clocks[0].clock.due(CALENDAR, now=monday(16)) == monday(15)  # SlaClock.due counts every pause


def test_a_pause_after_the_half_point_does_not_bring_back_a_skipped_still_working_message() -> None:
    sla = started(targets=TARGETS.model_copy(update={"resolution": timedelta(hours=8)}))  # half point 13:00
    sla.agent_replied(monday(13, 30))
    sla.pause(monday(14))
    sla.customer_replied(TARGETS, monday(9, days=1))

    notices = sla.plan(CALENDAR, now=monday(9, days=1)).notices

    # Counting the later pause would move the half point to 16:00, after the reply.
    assert notices == []


def test_stopping_a_paused_clock_closes_its_pause() -> None:
    sla = started()
    sla.pause(monday(10))

    sla.resolved(monday(11))

    assert all(c.clock.pauses == [Pause(start=monday(10), end=monday(11))] for c in sla.clocks)
    assert all(c.met_at == monday(11) for c in sla.clocks)


# --- responses -------------------------------------------------------------------------------------


def test_an_agent_reply_stops_the_first_response_clock() -> None:
    sla = started()

    sla.agent_replied(monday(10))

    assert sla.clocks[0].met_at == monday(10)
    assert sla.last_customer_update_at == monday(10)
    assert sla.plan(CALENDAR, now=monday(13)).notices == []
    assert set(sla.due_times(CALENDAR, now=monday(13))) == {RESOLUTION}


def test_a_customer_reply_after_a_first_response_starts_a_next_response_clock_and_resumes() -> None:
    sla = started()
    sla.agent_replied(monday(10))
    sla.pause(monday(10))

    sla.customer_replied(TARGETS, monday(11))
    sla.customer_replied(TARGETS, monday(11, 30))  # a second message while one is running starts nothing

    nexts = [c for c in sla.clocks if c.kind == NEXT]
    assert [c.clock.started_at for c in nexts] == [monday(11)]
    assert not any(c.clock.is_paused for c in sla.clocks)
    assert sla.due_times(CALENDAR, now=monday(11, 30)) == {NEXT: monday(11, days=1), RESOLUTION: monday(10, days=2)}


def test_an_agent_reply_stops_the_next_response_clock_and_the_customer_can_start_another() -> None:
    sla = started()
    sla.agent_replied(monday(10))
    sla.customer_replied(TARGETS, monday(11))
    sla.agent_replied(monday(12))

    sla.customer_replied(TARGETS, monday(14))

    assert [(c.clock.started_at, c.met_at) for c in sla.clocks if c.kind == NEXT] == [
        (monday(11), monday(12)),
        (monday(14), None),
    ]


def test_a_customer_message_before_the_first_response_starts_no_next_response_clock() -> None:
    sla = started()

    sla.customer_replied(TARGETS, monday(10))

    assert [c.kind for c in sla.clocks] == [FIRST, RESOLUTION]


def test_starting_twice_does_nothing() -> None:
    sla = started()

    sla.start(TARGETS, monday(11))

    assert [(c.kind, c.clock.started_at) for c in sla.clocks] == [(FIRST, monday(9)), (RESOLUTION, monday(9))]
    sla.resolved(monday(12))
    sla.start(TARGETS, monday(13))  # a replayed start after resolution does not restart the promises
    assert len(sla.clocks) == 2
    assert sla.plan(CALENDAR, now=monday(13)).wake_at is None


# --- still working ------------------------------------------------------------------------------


def test_still_working_goes_out_once_at_half_the_resolution_time() -> None:
    sla = started()  # resolution 16h: half at Monday 17:00
    sla.agent_replied(monday(10))

    assert [n.kind for n in sla.plan(CALENDAR, now=monday(16, 59)).notices] == []
    notices = sla.plan(CALENDAR, now=monday(17)).notices
    assert notices == [SlaNotice(kind="still_working", clock=None, due_at=monday(17, days=1))]

    sla.mark_still_working(monday(17))

    assert sla.plan(CALENDAR, now=monday(10, days=1)).notices == []
    assert sla.last_customer_update_at == monday(17)
    sla.mark_still_working(monday(10, days=1))
    assert sla.still_working_sent_at == monday(17)


def test_still_working_is_not_sent_when_the_customer_heard_from_us_after_the_half_point() -> None:
    sla = started()
    sla.agent_replied(monday(10))
    sla.customer_updated(monday(9, 30, days=1))  # after Monday 17:00

    assert sla.plan(CALENDAR, now=monday(10, days=1)).notices == []


def test_an_older_update_does_not_replace_a_newer_one() -> None:
    sla = started()
    sla.customer_updated(monday(9, 30, days=1))

    sla.customer_updated(monday(10))

    assert sla.last_customer_update_at == monday(9, 30, days=1)


def test_still_working_is_not_sent_while_the_case_waits_for_the_customer() -> None:
    sla = started()
    sla.agent_replied(monday(10))
    sla.pause(monday(10))

    assert sla.plan(CALENDAR, now=monday(10, days=3)).notices == []


# --- resolution and reopening ------------------------------------------------------------------


def test_a_resolved_case_has_nothing_left_to_watch() -> None:
    sla = started()
    sla.resolved(monday(10))

    plan = sla.plan(CALENDAR, now=monday(10, days=10))

    assert plan.notices == []
    assert plan.wake_at is None
    assert sla.due_times(CALENDAR, now=monday(11)) == {}


def test_nothing_is_watched_before_the_clocks_start() -> None:
    assert CaseSla().plan(CALENDAR, now=monday(9)) == SlaPlan(notices=[], wake_at=None)


def test_a_customer_message_on_a_resolved_case_waits_for_reopened() -> None:
    sla = started()
    sla.agent_replied(monday(10))
    sla.resolved(monday(11))

    sla.customer_replied(TARGETS, monday(12))
    assert sla.plan(CALENDAR, now=monday(12)).wake_at is None

    sla.reopened(TARGETS, monday(12))

    running = {c.kind: c.clock.started_at for c in sla.clocks if c.is_running}
    assert running == {NEXT: monday(12), RESOLUTION: monday(12)}
    assert len(sla.clocks) == 4


# --- policies -------------------------------------------------------------------------------------


def test_default_policies_promise_by_priority() -> None:
    policies = SlaPolicies()

    assert policies.targets(Priority.URGENT, Channel.CHAT) == SlaTargets(
        first_response=timedelta(hours=1), next_response=timedelta(hours=2), resolution=timedelta(hours=8)
    )
    assert policies.targets(Priority.HIGH, Channel.EMAIL).resolution == timedelta(hours=16)
    assert policies.targets(Priority.NORMAL, Channel.EMAIL).resolution == timedelta(hours=40)
    assert policies.targets(Priority.LOW, Channel.EMAIL).first_response == timedelta(hours=16)


def test_policies_from_settings_json_override_per_priority_and_channel() -> None:
    policies = SlaPolicies.model_validate_json(
        """{
          "by_priority": {"urgent": {"first_response": "PT30M", "next_response": 3600, "resolution": "PT4H"}},
          "by_channel": {"chat": {"urgent": {"first_response": "PT2M", "next_response": "PT5M", "resolution": "PT1H"}}}
        }"""
    )

    assert policies.targets(Priority.URGENT, Channel.EMAIL).first_response == timedelta(minutes=30)
    assert policies.targets(Priority.URGENT, Channel.EMAIL).next_response == timedelta(hours=1)
    assert policies.targets(Priority.URGENT, Channel.CHAT).first_response == timedelta(minutes=2)
    assert policies.targets(Priority.HIGH, Channel.CHAT) == SlaPolicies().targets(Priority.HIGH, Channel.CHAT)


@pytest.mark.parametrize("target", ["PT0S", -60])
def test_a_target_of_no_time_is_refused(target: object) -> None:
    with pytest.raises(ValueError, match="greater than"):
        SlaTargets.model_validate({"first_response": target, "next_response": 60, "resolution": 60})


@pytest.mark.parametrize(
    ("escalate_at", "max_sleep", "message"),
    [(0.0, timedelta(hours=1), "part of the target"), (1.5, timedelta(hours=1), "part"), (0.8, timedelta(0), "sleep")],
)
def test_plan_refuses_nonsense_settings(escalate_at: float, max_sleep: timedelta, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        started().plan(CALENDAR, now=monday(9), escalate_at=escalate_at, max_sleep=max_sleep)


def test_a_fraction_outside_the_target_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        used_up_at(SlaClock(started_at=monday(9), target=timedelta(hours=1)), CALENDAR, 1.1, now=monday(9))


# --- properties -----------------------------------------------------------------------------------

fractions = st.floats(0.01, 1.0)
targets = st.builds(SlaTargets, first_response=durations, next_response=durations, resolution=durations)
short_durations = st.integers(1, 8 * 60).map(lambda minutes: timedelta(minutes=minutes))
steps = st.integers(0, 60 * 24 * 3).map(lambda minutes: timedelta(minutes=minutes))


@st.composite
def paused_clocks(draw: st.DrawFn) -> tuple[SlaClock, datetime]:
    """A clock with pauses one after another (the last maybe open), and a `now` after them."""
    start = draw(moments)
    clock = SlaClock(started_at=start, target=draw(durations))
    cursor = start
    for _ in range(draw(st.integers(0, 3))):
        cursor += draw(steps)
        clock.pause(cursor)
        if draw(st.booleans()):
            cursor += draw(steps)
            clock.resume(cursor)
    return clock, cursor + draw(steps)


@settings(max_examples=150, deadline=None)
@given(calendars(), paused_clocks(), fractions)
def test_an_escalation_point_is_in_working_hours_and_never_after_the_due_time(
    calendar: Calendar, clock_and_now: tuple[SlaClock, datetime], fraction: float
) -> None:
    clock, now = clock_and_now

    point = used_up_at(clock, calendar, fraction, now=now)

    assert calendar.is_working_time(point)
    assert point.astimezone(ZoneInfo(calendar.time_zone)).date() not in calendar.holidays
    assert point <= used_up_at(clock, calendar, 1.0, now=now) <= clock.due(calendar, now=now)
    assert point > clock.started_at


@settings(max_examples=150, deadline=None)
@given(calendars(), paused_clocks(), fractions)
def test_the_unpaused_working_time_up_to_a_point_is_that_fraction_of_the_target(
    calendar: Calendar, clock_and_now: tuple[SlaClock, datetime], fraction: float
) -> None:
    clock, now = clock_and_now

    point = used_up_at(clock, calendar, fraction, now=now)

    paused = sum(
        (calendar.working_time_between(p.start, min(p.end or now, point)) for p in clock.pauses),
        start=timedelta(0),
    )
    assert calendar.working_time_between(clock.started_at, point) - paused == clock.target * fraction


EVENTS = ["agent", "customer", "update", "pause", "resume", "resolve", "reopen", "retarget"]


@st.composite
def case_histories(draw: st.DrawFn) -> tuple[CaseSla, datetime]:
    """A case's SLA after a random run of events, and a `now` after the last one."""
    at = draw(moments)
    sla = CaseSla()
    sla.start(draw(targets), at)
    for event in draw(st.lists(st.sampled_from(EVENTS), max_size=8)):
        at += draw(steps)
        match event:
            case "agent":
                sla.agent_replied(at)
            case "customer":
                sla.customer_replied(draw(targets), at)
            case "update":
                sla.customer_updated(at)
            case "pause":
                sla.pause(at)
            case "resume":
                sla.resume(at)
            case "resolve":
                sla.resolved(at)
            case "reopen":
                sla.reopened(draw(targets), at)
            case _:
                sla.retarget(draw(targets))
    return sla, at + draw(steps)


@settings(max_examples=150, deadline=None)
@given(calendars(), case_histories(), st.sampled_from([timedelta(minutes=5), timedelta(hours=1), timedelta(days=2)]))
def test_wake_at_is_after_now_and_within_max_sleep_while_a_clock_runs(
    calendar: Calendar, history: tuple[CaseSla, datetime], max_sleep: timedelta
) -> None:
    sla, now = history

    plan = sla.plan(calendar, now=now, max_sleep=max_sleep)

    if any(c.is_running for c in sla.clocks):
        assert plan.wake_at is not None
        assert now < plan.wake_at <= now + max_sleep
    else:
        assert plan.wake_at is None
        assert plan.notices == []


@settings(max_examples=150, deadline=None)
@given(calendars(), case_histories())
def test_a_plan_changes_nothing_and_is_empty_once_its_notices_are_marked(
    calendar: Calendar, history: tuple[CaseSla, datetime]
) -> None:
    sla, now = history
    before = sla.model_dump()

    plan = sla.plan(calendar, now=now)

    assert sla.model_dump() == before
    paused = {c.kind for c in sla.clocks if c.is_running and c.clock.is_paused}
    escalated = [n.clock for n in plan.notices if n.kind == "escalate"]
    assert len(escalated) == len(set(escalated))
    assert not paused & set(escalated)
    due = sla.due_times(calendar, now=now)
    assert all(n.clock is not None and n.due_at == due[n.clock] for n in plan.notices if n.kind == "escalate")
    for notice in plan.notices:
        if notice.clock is None:
            sla.mark_still_working(now)
        else:
            sla.mark_escalated(notice.clock, now)

    again = sla.plan(calendar, now=now)

    assert again.notices == []
    assert again.wake_at == plan.wake_at


@settings(max_examples=75, deadline=None)
@given(
    calendars(),
    moments,
    st.builds(
        SlaTargets,
        first_response=short_durations,
        next_response=short_durations,
        resolution=short_durations,
    ),
    st.sampled_from([timedelta(days=1), timedelta(days=7)]),
)
def test_a_workflow_that_sleeps_until_wake_at_escalates_exactly_on_time(
    calendar: Calendar, start: datetime, case_targets: SlaTargets, max_sleep: timedelta
) -> None:
    sla = CaseSla()
    sla.start(case_targets, start)
    now = start
    for _ in range(500):
        plan = sla.plan(calendar, now=now, max_sleep=max_sleep)
        for notice in plan.notices:
            if notice.clock is None:
                sla.mark_still_working(now)
            else:
                sla.mark_escalated(notice.clock, now)
        if sla.still_working_sent_at is not None and all(c.escalated_at for c in sla.clocks):
            break
        assert plan.wake_at is not None
        now = plan.wake_at
    else:
        pytest.fail("the workflow never got through the case's escalations")

    for clock in sla.clocks:
        assert clock.escalated_at == clock.used_up_at(calendar, 0.8, now=now)
    resolution = sla.clocks[1]
    assert sla.still_working_sent_at == resolution.used_up_at(calendar, 0.5, now=now)
