"""Time in one format: aware UTC datetimes, serialised with microseconds so strings sort as times.

Everything asks `utc_now()` for the time. The local runtime may install another source (a clock
that runs faster, for demos of SLA waits, or one that moves only when a test says); AWS always
uses the real one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def _real_now() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _real_now
_TICK = timedelta(microseconds=1)


def utc_now() -> datetime:
    return _source()


def use_time_source(source: Callable[[], datetime] | None) -> None:
    """Make `utc_now()` ask `source` (None restores the real clock). Local runtime and tests only."""
    global _source  # noqa: PLW0603 - one process-wide clock is the point
    _source = source or _real_now


def scaled_clock(scale: float) -> Callable[[], datetime]:
    """A clock that runs `scale` times faster than the real one, from now on (local demos and tests)."""
    start = _real_now()

    def now() -> datetime:
        return start + (_real_now() - start) * scale

    return now


class ManualClock:
    """Platform time that moves only when told (tests): what falls due is decided by platform time,
    never by how fast a loaded machine runs the code in between.

    Like a real clock, two readings are never equal (each reading moves it on by a microsecond), so
    "written after" still means "later"; a million readings make one second.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or _real_now()).astimezone(UTC).replace(microsecond=0)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self._now += _TICK
            return self._now

    def advance(self, by: timedelta) -> datetime:
        """Move the time forward (never back); the new time."""
        if by < timedelta(0):
            raise ValueError("platform time does not run backwards")
        with self._lock:
            self._now += by
            return self._now


def iso(at: datetime) -> str:
    """`2026-11-22T10:00:00.123456Z`: fixed width, so string order is time order."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
