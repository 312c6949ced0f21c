"""The local platform closes the email loop: mail reaches the intake the way SES delivers it (the raw object
in the bucket, S3's notification on the intake queue, the poller, the real handler), and the outbox shows
everything Tugi sent, from the table, whatever the channel."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from infra.local.outbox import links_in, read_outbox
from infra.local.platform import EmbeddedPlatform
from tests.integration.helpers import submit


@pytest.fixture
def queued() -> Iterator[EmbeddedPlatform]:
    with EmbeddedPlatform(email_queue=True) as running:
        yield running


def _mail(sender: str, subject: str, message_id: str) -> bytes:
    return (
        f"From: Piret <{sender}>\r\nTo: support@tugi.example\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nMy card is lost.\r\n"
    ).encode()


def test_mail_put_in_the_raw_mail_bucket_reaches_the_intake_through_the_queue(queued: EmbeddedPlatform) -> None:
    assert queued.mailbox is not None
    key, first = queued.mailbox.receive(_mail("piret@example.ee", "Lost card", "loop-1@mail.example"))
    _, again = queued.mailbox.receive(_mail("piret@example.ee", "Lost card", "loop-1@mail.example"))

    assert key.startswith("inbound/")
    assert first is not None
    assert first.outcome == "new_case"
    case = queued.api("GET", f"/v1/cases/{first.case_id}", token=queued.token("agent"))
    assert (case.status, case.json()["subject"]) == (200, "Lost card")
    assert again is not None
    assert (again.outcome, again.case_id) == ("duplicate", first.case_id)  # SES gives each delivery its own key


def test_a_message_the_intake_cannot_read_ends_in_the_dead_letter_queue(queued: EmbeddedPlatform) -> None:
    assert queued.intake_queue is not None
    sqs = queued._client("sqs")
    sqs.send_message(QueueUrl=queued.intake_queue.url, MessageBody=json.dumps({"not": "an S3 notification"}))

    deadline = time.monotonic() + 60
    moved: list[dict[str, str]] = []
    while not moved and time.monotonic() < deadline:
        moved = sqs.receive_message(QueueUrl=queued.intake_queue.dead_letter_url).get("Messages", [])
        time.sleep(0.2)

    assert [json.loads(m["Body"]) for m in moved] == [{"not": "an S3 notification"}]


def test_the_outbox_lists_every_outbound_message_newest_first_with_its_case_and_links(
    platform: EmbeddedPlatform, agent_token: str
) -> None:
    opened = submit(platform, email="Anu@Example.ee", subject="Card")
    other = submit(platform, email="someone@example.ee", subject="Other")
    for case_id, text in [(opened["case_id"], "First."), (other["case_id"], "Other."), (opened["case_id"], "Read "
                          "https://support.tugi.example/kb/card_lost, then https://x.example/a?b=1.")]:  # fmt: skip
        reply = platform.api("POST", f"/v1/cases/{case_id}/replies", json_body={"text": text}, token=agent_token)
        assert reply.status == 201, reply.body

    everything = read_outbox(platform.dynamodb, platform.settings.table_name)
    mine = read_outbox(platform.dynamodb, platform.settings.table_name, to="ANU@example.ee")

    assert [e.text[:6] for e in everything] == ["Read h", "Other.", "First."]
    assert [e.text[:6] for e in mine] == ["Read h", "First."]
    newest = mine[0]
    assert (newest.channel, newest.to, newest.status) == ("email", "anu@example.ee", "sent")
    assert (newest.case_id, newest.reference) == (opened["case_id"], opened["reference"])
    assert newest.subject == f"Re: Card [{opened['reference']}]"
    assert newest.links == ["https://support.tugi.example/kb/card_lost", "https://x.example/a?b=1"]
    assert newest.sent_at >= mine[1].sent_at


def test_the_outbox_shows_a_message_that_failed_with_its_status(platform: EmbeddedPlatform, agent_token: str) -> None:
    # Mail from an internationalised local part: SES takes no SMTPUTF8, so the reply cannot be sent.
    raw = (
        "From: j\u00fcri.outbox@example.ee\r\nTo: support@tugi.example\r\nSubject: Card\r\n"
        "Message-ID: <outbox-failed@example.ee>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBroken.\r\n"
    ).encode()
    case_id = platform.ingest_email(raw).case_id
    platform.api("POST", f"/v1/cases/{case_id}/replies", json_body={"text": "Hi"}, token=agent_token)

    [entry] = read_outbox(platform.dynamodb, platform.settings.table_name)

    assert (entry.status, entry.case_id) == ("failed", case_id)


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("See https://a.example/x.", ["https://a.example/x"]),
        ("(http://a.example/y) and <https://b.example/z>", ["http://a.example/y", "https://b.example/z"]),
        ("no link here", []),
    ],
)
def test_links_are_found_as_a_reader_would_click_them(text: str, links: list[str]) -> None:
    assert links_in(text) == links
