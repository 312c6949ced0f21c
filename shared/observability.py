"""Logger, metrics and tracer: one instance each, shared by every handler.

Configured from the POWERTOOLS_* environment (service name, namespace, log level). Logs carry
ids (case, customer), never names, addresses, phone numbers or message text.

The tracer patches no library at import (Powertools' default patches every library X-Ray knows,
about 100 ms of each cold start): `trace_calls` patches the one a function is about to use, when
its first client is built.
"""

from __future__ import annotations

import traceback
from functools import cache
from typing import Any, Literal

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="tugi")
metrics = Metrics(namespace="Tugi", service="tugi")
tracer = Tracer(service="tugi", auto_patch=False)


@cache
def trace_calls(library: Literal["botocore", "requests"]) -> None:
    """Record the calls made through `library` as X-Ray subsegments, from now on (once per process)."""
    tracer.patch([library])


def error_fields(exc: BaseException) -> dict[str, Any]:
    """An error for the log: its type and where it happened, never its message.

    Messages carry input (a pydantic error quotes the value, a ClientError the key), and input
    here is a customer's name, address or words.
    """
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    return {
        "error_type": type(exc).__name__,
        "stack": [f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} in {f.name}" for f in frames],
    }
