"""The agent directory: who works which queues and who takes cases now."""

from __future__ import annotations

from shared.domain.agents import AgentProfile, AgentUpdate
from shared.domain.ids import AgentId
from shared.errors import Forbidden, NotFound
from shared.ports import AgentStore


class AgentNotFound(NotFound):
    code = "agent_not_found"


class AgentDirectory:
    def __init__(self, agents: AgentStore) -> None:
        self.agents = agents

    def list(self) -> list[AgentProfile]:
        return sorted(self.agents.list_agents(), key=lambda a: (a.name.casefold(), a.agent_id))

    def update(self, agent_id: AgentId, update: AgentUpdate, *, by: AgentId, supervisor: bool) -> AgentProfile:
        """Agents change their own availability; supervisors anyone's name, queues and availability.

        A supervisor creates a profile by updating an agent who has none yet.
        """
        if not supervisor and (agent_id != by or update.name is not None or update.queues is not None):
            raise Forbidden("agents change only their own availability")
        current = self.agents.get_agent(agent_id)
        if current is None:
            if not supervisor:
                raise AgentNotFound("a supervisor has not set up your profile yet")
            current = AgentProfile(agent_id=agent_id)
        changed = current.model_copy(update=update.model_dump(exclude_none=True))
        changed.queues = sorted(set(changed.queues))
        self.agents.put_agent(changed)
        return changed
