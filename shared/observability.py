"""Logger, metrics and tracer: one instance each, shared by every handler.

Configured from the POWERTOOLS_* environment (service name, namespace, log level). Logs carry
ids (case, customer), never names, addresses, phone numbers or message text.
"""

from __future__ import annotations

import hashlib

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="tugi")
metrics = Metrics(namespace="Tugi", service="tugi")
tracer = Tracer(service="tugi")


def redact(value: str | None) -> str | None:
    """A stable, non-reversible tag for personal data, so logs can correlate without storing it."""
    if value is None:
        return None
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:16]
