"""Every change we make to moto's behaviour, in one place, each with a test (tests/integration/test_moto_patches.py).

1. DynamoDB item operations are serialised. moto backs up the whole table before TransactWriteItems
   and restores the backup when a condition fails; a second thread's writes made in between vanish,
   and readers see items come and go. DynamoDB itself serialises transactions. One re-entrant lock
   around every item operation gives the guarantee our conditions rely on (identity claims,
   channel-id claims, versions).
2. A failed transaction rolls back the items it touched, not the whole table. moto deep-copies the
   entire table before every transaction, so each write costs time in proportion to the table
   (seconds per email once a few thousand items exist). Under the lock of patch 1 nothing else
   writes meanwhile, so remembering the touched items (and the stream's length) is an exact undo.
3. Lambda functions run in this process. moto would start a Docker container; we import the
   function's `Handler` (e.g. `functions.workflow.tasks.handler`) and call it, one event at a time
   per function as Lambda does. An exception becomes Lambda's error payload with the class name as
   `errorType`, which is what the state machine's `Retry`/`Catch` match.
4. Step Functions' waits follow the platform clock, which may run faster (`TUGI_TIME_SCALE`). Wait
   states, task timeouts and retry intervals are divided by the scale; a `TimestampPath` wait is
   measured against `utc_now()`. moto also compares timestamps with the machine's local time and
   loops forever on waits under a second; the replacement does neither.
5. A Query on the table's key reads its partition only. moto looks at every item of the table to find
   one partition's, so reading a case cost a quarter of a second once 2,000 cases existed (the
   Banking77 benchmark opens 8,000). The same items, sorted and paged by moto as before; queries on
   an index are left alone.
6. S3's event notifications carry every field S3 sends. moto leaves out `userIdentity`,
   `requestParameters`, `responseElements`, the bucket's `ownerIdentity` and the object's `sequencer`,
   so the intake's parser model (Powertools' S3RecordModel, the shape AWS documents) refuses every
   notification and the mail would end in the DLQ.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
import threading
import time
import traceback
from collections.abc import Callable
from datetime import UTC
from types import SimpleNamespace
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.s3 import notifications as s3_notifications
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import Timeout
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp import Timestamp
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

_ITEM_OPERATIONS = (
    "put_item",
    "update_item",
    "delete_item",
    "get_item",
    "query",
    "scan",
    "transact_get_items",
    "batch_write_item",
    "batch_get_item",
)
_lock = threading.RLock()
_applied = False


def _serialised(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return method(*args, **kwargs)

    return wrapper


def _deepcopy_but_tables(value: Any, memo: Any = None) -> Any:
    return value if isinstance(value, Table) else copy.deepcopy(value, memo)


_NO_TABLE_COPIES = SimpleNamespace(deepcopy=_deepcopy_but_tables, copy=copy.copy)

Key = tuple[DynamoType, DynamoType | None]


def _key(table: Table, op_type: str, op: dict[str, Any]) -> Key | None:
    attrs = op.get("Item") if op_type == "Put" else op.get("Key")
    if not attrs or table.hash_key_attr not in attrs:
        return None
    range_attr = table.range_key_attr
    range_key = DynamoType(attrs[range_attr]) if range_attr and range_attr in attrs else None
    return DynamoType(attrs[table.hash_key_attr]), range_key


def _restore(table: Table, key: Key, previous: Any) -> None:
    hash_key, range_key = key
    if range_key is None:
        if previous is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = previous
    elif previous is None:
        table.items.get(hash_key, {}).pop(range_key, None)
    else:
        table.items[hash_key][range_key] = previous


def _item_level_rollback(original: Callable[..., Any]) -> Callable[..., Any]:
    models = sys.modules[DynamoDBBackend.__module__]

    @functools.wraps(original)
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Any:
        with _lock:
            touched: list[tuple[Table, Key, Any]] = []
            streams: dict[str, tuple[Table, int]] = {}
            for entry in transact_items:
                op_type, op = next(iter(entry.items()))
                table = self.tables.get(op.get("TableName", ""))
                key = _key(table, op_type, op) if table is not None else None
                if table is None or key is None:
                    continue
                touched.append(
                    (table, key, copy.deepcopy(table.get_item(*key) if key[1] or not table.range_key_attr else None))
                )
                if table.stream_shard is not None:
                    streams.setdefault(table.name, (table, len(table.stream_shard.items)))
            models.copy = _NO_TABLE_COPIES  # type: ignore[attr-defined]
            try:
                return original(self, transact_items)
            except Exception:
                for table, key, previous in reversed(touched):
                    _restore(table, key, previous)
                for table, length in streams.values():
                    if table.stream_shard is not None:
                        del table.stream_shard.items[length:]
                raise
            finally:
                models.copy = copy  # type: ignore[attr-defined]

    return transact_write_items


def _invoke_in_process(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    from infra.local.invocation import invoke  # noqa: PLC0415 - the handlers import the platform's settings

    try:
        result = invoke(str(self.handler), event if event is not None else {}, function_name=self.function_name)
    except Exception as exc:  # noqa: BLE001 - every failure is the function's error, as in Lambda
        payload = {
            "errorType": type(exc).__name__,
            "errorMessage": str(exc),
            "stackTrace": traceback.format_tb(exc.__traceback__),
        }
        return json.dumps(payload), True, ""
    return json.dumps(result), False, ""


# --- 4. waits on the platform clock ----------------------------------------------------------

_time_scale = 1.0


def set_time_scale(scale: float) -> None:
    """How many times faster than real time the platform clock runs (1 = real time)."""
    global _time_scale  # noqa: PLW0603 - one clock per process
    if scale <= 0:
        raise ValueError("the time scale must be positive")
    _time_scale = scale


def _scaled_wait_interval(self: Any, env: Any, wait_seconds: float) -> None:
    deadline = time.monotonic() + max(wait_seconds, 0) / _time_scale
    while env.is_running():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        env.program_state_event.wait(remaining)


def _timestamp_wait_seconds(self: Any, env: Any) -> float:
    from shared.domain.clock import utc_now  # noqa: PLC0415

    self.string.eval(env=env)
    text: str = env.stack.pop()
    moment = self._from_timestamp_string(timestamp=text)
    if moment is None:
        raise FailureEventException(self._create_failure_event(env, text))
    seconds: float = (moment.replace(tzinfo=UTC) - utc_now()).total_seconds()
    return seconds


def _scaled_timeout(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def _eval_body(self: Any, env: Any) -> None:
        original(self, env)
        env.stack.append(env.stack.pop() / _time_scale)

    return _eval_body


_scaled_sleep = SimpleNamespace(sleep=lambda seconds: time.sleep(seconds / _time_scale))


def _apply_step_functions() -> None:
    LambdaFunction._invoke_lambda = _invoke_in_process  # type: ignore[method-assign]
    WaitFunction._wait_interval = _scaled_wait_interval  # type: ignore[method-assign]
    Timestamp._get_wait_seconds = _timestamp_wait_seconds  # type: ignore[method-assign,assignment]
    Timeout._eval_body = _scaled_timeout(Timeout._eval_body)  # type: ignore[method-assign]
    retrier_decl.time = _scaled_sleep  # type: ignore[assignment,attr-defined]


class _Partition:
    """A table as a Query on its key should see it: only the items of one partition."""

    def __init__(self, table: Table, hash_key: DynamoType) -> None:
        self._table, self._hash_key = table, hash_key

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)

    def all_items(self) -> list[Any]:
        found = self._table.items.get(self._hash_key)
        if found is None:
            return []
        return list(found.values()) if self._table.range_key_attr else [found]


def _partition_query(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        target = self if index_name or hash_key is None else _Partition(self, hash_key)
        return original(target, hash_key, *args, **kwargs)

    return query


def _complete_s3_event(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    @functools.wraps(original)
    def _get_s3_event(*args: Any, **kwargs: Any) -> dict[str, Any]:
        event = original(*args, **kwargs)
        for record in event["Records"]:
            record.setdefault("userIdentity", {"principalId": "AWS:LOCAL"})
            record.setdefault("requestParameters", {"sourceIPAddress": "127.0.0.1"})
            record.setdefault("responseElements", {"x-amz-request-id": "LOCAL", "x-amz-id-2": "LOCAL"})
            record["s3"]["bucket"].setdefault("ownerIdentity", {"principalId": "LOCAL"})
            record["s3"]["object"].setdefault("sequencer", f"{time.time_ns():X}")
        return event

    return _get_s3_event


def apply() -> None:
    """Install the patches once per process."""
    global _applied  # noqa: PLW0603 - a process-wide, install-once switch
    if _applied:
        return
    _apply_step_functions()
    DynamoDBBackend.transact_write_items = _item_level_rollback(DynamoDBBackend.transact_write_items)  # type: ignore[method-assign]
    Table.query = _partition_query(Table.query)  # type: ignore[method-assign]
    s3_notifications._get_s3_event = _complete_s3_event(s3_notifications._get_s3_event)
    for name in _ITEM_OPERATIONS:
        original = getattr(DynamoDBBackend, name, None)
        if original is not None:
            setattr(DynamoDBBackend, name, _serialised(original))
    _applied = True
