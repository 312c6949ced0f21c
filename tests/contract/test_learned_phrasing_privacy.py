"""What customers taught an article never tells the public who asked what, on every search backend.

The documents are built as the indexer builds them from the table (`search_document`: an article, its
learned phrasings, and the words k customers of the locale used, counted here as the table counts them), so
the backend is held to what it is given: a word fewer than k customers used must not lift the article,
whether searched as written, with a typo (fuzzy) or in part (character trigrams).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.domain.articles import Article, ArticleContent, ArticleId, LearnedPhrasing
from shared.domain.ids import CaseId
from shared.domain.knowledge import SearchIndex
from shared.domain.learned_words import MIN_CUSTOMERS, WordTally
from shared.services.kb_indexer import search_document

AT = datetime(2026, 11, 1, tzinfo=UTC)
PRIVATE = (
    "Lost my card yesterday. I am Kristjan Saarepuu, born 12.03.1985, home Pikk 12-7 Tallinn, "
    "password hint Vaarikas77, please block it"
)
# Each private word alone, the way someone who knows the person would try it, and with a typo or cut short.
PRIVATE_QUERIES = [
    "Kristjan",
    "Saarepuu",
    "Kristjan Saarepuu",
    "Pikk",
    "12-7",
    "Tallinn",
    "Pikk 12-7 Tallinn",
    "12.03.1985",
    "1985",
    "Vaarikas77",
    "vaarikas",
    "Saarepu",
    "Kristjam Saarepuu",
    "Vaarikas78",
    "arepuu",
]
CROWD = ["I lost my card, please block it", "card lost yesterday, block it please", "lost card block"]
UNRELATED = "zebra"
ARTICLES = {
    "card-lost": ("Blocking a lost card", "Block the card in the app at once.", "Cards → Block card."),
    "opening-hours": ("Branch opening hours", "Monday to Friday 9:00-18:00.", "Our branches are open on weekdays."),
}


def article(article_id: str, locale: str = "en") -> Article:
    title, short_answer, body = ARTICLES[article_id]
    content = ArticleContent(title=title, short_answer=short_answer, body=body)
    found = Article.new(ArticleId(article_id), locale, content, owner=None, at=AT)
    found.publish(found.edit(content, by=None, at=AT), at=AT)
    return found


def taught(article_id: str, text: str, customer: str, locale: str = "en") -> LearnedPhrasing:
    return LearnedPhrasing.learn(
        ArticleId(article_id),
        locale,
        text,
        key=f"case-{customer}-{text}",
        source="agent_link",
        at=AT,
        case_id=CaseId(f"case-{customer}"),  # one case per customer here: the case names the customer
    )


def vetted(phrasings: list[LearnedPhrasing], locale: str = "en") -> set[str]:
    """The words k distinct customers used, over every article of the locale."""
    tally = WordTally(locale)
    for phrasing in phrasings:
        tally.teach(phrasing.text, str(phrasing.case_id))
    return tally.vetted()


def index(backend: SearchIndex, phrasings: list[LearnedPhrasing]) -> SearchIndex:
    words = vetted(phrasings)
    for article_id in ARTICLES:
        mine = [p for p in phrasings if p.article_id == article_id]
        backend.upsert(search_document(article(article_id), mine, words))
    return backend


def score(backend: SearchIndex, query: str, article_id: str = "card-lost") -> float:
    return next((hit.score for hit in backend.search(query, "en", limit=5) if hit.article_id == article_id), 0.0)


@pytest.fixture
def learned(backend: SearchIndex) -> SearchIndex:
    """The private phrasing from one customer, the crowd's from others."""
    crowd = [taught("card-lost", text, f"crowd{n}") for n, text in enumerate(CROWD)]
    return index(backend, [taught("card-lost", PRIVATE, "kristjan"), *crowd])


@pytest.mark.parametrize("query", PRIVATE_QUERIES)
def test_no_word_only_one_customer_used_lifts_their_article(learned: SearchIndex, query: str) -> None:
    unrelated = score(learned, UNRELATED)

    assert score(learned, query) <= unrelated, f"{query!r} lifts the article its customer asked about"


def test_the_words_enough_customers_used_still_teach_search(learned: SearchIndex) -> None:
    assert [hit.article_id for hit in learned.search("please block it yesterday", "en")][:1] == ["card-lost"]


def test_a_word_counts_for_search_once_k_customers_used_it(backend: SearchIndex) -> None:
    """Three customers say "plastic" (no article has it); with one fewer it finds nothing."""
    fewer = [taught("card-lost", "my plastic is gone", f"customer{n}") for n in range(MIN_CUSTOMERS - 1)]
    index(backend, fewer)
    assert score(backend, "plastic") == 0.0

    index(backend, [*fewer, taught("card-lost", "plastic gone", "one-more")])
    assert [hit.article_id for hit in backend.search("plastic", "en")][:1] == ["card-lost"]


def test_a_word_counts_once_k_customers_used_it_for_any_articles(backend: SearchIndex) -> None:
    """Customers of both articles say "plastic": it counts for each, once k of them, all told, used it."""
    where = ["opening-hours", *["card-lost"] * (MIN_CUSTOMERS - 1)]
    lessons = [taught(article_id, "plastic", f"customer{n}") for n, article_id in enumerate(where)]

    index(backend, lessons)

    assert {hit.article_id for hit in backend.search("plastic", "en")} == {"opening-hours", "card-lost"}


def test_one_customer_teaching_a_word_many_times_is_one_customer(backend: SearchIndex) -> None:
    index(backend, [taught("card-lost", f"Vaarikas77 case {n}", "kristjan") for n in range(MIN_CUSTOMERS + 2)])

    assert score(backend, "Vaarikas77") == 0.0


def test_a_phrasing_with_private_words_is_searched_as_the_same_phrasing_without_them(backend: SearchIndex) -> None:
    """Estonian, a name in three case endings: every query finds exactly what it finds when the customer had
    not said their name (the name shares trigrams with "kaart", so it may find the article, but no better)."""
    crowd = [taught("card-lost", "kaart kadus, palun blokeerige", f"crowd{n}", "et") for n in range(MIN_CUSTOMERS)]
    said = "Saarepuule kuuluv kaart kadus, Saarepuu palun blokeerige, Saarepuust"
    queries = ["Saarepuule", "Saarepuu", "Saarepuust", "Saarepuu kaart", "kaart kadus"]

    def found(text: str) -> dict[str, list[tuple[str, float]]]:
        private = taught("card-lost", text, "kristjan", "et")
        backend.upsert(search_document(article("card-lost", "et"), [private, *crowd], vetted([private, *crowd], "et")))
        return {q: [(h.article_id, h.score) for h in backend.search(q, "et")] for q in queries}

    assert found(said) == found("kaart kadus palun blokeerige")
