"""The contact workflow on moto: the real ASL file, the real handlers, and the stream that starts it.

The state machine is created from `infra/workflows/contact.asl.json` with the same substitution
names CDK supplies; its Lambda tasks reach our handlers in-process (moto_patches, patch 3). The
stream that starts it is read by `infra/local/streams.py`.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import threading
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3

from infra.local.invocation import invoke
from infra.workflows import CONTACT_WORKFLOW, SWEEP_HANDLER, TASKS_HANDLER, render

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkflowResources:
    state_machine_arn: str
    tasks_function_arn: str
    topic_arn: str
    dead_letter_queue_url: str
    stream_dead_letter_queue_url: str

    def substitutions(self) -> dict[str, str]:
        """The values for the ASL file's placeholders; tests check CDK supplies the same names."""
        return {
            "WorkflowFunctionArn": self.tasks_function_arn,
            "EscalationTopicArn": self.topic_arn,
            "DeadLetterQueueUrl": self.dead_letter_queue_url,
        }


def _client(service: str, region: str, endpoint_url: str | None) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=endpoint_url)  # type: ignore[call-overload]


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README", "the code runs in-process; see infra/local/moto_patches.py")
    return buffer.getvalue()


def create_workflow(region: str, endpoint_url: str | None, name_prefix: str = "tugi") -> WorkflowResources:
    iam = _client("iam", region, endpoint_url)
    role_arn = iam.create_role(
        RoleName=f"{name_prefix}-workflow",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    lambda_ = _client("lambda", region, endpoint_url)
    function_arn = lambda_.create_function(
        FunctionName=f"{name_prefix}-workflow-tasks",
        Runtime="python3.13",
        Role=role_arn,
        Handler=TASKS_HANDLER,
        Code={"ZipFile": _zip()},
        Timeout=60,
    )["FunctionArn"]
    topic_arn = _client("sns", region, endpoint_url).create_topic(Name=f"{name_prefix}-escalations")["TopicArn"]
    sqs = _client("sqs", region, endpoint_url)
    dlq_url = sqs.create_queue(QueueName=f"{name_prefix}-workflow-dlq")["QueueUrl"]
    stream_dlq_url = sqs.create_queue(QueueName=f"{name_prefix}-case-stream-dlq")["QueueUrl"]
    resources = WorkflowResources("", function_arn, topic_arn, dlq_url, stream_dlq_url)
    state_machine_arn = _client("stepfunctions", region, endpoint_url).create_state_machine(
        name=f"{name_prefix}-contact",
        definition=render(CONTACT_WORKFLOW, resources.substitutions()),
        roleArn=role_arn,
        type="STANDARD",
    )["stateMachineArn"]
    return dataclasses.replace(resources, state_machine_arn=state_machine_arn)


class Schedule:
    """EventBridge's schedule rule, in a thread: the sweep every `every` seconds of real time."""

    def __init__(self, every: float = 60.0) -> None:
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="workflow-sweep", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                invoke(SWEEP_HANDLER, {"source": "aws.events", "detail-type": "Scheduled Event"}, function_name="sweep")
            except Exception:  # noqa: BLE001 - the next tick tries again, as the rule would
                _log.exception("the workflow sweep failed")
