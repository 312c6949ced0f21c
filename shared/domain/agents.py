"""Agents as routing sees them: the queues they work, whether they take cases now, and their load."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from shared.domain.ids import AgentId

QueueName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class AgentProfile(BaseModel):
    agent_id: AgentId
    name: str = Field(default="", max_length=200)
    queues: list[str] = []
    available: bool = False
    load: int = Field(default=0, description="Active cases assigned; kept by the case stream")


class AgentUpdate(BaseModel):
    """What an agent (availability) or a supervisor (also name and queues) may change."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    queues: list[QueueName] | None = Field(default=None, max_length=50)
    available: StrictBool | None = None


def least_loaded(agents: Iterable[AgentProfile], queue: str) -> AgentProfile | None:
    """The available agent of `queue` with the fewest active cases; ties go to the lowest id (stable)."""
    candidates = [a for a in agents if a.available and queue in a.queues]
    return min(candidates, key=lambda a: (a.load, a.agent_id), default=None)
