"""The contact workflow, executed by moto's Step Functions from infra/workflows/contact.asl.json with
the real handlers, and asserted on the table afterwards.

The platform clock is a `ManualClock`: it moves only when a test advances it, so whether a promise
broke is decided by platform time, never by how fast a loaded machine runs the workflow. The
business calendar is around the clock, so SLA targets are plain hours.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from infra.local.platform import EmbeddedPlatform
from shared.bootstrap import container
from shared.domain.case import CaseStatus, Priority
from shared.domain.clock import ManualClock
from shared.domain.events import EventKind
from tests.integration.helpers import sent_texts, submit
from tests.integration.workflow_helpers import (
    ALWAYS_OPEN,
    BILLING_QUESTION,
    PASSWORD_QUESTION,
    RULES_FILE,
    URGENT_AND_ANSWERABLE,
    case,
    change_case,
    execution,
    in_status,
    make_agent_available,
    wait_for,
    watch_asleep,
)

SHORT_SLA = {p.value: {"first_response": "PT2H", "next_response": "PT4H", "resolution": "PT24H"} for p in Priority} | {
    "urgent": {"first_response": "PT1H", "next_response": "PT2H", "resolution": "PT12H"}
}
BASE_ENV = {
    "TUGI_BUSINESS_CALENDAR": ALWAYS_OPEN,
    "TUGI_SLA_POLICIES": json.dumps({"by_priority": SHORT_SLA}),
    "TUGI_LANGUAGES": '["en", "et"]',
    "TUGI_SLA_MAX_SLEEP_SECONDS": "1800",
    # The paths under test, not answer quality: the keyword rules answer (tests/integration/test_learning_loop.py
    # runs triage on the knowledge base).
    "TUGI_ANSWER_RULES_FILE": str(RULES_FILE),
    "TUGI_AUTO_ANSWER_MIN_CONFIDENCE": "0.75",
}


def events(case_id: str) -> list[EventKind]:
    detail = container().case_store.get_case_detail(case_id)
    assert detail is not None
    return [e.kind for e in sorted(detail.events, key=lambda e: e.at)]


def start(env: dict[str, str] | None = None) -> EmbeddedPlatform:
    return EmbeddedPlatform(BASE_ENV | (env or {}), workflow=True, clock=ManualClock())


def advance(flow: EmbeddedPlatform, by: timedelta) -> None:
    assert flow.clock is not None
    flow.clock.advance(by)


@pytest.fixture
def flow() -> Iterator[EmbeddedPlatform]:
    with start() as running:
        yield running


def test_auto_answer_accepted_resolves_the_case(flow: EmbeddedPlatform) -> None:
    case_id = submit(flow, **PASSWORD_QUESTION)["case_id"]

    answered = wait_for(lambda: in_status(case_id, CaseStatus.AUTO_ANSWERED), what="the auto-answer")
    assert answered.contact_reason == "password_reset"
    assert answered.language == "en"
    assert answered.answer_id
    page = flow.api("GET", f"/v1/answers/{answered.answer_id}", headers={"accept": "text/html"})
    assert page.status == 200
    assert "Did our answer solve your problem?" in page.body
    assert f'action="{answered.answer_id}/solved"' in page.body, "relative: works behind any stage prefix"
    assert page.headers.get("Cache-Control") == "no-store"
    assert page.headers.get("Referrer-Policy") == "no-referrer"
    assert case(case_id).status == CaseStatus.AUTO_ANSWERED, "opening the link must change nothing"

    verdict = flow.api("POST", f"/v1/answers/{answered.answer_id}/solved")
    assert verdict.status == 200
    assert verdict.json() == {"outcome": "solved"}

    resolved = wait_for(lambda: in_status(case_id, CaseStatus.RESOLVED), what="the case to resolve")
    assert resolved.assignee is None
    assert wait_for(lambda: execution(flow, case_id)["status"] == "SUCCEEDED", what="the execution to succeed")
    texts = sent_texts(flow)
    assert any(answered.reference in t and "opened case" in t for t in texts), "acknowledgement with the reference"
    assert any("reset" in t.lower() and f"/v1/answers/{answered.answer_id}" in t for t in texts), "the answer"
    again = flow.api("POST", f"/v1/answers/{answered.answer_id}/not-solved")
    assert again.status == 409
    assert again.json()["error"]["code"] == "answer_already_given"


def test_auto_answer_rejected_routes_to_the_least_loaded_available_agent(flow: EmbeddedPlatform) -> None:
    agent = make_agent_available(flow, "agent", ["general"])
    supervisor = flow.agent_id("supervisor")
    flow.api(
        "PUT",
        f"/v1/agents/{supervisor}",
        json_body={"queues": ["general"], "available": False},
        token=flow.token("supervisor"),
    )
    case_id = submit(flow, **PASSWORD_QUESTION)["case_id"]
    answered = wait_for(lambda: in_status(case_id, CaseStatus.AUTO_ANSWERED), what="the auto-answer")

    assert flow.api("POST", f"/v1/answers/{answered.answer_id}/not-solved").status == 200

    routed = wait_for(lambda: (c := case(case_id)).assignee and c, what="the assignment")
    assert routed.status == CaseStatus.OPEN
    assert routed.assignee == agent, "the only available agent of the queue takes it"
    assert routed.queue == "general"
    assert routed.sla is not None
    assert not any(c.clock.is_paused for c in routed.sla.clocks), "clocks run again"
    assert EventKind.ROUTED in events(case_id)
    wait_for(lambda: any("A person from our team" in t for t in sent_texts(flow)), what="the not-solved notice")
    agents = flow.api("GET", "/v1/agents", token=flow.token("agent")).json()["items"]
    assert next(a for a in agents if a["agent_id"] == agent)["load"] == 1


def test_a_reply_to_the_auto_answer_counts_as_not_solved(flow: EmbeddedPlatform) -> None:
    make_agent_available(flow, "agent", ["general"])
    submitted = submit(flow, **PASSWORD_QUESTION)
    answered = wait_for(lambda: in_status(submitted["case_id"], CaseStatus.AUTO_ANSWERED), what="the auto-answer")
    raw = (
        "From: Jüri Tamm <juri@example.ee>\r\nTo: support@tugi.example\r\n"
        f"Subject: Re: Forgot my password [{answered.reference}]\r\nMessage-ID: <reply-1@example.ee>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nThat did not work, the reset link never came.\r\n"
    ).encode()
    assert flow.ingest_email(raw).outcome == "added_to_case"

    routed = wait_for(lambda: (c := case(answered.case_id)).assignee and c, what="routing after the reply")
    assert routed.status == CaseStatus.OPEN
    settled = container().answer_store.get_answer(answered.answer_id or "")
    assert settled is not None
    assert settled.outcome == "replied"
    late = flow.api("POST", f"/v1/answers/{answered.answer_id}/solved")
    assert late.status == 409


def test_an_urgent_case_goes_to_a_person_at_once_even_when_auto_answered_and_solved_resolves_it(
    flow: EmbeddedPlatform,
) -> None:
    agent = make_agent_available(flow, "agent", ["cards"])
    case_id = submit(flow, **URGENT_AND_ANSWERABLE)["case_id"]

    routed = wait_for(lambda: (c := case(case_id)).routed_at and c, what="routing at once, no wait on the bot")
    assert routed.priority == Priority.URGENT
    assert routed.status == CaseStatus.OPEN
    assert (routed.queue, routed.assignee) == ("cards", agent)
    assert routed.answer_id, "the known answer went out too"
    assert EventKind.AUTO_ANSWERED in events(case_id)
    assert routed.sla is not None
    assert not any(c.clock.is_paused for c in routed.sla.clocks), "its clocks run"
    assert any(f"/v1/answers/{routed.answer_id}" in t for t in sent_texts(flow)), "the answer, with its links"
    wait_for(lambda: watch_asleep(flow, case_id), what="the watch to sleep")
    advance(flow, timedelta(minutes=50))  # past 80 % of the urgent 1-hour first-response promise
    escalated = wait_for(lambda: in_status(case_id, CaseStatus.ESCALATED), what="the clocks to run out")

    verdict = flow.api("POST", f"/v1/answers/{escalated.answer_id}/solved")

    assert verdict.status == 200, verdict.body
    resolved = wait_for(lambda: in_status(case_id, CaseStatus.RESOLVED), what="the customer's solved to resolve it")
    assert resolved.article_id == "card_lost", "the answering article learns the question"
    advance(flow, timedelta(minutes=31))
    assert wait_for(lambda: execution(flow, case_id)["status"] == "SUCCEEDED", what="the watch to end")
    assert flow.api("POST", f"/v1/answers/{escalated.answer_id}/not-solved").status == 409


def test_no_answer_before_the_timeout_routes_to_a_person() -> None:
    with start({"TUGI_AUTO_ANSWER_TIMEOUT_SECONDS": "3600"}) as flow:
        case_id = submit(flow, **PASSWORD_QUESTION)["case_id"]
        answered = wait_for(lambda: in_status(case_id, CaseStatus.AUTO_ANSWERED), what="the auto-answer")
        advance(flow, timedelta(hours=1))
        routed = wait_for(lambda: in_status(case_id, CaseStatus.OPEN), what="the timeout to route the case")
        assert routed.routed_at is not None
        late = flow.api("POST", f"/v1/answers/{answered.answer_id}/solved")
        assert late.status == 410
        assert late.json()["error"]["code"] == "answer_expired"


def test_no_first_response_before_the_due_time_escalates_and_notifies(flow: EmbeddedPlatform) -> None:
    assert flow.workflow is not None
    sqs, sns = flow._client("sqs"), flow._client("sns")
    inbox = sqs.create_queue(QueueName="supervisors")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=flow.workflow.topic_arn, Protocol="sqs", Endpoint=inbox_arn)
    case_id = submit(flow, **BILLING_QUESTION)["case_id"]
    wait_for(lambda: watch_asleep(flow, case_id), what="the watch to sleep until the escalation point")
    advance(flow, timedelta(hours=1.5))  # 75 % of the 2-hour promise: not yet
    assert case(case_id).status == CaseStatus.OPEN

    advance(flow, timedelta(hours=0.2))  # 85 %: past the escalation point (80 %), before the promise breaks
    escalated = wait_for(lambda: in_status(case_id, CaseStatus.ESCALATED), what="the escalation")

    assert escalated.priority == Priority.HIGH, "one level up from normal"
    assert escalated.queue == "supervisors"
    assert EventKind.ESCALATED in events(case_id)
    first = next(c for c in escalated.sla.clocks if c.kind == "first_response")  # type: ignore[union-attr]
    assert first.escalated_at is not None
    assert first.met_at is None
    due = first.used_up_at(flow.settings.business_calendar, 1.0, now=first.escalated_at)
    assert first.escalated_at < due, "escalated before the promise broke"
    woke = first.escalated_at - escalated.created_at
    assert timedelta(hours=1.7) <= woke < timedelta(hours=1.7, seconds=1), "when the watch woke, on platform time"
    messages = wait_for(lambda: sqs.receive_message(QueueUrl=inbox).get("Messages"), what="the SNS notification")
    note = json.loads(messages[0]["Body"])
    assert escalated.reference in note["Message"]
    assert "first_response" in note["Subject"]
    assert "juri@example.ee" not in note["Message"], "no personal data in the notification"
    announced = wait_for(
        lambda: next(c for c in case(case_id).sla.clocks if c.kind == "first_response").notified_at,  # type: ignore[union-attr]
        what="the escalation to be marked announced",
    )
    assert announced >= first.escalated_at
    wait_for(lambda: watch_asleep(flow, case_id), what="the watch to sleep until its next round")
    assert len(sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10).get("Messages", [])) == 0, "announced once"


def test_a_paused_clock_does_not_breach(flow: EmbeddedPlatform) -> None:
    assert flow.workflow is not None
    case_id = submit(flow, **BILLING_QUESTION)["case_id"]
    wait_for(lambda: in_status(case_id, CaseStatus.OPEN), what="routing")
    change_case(flow, case_id, status="awaiting_customer")

    advance(flow, timedelta(hours=3.5))  # well past the 2-hour first-response promise
    wait_for(lambda: execution(flow, case_id)["status"] == "SUCCEEDED", what="the watch to end: every clock paused")

    waiting = case(case_id)
    assert waiting.status == CaseStatus.AWAITING_CUSTOMER
    assert EventKind.ESCALATED not in events(case_id)
    first = next(c for c in waiting.sla.clocks if c.kind == "first_response")  # type: ignore[union-attr]
    assert first.clock.is_paused
    assert first.escalated_at is None

    change_case(flow, case_id, status="open")  # the clocks run on, and a new watch looks after them
    wait_for(lambda: watch_asleep(flow, case_id), what="the new watch to sleep until the escalation point")
    advance(flow, timedelta(hours=1.5))  # 1.5 of the 2 hours used: not yet
    assert case(case_id).status == CaseStatus.OPEN
    advance(flow, timedelta(hours=0.2))

    escalated = wait_for(lambda: in_status(case_id, CaseStatus.ESCALATED), what="the escalation after the pause")
    first = next(c for c in escalated.sla.clocks if c.kind == "first_response")  # type: ignore[union-attr]
    assert first.escalated_at is not None
    woke = first.escalated_at - escalated.created_at
    assert timedelta(hours=3.5 + 1.7) <= woke < timedelta(hours=3.5 + 1.7, seconds=1), "the pause moved the point"
    sfn = flow._client("stepfunctions")
    names = [e["name"] for e in sfn.list_executions(stateMachineArn=flow.workflow.state_machine_arn)["executions"]]
    assert len([n for n in names if n.startswith(f"{case_id}.w")]) == 1


def test_a_task_that_keeps_failing_puts_the_case_in_needs_attention_and_the_event_on_the_dlq(
    flow: EmbeddedPlatform,
) -> None:
    assert flow.workflow is not None
    # SES stops accepting our domain: every acknowledgement fails, retries included.
    flow.ses_client.delete_identity(Identity=flow.settings.support_address.rpartition("@")[2])
    case_id = submit(flow, **BILLING_QUESTION)["case_id"]

    flagged = wait_for(
        lambda: (c := case(case_id)).queue == flow.settings.needs_attention_queue and c, what="needs attention"
    )
    assert EventKind.NEEDS_ATTENTION in events(case_id)
    assert wait_for(lambda: execution(flow, case_id)["status"] == "FAILED", what="the execution to fail")
    sqs = flow._client("sqs")
    messages = wait_for(
        lambda: sqs.receive_message(QueueUrl=flow.workflow.dead_letter_queue_url).get("Messages"),  # type: ignore[union-attr]
        what="the DLQ message",
    )
    dead = json.loads(messages[0]["Body"])
    assert dead["case_id"] == case_id
    assert dead["error"] == "InvalidInput", "the type of the error that outlived its retries"
    assert set(dead) == {"case_id", "error", "execution"}, "the cause, which may quote the customer, stays out"
    listed = flow.api("GET", "/v1/cases", query={"queue": "needs_attention"}, token=flow.token("agent")).json()
    assert case_id in [c["case_id"] for c in listed["items"]], "the case is where people look"
    assert flagged.status != CaseStatus.CLOSED
    watched = wait_for(lambda: case(case_id).routed_at and case(case_id), what="a watch of its own after the failure")
    assert watched.status == CaseStatus.OPEN, "open, so its clocks run"
    assert watched.queue == flow.settings.needs_attention_queue, "routing keeps it where people look"
    assert watched.sla is not None
    assert watched.sla.needs_watch


def test_a_replayed_start_changes_nothing(flow: EmbeddedPlatform) -> None:
    assert flow.workflow is not None
    case_id = submit(flow, **BILLING_QUESTION)["case_id"]
    wait_for(lambda: in_status(case_id, CaseStatus.OPEN), what="routing")

    container().workflow_engine.start(case_id, {"case_id": case_id})  # the stream delivered the INSERT again

    sfn = flow._client("stepfunctions")
    names = [e["name"] for e in sfn.list_executions(stateMachineArn=flow.workflow.state_machine_arn)["executions"]]
    assert names.count(case_id) == 1
    assert events(case_id).count(EventKind.TRIAGED) == 1


def test_a_reopened_case_is_watched_again(flow: EmbeddedPlatform) -> None:
    assert flow.workflow is not None
    make_agent_available(flow, "agent", ["general"])
    submitted = submit(flow, **BILLING_QUESTION)
    case_id = submitted["case_id"]
    wait_for(lambda: case(case_id).assignee, what="the assignment")
    change_case(flow, case_id, status="resolved")
    advance(flow, timedelta(minutes=31))  # the watch's next round (at most TUGI_SLA_MAX_SLEEP_SECONDS away)
    wait_for(lambda: execution(flow, case_id)["status"] == "SUCCEEDED", what="the first watch to end")
    wait_for(lambda: any("as resolved" in t for t in sent_texts(flow)), what="the resolved notice")

    raw = (
        "From: Jüri Tamm <juri@example.ee>\r\nTo: support@tugi.example\r\n"
        f"Subject: Still wrong [{submitted['reference']}]\r\nMessage-ID: <again-1@example.ee>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nThe invoice is still wrong.\r\n"
    ).encode()
    assert flow.ingest_email(raw).outcome == "added_to_case"

    sfn = flow._client("stepfunctions")
    runs = wait_for(
        lambda: [
            e
            for e in sfn.list_executions(stateMachineArn=flow.workflow.state_machine_arn)["executions"]
            if e["name"].startswith(f"{case_id}.w") and e["status"] == "RUNNING"
        ],
        what="a watch of the reopened case",
    )
    assert len(runs) == 1
    wait_for(lambda: watch_asleep(flow, case_id), what="the new watch to sleep")
    advance(flow, timedelta(hours=3.3))  # past 80 % of the 4-hour next-response promise
    escalated = wait_for(lambda: in_status(case_id, CaseStatus.ESCALATED), what="the next-response escalation")
    next_response = next(c for c in escalated.sla.clocks if c.kind == "next_response")  # type: ignore[union-attr]
    assert next_response.escalated_at is not None
    assert events(case_id).count(EventKind.TRIAGED) == 1, "a reopen is not triaged again"


def test_a_vip_customers_next_contact_is_triaged_at_high_priority(flow: EmbeddedPlatform) -> None:
    first = submit(flow, **BILLING_QUESTION)
    assert wait_for(lambda: in_status(first["case_id"], CaseStatus.OPEN), what="routing").priority == Priority.NORMAL
    path = f"/v1/customers/{first['customer_id']}"
    refused = flow.api("PATCH", path, json_body={"vip": True}, token=flow.token("agent"))
    assert refused.status == 403
    marked = flow.api("PATCH", path, json_body={"vip": True}, token=flow.token("supervisor"))
    assert marked.status == 200, marked.body
    assert marked.json()["customer"]["vip"] is True

    second = submit(flow, subject="Another question", message="When does my contract end?")

    assert second["customer_id"] == first["customer_id"]
    triaged = wait_for(lambda: in_status(second["case_id"], CaseStatus.OPEN), what="routing")
    assert triaged.priority == Priority.HIGH
    assert any("vip" in why.lower() for why in triaged.priority_why)


def test_the_sweep_starts_the_workflow_of_a_case_whose_start_was_lost(flow: EmbeddedPlatform) -> None:
    flow.stop_stream()  # the stream's records never reach the starter
    case_id = submit(flow, **BILLING_QUESTION)["case_id"]
    advance(flow, timedelta(minutes=30))  # past TUGI_SWEEP_AFTER_SECONDS

    assert case(case_id).status == CaseStatus.NEW
    assert flow.run_sweep() == {"started": 1, "stuck": 0}

    triaged = wait_for(lambda: case(case_id).status != CaseStatus.NEW and case(case_id), what="triage after the sweep")
    assert EventKind.TRIAGED in events(case_id)
    assert triaged.language == "en"
    assert flow.run_sweep() == {"started": 0, "stuck": 0}, "nothing left to start"


def test_one_execution_watches_a_case_at_a_time(flow: EmbeddedPlatform) -> None:
    assert flow.workflow is not None
    sfn = flow._client("stepfunctions")
    case_id = submit(flow, **BILLING_QUESTION)["case_id"]
    wait_for(lambda: in_status(case_id, CaseStatus.OPEN) and case(case_id).watch == case_id, what="the first watch")

    change_case(flow, case_id, status="awaiting_customer")  # a pause and a resume within the first
    change_case(flow, case_id, status="open")  # watch's sleep: the stream starts a second watch

    def running() -> list[str]:
        executions = sfn.list_executions(stateMachineArn=flow.workflow.state_machine_arn)["executions"]  # type: ignore[union-attr]
        return [e["name"] for e in executions if e["name"].startswith(case_id) and e["status"] == "RUNNING"]

    newest = wait_for(lambda: (w := case(case_id).watch) != case_id and w, what="the second watch to claim the case")
    wait_for(lambda: watch_asleep(flow, case_id), what="both watches to sleep")
    assert sorted(running()) == sorted([case_id, newest])
    advance(flow, timedelta(hours=1))  # the first watch wakes (its next round is due) and finds another owner
    wait_for(lambda: running() == [newest], what="the first watch to stand down")
    assert newest.startswith(f"{case_id}.w")
