"""Lambda entry: the table's stream, filtered to articles and learned words, feeds the search index.

Partial batch responses: a record that fails is retried (bisected, then the indexer's DLQ) without
holding back the others. The batch's writes reach the index together at its end. Every step is
idempotent (shared/services/kb_indexer.py).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.bootstrap import container
from shared.observability import error_fields, logger, metrics, tracer
from shared.services.kb_indexer import ChangeKind, IndexChange

processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def _changes(record: DynamoDBRecord) -> list[IndexChange]:
    stream = record.dynamodb
    if stream is None or record.event_name is None:
        return []
    image: dict[str, Any] = stream.new_image or stream.old_image or {}
    kind = image.get("type")
    if kind == "article":
        return [IndexChange(kind=ChangeKind.TRANSLATION, article_id=image["article_id"], locale=image["locale"])]
    if kind == "phrasing":
        removed = record.event_name.name == "REMOVE"
        change = ChangeKind.PHRASING_REMOVED if removed else ChangeKind.PHRASING_ADDED
        return [IndexChange(kind=change, article_id=image["article_id"], locale=image["locale"])]
    if kind == "learned_word" and "vetted_at" in image and "vetted_at" not in (stream.old_image or {}):
        # k customers have used it now: searchable in every article it is in (sorted: a replay does the same).
        articles = sorted(image.get("articles", ()))
        return [IndexChange(kind=ChangeKind.WORD_VETTED, article_id=a, locale=image["locale"]) for a in articles]
    return []  # a version, feedback, or a word counted but not vetted yet


def index(record: DynamoDBRecord) -> None:
    for change in _changes(record):
        try:
            container().kb_indexer.apply(change)
        except Exception as exc:
            logger.error("indexing failed", extra=error_fields(exc) | {"article_id": change.article_id})
            raise
        metrics.add_metric(name=f"Indexed_{change.kind.value}", unit="Count", value=1)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False, capture_error=False)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    # One commit (embedded) or bulk request and refresh (OpenSearch) for the batch, not one per record. Should
    # that final write fail, the handler fails and the batch is retried whole: every step is idempotent.
    with container().kb_indexer.batch():
        return process_partial_response(event=event, record_handler=index, processor=processor, context=context)
