"""Lambda entry: raw mail that SES stored in S3, announced through SQS, becomes cases.

A record that fails is reported back (partial batch response) and retried; after the queue's
maxReceiveCount it lands on the DLQ. Nothing is lost: the raw object stays in S3 either way.
"""

from __future__ import annotations

from typing import Any, Self
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import S3RecordModel, SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Json, model_validator

from shared.bootstrap import container
from shared.observability import error_fields, logger, metrics, tracer


class S3Notification(BaseModel):
    Records: list[S3RecordModel] = []
    Event: str | None = None  # "s3:TestEvent" when the notification is first set up

    @model_validator(mode="after")
    def _is_a_notification(self) -> Self:
        # Anything else on the queue is a mistake: fail it, so it ends on the DLQ for a person to see.
        if not self.Records and self.Event != "s3:TestEvent":
            raise ValueError("not an S3 event notification")
        return self


class IntakeRecord(SqsRecordModel):
    body: Json[S3Notification]


# Report failures per record even when all fail: SQS retries exactly those, then the DLQ takes them.
processor = BatchProcessor(event_type=EventType.SQS, model=IntakeRecord, raise_on_entire_batch_failure=False)


def ingest(record: IntakeRecord) -> None:
    for notification in record.body.Records:
        if notification.s3.object is None:
            continue
        key = unquote_plus(notification.s3.object.key)
        try:
            result = container().email_intake.ingest(key)
        except Exception as exc:
            # The type and the object, never str(exc): messages can carry a customer's name or address.
            logger.error("email intake failed", extra=error_fields(exc) | {"object_key": key})
            raise
        logger.info(
            "email processed",
            extra={"outcome": result.outcome.value, "case_id": result.case_id, "customer_id": result.customer_id},
        )
        metrics.add_metric(name=f"Email_{result.outcome.value}", unit="Count", value=1)


@logger.inject_lambda_context(correlation_id_path="Records[0].messageId", clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False, capture_error=False)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=ingest, processor=processor, context=context)
