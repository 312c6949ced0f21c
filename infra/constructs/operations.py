"""What every construct with a queue, a stream consumer or an alarm shares: dead-letter queues that keep
what failed, stream subscriptions as infra/stream_consumers.py defines them, and alarms to the supervisors."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.tugi_function import TugiFunction
from infra.nag import acknowledge
from infra.stream_consumers import StreamConsumer

STREAM_RETRY_ATTEMPTS = 5
STREAM_MAX_RECORD_AGE = Duration.days(1)
DEAD_LETTER_RETENTION = Duration.days(14)
ALARM_PERIOD = Duration.minutes(5)


def alarm_at_first_occurrence(
    scope: Construct, construct_id: str, metric: cloudwatch.IMetric, description: str, topic: sns.ITopic
) -> cloudwatch.Alarm:
    """An alarm that tells `topic` when `metric` goes above 0 in one period (no data is fine)."""
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        metric=metric,
        alarm_description=description,
        threshold=0,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
    return alarm


def subscribe_to_stream(
    function: TugiFunction, table: dynamodb.ITable, consumer: StreamConsumer, dead_letters: sqs.IQueue
) -> None:
    """Feed `function` the table's stream as `consumer` (infra/stream_consumers.py) defines it.

    Its filter and batch size, from LATEST, partial batch responses, bisection on error, bounded
    retries and record age; what still fails goes to `dead_letters`. A DynamoDB stream serves at most
    two readers per shard without throttling: each consumer's mapping is one.
    """
    function.function.add_event_source(
        event_sources.DynamoEventSource(
            table,
            starting_position=lambda_.StartingPosition.LATEST,
            batch_size=consumer.batch_size,
            filters=[lambda_.FilterCriteria.filter(pattern) for pattern in consumer.filter_patterns()],
            report_batch_item_failures=True,
            bisect_batch_on_error=True,
            retry_attempts=STREAM_RETRY_ATTEMPTS,
            max_record_age=STREAM_MAX_RECORD_AGE,
            on_failure=event_sources.SqsDlq(dead_letters),
        )
    )
    acknowledge(
        function.role,
        "IAM5[Resource::*]",
        "dynamodb:ListStreams (the stream event source) and X-Ray's PutTraceSegments and PutTelemetryRecords "
        "have no resource-level permissions; the stream's records are read on its ARN only.",
    )


def create_dead_letter_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    """A queue that is itself a dead-letter queue: kept 14 days, read by people after an alarm."""
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=DEAD_LETTER_RETENTION,
    )
    acknowledge(
        queue,
        "SQS3",
        "This queue is a dead-letter queue (of the workflow or a stream mapping, which name it as their "
        "destination rather than in a redrive policy); nothing consumes it automatically.",
    )
    return queue
