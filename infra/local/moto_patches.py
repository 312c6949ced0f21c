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
4. Step Functions' waits follow the platform clock (shared/domain/clock.py), which may run faster
   (`TUGI_TIME_SCALE`) or, in tests, move only when the test advances it (`ManualClock`). Wait states
   end when `utc_now()` reaches their time, task timeouts and callback waits count platform seconds,
   retry intervals are divided by the scale (and skipped on a manual clock). So whether a promise
   broke is decided by platform time, not by how fast a loaded machine runs. moto also compares
   timestamps with the machine's local time and loops forever on waits under a second; the
   replacement does neither.
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
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.s3 import notifications as s3_notifications
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp import Timestamp
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
from moto.stepfunctions.parser.asl.eval.callback import callback

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
_manual = False
_generation = 0  # counts clock changes: a wait begun on an earlier platform's clock ends
_POLL_SECONDS = 0.02  # how often a wait on a manual clock looks whether a test moved it


def set_platform_clock(*, scale: float = 1.0, manual: bool = False) -> None:
    """How platform time runs: `scale` times faster than real time, or (`manual`) only when a test advances it."""
    global _time_scale, _manual, _generation  # one clock per process
    if scale <= 0:
        raise ValueError("the time scale must be positive")
    _time_scale, _manual, _generation = scale, manual, _generation + 1


def _real_seconds(platform_seconds: float) -> float:
    """How long to block before looking at the platform clock again."""
    return _POLL_SECONDS if _manual else platform_seconds / _time_scale


def _wait_until(deadline: datetime, event: threading.Event, wait: Callable[[float], bool]) -> bool:
    """Block until the platform clock reaches `deadline` (False) or `event` is set (True)."""
    from shared.domain.clock import utc_now  # noqa: PLC0415 - the domain's clock, which the platform sets

    generation = _generation
    while generation == _generation:
        remaining = (deadline - utc_now()).total_seconds()
        if remaining <= 0:
            return event.is_set()
        if wait(_real_seconds(remaining)):
            return True
    return event.is_set()


class _PlatformEvent(threading.Event):
    """moto's task timeouts and callback (task token, heartbeat) waits, counted in platform seconds."""

    def wait(self, timeout: float | None = None) -> bool:
        if timeout is None:
            return super().wait()
        from shared.domain.clock import utc_now  # noqa: PLC0415

        return _wait_until(utc_now() + timedelta(seconds=max(timeout, 0)), self, super().wait)


def _wait_state(self: WaitFunction, env: Any) -> None:
    """A Wait state ends when the platform clock reaches its time; a stopped execution ends it early.

    A timestamp is the deadline itself, so a test that moves the clock while the state is entered
    cannot shift it. (moto compares timestamps with the machine's local time and loops forever on
    waits under a second; this does neither.)
    """
    from shared.domain.clock import utc_now  # noqa: PLC0415

    if isinstance(self, Timestamp):
        self.string.eval(env=env)
        text: str = env.stack.pop()
        moment = self._from_timestamp_string(timestamp=text)
        if moment is None:
            raise FailureEventException(self._create_failure_event(env, text))
        deadline = moment.replace(tzinfo=UTC)
    else:
        deadline = utc_now() + timedelta(seconds=self._get_wait_seconds(env=env))
    event: threading.Event = env.program_state_event

    def wait(seconds: float) -> bool:
        event.wait(seconds)
        return not env.is_running()  # a state change of the program (a stop) ends the wait; others do not

    _wait_until(deadline, event, wait)


def _retry_sleep(seconds: float) -> None:
    """A retry's interval in platform time. On a manual clock none: nobody advances the clock for a
    backoff, and how long a retry waited decides nothing a test asserts."""
    if not _manual:
        time.sleep(seconds / _time_scale)


def _apply_step_functions() -> None:
    LambdaFunction._invoke_lambda = _invoke_in_process  # type: ignore[method-assign]
    WaitFunction._eval_body = _wait_state  # type: ignore[method-assign]
    execute_state.threading = SimpleNamespace(Event=_PlatformEvent)  # type: ignore[assignment,attr-defined]
    callback.Event = _PlatformEvent  # type: ignore[attr-defined]
    retrier_decl.time = SimpleNamespace(sleep=_retry_sleep)  # type: ignore[assignment,attr-defined]


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
