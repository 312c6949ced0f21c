"""Header-unsafe text from customers (line breaks, NUL, U+2028, ...) never reaches a header, and a mail
that cannot be built ends `failed` with a 422 for the agent, never a 500 or `queued` for ever."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email import policy
from typing import Any

import pytest

from infra.local.platform import EmbeddedPlatform
from shared.bootstrap import container
from shared.domain.case import CaseStatus
from shared.domain.events import EventKind
from tests.integration.helpers import sent_emails, submit
from tests.integration.workflow_helpers import ALWAYS_OPEN, SCALE, case, wait_for

INJECTED = "Card arrived broken\r\nBcc: evil@example.com"
HEADERS_WE_WRITE = {"from", "to", "subject", "date", "message-id", "auto-submitted", "content-type",
                    "content-transfer-encoding", "mime-version", "in-reply-to", "references"}  # fmt: skip


def _reply(platform: EmbeddedPlatform, case_id: str, token: str) -> Any:
    return platform.api("POST", f"/v1/cases/{case_id}/replies", json_body={"text": "We sent a new one."}, token=token)


def _outbound(platform: EmbeddedPlatform, case_id: str, token: str) -> list[str]:
    messages = platform.api("GET", f"/v1/cases/{case_id}", token=token).json()["messages"]
    return [m["delivery_status"] for m in messages if m["direction"] == "outbound"]


def _mail_from_an_address_we_cannot_mail(platform: EmbeddedPlatform) -> str:
    """A case opened by mail from an internationalised local part: SES takes no SMTPUTF8, so no reply can go."""
    raw = (
        "From: J\u00fcri <j\u00fcri@example.ee>\r\nTo: support@tugi.example\r\nSubject: Card\r\n"
        "Message-ID: <smtputf8-1@example.ee>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMy card is broken.\r\n"
    ).encode()
    outcome = platform.ingest_email(raw)
    assert outcome.outcome == "new_case", outcome
    assert outcome.case_id is not None
    return outcome.case_id


def _mime(sent: Any) -> email.message.EmailMessage:
    parsed = email.message_from_string(sent.raw_data, policy=policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_a_line_break_in_a_web_form_subject_is_folded_and_the_reply_goes_to_the_customer_only(
    platform: EmbeddedPlatform, agent_token: str
) -> None:
    opened = submit(platform, email="kadri@example.ee", subject=INJECTED)

    response = _reply(platform, opened["case_id"], agent_token)

    assert response.status == 201, response.body
    [sent] = sent_emails(platform)
    mime = _mime(sent)
    assert {name.lower() for name in mime} <= HEADERS_WE_WRITE
    assert mime["Subject"] == f"Re: Card arrived broken Bcc: evil@example.com [{opened['reference']}]"
    assert set(sent.destinations) == {"kadri@example.ee"}  # moto lists the API's destinations and the To header
    assert _outbound(platform, opened["case_id"], agent_token) == ["sent"]
    shown = platform.api("GET", f"/v1/cases/{opened['case_id']}", token=agent_token).json()
    assert shown["subject"] == "Card arrived broken Bcc: evil@example.com"


def _raw_mail(sender: str, encoded_subject: str) -> bytes:
    return (
        f"From: Tiit <{sender}>\r\nTo: support@tugi.example\r\nSubject: {encoded_subject}\r\n"
        f"Message-ID: <{abs(hash(encoded_subject))}@mail.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "My card arrived broken.\r\n"
    ).encode()


@pytest.mark.parametrize(
    "encoded_subject",
    [
        pytest.param("=?utf-8?q?Broken=0D=0ABcc=3A_evil=40example=2Ecom?=", id="crlf-in-an-encoded-word"),
        pytest.param("=?utf-8?q?Broken=00card?=", id="nul"),
        pytest.param("=?utf-8?b?QnJva2Vu4oCoQ2M6IGV2aWxAZXhhbXBsZS5jb20=?=", id="u2028-line-separator"),
        pytest.param("=?utf-8?b?QnJva2VuwoVDYzogZXZpbEBleGFtcGxlLmNvbQ==?=", id="u0085-next-line"),
        pytest.param("=?utf-8?q?Broken=1B=5B31m_red?=", id="escape-control"),
        pytest.param("=?utf-8?q?" + "Broken_card_" * 90 + "?=", id="over-a-thousand-characters"),
    ],
)
def test_an_email_subject_with_header_unsafe_text_still_gets_a_one_line_reply(
    platform: EmbeddedPlatform, agent_token: str, encoded_subject: str
) -> None:
    intake = platform.ingest_email(_raw_mail("tiit@example.ee", encoded_subject))
    assert intake.outcome == "new_case"
    assert intake.case_id

    response = _reply(platform, intake.case_id, agent_token)

    assert response.status == 201, response.body
    [sent] = sent_emails(platform)
    mime = _mime(sent)
    assert {name.lower() for name in mime} <= HEADERS_WE_WRITE
    subject = mime["Subject"]
    assert subject.isprintable()
    assert len(subject) <= 300
    assert subject.startswith("Re: Broken")
    assert _outbound(platform, intake.case_id, agent_token) == ["sent"]


def test_a_reply_that_cannot_be_built_ends_failed_and_the_agent_gets_a_422(
    platform: EmbeddedPlatform, agent_token: str
) -> None:
    # SES takes no internationalised local part (SMTPUTF8): encoding it would mail a made-up address.
    case_id = _mail_from_an_address_we_cannot_mail(platform)

    response = _reply(platform, case_id, agent_token)

    assert (response.status, response.json()["error"]["code"]) == (422, "email_unbuildable")
    assert sent_emails(platform) == []
    assert _outbound(platform, case_id, agent_token) == ["failed"]


def test_the_web_form_refuses_an_address_no_answer_can_reach(platform: EmbeddedPlatform) -> None:
    contact = {"name": "Jüri", "email": "jüri@example.ee", "subject": "Card", "message": "My card is broken."}

    response = platform.api("POST", "/v1/contacts", json_body=contact)

    assert response.status == 422
    assert [(d["field"], d["code"]) for d in response.json()["error"]["details"]] == [("email", "invalid_email")]


@pytest.fixture
def workflow_platform() -> Iterator[EmbeddedPlatform]:
    env = {"TUGI_BUSINESS_CALENDAR": ALWAYS_OPEN, "TUGI_LANGUAGES": '["en", "et"]'}
    with EmbeddedPlatform(env, workflow=True, time_scale=SCALE) as running:
        yield running


def _events(case_id: str) -> list[EventKind]:
    detail = container().case_store.get_case_detail(case_id)
    assert detail is not None
    return [e.kind for e in detail.events]


def test_the_acknowledgement_of_a_subject_with_a_line_break_is_sent(workflow_platform: EmbeddedPlatform) -> None:
    opened = submit(workflow_platform, email="maarja@example.ee", subject=INJECTED, message="My card is broken.")

    wait_for(lambda: EventKind.NOTICE_SENT in _events(opened["case_id"]), what="the acknowledgement")

    [ack] = sent_emails(workflow_platform)
    assert {name.lower() for name in _mime(ack)} <= HEADERS_WE_WRITE
    assert case(opened["case_id"]).queue != "needs_attention"


def test_an_acknowledgement_that_cannot_be_built_is_failed_once_and_the_case_goes_on(
    workflow_platform: EmbeddedPlatform,
) -> None:
    case_id = _mail_from_an_address_we_cannot_mail(workflow_platform)

    wait_for(lambda: case(case_id).status not in {CaseStatus.NEW, CaseStatus.TRIAGED}, what="routing")

    token = workflow_platform.token("agent")
    assert case(case_id).queue != "needs_attention"
    assert case(case_id).status == CaseStatus.OPEN, "never auto-answered: no answer could reach the customer"
    assert _outbound(workflow_platform, case_id, token) == ["failed"]
    assert sent_emails(workflow_platform) == []
