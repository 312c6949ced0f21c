"""boto3 clients with one configuration: the endpoint of the local runtime when set, fail-fast retries."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from shared.observability import trace_calls

# Standard retry mode backs off on throttling; a Lambda should fail fast rather than hang.
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=10)


def make_client(service: str, *, region: str, endpoint_url: str | None) -> Any:
    trace_calls("botocore")
    return boto3.client(service, region_name=region, endpoint_url=endpoint_url, config=_CONFIG)  # type: ignore[call-overload]
