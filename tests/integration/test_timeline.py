"""A timeline page is one Query, however long the history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from infra.local.platform import EmbeddedPlatform
from shared import bootstrap
from shared.adapters.dynamo.cases import message_item
from shared.adapters.dynamo.table import serialise
from shared.domain.channels import AuthorKind, Channel, Direction
from shared.domain.ids import CaseId, CustomerId, new_message_id
from shared.domain.message import Author, Message
from tests.integration.helpers import submit


def _history(platform: EmbeddedPlatform, case_id: str, customer_id: str, count: int) -> None:
    """Write `count` messages straight into the table (set-up, not the code under test)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = [
        message_item(
            Message(
                message_id=new_message_id(),
                case_id=CaseId(case_id),
                customer_id=CustomerId(customer_id),
                origin_customer_id=CustomerId(customer_id),
                channel=Channel.EMAIL,
                direction=Direction.INBOUND,
                author=Author(kind=AuthorKind.CUSTOMER),
                at=start + timedelta(minutes=n),
                text=f"message {n}",
            )
        )
        for n in range(count)
    ]
    for batch in range(0, len(items), 25):
        platform.dynamodb.batch_write_item(
            RequestItems={
                platform.settings.table_name: [
                    {"PutRequest": {"Item": serialise(i)}} for i in items[batch : batch + 25]
                ]
            }
        )


def test_a_page_of_a_1000_message_timeline_costs_one_query(platform: EmbeddedPlatform, agent_token: str) -> None:
    created = submit(platform)
    _history(platform, created["case_id"], created["customer_id"], 1000)
    calls: list[str] = []

    def count(event_name: str, **_: Any) -> None:
        calls.append(event_name.rsplit(".", 1)[-1])

    bootstrap.container().dynamodb.meta.events.register("before-call.dynamodb", count)
    path = f"/v1/customers/{created['customer_id']}/timeline"

    first = platform.api("GET", path, query={"limit": "50"}, token=agent_token).json()
    queries_for_first = calls.count("Query")
    second = platform.api("GET", path, query={"limit": "50", "cursor": first["next_cursor"]}, token=agent_token).json()

    assert queries_for_first == 1
    assert calls.count("Query") == 2
    entries = first["items"] + second["items"]
    assert len(entries) == 100
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    texts = [e["message"]["text"] for e in entries if e["type"] == "message"]
    assert texts[:3] == ["My card was blocked.", "message 999", "message 998"]
    assert len(set(texts)) == len(texts) == 99  # the 100th entry is the case_opened event


def test_a_case_too_big_for_one_answer_shows_its_newest_messages(platform: EmbeddedPlatform, agent_token: str) -> None:
    created = submit(platform)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    big = "x" * 250_000
    for n in range(30):  # ~7.5 MB of text: more than Lambda may answer
        message = Message(
            message_id=new_message_id(),
            case_id=CaseId(created["case_id"]),
            customer_id=CustomerId(created["customer_id"]),
            origin_customer_id=CustomerId(created["customer_id"]),
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            author=Author(kind=AuthorKind.CUSTOMER),
            at=start + timedelta(minutes=n),
            text=f"{n} {big}",
        )
        platform.dynamodb.put_item(TableName=platform.settings.table_name, Item=serialise(message_item(message)))

    response = platform.api("GET", f"/v1/cases/{created['case_id']}", token=agent_token)

    assert response.status == 200
    assert len(response.body) < 6_000_000
    case = response.json()
    assert case["omitted_messages"] > 0
    assert len(case["messages"]) + case["omitted_messages"] == 31
    assert case["messages"][-1]["text"] == "My card was blocked."  # the newest (the web form's) is shown
