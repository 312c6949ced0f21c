"""What a route answers when it succeeds, for the OpenAPI document (its errors: `errors.error_responses`).

Powertools documents the return type only for routes that list no responses of their own; ours all list
their errors, so each names its success too.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

HTML: dict[str, Any] = {"schema": {"type": "string"}}


def success(
    model: type[BaseModel] | None, status: int = HTTPStatus.OK, description: str | None = None, *, html: bool = False
) -> dict[int, OpenAPIResponse]:
    """`status` with `model` as its JSON body (none for `None`); `html`: a page too, for browsers."""
    content: dict[str, Any] = {"application/json": {"model": model}} if model is not None else {}
    if html:
        content["text/html"] = HTML
    return {status: {"description": description or HTTPStatus(status).phrase, "content": content}}
