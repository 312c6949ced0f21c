from aws_cdk.assertions import Match, Template

from tests.infra.cfn import Resources, logical_id_of, only


def _raw_mail_bucket(resources: Resources) -> str:
    return logical_id_of(resources, "AWS::S3::Bucket", "RawMail")


def _intake_queue(resources: Resources) -> str:
    return logical_id_of(resources, "AWS::SQS::Queue", "IntakeQueue")


def test_receipt_rule_stores_scanned_mail_for_the_support_address_under_inbound(
    template: Template, resources: Resources
) -> None:
    template.has_resource_properties(
        "AWS::SES::ReceiptRule",
        {
            "Rule": {
                "Enabled": True,
                "ScanEnabled": True,
                "Recipients": ["support@tugi.example"],
                "Actions": [
                    {"S3Action": {"BucketName": {"Ref": _raw_mail_bucket(resources)}, "ObjectKeyPrefix": "inbound/"}}
                ],
            }
        },
    )
    template.resource_count_is("AWS::SES::ReceiptRuleSet", 1)


def test_raw_mail_bucket_lets_only_ses_of_this_account_put_inbound_mail(
    template: Template, resources: Resources
) -> None:
    bucket = _raw_mail_bucket(resources)
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "ses.amazonaws.com"},
                            "Action": "s3:PutObject",
                            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, "/inbound/*"]]},
                            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                        }
                    ]
                )
            },
        },
    )


def test_raw_mail_expires_after_a_year_and_the_bucket_is_hardened(resources: Resources) -> None:
    bucket = resources[_raw_mail_bucket(resources)]["Properties"]
    rules = {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-raw-mail"]["ExpirationInDays"] == 365
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "LoggingConfiguration" in bucket
    assert all(bucket["PublicAccessBlockConfiguration"].values())


def test_new_inbound_objects_are_announced_on_the_intake_queue(template: Template, resources: Resources) -> None:
    template.has_resource_properties(
        "Custom::S3BucketNotifications",
        {
            "BucketName": {"Ref": _raw_mail_bucket(resources)},
            "NotificationConfiguration": {
                "QueueConfigurations": [
                    {
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "inbound/"}]}},
                        "QueueArn": {"Fn::GetAtt": [_intake_queue(resources), "Arn"]},
                    }
                ]
            },
        },
    )


def test_intake_queue_is_encrypted_outlasts_six_intake_timeouts_and_dead_letters_after_five(
    resources: Resources,
) -> None:
    queue = resources[_intake_queue(resources)]["Properties"]
    dead_letters = logical_id_of(resources, "AWS::SQS::Queue", "IntakeDeadLetters")
    assert queue["QueueName"] == "email-intake"
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["VisibilityTimeout"] == 6 * 60
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dead_letters, "Arn"]},
        "maxReceiveCount": 5,
    }
    dlq = resources[dead_letters]["Properties"]
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert dlq["SqsManagedSseEnabled"] is True


def test_intake_function_consumes_the_queue_reporting_failed_items(template: Template, resources: Resources) -> None:
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "EventSourceArn": {"Fn::GetAtt": [_intake_queue(resources), "Arn"]},
            "FunctionName": {"Ref": logical_id_of(resources, "AWS::Lambda::Function", "EmailIntakeFunction")},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )


def test_outputs_say_how_to_activate_the_receipt_rule_set(template: Template, resources: Resources) -> None:
    rule_set, _ = only(resources, "AWS::SES::ReceiptRuleSet")
    outputs = template.find_outputs("*", {"Description": Match.string_like_regexp("cannot activate")})
    (output,) = outputs.values()
    command = output["Value"]["Fn::Join"][1]
    assert command[0].startswith("aws ses set-active-receipt-rule-set --rule-set-name ")
    assert command[1] == {"Ref": rule_set}
