"""The contact workflow on moto: the real ASL file, the real handlers, and the stream that starts it.

The state machine is created from `infra/workflows/contact.asl.json` with the same substitution
names CDK supplies; its Lambda tasks reach our handlers in-process (moto_patches, patch 3). A
poller reads the table's stream as Lambda's event source mapping would (filtered to case items,
in batches, failed records retried and then sent to a dead-letter queue) and calls the stream
handler.
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
from infra.workflows import (
    CASE_SORT_KEY,
    CONTACT_WORKFLOW,
    STREAM_BATCH_SIZE,
    STREAM_HANDLER,
    SWEEP_HANDLER,
    TASKS_HANDLER,
    render,
)

_STREAM_RETRIES = 3
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


class StreamPoller:
    """Lambda's DynamoDB event source mapping, in a thread: filter SK = CASE, batches, retries, DLQ."""

    def __init__(
        self, table_name: str, region: str, endpoint_url: str | None, dead_letter_queue_url: str, interval: float = 0.05
    ) -> None:
        self._dynamodb = _client("dynamodb", region, endpoint_url)
        # moto routes stream reads by host: in-process, name the AWS host explicitly.
        streams_url = endpoint_url or f"https://streams.dynamodb.{region}.amazonaws.com"
        self._streams = _client("dynamodbstreams", region, streams_url)
        self._sqs = _client("sqs", region, endpoint_url)
        self._table_name = table_name
        self._dlq_url = dead_letter_queue_url
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._iterator: str | None = None

    def start(self) -> None:
        stream_arn = self._dynamodb.describe_table(TableName=self._table_name)["Table"]["LatestStreamArn"]
        shard = self._streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
        self._iterator = self._streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
        )["ShardIterator"]
        self._thread = threading.Thread(target=self._run, name="case-stream", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def poll_once(self) -> int:
        """Deliver what the stream holds now; the number of case records handed to the handler."""
        result = self._streams.get_records(ShardIterator=self._iterator, Limit=1000)
        self._iterator = result.get("NextShardIterator") or self._iterator
        records = [
            r for r in result["Records"] if r["dynamodb"].get("Keys", {}).get("SK", {}).get("S") == CASE_SORT_KEY
        ]
        for start in range(0, len(records), STREAM_BATCH_SIZE):
            self._deliver(records[start : start + STREAM_BATCH_SIZE])
        return len(records)

    def _deliver(self, batch: list[dict[str, Any]]) -> None:
        pending = batch
        for _ in range(_STREAM_RETRIES):
            event = {"Records": [_as_lambda_record(r) for r in pending]}
            try:
                response = invoke(STREAM_HANDLER, event, function_name="case-stream") or {}
            except Exception:  # noqa: BLE001 - a crashed batch is retried whole, as Lambda does
                _log.exception("the case stream handler failed; retrying the batch")
                continue
            failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
            pending = [r for r in pending if r["dynamodb"]["SequenceNumber"] in failed]
            if not pending:
                return
        for record in pending:  # Lambda's on-failure destination: the record's coordinates, not its data
            self._sqs.send_message(
                QueueUrl=self._dlq_url,
                MessageBody=json.dumps(
                    {"sequenceNumber": record["dynamodb"]["SequenceNumber"], "eventName": record["eventName"]}
                ),
            )

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                delivered = self.poll_once()
            except Exception:  # noqa: BLE001 - the poller outlives one bad read, as the mapping does
                _log.exception("reading the table's stream failed")
                delivered = 0
            if not delivered:
                self._stop.wait(self._interval)


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


def _sort_key(record: dict[str, Any]) -> str | None:
    sort_key: str | None = record["dynamodb"].get("Keys", {}).get("SK", {}).get("S")
    return sort_key


def _as_lambda_record(record: dict[str, Any]) -> dict[str, Any]:
    """A GetRecords record as Lambda delivers it (creation time in epoch seconds)."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if created is not None and hasattr(created, "timestamp"):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": dynamodb, "eventSourceARN": "local"}
