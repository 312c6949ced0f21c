"""Service levels: what we promise per priority and channel, and where a case stands against those promises.

A case runs up to three kinds of clock, each counting working time only (see `business_hours`):
the first response, the next response after each customer message that follows it, and the
resolution. Waiting for the customer pauses every running clock. The workflow asks `CaseSla.plan`
what is due now (an escalation at 80% of a target, one "still working on it" message at half the
resolution target) and when to look again; it marks what it did, so asking twice does nothing twice.

A clock's fraction point counts only the pauses that began before it: a clock that reached 80% and
was paused afterwards has still reached 80%.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from shared.domain.business_hours import Calendar, SlaClock
from shared.domain.channels import Channel
from shared.domain.priority import Priority

_HALF = 0.5
_WHOLE = 1.0


class ClockKind(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


# Pydantic reads ISO 8601 durations ("PT4H") and seconds (14400).
WorkingDuration = Annotated[timedelta, Field(gt=timedelta(0))]


class SlaTargets(BaseModel):
    """Working-time targets for one priority (and, when overridden, one channel)."""

    first_response: WorkingDuration
    next_response: WorkingDuration
    resolution: WorkingDuration

    def for_clock(self, kind: ClockKind) -> timedelta:
        match kind:
            case ClockKind.FIRST_RESPONSE:
                return self.first_response
            case ClockKind.NEXT_RESPONSE:
                return self.next_response
            case ClockKind.RESOLUTION:
                return self.resolution


def default_targets() -> dict[Priority, SlaTargets]:
    """What a contact center promises before an admin says otherwise (a working day is eight hours)."""
    hours = [
        (Priority.URGENT, 1, 2, 8),
        (Priority.HIGH, 4, 8, 16),
        (Priority.NORMAL, 8, 16, 40),
        (Priority.LOW, 16, 24, 80),
    ]
    return {
        priority: SlaTargets(
            first_response=timedelta(hours=first),
            next_response=timedelta(hours=after),
            resolution=timedelta(hours=done),
        )
        for priority, first, after, done in hours
    }


class SlaPolicies(BaseModel):
    """The promises an admin sets in settings as JSON; priorities left out keep the defaults."""

    by_priority: dict[Priority, SlaTargets] = Field(default_factory=default_targets)
    by_channel: dict[Channel, dict[Priority, SlaTargets]] = {}

    @field_validator("by_priority")
    @classmethod
    def _every_priority(cls, given: dict[Priority, SlaTargets]) -> dict[Priority, SlaTargets]:
        return {**default_targets(), **given}

    def targets(self, priority: Priority, channel: Channel) -> SlaTargets:
        """The channel's override for this priority, else the priority's targets."""
        override = self.by_channel.get(channel, {}).get(priority)
        return override if override is not None else self.by_priority[priority]


def used_up_at(clock: SlaClock, calendar: Calendar, fraction: float, *, now: datetime) -> datetime:
    """The moment `fraction` of the clock's target has run in working time, its pauses not counted.

    The same accounting as `SlaClock.due` (the target plus the working time spent paused), except
    that a pause which began after the moment does not move it; an open pause counts until `now`.
    With a fraction of 1 and no pause after the due time, this is `SlaClock.due`.
    """
    if not 0 <= fraction <= _WHOLE:
        raise ValueError("a fraction of a target lies between 0 and 1")
    budget = clock.target * fraction
    paused = timedelta(0)
    moment = calendar.add_working_time(clock.started_at, budget)
    for pause in sorted(clock.pauses, key=lambda p: p.start):
        if pause.start >= moment:
            break
        paused += calendar.working_time_between(pause.start, pause.end or now)
        moment = calendar.add_working_time(clock.started_at, budget + paused)
    return moment


class Clock(BaseModel):
    """One promise on a case, running until it is met (the response came, the case was resolved)."""

    kind: ClockKind
    clock: SlaClock
    met_at: datetime | None = None
    escalated_at: datetime | None = None
    notified_at: datetime | None = None  # supervisors were told of the escalation

    @property
    def is_running(self) -> bool:
        return self.met_at is None

    def used_up_at(self, calendar: Calendar, fraction: float, *, now: datetime) -> datetime:
        return used_up_at(self.clock, calendar, fraction, now=now)

    def stop(self, at: datetime) -> None:
        if self.is_running:
            self.clock.resume(at)  # a clock stopped while paused keeps a closed pause history
            self.met_at = at


class SlaNotice(BaseModel):
    """Something the workflow must do now: escalate a clock, or tell the customer we are still on it."""

    kind: Literal["escalate", "still_working"]
    clock: ClockKind | None  # the escalated clock; None for still_working
    due_at: datetime | None  # the escalated clock's due time; for still_working, the resolution's


class SlaPlan(BaseModel):
    notices: list[SlaNotice]  # due at `now`, in the order they fell due
    wake_at: datetime | None  # when to ask again; None when no clock runs


class CaseSla(BaseModel):
    """The SLA state stored on a case. At most one clock of each kind runs at a time."""

    clocks: list[Clock] = []
    still_working_sent_at: datetime | None = None
    last_customer_update_at: datetime | None = None  # a reply, an acknowledgement, a status update

    @property
    def needs_watch(self) -> bool:
        """Some clock runs, unpaused and not yet escalated: something may fall due without anyone acting."""
        return any(c.is_running and not c.clock.is_paused and c.escalated_at is None for c in self.clocks)

    def running(self, kind: ClockKind) -> Clock | None:
        return next((c for c in self.clocks if c.kind == kind and c.is_running), None)

    def start(self, targets: SlaTargets, at: datetime) -> None:
        """The case arrived: the first-response and resolution promises begin. A second start does nothing."""
        if self.clocks:
            return
        self._start(ClockKind.FIRST_RESPONSE, targets, at)
        self._start(ClockKind.RESOLUTION, targets, at)

    def retarget(self, targets: SlaTargets) -> None:
        """The priority (or channel) changed: running clocks take the new targets, met ones keep theirs."""
        for clock in self.clocks:
            if clock.is_running:
                clock.clock.target = targets.for_clock(clock.kind)

    def pause(self, at: datetime) -> None:
        """The case awaits the customer: every running clock pauses."""
        for clock in self.clocks:
            if clock.is_running:
                clock.clock.pause(at)

    def resume(self, at: datetime) -> None:
        for clock in self.clocks:
            if clock.is_running:
                clock.clock.resume(at)

    def agent_replied(self, at: datetime) -> None:
        """An agent answered the customer: the first and next response promises are met."""
        for kind in (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_RESPONSE):
            if clock := self.running(kind):
                clock.stop(at)
        self.customer_updated(at)

    def customer_replied(self, targets: SlaTargets, at: datetime) -> None:
        """The customer wrote on a case being worked: clocks resume, and once the first response was
        given, a next-response promise begins (unless one runs). A resolved case is `reopened` instead."""
        self.resume(at)
        if self.running(ClockKind.RESOLUTION) is None:
            return
        first_response_given = any(c.kind == ClockKind.FIRST_RESPONSE and not c.is_running for c in self.clocks)
        if first_response_given:
            self._start(ClockKind.NEXT_RESPONSE, targets, at)

    def customer_updated(self, at: datetime) -> None:
        """We told the customer something (an acknowledgement, a status update, still working)."""
        if self.last_customer_update_at is None or at > self.last_customer_update_at:
            self.last_customer_update_at = at

    def resolved(self, at: datetime) -> None:
        """Every clock stops; the resolution promise is met."""
        for clock in self.clocks:
            clock.stop(at)

    def reopened(self, targets: SlaTargets, at: datetime) -> None:
        """A resolved case got a customer message: new next-response and resolution promises begin."""
        self.resume(at)
        self._start(ClockKind.NEXT_RESPONSE, targets, at)
        self._start(ClockKind.RESOLUTION, targets, at)

    def plan(
        self,
        calendar: Calendar,
        *,
        now: datetime,
        escalate_at: float = 0.8,
        max_sleep: timedelta = timedelta(hours=1),
    ) -> SlaPlan:
        """What is due at `now` and when to ask again. Changes nothing: the caller marks what it did."""
        if not 0 < escalate_at <= _WHOLE:
            raise ValueError("escalation happens after a part of the target, at most all of it")
        if max_sleep <= timedelta(0):
            raise ValueError("the longest sleep must be positive")
        running = [c for c in self.clocks if c.is_running]
        if not running:
            return SlaPlan(notices=[], wake_at=None)
        due: list[tuple[datetime, SlaNotice]] = []
        upcoming = [now + max_sleep]  # a paused clock, a new priority or a resume is seen within max_sleep
        for clock in running:
            if clock.clock.is_paused:
                continue
            if clock.escalated_at is None:
                point = clock.used_up_at(calendar, escalate_at, now=now)
                if point > now:
                    upcoming.append(point)
                else:
                    breach = clock.used_up_at(calendar, _WHOLE, now=now)
                    due.append((point, SlaNotice(kind="escalate", clock=clock.kind, due_at=breach)))
            if clock.kind == ClockKind.RESOLUTION and self.still_working_sent_at is None:
                half = clock.used_up_at(calendar, _HALF, now=now)
                if half > now:
                    upcoming.append(half)
                elif self.last_customer_update_at is None or self.last_customer_update_at < half:
                    breach = clock.used_up_at(calendar, _WHOLE, now=now)
                    due.append((half, SlaNotice(kind="still_working", clock=None, due_at=breach)))
        due.sort(key=lambda item: item[0])
        return SlaPlan(notices=[notice for _, notice in due], wake_at=min(upcoming))

    def mark_escalated(self, kind: ClockKind, at: datetime) -> None:
        clock = self.running(kind)
        if clock is not None and clock.escalated_at is None:
            clock.escalated_at = at

    def unnotified(self) -> list[Clock]:
        """Escalated clocks the supervisors have not been told about yet (running or met since)."""
        return [c for c in self.clocks if c.escalated_at is not None and c.notified_at is None]

    def mark_notified(self, at: datetime) -> None:
        for clock in self.unnotified():
            clock.notified_at = at

    def mark_still_working(self, at: datetime) -> None:
        """The still-working message went out: never again on this case, and it counts as an update."""
        if self.still_working_sent_at is None:
            self.still_working_sent_at = at
        self.customer_updated(at)

    def due_times(self, calendar: Calendar, *, now: datetime) -> dict[ClockKind, datetime]:
        """When each running promise breaks, for the agent console (a paused clock's moves on with `now`)."""
        return {c.kind: c.used_up_at(calendar, _WHOLE, now=now) for c in self.clocks if c.is_running}

    def _start(self, kind: ClockKind, targets: SlaTargets, at: datetime) -> None:
        if self.running(kind) is None:
            self.clocks.append(Clock(kind=kind, clock=SlaClock(started_at=at, target=targets.for_clock(kind))))
