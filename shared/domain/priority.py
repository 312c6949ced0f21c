"""How urgent a case is, and what one step up means (triage rules and escalation both raise it)."""

from __future__ import annotations

from enum import StrEnum


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


_ORDER = list(Priority)


def raise_priority(priority: Priority) -> Priority:
    """One level up; urgent stays urgent."""
    return _ORDER[min(_ORDER.index(priority) + 1, len(_ORDER) - 1)]


def at_least(priority: Priority, floor: Priority) -> bool:
    return _ORDER.index(priority) >= _ORDER.index(floor)
