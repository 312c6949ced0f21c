"""The AWS resources of the platform, created on moto: the same table, buckets and user pool as in AWS."""

from __future__ import annotations

from typing import Any

import boto3

from shared.settings import Settings

# Mirrors infra/constructs/data.py; tests/infra checks that the two agree.
TABLE_KEYS: dict[str, Any] = {
    "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
    "AttributeDefinitions": [
        {"AttributeName": name, "AttributeType": "S"} for name in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": f"gsi{n}",
            "KeySchema": [
                {"AttributeName": f"GSI{n}PK", "KeyType": "HASH"},
                {"AttributeName": f"GSI{n}SK", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
        for n in (1, 2)
    ],
}

AGENT_GROUPS = ("agent", "supervisor")


def create_table(settings: Settings) -> None:
    client = boto3.client("dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
    client.create_table(
        TableName=settings.table_name,
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        **TABLE_KEYS,
    )
    client.update_time_to_live(
        TableName=settings.table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}
    )


def create_buckets(settings: Settings) -> None:
    client = boto3.client("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
    for bucket in (settings.raw_mail_bucket, settings.attachments_bucket):
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings.region})  # type: ignore[typeddict-item]


def verify_mail_domain(settings: Settings) -> None:
    client = boto3.client("ses", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
    client.verify_domain_identity(Domain=settings.support_address.rpartition("@")[2])


class UserPool:
    """A Cognito user pool with the agent groups, and users who can sign in with a password."""

    def __init__(self, settings: Settings) -> None:
        self.client = boto3.client("cognito-idp", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
        self.pool_id = self.client.create_user_pool(PoolName="tugi-agents")["UserPool"]["Id"]
        self.client_id = self.client.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="tugi-cli", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        for group in AGENT_GROUPS:
            self.client.create_group(GroupName=group, UserPoolId=self.pool_id)
        self.region = settings.region

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    def add_user(self, username: str, password: str, groups: tuple[str, ...]) -> None:
        self.client.admin_create_user(
            UserPoolId=self.pool_id,
            Username=username,
            TemporaryPassword=password,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": username}, {"Name": "email_verified", "Value": "true"}],
        )
        self.client.admin_set_user_password(
            UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True
        )
        for group in groups:
            self.client.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username, GroupName=group)

    def sub(self, username: str) -> str:
        """The user's stable id, which the agent API knows them by."""
        user = self.client.admin_get_user(UserPoolId=self.pool_id, Username=username)
        return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")

    def id_token(self, username: str, password: str) -> str:
        result = self.client.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        return str(result["AuthenticationResult"]["IdToken"])
