"""Every change we make to moto's behaviour, in one place, each with a test (tests/integration/test_moto_patches.py).

1. DynamoDB transactions under threads. moto backs up the whole table before TransactWriteItems and
   restores the backup when a condition fails; a second thread's writes made in between vanish, and
   readers see items come and go. DynamoDB itself serialises transactions. We serialise every item
   operation of the DynamoDB backend with one re-entrant lock, which is what the real service
   guarantees for the conditions we rely on (identity claims, channel-id claims, versions).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

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


def apply() -> None:
    """Install the patches once per process."""
    global _applied  # noqa: PLW0603 - a process-wide, install-once switch
    if _applied:
        return
    for name in _ITEM_OPERATIONS:
        original = getattr(DynamoDBBackend, name, None)
        if original is not None and not getattr(original, "__tugi_patched__", False):
            setattr(DynamoDBBackend, name, _serialised(original))
    _applied = True
