"""The knowledge base learns from resolved cases, through the real handlers, the real workflow and the stream.

Triage here runs on the knowledge base (not the keyword rules the workflow's path tests use).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.platform import EmbeddedPlatform
from shared.domain.case import CaseStatus
from shared.domain.clock import ManualClock
from shared.domain.learned_words import MIN_CUSTOMERS
from tests.integration.helpers import submit
from tests.integration.workflow_helpers import ALWAYS_OPEN, case, change_case, in_status, wait_for

ENV = {"TUGI_BUSINESS_CALENDAR": ALWAYS_OPEN, "TUGI_LANGUAGES": '["en", "et"]', "TUGI_SLA_MAX_SLEEP_SECONDS": "1800"}
ARTICLES = {
    "card_delivery": {
        "title": "When your new card arrives",
        "short_answer": "A new card reaches you within 5 working days of ordering it.",
        "body": "We post new cards the next working day. Delivery in Estonia takes up to 5 working days.",
    },
    "card_lost": {
        "title": "Lost or stolen card",
        "short_answer": "Freeze your card in the app at once, then order a replacement.",
        "body": "Freeze the card in the app under Cards. Then order a replacement; it is posted to your home.",
    },
}
# Shares no word with the delivery article: only what the knowledge base learns can find it.
ODD_QUESTION = {"subject": "Nothing yet", "message": "The plastic hasn't turned up in my letterbox, call 5123 4567"}


@pytest.fixture
def kb() -> Iterator[EmbeddedPlatform]:
    with EmbeddedPlatform(ENV, workflow=True, knowledge=True, clock=ManualClock()) as running:
        supervisor = running.token("supervisor")
        for article_id, content in ARTICLES.items():
            response = running.api(
                "PUT", f"/v1/kb/articles/{article_id}/en", json_body=content | {"publish": True}, token=supervisor
            )
            assert response.status == 201, response.body
        wait_for(lambda: set(search(running, "card")) == set(ARTICLES), what="the articles to be indexed")
        yield running


def search(kb: EmbeddedPlatform, query: str) -> list[str]:
    response = kb.api("GET", "/v1/kb/search", query={"q": query, "locale": "en"})
    assert response.status == 200, response.body
    return [hit["article_id"] for hit in response.json()["items"]]


def phrasings(kb: EmbeddedPlatform, article_id: str) -> list[dict[str, Any]]:
    response = kb.api("GET", f"/v1/kb/articles/{article_id}/en/phrasings", token=kb.token("agent"))
    assert response.status == 200, response.body
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def resolve_with(kb: EmbeddedPlatform, case_id: str, article_id: str | None) -> None:
    wait_for(lambda: in_status(case_id, CaseStatus.OPEN), what="the case to reach a person")
    changes = {"status": "resolved"} | ({"article_id": article_id} if article_id else {})
    change_case(kb, case_id, **changes)


def learn_from_customers(kb: EmbeddedPlatform, article_id: str, customers: int) -> list[str]:
    """The odd question from that many distinct customers, each case resolved with the article; the case ids."""
    cases = []
    for n in range(customers):
        cases.append(submit(kb, **ODD_QUESTION, name=f"Customer {n}", email=f"customer{n}@example.ee")["case_id"])
        resolve_with(kb, cases[-1], article_id)
    wait_for(lambda: len(phrasings(kb, article_id)) == customers, what="the learned phrasings")
    return cases


def test_cases_resolved_with_an_article_teach_search_and_triage_their_wording(kb: EmbeddedPlatform) -> None:
    assert search(kb, "plastic hasn't turned up in my letterbox")[:1] != ["card_delivery"]

    cases = learn_from_customers(kb, "card_delivery", MIN_CUSTOMERS)

    learned = phrasings(kb, "card_delivery")
    assert sorted(p["case_id"] for p in learned) == sorted(cases)
    assert "5123" not in learned[0]["text"]
    assert "[phone]" in learned[0]["text"]
    found = wait_for(lambda: search(kb, "the plastic has not turned up")[:1] == ["card_delivery"], what="learning")
    assert found

    second = submit(kb, subject="Still nothing", message="My plastic has not turned up in the letterbox")["case_id"]
    triaged = wait_for(lambda: case(second).contact_reason, what="triage of the second contact")
    assert triaged == "card_delivery"
    detail = kb.api("GET", f"/v1/cases/{cases[0]}", token=kb.token("agent")).json()
    assert (detail["article_id"], detail["article_locale"]) == ("card_delivery", "en")
    assert "article_linked" in [e["kind"] for e in detail["events"]]


def test_an_agent_removes_the_phrasings_that_taught_search_the_wrong_thing(kb: EmbeddedPlatform) -> None:
    learn_from_customers(kb, "card_lost", MIN_CUSTOMERS)  # the wrong article
    wait_for(lambda: search(kb, "plastic letterbox")[:1] == ["card_lost"], what="the wrong lesson")

    for learned in phrasings(kb, "card_lost"):
        path = f"/v1/kb/articles/card_lost/en/phrasings/{learned['phrasing_id']}"
        assert kb.api("DELETE", path, token=kb.token("agent")).status == 204

    assert phrasings(kb, "card_lost") == []
    wait_for(lambda: "card_lost" not in search(kb, "plastic letterbox"), what="the lesson to be unlearned")


def test_a_case_resolved_without_an_article_proposes_a_draft_from_the_agents_answer(kb: EmbeddedPlatform) -> None:
    question = submit(kb, subject="Interest on savings", message="What interest does the savings account pay?")
    case_id = question["case_id"]
    wait_for(lambda: in_status(case_id, CaseStatus.OPEN), what="the case to reach a person")
    reply = kb.api(
        "POST",
        f"/v1/cases/{case_id}/replies",
        json_body={"text": "The savings account pays 2.5% a year, credited monthly. Write to mari@example.ee."},
        token=kb.token("agent"),
    )
    assert reply.status == 201, reply.body
    change_case(kb, case_id, status="resolved")

    reference = case(case_id).reference.lower()

    def proposed() -> dict[str, Any] | None:
        response = kb.api("GET", f"/v1/kb/articles/proposed-{reference}/en", token=kb.token("agent"))
        return response.json() if response.status == 200 else None  # type: ignore[no-any-return]

    draft = wait_for(proposed, what="the proposed draft")
    assert draft["status"] == "draft"
    assert draft["latest"]["title"] == "Interest on savings"
    assert "2.5% a year" in draft["latest"]["body"]
    assert "mari@example.ee" not in json.dumps(draft)
    assert "proposed" in draft["latest"]["tags"]
    assert kb.api("GET", f"/v1/kb/articles/proposed-{reference}").status == 404  # not served until published

    report = kb.api("GET", "/v1/reports/kb-gaps", query={"locale": "en"}, token=kb.token("agent"))
    assert report.status == 200, report.body
    contacts = [(g["wording"], g["contacts"], g["case_ids"]) for g in report.json()["gaps"] if g["contacts"]]
    assert contacts == [("Interest on savings What interest does the savings account pay?", 1, [case_id])]
