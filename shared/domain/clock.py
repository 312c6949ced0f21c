"""Time in one format: aware UTC datetimes, serialised with microseconds so strings sort as times."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(at: datetime) -> str:
    """`2026-11-22T10:00:00.123456Z`: fixed width, so string order is time order."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
