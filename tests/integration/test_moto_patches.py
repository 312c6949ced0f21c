"""Each patch of infra/local/moto_patches.py does what it says."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress

import pytest
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

from infra.local.platform import EmbeddedPlatform


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
