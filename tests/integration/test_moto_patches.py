"""Each patch of infra/local/moto_patches.py does what it says."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress

from botocore.exceptions import ClientError

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
