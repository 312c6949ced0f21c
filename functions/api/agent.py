"""Lambda entry: the agent REST routes (cases, customers, agents, knowledge base, reports), behind the
Cognito authorizer."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.api.errors import refusal, register_error_handlers
from functions.api.guard import check_request
from functions.api.routes import agents, cases, customers, kb_articles, reports
from shared.bootstrap import container
from shared.observability import logger, metrics, tracer

ROUTERS = (cases.router, customers.router, agents.router, kb_articles.router, reports.router)
app = APIGatewayRestResolver(enable_validation=True)
for router in ROUTERS:
    app.include_router(router)
register_error_handlers(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False, capture_error=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refused = check_request(event, max_bytes=container().settings.max_request_bytes)
    if refused is not None:
        return refusal(refused, event)
    return app.resolve(event, context)
