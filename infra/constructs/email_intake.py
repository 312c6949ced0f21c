"""EmailIntakeConstruct: SES receives mail → raw-mail bucket (`inbound/`) → SQS → the intake Lambda."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, CfnOutput, Duration, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3_notifications
from aws_cdk import aws_ses as ses
from aws_cdk import aws_ses_actions as ses_actions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.tugi_bucket import TugiBucket
from infra.nag import acknowledge

INBOUND_PREFIX = "inbound/"
# AWS's guidance for SQS-triggered Lambdas: visibility timeout at least 6x the function timeout,
# so a batch retried by the poller is not redelivered while the first attempt still runs.
VISIBILITY_TIMEOUT_FACTOR = 6
MAX_RECEIVE_COUNT = 5
INTAKE_BATCH_SIZE = 10
# The singleton Lambda CDK adds to configure bucket notifications (a CloudFormation custom resource).
NOTIFICATIONS_HANDLER_ID = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"

ACTIVATION_NOTE = (
    "CloudFormation cannot activate an SES receipt rule set. After the first deploy run this command once "
    "(an account has one active rule set per region, so it replaces any other). Mail is received only "
    "for verified domains whose MX record points at inbound-smtp.<region>.amazonaws.com."
)


class EmailIntakeConstruct(Construct):
    """Everything between an inbound email and the intake Lambda.

    The raw mail is the source of truth for intake: the bucket keeps it (versioned) for
    `raw_mail_retention_days`, and a message that fails intake five times waits in the DLQ.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        access_logs_bucket: s3.IBucket,
        recipients: Sequence[str],
        raw_mail_retention_days: int,
        intake_timeout: Duration,
    ) -> None:
        super().__init__(scope, construct_id)
        self.raw_mail_bucket = TugiBucket(
            self,
            "RawMail",
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix="raw-mail/",
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-raw-mail", expiration=Duration.days(raw_mail_retention_days)),
            ],
        )
        self.dead_letter_queue = sqs.Queue(
            self,
            "IntakeDeadLetters",
            queue_name="email-intake-dlq",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        # SSE-SQS, not KMS: S3 event notifications cannot publish to a queue encrypted with the
        # AWS-managed SQS KMS key, and SSE-SQS needs no key policy for S3.
        self.queue = sqs.Queue(
            self,
            "IntakeQueue",
            queue_name="email-intake",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(intake_timeout.to_seconds() * VISIBILITY_TIMEOUT_FACTOR),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letter_queue, max_receive_count=MAX_RECEIVE_COUNT),
        )
        self.raw_mail_bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3_notifications.SqsDestination(self.queue),
            s3.NotificationKeyFilter(prefix=INBOUND_PREFIX),
        )
        self._acknowledge_notifications_handler()
        self.rule_set = self._receive_mail(recipients)
        CfnOutput(self, "RawMailBucketName", value=self.raw_mail_bucket.bucket_name, description="TUGI_RAW_MAIL_BUCKET")
        CfnOutput(
            self,
            "ActivateReceiptRuleSet",
            value=(
                f"aws ses set-active-receipt-rule-set --rule-set-name {self.rule_set.receipt_rule_set_name} "
                f"--region {Aws.REGION}"
            ),
            description=ACTIVATION_NOTE,
        )

    def _receive_mail(self, recipients: Sequence[str]) -> ses.ReceiptRuleSet:
        """SES stores each message for the recipients under `inbound/`, with spam and virus verdicts.

        The S3 action also adds the bucket policy statement that lets `ses.amazonaws.com` put
        objects under `inbound/*`, conditioned on `aws:SourceAccount`.
        """
        rule_set = ses.ReceiptRuleSet(self, "ReceiptRuleSet")
        rule_set.add_rule(
            "StoreInbound",
            recipients=list(recipients),
            scan_enabled=True,
            actions=[ses_actions.S3(bucket=self.raw_mail_bucket, object_key_prefix=INBOUND_PREFIX)],
        )
        return rule_set

    def deliver_to(self, intake: lambda_.IFunction) -> None:
        """Have `intake` consume the queue, reporting failed messages one by one."""
        intake.add_event_source(
            event_sources.SqsEventSource(self.queue, batch_size=INTAKE_BATCH_SIZE, report_batch_item_failures=True)
        )

    def _acknowledge_notifications_handler(self) -> None:
        handler = Stack.of(self).node.try_find_child(NOTIFICATIONS_HANDLER_ID)
        if handler is None:
            raise LookupError(f"CDK no longer adds {NOTIFICATIONS_HANDLER_ID}; update NOTIFICATIONS_HANDLER_ID")
        acknowledge(
            handler,
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "CDK's bucket-notifications custom resource; it only writes its own logs, and CDK owns its role.",
        )
