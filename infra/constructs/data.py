"""DataConstruct: the single DynamoDB table (docs/data-model.md) and the attachments bucket."""

from __future__ import annotations

from aws_cdk import CfnOutput, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.tugi_bucket import TugiBucket

# (index name, partition key, sort key), as docs/data-model.md names them.
INDEXES = (("gsi1", "GSI1PK", "GSI1SK"), ("gsi2", "GSI2PK", "GSI2SK"))

# Every access pattern is one GetItem or Query plus the writes of a transaction: no Scan, no
# stream reads (the stream's consumers get their own grant).
DATA_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
)


class DataConstruct(Construct):
    """Where Tugi keeps its state.

    The table is encrypted with the AWS-managed key (`aws/dynamodb`): no key policy to keep in
    step with every reader (Lambda, the stream-driven workflow starter), no per-key cost, and
    CloudTrail still records its use. A customer-managed key would only pay off for cross-account
    access or crypto-shredding, neither of which Tugi does.
    """

    def __init__(self, scope: Construct, construct_id: str, *, access_logs_bucket: s3.IBucket) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name="PK", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="SK", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute="ttl",
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=True,
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for index_name, partition_key, sort_key in INDEXES:
            self.table.add_global_secondary_index(
                index_name=index_name,
                partition_key=dynamodb.Attribute(name=partition_key, type=dynamodb.AttributeType.STRING),
                sort_key=dynamodb.Attribute(name=sort_key, type=dynamodb.AttributeType.STRING),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        self.attachments_bucket = TugiBucket(
            self, "Attachments", access_logs_bucket=access_logs_bucket, access_logs_prefix="attachments/"
        )
        CfnOutput(self, "TableName", value=self.table.table_name, description="TUGI_TABLE_NAME")

    def grant_data_access(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read and write items in the table and query its indexes (named, not `index/*`)."""
        table_arn = self.table.table_arn
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(DATA_ACTIONS),
            resource_arns=[table_arn, *(f"{table_arn}/index/{name}" for name, _, _ in INDEXES)],
        )
