"""AccessLogsConstruct: the bucket every Tugi bucket writes its S3 server access logs to."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct


class AccessLogsConstruct(Construct):
    """One access-log bucket for the stack (S3 server access logs support only SSE-S3 targets)."""

    def __init__(self, scope: Construct, construct_id: str, *, retention_days: int = 365) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            lifecycle_rules=[s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(retention_days))],
            removal_policy=RemovalPolicy.RETAIN,
        )
