from aws_cdk.assertions import Match, Template

from tests.infra.cfn import Resources, logical_id_of, only


def test_table_has_the_string_base_key_of_the_data_model(template: Template) -> None:
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            "AttributeDefinitions": Match.array_with(
                [{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "SK", "AttributeType": "S"}]
            ),
        },
    )


def test_table_has_owner_and_queue_indexes_projecting_all(resources: Resources) -> None:
    _, table = only(resources, "AWS::DynamoDB::Table")
    indexes = {index["IndexName"]: index for index in table["Properties"]["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"gsi1", "gsi2"}
    for name, prefix in (("gsi1", "GSI1"), ("gsi2", "GSI2")):
        assert indexes[name]["KeySchema"] == [
            {"AttributeName": f"{prefix}PK", "KeyType": "HASH"},
            {"AttributeName": f"{prefix}SK", "KeyType": "RANGE"},
        ]
        assert indexes[name]["Projection"] == {"ProjectionType": "ALL"}
    string_attributes = {
        a["AttributeName"] for a in table["Properties"]["AttributeDefinitions"] if a["AttributeType"] == "S"
    }
    assert {"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"} <= string_attributes


def test_table_is_on_demand_recoverable_protected_encrypted_with_ttl_and_stream(resources: Resources) -> None:
    logical_id, table = only(resources, "AWS::DynamoDB::Table")
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["DeletionProtectionEnabled"] is True
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert properties["SSESpecification"] == {"SSEEnabled": True}  # the AWS-managed key
    assert table["DeletionPolicy"] == "Retain", logical_id


def test_attachments_bucket_is_private_versioned_encrypted_and_access_logged(resources: Resources) -> None:
    bucket = resources[logical_id_of(resources, "AWS::S3::Bucket", "DataAttachments")]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }
    access_logs = logical_id_of(resources, "AWS::S3::Bucket", "AccessLogs")
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": access_logs}


def test_every_bucket_refuses_requests_without_tls(resources: Resources) -> None:
    buckets = {logical_id for logical_id, r in resources.items() if r["Type"] == "AWS::S3::Bucket"}
    denying_plain_http = {
        r["Properties"]["Bucket"]["Ref"]
        for r in resources.values()
        if r["Type"] == "AWS::S3::BucketPolicy"
        and any(
            s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
            for s in r["Properties"]["PolicyDocument"]["Statement"]
        )
    }
    assert buckets == denying_plain_http
