"""What API Gateway itself answers, before any handler runs, in Tugi's error shape.

One definition for CDK (the REST API's gateway responses) and the local gateway (infra/local/platform.py and
server.py), like infra/stream_consumers.py for the stream filters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# Every body reaches the functions base64-encoded, byte for byte: without a binary media type API Gateway
# would hand a non-UTF-8 body over altered, and the documented 400 for it could never happen.
BINARY_MEDIA_TYPES = ("*/*",)
# The methods a REST API routes (`ANY` means these); anything else is no route.
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
# Agent resources routed as `ANY` with a `{proxy+}` below (infra/constructs/api.py): every method and sub-path
# reaches the authorizer, then the agent function, which answers 404 for what it does not know. Under an
# article, the fixed segment `feedback` (public, POST only) wins over `{locale}`.
AGENT_RESOURCES = ("cases", "customers", "agents", "reports")
AGENT_PROXY_PATHS = (
    rf"/v1/(?:{'|'.join(AGENT_RESOURCES)})(?:/.+)?",
    r"/v1/kb/articles/[^/]+/(?!feedback(?:/|$))[^/]+(?:/.+)?",
)
# API Gateway refuses larger payloads before any Lambda runs.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024

_REQUEST_ID = "$context.requestId"
_GATEWAY_MESSAGE = "$context.error.messageString"  # already a quoted JSON string


@dataclass(frozen=True)
class GatewayResponse:
    """One of API Gateway's response types (`MISSING_AUTHENTICATION_TOKEN`, ...) as Tugi answers it.

    `status` None keeps the status API Gateway chose (the DEFAULT_* types cover several); `message` None
    passes on API Gateway's own message.
    """

    response_type: str
    status: int | None
    code: str
    message: str | None

    def template(self) -> str:
        """The response template, with API Gateway's variables for the request id and its own message."""
        message = json.dumps(self.message) if self.message is not None else _GATEWAY_MESSAGE
        return json.dumps({"error": {"code": self.code, "message": "@M@", "request_id": _REQUEST_ID}}).replace(
            '"@M@"', message
        )

    def body(self, request_id: str) -> str:
        """What the local gateway answers: the template as API Gateway fills it in."""
        return json.dumps({"error": {"code": self.code, "message": self.message or "", "request_id": request_id}})


# No route for the path, or not for this method (`HEAD` on a GET-only route): a REST API calls both a missing
# authentication token. It is a 404 here, as for a route the functions do not know.
ROUTE_NOT_FOUND = GatewayResponse("MISSING_AUTHENTICATION_TOKEN", 404, "route_not_found", "no such route")
UNAUTHORIZED = GatewayResponse("UNAUTHORIZED", 401, "unauthorized", "a valid agent token is required")
PAYLOAD_TOO_LARGE = GatewayResponse(
    "REQUEST_TOO_LARGE", 413, "payload_too_large", f"the body is larger than {MAX_PAYLOAD_BYTES} bytes"
)
# A request whose framing cannot be read (a Content-Length that is no number): refused before any route.
UNREADABLE_REQUEST = GatewayResponse("DEFAULT_4XX", 400, "malformed_request", "the request's length cannot be read")
GATEWAY_RESPONSES = (
    ROUTE_NOT_FOUND,
    UNAUTHORIZED,
    PAYLOAD_TOO_LARGE,
    GatewayResponse("ACCESS_DENIED", 403, "forbidden", "this token may not use this route"),
    GatewayResponse("THROTTLED", 429, "rate_limited", "too many requests; retry later"),
    GatewayResponse("QUOTA_EXCEEDED", 429, "rate_limited", "too many requests; retry later"),
    GatewayResponse("UNSUPPORTED_MEDIA_TYPE", 415, "unsupported_media_type", "send the body as application/json"),
    GatewayResponse("INTEGRATION_TIMEOUT", 504, "timeout", "the request took too long; retry later"),
    GatewayResponse("DEFAULT_4XX", None, "request_refused", None),
    GatewayResponse("DEFAULT_5XX", None, "unavailable", None),
)
