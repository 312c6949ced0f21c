"""A thin layer over the DynamoDB client: (de)serialisation, transactions, typed failures."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from shared.domain.paging import InvalidCursor
from shared.errors import Unavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

Item = dict[str, Any]

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_RETRYABLE = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "InternalServerError"}
)

_BATCH_GET_KEYS = 100  # BatchGetItem's limit per call


class ConditionFailed(Exception):
    """The condition of a single put or update did not hold."""


class TransactionConflict(Exception):
    """A condition in a transaction failed; `failed` holds the indexes of the failing items."""

    def __init__(self, failed: list[int]) -> None:
        super().__init__(f"conditions failed at {failed}")
        self.failed = failed


def serialise(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def deserialise(raw: Mapping[str, Any]) -> Item:
    return {k: _deserializer.deserialize(v) for k, v in raw.items()}


class DynamoTable:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.name = table_name

    def get(self, pk: str, sk: str, *, consistent: bool = False) -> Item | None:
        response = self._call(
            self.client.get_item,
            TableName=self.name,
            Key=serialise({"PK": pk, "SK": sk}),
            ConsistentRead=consistent,
        )
        raw = response.get("Item")
        return deserialise(raw) if raw else None

    def batch_get(
        self, item_keys: Sequence[tuple[str, str]], *, projection: str, consistent: bool = False
    ) -> list[Item]:
        """The items that exist of `item_keys` (any number: 100 a BatchGetItem call, unprocessed keys asked again)."""
        found: list[Item] = []
        for start in range(0, len(item_keys), _BATCH_GET_KEYS):
            chunk = [serialise({"PK": pk, "SK": sk}) for pk, sk in item_keys[start : start + _BATCH_GET_KEYS]]
            request: dict[str, Any] = {
                self.name: {"Keys": chunk, "ProjectionExpression": projection, "ConsistentRead": consistent}
            }
            while request:
                response = self._call(self.client.batch_get_item, RequestItems=request)
                found += [deserialise(i) for i in response.get("Responses", {}).get(self.name, [])]
                request = response.get("UnprocessedKeys") or {}
        return found

    def put(self, item: Item, *, condition: str | None = None, values: Item | None = None) -> None:
        kwargs: dict[str, Any] = {"TableName": self.name, "Item": serialise(item)}
        if condition:
            kwargs["ConditionExpression"] = condition
        if values:
            kwargs["ExpressionAttributeValues"] = serialise(values)
        self._call(self.client.put_item, **kwargs)

    def delete(self, pk: str, sk: str) -> Item | None:
        """Delete the item; what it held, or None when there was none."""
        response = self._call(
            self.client.delete_item, TableName=self.name, Key=serialise({"PK": pk, "SK": sk}), ReturnValues="ALL_OLD"
        )
        old = response.get("Attributes")
        return deserialise(old) if old else None

    def update(
        self,
        pk: str,
        sk: str,
        expression: str,
        values: Item,
        *,
        names: dict[str, str] | None = None,
        condition: str | None = None,
        returning: str | None = None,
    ) -> Item:
        """UpdateItem; the attributes `returning` asks for (`UPDATED_NEW`, ...), or {}."""
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "Key": serialise({"PK": pk, "SK": sk}),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": serialise(values),
        }
        if names:
            kwargs["ExpressionAttributeNames"] = names
        if condition:
            kwargs["ConditionExpression"] = condition
        if returning:
            kwargs["ReturnValues"] = returning
        response = self._call(self.client.update_item, **kwargs)
        return deserialise(response.get("Attributes", {}))

    def query(
        self,
        key_condition: str,
        values: Item,
        *,
        index: str | None = None,
        forward: bool = True,
        limit: int | None = None,
        start_key: Item | None = None,
        names: dict[str, str] | None = None,
    ) -> tuple[list[Item], Item | None]:
        """One Query call: the items and the LastEvaluatedKey (deserialised), if any."""
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": key_condition,
            "ExpressionAttributeValues": serialise(values),
            "ScanIndexForward": forward,
        }
        if index:
            kwargs["IndexName"] = index
        if limit:
            kwargs["Limit"] = limit
        if start_key:
            kwargs["ExclusiveStartKey"] = serialise(start_key)
        if names:
            kwargs["ExpressionAttributeNames"] = names
        try:
            response = self.client.query(**kwargs)
        except ClientError as exc:
            if start_key and exc.response.get("Error", {}).get("Code") == "ValidationException":
                raise InvalidCursor("the start key does not fit this query") from exc
            raise _translate(exc) from exc
        last = response.get("LastEvaluatedKey")
        return [deserialise(i) for i in response.get("Items", [])], (deserialise(last) if last else None)

    def query_all(
        self, key_condition: str, values: Item, *, index: str | None = None, forward: bool = True
    ) -> list[Item]:
        """Every item of a partition (for small ones: a case, a customer's identities)."""
        items: list[Item] = []
        start: Item | None = None
        while True:
            page, start = self.query(key_condition, values, index=index, forward=forward, start_key=start)
            items.extend(page)
            if not start:
                return items

    def transact(self, operations: Sequence[Mapping[str, Any]]) -> None:
        """TransactWriteItems; each operation is {"Put"|"Update"|"ConditionCheck"|"Delete": {...}}."""
        wired = [{kind: {"TableName": self.name, **body} for kind, body in op.items()} for op in operations]
        try:
            self.client.transact_write_items(TransactItems=wired)  # type: ignore[arg-type]
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") == "TransactionCanceledException":
                reasons = exc.response.get("CancellationReasons", [])
                failed = [i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"]
                if failed:
                    raise TransactionConflict(failed) from exc
            raise _translate(exc) from exc

    def _call(self, method: Any, **kwargs: Any) -> Any:
        try:
            return method(**kwargs)
        except ClientError as exc:
            raise _translate(exc) from exc


def _translate(exc: ClientError) -> Exception:
    code = exc.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        return ConditionFailed(code)
    if code in _RETRYABLE or code == "TransactionCanceledException":
        return Unavailable(f"DynamoDB is busy ({code})")
    return exc


def put_op(
    item: Item, *, condition: str | None = None, values: Item | None = None, names: dict[str, str] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"Item": serialise(item)}
    if condition:
        body["ConditionExpression"] = condition
    if values:
        body["ExpressionAttributeValues"] = serialise(values)
    if names:
        body["ExpressionAttributeNames"] = names
    return {"Put": body}


def update_op(
    pk: str,
    sk: str,
    expression: str,
    values: Item,
    *,
    condition: str | None = None,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Key": serialise({"PK": pk, "SK": sk}),
        "UpdateExpression": expression,
        "ExpressionAttributeValues": serialise(values),
    }
    if condition:
        body["ConditionExpression"] = condition
    if names:
        body["ExpressionAttributeNames"] = names
    return {"Update": body}


def condition_op(pk: str, sk: str, condition: str, names: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"Key": serialise({"PK": pk, "SK": sk}), "ConditionExpression": condition}
    if names:
        body["ExpressionAttributeNames"] = names
    return {"ConditionCheck": body}


def encode_cursor(last_key: Item | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key, sort_keys=True).encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str | None, *, expect: Mapping[str, str], index_sort_key: str, sort_prefix: str = ""
) -> Item | None:
    """The start key of a cursor we issued; InvalidCursor if it is garbage or from another query.

    A start key of an index query has exactly the table key and the index key; its partition must
    be the queried one and its sort key must lie in the queried range.
    """
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidCursor(cursor) from exc
    if not isinstance(key, dict) or set(key) != {"PK", "SK", *expect, index_sort_key}:
        raise InvalidCursor(cursor)
    if not all(isinstance(v, str) for v in key.values()) or any(key[k] != v for k, v in expect.items()):
        raise InvalidCursor(cursor)
    if not key[index_sort_key].startswith(sort_prefix):
        raise InvalidCursor(cursor)
    return key
