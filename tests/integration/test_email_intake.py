"""Real emails through the real intake handler (SES → S3 → SQS → Lambda) on moto."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest

from infra.local.platform import EmbeddedPlatform
from shared.domain.mail_parser import parse_email
from tests.conftest import EMAILS
from tests.integration.helpers import sent_emails

OUTCOMES = {"new_case", "added_to_case", "auto_reply", "bounce", "duplicate", "rejected"}
ALL_EMAILS = sorted(EMAILS.glob("*.eml"))


def _items(platform: EmbeddedPlatform) -> list[dict[str, Any]]:
    """Every item but the intake log (which records the latest outcome of each raw object)."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": platform.settings.table_name}
    while True:
        page = platform.dynamodb.scan(**kwargs)
        items += [i for i in page["Items"] if not i["PK"]["S"].startswith("INTAKE#")]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _case(platform: EmbeddedPlatform, case_id: str) -> dict[str, Any]:
    response = platform.api("GET", f"/v1/cases/{case_id}", token=platform.token("agent"))
    assert response.status == 200, response.body
    result: dict[str, Any] = response.json()
    return result


def test_every_real_email_ends_in_one_outcome_and_a_replay_creates_nothing(platform: EmbeddedPlatform) -> None:
    assert len(ALL_EMAILS) >= 30
    first = {path.name: platform.ingest_email(path.read_bytes()) for path in ALL_EMAILS}

    assert {name: r.outcome for name, r in first.items() if r.outcome not in OUTCOMES} == {}
    for name, result in first.items():
        category = name.split("-", 1)[0]
        if category == "bounce":
            assert result.outcome == "bounce", name
        elif category == "autoreply":
            assert result.outcome == "auto_reply", name
        elif result.outcome in {"new_case", "added_to_case"}:
            assert result.case_id, name
            assert result.customer_id, name
    stored = _items(platform)

    replay = {path.name: platform.ingest_email(path.read_bytes()) for path in ALL_EMAILS}

    assert {name: r.outcome for name, r in replay.items()} == dict.fromkeys(first, "duplicate")
    assert _items(platform) == stored


def test_the_three_thread_messages_land_on_one_case(platform: EmbeddedPlatform) -> None:
    results = [
        platform.ingest_email((EMAILS / f).read_bytes())
        for f in (
            "thread1-mail-rfc2822_example05.eml",
            "thread2-mail-rfc2822_example06.eml",
            "thread3-mail-rfc2822_example07.eml",
        )
    ]

    assert [r.outcome for r in results] == ["new_case", "added_to_case", "added_to_case"]
    assert len({r.case_id for r in results}) == 1
    case = _case(platform, str(results[0].case_id))
    assert len(case["messages"]) == 3
    # Two people wrote (John and Mary); the thread stays on the customer who opened it.
    assert {m["customer_id"] for m in case["messages"]} == {case["customer_id"]}


def test_a_customer_reply_to_our_answer_threads_into_the_open_case(platform: EmbeddedPlatform) -> None:
    opened = platform.ingest_email(_mail("Where is my card?", "I ordered it last week."))
    agent = platform.token("agent")
    reply = platform.api(
        "POST", f"/v1/cases/{opened.case_id}/replies", json_body={"text": "It is on its way."}, token=agent
    ).json()

    answer = platform.ingest_email(_mail("Re: Where is my card?", "Thanks!", in_reply_to=reply["external_id"]))

    assert answer.outcome == "added_to_case"
    assert answer.case_id == opened.case_id
    assert _case(platform, str(opened.case_id))["status"] == "open"


def test_the_case_reference_in_the_subject_threads_a_reply_without_headers(platform: EmbeddedPlatform) -> None:
    opened = platform.ingest_email(_mail("Loan question", "What is the rate?"))
    reference = _case(platform, str(opened.case_id))["reference"]

    answer = platform.ingest_email(_mail(f"Re: Loan question [{reference}]", "Also, the term?"))

    assert (answer.outcome, answer.case_id) == ("added_to_case", opened.case_id)


def test_a_reply_to_a_resolved_case_reopens_it_and_to_a_closed_case_opens_a_follow_up(
    platform: EmbeddedPlatform,
) -> None:
    agent = platform.token("agent")
    opened = platform.ingest_email(_mail("Fee", "Why this fee?", message_id="fee-1@example.ee"))
    platform.api("PATCH", f"/v1/cases/{opened.case_id}", json_body={"version": 1, "status": "resolved"}, token=agent)

    reopened = platform.ingest_email(
        _mail("Re: Fee", "Still there", message_id="fee-2@example.ee", in_reply_to="fee-1@example.ee")
    )

    assert (reopened.outcome, reopened.case_id) == ("added_to_case", opened.case_id)
    case = _case(platform, str(opened.case_id))
    assert case["status"] == "open"
    assert "reopened" in [e["kind"] for e in case["events"]]

    platform.api(
        "PATCH", f"/v1/cases/{opened.case_id}", json_body={"version": case["version"], "status": "closed"}, token=agent
    )
    follow_up = platform.ingest_email(
        _mail("Re: Fee", "Again", message_id="fee-3@example.ee", in_reply_to="fee-2@example.ee")
    )

    assert follow_up.outcome == "new_case"
    assert follow_up.case_id != opened.case_id
    assert _case(platform, str(follow_up.case_id))["follow_up_of"] == opened.case_id


def test_auto_replies_never_open_a_case_and_are_never_answered(platform: EmbeddedPlatform) -> None:
    for name in ("autoreply-sisimai-rfc3834-01.eml", "autoreply-chatwoot-non_utf_encoded_mail.eml"):
        assert platform.ingest_email((EMAILS / name).read_bytes()).outcome == "auto_reply"
    out_of_office = _mail("Automatic reply: Where is my card?", "I am away until Monday.")

    assert platform.ingest_email(out_of_office).outcome == "auto_reply"
    assert not [i for i in _items(platform) if i.get("type", {}).get("S") == "case"]
    assert sent_emails(platform) == []


def test_an_auto_reply_to_our_answer_shows_on_the_case_without_changing_it(platform: EmbeddedPlatform) -> None:
    opened = platform.ingest_email(_mail("Statement", "Please send it."))
    agent = platform.token("agent")
    reply = platform.api(
        "POST", f"/v1/cases/{opened.case_id}/replies", json_body={"text": "Attached."}, token=agent
    ).json()
    status_before = _case(platform, str(opened.case_id))["status"]

    auto = platform.ingest_email(
        _mail(
            "Automatic reply: Statement",
            "Out of office",
            in_reply_to=reply["external_id"],
            extra_headers="Auto-Submitted: auto-replied\n",
        )
    )

    assert (auto.outcome, auto.case_id) == ("auto_reply", opened.case_id)
    case = _case(platform, str(opened.case_id))
    assert case["status"] == status_before
    assert any(m["auto_reply"] for m in case["messages"])
    assert len(sent_emails(platform)) == 1


@pytest.mark.parametrize("bounce_file", ["bounce-sisimai-lhost-amazonses-01.eml", "bounce-cpython-msg_16.txt.eml"])
def test_a_bounce_marks_our_outbound_message_bounced(platform: EmbeddedPlatform, bounce_file: str) -> None:
    opened = platform.ingest_email(_mail("Address change", "New address please."))
    reply = platform.api(
        "POST", f"/v1/cases/{opened.case_id}/replies", json_body={"text": "Done."}, token=platform.token("agent")
    ).json()
    dsn = (EMAILS / bounce_file).read_bytes()
    original = _original_id(dsn, bounce_file)
    # The real DSN, returned for the message we sent.
    ours = dsn.replace(original.encode(), reply["external_id"].encode())

    result = platform.ingest_email(ours)

    assert (result.outcome, result.case_id) == ("bounce", opened.case_id)
    case = _case(platform, str(opened.case_id))
    [outbound] = [m for m in case["messages"] if m["direction"] == "outbound"]
    assert outbound["delivery_status"] == "bounced"
    assert "message_bounced" in [e["kind"] for e in case["events"]]


def test_a_delay_warning_marks_the_message_delayed_not_bounced(platform: EmbeddedPlatform) -> None:
    opened = platform.ingest_email(_mail("Limit", "Raise my limit."))
    reply = platform.api(
        "POST", f"/v1/cases/{opened.case_id}/replies", json_body={"text": "Raised."}, token=platform.token("agent")
    ).json()
    dsn = (EMAILS / "bounce-mail-report_422.eml").read_bytes()
    ours = dsn.replace(
        b"15655788.13.1200472642578.JavaMail.Administrator@mail.ttttt.com.au", reply["external_id"].encode()
    )

    assert platform.ingest_email(ours).outcome == "bounce"
    [outbound] = [m for m in _case(platform, str(opened.case_id))["messages"] if m["direction"] == "outbound"]
    assert outbound["delivery_status"] == "delayed"


def test_malformed_mail_is_flagged_kept_and_visible_to_agents(platform: EmbeddedPlatform) -> None:
    raw = (EMAILS / "malformed-relay-duplicate_mime_version_incoming.eml").read_bytes()

    result = platform.ingest_email(raw)

    assert result.outcome == "new_case"
    [message] = _case(platform, str(result.case_id))["messages"]
    assert message["malformed"] is True
    assert message["defects"]
    kept = platform.s3.get_object(Bucket=platform.settings.raw_mail_bucket, Key=message["raw_key"])["Body"].read()
    assert kept == raw


def test_mail_without_a_sender_waits_for_a_person_instead_of_being_lost(platform: EmbeddedPlatform) -> None:
    raw = (EMAILS / "malformed-mail-bad_encoded_subject.eml").read_bytes()

    result = platform.ingest_email(raw)

    assert result.outcome == "new_case"
    case = _case(platform, str(result.case_id))
    assert case["queue"] == "needs_attention"
    [message] = case["messages"]
    assert message["malformed"] is True
    kept = platform.s3.get_object(Bucket=platform.settings.raw_mail_bucket, Key=message["raw_key"])["Body"].read()
    assert kept == raw
    waiting = platform.api("GET", "/v1/cases", query={"queue": "needs_attention"}, token=platform.token("agent"))
    assert [c["case_id"] for c in waiting.json()["items"]] == [result.case_id]


def test_mail_from_our_own_address_is_rejected_so_it_cannot_loop(platform: EmbeddedPlatform) -> None:
    result = platform.ingest_email(_mail("Re: x", "loop", sender="support@tugi.example"))

    assert (result.outcome, result.case_id) == ("rejected", None)
    assert "loop" in str(result.reason)


def test_attachments_are_stored_and_reply_text_is_separated(platform: EmbeddedPlatform) -> None:
    result = platform.ingest_email((EMAILS / "attachment-mail-attachment_pdf.eml").read_bytes())
    [message] = _case(platform, str(result.case_id))["messages"]
    [attachment] = message["attachments"]

    stored = platform.s3.get_object(Bucket=platform.settings.attachments_bucket, Key=attachment["key"])

    assert attachment["content_type"] == "application/pdf"
    assert stored["ContentLength"] == attachment["size"] > 0

    quoted = platform.ingest_email((EMAILS / "reply-talon-gmail.eml").read_bytes())
    [reply] = _case(platform, str(quoted.case_id))["messages"]
    assert len(reply["reply_text"]) < len(reply["text"])


def test_oversized_and_dangerous_attachments_are_refused_but_listed() -> None:
    with EmbeddedPlatform(env={"TUGI_MAX_ATTACHMENT_BYTES": "1000"}) as platform:
        pdf = platform.ingest_email((EMAILS / "attachment-mail-attachment_pdf.eml").read_bytes())
        exe = platform.ingest_email(_mail("Invoice", "See attached", attachment=("invoice.exe", b"MZ" + b"\0" * 10)))

        [big] = _case(platform, str(pdf.case_id))["messages"]
        [bad] = _case(platform, str(exe.case_id))["messages"]

    assert big["attachments"] == []
    assert [(r["filename"], r["reason"]) for r in big["rejected_attachments"]] == [("broken.pdf", "too_large")]
    assert [(r["filename"], r["reason"]) for r in bad["rejected_attachments"]] == [("invoice.exe", "blocked_type")]


# --- helpers -------------------------------------------------------------------------------

_counter = iter(range(1_000_000))


def _mail(
    subject: str,
    body: str,
    *,
    sender: str = "liis@example.ee",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    extra_headers: str = "",
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = f"Liis Kask <{sender}>"
    message["To"] = "support@tugi.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id or f'test-{next(_counter)}@example.ee'}>"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    for line in extra_headers.splitlines():
        name, _, value = line.partition(":")
        message[name.strip()] = value.strip()
    message.set_content(body)
    if attachment:
        message.add_attachment(attachment[1], maintype="application", subtype="x-msdownload", filename=attachment[0])
    return bytes(message)


def _original_id(dsn: bytes, name: str) -> str:
    bounce = parse_email(dsn).bounce
    assert bounce, name
    assert bounce.original_message_ids, name
    return bounce.original_message_ids[0]
