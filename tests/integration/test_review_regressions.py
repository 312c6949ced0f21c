"""Edge cases found in review, each one now a test through the real handlers."""

from __future__ import annotations

import base64
import json
from email import policy
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


def test_a_stranger_copying_the_case_reference_gets_a_case_of_their_own(
    platform: EmbeddedPlatform, agent_token: str
) -> None:
    victim = submit(platform, email="victim@example.ee", subject="My account")
    reference = victim["reference"]

    hijack = platform.ingest_email(_mail("attacker@evil.example", f"Re: My account [{reference}]", "Send me the data"))

    assert hijack.outcome == "new_case"
    assert hijack.case_id != victim["case_id"]
    reply = platform.api(
        "POST", f"/v1/cases/{victim['case_id']}/replies", json_body={"text": "Hello"}, token=agent_token
    ).json()
    assert reply["to"] == ["victim@example.ee"]


def test_the_case_customer_may_thread_by_reference_alone(platform: EmbeddedPlatform) -> None:
    opened = submit(platform, email="owner@example.ee", subject="Card")

    answer = platform.ingest_email(_mail("Owner@Example.EE", f"Re: Card [{opened['reference']}]", "More details"))

    assert (answer.outcome, answer.case_id) == ("added_to_case", opened["case_id"])


def test_a_reply_is_recorded_as_sent_and_threads_by_the_id_ses_gave_it(
    platform: EmbeddedPlatform, agent_token: str
) -> None:
    opened = submit(platform, email="liis@example.ee", subject="Fees")

    reply = platform.api(
        "POST", f"/v1/cases/{opened['case_id']}/replies", json_body={"text": "No fees."}, token=agent_token
    ).json()

    assert reply["delivery_status"] == "sent"
    [ses_id] = reply["alias_ids"]
    assert ses_id.endswith(f"@{platform.settings.region}.amazonses.com")
    answer = platform.ingest_email(_mail_replying("liis@example.ee", "Re: Fees", "Thanks", in_reply_to=ses_id))
    assert (answer.outcome, answer.case_id) == ("added_to_case", opened["case_id"])


def test_a_reply_ses_refuses_is_kept_as_failed_and_the_agent_is_told(
    platform: EmbeddedPlatform, agent_token: str
) -> None:
    opened = submit(platform, email="liis@example.ee")
    platform.ses_client.delete_identity(Identity="tugi.example")

    response = platform.api(
        "POST", f"/v1/cases/{opened['case_id']}/replies", json_body={"text": "Hello"}, token=agent_token
    )

    assert (response.status, response.json()["error"]["code"]) == (422, "email_rejected")
    messages = platform.api("GET", f"/v1/cases/{opened['case_id']}", token=agent_token).json()["messages"]
    assert [m["delivery_status"] for m in messages if m["direction"] == "outbound"] == ["failed"]


def test_the_intake_log_keeps_what_the_first_run_did(platform: EmbeddedPlatform) -> None:
    raw = _mail("first@example.ee", "Hello", "Body")
    first = platform.ingest_email(raw)

    replay = platform.ingest_email(raw)

    logged = bootstrap.container().email_intake.intake_log.get(platform.store_raw_mail(raw))
    assert (first.outcome, replay.outcome) == ("new_case", "duplicate")
    assert logged is not None
    assert (logged.outcome, logged.case_id, logged.last_outcome) == ("new_case", first.case_id, "duplicate")


def test_attachments_of_mail_ses_found_a_virus_in_are_not_stored(platform: EmbeddedPlatform, agent_token: str) -> None:
    message = EmailMessage()
    message["From"] = "infected@example.ee"
    message["Subject"] = "Invoice"
    message["Message-ID"] = "<virus-1@example.ee>"
    message["X-SES-Virus-Verdict"] = "FAIL"
    message.set_content("See attached")
    message.add_attachment(b"%PDF-1.4 evil", maintype="application", subtype="pdf", filename="invoice.pdf")

    result = platform.ingest_email(bytes(message))

    [stored] = platform.api("GET", f"/v1/cases/{result.case_id}", token=agent_token).json()["messages"]
    assert stored["attachments"] == []
    assert [(r["filename"], r["reason"]) for r in stored["rejected_attachments"]] == [("invoice.pdf", "virus")]


def test_attachment_keys_never_carry_the_customers_file_name(platform: EmbeddedPlatform, agent_token: str) -> None:
    message = EmailMessage()
    message["From"] = "files@example.ee"
    message["Subject"] = "Documents"
    message["Message-ID"] = "<files-1@example.ee>"
    message.set_content("Attached")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="Mari Maasikas passport.PDF")

    result = platform.ingest_email(bytes(message))

    [attachment] = platform.api("GET", f"/v1/cases/{result.case_id}", token=agent_token).json()["messages"][0][
        "attachments"
    ]
    assert attachment["filename"] == "Mari Maasikas passport.PDF"
    assert "Maasikas" not in attachment["key"]
    assert attachment["key"].endswith(".pdf")


def test_customers_are_found_by_phone_when_the_email_is_unknown(platform: EmbeddedPlatform, agent_token: str) -> None:
    customer_id = submit(platform, email="kai@example.ee", phone="+37255512345")["customer_id"]

    found = platform.api(
        "GET", "/v1/customers", query={"email": "other@example.ee", "phone": "55512345"}, token=agent_token
    )

    assert found.json()["customer"]["customer_id"] == customer_id


def test_unmerging_an_unknown_customer_is_404(platform: EmbeddedPlatform, agent_token: str) -> None:
    response = platform.api("POST", "/v1/customers/cus_nobody/unmerge", token=agent_token)

    assert (response.status, response.json()["error"]["code"]) == (404, "customer_not_found")


def _mail_replying(sender: str, subject: str, body: str, *, in_reply_to: str) -> bytes:
    message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))  # as mail clients write long ids
    message["From"] = sender
    message["To"] = "support@tugi.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<reply-{abs(hash(in_reply_to))}@example.ee>"
    message["In-Reply-To"] = f"<{in_reply_to}>"
    message.set_content(body)
    return bytes(message)
