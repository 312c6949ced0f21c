"""Edge cases found in review, each one now a test through the real handlers."""

from __future__ import annotations

import base64
import json
from email.message import EmailMessage

import pytest

from infra.local.platform import EmbeddedPlatform
from shared import bootstrap
from shared.adapters.dynamo.table import encode_cursor
from shared.domain.ids import CustomerId
from shared.domain.merge import MergeState
from tests.integration.helpers import submit


def _mail(sender: str, subject: str, body: str, name: str = "Someone") -> bytes:
    message = EmailMessage()
    message["From"] = f'"{name}" <{sender}>'
    message["To"] = "support@tugi.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash((sender, subject, body)))}@example.ee>"
    message.set_content(body)
    return bytes(message)


def test_an_agent_change_read_before_a_merge_does_not_undo_the_move(
    platform: EmbeddedPlatform, agent_token: str
) -> None:
    a = submit(platform, email="a@example.ee")
    b = submit(platform, email="b@example.ee")
    read_before = platform.api("GET", f"/v1/cases/{b['case_id']}", token=agent_token).json()
    platform.api(
        "POST",
        f"/v1/customers/{a['customer_id']}/merge",
        json_body={"source_customer_id": b["customer_id"]},
        token=agent_token,
    )

    stale = platform.api(
        "PATCH",
        f"/v1/cases/{b['case_id']}",
        json_body={"version": read_before["version"], "priority": "high"},
        token=agent_token,
    )

    assert stale.status == 409
    assert platform.api("GET", f"/v1/cases/{b['case_id']}", token=agent_token).json()["customer_id"] == a["customer_id"]


def test_a_contact_arriving_during_an_unmerge_ends_on_the_unmerged_customer(
    platform: EmbeddedPlatform, agent_token: str
) -> None:
    a = submit(platform, email="a@example.ee")
    b = submit(platform, email="b@example.ee")
    platform.api(
        "POST",
        f"/v1/customers/{a['customer_id']}/merge",
        json_body={"source_customer_id": b["customer_id"]},
        token=agent_token,
    )
    customers = bootstrap.container().customers
    record = customers.customers.get_merge(CustomerId(b["customer_id"]))
    assert record is not None
    # The unmerge has started (first step only): a contact through B's address arrives now.
    customers.customers.begin_unmerge(record.model_copy(update={"state": MergeState.UNMERGING}))
    during = submit(platform, email="b@example.ee", subject="During the unmerge")

    platform.api("POST", f"/v1/customers/{b['customer_id']}/unmerge", token=agent_token)

    case = platform.api("GET", f"/v1/cases/{during['case_id']}", token=agent_token).json()
    assert case["customer_id"] == b["customer_id"]


def test_a_sender_with_a_very_long_display_name_still_gets_a_case(platform: EmbeddedPlatform) -> None:
    result = platform.ingest_email(_mail("long@example.ee", "Hello", "Body", name="Mari " + "Maasikas-" * 60))

    assert result.outcome == "new_case"


def test_a_huge_message_is_cut_to_fit_one_item_and_flagged(platform: EmbeddedPlatform, agent_token: str) -> None:
    body = "Привет, мир! " * 20_000  # ~440 KB of mostly two-byte characters

    result = platform.ingest_email(_mail("big@example.ee", "Long letter", body))

    assert result.outcome == "new_case"
    [message] = platform.api("GET", f"/v1/cases/{result.case_id}", token=agent_token).json()["messages"]
    assert message["truncated"] is True
    assert len(message["text"].encode()) <= 300_000


def test_forged_cursors_are_refused_with_a_code(platform: EmbeddedPlatform, agent_token: str) -> None:
    customer_id = submit(platform)["customer_id"]
    forged = [
        ("/v1/cases", encode_cursor({"GSI2PK": "QUEUE#general"})),
        (f"/v1/customers/{customer_id}/timeline", encode_cursor({"GSI1PK": f"TIMELINE#{customer_id}"})),
    ]
    for path, cursor in forged:
        response = platform.api("GET", path, query={"cursor": str(cursor)}, token=agent_token)
        assert (response.status, response.json()["error"]["code"]) == (422, "invalid_cursor"), path


@pytest.mark.parametrize(
    ("body", "encoded"),
    [
        (base64.b64encode(b'{"name": "\xff\xfe"}').decode(), True),
        ("!!not base64!!", True),
        ("[" * 100_000, False),
    ],
    ids=["base64 of non-UTF-8", "invalid base64", "deeply nested JSON"],
)
def test_undecodable_bodies_are_a_400_not_a_500(platform: EmbeddedPlatform, body: str, encoded: bool) -> None:
    from functions.api import public
    from infra.local.events import LambdaContext, rest_event

    event = rest_event("POST", "/v1/contacts", body=body, headers={"content-type": "application/json"})
    event["isBase64Encoded"] = encoded

    response = public.handler(event, LambdaContext())

    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"]["code"] == "malformed_request"


def test_unknown_fields_in_a_case_change_are_refused(platform: EmbeddedPlatform, agent_token: str) -> None:
    case_id = submit(platform)["case_id"]

    response = platform.api(
        "PATCH", f"/v1/cases/{case_id}", json_body={"version": 1, "customer_id": "cus_x"}, token=agent_token
    )

    assert response.status == 422
    assert response.json()["error"]["details"][0]["code"] == "extra_forbidden"
