"""The gaps report through the real handlers on moto: what customers searched for in vain, whether
searching spared a contact (the portal's visitor id on searches and contacts), and what readers disliked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.platform import EmbeddedPlatform
from shared import bootstrap
from shared.bootstrap import container
from shared.domain.clock import use_time_source
from tests.integration.helpers import submit
from tests.integration.test_knowledge_base import eventually, save, search
from tests.integration.workflow_helpers import change_case

ARTICLES = {
    "card_delivery": {
        "title": "When your new card arrives",
        "short_answer": "A new card reaches you within 5 working days.",
        "body": "We post new cards the next working day.",
    },
    "card_lost": {
        "title": "Lost or stolen card",
        "short_answer": "Freeze your card in the app at once.",
        "body": "Freeze the card under Cards, then order a replacement.",
    },
}


# A good result is one the workflow would auto-answer with. Two articles without learned phrasings
# score low (the default 0.5 is chosen on a knowledge base that has learned), so the bar is lower here.
ENV = {"TUGI_KB_DEFLECTION_DAYS": "7", "TUGI_AUTO_ANSWER_MIN_CONFIDENCE": "0.35"}
GOOD_QUERY = "When your new card arrives"  # the title: confidence about 0.43


@pytest.fixture
def kb() -> Iterator[EmbeddedPlatform]:
    with EmbeddedPlatform(ENV, knowledge=True) as running:
        for article_id, content in ARTICLES.items():
            assert save(running, article_id, "en", **content, publish=True).status == 201
        # Asks the index, not the API: the report would count the API's searches.
        eventually(lambda: container().search_index.search("card", "en"), lambda hits: len(hits) == len(ARTICLES))
        yield running


def days_ago(days: float) -> None:
    """From now on the platform's clock reads this far in the past (the search log's dates follow it)."""
    then = datetime.now(UTC) - timedelta(days=days)
    use_time_source(lambda: then)


def report(kb: EmbeddedPlatform, **query: str) -> dict[str, Any]:
    response = kb.api("GET", "/v1/reports/kb-gaps", query=query, token=kb.token("agent"))
    assert response.status == 200, response.body
    result: dict[str, Any] = response.json()
    return result


def test_searches_without_a_good_result_are_grouped_most_frequent_first(kb: EmbeddedPlatform) -> None:
    for query in ("can I buy crypto", "buying crypto?", "Can I buy crypto", "pay with my watch"):
        search(kb, query)
    search(kb, f"{GOOD_QUERY}, call me on +372 5123 4567")  # a good result: no gap
    search(kb, "my card is lost, call me on +372 5123 4567")  # a weak result

    gaps = report(kb, locale="en")

    assert [(g["wording"], g["count"], g["searches"], g["closest_article_id"]) for g in gaps["gaps"]] == [
        ("Can I buy crypto", 3, 3, "card_lost"),  # the newest of the most frequent wording
        ("my card is lost, call me on [phone]", 1, 1, "card_lost"),
        ("pay with my watch", 1, 1, None),  # nothing found at all
    ]
    assert gaps["gaps"][0]["examples"] == ["buying crypto?"]
    assert (gaps["searches"], gaps["searches_without_good_result"], gaps["truncated"]) == (6, 5, False)
    assert "5123" not in str(gaps)


def test_deflection_is_the_share_of_searches_not_followed_by_a_contact(kb: EmbeddedPlatform) -> None:
    try:
        days_ago(10)
        search(kb, GOOD_QUERY, **{"x-tugi-visitor": "visitor-spared"})  # read on the results page
        weak = search(kb, "lost card", **{"x-tugi-visitor": "visitor-wrote-in"})
        assert kb.api("GET", "/v1/kb/articles/card_lost", query={"search_id": weak["search_id"]}).status == 200
        days_ago(9)
        submit(kb, message="I lost my card yesterday", visitor="visitor-wrote-in")
        days_ago(2)
        search(kb, GOOD_QUERY, **{"x-tugi-visitor": "visitor-too-recent"})
    finally:
        use_time_source(None)
    search(kb, "lost card")  # no visitor id

    deflection = report(kb)["deflection"]

    assert deflection["window_days"] == 7
    assert deflection["overall"] == {"searches": 2, "deflected": 1, "rate": 0.5}
    assert (deflection["pending"], deflection["anonymous"]) == (1, 1)
    per_article = {a["article_id"]: (a["searches"], a["deflected"]) for a in deflection["articles"]}
    assert per_article == {"card_delivery": (1, 1), "card_lost": (1, 0)}


def test_the_least_helpful_articles_come_first(kb: EmbeddedPlatform) -> None:
    for article_id, verdicts in (("card_lost", [False, False, True]), ("card_delivery", [True, True, False, True])):
        for helpful in verdicts:
            response = kb.api("POST", f"/v1/kb/articles/{article_id}/feedback", json_body={"helpful": helpful})
            assert response.status == 204, response.body

    rated = report(kb, min_votes="3")["worst_rated"]

    assert [(r["article_id"], r["helpful"], r["not_helpful"], r["helpful_ratio"]) for r in rated] == [
        ("card_lost", 1, 2, 0.3333),
        ("card_delivery", 3, 1, 0.75),
    ]
    assert report(kb, min_votes="4")["worst_rated"][0]["article_id"] == "card_delivery"


def test_bad_parameters_are_refused_with_codes(kb: EmbeddedPlatform) -> None:
    token = kb.token("agent")
    for query in ({"days": "0"}, {"days": "91"}, {"locale": "xx-YY-ZZ-1"}, {"limit": "lots"}):
        response = kb.api("GET", "/v1/reports/kb-gaps", query=query, token=token)
        assert response.status == 422, (query, response.body)
    unsupported = kb.api("GET", "/v1/reports/kb-gaps", query={"locale": "fr"}, token=token)
    assert (unsupported.status, unsupported.json()["error"]["code"]) == (422, "unsupported_locale")
    assert kb.api("GET", "/v1/reports/kb-gaps").status == 401


def test_a_malformed_visitor_id_is_refused_and_opens_no_case(kb: EmbeddedPlatform) -> None:
    body = {"name": "Mari", "email": "mari@example.ee", "subject": "Hi", "message": "Hello"}
    response = kb.api("POST", "/v1/contacts", json_body=body, headers={"x-tugi-visitor": "not a visitor id!"})
    assert response.status == 422, response.body
    assert response.json()["error"]["code"] == "validation_failed"
    assert kb.api("GET", "/v1/customers", query={"email": "mari@example.ee"}, token=kb.token("agent")).status == 404


def test_a_report_reads_the_newest_searches_up_to_its_limit_and_says_so(
    kb: EmbeddedPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        days_ago(10)
        search(kb, "the oldest question", **{"x-tugi-visitor": "visitor-long-ago"})
    finally:
        use_time_source(None)
    for n in range(100):
        search(kb, f"küsimus number {n}", locale="et")
    monkeypatch.setenv("TUGI_KB_REPORT_MAX_SEARCHES", "100")
    bootstrap.reset()  # the handlers read their settings anew

    everything, english = report(kb), report(kb, locale="en")

    assert (everything["searches"], everything["truncated"]) == (100, True)
    assert (english["searches"], english["truncated"]) == (0, True)  # the English search was the oldest
    # Deflection reads the searches old enough to decide apart: the newest do not crowd them out.
    assert english["deflection"]["overall"] == {"searches": 1, "deflected": 1, "rate": 1.0}


def test_a_case_resolved_without_an_article_is_a_gap_until_it_is_resolved_with_one(kb: EmbeddedPlatform) -> None:
    """What the case stream does on each resolution (`KnowledgeLearning.learn`), called as it would be."""
    case_id = submit(kb, subject="Crypto", message="Can I hold crypto in my account?")["case_id"]

    def contact_gaps() -> list[tuple[str, list[str]]]:
        return [(g["wording"], g["case_ids"]) for g in report(kb)["gaps"] if g["contacts"]]

    change_case(kb, case_id, status="resolved")
    container().kb_learning.learn(case_id)
    assert contact_gaps() == [("Crypto Can I hold crypto in my account?", [case_id])]

    change_case(kb, case_id, status="open")
    change_case(kb, case_id, status="resolved", article_id="card_lost")
    assert container().kb_learning.learn(case_id) == "phrasing"
    assert contact_gaps() == []
