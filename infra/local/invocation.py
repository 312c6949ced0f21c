"""How the local runtime calls a handler: as Lambda would, one event at a time per function.

Lambda runs one event at a time in an execution environment, and Powertools' resolver keeps the
current event on the module's app: concurrent calls of one handler in one process would read each
other's requests. Each function is one environment here.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from infra.local.events import LambdaContext

_environments: dict[str, threading.Lock] = {}
_environments_lock = threading.Lock()


@contextlib.contextmanager
def invocation(function: str) -> Iterator[None]:
    """One event at a time per function; what it prints (EMF metrics) goes to stderr, as to CloudWatch."""
    with _environments_lock:
        lock = _environments.setdefault(function, threading.Lock())
    with lock, contextlib.redirect_stdout(sys.stderr):
        yield


def load_handler(path: str) -> Callable[[Any, Any], Any]:
    """`functions.workflow.tasks.handler` → the function, as Lambda's `Handler` setting names it."""
    module, _, name = path.rpartition(".")
    handler: Callable[[Any, Any], Any] = getattr(importlib.import_module(module), name)
    return handler


def invoke(handler_path: str, event: Any, *, function_name: str | None = None) -> Any:
    """Run the handler in this process with a Lambda context; exceptions propagate as in Lambda."""
    handler = load_handler(handler_path)
    with invocation(function_name or handler_path):
        return handler(event, LambdaContext(function_name=function_name or handler_path))
