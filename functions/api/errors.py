"""One place that turns errors into `{"error": {"code", "message", "request_id"}}` responses."""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, Field

from functions.api import guard
from shared.errors import MalformedRequest, TugiError, UnsupportedMediaType
from shared.observability import error_fields, logger


class ErrorDetail(BaseModel):
    field: str = Field(description="The field (`email`, `locale`, `body` for the whole body)")
    code: str = Field(
        description=(
            "What is wrong with it, e.g. `missing`, `invalid_email`, `contact_required`, `string_too_long`; "
            "`supported` lists an allowed value (`unsupported_locale`), `latest_version` the current version "
            "(`edit_conflict`), `merged_into` the customer it became (`customer_merged`)"
        )
    )
    message: str = Field(description="For a person; for `supported`, `latest_version`, `merged_into`: the value")


class ErrorBody(BaseModel):
    code: str = Field(
        description="Machine-readable, e.g. validation_failed, version_conflict, case_not_found, unsupported_locale"
    )
    message: str = Field(description="For a person; never branch on it")
    request_id: str | None
    details: list[ErrorDetail] | None = Field(
        default=None, description="Per field: for validation_failed, unsupported_locale, edit_conflict, customer_merged"
    )


class ErrorResponse(BaseModel):
    error: ErrorBody


def error_responses(*statuses: int) -> dict[int, OpenAPIResponse]:
    """The documented error answers of a route, all in the one error shape."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {"application/json": {"model": ErrorResponse}},
        }
        for status in statuses
    }


# Pydantic's names for "the field is wrong" that deserve a code of their own.
_BODY_ERRORS: dict[str, type[TugiError]] = {"json_invalid": MalformedRequest}


def error_body(
    status: int, code: str, message: str, request_id: str | None, details: list[dict[str, Any]] | None = None
) -> Response[str]:
    error: dict[str, Any] = {"code": code, "message": message, "request_id": request_id}
    if details:
        error["details"] = details
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps({"error": error}))


def refusal(error: TugiError, event: dict[str, Any]) -> dict[str, Any]:
    """A proxy response for an error found before routing."""
    body = error_body(error.http_status, error.instance_code, error.message, guard.request_id(event), error.details)
    return {"statusCode": body.status_code, "headers": body.headers, "body": body.body, "isBase64Encoded": False}


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    """`("body", "email")` → `email`; `("query", "limit")` → `limit`."""
    parts = (
        [str(p) for p in loc[1:]] if loc and loc[0] in {"body", "query", "path", "header"} else [str(p) for p in loc]
    )
    return ".".join(parts) or "body"


def validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"field": _field(e.get("loc", ())), "code": e.get("type", "invalid"), "message": e.get("msg", "")}
        for e in exc.errors()
    ]


def register_error_handlers(
    app: APIGatewayRestResolver, *, on_rejected: Callable[[int, str], None] | None = None
) -> None:
    """Map TugiError subclasses and validation failures to their status; anything else is a 500.

    `on_rejected(status, code)` runs for every 4xx caused by the request body (the public API keeps
    the raw input of rejected customer submissions).
    """

    def request_id() -> str | None:
        return app.current_event.request_context.request_id

    def rejected(status: int, code: str) -> None:
        if on_rejected is not None:
            on_rejected(status, code)

    @app.exception_handler(TugiError)  # type: ignore[untyped-decorator]
    def _tugi(exc: TugiError) -> Response[str]:
        if exc.http_status >= 500:
            logger.error("request failed", extra=error_fields(exc) | {"error_code": exc.instance_code})
        else:
            logger.info("request refused", extra={"error_code": exc.instance_code, "status": exc.http_status})
        if exc.http_status < 500:
            rejected(exc.http_status, exc.instance_code)
        return error_body(exc.http_status, exc.instance_code, exc.message, request_id(), exc.details)

    @app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
    def _invalid(exc: RequestValidationError) -> Response[str]:
        errors = exc.errors()
        for error in errors:
            special = _BODY_ERRORS.get(error.get("type", ""))
            if special is not None:
                rejected(special.http_status, special.code)
                return error_body(special.http_status, special.code, str(error.get("msg", "")), request_id())
        rejected(HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed")
        return error_body(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_failed",
            "the request is not valid; see details",
            request_id(),
            validation_details(exc),
        )

    # Not a RequestValidationError, so unhandled it was a 500: a media type Powertools' body parser cannot read.
    @app.exception_handler(RequestUnsupportedContentType)  # type: ignore[untyped-decorator]
    def _unsupported(_: RequestUnsupportedContentType) -> Response[str]:
        response: Response[str] = _tugi(UnsupportedMediaType("send the body as application/json"))
        return response

    @app.not_found
    def _not_found(_: NotFoundError) -> Response[str]:
        return error_body(HTTPStatus.NOT_FOUND, "route_not_found", "no such route", request_id())

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def _unexpected(exc: Exception) -> Response[str]:
        logger.error("unhandled error", extra=error_fields(exc))
        return error_body(
            HTTPStatus.INTERNAL_SERVER_ERROR, "internal", "something went wrong on our side", request_id()
        )
