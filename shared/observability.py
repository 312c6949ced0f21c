"""Logger, metrics and tracer: one instance each, shared by every handler.

Configured from the POWERTOOLS_* environment (service name, namespace, log level). Logs carry
ids (case, customer), never names, addresses, phone numbers or message text.
"""

from __future__ import annotations

import traceback
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="tugi")
metrics = Metrics(namespace="Tugi", service="tugi")
tracer = Tracer(service="tugi")


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
