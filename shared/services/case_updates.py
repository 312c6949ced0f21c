"""Read a case, change it, write it with the version read: the one loop for changes no person confirms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from shared.domain.case import Case
from shared.domain.clock import utc_now
from shared.domain.events import CaseEvent
from shared.domain.ids import CaseId
from shared.errors import Unavailable
from shared.ports import CaseStore, StaleVersion
from shared.services.cases import CaseNotFound

_ATTEMPTS = 5

Change = Callable[[Case, datetime], list[CaseEvent | None]]


def read_case(store: CaseStore, case_id: CaseId) -> Case:
    case = store.get_case(case_id, consistent=True)
    if case is None:
        raise CaseNotFound(f"no case {case_id}")
    return case


def update_case(
    store: CaseStore, case_id: CaseId, change: Change, *, only_if: Callable[[Case], bool] = lambda _: True
) -> Case:
    """Read, change, write with the version read; a concurrent change is re-read and re-decided.

    Nothing is written when `only_if` says no, or when the change neither records an event nor changes
    the case (no version bump to trip an agent's save).
    """
    for _ in range(_ATTEMPTS):
        case = read_case(store, case_id)
        if not only_if(case):
            return case
        version, now, before = case.version, utc_now(), case.model_dump()
        events = [e for e in change(case, now) if e is not None]
        if not events and case.model_dump() == before:
            return case
        case.updated_at = now
        try:
            store.update_case(case, version, events)
        except StaleVersion:
            continue
        return case
    raise Unavailable("the case kept changing; the task will be retried")
