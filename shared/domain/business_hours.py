"""Business hours and SLA clocks: due times that count only working time, and pause while we wait.

A calendar says when people work: a time zone, working intervals per weekday in local wall time,
and holidays. Clocks count working time only, so a four-hour first-response promise made on
Friday at 16:00 falls due on Monday at 12:00 (Mon-Fri 9-17), and a clock paused while the case
awaits the customer moves its due time by exactly the working time it was paused.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator, model_validator

_SEARCH_DAYS = 3 * 366  # a calendar with working time finds it well within three years


class WorkingInterval(BaseModel):
    """From `start` to `end` local wall time on one day; `end` of 24:00 is written as 00:00."""

    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> WorkingInterval:
        if self.end != time(0) and self.end <= self.start:
            raise ValueError("a working interval ends after it starts")
        return self


class Calendar(BaseModel):
    time_zone: str = "Europe/Tallinn"
    # Monday is 0, as in date.weekday().
    week: dict[int, list[WorkingInterval]] = Field(
        default_factory=lambda: {d: [WorkingInterval(start=time(9), end=time(17))] for d in range(5)}
    )
    holidays: frozenset[date] = frozenset()

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        ZoneInfo(name)  # raises for an unknown zone
        return name

    @model_validator(mode="after")
    def _has_working_time(self) -> Calendar:
        if not any(self.week.get(day) for day in range(7)):
            raise ValueError("a calendar needs working time on at least one weekday")
        return self

    def intervals_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals in UTC, in order, from the local day of `moment` on."""
        zone = ZoneInfo(self.time_zone)
        day = moment.astimezone(zone).date()
        for offset in range(_SEARCH_DAYS):
            current = day + timedelta(days=offset)
            if current in self.holidays:
                continue
            for interval in sorted(self.week.get(current.weekday(), []), key=lambda i: i.start):
                start = datetime.combine(current, interval.start, tzinfo=zone).astimezone(UTC)
                end_day = current + timedelta(days=1) if interval.end == time(0) else current
                end = datetime.combine(end_day, interval.end, tzinfo=zone).astimezone(UTC)
                if end > start:  # a DST jump can swallow an interval
                    yield start, end

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of working time after `start` (the first working moment for zero)."""
        if duration < timedelta(0):
            raise ValueError("working time cannot be negative")
        cursor = start.astimezone(UTC)
        remaining = duration
        for begin, end in self.intervals_from(cursor):
            if end <= cursor:
                continue
            available_from = max(begin, cursor)
            if remaining <= end - available_from:
                return available_from + remaining
            remaining -= end - available_from
        raise ValueError("no working time within three years")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in [start, end); zero when end is not after start."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        total = timedelta(0)
        if end <= start:
            return total
        for begin, finish in self.intervals_from(start):
            if begin >= end:
                return total
            overlap = min(finish, end) - max(begin, start)
            if overlap > timedelta(0):
                total += overlap
        return total

    def is_working_time(self, moment: datetime) -> bool:
        """Whether `moment` lies in a working interval (its end included: a due time may fall there)."""
        moment = moment.astimezone(UTC)
        for begin, end in self.intervals_from(moment - timedelta(days=1)):
            if begin > moment:
                return False
            if begin <= moment <= end:
                return True
        return False


class Pause(BaseModel):
    start: datetime
    end: datetime | None = None  # None while still paused


class SlaClock(BaseModel):
    """One promise (first response, next response, resolution) with its pauses."""

    started_at: datetime
    target: timedelta
    pauses: list[Pause] = []

    def due(self, calendar: Calendar, *, now: datetime) -> datetime:
        """When the promise breaks: the target in working time, plus all the working time spent paused."""
        paused = sum((calendar.working_time_between(p.start, p.end or now) for p in self.pauses), start=timedelta(0))
        return calendar.add_working_time(self.started_at, self.target + paused)

    @property
    def is_paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None

    def pause(self, at: datetime) -> None:
        if not self.is_paused:
            self.pauses.append(Pause(start=at))

    def resume(self, at: datetime) -> None:
        if self.is_paused:
            self.pauses[-1] = Pause(start=self.pauses[-1].start, end=at)
