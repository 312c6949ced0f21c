"""Checks made before routing: body size and content type (Powertools validation runs first otherwise)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from shared.errors import MalformedRequest, PayloadTooLarge, TugiError, UnsupportedMediaType

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def body_bytes(event: dict[str, Any]) -> bytes:
    """The body as sent; undecodable base64 is kept as it came (it is evidence of what was sent)."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return body.encode() if isinstance(body, str) else bytes(body)
    return body.encode("utf-8", errors="surrogateescape") if isinstance(body, str) else bytes(body)


def _readable_json(event: dict[str, Any], body: bytes) -> TugiError | None:
    """Powertools decodes the body after this check; anything it would choke on is refused here."""
    if event.get("isBase64Encoded"):
        try:
            base64.b64decode(event.get("body") or "", validate=True)
        except (binascii.Error, ValueError):
            return MalformedRequest("the body is not valid base64")
    try:
        json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        return MalformedRequest("the body is not UTF-8")
    except (ValueError, RecursionError):
        return MalformedRequest("the body is not JSON")
    return None


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
    return _readable_json(event, body)
