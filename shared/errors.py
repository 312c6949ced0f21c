"""The error hierarchy. Each class carries its machine-readable code and HTTP status.

Handlers never branch on message text: they catch a class, and `functions/api/errors.py`
turns any `TugiError` into `{"error": {"code", "message", "request_id"}}`.
"""

from __future__ import annotations

from typing import Any, ClassVar


class TugiError(Exception):
    """Base of every error Tugi raises on purpose."""

    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str, *, code: str | None = None, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.instance_code = code or type(self).code
        self.details = details or []


class InvalidInput(TugiError):
    code = "invalid_input"
    http_status = 422


class MalformedRequest(TugiError):
    code = "malformed_request"
    http_status = 400


class PayloadTooLarge(TugiError):
    code = "payload_too_large"
    http_status = 413


class UnsupportedMediaType(TugiError):
    code = "unsupported_media_type"
    http_status = 415


class Unauthorized(TugiError):
    code = "unauthorized"
    http_status = 401


class Forbidden(TugiError):
    code = "forbidden"
    http_status = 403


class NotFound(TugiError):
    code = "not_found"
    http_status = 404


class Conflict(TugiError):
    code = "conflict"
    http_status = 409


class RateLimited(TugiError):
    code = "rate_limited"
    http_status = 429


class Unavailable(TugiError):
    """A dependency failed in a way a retry may cure; queues and workflows retry on it."""

    code = "unavailable"
    http_status = 503
