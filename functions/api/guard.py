"""Checks made before routing: body size and content type (Powertools validation runs first otherwise)."""

from __future__ import annotations

import base64
from typing import Any

from shared.errors import PayloadTooLarge, TugiError, UnsupportedMediaType

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def body_bytes(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body)
        except ValueError:
            return body.encode()
    return body.encode() if isinstance(body, str) else bytes(body)


def check_request(event: dict[str, Any], *, max_bytes: int) -> TugiError | None:
    """The error to answer with, or None when the request may be routed."""
    if event.get("httpMethod", "").upper() not in _BODY_METHODS:
        return None
    body = body_bytes(event)
    if len(body) > max_bytes:
        return PayloadTooLarge(f"the body is larger than {max_bytes} bytes")
    if not body:
        return None  # e.g. POST /unmerge: nothing to type
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    content_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return UnsupportedMediaType("send the body as application/json")
    return None
