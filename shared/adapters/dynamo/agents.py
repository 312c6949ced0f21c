"""DynamoAgentStore: agent profiles in one partition (a contact center has hundreds, not millions)."""

from __future__ import annotations

from shared.adapters.dynamo import keys
from shared.adapters.dynamo.table import ConditionFailed, DynamoTable, Item
from shared.domain.agents import AgentProfile
from shared.domain.ids import AgentId, CaseId


class DynamoAgentStore:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def list_agents(self) -> list[AgentProfile]:
        items = self.table.query_all("PK = :pk", {":pk": keys.AGENTS})
        return [_profile(i) for i in items]

    def get_agent(self, agent_id: AgentId) -> AgentProfile | None:
        item = self.table.get(keys.AGENTS, keys.agent_sk(agent_id), consistent=True)
        return _profile(item) if item else None

    def put_agent(self, profile: AgentProfile) -> None:
        """Name, queues and availability; the load is the stream's to keep, so it is never overwritten."""
        self.table.update(
            keys.AGENTS,
            keys.agent_sk(profile.agent_id),
            "SET #type = :type, agent_id = :id, #name = :name, queues = :queues, available = :available",
            {
                ":type": "agent",
                ":id": profile.agent_id,
                ":name": profile.name,
                ":queues": profile.queues,
                ":available": profile.available,
            },
            names={"#type": "type", "#name": "name"},
        )

    def track_case(self, agent_id: AgentId, case_id: CaseId, *, active: bool) -> None:
        """A set of case ids, not a counter: the stream delivers at least once, and a set add is idempotent."""
        try:
            self.table.update(
                keys.AGENTS,
                keys.agent_sk(agent_id),
                f"{'ADD' if active else 'DELETE'} active_cases :case",
                {":case": {case_id}},
                condition="attribute_exists(PK)",
            )
        except ConditionFailed:
            return  # not a routable agent (an admin, a deleted profile): nothing to count


def _profile(item: Item) -> AgentProfile:
    return AgentProfile.model_validate(item | {"load": len(item.get("active_cases") or ())})
