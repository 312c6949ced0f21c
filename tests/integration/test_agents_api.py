"""The agent directory routing uses: who works which queues, who takes cases now."""

from __future__ import annotations

from infra.local.platform import EmbeddedPlatform


def test_agents_set_their_own_availability_and_supervisors_their_queues(platform: EmbeddedPlatform) -> None:
    agent, supervisor = platform.token("agent"), platform.token("supervisor")
    me = platform.agent_id("agent")

    assert platform.api("PUT", "/v1/agents/me", json_body={"available": True}, token=agent).status == 404
    created = platform.api(
        "PUT", f"/v1/agents/{me}", json_body={"name": "Mari", "queues": ["cards", "general", "cards"]}, token=supervisor
    )
    assert created.status == 200, created.body
    assert created.json()["queues"] == ["cards", "general"]
    assert created.json()["available"] is False

    available = platform.api("PUT", "/v1/agents/me", json_body={"available": True}, token=agent)
    assert available.status == 200
    assert available.json()["available"] is True
    refused = platform.api("PUT", "/v1/agents/me", json_body={"queues": ["vip"]}, token=agent)
    assert refused.status == 403
    assert refused.json()["error"]["code"] == "forbidden"

    listed = platform.api("GET", "/v1/agents", token=agent).json()["items"]
    assert [(a["agent_id"], a["queues"], a["available"], a["load"]) for a in listed] == [
        (me, ["cards", "general"], True, 0)
    ]


def test_bad_queue_names_and_unknown_fields_are_422s(platform: EmbeddedPlatform) -> None:
    supervisor = platform.token("supervisor")
    me = platform.agent_id("agent")
    for body in ({"queues": ["x" * 65]}, {"queues": ["Cards!"]}, {"queues": [""]}, {"colour": "blue"}):
        response = platform.api("PUT", f"/v1/agents/{me}", json_body=body, token=supervisor)
        assert response.status == 422, body
        assert response.json()["error"]["code"] == "validation_failed"
