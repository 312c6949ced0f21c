"""StepFunctionsWorkflow: starts the contact workflow and answers its waiting tasks."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from shared.errors import Unavailable
from shared.ports import TaskExpired

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions.client import SFNClient

_GONE = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"}


class StepFunctionsWorkflow:
    def __init__(self, client: SFNClient, state_machine_arn: str | None) -> None:
        self.client = client
        self.state_machine_arn = state_machine_arn

    def start(self, name: str, payload: dict[str, Any]) -> bool:
        if not self.state_machine_arn:
            raise Unavailable("no contact workflow is configured (TUGI_CONTACT_WORKFLOW_ARN)")
        try:
            self.client.start_execution(stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(payload))
        except ClientError as exc:
            if _code(exc) == "ExecutionAlreadyExists":
                return False
            raise Unavailable(f"Step Functions did not start the execution ({_code(exc)})") from exc
        return True

    def complete_task(self, task_token: str, output: dict[str, Any]) -> None:
        try:
            self.client.send_task_success(taskToken=task_token, output=json.dumps(output))
        except ClientError as exc:
            if _code(exc) in _GONE:
                raise TaskExpired from exc
            raise Unavailable(f"Step Functions did not take the answer ({_code(exc)}); try again") from exc


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "unknown"))
