"""Business-hours SLA clocks: due times stay in working hours, pauses move them by exactly the paused working time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.business_hours import Calendar, SlaClock, WorkingInterval

TALLINN = ZoneInfo("Europe/Tallinn")


@st.composite
def intervals(draw: st.DrawFn) -> list[WorkingInterval]:
    chosen: list[WorkingInterval] = []
    minute = 0
    for _ in range(draw(st.integers(0, 2))):
        if minute > 22 * 60 - 60:
            break
        start = draw(st.integers(minute, 22 * 60))
        # At least an hour: an SLA calendar with minutes of work a week is not a calendar people keep.
        end = draw(st.integers(start + 60, min(start + 10 * 60, 24 * 60)))
        chosen.append(
            WorkingInterval(
                start=time(start // 60, start % 60), end=time(0) if end == 24 * 60 else time(end // 60, end % 60)
            )
        )
        minute = end
    return chosen


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    week = {day: draw(intervals()) for day in range(7)}
    if not any(week.values()):
        week[draw(st.integers(0, 6))] = [WorkingInterval(start=time(9), end=time(17))]
    holidays = draw(st.frozensets(st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=10))
    zone = draw(st.sampled_from(["Europe/Tallinn", "UTC", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]))
    return Calendar(time_zone=zone, week=week, holidays=holidays)


# Hypothesis takes naive bounds and attaches the zone itself.
moments = st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC)).map(  # noqa: DTZ001
    lambda m: m.replace(second=0, microsecond=0)
)
durations = st.integers(1, 40 * 60).map(lambda minutes: timedelta(minutes=minutes))


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, durations)
def test_a_due_time_never_falls_outside_working_hours(calendar: Calendar, start: datetime, target: timedelta) -> None:
    due = calendar.add_working_time(start, target)

    assert due > start
    assert calendar.is_working_time(due)
    assert due.astimezone(ZoneInfo(calendar.time_zone)).date() not in calendar.holidays


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, durations)
def test_the_working_time_up_to_a_due_time_is_the_target(
    calendar: Calendar, start: datetime, target: timedelta
) -> None:
    assert calendar.working_time_between(start, calendar.add_working_time(start, target)) == target


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, durations, st.integers(0, 60 * 24 * 5), st.integers(1, 60 * 24 * 5))
def test_a_pause_extends_the_due_time_by_exactly_the_paused_working_time(
    calendar: Calendar, start: datetime, target: timedelta, pause_after: int, pause_minutes: int
) -> None:
    pause_start = start + timedelta(minutes=pause_after)
    pause_end = pause_start + timedelta(minutes=pause_minutes)
    clock = SlaClock(started_at=start, target=target)
    without_pause = clock.due(calendar, now=pause_end)
    clock.pause(pause_start)
    clock.resume(pause_end)

    with_pause = clock.due(calendar, now=pause_end)

    paused = calendar.working_time_between(pause_start, pause_end)
    assert calendar.working_time_between(without_pause, with_pause) == paused
    assert with_pause >= without_pause


def test_four_working_hours_from_friday_afternoon_fall_due_on_monday() -> None:
    calendar = Calendar()  # Tallinn, Monday to Friday 9-17

    due = calendar.add_working_time(datetime(2026, 11, 20, 16, 0, tzinfo=TALLINN), timedelta(hours=4))

    assert due == datetime(2026, 11, 23, 12, 0, tzinfo=TALLINN)


def test_holidays_are_skipped() -> None:
    calendar = Calendar(holidays=frozenset({date(2026, 12, 24), date(2026, 12, 25)}))

    due = calendar.add_working_time(datetime(2026, 12, 23, 16, 0, tzinfo=TALLINN), timedelta(hours=2))

    assert due == datetime(2026, 12, 28, 10, 0, tzinfo=TALLINN)


def test_working_time_is_elapsed_time_across_a_daylight_saving_change() -> None:
    always = Calendar(week={d: [WorkingInterval(start=time(0), end=time(0))] for d in range(7)})

    # 29 March 2026 has 23 hours in Tallinn: 24 hours of work end an hour later on the clock.
    due = always.add_working_time(datetime(2026, 3, 28, 12, 0, tzinfo=TALLINN), timedelta(hours=24))

    assert due == datetime(2026, 3, 29, 13, 0, tzinfo=TALLINN)


def test_a_clock_paused_while_waiting_for_the_customer_does_not_breach() -> None:
    calendar = Calendar()
    start = datetime(2026, 11, 23, 9, 0, tzinfo=TALLINN)
    clock = SlaClock(started_at=start, target=timedelta(hours=4))
    clock.pause(start + timedelta(hours=1))

    a_week_later = start + timedelta(days=7)

    assert clock.is_paused
    assert clock.due(calendar, now=a_week_later) > a_week_later


def test_pausing_twice_and_resuming_an_unpaused_clock_change_nothing() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=TALLINN)
    clock = SlaClock(started_at=start, target=timedelta(hours=4))
    clock.resume(start)
    clock.pause(start + timedelta(hours=1))
    clock.pause(start + timedelta(hours=2))

    assert [p.start for p in clock.pauses] == [start + timedelta(hours=1)]


@pytest.mark.parametrize(
    ("week", "message"),
    [({}, "at least one weekday"), ({0: [WorkingInterval(start=time(9), end=time(17))]}, None)],
)
def test_a_calendar_without_any_working_time_is_refused(
    week: dict[int, list[WorkingInterval]], message: str | None
) -> None:
    if message is None:
        assert Calendar(week=week).week == week
        return
    with pytest.raises(ValueError, match=message):
        Calendar(week=week)


def test_an_interval_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends after it starts"):
        WorkingInterval(start=time(17), end=time(9))


def test_a_target_beyond_three_years_of_working_time_is_refused() -> None:
    sparse = Calendar(week={6: [WorkingInterval(start=time(0), end=time(0, 15))]})  # 15 minutes a week

    with pytest.raises(ValueError, match="three years"):
        sparse.add_working_time(datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=40))
