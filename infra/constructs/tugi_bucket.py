"""TugiBucket: the one way Tugi makes an S3 bucket, hardened the same every time."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

# Versioning keeps an overwritten or deleted object recoverable for this long, then lets it go.
NONCURRENT_VERSION_DAYS = 30


class TugiBucket(s3.Bucket):
    """A private bucket: public access blocked, TLS only, SSE-S3, versioned, access-logged, retained.

    SSE-S3 rather than KMS: SES writes inbound mail with its S3 action, which only encrypts with
    KMS client-side (readers would need the S3 encryption client), and the adapters already ask
    for `AES256`.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        access_logs_bucket: s3.IBucket,
        access_logs_prefix: str,
        lifecycle_rules: Sequence[s3.LifecycleRule] = (),
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            server_access_logs_bucket=access_logs_bucket,
            server_access_logs_prefix=access_logs_prefix,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="tidy-versions-and-uploads",
                    noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_DAYS),
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                ),
                *lifecycle_rules,
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
