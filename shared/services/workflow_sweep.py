"""The second net under the case stream: cases still `new` long after they arrived get their workflow."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel

from shared.domain.case import CaseStatus
from shared.domain.clock import utc_now
from shared.ports import CaseStore, WorkflowEngine
from shared.settings import Settings

_PAGE = 100


class SweepResult(BaseModel):
    started: int
    stuck: int


class WorkflowSweep:
    def __init__(self, cases: CaseStore, engine: WorkflowEngine, settings: Settings) -> None:
        self.cases = cases
        self.engine = engine
        self.settings = settings

    def run(self) -> SweepResult:
        """Start the executions of cases `new` for longer than `TUGI_SWEEP_AFTER_SECONDS`.

        `started` counts starts Step Functions accepted (a start of a running execution with the same
        input is accepted too, so this may include a slow one); `stuck` counts stale cases whose
        execution already ended without moving them on: a person must look (the workflow DLQ says why).

        New cases wait in the queue intake put them in (the default one, or needs-attention for mail
        without a usable sender), oldest first, so each queue's scan stops at the first young case.
        """
        cutoff = utc_now() - timedelta(seconds=self.settings.sweep_after_seconds)
        started = stuck = 0
        for queue in dict.fromkeys((self.settings.default_queue, self.settings.needs_attention_queue)):
            cursor: str | None = None
            while True:
                page = self.cases.list_cases(queue, CaseStatus.NEW, _PAGE, cursor)
                stale = [c for c in page.items if c.created_at <= cutoff]
                for case in stale:
                    if self.engine.start(case.case_id, {"case_id": case.case_id, "reopened": False}):
                        started += 1
                    else:
                        stuck += 1
                if len(stale) < len(page.items) or page.next_cursor is None:
                    break
                cursor = page.next_cursor
        return SweepResult(started=started, stuck=stuck)
