"""Agent routes for the directory routing uses: queues and availability."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel

from functions.api.auth import Role
from functions.api.errors import error_responses
from functions.api.responses import success
from functions.api.routes.caller import AGENT_SECURITY, current_caller
from shared.bootstrap import container
from shared.domain.agents import AgentProfile, AgentUpdate
from shared.domain.ids import AgentId

router = Router()  # type: ignore[no-untyped-call]

AgentPath = Annotated[str, Path(min_length=1, max_length=128)]


class ListAgentsResponse(BaseModel):
    items: list[AgentProfile]


@router.get(
    "/v1/agents",
    summary="Agents with their queues, availability and load (active cases)",
    responses=success(ListAgentsResponse) | error_responses(401, 403),
    security=AGENT_SECURITY,
    tags=["agents"],
)
def list_agents() -> ListAgentsResponse:
    current_caller(router)
    return ListAgentsResponse(items=container().agent_directory.list())


@router.put(
    "/v1/agents/<agent_id>",
    summary="Change an agent's availability (yourself: `me`), or as a supervisor their name and queues",
    responses=success(AgentProfile) | error_responses(400, 401, 403, 404, 422),
    security=AGENT_SECURITY,
    tags=["agents"],
)
def update_agent(agent_id: AgentPath, update: AgentUpdate) -> AgentProfile:
    caller = current_caller(router)
    target = caller.agent_id if agent_id == "me" else AgentId(agent_id)
    return container().agent_directory.update(
        target, update, by=caller.agent_id, supervisor=Role.SUPERVISOR in caller.roles
    )
