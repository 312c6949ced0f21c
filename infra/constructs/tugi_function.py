"""TugiFunction: the one Lambda definition every Tugi function uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import acknowledge, acknowledge_wildcard_resource

RUNTIME = lambda_.Runtime.PYTHON_3_13
POWERTOOLS_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME": "tugi",
    "POWERTOOLS_METRICS_NAMESPACE": "Tugi",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}


class TugiFunction(Construct):
    """python3.13 on arm64, X-Ray active, a log group kept a month, Powertools settings.

    The function gets its own role that may write only to its own log group, instead of the
    AWS-managed `AWSLambdaBasicExecutionRole`.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        code: lambda_.Code,
        handler: str,
        description: str,
        environment: Mapping[str, str],
        timeout: Duration,
        memory_size: int = 512,
        layers: Sequence[lambda_.ILayerVersion] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(self, "Logs", retention=logs.RetentionDays.ONE_MONTH)
        self.role = iam.Role(
            self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description
        )
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            code=code,
            handler=handler,
            description=description,
            memory_size=memory_size,
            timeout=timeout,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            role=self.role,
            environment={**POWERTOOLS_ENVIRONMENT, **environment},
            layers=list(layers),
        )
        acknowledge(
            self.function,
            "L1",
            f"Pinned to {RUNTIME.name}: build_lambda installs cp313 wheels; moving runtime is a deliberate change.",
        )
        acknowledge(
            self.role,
            "IAM5[Resource::*]",
            "X-Ray's PutTraceSegments and PutTelemetryRecords (active tracing) have no resource-level permissions.",
        )

    def allow_objects(self, bucket: s3.IBucket, *, actions: Sequence[str], key_pattern: str, reason: str) -> None:
        """Allow `actions` on the objects of `bucket` matching `key_pattern`; `reason` justifies the wildcard."""
        objects_arn = bucket.arn_for_objects(key_pattern)
        self.role.add_to_principal_policy(iam.PolicyStatement(actions=list(actions), resources=[objects_arn]))
        acknowledge_wildcard_resource(self.role, objects_arn, reason)

    def allow_sending_mail_as(self, mail_domain: str) -> None:
        """Allow `ses:SendRawEmail` from the SES identity of `mail_domain` only."""
        identity_arn = Stack.of(self).format_arn(service="ses", resource="identity", resource_name=mail_domain)
        self.role.add_to_principal_policy(iam.PolicyStatement(actions=["ses:SendRawEmail"], resources=[identity_arn]))
