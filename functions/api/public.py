"""Lambda entry: the customer-facing REST routes (web form, auto-answer verdicts) and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.api.errors import refusal, register_error_handlers
from functions.api.guard import body_bytes, check_request, request_id
from functions.api.routes import answers, contacts, health, kb
from shared.bootstrap import container
from shared.observability import logger, metrics, tracer

app = APIGatewayRestResolver(enable_validation=True)
app.include_router(contacts.router)
app.include_router(answers.router)
app.include_router(health.router)
app.include_router(kb.router)


_BODY_REFUSALS = frozenset({400, 413, 415, 422})


def _keep_rejected(event: dict[str, Any], status: int, code: str) -> None:
    """The customer's words are kept when their request is refused (raw-mail bucket, `rejected/`).

    Best effort: failing to archive must not turn the customer's 4xx into a 5xx.
    """
    if status not in _BODY_REFUSALS:
        return
    try:
        container().rejected_input.keep(
            channel="web_form",
            request_id=request_id(event) or "unknown",
            body=body_bytes(event),
            status=status,
            code=code,
            headers=event.get("headers") or {},
        )
    except Exception as exc:  # noqa: BLE001 - see the docstring
        logger.warning("could not keep refused input", extra={"error_type": type(exc).__name__})


register_error_handlers(app, on_rejected=lambda status, code: _keep_rejected(app.current_event.raw_event, status, code))


@app.get("/v1/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    from functions.api.openapi import openapi_document  # noqa: PLC0415 - only this route pays for all routers

    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_document())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False, capture_error=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refused = check_request(event, max_bytes=container().settings.max_request_bytes, form_paths=kb.FORM_POSTS)
    if refused is not None:
        _keep_rejected(event, refused.http_status, refused.instance_code)
        return refusal(refused, event)
    container().once.register_lambda_context(context)
    return app.resolve(event, context)
