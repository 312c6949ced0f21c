"""Gaps grouped by wording, deflection per search and article, and the least helpful articles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.domain.articles import Article, ArticleContent, ArticleId
from shared.domain.kb_gaps import (
    GapSignal,
    GapSource,
    deflection,
    gap_signals,
    group_gaps,
    wording,
    worst_rated,
)
from shared.domain.search_log import SearchRecord, SearchVerdict, ShownResult

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
WEEK = timedelta(days=7)


def signal(text: str, *, locale: str = "en", days_ago: float = 1, source: GapSource = GapSource.SEARCH) -> GapSignal:
    return GapSignal(source=source, text=text, locale=locale, at=NOW - timedelta(days=days_ago))


def search(
    query: str = "q",
    *,
    visitor: str | None = "visitor-1",
    days_ago: float = 10,
    results: list[tuple[str, float]] = (),  # type: ignore[assignment]
    opened: list[str] = (),  # type: ignore[assignment]
    helpful: bool | None = None,
) -> SearchRecord:
    return SearchRecord(
        at=NOW - timedelta(days=days_ago),
        locale="en",
        query=query,
        visitor=visitor,
        results=[ShownResult(article_id=a, score=10, confidence=c) for a, c in results],
        opened=list(opened),
        feedback=[] if helpful is None else [SearchVerdict(article_id=(opened or ["x"])[0], helpful=helpful)],
    )


def test_wording_keeps_topic_stems_and_drops_filler_and_numbers() -> None:
    assert wording("How do I reset my passwords?", "en") == {"reset", "password"}
    assert wording("My card has NOT arrived after 10 days", "en") == {"card", "not", "arriv", "day"}
    assert wording("Kuidas muuta kaardi limiiti?", "et") == {"kaard", "limii", "muuta"}
    assert wording("kaardi limiidi muutmine", "et") == {"kaard", "limii", "muutm"}


def test_personal_data_placeholders_do_not_make_questions_alike() -> None:
    assert wording("call me on [phone] about my loan, or mail [email]", "en") == {"call", "loan", "mail"}
    gaps = group_gaps([signal("call me on [phone] about my loan"), signal("call me at [phone] about my card")])
    assert len(gaps) == 2


def test_estonian_case_forms_of_one_question_are_one_gap() -> None:
    (gap,) = group_gaps(
        [signal("Kuidas muuta kaardi limiiti?", locale="et"), signal("kaardi limiidi muutmine", locale="et")]
    )
    assert gap.count == 2


def test_similar_wordings_are_one_gap_with_the_most_frequent_wording_first() -> None:
    signals = [
        signal("reset my password"),
        signal("Reset my password"),
        signal("how do I reset my password?"),
        signal("password reset", source=GapSource.CONTACT),
        signal("exchange rate for dollars"),
        signal("what exchange rate do you use for dollars"),
        signal("crypto"),
    ]
    gaps = group_gaps(signals)
    assert [(g.wording, g.count, g.searches, g.contacts) for g in gaps] == [
        ("reset my password", 4, 3, 1),
        ("exchange rate for dollars", 2, 2, 0),
        ("crypto", 1, 1, 0),
    ]
    assert gaps[0].examples == ["how do I reset my password?", "password reset"]


def test_locales_never_share_a_gap_and_dissimilar_wordings_stay_apart() -> None:
    gaps = group_gaps([signal("card limit"), signal("card limit", locale="et"), signal("card delivery time")])
    assert sorted((g.wording, g.locale) for g in gaps) == [
        ("card delivery time", "en"),
        ("card limit", "en"),
        ("card limit", "et"),
    ]


def test_a_gap_names_its_closest_article_and_its_newest_contacts() -> None:
    searches = [
        GapSignal(source=GapSource.SEARCH, text="refund", locale="en", at=NOW, closest_article_id="returns"),
        GapSignal(source=GapSource.SEARCH, text="refund", locale="en", at=NOW, closest_article_id="returns"),
        GapSignal(source=GapSource.SEARCH, text="refund", locale="en", at=NOW, closest_article_id="fees"),
    ]
    contacts = [
        GapSignal(source=GapSource.CONTACT, text="refund", locale="en", at=NOW - timedelta(days=d), case_id=f"c{d}")
        for d in range(7)
    ]
    (gap,) = group_gaps(searches + contacts)
    assert gap.closest_article_id == "returns"
    assert gap.case_ids == ["c0", "c1", "c2", "c3", "c4"]
    assert gap.last_seen == NOW


def test_group_limit_keeps_the_most_frequent() -> None:
    signals = [signal(f"topic{n} question") for n in range(5) for _ in range(n + 1)]
    assert [g.wording for g in group_gaps(signals, limit=2)] == ["topic4 question", "topic3 question"]


def test_a_search_is_a_gap_without_a_good_result_unless_a_reader_found_it_helpful() -> None:
    good = 0.5
    records = [
        search("nothing found"),
        search("weak", results=[("fees", 0.2)]),
        search("strong", results=[("fees", 0.8)]),
        search("weak but helped", results=[("fees", 0.2)], opened=["fees"], helpful=True),
        search("weak and unhelpful", results=[("fees", 0.2)], opened=["fees"], helpful=False),
    ]
    found = gap_signals(records, good)
    assert [(s.text, s.closest_article_id) for s in found] == [
        ("nothing found", None),
        ("weak", "fees"),
        ("weak and unhelpful", "fees"),
    ]


def test_deflection_counts_searches_not_followed_by_a_contact_within_the_window() -> None:
    records = [
        search(visitor="a", days_ago=20, results=[("fees", 0.9)]),  # contact 2 days later: not deflected
        search(visitor="b", days_ago=20, results=[("fees", 0.9)]),  # contact 9 days later: deflected
        search(visitor="c", days_ago=20, results=[("fees", 0.1)], opened=["limits"]),  # no contact: deflected
        search(visitor="d", days_ago=20, results=[("fees", 0.1)]),  # weak result, nothing read
        search(visitor="e", days_ago=3),  # too recent to tell
        search(visitor=None, days_ago=20),  # anonymous
    ]
    contacts = {
        "a": [NOW - timedelta(days=18)],
        "b": [NOW - timedelta(days=11)],
        "d": [NOW - timedelta(days=25)],  # before the search: does not count
    }
    report = deflection(records, contacts, window=WEEK, now=NOW, good=0.5)
    assert (report.overall.searches, report.overall.deflected, report.overall.rate) == (4, 3, 0.75)
    assert (report.pending, report.anonymous, report.window_days) == (1, 1, 7)
    per_article = {(a.article_id, a.searches, a.deflected) for a in report.articles}
    assert per_article == {("fees", 2, 1), ("limits", 1, 1)}


def test_no_decided_searches_means_no_rate() -> None:
    report = deflection([search(days_ago=1)], {}, window=WEEK, now=NOW, good=0.5)
    assert report.overall.rate is None
    assert report.articles == []


def article(article_id: str, helpful: int, not_helpful: int, *, published: bool = True) -> Article:
    content = ArticleContent(title=article_id.title(), short_answer="", body="")
    made = Article.new(ArticleId(article_id), "en", content, owner=None, at=NOW)
    version = made.edit(content, by=None, at=NOW)
    if published:
        made.publish(version, at=NOW)
    return made.model_copy(update={"helpful": helpful, "not_helpful": not_helpful})


def test_worst_rated_lists_the_least_helpful_with_enough_votes() -> None:
    articles = [
        article("fees", 1, 9),
        article("limits", 5, 5),
        article("cards", 0, 2),  # too few votes
        article("pins", 1, 9, published=False),
        article("transfers", 2, 18),
    ]
    rated = worst_rated(articles, min_votes=3, limit=10)
    assert [(r.article_id, r.helpful_ratio) for r in rated] == [("transfers", 0.1), ("fees", 0.1), ("limits", 0.5)]
    assert [r.article_id for r in worst_rated(articles, min_votes=3, limit=1)] == ["transfers"]
