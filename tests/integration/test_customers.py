"""One customer across contacts: concurrent first contacts, merge and unmerge through the agent API."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

from infra.local.events import LambdaContext
from infra.local.platform import EmbeddedPlatform
from shared import bootstrap
from shared.services.contacts import SubmitContactRequest
from tests.integration.helpers import submit


def _timeline_case_ids(platform: EmbeddedPlatform, customer_id: str, token: str) -> set[str]:
    items = platform.api("GET", f"/v1/customers/{customer_id}/timeline", query={"limit": "100"}, token=token).json()
    return {e["message"]["case_id"] for e in items["items"] if e["type"] == "message"}


def test_simultaneous_first_contacts_from_one_new_address_make_one_customer(platform: EmbeddedPlatform) -> None:
    # Each thread is one Lambda environment running the web form's service at the same moment.
    contenders = 8
    barrier = Barrier(contenders)
    form = bootstrap.container().contact_form
    bootstrap.container().once.register_lambda_context(LambdaContext())

    def contact(n: int) -> dict[str, Any]:
        request = SubmitContactRequest(
            name="New Person", email="new.person@example.ee", subject=f"Contact {n}", message="Hello"
        )
        barrier.wait()
        return form.submit(request).model_dump()

    with ThreadPoolExecutor(contenders) as pool:
        results = list(pool.map(contact, range(contenders)))

    assert len({r["customer_id"] for r in results}) == 1
    assert len({r["case_id"] for r in results}) == contenders
    customers = platform.dynamodb.scan(
        TableName=platform.settings.table_name,
        FilterExpression="#t = :customer",
        ExpressionAttributeNames={"#t": "type"},
        ExpressionAttributeValues={":customer": {"S": "customer"}},
    )
    assert customers["Count"] == 1


def test_merge_makes_one_timeline_and_unmerge_restores_both(platform: EmbeddedPlatform, agent_token: str) -> None:
    a = submit(platform, email="anna@example.ee", subject="From Anna")
    b = submit(platform, email="anna.work@firma.ee", subject="From Anna at work")

    merged = platform.api(
        "POST",
        f"/v1/customers/{a['customer_id']}/merge",
        json_body={"source_customer_id": b["customer_id"]},
        token=agent_token,
    )

    assert merged.status == 200
    assert merged.json()["state"] == "merged"
    assert _timeline_case_ids(platform, a["customer_id"], agent_token) == {a["case_id"], b["case_id"]}
    merged_away = platform.api("GET", f"/v1/customers/{b['customer_id']}/timeline", token=agent_token)
    assert (merged_away.status, merged_away.json()["error"]["code"]) == (409, "customer_merged")
    assert merged_away.json()["error"]["details"][0]["message"] == a["customer_id"]
    found = platform.api("GET", "/v1/customers", query={"email": "anna.work@firma.ee"}, token=agent_token).json()
    assert found["customer"]["customer_id"] == a["customer_id"]
    moved = platform.api("GET", f"/v1/cases/{b['case_id']}", token=agent_token).json()
    assert moved["customer_id"] == a["customer_id"]
    assert "customer_merged" in [e["kind"] for e in moved["events"]]

    later = submit(platform, email="anna.work@firma.ee", subject="After the merge")
    assert later["customer_id"] == a["customer_id"]

    unmerged = platform.api("POST", f"/v1/customers/{b['customer_id']}/unmerge", token=agent_token)

    assert unmerged.status == 200
    assert unmerged.json()["state"] == "unmerged"
    assert _timeline_case_ids(platform, a["customer_id"], agent_token) == {a["case_id"]}
    assert _timeline_case_ids(platform, b["customer_id"], agent_token) == {b["case_id"], later["case_id"]}
    found = platform.api("GET", "/v1/customers", query={"email": "anna.work@firma.ee"}, token=agent_token).json()
    assert found["customer"]["customer_id"] == b["customer_id"]
    assert found["customer"]["merged_into"] is None
    back = platform.api("GET", f"/v1/cases/{b['case_id']}", token=agent_token).json()
    assert [e["kind"] for e in back["events"]][-2:] == ["customer_merged", "customer_unmerged"]


def test_merge_and_unmerge_are_idempotent(platform: EmbeddedPlatform, agent_token: str) -> None:
    a = submit(platform, email="a@example.ee")
    b = submit(platform, email="b@example.ee")
    path = f"/v1/customers/{a['customer_id']}/merge"

    first = platform.api("POST", path, json_body={"source_customer_id": b["customer_id"]}, token=agent_token).json()
    second = platform.api("POST", path, json_body={"source_customer_id": b["customer_id"]}, token=agent_token).json()

    assert second["merge_id"] == first["merge_id"]
    case = platform.api("GET", f"/v1/cases/{b['case_id']}", token=agent_token).json()
    assert [e["kind"] for e in case["events"]].count("customer_merged") == 1

    undo = platform.api("POST", f"/v1/customers/{b['customer_id']}/unmerge", token=agent_token).json()
    again = platform.api("POST", f"/v1/customers/{b['customer_id']}/unmerge", token=agent_token).json()

    assert (undo["state"], again["state"]) == ("unmerged", "unmerged")
    assert again["unmerged_at"] == undo["unmerged_at"]


def test_merges_that_make_no_sense_are_refused(platform: EmbeddedPlatform, agent_token: str) -> None:
    a = submit(platform, email="a@example.ee")
    b = submit(platform, email="b@example.ee")
    c = submit(platform, email="c@example.ee")
    platform.api(
        "POST",
        f"/v1/customers/{a['customer_id']}/merge",
        json_body={"source_customer_id": b["customer_id"]},
        token=agent_token,
    )

    into_self = platform.api(
        "POST",
        f"/v1/customers/{a['customer_id']}/merge",
        json_body={"source_customer_id": a["customer_id"]},
        token=agent_token,
    )
    into_merged = platform.api(
        "POST",
        f"/v1/customers/{b['customer_id']}/merge",
        json_body={"source_customer_id": c["customer_id"]},
        token=agent_token,
    )
    elsewhere = platform.api(
        "POST",
        f"/v1/customers/{c['customer_id']}/merge",
        json_body={"source_customer_id": b["customer_id"]},
        token=agent_token,
    )
    never = platform.api("POST", f"/v1/customers/{c['customer_id']}/unmerge", token=agent_token)

    assert (into_self.status, into_self.json()["error"]["code"]) == (422, "merge_into_self")
    assert (into_merged.status, into_merged.json()["error"]["code"]) == (409, "merge_conflict")
    assert (elsewhere.status, elsewhere.json()["error"]["code"]) == (409, "merge_conflict")
    assert (never.status, never.json()["error"]["code"]) == (409, "not_merged")


def test_chained_merges_are_undone_last_first_and_each_case_goes_home(
    platform: EmbeddedPlatform, agent_token: str
) -> None:
    a = submit(platform, email="a@example.ee")
    b = submit(platform, email="b@example.ee")
    c = submit(platform, email="c@example.ee")

    def merge(target: dict[str, Any], source: dict[str, Any]) -> int:
        return platform.api(
            "POST",
            f"/v1/customers/{target['customer_id']}/merge",
            json_body={"source_customer_id": source["customer_id"]},
            token=agent_token,
        ).status

    def unmerge(source: dict[str, Any]) -> tuple[int, str | None]:
        response = platform.api("POST", f"/v1/customers/{source['customer_id']}/unmerge", token=agent_token)
        return response.status, response.json().get("error", {}).get("code")

    def owner(case: dict[str, Any]) -> str:
        return str(platform.api("GET", f"/v1/cases/{case['case_id']}", token=agent_token).json()["customer_id"])

    assert merge(a, b) == 200  # B into A
    assert merge(c, a) == 200  # A (with B inside) into C
    assert {owner(a), owner(b), owner(c)} == {c["customer_id"]}
    assert unmerge(b) == (409, "merge_conflict")  # A is merged into C: undo that first

    assert unmerge(a) == (200, None)
    assert (owner(a), owner(b), owner(c)) == (a["customer_id"], a["customer_id"], c["customer_id"])

    assert unmerge(b) == (200, None)
    assert (owner(a), owner(b), owner(c)) == (a["customer_id"], b["customer_id"], c["customer_id"])
