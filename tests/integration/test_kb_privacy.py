"""Public search never tells who asked what: a resolved case teaches its article only words the crowd used,
and never the customer's own name or identities (the real handlers, the table's stream and the indexer)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.platform import EmbeddedPlatform
from shared.bootstrap import container
from shared.domain.learned_words import MIN_CUSTOMERS
from tests.integration.helpers import submit
from tests.integration.test_knowledge_base import eventually, found, save, search
from tests.integration.test_learning_loop import ARTICLES, phrasings
from tests.integration.workflow_helpers import change_case

PRIVATE = (
    "Lost my card. I am Kristjan Saarepuu, born 12.03.1985, home Pikk 12-7 Tallinn, password hint Vaarikas77, "
    "please block the card"
)
# Every word of the name, the address, the birth date and the password-like token, alone and together.
PRIVATE_QUERIES = [
    "Kristjan",
    "Saarepuu",
    "Kristjan Saarepuu",
    "Pikk",
    "Tallinn",
    "Pikk 12-7 Tallinn",
    "12.03.1985",
    "1985",
    "Vaarikas77",
]
CROWD = "I lost my card, please block it"


def resolve(kb: EmbeddedPlatform, name: str, email: str, message: str, article_id: str = "card_lost") -> str:
    """A web-form contact resolved with the article, learned as the case stream learns it."""
    case_id = submit(kb, name=name, email=email, subject="Lost card", message=message)["case_id"]
    change_case(kb, case_id, status="resolved", article_id=article_id)
    assert container().kb_learning.learn(case_id) == "phrasing"
    return case_id


@pytest.fixture
def kb() -> Iterator[EmbeddedPlatform]:
    with EmbeddedPlatform({"TUGI_LANGUAGES": '["en", "et"]'}, knowledge=True) as running:
        for article_id, content in ARTICLES.items():
            assert save(running, article_id, "en", **content, publish=True).status == 201
        resolve(running, "Kristjan Saarepuu", "kristjan.saarepuu@example.ee", PRIVATE)
        for n in range(MIN_CUSTOMERS):
            resolve(running, f"Customer {n}", f"customer{n}@example.ee", CROWD)
        eventually(lambda: phrasings(running, "card_lost"), lambda learned: len(learned) == MIN_CUSTOMERS + 1)
        yield running


def score(kb: EmbeddedPlatform, query: str) -> float:
    """The lost-card article's score for a query anyone may send (no token); 0 when it is not found."""
    hits = search(kb, query)["items"]
    return next((hit["score"] for hit in hits if hit["article_id"] == "card_lost"), 0.0)


def test_the_customers_name_is_not_in_what_their_case_taught(kb: EmbeddedPlatform) -> None:
    (theirs,) = [p["text"] for p in phrasings(kb, "card_lost") if "Vaarikas77" in p["text"]]

    assert "Kristjan" not in theirs
    assert "Saarepuu" not in theirs
    assert "[name] [name]" in theirs


def test_no_private_word_of_one_customer_lifts_the_article_for_the_public(kb: EmbeddedPlatform) -> None:
    eventually(lambda: search(kb, "please block it")["items"][:1], bool)  # indexed
    unrelated = score(kb, "zebra")

    lifted = {query: s for query in PRIVATE_QUERIES if (s := score(kb, query)) > unrelated}

    assert lifted == {}
    assert search(kb, "please block it")["items"][0]["article_id"] == "card_lost"  # the crowd's words teach


def test_triage_does_not_answer_from_one_customers_private_words(kb: EmbeddedPlatform) -> None:
    answers = {query: container().answer_finder.find(query, "en") for query in PRIVATE_QUERIES}

    assert {query: a.reason for query, a in answers.items() if a is not None and a.reason == "card_lost"} == {}


def test_a_word_k_customers_used_for_different_articles_is_searchable_in_each(kb: EmbeddedPlatform) -> None:
    """Counted over the locale: the article taught first finds the word once later customers, of other
    articles, used it too (the word's record crosses k on the stream, and the indexer rewrites the article)."""
    resolve(kb, "Ann Early", "ann@example.ee", "the plastic is cracked", article_id="card_lost")
    for n in range(MIN_CUSTOMERS - 1):
        resolve(kb, f"Later {n}", f"later{n}@example.ee", "plastic never came", article_id="card_delivery")

    assert eventually(lambda: set(found(kb, "plastic")), {"card_lost", "card_delivery"}.__eq__) == {
        "card_lost",
        "card_delivery",
    }


def test_a_question_with_a_word_longer_than_any_key_is_still_learned(kb: EmbeddedPlatform) -> None:
    """Such a run of letters is never counted (a table key holds 2,048 bytes): the rest of it is learned."""
    resolve(kb, "Endless Word", "endless@example.ee", f"{'漢' * 700} lost card")


def solved_by_the_customer(kb: EmbeddedPlatform, email: str, message: str) -> str:
    """A contact whose auto-answer (the lost-card article) the customer themself marked solved."""
    case_id = submit(kb, name="Someone", email=email, subject="Lost card", message=message)["case_id"]
    store = container().case_store
    case = store.get_case(case_id, consistent=True)
    assert case is not None
    version, now = case.version, case.updated_at
    case.contact_reason = "card_lost"
    events = [*case.answered_automatically("ans_self", waits=True, data={}, at=now)]
    events += case.resolve_as_answered("ans_self", "en", at=now)
    store.update_case(case, version, [e for e in events if e is not None])
    assert container().kb_learning.learn(case_id) == "phrasing"
    return case_id


def test_a_customers_own_solved_click_teaches_its_article_but_vets_no_word(kb: EmbeddedPlatform) -> None:
    # One person, a fresh address, their own "solved": without this rule the guessed word would reach k.
    solved_by_the_customer(kb, "fresh.address@example.ee", "Lost card, password hint Vaarikas77")
    taught = sorted(p["source"] for p in phrasings(kb, "card_lost") if "Vaarikas77" in p["text"])
    assert taught == ["agent_link", "auto_answer"]  # the victim's (an agent resolved it), and the prober's
    eventually(lambda: search(kb, "please block it")["items"][:1], bool)

    assert score(kb, "Vaarikas77") <= score(kb, "zebra")
