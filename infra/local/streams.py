"""Lambda's DynamoDB event source mappings, in a thread: one reader of the table's stream, and for each
consumer (infra/stream_consumers.py) its filter, batches, retries of failed records, then its DLQ."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

import boto3

from infra.local.invocation import invoke
from infra.stream_consumers import StreamConsumer

_STREAM_RETRIES = 3
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscription:
    consumer: StreamConsumer
    dead_letter_queue_url: str


def _client(service: str, region: str, endpoint_url: str | None) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=endpoint_url)  # type: ignore[call-overload]


class StreamPoller:
    def __init__(
        self,
        table_name: str,
        region: str,
        endpoint_url: str | None,
        subscriptions: list[Subscription],
        interval: float = 0.05,
    ) -> None:
        self._dynamodb = _client("dynamodb", region, endpoint_url)
        # moto routes stream reads by host: in-process, name the AWS host explicitly.
        streams_url = endpoint_url or f"https://streams.dynamodb.{region}.amazonaws.com"
        self._streams = _client("dynamodbstreams", region, streams_url)
        self._sqs = _client("sqs", region, endpoint_url)
        self._table_name = table_name
        self._subscriptions = subscriptions
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
        self._thread = threading.Thread(target=self._run, name="table-stream", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def poll_once(self) -> int:
        """Deliver what the stream holds now; the number of records handed to handlers."""
        result = self._streams.get_records(ShardIterator=self._iterator, Limit=1000)
        self._iterator = result.get("NextShardIterator") or self._iterator
        delivered = 0
        for subscription in self._subscriptions:
            consumer = subscription.consumer
            records = [r for r in result["Records"] if consumer.accepts(r["dynamodb"])]
            for start in range(0, len(records), consumer.batch_size):
                self._deliver(subscription, records[start : start + consumer.batch_size])
            delivered += len(records)
        return delivered

    def _deliver(self, subscription: Subscription, batch: list[dict[str, Any]]) -> None:
        consumer = subscription.consumer
        pending = batch
        for _ in range(_STREAM_RETRIES):
            event = {"Records": [_as_lambda_record(r) for r in pending]}
            try:
                response = invoke(consumer.handler, event, function_name=consumer.name) or {}
            except Exception:  # noqa: BLE001 - a crashed batch is retried whole, as Lambda does
                _log.exception("the %s handler failed; retrying the batch", consumer.name)
                continue
            failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
            pending = [r for r in pending if r["dynamodb"]["SequenceNumber"] in failed]
            if not pending:
                return
        for record in pending:  # Lambda's on-failure destination: the record's coordinates, not its data
            self._sqs.send_message(
                QueueUrl=subscription.dead_letter_queue_url,
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


def _as_lambda_record(record: dict[str, Any]) -> dict[str, Any]:
    """A GetRecords record as Lambda delivers it (creation time in epoch seconds)."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if created is not None and hasattr(created, "timestamp"):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": dynamodb, "eventSourceARN": "local"}
