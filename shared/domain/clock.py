"""Time in one format: aware UTC datetimes, serialised with microseconds so strings sort as times.

Everything asks `utc_now()` for the time. The local runtime may install another source (a clock
that runs faster, for demos of SLA waits); AWS always uses the real one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def _real_now() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _real_now


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


def iso(at: datetime) -> str:
    """`2026-11-22T10:00:00.123456Z`: fixed width, so string order is time order."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
