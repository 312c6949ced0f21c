"""Lambda entry: the table's stream, filtered to case items, starts workflows and follows changes.

Partial batch responses: a record that fails is retried (bisected, then the stream's DLQ) without
holding back the others. Each step is idempotent (shared/services/case_stream.py).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.bootstrap import container
from shared.domain.case import Case
from shared.observability import error_fields, logger, metrics, tracer
from shared.services.case_stream import CaseChange

processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def _case(image: dict[str, Any] | None) -> Case | None:
    return Case.model_validate(image) if image and image.get("type") == "case" else None


def follow(record: DynamoDBRecord) -> None:
    change = record.dynamodb
    if change is None or record.event_name is None:
        return
    case_change = CaseChange.model_validate(
        {"kind": record.event_name.name, "old": _case(change.old_image), "new": _case(change.new_image)}
    )
    case = case_change.new or case_change.old
    if case is None:
        return
    try:
        container().case_stream.handle(case_change)
    except Exception as exc:
        logger.error("case change failed", extra=error_fields(exc) | {"case_id": case.case_id})
        raise
    metrics.add_metric(name=f"CaseChange_{case_change.kind}", unit="Count", value=1)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False, capture_error=False)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=follow, processor=processor, context=context)
