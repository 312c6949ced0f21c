"""WorkflowConstruct: the contact workflow (Step Functions) and what runs, feeds and watches it.

The state machine is `infra/workflows/contact.asl.json`, the one definition the local runtime
executes too; CDK only fills in its `${...}` substitutions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from aws_cdk import ArnFormat, Aws, CfnOutput, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.data import DataConstruct
from infra.constructs.operations import (
    ALARM_PERIOD,
    alarm_at_first_occurrence,
    create_dead_letter_queue,
    subscribe_to_stream,
)
from infra.constructs.tugi_function import POWERTOOLS_ENVIRONMENT, RUNTIME, TugiFunction
from infra.nag import acknowledge
from infra.stream_consumers import CASE_STREAM
from infra.workflows import (
    CONTACT_WORKFLOW,
    STREAM_HANDLER,
    SWEEP_HANDLER,
    TASKS_HANDLER,
    substitution_names,
)

WORKFLOW_FILE = CONTACT_WORKFLOW

TASKS_TIMEOUT = Duration.seconds(60)
STREAM_TIMEOUT = Duration.seconds(60)
SWEEP_TIMEOUT = Duration.seconds(120)
SWEEP_EVERY = Duration.minutes(5)


class WorkflowConstruct(Construct):
    """One execution per case: triage, acknowledgement, auto-answer, routing, the SLA watch.

    - `tasks_function` runs every Lambda task of the state machine.
    - `stream_function` reads case changes from the table's stream: it starts a case's execution,
      answers waiting task tokens and sends customers status updates. Records it cannot handle
      land in `stream_dead_letter_queue` after retries.
    - `topic` takes the workflow's escalations and every alarm; supervisors subscribe by email.
    - `dead_letter_queue` receives the event of a case the workflow gave up on.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        code: lambda_.Code,
        environment: Mapping[str, str],
        data: DataConstruct,
        mail_domain: str,
        supervisor_emails: Sequence[str],
        nlp_layer_dir: Path,
    ) -> None:
        super().__init__(scope, construct_id)
        self.nlp_layer = lambda_.LayerVersion(
            self,
            "NlpLayer",
            code=lambda_.Code.from_asset(str(_checked_layer_dir(nlp_layer_dir))),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="Tugi triage: language detection models and the sentiment lexicon",
        )
        self.topic_key = self._escalation_key()
        self.topic = self._escalation_topic(supervisor_emails)
        self.dead_letter_queue = create_dead_letter_queue(self, "DeadLetters")
        self.stream_dead_letter_queue = create_dead_letter_queue(self, "StreamDeadLetters")
        self.tasks_function = TugiFunction(
            self,
            "Tasks",
            code=code,
            handler=TASKS_HANDLER,
            description="Tugi contact workflow tasks: triage, acknowledgement, auto-answer, routing, SLA watch",
            # No TUGI_CONTACT_WORKFLOW_ARN: the state machine names this function, so naming the state
            # machine here would be a circular dependency. The auto-answer task gets its token in the input.
            environment=environment,
            timeout=TASKS_TIMEOUT,
            memory_size=1024,  # the language detection model
            layers=[self.nlp_layer],
        )
        data.grant_data_access(self.tasks_function.role)
        self.tasks_function.allow_sending_mail_as(mail_domain)
        self.state_machine = self._state_machine()
        self.stream_function = TugiFunction(
            self,
            "CaseStream",
            code=code,
            handler=STREAM_HANDLER,
            description="Tugi case stream: starts and resumes the contact workflow, tells customers of status changes",
            environment={**environment, "TUGI_CONTACT_WORKFLOW_ARN": self.state_machine.state_machine_arn},
            timeout=STREAM_TIMEOUT,
        )
        self._feed_case_stream(data, mail_domain)
        self.sweep_function = self._sweep(code, environment, data)
        self._alarms()
        CfnOutput(
            self,
            "StateMachineArn",
            value=self.state_machine.state_machine_arn,
            description="TUGI_CONTACT_WORKFLOW_ARN",
        )
        CfnOutput(self, "EscalationTopicArn", value=self.topic.topic_arn, description="Escalations and alarms")

    def allow_task_responses(self, grantee: iam.IGrantable) -> None:
        """Let `grantee` resume a waiting task (SendTaskSuccess / SendTaskFailure / heartbeat)."""
        self.state_machine.grant_task_response(grantee)

    def _escalation_key(self) -> kms.Key:
        """The escalation topic's key, which CloudWatch alarms may use.

        Alarms cannot publish to a topic under the AWS-managed `aws/sns` key (its policy cannot
        grant `cloudwatch.amazonaws.com`), hence a customer-managed key.
        """
        key = kms.Key(self, "EscalationsKey", description="Tugi escalation topic", enable_key_rotation=True)
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarms",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy, "*" is this key
            )
        )
        return key

    def _escalation_topic(self, supervisor_emails: Sequence[str]) -> sns.Topic:
        topic = sns.Topic(
            self, "Escalations", display_name="Tugi escalations", master_key=self.topic_key, enforce_ssl=True
        )
        # A topic policy (enforce_ssl makes one) replaces SNS's default one, so alarms need their own allow.
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsOfThisAccount",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {
                        "aws:SourceArn": Stack.of(self).format_arn(
                            service="cloudwatch",
                            resource="alarm",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    },
                },
            )
        )
        for address in supervisor_emails:
            topic.add_subscription(subscriptions.EmailSubscription(address))
        return topic

    def _state_machine(self) -> sfn.StateMachine:
        substitutions = {
            "WorkflowFunctionArn": self.tasks_function.function.function_arn,
            "EscalationTopicArn": self.topic.topic_arn,
            "DeadLetterQueueUrl": self.dead_letter_queue.queue_url,
        }
        needed = substitution_names(WORKFLOW_FILE)
        if needed != substitutions.keys():
            raise ValueError(f"{WORKFLOW_FILE.name} uses {sorted(needed)}, CDK supplies {sorted(substitutions)}")
        state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_file(str(WORKFLOW_FILE)),
            definition_substitutions=substitutions,
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=logs.LogGroup(self, "StateMachineLogs", retention=logs.RetentionDays.ONE_MONTH),
                level=sfn.LogLevel.ERROR,
                include_execution_data=False,  # inputs carry case ids only, but keep personal data out
            ),
        )
        # The unqualified ARN the definition invokes, and nothing else (grant_invoke would add `:*`).
        state_machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"], resources=[self.tasks_function.function.function_arn]
            )
        )
        # What `topic.grant_publish` gives, minus its `kms:GenerateDataKey*` wildcard: SNS asks KMS
        # for a data key to encrypt the message, nothing else.
        state_machine.add_to_role_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=[self.topic.topic_arn]))
        self.topic_key.grant(state_machine, "kms:GenerateDataKey", "kms:Decrypt")
        self.dead_letter_queue.grant_send_messages(state_machine)
        acknowledge(
            state_machine,
            "SF1",
            "Logs ERROR events only: a Standard workflow already keeps every event of an execution in its "
            "history for 90 days, and ALL would copy each SLA-watch loop into CloudWatch Logs for nothing.",
        )
        acknowledge(
            state_machine.role,
            "IAM5[Resource::*]",
            "X-Ray (PutTraceSegments, GetSamplingRules...) and CloudWatch Logs delivery (CreateLogDelivery, "
            "DescribeLogGroups...) actions the state machine needs have no resource-level permissions.",
        )
        return state_machine

    def _feed_case_stream(self, data: DataConstruct, mail_domain: str) -> None:
        function = self.stream_function
        subscribe_to_stream(function, data.table, CASE_STREAM, self.stream_dead_letter_queue)
        self.state_machine.grant_start_execution(function.role)
        self.allow_task_responses(function.role)
        # Writes too: agents' loads, settled auto-answers, and the notices it stores before sending.
        data.grant_data_access(function.role)
        function.allow_sending_mail_as(mail_domain)

    def _sweep(self, code: lambda_.Code, environment: Mapping[str, str], data: DataConstruct) -> TugiFunction:
        """The second net under the stream: cases still new after a while get their execution."""
        function = TugiFunction(
            self,
            "Sweep",
            code=code,
            handler=SWEEP_HANDLER,
            description="Tugi workflow sweep: starts the workflow of cases whose start was lost",
            environment={**environment, "TUGI_CONTACT_WORKFLOW_ARN": self.state_machine.state_machine_arn},
            timeout=SWEEP_TIMEOUT,
        )
        self.state_machine.grant_start_execution(function.role)
        data.grant_data_access(function.role)
        events.Rule(
            self,
            "SweepSchedule",
            description="Start the contact workflow of cases whose start the case stream lost",
            schedule=events.Schedule.rate(SWEEP_EVERY),
            targets=[events_targets.LambdaFunction(function.function, retry_attempts=2)],
        )
        return function

    def _alarms(self) -> None:
        metrics = {
            "DeadLettersAlarm": (
                self.dead_letter_queue.metric_approximate_number_of_messages_visible(
                    period=ALARM_PERIOD, statistic=cloudwatch.Stats.MAXIMUM
                ),
                "A case the contact workflow gave up on is waiting in the workflow DLQ.",
            ),
            "StreamDeadLettersAlarm": (
                self.stream_dead_letter_queue.metric_approximate_number_of_messages_visible(
                    period=ALARM_PERIOD, statistic=cloudwatch.Stats.MAXIMUM
                ),
                "Case changes the case stream function could not handle are waiting in the stream DLQ.",
            ),
            "ExecutionsFailedAlarm": (
                self.state_machine.metric_failed(period=ALARM_PERIOD),
                "Contact workflow executions failed.",
            ),
            "ExecutionsTimedOutAlarm": (
                self.state_machine.metric_timed_out(period=ALARM_PERIOD),
                "Contact workflow executions timed out.",
            ),
            "TasksErrorsAlarm": (
                self.tasks_function.function.metric_errors(period=ALARM_PERIOD),
                "The contact workflow tasks function raised errors (the workflow retries them).",
            ),
            "CasesStuckNewAlarm": (
                cloudwatch.Metric(
                    namespace=POWERTOOLS_ENVIRONMENT["POWERTOOLS_METRICS_NAMESPACE"],
                    metric_name="CasesStuckNew",  # functions/workflow/sweep.py
                    dimensions_map={"service": POWERTOOLS_ENVIRONMENT["POWERTOOLS_SERVICE_NAME"]},
                    period=ALARM_PERIOD,
                    statistic=cloudwatch.Stats.MAXIMUM,
                ),
                "Cases are still new although their workflow ended: a person must look (see the workflow DLQ).",
            ),
        }
        for construct_id, (metric, description) in metrics.items():
            alarm_at_first_occurrence(self, construct_id, metric, description, self.topic)


def _checked_layer_dir(layer_dir: Path) -> Path:
    """The layer folder, or a clear error instead of CDK's when it was never built."""
    if not (layer_dir / "python").is_dir():
        raise FileNotFoundError(f"no layer in {layer_dir}: run `make lambda-build` (or pass -c nlp_layer_dir=)")
    return layer_dir
