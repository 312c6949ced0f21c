"""Mail into the platform the way SES delivers it: the raw object in the raw-mail bucket under `inbound/`,
S3's notification on the intake queue, Lambda's poller (infra/local/queues.py) runs the real handler.

`Mailbox` needs only the AWS endpoints, so `tugi email ingest` uses it from another process to deliver
into a running `tugi dev` (whose runtime file names the moto endpoint), and waits for the outcome in
the intake log.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import EndpointConnectionError

from shared.adapters.dynamo.intake_log import DynamoIntakeLog
from shared.adapters.dynamo.table import DynamoTable
from shared.ports import IntakeOutcomeRecord

INBOUND_PREFIX = "inbound/"  # where the SES receipt rule writes (infra/constructs/email_intake.py)
QUEUE_NAME, DEAD_LETTER_QUEUE_NAME = "tugi-email-intake", "tugi-email-intake-dlq"
MAX_RECEIVES = 5  # then the DLQ, as the construct's redrive policy says
VISIBILITY_SECONDS = 2  # how soon a failed message comes back; short locally, 6x the timeout in AWS


def _client(service: str, region: str, endpoint_url: str | None) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=endpoint_url)  # type: ignore[call-overload]


@dataclass(frozen=True)
class IntakeQueue:
    url: str
    dead_letter_url: str


def create_intake_queue(bucket: str, region: str, endpoint_url: str | None) -> IntakeQueue:
    """The intake queue with its DLQ, and the bucket's notification of new `inbound/` objects to it."""
    sqs = _client("sqs", region, endpoint_url)
    dead_letter_url = sqs.create_queue(QueueName=DEAD_LETTER_QUEUE_NAME)["QueueUrl"]
    dead_letter_arn = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps({"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": str(MAX_RECEIVES)})
    url = sqs.create_queue(
        QueueName=QUEUE_NAME,
        Attributes={"RedrivePolicy": redrive, "VisibilityTimeout": str(VISIBILITY_SECONDS)},
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _client("s3", region, endpoint_url).put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "email-intake",
                    "QueueArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": INBOUND_PREFIX}]}},
                }
            ]
        },
    )
    return IntakeQueue(url=url, dead_letter_url=dead_letter_url)


class NotAnswering(Exception):
    """Nothing answers at the platform's endpoint (a runtime file left by a `tugi dev` that died)."""


class Mailbox:
    def __init__(self, *, s3: Any, dynamodb: Any, bucket: str, table_name: str) -> None:
        self._s3 = s3
        self._log = DynamoIntakeLog(DynamoTable(dynamodb, table_name))
        self._bucket = bucket

    def deliver(self, raw: bytes) -> str:
        """Store the raw message as SES does: under a key of its own for each delivery."""
        key = f"{INBOUND_PREFIX}local-{uuid.uuid4().hex}"
        try:
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=raw)
        except EndpointConnectionError as exc:
            raise NotAnswering from exc
        return key

    def outcome(self, key: str, *, timeout: float = 60) -> IntakeOutcomeRecord | None:
        """What the intake did with the object, once it did; None when nothing was logged in time."""
        deadline = time.monotonic() + timeout
        while True:
            logged = self._log.get(key)
            if logged is not None or time.monotonic() > deadline:
                return logged
            time.sleep(0.1)

    def receive(self, raw: bytes, *, timeout: float = 60) -> tuple[str, IntakeOutcomeRecord | None]:
        key = self.deliver(raw)
        return key, self.outcome(key, timeout=timeout)
