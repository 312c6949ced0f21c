"""Checks made before routing: body size, content type, and that every string is text.

Powertools validation runs after these; what it would read wrongly or choke on is refused here.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import Any

from shared.domain.text import LONE_SURROGATE
from shared.errors import InvalidInput, MalformedRequest, PayloadTooLarge, TugiError, UnsupportedMediaType

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# JSON is UTF-8 (RFC 8259) and so are our forms; ASCII is a subset. Any other charset we cannot decode.
_READABLE_CHARSETS = frozenset({"utf-8", "ascii"})


def header(event: dict[str, Any], name: str) -> str | None:
    """A request header, whatever its case."""
    wanted = name.lower()
    return next((v for k, v in (event.get("headers") or {}).items() if k.lower() == wanted), None)


def _content_type(event: dict[str, Any]) -> tuple[str, str | None]:
    """The media type in lower case (media types are case-insensitive, RFC 9110) and its charset, if any."""
    value = header(event, "content-type") or ""
    if "/" not in value:
        return value.strip().lower(), None
    parsed = Message()
    parsed["content-type"] = value
    charset = parsed.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 (`charset*=utf-16''`): the same parameter, spelled otherwise
        charset = collapse_rfc2231_value(charset)
    return parsed.get_content_type(), charset.strip().lower() if isinstance(charset, str) else None


def media_type(event: dict[str, Any]) -> str:
    """The body's content type without its parameters (`; charset=utf-8`), lower case."""
    return _content_type(event)[0]


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


def _readable_charset(charset: str | None) -> bool:
    if charset is None:
        return True
    try:
        return codecs.lookup(charset).name in _READABLE_CHARSETS
    except LookupError:
        return False


def _readable_text(body: bytes, *, decoded: bool) -> TugiError | None:
    if not decoded:
        return MalformedRequest("the body is not valid base64")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return MalformedRequest("the body is not UTF-8")
    return None


def _not_text(value: Any) -> TugiError | None:
    """422 for the first string (or object key) holding a lone surrogate: JSON's `\\ud800` decodes to one, and
    no store, index or mail can take it. The one check for every string field of every request model."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:  # a loop, not recursion: deep nesting must not overflow here
        path, item = pending.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if LONE_SURROGATE.search(key):
                    return _invalid_unicode(path or "body")
                pending.append((f"{path}.{key}" if path else key, child))
        elif isinstance(item, list):
            pending.extend((f"{path}.{index}" if path else str(index), child) for index, child in enumerate(item))
        elif isinstance(item, str) and LONE_SURROGATE.search(item):
            return _invalid_unicode(path or "body")
    return None


def _invalid_unicode(field: str) -> InvalidInput:
    detail = {"field": field, "code": "invalid_unicode", "message": "text must not hold a lone surrogate (\\ud800)"}
    return InvalidInput("the request is not valid; see details", code="validation_failed", details=[detail])


def _readable_json(body: bytes, *, decoded: bool) -> TugiError | None:
    refused = _readable_text(body, decoded=decoded)
    if refused is not None:
        return refused
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return MalformedRequest("the body is not JSON")
    return _not_text(parsed)


def _check_body(event: dict[str, Any], *, max_bytes: int, form_paths: re.Pattern[str] | None) -> TugiError | None:
    body, decoded = _body(event)
    if len(body) > max_bytes:
        return PayloadTooLarge(f"the body is larger than {max_bytes} bytes")
    if not body:
        return None  # e.g. POST /unmerge: nothing to type
    content_type, charset = _content_type(event)
    if not _readable_charset(charset):
        return UnsupportedMediaType("send the body as UTF-8")
    if content_type == FORM and form_paths is not None and form_paths.fullmatch(event.get("path") or ""):
        return _readable_text(body, decoded=decoded)  # a form's values are percent-encoded: no surrogates
    if content_type != JSON:
        return UnsupportedMediaType("send the body as application/json")
    return _readable_json(body, decoded=decoded)


def _canonical_content_type(event: dict[str, Any]) -> None:
    """Write the content type as its lower-case media type: Powertools' body parser compares it case-sensitively
    and answers `APPLICATION/JSON` with an exception."""
    content_type = _content_type(event)[0]
    for field in ("headers", "multiValueHeaders"):
        headers = event.get(field)
        if not headers or not any(k.lower() == "content-type" for k in headers):
            continue
        kept = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        event[field] = kept | {"content-type": [content_type] if field == "multiValueHeaders" else content_type}


def check_request(
    event: dict[str, Any], *, max_bytes: int, form_paths: re.Pattern[str] | None = None
) -> TugiError | None:
    """The error to answer with, or None when the request may be routed (its content type then made canonical).

    Bodies are JSON; a path matching `form_paths` also takes an HTML form's post (its route reads both).
    """
    refused = _not_text(event.get("queryStringParameters")) or _not_text(event.get("pathParameters"))
    if refused is None and event.get("httpMethod", "").upper() in BODY_METHODS:
        refused = _check_body(event, max_bytes=max_bytes, form_paths=form_paths)
    if refused is None:
        _canonical_content_type(event)
    return refused
