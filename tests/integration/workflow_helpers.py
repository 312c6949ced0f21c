"""Drivers of the contact workflow on the embedded platform, for its tests and its benchmark."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from infra.local.platform import EmbeddedPlatform
from shared.bootstrap import container
from shared.domain.case import Case, CaseStatus

T = TypeVar("T")
SCALE = 3600.0  # the benchmark's platform clock: an hour a second (the tests' clock moves only when told)
# The keyword rules that answer in the workflow's path tests (shared/knowledge/answer_rules.json).
RULES_FILE = Path(__file__).resolve().parents[2] / "shared" / "knowledge" / "answer_rules.json"
ALWAYS_OPEN = json.dumps({"time_zone": "UTC", "week": {str(d): [{"start": "00:00", "end": "00:00"}] for d in range(7)}})

PASSWORD_QUESTION = {"subject": "Forgot my password", "message": "How do I reset my password? I cannot log in."}
BILLING_QUESTION = {"subject": "Invoice", "message": "Please explain the second line of my last invoice."}
# Urgent (a priority keyword) and answered by a rule: a person takes it at once, the answer goes out too.
URGENT_AND_ANSWERABLE = {"subject": "Fraud, help quickly", "message": "My card was stolen and someone is using it."}


def wait_for(probe: Callable[[], T | None], *, timeout: float = 30, what: str = "the condition") -> T:
    """Poll until `probe` returns something truthy (the workflow runs in threads)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def case(case_id: str) -> Case:
    found = container().case_store.get_case(case_id)
    assert found is not None
    return found


def execution(platform: EmbeddedPlatform, name: str) -> dict[str, Any]:
    """The execution called `name` (a case's first is named after the case), described."""
    assert platform.workflow is not None
    sfn = platform._client("stepfunctions")
    arn = platform.workflow.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"
    described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
    return described


def watch_asleep(platform: EmbeddedPlatform, case_id: str) -> bool:
    """Every running execution of the case sleeps in its Wait state (and one does): until the
    platform clock moves, nothing more happens to the case."""
    assert platform.workflow is not None
    sfn = platform._client("stepfunctions")
    listed = sfn.list_executions(stateMachineArn=platform.workflow.state_machine_arn, statusFilter="RUNNING")
    running = [e["executionArn"] for e in listed["executions"] if e["name"].split(".")[0] == case_id]
    # moto answers the whole history, oldest first, whatever the paging arguments
    histories = [sfn.get_execution_history(executionArn=arn)["events"] for arn in running]
    return bool(running) and all(events and events[-1]["type"] == "WaitStateEntered" for events in histories)


def in_status(case_id: str, *statuses: CaseStatus) -> Case | None:
    current = case(case_id)
    return current if current.status in statuses else None


def change_case(platform: EmbeddedPlatform, case_id: str, **changes: str) -> Case:
    """PATCH as an agent does: with the version just read, reading again if the workflow wrote meanwhile."""
    for _ in range(5):
        body = {"version": case(case_id).version} | changes
        response = platform.api("PATCH", f"/v1/cases/{case_id}", json_body=body, token=platform.token("agent"))
        if response.status != 409:
            assert response.status == 200, response.body
            return Case.model_validate(response.json())
    raise AssertionError("the case kept changing")


def make_agent_available(platform: EmbeddedPlatform, role: str, queues: list[str]) -> str:
    agent_id = platform.agent_id(role)
    response = platform.api(
        "PUT",
        f"/v1/agents/{agent_id}",
        json_body={"name": role.title(), "queues": queues, "available": True},
        token=platform.token("supervisor"),
    )
    assert response.status == 200, response.body
    return agent_id
