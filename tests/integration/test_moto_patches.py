"""Each patch of infra/local/moto_patches.py does what it says."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import timedelta
from typing import Any
from urllib.parse import unquote_plus

import pytest
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

from infra.local.platform import EmbeddedPlatform
from shared.domain.clock import ManualClock, iso, utc_now
from tests.integration import patch_handlers


def test_failed_transactions_in_other_threads_lose_no_writes(platform: EmbeddedPlatform) -> None:
    table = platform.settings.table_name
    client = platform.dynamodb
    client.put_item(TableName=table, Item={"PK": {"S": "TAKEN"}, "SK": {"S": "X"}})

    def failing_claim(_: int) -> None:
        with suppress(ClientError):
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": table,
                            "Item": {"PK": {"S": "TAKEN"}, "SK": {"S": "X"}},
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    }
                ]
            )

    def write(n: int) -> None:
        client.put_item(TableName=table, Item={"PK": {"S": f"ITEM#{n}"}, "SK": {"S": "X"}})

    with ThreadPoolExecutor(8) as pool:
        for n in range(200):
            pool.submit(failing_claim if n % 2 else write, n)

    written = client.scan(
        TableName=table, FilterExpression="begins_with(PK, :p)", ExpressionAttributeValues={":p": {"S": "ITEM#"}}
    )["Count"]
    assert written == 100


def test_a_failed_transaction_undoes_exactly_what_it_wrote(platform: EmbeddedPlatform) -> None:
    table = platform.settings.table_name
    client = platform.dynamodb
    client.put_item(TableName=table, Item={"PK": {"S": "B"}, "SK": {"S": "X"}, "n": {"N": "1"}})
    client.put_item(TableName=table, Item={"PK": {"S": "OTHER"}, "SK": {"S": "X"}})

    def stream_length() -> int:
        # moto's own stream shard: its stream API needs an endpoint this in-process platform lacks.
        shard = dynamodb_backends[DEFAULT_ACCOUNT_ID][platform.settings.region].get_table(table).stream_shard
        assert shard is not None
        return len(shard.items)

    before = stream_length()

    with pytest.raises(ClientError, match="TransactionCanceled"):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"PK": {"S": "A"}, "SK": {"S": "X"}}}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"PK": {"S": "B"}, "SK": {"S": "X"}},
                        "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": {"PK": {"S": "C"}, "SK": {"S": "X"}},
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
            ]
        )

    assert "Item" not in client.get_item(TableName=table, Key={"PK": {"S": "A"}, "SK": {"S": "X"}})
    assert client.get_item(TableName=table, Key={"PK": {"S": "B"}, "SK": {"S": "X"}})["Item"]["n"] == {"N": "1"}
    assert "Item" in client.get_item(TableName=table, Key={"PK": {"S": "OTHER"}, "SK": {"S": "X"}})
    assert stream_length() == before


def test_a_successful_transaction_writes_everything(platform: EmbeddedPlatform) -> None:
    table = platform.settings.table_name
    client = platform.dynamodb

    client.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": table,
                    "Item": {"PK": {"S": f"T{n}"}, "SK": {"S": "X"}},
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
            for n in range(5)
        ]
    )

    assert client.scan(TableName=table)["Count"] == 5


def test_a_transaction_never_copies_the_whole_table(
    platform: EmbeddedPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_table: object, _memo: object) -> object:
        raise AssertionError("the whole table was copied")

    monkeypatch.setattr(Table, "__deepcopy__", refuse, raising=False)
    table = platform.settings.table_name

    with pytest.raises(ClientError, match="TransactionCanceled"):
        platform.dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"PK": {"S": "A"}, "SK": {"S": "X"}}}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": {"PK": {"S": "C"}, "SK": {"S": "X"}},
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
            ]
        )


# --- 3. Lambda functions run in this process ---------------------------------------------------


def _function(platform: EmbeddedPlatform, name: str, handler: str) -> str:
    iam = platform._client("iam")
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    created = platform._client("lambda").create_function(
        FunctionName=name, Runtime="python3.13", Role=role, Handler=handler, Code={"ZipFile": b"PK\x05\x06" + bytes(18)}
    )
    return str(created["FunctionArn"])


def test_lambda_invocations_run_the_named_handler_in_process(platform: EmbeddedPlatform) -> None:
    _function(platform, "echo", "tests.integration.patch_handlers.echo")
    result = platform._client("lambda").invoke(FunctionName="echo", Payload=json.dumps({"case_id": "c1"}))
    assert "FunctionError" not in result
    assert json.load(result["Payload"]) == {"echo": {"case_id": "c1"}, "function": "echo"}


def test_a_handlers_exception_becomes_lambdas_error_with_its_class_name(platform: EmbeddedPlatform) -> None:
    _function(platform, "fails", "tests.integration.patch_handlers.fails")
    result = platform._client("lambda").invoke(FunctionName="fails", Payload=b"{}")
    assert result["FunctionError"] == "Handled"
    error = json.load(result["Payload"])
    assert error["errorType"] == "CardNotFound"
    assert error["errorMessage"] == "no such card"


# --- 4. waits on the platform clock --------------------------------------------------------------


def _run(platform: EmbeddedPlatform, definition: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    sfn = platform._client("stepfunctions")
    role = platform._client("iam").create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    machine = sfn.create_state_machine(name="m", definition=json.dumps(definition), roleArn=role)["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, name="run", input=json.dumps(payload))["executionArn"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError("the execution did not finish")


@pytest.fixture
def fast_platform() -> Iterator[EmbeddedPlatform]:
    with EmbeddedPlatform(time_scale=3600) as running:
        yield running


def test_waits_and_retry_intervals_follow_the_time_scale(fast_platform: EmbeddedPlatform) -> None:
    fn = _function(fast_platform, "fails", "tests.integration.patch_handlers.fails")
    later = utc_now() + timedelta(hours=1)
    definition = {
        "StartAt": "HourLong",
        "States": {
            "HourLong": {"Type": "Wait", "Seconds": 3600, "Next": "Until"},
            "Until": {"Type": "Wait", "TimestampPath": "$.at", "Next": "Flaky"},
            "Flaky": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fn, "Payload": {}},
                "Retry": [{"ErrorEquals": ["CardNotFound"], "IntervalSeconds": 1800, "MaxAttempts": 2}],
                "End": True,
            },
        },
    }
    patch_handlers.calls.clear()
    started = time.monotonic()
    result = _run(fast_platform, definition, {"at": iso(later)})
    elapsed = time.monotonic() - started
    assert result["status"] == "FAILED"
    assert result["error"] == "CardNotFound"
    assert len(patch_handlers.calls) == 3, "the first try and two retries"
    assert 1.5 < elapsed < 10, "3 hours of waits (1 + until +1 + 2 x 30 min) take about 3 s at 3600x"
    assert utc_now() >= later + timedelta(hours=1), "the platform clock ran as fast as the waits"


def _state_entered(platform: EmbeddedPlatform, arn: str, name: str) -> bool:
    events = platform._client("stepfunctions").get_execution_history(executionArn=arn)["events"]
    return any(e.get("stateEnteredEventDetails", {}).get("name") == name for e in events)


def _until(probe: Any, what: str) -> None:
    deadline = time.monotonic() + 20
    while not probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_on_a_manual_clock_waits_and_task_timeouts_end_only_when_the_clock_is_advanced() -> None:
    clock = ManualClock()
    with EmbeddedPlatform(clock=clock) as platform:
        fn = _function(platform, "fails", "tests.integration.patch_handlers.fails")
        echo = _function(platform, "echo", "tests.integration.patch_handlers.echo")
        definition = {
            "StartAt": "Flaky",
            "States": {
                "Flaky": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": fn, "Payload": {}},
                    "Retry": [{"ErrorEquals": ["CardNotFound"], "IntervalSeconds": 1800, "MaxAttempts": 2}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "HourLong"}],
                    "Next": "HourLong",
                },
                "HourLong": {"Type": "Wait", "Seconds": 3600, "Next": "Until"},
                "Until": {"Type": "Wait", "TimestampPath": "$.at", "Next": "Verdict"},
                "Verdict": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {"FunctionName": echo, "Payload": {"token.$": "$$.Task.Token"}},
                    "TimeoutSeconds": 1800,
                    "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": "TimedOut"}],
                    "End": True,
                },
                "TimedOut": {"Type": "Succeed"},
            },
        }
        sfn = platform._client("stepfunctions")
        role = platform._client("iam").create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        machine = sfn.create_state_machine(name="m", definition=json.dumps(definition), roleArn=role)
        patch_handlers.calls.clear()
        start = clock()
        at = iso(start + timedelta(hours=2))
        arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="run", input=json.dumps({"at": at}))[
            "executionArn"
        ]

        _until(lambda: _state_entered(platform, arn, "HourLong"), "the hour-long wait")
        assert len(patch_handlers.calls) == 3, "retries do not wait for a clock nobody advances"
        time.sleep(0.3)  # real time passes; platform time does not
        assert not _state_entered(platform, arn, "Until")
        clock.advance(timedelta(hours=1))
        _until(lambda: _state_entered(platform, arn, "Until"), "the wait to end when the clock reached its time")
        clock.advance(timedelta(minutes=59))
        time.sleep(0.3)
        assert not _state_entered(platform, arn, "Verdict"), "a minute before its timestamp"
        clock.advance(timedelta(minutes=1))
        _until(lambda: _state_entered(platform, arn, "Verdict"), "the timestamp wait to end")
        _until(lambda: len(patch_handlers.calls) == 4, "the task that waits for its token")
        time.sleep(0.3)
        assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING", "its timeout is platform time"
        clock.advance(timedelta(minutes=30))
        _until(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING", "the task's timeout")
        assert _state_entered(platform, arn, "TimedOut")
        assert clock() - start < timedelta(hours=2, minutes=30, seconds=1), "only the test moved the clock"


def test_a_timestamp_in_the_past_does_not_wait(platform: EmbeddedPlatform) -> None:
    definition = {"StartAt": "Until", "States": {"Until": {"Type": "Wait", "TimestampPath": "$.at", "End": True}}}
    started = time.monotonic()
    assert _run(platform, definition, {"at": iso(utc_now() - timedelta(days=1))})["status"] == "SUCCEEDED"
    assert time.monotonic() - started < 5


# --- 5. A Query on the table's key reads its partition only ------------------------------------


def test_a_query_on_the_key_reads_its_partition_only_and_pages_as_before(
    platform: EmbeddedPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, table = platform.dynamodb, platform.settings.table_name
    for pk in ("A", "B", "C"):
        for sk in ("3", "1", "2"):
            client.put_item(TableName=table, Item={"PK": {"S": pk}, "SK": {"S": sk}})

    def refuse(_table: object) -> object:
        raise AssertionError("the whole table was read")

    monkeypatch.setattr(Table, "all_items", refuse)
    query = {"TableName": table, "KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": {"S": "B"}}}
    first = client.query(**query, Limit=2)
    rest = client.query(**query, ExclusiveStartKey=first["LastEvaluatedKey"])
    backwards = client.query(**query, ScanIndexForward=False)

    assert [i["SK"]["S"] for i in first["Items"] + rest["Items"]] == ["1", "2", "3"]
    assert {i["PK"]["S"] for i in first["Items"] + rest["Items"]} == {"B"}
    assert [i["SK"]["S"] for i in backwards["Items"]] == ["3", "2", "1"]
    assert client.query(**query | {"ExpressionAttributeValues": {":pk": {"S": "none"}}})["Items"] == []


def test_s3_notifications_carry_every_field_s3_sends(platform: EmbeddedPlatform) -> None:
    from aws_lambda_powertools.utilities.parser.models import S3Model

    from infra.local.mailbox import create_intake_queue

    queue = create_intake_queue(platform.settings.raw_mail_bucket, platform.settings.region, None)
    platform.s3.put_object(Bucket=platform.settings.raw_mail_bucket, Key="inbound/patched", Body=b"x")

    received = platform._client("sqs").receive_message(QueueUrl=queue.url, MaxNumberOfMessages=10)["Messages"]
    [body] = [m["Body"] for m in received if "Records" in json.loads(m["Body"])]  # not S3's TestEvent
    [record] = S3Model.model_validate_json(body).Records
    assert unquote_plus(record.s3.object.key) == "inbound/patched"
