"""Lambda's SQS event source mapping, in a thread: receive a batch, hand it to the real handler, delete what
it did not report failed. A failed message comes back after the visibility timeout; the queue's redrive
policy moves it to its DLQ after maxReceiveCount receives, as in AWS."""

from __future__ import annotations

import logging
import threading
from typing import Any

import boto3

from infra.local.invocation import invoke, load_handler

_log = logging.getLogger(__name__)


class QueuePoller:
    def __init__(
        self, queue_url: str, handler: str, *, function_name: str, region: str, endpoint_url: str | None
    ) -> None:
        self._sqs: Any = boto3.client("sqs", region_name=region, endpoint_url=endpoint_url)
        self._queue_url = queue_url
        self._arn = self._sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self._handler = handler
        self._function_name = function_name
        self._region = region
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{function_name}-queue", daemon=True)

    def start(self) -> None:
        # Imported here, not first in the thread: two threads importing Powertools at once can each see
        # the other's half-initialised modules (ImportError at start-up).
        load_handler(self._handler)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def poll_once(self, wait_seconds: int = 0) -> int:
        """Deliver one batch; how many messages it held."""
        received = self._sqs.receive_message(
            QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds, AttributeNames=["All"]
        ).get("Messages", [])
        if not received:
            return 0
        event = {"Records": [self._record(m) for m in received]}
        try:
            response = invoke(self._handler, event, function_name=self._function_name) or {}
        except Exception:  # noqa: BLE001 - a crashed batch comes back whole after the visibility timeout
            _log.exception("the %s handler failed; the batch comes back", self._function_name)
            return len(received)
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        done = [m for m in received if m["MessageId"] not in failed]
        if done:
            entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)]
            self._sqs.delete_message_batch(QueueUrl=self._queue_url, Entries=entries)
        return len(received)

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {},
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self._arn,
            "awsRegion": self._region,
        }

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once(wait_seconds=1)
            except Exception:  # noqa: BLE001 - the mapping outlives one bad read
                _log.exception("reading the %s queue failed", self._function_name)
                self._stop.wait(1)
