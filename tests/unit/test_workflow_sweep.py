"""The sweep starts the workflow of cases whose start was lost, and of no others."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from shared.domain.case import Case, CaseStatus
from shared.domain.clock import use_time_source
from shared.domain.paging import Page
from shared.services.workflow_sweep import WorkflowSweep
from shared.settings import Settings
from tests.unit.fakes import T0, InMemoryWorkflowEngine, make_case


class QueueIndex:
    """Cases by queue and status, oldest first, in pages: what the store's queue index answers."""

    def __init__(self, cases: list[Case]) -> None:
        self.cases = sorted(cases, key=lambda c: c.created_at)
        self.pages = 0

    def list_cases(self, queue: str, status: CaseStatus | None, limit: int, cursor: str | None) -> Page[Case]:
        self.pages += 1
        matching = [c for c in self.cases if c.queue == queue and (status is None or c.status == status)]
        start = int(cursor or 0)
        more = start + limit < len(matching)
        return Page(items=matching[start : start + limit], next_cursor=str(start + limit) if more else None)


@pytest.fixture(autouse=True)
def an_hour_after_t0() -> Iterator[None]:
    use_time_source(lambda: T0 + timedelta(hours=1))
    yield
    use_time_source(None)


def case(n: int, *, minutes_old: int, status: CaseStatus = CaseStatus.NEW, queue: str = "general") -> Case:
    created = T0 + timedelta(hours=1) - timedelta(minutes=minutes_old)
    return make_case(status, case_id=f"case_{n:03}", queue=queue, created_at=created, updated_at=created)


def test_only_cases_new_for_longer_than_the_limit_get_their_workflow() -> None:
    engine = InMemoryWorkflowEngine()
    index = QueueIndex(
        [
            case(1, minutes_old=30),
            case(2, minutes_old=20, queue="needs_attention"),
            case(3, minutes_old=5),  # the stream is probably just about to start it
            case(4, minutes_old=40, status=CaseStatus.OPEN),
        ]
    )

    result = WorkflowSweep(index, engine, Settings(sweep_after_seconds=900)).run()  # type: ignore[arg-type]

    assert (result.started, result.stuck) == (2, 0)
    assert engine.executions == {
        "case_001": {"case_id": "case_001", "reopened": False},
        "case_002": {"case_id": "case_002", "reopened": False},
    }


def test_a_start_that_happened_is_not_repeated_and_young_cases_end_the_scan() -> None:
    engine = InMemoryWorkflowEngine()
    engine.start("case_001", {"case_id": "case_001", "reopened": False})
    index = QueueIndex([case(n, minutes_old=200 - n) for n in range(1, 151)] + [case(999, minutes_old=1)])

    result = WorkflowSweep(index, engine, Settings(sweep_after_seconds=900)).run()  # type: ignore[arg-type]

    assert result.started == 149, "every stale case but the one already started"
    assert result.stuck == 1, "its execution ended without moving it on: a person must look"
    assert "case_999" not in engine.executions
    assert index.pages == 2 + 1, "two pages of the default queue, one of needs-attention"
