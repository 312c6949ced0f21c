"""The agent API through the real handler, with tokens from moto's Cognito checked like API Gateway does."""

from __future__ import annotations

import email
from email import policy

from infra.local.platform import EmbeddedPlatform
from tests.integration.helpers import sent_emails, submit


def test_requests_without_a_valid_token_are_refused(platform: EmbeddedPlatform) -> None:
    assert platform.api("GET", "/v1/cases").status == 401
    assert platform.api("GET", "/v1/cases", token="not-a-jwt").status == 401


def test_a_signed_in_user_without_an_agent_group_is_forbidden(platform: EmbeddedPlatform) -> None:
    platform.users.add_user("visitor@tugi.example", "Visitor-Passw0rd!", ())
    token = platform.users.id_token("visitor@tugi.example", "Visitor-Passw0rd!")

    response = platform.api("GET", "/v1/cases", token=token)

    assert response.status == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_cases_are_listed_by_queue_and_status_with_pagination(platform: EmbeddedPlatform, agent_token: str) -> None:
    opened = [submit(platform, subject=f"Question {n}")["case_id"] for n in range(5)]

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"queue": "general", "status": "new", "limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = platform.api("GET", "/v1/cases", query=query, token=agent_token).json()
        seen += [c["case_id"] for c in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert seen == opened  # oldest first
    assert pages >= 3
    other = platform.api("GET", "/v1/cases", query={"queue": "general", "status": "open"}, token=agent_token).json()
    assert other["items"] == []


def test_a_cursor_from_elsewhere_is_refused(platform: EmbeddedPlatform, agent_token: str) -> None:
    response = platform.api("GET", "/v1/cases", query={"cursor": "bm90LWEtY3Vyc29y"}, token=agent_token)

    assert response.status == 422
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_reading_a_case_shows_the_fields_agents_need(platform: EmbeddedPlatform, agent_token: str) -> None:
    created = submit(platform)

    case = platform.api("GET", f"/v1/cases/{created['case_id']}", token=agent_token).json()

    assert case["case_id"] == created["case_id"]
    assert case["customer_id"] == created["customer_id"]
    assert case["reference"] == created["reference"]
    assert (case["status"], case["priority"], case["version"]) == ("new", "normal", 1)
    assert [e["kind"] for e in case["events"]] == ["case_opened"]


def test_unknown_case_is_404_with_a_code(platform: EmbeddedPlatform, agent_token: str) -> None:
    response = platform.api("GET", "/v1/cases/case_nope", token=agent_token)

    assert response.status == 404
    assert response.json()["error"]["code"] == "case_not_found"


def test_changes_use_optimistic_locking(platform: EmbeddedPlatform, agent_token: str) -> None:
    case_id = submit(platform)["case_id"]

    changed = platform.api(
        "PATCH",
        f"/v1/cases/{case_id}",
        json_body={"version": 1, "status": "open", "priority": "high", "assignee": "agent-1"},
        token=agent_token,
    )
    stale = platform.api(
        "PATCH", f"/v1/cases/{case_id}", json_body={"version": 1, "priority": "low"}, token=agent_token
    )

    assert changed.status == 200
    assert (changed.json()["status"], changed.json()["priority"], changed.json()["assignee"]) == (
        "open",
        "high",
        "agent-1",
    )
    assert changed.json()["version"] == 2
    assert stale.status == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    case = platform.api("GET", f"/v1/cases/{case_id}", token=agent_token).json()
    assert case["priority"] == "high"
    assert {"status_changed", "priority_changed", "assigned"} <= {e["kind"] for e in case["events"]}


def test_an_impossible_status_change_is_a_conflict(platform: EmbeddedPlatform, agent_token: str) -> None:
    case_id = submit(platform)["case_id"]
    platform.api("PATCH", f"/v1/cases/{case_id}", json_body={"version": 1, "status": "closed"}, token=agent_token)

    response = platform.api(
        "PATCH", f"/v1/cases/{case_id}", json_body={"version": 2, "status": "open"}, token=agent_token
    )

    assert response.status == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_internal_notes_go_on_the_case_but_are_never_mailed(platform: EmbeddedPlatform, agent_token: str) -> None:
    case_id = submit(platform)["case_id"]

    response = platform.api(
        "POST", f"/v1/cases/{case_id}/notes", json_body={"text": "VIP, call back"}, token=agent_token
    )

    assert response.status == 201
    case = platform.api("GET", f"/v1/cases/{case_id}", token=agent_token).json()
    notes = [m for m in case["messages"] if m["channel"] == "note"]
    assert [(n["text"], n["direction"]) for n in notes] == [("VIP, call back", "internal")]
    assert sent_emails(platform) == []


def test_reply_by_email_threads_and_is_recorded(platform: EmbeddedPlatform, agent_token: str) -> None:
    created = submit(platform, subject="Card blocked")

    response = platform.api(
        "POST", f"/v1/cases/{created['case_id']}/replies", json_body={"text": "We unblocked it."}, token=agent_token
    )

    assert response.status == 201
    reply = response.json()
    [sent] = sent_emails(platform)
    mime = email.message_from_string(sent.raw_data, policy=policy.default)
    assert mime["To"] == "juri@example.ee"
    assert mime["Message-ID"] == f"<{reply['external_id']}>"
    assert f"[{created['reference']}]" in mime["Subject"]
    assert mime["Auto-Submitted"] == "no"
    case = platform.api("GET", f"/v1/cases/{created['case_id']}", token=agent_token).json()
    assert case["status"] == "awaiting_customer"
    assert any(m["direction"] == "outbound" and m["delivery_status"] == "sent" for m in case["messages"])


def test_customer_is_found_by_email_or_phone_in_any_spelling(platform: EmbeddedPlatform, agent_token: str) -> None:
    customer_id = submit(platform, email="Kati@Example.EE", phone="+372 5555 1234")["customer_id"]

    by_email = platform.api("GET", "/v1/customers", query={"email": "kati@EXAMPLE.ee"}, token=agent_token)
    by_phone = platform.api("GET", "/v1/customers", query={"phone": "55551234"}, token=agent_token)
    unknown = platform.api("GET", "/v1/customers", query={"email": "nobody@example.ee"}, token=agent_token)

    assert by_email.json()["customer"]["customer_id"] == customer_id
    assert by_phone.json()["customer"]["customer_id"] == customer_id
    assert unknown.status == 404
    assert unknown.json()["error"]["code"] == "customer_not_found"


def test_timeline_is_newest_first_across_cases(platform: EmbeddedPlatform, agent_token: str) -> None:
    first = submit(platform, subject="First")
    second = submit(platform, subject="Second")
    platform.api("POST", f"/v1/cases/{first['case_id']}/notes", json_body={"text": "later note"}, token=agent_token)

    timeline = platform.api("GET", f"/v1/customers/{first['customer_id']}/timeline", token=agent_token).json()

    ats = [entry["at"] for entry in timeline["items"]]
    assert ats == sorted(ats, reverse=True)
    messages = [e["message"] for e in timeline["items"] if e["type"] == "message"]
    assert messages[0]["text"] == "later note"
    assert {m["case_id"] for m in messages} == {first["case_id"], second["case_id"]}
