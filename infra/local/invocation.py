"""How the local runtime calls a handler: as Lambda would, one event at a time per function.

Lambda runs one event at a time in an execution environment, and Powertools' resolver keeps the
current event on the module's app: concurrent calls of one handler in one process would read each
other's requests. Each function is one environment here.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from infra.local.events import LambdaContext

_environments: dict[str, threading.Lock] = {}
_environments_lock = threading.Lock()


class _HandlerOutput(io.TextIOBase):
    """`sys.stdout` that sends what a handler prints (EMF metrics) to stderr, as Lambda sends it to CloudWatch,
    and everything else printed in the process on. Per thread: `redirect_stdout` would swap stdout for
    every thread at once, and invocations run in the server's and the stream poller's threads."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.local = threading.local()

    def write(self, text: str) -> int:
        target = sys.stderr if getattr(self.local, "depth", 0) else self.wrapped
        return int(target.write(text))

    def flush(self) -> None:
        self.wrapped.flush()


_output_lock = threading.Lock()


def _handler_output() -> _HandlerOutput:
    with _output_lock:
        if not isinstance(sys.stdout, _HandlerOutput):
            sys.stdout = _HandlerOutput(sys.stdout)
        return sys.stdout


@contextlib.contextmanager
def invocation(function: str) -> Iterator[None]:
    """One event at a time per function; what it prints goes to stderr (see `_HandlerOutput`)."""
    with _environments_lock:
        lock = _environments.setdefault(function, threading.Lock())
    output = _handler_output()
    with lock:
        output.local.depth = getattr(output.local, "depth", 0) + 1
        try:
            yield
        finally:
            output.local.depth -= 1


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
