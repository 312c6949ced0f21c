"""The signed-in agent behind a request, for agent routes."""

from __future__ import annotations

from typing import cast

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from functions.api.auth import Caller, Role, caller_from_claims

AGENTS = frozenset({Role.AGENT, Role.SUPERVISOR})
SUPERVISORS = frozenset({Role.SUPERVISOR})
# OpenAPI: agent routes need the Cognito ID token (API Gateway checks it before we run).
AGENT_SECURITY: list[dict[str, list[str]]] = [{"cognito": []}]
# OpenAPI 3.1 lets a bearer scheme name the roles an operation needs: routes only supervisors may use.
SUPERVISOR_SECURITY: list[dict[str, list[str]]] = [{"cognito": [Role.SUPERVISOR.value]}]


def current_caller(router: Router, allowed: frozenset[Role] = AGENTS) -> Caller:
    event = cast("APIGatewayProxyEvent", router.current_event)
    return caller_from_claims(event.request_context.authorizer.claims, allowed=allowed)
