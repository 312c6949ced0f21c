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
"""

from __future__ import annotations

import copy
import functools
import sys
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

_ITEM_OPERATIONS = (
    "put_item",
    "update_item",
    "delete_item",
    "get_item",
    "query",
    "scan",
    "transact_write_items",
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

    wrapper.__tugi_patched__ = True  # type: ignore[attr-defined]
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

    transact_write_items.__tugi_patched__ = True  # type: ignore[attr-defined]
    return transact_write_items


def apply() -> None:
    """Install the patches once per process."""
    global _applied  # noqa: PLW0603 - a process-wide, install-once switch
    if _applied:
        return
    DynamoDBBackend.transact_write_items = _item_level_rollback(DynamoDBBackend.transact_write_items)  # type: ignore[method-assign]
    for name in _ITEM_OPERATIONS:
        original = getattr(DynamoDBBackend, name, None)
        if original is not None and name != "transact_write_items":
            setattr(DynamoDBBackend, name, _serialised(original))
    _applied = True
