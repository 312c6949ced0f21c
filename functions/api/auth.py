"""Who is calling: the claims API Gateway's Cognito authorizer verified, and the groups they grant."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from shared.domain.ids import AgentId
from shared.errors import Forbidden, Unauthorized


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"


class Caller(BaseModel):
    agent_id: AgentId
    roles: frozenset[Role]


def _groups(raw: Any) -> set[str]:
    """Cognito groups arrive as a list, or as a string like "agent,supervisor" or "[agent supervisor]"."""
    if isinstance(raw, list):
        return {str(g) for g in raw}
    if isinstance(raw, str):
        return {g for g in raw.strip("[]").replace(",", " ").split() if g}
    return set()


def caller_from_claims(claims: dict[str, Any] | None, *, allowed: frozenset[Role]) -> Caller:
    if not claims or not claims.get("sub"):
        raise Unauthorized("sign in as an agent")
    roles = frozenset(Role(g) for g in _groups(claims.get("cognito:groups")) if g in Role._value2member_map_)
    if not roles & allowed:
        raise Forbidden("your role does not allow this")
    return Caller(agent_id=AgentId(str(claims["sub"])), roles=roles)
