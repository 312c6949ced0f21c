"""Checks made before routing: body size and content type (Powertools validation runs first otherwise)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from shared.errors import MalformedRequest, PayloadTooLarge, TugiError, UnsupportedMediaType

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
FORM = "application/x-www-form-urlencoded"


def header(event: dict[str, Any], name: str) -> str | None:
    """A request header, whatever its case."""
    wanted = name.lower()
    return next((v for k, v in (event.get("headers") or {}).items() if k.lower() == wanted), None)


def media_type(event: dict[str, Any]) -> str:
    """The body's content type without its parameters (`; charset=utf-8`), lower case."""
    return (header(event, "content-type") or "").split(";")[0].strip().lower()


def request_id(event: dict[str, Any]) -> str | None:
    return (event.get("requestContext") or {}).get("requestId")


def _body(event: dict[str, Any]) -> tuple[bytes, bool]:
    """The body as sent, and whether it decoded (undecodable base64 is kept as it came: it is evidence)."""
    body = event.get("body") or ""
    raw = body.encode("utf-8", errors="surrogateescape") if isinstance(body, str) else bytes(body)
    if not event.get("isBase64Encoded"):
        return raw, True
    try:
        return base64.b64decode(body, validate=True), True
    except (binascii.Error, ValueError):
        return raw, False


def body_bytes(event: dict[str, Any]) -> bytes:
    return _body(event)[0]


def _readable_text(body: bytes, *, decoded: bool) -> TugiError | None:
    """Powertools decodes the body after this check; anything it would choke on is refused here."""
    if not decoded:
        return MalformedRequest("the body is not valid base64")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return MalformedRequest("the body is not UTF-8")
    return None


def _readable_json(body: bytes, *, decoded: bool) -> TugiError | None:
    refused = _readable_text(body, decoded=decoded)
    if refused is not None:
        return refused
    try:
        json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return MalformedRequest("the body is not JSON")
    return None


def check_request(
    event: dict[str, Any], *, max_bytes: int, form_paths: re.Pattern[str] | None = None
) -> TugiError | None:
    """The error to answer with, or None when the request may be routed.

    Bodies are JSON; a path matching `form_paths` also takes an HTML form's post (its route reads both).
    """
    if event.get("httpMethod", "").upper() not in _BODY_METHODS:
        return None
    body, decoded = _body(event)
    if len(body) > max_bytes:
        return PayloadTooLarge(f"the body is larger than {max_bytes} bytes")
    if not body:
        return None  # e.g. POST /unmerge: nothing to type
    content_type = media_type(event)
    if content_type == FORM and form_paths is not None and form_paths.fullmatch(event.get("path") or ""):
        return _readable_text(body, decoded=decoded)
    if content_type != "application/json":
        return UnsupportedMediaType("send the body as application/json")
    return _readable_json(body, decoded=decoded)
